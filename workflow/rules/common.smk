# Helpers shared by all rules: config checks, path builders, target lists, wildcard constraints.
import sys
from pathlib import Path

SYNTHETIC_KINDS = {"synthetic_gp", "synthetic_arma"}
TORCH_METHODS = {"mixseq", "dtcr"}
TORCH_FORECASTERS = {"deepar", "tcn", "convtrans"}


def check_config(cfg):
    """Cross-key checks before any job: see mixseq.config_check (exits naming the key and what was expected)."""
    sys.path.insert(0, str(Path(workflow.basedir) / "src"))
    from mixseq.config_check import ConfigError, check_config as _check

    try:
        _check(cfg)
    except ConfigError as err:
        sys.exit(f"Invalid configuration: {err}")


check_config(config)
from mixseq.config_check import preprocess_options  # noqa: E402  (custom data: min_series defaults to max K)


wildcard_constraints:
    dataset=r"[A-Za-z0-9_\-]+",
    method=r"[a-z_]+",
    forecaster=r"[a-z_]+",
    K=r"\d+",
    seed=r"\d+",


def dataset_cfg(name):
    return config["datasets"][name]


def is_synthetic(name):
    return dataset_cfg(name)["kind"] in SYNTHETIC_KINDS


def panel_path(wildcards):
    """Synthetic data are redrawn per trial (seed); real panels are shared by all seeds."""
    if is_synthetic(wildcards.dataset):
        return f"results/{wildcards.dataset}/seed{wildcards.seed}/panel.parquet"
    return f"results/{wildcards.dataset}/panel.parquet"


def real_datasets():
    """Datasets built from raw files (everything but the synthetic kinds), in config order."""
    return [name for name, ds in config["datasets"].items() if ds["kind"] not in SYNTHETIC_KINDS]


def real_raw_files(wildcards):
    sys.path.insert(0, str(Path(workflow.basedir) / "src"))
    from mixseq.data.sources import raw_files

    ds = dataset_cfg(wildcards.dataset)
    return [f"resources/{wildcards.dataset}/raw/{f}" for f in raw_files(ds["kind"], ds.get("options") or {})]


def dataset_remote(dataset, file):
    """Where a raw file comes from without a mirror: `datasets.<name>.remote` with the file name filled in."""
    remote = dict(dataset_cfg(dataset).get("remote") or {})
    if remote:
        remote.setdefault("file", file)
    return remote or None


def evaluation_cfg(dataset):
    """Global `evaluation` keys, overridden by `datasets.<name>.evaluation`."""
    ev = dict(config["evaluation"])
    ev.update(dataset_cfg(dataset).get("evaluation") or {})
    return ev


def base_name(alias):
    """`mixseq__lr3` -> `mixseq`: a variant (alias) of a method or forecaster names its base before `__`."""
    return alias.split("__", 1)[0]


def _options(section, alias, dataset=None):
    opts = dict(config[section].get(base_name(alias)) or {})
    if alias != base_name(alias):
        opts.update(config[section].get(alias) or {})
    if dataset is not None:
        per_ds = (dataset_cfg(dataset).get(section) or {}) if dataset in config["datasets"] else {}
        opts.update(per_ds.get(base_name(alias)) or {})
    return opts


def method_options(alias, dataset=None):
    """Options of a clustering method (variant options over base options over per-dataset overrides)."""
    return _options("methods", alias, dataset)


def forecaster_options(alias, dataset=None):
    return _options("forecasters", alias, dataset)


def gpu_for_method(wildcards):
    return config["gpu"] if base_name(wildcards.method) in TORCH_METHODS else 0


def gpu_for_forecaster(wildcards):
    return config["gpu"] if base_name(wildcards.forecaster) in TORCH_FORECASTERS else 0


def run_path(kind, dataset, method, k, forecaster, seed, split="test"):
    """Per-run file; `split` is `test` (the test interval) or `val` (the validation window of train)."""
    ext = "parquet" if kind == "forecasts" else "tsv"
    suffix = "" if split == "test" else ".val"
    return f"results/{dataset}/{kind}/{method}/k{k}/{forecaster}/seed{seed}{suffix}.{ext}"


def variants(section, base):
    """The configured aliases of `base` in `methods`/`forecasters` (the base itself always included)."""
    names = [n for n in config[section] if base_name(n) == base and n != base]
    return [base] + names


def realdata_k(dataset, method_base):
    if method_base == "macro":
        return [1]
    ks = set(config["realdata"]["k"])
    sens = config.get("sensitivity_k") or {}
    if method_base == sens.get("method"):
        ks |= set((sens.get("k") or {}).get(dataset, config["realdata"]["k"]))
    return sorted(ks)


def realdata_candidates():
    """Every (dataset, method alias, K, forecaster alias, seed) run that Tables 4/5 select from."""
    rd = config["realdata"]
    runs = []
    for ds in rd["datasets"]:
        for mb in rd["methods"]:
            for fb in rd["forecasters"]:
                for m in variants("methods", mb):
                    for k in realdata_k(ds, mb):
                        for f in variants("forecasters", fb):
                            for seed in rd.get("seeds", config["seeds"]):
                                runs.append((ds, m, k, f, seed))
    return runs


def realdata_scores(wildcards=None):
    files = []
    for run in realdata_candidates():
        files += [run_path("scores", *run, split="val"), run_path("scores", *run, split="test")]
    return files


def table1_runs():
    runs = []
    for ds in config["table1"]["columns"].values():
        fc = config["table1"]["forecaster"][ds]
        for seed in config["seeds"]:
            runs.append((ds, "macro", 1, fc, seed))
            runs.append((ds, "truth", dataset_cfg(ds)["n_components"], fc, seed))
    return runs


def table1_scores(wildcards=None):
    return [run_path("scores", *r) for r in table1_runs()]


def table1_forecasts(wildcards=None):
    seed = config["seeds"][0]
    return [run_path("forecasts", *r) for r in table1_runs() if r[4] == seed]


TARGET_FILES = {
    "table1": ["results/table1.tsv", "results/table1.md", "results/figures/table1_toy.png"],
    "table3": ["results/table3.tsv"],
    "table2": ["results/table2.tsv", "results/table2.md"],
    "sensitivity_synthetic": ["results/table_sensitivity_synthetic.tsv"],
    "table4": ["results/table4.tsv", "results/table4.md"],
    "convergence": ["results/convergence.tsv"],
    "table5": ["results/table5.tsv", "results/table5.md"],
    "methods": ["results/table_methods.tsv", "results/table_methods.md"],
    "sensitivity": [],  # filled below from config: one figure per real dataset
}


def table2_files(wildcards=None):
    t2 = config["table2"]
    return [
        f"results/table2/{data}/c{n}/{m}/seed{seed}.tsv"
        for data in t2["data"]
        for n in t2["clusters"]
        for m in t2["methods"]
        for seed in t2.get("seeds", config["seeds"])
    ]


def sensitivity_figures():
    return [f"results/figures/sensitivity_k_{ds}.png" for ds in config.get("realdata", {}).get("datasets", [])]


def all_targets():
    files = []
    for t in config["targets"]:
        if t == "sensitivity":
            files += sensitivity_figures()
            continue
        if t not in TARGET_FILES:
            sys.exit(f"Invalid configuration: config key 'targets': '{t}' is not implemented yet; "
                     f"available: {sorted(TARGET_FILES)}")
        files += TARGET_FILES[t]
    return files


def first_realdata_seed():
    return ((config.get("realdata") or {}).get("seeds") or config["seeds"])[0]

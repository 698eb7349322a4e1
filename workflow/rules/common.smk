# Helpers shared by all rules: config checks, path builders, target lists, wildcard constraints.
import sys
from collections import Counter
from pathlib import Path


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
from mixseq.cluster.base import torch_methods  # noqa: E402
from mixseq.data.sources import SYNTHETIC_KINDS  # noqa: E402
from mixseq.forecast.base import torch_forecasters  # noqa: E402
from mixseq.options import base_name  # noqa: E402  (`mixseq__lr3` -> `mixseq`)

# names are the registries' (mixseq.cluster.base / mixseq.forecast.base): jobs of torch ones ask for the gpu
TORCH_METHODS = set(torch_methods())
TORCH_FORECASTERS = set(torch_forecasters())


wildcard_constraints:
    dataset=r"[A-Za-z0-9_\-]+",
    file=r"[^/]+(?<!\.sha256)",
    method=r"[a-z_]+",
    forecaster=r"[a-z_]+",
    K=r"\d+",
    seed=r"\d+",
    split_suffix=r"(\.val)?",


# ----------------------------------------------------------------------------- paths of this run
# Every output, log and benchmark of a run lives under results/<run>/, logs/<run>/, benchmarks/<run>/ (config
# key `run`; empty = directly under results/). Raw downloads stay shared under resources/ (see download).
RUN = config["run"]


def _under(top, path):
    return "/".join(p for p in (top, RUN, path) if p)


def res_path(path=""):
    """`results/<run>/<path>`; `path` may hold `{wildcards}`."""
    return _under("results", path)


def log_path(path):
    return _under("logs", path)


def bench_path(path):
    return _under("benchmarks", path)


def benchmark_listing(wildcards=None):
    """A stamp listing the run's benchmark files (`benchmarks/<run>/**.tsv`) with their size and mtime, the input
    of the pipeline_benchmark step. The files themselves cannot be inputs: Snakemake counts a benchmark file as an
    output of its job, so asking for the summary would rerun every job of the run that is out of date."""
    files = sorted(Path(bench_path("")).rglob("*.tsv"))
    listing = {str(f): [f.stat().st_size, f.stat().st_mtime_ns] for f in files}
    return stamp("bench", "pipeline", listing)


# ----------------------------------------------------------------------------- provenance stamps
sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from mixseq import provenance  # noqa: E402

#: options that choose where/how fast a step runs, not what it computes: never part of a stamp (results on
#: cpu and cuda agree to float tolerance; thread counts and progress bars do not change them)
RUNTIME_OPTIONS = {"device", "threads", "progress", "num_workers"}


def _result_options(opts):
    return {k: v for k, v in dict(opts or {}).items() if k not in RUNTIME_OPTIONS}


def stamp(kind, key, payload, top=None):
    """Write the config slice `payload` of one step to `<results of the run>/.stamps/<kind>/<key>.json`
    (rewritten only when it changes) and return the path, to be used as an input of the step."""
    path = f"{top or res_path('.stamps')}/{kind}/{key}.json"
    provenance.write_stamp(path, payload)
    return path


def dataset_cfg(name):
    """`datasets.<name>`, with `sha256` resolved for real data: the catalogue of known raw files
    (mixseq.data.sources.KNOWN_SHA256) overridden by the configured entries. Stamps and fingerprints hold the
    checksums whichever states them, so a changed catalogue entry fetches and verifies the files again."""
    from mixseq.data.sources import expected_sha256

    ds = config["datasets"][name]
    sha = expected_sha256(ds["kind"], ds.get("sha256"))
    return {**ds, "sha256": sha} if sha else ds


def is_synthetic(name):
    return dataset_cfg(name)["kind"] in SYNTHETIC_KINDS


def panel_path(wildcards):
    """Synthetic data are redrawn per trial (seed); real panels are shared by all seeds."""
    if is_synthetic(wildcards.dataset):
        return res_path(f"{wildcards.dataset}/seed{wildcards.seed}/panel.parquet")
    return res_path(f"{wildcards.dataset}/panel.parquet")


def mirror_subdir(dataset):
    """Sub-directory of the mirror holding the raw files of `dataset` (`datasets.<name>.mirror_subdir`, else its kind)."""
    ds = dataset_cfg(dataset)
    return ds.get("mirror_subdir", ds["kind"])


def seeds_of(section):
    """The trials of a study section (`realdata`, `table2`, `sensitivity_synthetic`): its `seeds`, else `seeds`."""
    return (config.get(section) or {}).get("seeds") or config["seeds"]


def real_datasets():
    """Datasets built from raw files (everything but the synthetic kinds), in config order."""
    return [name for name, ds in config["datasets"].items() if ds["kind"] not in SYNTHETIC_KINDS]


def raw_dir(dataset):
    """Where the raw files of a real dataset live (under resources/, shared by all runs)."""
    return f"resources/{dataset}/raw"


def raw_files_of(dataset):
    """The raw files of a real dataset under resources/ (shared by all runs)."""
    from mixseq.data.sources import raw_files

    ds = dataset_cfg(dataset)
    return [f"{raw_dir(dataset)}/{f}" for f in raw_files(ds["kind"], ds.get("options") or {})]


def real_raw_files(wildcards):
    return raw_files_of(wildcards.dataset)


def dataset_remote(dataset, file):
    """Where a raw file comes from without a mirror: `datasets.<name>.remote` with the file name filled in."""
    remote = dict(dataset_cfg(dataset).get("remote") or {})
    if remote:
        remote.setdefault("file", file)
    return remote or None


def evaluation_cfg(dataset):
    """Global `evaluation` keys, overridden by `datasets.<name>.evaluation` (`nonnegative` defaults to auto)."""
    ev = {"nonnegative": "auto", **config["evaluation"]}
    ev.update(dataset_cfg(dataset).get("evaluation") or {})
    return ev


def _options(section, alias, dataset=None):
    opts = dict(config[section].get(base_name(alias)) or {})
    if alias != base_name(alias):
        opts.update(config[section].get(alias) or {})
    if dataset is not None:
        per_ds = (dataset_cfg(dataset).get(section) or {}) if dataset in config["datasets"] else {}
        opts.update(per_ds.get(base_name(alias)) or {})
    return opts


def method_options(alias, dataset=None):
    """Options of a clustering method (variant options over base options over per-dataset overrides).

    A `groups_file` (method `natural`) may start with `{raw}`: the dataset's raw directory `resources/<ds>/raw`,
    e.g. `{raw}/store.csv` for Rossmann's store metadata."""
    opts = _options("methods", alias, dataset)
    if dataset is not None and isinstance(opts.get("groups_file"), str):
        opts["groups_file"] = opts["groups_file"].replace("{raw}", raw_dir(dataset))
    return opts


def cluster_groups_file(wildcards):
    """The metadata file a `natural` clustering reads (`groups_file`), as an input of its job: the job waits for
    its download and reruns when the file changes; nothing for other methods."""
    path = method_options(wildcards.method, wildcards.dataset).get("groups_file")
    return [path] if isinstance(path, str) else []


def forecaster_options(alias, dataset=None):
    return _options("forecasters", alias, dataset)


def gpu_for_method(wildcards):
    return config["gpu"] if base_name(wildcards.method) in TORCH_METHODS else 0


#: threads of a job that trains a torch clustering method: one. Measured per core on CPU (docs/execution.md,
#: bench/bench_threads.py), a second intra-op thread never paid; the other methods (joblib workers of the tslearn
#: baselines and symbolic) keep two. `snakemake --set-threads cluster=2` overrides it for a run.
TORCH_JOB_THREADS = 1
OTHER_CLUSTER_THREADS = 2


def cluster_threads(method):
    return TORCH_JOB_THREADS if base_name(method) in TORCH_METHODS else OTHER_CLUSTER_THREADS


def gpu_for_forecaster(wildcards):
    return config["gpu"] if base_name(wildcards.forecaster) in TORCH_FORECASTERS else 0


#: file-name suffix of each split of a run: `test` (the test interval), `val` (the validation window of train)
SPLIT_SUFFIX = {"test": "", "val": ".val"}
#: the wildcards of one run, in run_path's argument order (rule forecast's outputs)
RUN_WILDCARDS = ("{dataset}", "{method}", "{K}", "{forecaster}", "{seed}", "{split_suffix}")


def split_of(suffix):
    """`""` -> `test`, `".val"` -> `val` (the `{split_suffix}` wildcard of rule forecast)."""
    return next(split for split, s in SPLIT_SUFFIX.items() if s == suffix)


def run_path(kind, dataset, method, k, forecaster, seed, split="test"):
    """Per-run file (`kind` forecasts or scores); `split` is `test`, `val` or the pattern `{split_suffix}`."""
    ext = "parquet" if kind == "forecasts" else "tsv"
    suffix = SPLIT_SUFFIX.get(split, split)
    return res_path(f"{dataset}/{kind}/{method}/k{k}/{forecaster}/seed{seed}{suffix}.{ext}")


def cluster_path(file, dataset="{dataset}", method="{method}", k="{K}", seed="{seed}"):
    """A file of one clustering run (`assignments.tsv`, `train_log.tsv`, `model`); wildcard patterns by default."""
    return res_path(f"{dataset}/clusters/{method}/k{k}/seed{seed}/{file}")


def variants(section, base):
    """The configured aliases of `base` in `methods`/`forecasters` (the base itself always included)."""
    names = [n for n in config[section] if base_name(n) == base and n != base]
    return [base] + names


def realdata_k(dataset, method_base):
    if method_base == "macro":
        return [1]
    per_method = (config["realdata"].get("k_per_method") or {}).get(method_base) or {}
    ks = set(per_method.get(dataset) or config["realdata"]["k"])
    sens = config["sensitivity_k"]
    if method_base == sens["method"]:
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
                            for seed in seeds_of("realdata"):
                                runs.append((ds, m, k, f, seed))
    return runs


def realdata_validated_runs():
    """The candidate runs (as in `realdata_candidates`) that are also scored on the validation window.

    `realdata.validation: auto` scores a run on validation only where something selects on it: its (dataset,
    method base, forecaster base, seed) has more than one candidate (K or variant), or the `future` target picks
    its run among every candidate by the validation score (no `future.method`/`k`/`forecaster` named)."""
    runs = realdata_candidates()
    if config["realdata"]["validation"] == "always" or ("future" in config["targets"] and future_fixed() is None):
        return set(runs)
    def group(run):
        ds, method, _, forecaster, seed = run
        return ds, base_name(method), base_name(forecaster), seed

    sizes = Counter(group(run) for run in runs)
    return {run for run in runs if sizes[group(run)] > 1}


def realdata_scores(wildcards=None):
    """Scores files of every candidate run: the test split, and the validation split where it selects."""
    validated = realdata_validated_runs()
    files = []
    for run in realdata_candidates():
        if run in validated:
            files.append(run_path("scores", *run, split="val"))
        files.append(run_path("scores", *run, split="test"))
    return files


def realdata_assignments():
    """`[dataset, method alias, K, seed, assignments.tsv]` of every clustering the real-data runs use, once each."""
    runs = dict.fromkeys((ds, m, k, seed) for ds, m, k, _, seed in realdata_candidates())
    return [[*r, cluster_path("assignments.tsv", *r)] for r in runs]


def realdata_significance(wildcards=None):
    """significance.tsv when Macro is a real-data method (the cells' marks compare against it), else nothing."""
    return [res_path("significance.tsv")] if "macro" in config["realdata"]["methods"] else []


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


def table1_figure_files():
    """{dataset: {"macro"|"truth": forecast file, "panel": panel file}} of the first seed (Table 1's figure)."""
    seed = config["seeds"][0]
    files = {}
    for ds, method, k, fc, s in table1_runs():
        if s == seed:
            files.setdefault(ds, {"panel": res_path(f"{ds}/seed{seed}/panel.parquet")})[method] = run_path(
                "forecasts", ds, method, k, fc, s)
    return files


def table1_forecasts(wildcards=None):
    return [f for files in table1_figure_files().values() for f in files.values()]


def table2_files(wildcards=None):
    t2 = config["table2"]
    return [
        res_path(f"table2/{data}/c{n}/{m}/seed{seed}.tsv")
        for data in t2["data"]
        for n in t2["clusters"]
        for m in t2["methods"]
        for seed in seeds_of("table2")
    ]


def target_files(target):
    """The files a target of `targets` stands for: fixed names plus one figure per dataset where it has some."""
    real = real_datasets()
    fixed = {
        "table1": ["table1.tsv", "table1.md", "figures/table1_toy.png"],
        "table2": ["table2.tsv", "table2.md"],
        "table3": ["table3.tsv"] + [f"figures/macro_{ds}.png" for ds in real],
        "sensitivity_synthetic": ["table_sensitivity_synthetic.tsv"],
        "table4": ["table4.tsv", "table4.md"],
        "table5": ["table5.tsv", "table5.md"],
        "methods": ["table_methods.tsv", "table_methods.md"],
        "convergence": ["convergence.tsv"]
        + [f"figures/convergence_{ds}.png" for ds in (config.get("convergence") or {}).get("datasets", [])],
        "sensitivity": [f"figures/sensitivity_k_{ds}.png" for ds in (config.get("realdata") or {}).get("datasets", [])],
        "significance": ["significance.tsv", "figures/significance.png"],
        "future": [f for ds in (config.get("realdata") or {}).get("datasets", [])
                   for f in (f"{ds}/future.tsv", f"{ds}/future_clusters.tsv", f"figures/future_{ds}.png")],
    }
    return [res_path(f) for f in fixed[target]]


def all_targets():
    files = []
    for t in config["targets"]:
        files += [f for f in target_files(t) if f not in files]
    return files


def upstream_of_run(dataset, method, k, forecaster, seed, validation=True):
    """Every file one scored run is built from: panel (and raw files), clustering outputs, the test forecasts and,
    with `validation`, the validation forecasts."""
    splits = [s for s in SPLIT_SUFFIX if validation or s == "test"]
    files = [run_path(kind, dataset, method, k, forecaster, seed, split)
             for kind in ("forecasts", "scores") for split in splits]
    return files + upstream_of_cluster(dataset, method, k, seed)


def upstream_of_cluster(dataset, method, k, seed):
    wc = type("Wildcards", (), {"dataset": dataset, "seed": seed})
    files = [cluster_path(f, dataset, method, k, seed) for f in ("assignments.tsv", "train_log.tsv", "model")]
    files.append(panel_path(wc))
    if not is_synthetic(dataset):
        files += raw_files_of(dataset) + raw_sidecars(dataset)
    return files


def intermediate_files():
    """Every intermediate file the targets are built from. The default target asks for them too: Snakemake would
    otherwise not rebuild a deleted intermediate (e.g. panel.parquet) while the tables downstream of it exist."""
    targets = set(config["targets"])
    files = []
    if "table1" in targets:
        for ds, m, k, f, seed in table1_runs():
            files += [run_path(kind, ds, m, k, f, seed) for kind in ("forecasts", "scores")]
            files += upstream_of_cluster(ds, m, k, seed)
    if targets & {"table4", "table5", "methods", "sensitivity", "future", "significance"}:
        validated = realdata_validated_runs()
        for run in realdata_candidates():
            files += upstream_of_run(*run, validation=run in validated)
    if "table3" in targets:
        for ds in real_datasets():
            files += [res_path(f"{ds}/panel.parquet")] + raw_files_of(ds) + raw_sidecars(ds)
    if "convergence" in targets:
        cv = config["convergence"]
        for ds in cv["datasets"]:
            for m in cv["methods"]:
                files += upstream_of_cluster(ds, m, cv["k"], first_realdata_seed())
    if "table2" in targets:
        files += table2_files()
        if "deepar" in config["table2"]["data"]:
            files.append(res_path("synthetic/deepar_base.pt"))
    if "sensitivity_synthetic" in targets:
        ss = config["sensitivity_synthetic"]
        files += expand(res_path("sensitivity_synthetic/k{K}/seed{seed}.tsv"), K=[1] + list(ss["k"]),
                        seed=seeds_of("sensitivity_synthetic"))
    return list(dict.fromkeys(files))


def first_realdata_seed():
    return seeds_of("realdata")[0]


# ----------------------------------------------------------------------------- config slices (stamps)
def download_stamp(wildcards):
    """Where raw file `file` of `dataset` comes from (the raw copies are shared by all runs: stamp in resources/).
    With a mirror, the stamp also holds the sha256 of the mirror file: editing it in place fetches it again,
    while a copy with the same bytes and a new mtime (a mirror copied or unpacked again) recomputes nothing."""
    ds = dataset_cfg(wildcards.dataset)
    payload = {
        "kind": ds["kind"],
        "file": wildcards.file,
        "sha256": ds.get("sha256", {}).get(wildcards.file),
        "mirror": config["mirror"],
        "subdir": mirror_subdir(wildcards.dataset),
        "remote": dataset_remote(wildcards.dataset, wildcards.file),
    }
    source = mirror_file(wildcards)
    if source is not None:
        payload["mirror_sha256"] = provenance.cached_file_sha256(source, "resources/.stamps/mirror_sha256.json")
    return stamp(wildcards.dataset, wildcards.file, payload, top="resources/.stamps")


def mirror_file(wildcards):
    """The mirror file `download` will copy; None without a mirror, or when the file is not there (download then
    names every path it tried)."""
    if not config["mirror"]:
        return None
    from mixseq.data.download import find_in_mirror

    try:
        return find_in_mirror(config["mirror"], wildcards.file, mirror_subdir(wildcards.dataset))
    except (FileNotFoundError, ValueError):
        return None


def raw_sidecars(dataset):
    return [str(provenance.sidecar_path(f)) for f in raw_files_of(dataset)]


def data_spec(datasets):
    """For table headers: real datasets -> the sha256 sidecars of their raw files; synthetic -> config fingerprint."""
    return {ds: provenance.fingerprint(dataset_cfg(ds)) if is_synthetic(ds) else raw_sidecars(ds) for ds in datasets}


def data_inputs(datasets):
    return [f for ds in datasets if not is_synthetic(ds) for f in raw_sidecars(ds)]


def preprocess_slice(dataset):
    """What a panel depends on: the loader options as the loader gets them (custom `min_series` defaults to the
    largest K), the checksums, and the horizon (the panel is refused when its test interval is shorter)."""
    ds = dataset_cfg(dataset)
    return {"kind": ds["kind"], "options": preprocess_options(config, dataset), "sha256": ds.get("sha256", {}),
            "horizon": evaluation_cfg(dataset)["horizon"]}


def pipeline_slice(datasets, methods=(), forecasters=()):
    """Everything upstream of a table that the config decides: data, evaluation, method and forecaster options."""
    return {
        "datasets": {
            ds: {
                "config": dataset_cfg(ds),
                "evaluation": evaluation_cfg(ds),
                "methods": {m: _result_options(method_options(m, ds)) for m in methods},
                "forecasters": {f: _result_options(forecaster_options(f, ds)) for f in forecasters},
            }
            for ds in datasets
        },
        "quantiles": config["quantiles"],
        "n_samples": config["n_samples"],
    }


def cluster_stamp(wildcards):
    opts = _result_options(method_options(wildcards.method, wildcards.dataset))
    return stamp("cluster", f"{wildcards.dataset}/{wildcards.method}", {"options": opts})


def forecast_slice(dataset, forecaster):
    return {
        "options": _result_options(forecaster_options(forecaster, dataset)),
        "evaluation": evaluation_cfg(dataset),
        "quantiles": config["quantiles"],
        "n_samples": config["n_samples"],
    }


def forecast_stamp(wildcards):
    return stamp("forecast", f"{wildcards.dataset}/{wildcards.forecaster}", forecast_slice(wildcards.dataset,
                                                                                         wildcards.forecaster))


def realdata_aliases():
    rd = config["realdata"]
    methods = [m for mb in rd["methods"] for m in variants("methods", mb)]
    forecasters = [f for fb in rd["forecasters"] for f in variants("forecasters", fb)]
    return methods, forecasters


def table_slice(name):
    """The config slice of a table: its own section plus everything upstream (`pipeline_slice`)."""
    if name == "table1":
        t1 = config["table1"]
        own = {"table1": t1, "seeds": config["seeds"]}
        up = pipeline_slice(list(t1["columns"].values()), ["macro", "truth"], sorted(set(t1["forecaster"].values())))
    elif name == "realdata":
        methods, forecasters = realdata_aliases()
        own = {"realdata": config["realdata"], "sensitivity_k": config["sensitivity_k"],
               "seeds": config["seeds"], "significance": config["significance"]}
        up = pipeline_slice(config["realdata"]["datasets"], methods, forecasters)
    elif name == "table3":
        own, up = {"datasets": {ds: dataset_cfg(ds) for ds in real_datasets()}}, {}
    elif name == "convergence":
        cv = config["convergence"]
        own = {"convergence": cv, "seed": first_realdata_seed()}
        up = pipeline_slice(cv["datasets"], cv["methods"])
    elif name == "table2":
        t2 = config["table2"]
        own = {"table2": t2, "seeds": config["seeds"], "methods": {m: _result_options(method_options(m))
                                                                   for m in t2["methods"]}}
        up = pipeline_slice([t2["deepar_source"]] if "deepar" in t2["data"] else [])
    elif name == "sensitivity_synthetic":
        ss = config["sensitivity_synthetic"]
        own = {"sensitivity_synthetic": ss, "seeds": config["seeds"],
               "method": _result_options(method_options(ss["method"]))}
        up = {}
    else:
        raise ValueError(f"no config slice for table {name!r}")
    return {"table": own, "upstream": up}


def table_stamp(name):
    return lambda wildcards: stamp("table", name, table_slice(name))


def table_fingerprint(name):
    return lambda wildcards: provenance.fingerprint(table_slice(name))


def table2_trial_slice(method):
    t2 = config["table2"]
    opts = {**method_options(method), **(t2["method_options"].get(method) or {})}
    return {"options": opts, "data_options": dict(t2["data_options"])}


def table2_trial_stamp(wildcards):
    sl = table2_trial_slice(wildcards.method)
    return stamp("table2_trial", f"{wildcards.data}/{wildcards.method}",
                 {"options": _result_options(sl["options"]), "data_options": sl["data_options"]})


def table2_data_spec():
    """Table 2's data are generated from `table2.data_options`; the DeepAR mixtures also from the base DeepAR
    trained on `table2.deepar_source`."""
    t2 = config["table2"]
    spec = {f"synthetic_{d}": provenance.fingerprint(t2["data_options"]) for d in t2["data"]}
    if "deepar" in t2["data"]:
        spec[t2["deepar_source"]] = raw_sidecars(t2["deepar_source"])
    return spec


def sensitivity_trial_options():
    ss = config["sensitivity_synthetic"]
    return {**method_options(ss["method"]), **ss["options"]}


def convergence_logs(dataset):
    """{method: train log} of the convergence study for one dataset (first real-data seed)."""
    cv = config["convergence"]
    return {m: cluster_path("train_log.tsv", dataset, m, cv["k"], first_realdata_seed()) for m in cv["methods"]}

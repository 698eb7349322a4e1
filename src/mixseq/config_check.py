"""Cross-key configuration checks that a JSON schema cannot express; run by the workflow before any job.

:func:`check_config` raises :class:`ConfigError` with a message ``config key '<key>': expected <what>, got
<value>`` (or ``...: unknown option of <owner>; expected one of [...]``). The accepted options of methods,
forecasters and dataset loaders come from their registries (:func:`mixseq.cluster.base.method_options`,
:func:`mixseq.forecast.base.forecaster_options`, :func:`mixseq.data.sources.dataset_options`).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pandas as pd

from mixseq.cluster.base import REGISTRY as METHODS
from mixseq.cluster.base import methods_where
from mixseq.data.sources import SYNTHETIC_KINDS
from mixseq.forecast.base import REGISTRY as FORECASTERS
from mixseq.options import base_name

__all__ = ["ConfigError", "SYNTHETIC_KINDS", "base_name", "check_config", "iso_dates", "preprocess_options"]

#: options the workflow's rules consume besides the method's own: ``stream`` (cluster rule; methods whose registry
#: entry has ``stream=True``).
RULE_METHOD_OPTIONS: dict[str, Any] = {"stream": bool}
#: ``table2.data_options`` (data sizes of :func:`mixseq.experiments.clustering.table2_trial`).
TABLE2_DATA_OPTIONS: dict[str, Any] = {"n_per_cluster": int, "length": int, "n_infer_per_cluster": int,
                                       "burn_in": int}
#: ``sensitivity_synthetic.options`` consumed by :func:`mixseq.experiments.clustering.sensitivity_trial`.
SENSITIVITY_OPTIONS: dict[str, Any] = {"n_per_cluster": int, "length": int, "test_steps": int, "horizon": int,
                                       "window_step": int, "refit_every": int, "burn_in": int}
#: series counts of the real kinds where they are fixed: kind -> (option, value) -> number of series.
KNOWN_SERIES = {("rossmann", None): 1115, ("m5", "store_dept"): 70, ("m5", "item_store"): 30490}
#: options naming a raw file (a plain file name inside ``resources/<dataset>/raw``).
FILE_OPTIONS = ("file", "train_file", "sales_file")
DATASET_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$")
SPLIT_KEYS = ("train_start", "train_end", "val_start", "test_start", "test_end")


class ConfigError(Exception):
    """An invalid configuration; the message names the key and what was expected."""


def _fail(key: str, expected: str, got: Any = None) -> None:
    msg = f"config key '{key}': expected {expected}"
    if got is not None:
        msg += f", got {got!r}"
    raise ConfigError(msg)


def _check(options: Any, spec: dict[str, Any], key: str, owner: str) -> None:
    from mixseq.options import OptionError, check_options

    if options is None:
        return
    if not isinstance(options, dict):
        _fail(key, "a mapping of options", options)
    try:
        check_options(options, spec, key, owner)
    except OptionError as err:
        raise ConfigError(str(err)) from None


def method_spec(base: str) -> dict[str, Any]:
    """Options accepted under ``methods.<base>``: the method's own plus those the rules consume."""
    from mixseq.cluster.base import method_options

    return {**method_options(base), **RULE_METHOD_OPTIONS}


def forecaster_spec(base: str) -> dict[str, Any]:
    from mixseq.forecast.base import forecaster_options

    return forecaster_options(base)


def max_k(cfg: dict[str, Any], name: str) -> int | None:
    """Largest K the configured targets request for dataset ``name`` (``None`` if none)."""
    ks: list[int] = []
    rd = cfg.get("realdata") or {}
    if name in rd.get("datasets", []):
        ks += list(rd.get("k", []))
        ks += [k for per_ds in (rd.get("k_per_method") or {}).values() for k in per_ds.get(name, [])]
        sens = cfg.get("sensitivity_k") or {}
        ks += list((sens.get("k") or {}).get(name, []))
    conv = cfg.get("convergence") or {}
    if name in conv.get("datasets", []):
        ks.append(int(conv["k"]))
    return max(ks) if ks else None


def preprocess_options(cfg: dict[str, Any], name: str) -> dict[str, Any]:
    """``datasets.<name>.options`` as the preprocess rule passes them: for ``custom`` data, ``min_series``
    defaults to the largest K requested for the dataset (so too few series fail when the panel is built)."""
    ds = cfg["datasets"][name]
    opts = dict(ds.get("options") or {})
    if ds["kind"] == "custom" and "min_series" not in opts:
        k = max_k(cfg, name)
        if k is not None:
            opts["min_series"] = k
    return opts


def _splits(kind: str, opts: dict[str, Any]) -> dict[str, pd.Timestamp]:
    """The split dates known from the config alone (kind defaults overridden by options)."""
    from mixseq.data.rawio import val_start_two_months

    defaults: dict[str, str] = {}
    if kind in ("rossmann", "m5", "wiki"):
        import importlib

        defaults = dict(importlib.import_module(f"mixseq.data.{kind}").SPLITS)
    elif kind == "custom":
        te = opts.get("train_end")
        if te is None and "test_start" in opts:
            te = str((pd.Timestamp(opts["test_start"]) - pd.Timedelta(days=1)).date())
        if te is not None:
            defaults = {"train_end": te, "test_start": str((pd.Timestamp(te) + pd.Timedelta(days=1)).date()),
                        "val_start": val_start_two_months(te)}
    merged = {**defaults, **{k: opts[k] for k in SPLIT_KEYS if k in opts}}
    return {k: pd.Timestamp(v) for k, v in merged.items()}


def _check_dataset(cfg: dict[str, Any], name: str, ds: dict[str, Any]) -> None:
    from mixseq.data.sources import dataset_options

    if not DATASET_NAME.match(name):
        _fail(f"datasets.{name}", "a dataset name of letters, digits, '_' and '-' only", name)
    kind = ds["kind"]
    opts = ds.get("options") or {}
    key = f"datasets.{name}.options"
    _check(opts, dataset_options(kind), key, f"dataset kind '{kind}'")
    for f in FILE_OPTIONS:
        v = opts.get(f)
        if v is not None and ("/" in v or "\\" in v or v in ("", ".", "..")):
            _fail(f"{key}.{f}", "a plain file name (no '/' or '..'; the file lies in resources/<dataset>/raw)", v)
    for s in SPLIT_KEYS:
        v = opts.get(s)
        if v is not None:
            if not ISO_DATE.match(v):
                _fail(f"{key}.{s}", "a date string YYYY-MM-DD (or YYYY-MM-DDTHH:MM for hourly data)", v)
            try:
                pd.Timestamp(v)
            except ValueError:
                _fail(f"{key}.{s}", "a valid date YYYY-MM-DD", v)
    for section, spec_of in (("methods", method_spec), ("forecasters", forecaster_spec)):
        for base, o in (ds.get(section) or {}).items():
            known = _registry(section)
            if base not in known:
                _fail(f"datasets.{name}.{section}.{base}", f"a {section[:-1]} name, one of {sorted(known)}", base)
            _check(o, spec_of(base), f"datasets.{name}.{section}.{base}", f"{section[:-1]} '{base}'")

    # K against the number of series, horizon against the test (and validation) interval
    k = max_k(cfg, name)
    n = None
    if kind in SYNTHETIC_KINDS:
        n = int(ds.get("n_components", 0)) * int(opts.get("n_per_component", 5))
    elif kind == "rossmann" and opts.get("train_file", "train.csv") == "train.csv":
        stores = opts.get("stores")
        n = KNOWN_SERIES[("rossmann", None)] if stores is None else (stores if isinstance(stores, int)
                                                                        else len(stores))
    elif kind == "m5":
        n = KNOWN_SERIES[("m5", opts.get("level", "item_store"))]
    elif kind == "custom" and "min_series" in opts:
        if k is not None and k > int(opts["min_series"]):
            _fail(f"{key}.min_series", f"at least the largest K requested for '{name}' ({k})", opts["min_series"])
    if k is not None and n is not None and k > n:
        _fail(f"realdata.k / sensitivity_k.k.{name} / convergence.k",
              f"K <= {n}, the number of series of dataset '{name}'", k)

    horizon = int({**cfg["evaluation"], **(ds.get("evaluation") or {})}["horizon"])
    hkey = f"datasets.{name}.evaluation.horizon" if "horizon" in (ds.get("evaluation") or {}) else \
        "evaluation.horizon"
    if kind in SYNTHETIC_KINDS:
        test_len = int(opts.get("test_steps", 120))
        if horizon > test_len:
            _fail(hkey, f"at most the {test_len} test days of dataset '{name}' (options.test_steps)", horizon)
        return
    sp = _splits(kind, opts)
    if "test_start" in sp and "test_end" in sp:
        test_len = (sp["test_end"] - sp["test_start"]).days + 1
        if horizon > test_len:
            _fail(hkey, f"at most the {test_len} days of the test interval of dataset '{name}' "
                        f"({sp['test_start'].date()}..{sp['test_end'].date()})", horizon)
    if "val_start" in sp and "train_end" in sp:
        val_len = (sp["train_end"] - sp["val_start"]).days + 1
        if horizon > val_len:
            _fail(hkey, f"at most the {val_len} days of the validation window of dataset '{name}' "
                        f"({sp['val_start'].date()}..{sp['train_end'].date()})", horizon)


def _registry(section: str) -> set[str]:
    return set(METHODS if section == "methods" else FORECASTERS)


#: what each role asks of a method's registry entry (:class:`mixseq.cluster.base.Entry`), and how to say it
METHOD_ROLES: dict[str, tuple[dict[str, bool], str]] = {
    "real": ({"needs_truth": False}, "a method that needs no ground truth (real data have none)"),
    "k": ({"needs_truth": False, "fixed_k": False}, "a method that fits K clusters from the data"),
    "convergence": ({"iterative": True}, "a method that logs its objective per iteration"),
}


def _check_name(key: str, name: str, section: str, flags: dict[str, bool] | None = None,
                expected: str = "", alias: bool = False) -> None:
    """``name`` (``<base>__<tag>`` when ``alias``) names a registered method/forecaster whose entry has ``flags``."""
    registry = METHODS if section == "methods" else FORECASTERS
    base = base_name(name) if alias else name
    what = section[:-1]
    if base not in registry:
        form = f"a {what} name or a variant <name>__<tag>" if alias else f"a {what} name"
        _fail(key, f"{form}, the name one of {sorted(registry)}", name)
    flags = flags or {}
    if any(getattr(registry[base], f) != v for f, v in flags.items()):
        ok = [n for n, e in registry.items() if all(getattr(e, f) == v for f, v in flags.items())]
        _fail(key, f"{expected}, one of {ok}", name)


def _check_names(cfg: dict[str, Any]) -> None:
    """Method and forecaster names against the registries and the roles they play (the schema's ``$defs`` list
    every registered name; whether a name fits a role comes from its registry entry's flags)."""
    for section in ("methods", "forecasters"):
        for alias in cfg.get(section) or {}:
            _check_name(f"{section}.{alias}", alias, section, alias=True)
    real_fc = ({"real_data": True}, "a forecaster meant for real data")
    rd = cfg.get("realdata") or {}
    for i, m in enumerate(rd.get("methods", [])):
        _check_name(f"realdata.methods[{i}]", m, "methods", *METHOD_ROLES["real"])
    for i, f in enumerate(rd.get("forecasters", [])):
        _check_name(f"realdata.forecasters[{i}]", f, "forecasters", *real_fc)
    for m, per_ds in (rd.get("k_per_method") or {}).items():
        if m not in rd.get("methods", []):
            _fail(f"realdata.k_per_method.{m}", f"a method of realdata.methods {rd.get('methods', [])}", m)
        for ds in per_ds:
            if ds not in rd.get("datasets", []):
                _fail(f"realdata.k_per_method.{m}.{ds}", f"a dataset of realdata.datasets {rd.get('datasets', [])}",
                      ds)
    for i, m in enumerate((cfg.get("table2") or {}).get("methods", [])):
        _check_name(f"table2.methods[{i}]", m, "methods", *METHOD_ROLES["k"])
    ss = cfg.get("sensitivity_synthetic")
    if ss and "method" in ss:
        _check_name("sensitivity_synthetic.method", ss["method"], "methods", *METHOD_ROLES["k"])
    for i, m in enumerate((cfg.get("convergence") or {}).get("methods", [])):
        _check_name(f"convergence.methods[{i}]", m, "methods", *METHOD_ROLES["convergence"])
    sk = cfg.get("sensitivity_k") or {}
    if "method" in sk:
        _check_name("sensitivity_k.method", sk["method"], "methods", *METHOD_ROLES["k"])
    if "forecaster" in sk:
        _check_name("sensitivity_k.forecaster", sk["forecaster"], "forecasters", *real_fc)
    fu = cfg.get("future") or {}
    if "method" in fu:
        _check_name("future.method", fu["method"], "methods", *METHOD_ROLES["real"], alias=True)
    if "forecaster" in fu:
        _check_name("future.forecaster", fu["forecaster"], "forecasters", *real_fc, alias=True)


def _check_options_sections(cfg: dict[str, Any]) -> None:
    for alias, o in (cfg.get("methods") or {}).items():
        base = base_name(alias)
        _check(o, method_spec(base), f"methods.{alias}", f"method '{base}'")
        if (o or {}).get("stream") and not METHODS[base].stream:
            _fail(f"methods.{alias}.stream",
                  f"false: streaming is implemented for {sorted(methods_where(stream=True))} only", True)
    for alias, o in (cfg.get("forecasters") or {}).items():
        base = base_name(alias)
        _check(o, forecaster_spec(base), f"forecasters.{alias}", f"forecaster '{base}'")
    t2 = cfg.get("table2")
    if t2:
        for m, o in (t2.get("method_options") or {}).items():
            if m not in _registry("methods"):
                _fail(f"table2.method_options.{m}", f"a method name, one of {sorted(t2['methods'])}", m)
            _check(o, method_spec(m), f"table2.method_options.{m}", f"method '{m}'")
        _check(t2.get("data_options"), TABLE2_DATA_OPTIONS, "table2.data_options", "Table 2's data generator")
    ss = cfg.get("sensitivity_synthetic")
    if ss:
        m = ss.get("method", "mixseq")
        opts = ss.get("options") or {}
        _check(opts, {**method_spec(m), **SENSITIVITY_OPTIONS}, "sensitivity_synthetic.options",
               f"the synthetic sensitivity (method '{m}')")
        test_steps, horizon = int(opts.get("test_steps", 40)), int(opts.get("horizon", 10))
        if horizon > test_steps:
            _fail("sensitivity_synthetic.options.horizon", f"at most test_steps ({test_steps})", horizon)


def _check_quantiles(cfg: dict[str, Any]) -> None:
    rd = cfg.get("realdata")
    if not rd:
        return
    qs = [float(q) for q in cfg["quantiles"]]
    metric = rd.get("selection_metric", "r0.5")
    if metric.startswith("r") and float(metric[1:]) not in qs:
        _fail("quantiles", f"a list containing {metric[1:]} because realdata.selection_metric is '{metric}'", qs)
    if len(set(qs)) < 2 or 0.5 not in qs:
        _fail("quantiles", "at least two quantiles including 0.5 (Table 4 reports R_a/R_b of the first two; "
                           "paper: [0.5, 0.9])", qs)


def _check_nonnegative(cfg: dict[str, Any]) -> None:
    """``evaluation.nonnegative`` and its per-dataset overrides: ``auto``, ``true`` or ``false``."""
    from mixseq.experiments.rolling import is_nonnegative_mode

    places = [("evaluation", cfg.get("evaluation") or {})]
    places += [(f"datasets.{n}.evaluation", ds.get("evaluation") or {}) for n, ds in cfg["datasets"].items()]
    for key, ev in places:
        if "nonnegative" in ev and not is_nonnegative_mode(ev["nonnegative"]):
            _fail(f"{key}.nonnegative", "one of auto, true, false", ev["nonnegative"])


def _check_mirror(cfg: dict[str, Any]) -> None:
    mirror = cfg.get("mirror")
    if not mirror:
        return
    from mixseq.data.download import mirror_root

    try:
        root = mirror_root(mirror)
    except ValueError:
        _fail("mirror", "a local directory or a file:// URL", mirror)
    if not root.is_dir():
        _fail("mirror", f"an existing directory (not found: {root})", mirror)


def iso_dates(node: Any) -> Any:
    """``node`` with every ``datetime.date`` (YAML's reading of an unquoted ``2021-10-31``) as its ISO string."""
    if isinstance(node, dict):
        return {k: iso_dates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [iso_dates(v) for v in node]
    return node.isoformat() if isinstance(node, datetime.date) else node


def check_config(cfg: dict[str, Any]) -> None:
    """Cross-key checks that a JSON schema cannot express. Runs before any job.

    Raises:
        ConfigError: naming the key and what was expected (see the module docstring).
    """
    datasets = cfg["datasets"]
    for name, ds in datasets.items():
        if ds["kind"] in SYNTHETIC_KINDS and "n_components" not in ds:
            _fail(f"datasets.{name}.n_components", "an integer 1..5 for synthetic data")
    if "table3" in cfg["targets"] and not any(ds["kind"] not in SYNTHETIC_KINDS for ds in datasets.values()):
        _fail("datasets", "at least one real dataset (rossmann, m5, wiki, custom) because 'table3' is in targets")
    for name, ds in datasets.items():
        if ds["kind"] not in (*SYNTHETIC_KINDS, "custom") and not cfg.get("mirror") and not ds.get("remote"):
            _fail(f"datasets.{name}.remote", "a remote source (kaggle competition or url) when 'mirror' is null")
    if {"table4", "table5", "sensitivity", "future", "significance"} & set(cfg["targets"]):
        if "realdata" not in cfg:
            _fail("realdata", "a 'realdata' section because table4/table5/sensitivity/future/significance are in "
                  "targets")
        if "significance" in cfg["targets"] and "macro" not in cfg["realdata"]["methods"]:
            _fail("realdata.methods", "a list containing 'macro' because 'significance' tests every method against it",
                  cfg["realdata"]["methods"])
        sig = cfg.get("significance") or {}
        if sig.get("test") == "bootstrap" and sig.get("unit", "windows_and_seeds") == "windows_and_seeds":
            _fail("significance.unit", "'windows' with test 'bootstrap' (windows_and_seeds adds the seeds' variance "
                  "to a variance-based test: ewc or dm)", "windows_and_seeds")
        if "future" in cfg["targets"] and not cfg["realdata"]["datasets"]:
            _fail("realdata.datasets", "at least one real dataset because 'future' is in targets", [])
        for i, ds in enumerate(cfg["realdata"]["datasets"]):
            if ds not in datasets:
                _fail(f"realdata.datasets[{i}]", f"one of the datasets {sorted(datasets)}", ds)
            if datasets[ds]["kind"] in SYNTHETIC_KINDS:
                _fail(f"realdata.datasets[{i}]", "a real dataset (synthetic panels are redrawn per seed)", ds)
    for target, section in (("table2", "table2"), ("sensitivity_synthetic", "sensitivity_synthetic"),
                            ("convergence", "convergence")):
        if target in cfg["targets"] and section not in cfg:
            _fail(section, f"a '{section}' section because '{target}' is in targets")
    if "table2" in cfg["targets"] and "deepar" in cfg["table2"]["data"]:
        src = cfg["table2"].get("deepar_source")
        if src not in datasets or datasets[src]["kind"] != "rossmann":
            _fail("table2.deepar_source", "the name of a rossmann dataset (the base DeepAR is trained on it)", src)
    if "table1" in cfg["targets"]:
        if "table1" not in cfg:
            _fail("table1", "a 'table1' section because 'table1' is in targets")
        for title, ds in cfg["table1"]["columns"].items():
            if ds not in datasets:
                _fail(f"table1.columns.{title}", f"one of the datasets {sorted(datasets)}", ds)
            if datasets[ds]["kind"] not in SYNTHETIC_KINDS:
                _fail(f"table1.columns.{title}", "a synthetic dataset (Table 1 needs ground truth)", ds)
            if ds not in cfg["table1"]["forecaster"]:
                _fail(f"table1.forecaster.{ds}", "a forecaster for every Table 1 dataset")
    _check_names(cfg)
    _check_nonnegative(cfg)
    _check_mirror(cfg)
    _check_quantiles(cfg)
    _check_options_sections(cfg)
    for name, ds in datasets.items():
        _check_dataset(cfg, name, ds)

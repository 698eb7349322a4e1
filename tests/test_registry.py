"""The registries are the one source of method and forecaster names and capabilities.

The schema's ``$defs`` name lists, the dataset kinds, the entries' flags and their torch-free option specs must
agree with the code they describe; a configuration check must not import torch.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

from mixseq.cluster import base as cluster_base
from mixseq.cluster.base import REGISTRY as METHODS
from mixseq.cluster.base import ClusterMethod, method_class, method_options, methods_where, torch_methods
from mixseq.config_check import ConfigError, check_config, iso_dates
from mixseq.data.sources import LOADERS, SYNTHETIC_KINDS
from mixseq.forecast.base import REGISTRY as FORECASTERS
from mixseq.forecast.base import forecaster_class, forecaster_options, torch_forecasters
from mixseq.options import base_name

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())


def test_schema_names_are_the_registries_keys() -> None:
    assert sorted(SCHEMA["$defs"]["method"]["enum"]) == sorted(METHODS)
    assert sorted(SCHEMA["$defs"]["forecaster"]["enum"]) == sorted(FORECASTERS)


def test_schema_dataset_kinds_are_the_loaders_and_synthetic_kinds() -> None:
    kinds = SCHEMA["properties"]["datasets"]["additionalProperties"]["properties"]["kind"]["enum"]
    assert sorted(kinds) == sorted([*LOADERS, *SYNTHETIC_KINDS])


def test_schema_states_the_names_once() -> None:
    """The name lists are the two ``$defs``; every other place refers to them (``$ref``)."""
    import re

    text = (ROOT / "config" / "schema.yaml").read_text()
    lists = re.sub(r"default: [a-z_]+", "default: <name>", text)  # a default value names one, it lists none
    for name in ("dtw_kmeans", "jabba", "seasonal_naive", "dstw_rules", "convtrans"):
        assert lists.count(name) == 1, name
    assert text.count('$ref: "#/$defs/method"') == 5 and text.count('$ref: "#/$defs/forecaster"') == 3


def _uses_torch(cls: type) -> bool:
    """Whether ``cls`` or one of its bases is defined in a module that imports torch."""
    for c in cls.__mro__:
        mod = sys.modules[c.__module__]
        if any(isinstance(v, types.ModuleType) and v.__name__.split(".")[0] == "torch" for v in vars(mod).values()):
            return True
    return False


@pytest.mark.parametrize("name", sorted(METHODS))
def test_method_entry_flags_match_the_class(name: str) -> None:
    e, cls = METHODS[name], method_class(name)
    assert issubclass(cls, ClusterMethod)
    assert cls.name == name
    assert e.stream == hasattr(cls, "fit_stream")
    assert e.loads == hasattr(cls, "load")
    assert e.predicts == (cls.predict is not ClusterMethod.predict)
    assert e.torch == _uses_torch(cls)
    # the torch-free spec (what the config check reads) is exactly what the class accepts
    assert method_options(name) == cls.option_spec()


@pytest.mark.parametrize("name", sorted(FORECASTERS))
def test_forecaster_entry_flags_match_the_class(name: str) -> None:
    e, cls = FORECASTERS[name], forecaster_class(name)
    assert cls.name == name
    assert e.trains_once == cls.trains_once
    assert e.torch == _uses_torch(cls)
    assert forecaster_options(name) == cls.option_spec()


def test_queries() -> None:
    assert torch_methods() == ["mixseq", "dtcr"]
    assert torch_forecasters() == ["deepar", "tcn", "convtrans"]
    assert methods_where(stream=True) == ["mixseq", "dtcr"]
    assert base_name("mixseq__lr3") == "mixseq" and base_name("dtw_kmeans") == "dtw_kmeans"
    with pytest.raises(ValueError, match="unknown clustering method 'nope'"):
        cluster_base.entry("nope")


def test_config_check_imports_no_torch() -> None:
    """Checking a configuration with torch methods and forecasters reads their specs without importing torch."""
    code = (
        "import sys, yaml\n"
        "from mixseq.config_check import check_config, iso_dates\n"
        "cfg = iso_dates(yaml.safe_load(open('config/demo.yaml')))\n"
        "cfg['methods']['dtcr'] = {'epochs': 1}\n"
        "cfg['forecasters'].update({'deepar': {'epochs': 1}, 'tcn': {}, 'convtrans': {}})\n"
        "check_config(cfg)\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    env_path = str(ROOT / "src")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                   env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})


@pytest.fixture
def demo() -> dict:
    return iso_dates(yaml.safe_load((ROOT / "config" / "demo.yaml").read_text()))


ROLE_CASES = {
    "methods.bogus__x": ({"methods": {"bogus__x": {}}}, "a method name or a variant"),
    "forecasters.nope": ({"forecasters": {"nope": {}}}, "a forecaster name"),
    "realdata.methods[0]": ({"realdata": {"datasets": [], "methods": ["truth"], "forecasters": ["arma"], "k": [2]}},
                            "a method that needs no ground truth"),
    "realdata.forecasters[1]": ({"realdata": {"datasets": [], "methods": ["macro"], "forecasters": ["arma", "gp"],
                                              "k": [2]}}, "a forecaster meant for real data"),
    "table2.methods[0]": ({"table2": {"data": ["arma"], "clusters": [2], "methods": ["macro"]}},
                          "a method that fits K clusters"),
    "convergence.methods[0]": ({"convergence": {"datasets": [], "methods": ["dstw"], "k": 2}},
                               "a method that logs its objective"),
    "sensitivity_k.method": ({"sensitivity_k": {"method": "truth"}}, "a method that fits K clusters"),
    "future.forecaster": ({"future": {"forecaster": "gp__a"}}, "a forecaster meant for real data"),
}


@pytest.mark.parametrize("key", sorted(ROLE_CASES))
def test_roles_come_from_the_flags(demo: dict, key: str) -> None:
    """Which names a section accepts is decided by the registry flags; the error names the key."""
    sections, what = ROLE_CASES[key]
    cfg = copy.deepcopy(demo)
    for section, value in sections.items():
        cfg[section] = {**(cfg.get(section) or {}), **value}
    with pytest.raises(ConfigError, match=re.escape(f"config key '{key}': expected {what}")):
        check_config(cfg)


def test_snakemake_validate_resolves_the_defs(demo: dict) -> None:
    """Snakemake's ``validate`` follows ``$ref`` into ``$defs``: a wrong name in a referring list is refused."""
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    validate(copy.deepcopy(demo), str(ROOT / "config" / "schema.yaml"))
    bad = copy.deepcopy(demo)
    bad["table1"]["forecaster"] = {k: "nope" for k in bad["table1"]["forecaster"]}
    with pytest.raises(WorkflowError, match="nope"):
        validate(bad, str(ROOT / "config" / "schema.yaml"))

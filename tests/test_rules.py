"""Static checks of the workflow: every rule has log/conda (and benchmark for heavy steps), lint is clean,
and the conda env pins agree with pyproject.toml."""

import re
import subprocess
import tomllib

import yaml
from conftest import REPO, snakemake_bin

HEAVY = {"synthetic_panel", "cluster", "forecast", "preprocess", "download"}
# conda package name -> PyPI name where they differ
CONDA_TO_PYPI = {"pytorch": "torch", "matplotlib-base": "matplotlib"}


def rules() -> dict[str, str]:
    text = "\n".join(p.read_text() for p in (REPO / "workflow/rules").glob("*.smk"))
    blocks = re.split(r"\n(?=(?:rule|checkpoint) )", text)
    return {m.group(1): b for b in blocks if (m := re.match(r"(?:rule|checkpoint) (\w+):", b))}


def test_every_rule_has_log_conda_and_heavy_ones_benchmark():
    found = rules()
    assert {"synthetic_panel", "cluster", "forecast", "table1", "table3", "realdata_tables", "table2"} <= set(found)
    for name, body in found.items():
        if name == "all":
            continue
        assert "\n    log:" in body, f"rule {name} has no log:"
        assert "\n    conda:" in body, f"rule {name} has no conda:"
        if name in HEAVY:
            assert "\n    benchmark:" in body, f"rule {name} has no benchmark:"
            assert "\n    threads:" in body, f"rule {name} has no threads:"


def test_torch_rules_ask_for_gpu_resource():
    found = rules()
    for name in ("cluster", "forecast"):
        assert re.search(r"resources:\n\s+gpu=", found[name]), name


def test_env_pins_agree_with_pyproject():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    py = {}
    for d in deps:
        name, version = re.match(r"([A-Za-z0-9_\-\[\]]+)==([\w.]+)", d).groups()
        py[re.sub(r"\[.*\]", "", name).lower()] = version
    envs = sorted((REPO / "envs").glob("*.yaml"))
    assert envs
    for env in envs:
        spec = yaml.safe_load(env.read_text())
        assert spec["channels"] == ["conda-forge", "nodefaults"], env.name
        for dep in spec["dependencies"]:
            items = dep["pip"] if isinstance(dep, dict) else [dep]
            for item in items:
                m = re.match(r"([A-Za-z0-9_\-]+)(==|=)([\w.]+)", item)
                assert m, f"{env.name}: '{item}' is not pinned with '='"
                name = CONDA_TO_PYPI.get(m.group(1), m.group(1)).lower()
                if name in py:
                    assert m.group(3) == py[name], f"{env.name}: {name} {m.group(3)} != pyproject {py[name]}"


def test_snakemake_lint_is_clean():
    for cfg in ("config/test.yaml", "config/demo.yaml", "config/config.yaml"):
        res = subprocess.run([snakemake_bin(), "--lint", "--configfile", cfg], cwd=REPO, capture_output=True,
                             text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr

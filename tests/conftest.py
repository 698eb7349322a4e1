"""Shared fixtures: repository paths, the data mirror, and a helper to run Snakemake in a temp copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("MIXSEQ_MIRROR", REPO.parent / "shared" / "data"))


def pytest_configure(config: pytest.Config) -> None:
    """One torch intra-op thread in the test processes: small torch models train 4-6x faster on 1 thread than on
    2 on these machines, and pytest-xdist runs one worker per core (rule jobs set their own from the job)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a project dependency
        return
    torch.set_num_threads(1)


#: test modules that use the session fixture `full_run` (the test config end to end, the longest unit of work):
#: pytest-xdist must run them on one worker, else each worker builds the fixture
FULL_RUN_MODULES = frozenset({"test_workflow.py", "test_report.py"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The ``full_run`` modules go first (their fixture takes longest, so it should start first); any other module
    that uses ``full_run`` must be added to FULL_RUN_MODULES."""
    users = {item.path.name for item in items if "full_run" in getattr(item, "fixturenames", ())}
    if not users <= FULL_RUN_MODULES:
        raise pytest.UsageError(f"tests/conftest.py: add {sorted(users - FULL_RUN_MODULES)} to FULL_RUN_MODULES")
    items.sort(key=lambda item: item.path.name not in FULL_RUN_MODULES)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """``--dist loadfile`` (pyproject.toml) with the FULL_RUN_MODULES as one unit: each test module runs on one
    worker, so module and session fixtures are built once per run."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "full_run" if Path(module).name in FULL_RUN_MODULES else module

    return ModuleScheduling(config, log)


def snakemake_bin() -> str:
    exe = Path(sys.executable).parent / "snakemake"
    return str(exe) if exe.exists() else "snakemake"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the workflow (Snakefile, workflow/, config/, envs/, profiles/, src/) in a temp dir."""
    for name in ("Snakefile", "workflow", "config", "envs", "profiles", "src"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp_path / name)
    return tmp_path


def run_snakemake(workdir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    cmd = [snakemake_bin(), "--cores", "2", *args]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)


#: the common part of the configs of the small custom-data workflow tests (`shop_workdir`)
SHOP_BASE = {
    "n_samples": 10,
    "quantiles": [0.5, 0.9],
    "gpu": 0,
    "device": "cpu",
    "mirror": "mirror",
    "datasets": {"shop": {"kind": "custom",
                          "options": {"file": "shop.csv", "train_end": "2021-03-31", "min_series": 2}}},
    "methods": {},
}


def shop_workdir(wd: Path) -> Path:
    """``wd`` with a copy of the workflow and ``mirror/shop.csv``: 6 daily Poisson series (levels 10..35) over
    120 days from 2021-01-01, the custom data set of ``SHOP_BASE``."""
    import pandas as pd

    wd.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "workflow", "config", "envs", "profiles", "src"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, wd / name)
    rng = np.random.default_rng(0)
    dates = pd.date_range("2021-01-01", periods=120, freq="D").strftime("%Y-%m-%d")
    frame = pd.concat([pd.DataFrame({"id": f"s{i}", "date": dates, "value": rng.poisson(10 + 5 * i, len(dates))})
                       for i in range(6)])
    (wd / "mirror").mkdir()
    frame.to_csv(wd / "mirror/shop.csv", index=False)
    return wd


@pytest.fixture(scope="session")
def full_run(tmp_path_factory) -> Path:
    """config/test.yaml end to end (every target) with the data mirror, once per test session
    (shared by the workflow and report tests)."""
    import shutil

    wd = tmp_path_factory.mktemp("full")
    for name in ("Snakefile", "workflow", "config", "envs", "profiles", "src"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, wd / name)
    res = run_snakemake(wd, "--configfile", "config/test.yaml", "--config", f"mirror={MIRROR}", timeout=1800)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return wd


# Shared synthetic data for the clustering-family tests: three shape groups with known labels.
def three_shape_groups(
    n_per: int = 15, T: int = 72, noise: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(X [3 n_per, T], labels)``: sines (period 12), square waves (period 24), linear trends.

    Each series gets its own phase jitter, a random level in [5, 50] and scale in [1, 10] (so
    methods must normalise), plus Gaussian noise of ``noise`` x scale.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(T, dtype=np.float64)
    rows, labels = [], []
    for g in range(3):
        for _ in range(n_per):
            ph = rng.uniform(-1.0, 1.0)
            if g == 0:
                base = np.sin(2 * np.pi * (t + ph) / 12.0)
            elif g == 1:
                base = np.sign(np.sin(2 * np.pi * (t + 0.5 + ph) / 24.0))
            else:
                base = (t - T / 2) / (T / 4)
            scale = rng.uniform(1.0, 10.0)
            level = rng.uniform(5.0, 50.0)
            rows.append(level + scale * (base + noise * rng.standard_normal(T)))
            labels.append(g)
    X = np.vstack(rows)
    perm = rng.permutation(len(X))
    return X[perm], np.asarray(labels)[perm]


@pytest.fixture(scope="session")
def groups() -> tuple[np.ndarray, np.ndarray]:
    return three_shape_groups()

"""Helpers for the execution tests (SLURM, report, interrupt/resume): one uninterrupted local reference run
of config/test.yaml shared by all of them (one workflow run instead of three), and workflow copies."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_snakemake

WORKFLOW_FILES = ("Snakefile", "workflow", "config", "envs", "profiles", "src")
_REFERENCE: dict[str, Path] = {}


def copy_workflow(dest: Path) -> Path:
    """Copy the workflow (as the `workdir` fixture does) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dest / name)
    return dest


#: the toy-study part of config/test.yaml (no real data needed): what the execution tests run
QUICK = ("--configfile", "config/test.yaml", "--config", "targets=[table1]")
#: config stamps of the test run (see workflow/rules/common.smk)
STAMPS = "results/test/.stamps"


def reference_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Workdir of one uninterrupted local run of config/test.yaml (computed once per pytest session)."""
    if os.environ.get("MIXSEQ_TEST_REFERENCE"):  # debugging only: reuse a finished reference workdir
        _REFERENCE["dir"] = Path(os.environ["MIXSEQ_TEST_REFERENCE"])
    if "dir" not in _REFERENCE:
        wd = copy_workflow(tmp_path_factory.mktemp("reference"))
        res = run_snakemake(wd, *QUICK)
        assert res.returncode == 0, res.stderr[-3000:]
        _REFERENCE["dir"] = wd
    return _REFERENCE["dir"]


def prepopulate(dest: Path, reference: Path, *parts: str) -> list[Path]:
    """Copy finished outputs (mtimes kept), the run's config stamps and Snakemake's metadata from ``reference``
    into ``dest``.

    Without `.snakemake/metadata` Snakemake 9 reruns copied outputs ("Code has changed since last execution");
    without the stamps (results/test/.stamps, inputs of every step) the new stamps would be newer than the copied
    outputs. Returns the copied files (stamps excluded).
    """
    if (reference / STAMPS).is_dir():
        shutil.copytree(reference / STAMPS, dest / STAMPS, dirs_exist_ok=True)
    copied = []
    for part in parts:
        src = reference / part
        for f in [src] if src.is_file() else sorted(src.rglob("*")):
            if f.is_file():
                target = dest / f.relative_to(reference)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, target)
                copied.append(target)
    shutil.copytree(reference / ".snakemake/metadata", dest / ".snakemake/metadata", dirs_exist_ok=True)
    return copied


def result_files(wd: Path) -> dict[str, bytes]:
    """results/test/table1.tsv and every per-run score file, by relative path."""
    files = [wd / "results/test/table1.tsv", *sorted((wd / "results/test").glob("*/scores/*/*/*/*.tsv"))]
    return {str(f.relative_to(wd)): f.read_bytes() for f in files}


#: set by `.ci/run` (which installs the system packages): a missing package or privilege is then a failure
REQUIRE_SYSTEM = "MIXSEQ_REQUIRE_SYSTEM_PACKAGES"


def missing_system(reason: str) -> None:
    """Skip with ``reason`` on a machine without the system packages; fail instead under ``.ci/run``."""
    if os.environ.get(REQUIRE_SYSTEM) == "1":
        pytest.fail(f"{reason} ({REQUIRE_SYSTEM}=1: CI must run this test)", pytrace=False)
    pytest.skip(reason)


def require_binaries(names: tuple[str, ...], packages: str) -> None:
    """Skip (fail under ``.ci/run``) with a message naming the Debian packages when a system binary is missing."""
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        missing_system(f"missing {', '.join(missing)}: install the Debian packages {packages} "
                       f"(`bash .ci/run` does: apt-get install -y {packages})")


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)

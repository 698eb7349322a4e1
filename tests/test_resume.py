"""Interrupt and resume: kill the whole Snakemake process group (SIGKILL: no clean-up at all, like a power loss
or an OOM kill) while a forecast job runs, resume, and check that nothing finished is recomputed, the killed job
is redone, no partial output is left, and the results equal an uninterrupted run with the same seeds.

After SIGKILL the working directory stays locked, so resuming is (docs/execution.md):
    snakemake --unlock --configfile config/test.yaml --config targets=[table1]
    snakemake --configfile config/test.yaml --config targets=[table1]  # rerun-incomplete: profiles/default
To keep CI short the gp3 outputs (and Snakemake's metadata) are copied from the reference run: only the arma3
jobs (2 panels, 4 clusterings, 4 forecasts with their scores) and Table 1 run here.
"""

import base64
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import run_snakemake, snakemake_bin
from exec_support import QUICK, copy_workflow, prepopulate, reference_run, result_files

pytestmark = pytest.mark.slow

CONFIG = QUICK


def incomplete(wd: Path) -> set[str]:
    """Outputs Snakemake marked as being written by a job that has not finished."""
    marks = wd / ".snakemake/incomplete"
    names = [p.name for p in marks.iterdir()] if marks.exists() else []
    return {base64.urlsafe_b64decode(n + "=" * (-len(n) % 4)).decode() for n in names}


def test_sigkill_during_forecast_then_resume(tmp_path_factory, tmp_path: Path):
    ref = reference_run(tmp_path_factory)
    wd = copy_workflow(tmp_path / "wf")
    copied = prepopulate(wd, ref, "results/test/gp3")
    copied_mtimes = {p: p.stat().st_mtime_ns for p in copied}

    with open(tmp_path / "run1.log", "w") as log:
        proc = subprocess.Popen([snakemake_bin(), "--cores", "2", *CONFIG], cwd=wd, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        started: list[Path] = []
        while not started:
            assert proc.poll() is None, (tmp_path / "run1.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no forecast job started within 300 s"
            started = sorted((wd / "logs/test/forecast/arma3").rglob("*.log"))
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # Snakemake and every job it started
        proc.wait()

    # the killed forecast left no output (atomic writes), only Snakemake's incomplete marker
    # logs/test/forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.log
    #   -> results/test/{dataset}/forecasts/...parquet
    killed = [Path("results/test", log.relative_to(wd / "logs/test/forecast").parts[0], "forecasts",
                   *log.relative_to(wd / "logs/test/forecast").parts[1:]).with_suffix(".parquet") for log in started]
    assert not any((wd / k).exists() for k in killed)
    assert {str(k) for k in killed} <= incomplete(wd)
    assert not list((wd / "results").rglob("*.tmp"))
    finished = {p: p.stat().st_mtime_ns for p in (wd / "results").rglob("*")
                if p.is_file() and str(p.relative_to(wd)) not in incomplete(wd)}
    assert len(finished) > len(copied)  # some arma3 jobs had finished before the kill

    locked = run_snakemake(wd, *CONFIG)
    assert locked.returncode != 0 and "--unlock" in locked.stdout + locked.stderr
    assert run_snakemake(wd, "--unlock", *CONFIG).returncode == 0
    res = run_snakemake(wd, *CONFIG)  # rerun-incomplete comes from profiles/default
    assert res.returncode == 0, res.stderr[-3000:]

    assert all((wd / k).exists() for k in killed)
    assert all(p.stat().st_mtime_ns == m for p, m in finished.items()), "finished outputs were recomputed"
    assert all(p.stat().st_mtime_ns == m for p, m in copied_mtimes.items())
    assert not incomplete(wd) and not list((wd / "results").rglob("*.tmp"))
    assert result_files(wd) == result_files(ref)
    again = run_snakemake(wd, "-n", *CONFIG)
    assert "Nothing to be done" in again.stdout + again.stderr

"""Smoke tests of the benchmark scripts on tiny generated panels (timings are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from mixseq.data.synthetic import write_grouped_panel

ROOT = Path(__file__).resolve().parents[1]


def test_bench_convergence_runs_and_rederives_from_logs(tmp_path: Path) -> None:
    panel = tmp_path / "panel.parquet"
    write_grouped_panel(45, 120, 0, panel)
    out, work, fig = tmp_path / "conv.tsv", tmp_path / "work", tmp_path / "conv.png"
    opts = {"mixseq": {"epochs": 2, "batch_size": 16}, "dtcr": {"epochs": 2, "hidden": [4, 4, 4], "batch_size": 16}}
    cmd = [sys.executable, str(ROOT / "bench/bench_convergence.py"), "--panel", str(panel), "--k", "3",
           "--threads", "1", "--options", json.dumps(opts), "--out", str(out), "--work", str(work),
           "--figure", str(fig)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    tab = pd.read_csv(out, sep="\t")
    assert list(tab.method) == ["mixarma", "mixseq", "dtcr"]
    assert (tab.n_series == 45).all() and (tab.seconds_to_converge <= tab.fit_seconds).all()
    assert (tab.seconds_to_90pct <= tab.seconds_to_converge).all() and fig.stat().st_size > 10_000
    assert list(tab.log_points[1:]) == [2, 2]
    out.unlink()
    subprocess.run([*cmd, "--from-logs"], check=True, capture_output=True, text=True)
    again = pd.read_csv(out, sep="\t")
    pd.testing.assert_frame_equal(again, tab)
    bad = subprocess.run([*cmd[:-6], "--methods", "kmeans"], capture_output=True, text=True)
    assert bad.returncode != 0 and "unknown methods ['kmeans']" in bad.stderr


def test_bench_stream_both_methods(tmp_path: Path) -> None:
    """bench_stream.py fits DTCR and MixSeq from a panel file on a max_series subsample and assigns every series."""
    for method, opts in (("dtcr", {"hidden": [4, 4, 4], "batch_size": 16}), ("mixseq", {"batch_size": 16})):
        out = tmp_path / f"{method}.tsv"
        cmd = [sys.executable, str(ROOT / "bench/bench_stream.py"), "--method", method, "--cases", "wiki",
               "--wiki-series", "90", "--wiki-days", "80", "--max-series", "30", "--wiki-epochs", "1",
               "--threads", "1", "--options", json.dumps(opts), "--out", str(out), "--work", str(tmp_path / "w")]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        row = pd.read_csv(out, sep="\t").iloc[0]
        assert row["method"] == method and row["n_series"] == 90 and row["epochs_run"] == 1
        assert row["predict_series_per_s"] > 0 and row["peak_rss_mb"] > 100
        assert json.loads(row["options"])["max_series"] == 30

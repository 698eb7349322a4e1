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


def test_early_stopping_replay_on_hand_made_logs(tmp_path: Path) -> None:
    """Patience replayed on logged validation NLLs: kept epoch, stop epoch, and the per-family summary."""
    sys.path.insert(0, str(ROOT / "bench"))
    from early_stopping_from_logs import replay

    v = [5.0, 4.0, 4.5, 4.2, 3.0, 3.5, 3.6, 3.7]
    assert replay(v, 2) == (2, 4)          # best 4.0 at epoch 2; epochs 3 and 4 are no better: stop at 4
    assert replay(v, 3) == (5, 8)          # epoch 5 improves within 3 epochs; runs to the end
    assert replay(v, 100) == (5, 8)
    logs = tmp_path / "logs" / "forecast" / "ds" / "macro" / "k1"
    for fam, vals in {"tcn": v, "deepar": [3.0, 2.0, 1.0, 0.5]}.items():
        (logs / fam).mkdir(parents=True)
        pd.DataFrame({"epoch": range(1, len(vals) + 1), "train_nll": vals, "val_nll": vals,
                      "seconds": [1.0] * len(vals)}).to_csv(logs / fam / "seed0.epochs.cluster0.tsv", sep="\t",
                                                         index=False)
    out = tmp_path / "es.tsv"
    subprocess.run([sys.executable, str(ROOT / "bench/early_stopping_from_logs.py"), str(tmp_path / "logs"),
                    "--patience", "2,3", "--out", str(out)], check=True, capture_output=True, text=True)
    tab = pd.read_csv(out, sep="\t").set_index(["family", "patience"])
    assert tab.loc[("tcn", 2), "same_epoch"] == 0 and tab.loc[("tcn", 2), "time_share"] == 0.5
    assert abs(tab.loc[("tcn", 2), "val_nll_rise_mean"] - 1.0) < 1e-9
    assert tab.loc[("tcn", 3), "same_epoch"] == 1 and tab.loc[("tcn", 3), "time_share"] == 1
    assert (tab.xs("deepar", level="family")["same_epoch"] == 1).all()
    empty = subprocess.run([sys.executable, str(ROOT / "bench/early_stopping_from_logs.py"), str(tmp_path)],
                           capture_output=True, text=True)
    assert empty.returncode != 0 and "no per-epoch training logs" in empty.stderr


def test_bench_batching_writes_the_ceiling(tmp_path: Path) -> None:
    out = tmp_path / "batching.tsv"
    subprocess.run([sys.executable, str(ROOT / "bench/bench_batching.py"), "--families", "deepar", "--k", "2",
                    "--batch-size", "8", "--steps", "2", "--repeats", "1", "--out", str(out)],
                   check=True, capture_output=True, text=True)
    row = pd.read_csv(out, sep="\t").iloc[0]
    assert row.family == "deepar" and row.k == 2 and row.ms_per_step > 0 and row.ms_per_step_kb > 0
    assert abs(row.ceiling - 2 * row.ms_per_step / row.ms_per_step_kb) < 0.01
    assert 0 < row.dropout_share < 1


def _forecasts_file(path: Path, rng, level: float, n_origins: int = 12, n_samples: int = 30, horizon: int = 5):
    """A forecasts parquet in the run layout: truth rows (sample = -1) and ``n_samples`` sample rows per origin."""
    import numpy as np

    truth = 100 + 10 * np.sin(np.arange(n_origins + horizon))
    rows = []
    for i in range(n_origins):
        origin = str(pd.Timestamp("2021-01-01") + pd.Timedelta(days=i))
        rows.append({"origin": origin, "sample": -1, **{f"h{h + 1}": truth[i + h] for h in range(horizon)}})
        for s in range(n_samples):
            rows.append({"origin": origin, "sample": s,
                         **{f"h{h + 1}": truth[i + h] + level + rng.normal(0, 3) for h in range(horizon)}})
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path)


def test_significance_of_files_equals_the_table_and_takes_another_baseline(tmp_path: Path) -> None:
    import numpy as np

    from mixseq.evaluate.significance import collect_window_losses, significance_table

    rng = np.random.default_rng(0)
    files = []
    for method, k, level in (("macro", 1, 6.0), ("mixseq", 3, 1.0), ("random", 3, 4.0)):
        for seed in (0, 1, 2):
            f = tmp_path / f"shop/forecasts/{method}/k{k}/autoets/seed{seed}.parquet"
            _forecasts_file(f, rng, level + rng.normal(0, 0.5))
            files.append(f)
    out = tmp_path / "sig.tsv"
    script = str(ROOT / "bench/significance_of_files.py")
    subprocess.run([sys.executable, script, str(out), "--horizon", "5", "--stride", "1", *map(str, files)],
                   check=True, capture_output=True, text=True)
    got = pd.read_csv(out, sep="\t")
    want = significance_table(collect_window_losses(files), horizon=5, stride=1)
    assert set(got["unit"]) == {"windows_and_seeds"} and len(got) == 6
    np.testing.assert_allclose(got["p_value"], want["p_value"], rtol=1e-5)
    assert out.with_suffix(".seeds.tsv").exists()
    vs = tmp_path / "vs_random.tsv"
    subprocess.run([sys.executable, script, str(vs), "--horizon", "5", "--stride", "1", "--baseline", "random",
                    *map(str, files)], check=True, capture_output=True, text=True)
    other = pd.read_csv(vs, sep="\t")
    assert set(other["method"]) == {"macro", "mixseq"}
    row = other[(other["method"] == "mixseq") & (other["metric"] == "smape")].iloc[0]
    base = got[(got["method"] == "random") & (got["metric"] == "smape")].iloc[0]
    assert abs(row["macro"] - base["value"]) < 1e-5  # column `macro` holds the baseline's (random's) score


def test_significance_size_bench_writes_rates(tmp_path: Path) -> None:
    out = tmp_path / "size.tsv"
    subprocess.run([sys.executable, str(ROOT / "bench/significance_size.py"), str(out), "--reps", "20"],
                   check=True, capture_output=True, text=True)
    tab = pd.read_csv(out, sep="\t")
    assert set(tab["unit"]) == {"windows", "windows_and_seeds"} and set(tab["test"]) == {"ewc", "dm"}
    assert tab[["reject", "coverage"]].apply(lambda c: c.between(0, 1)).all().all() and (tab["reps"] == 20).all()

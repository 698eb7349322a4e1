"""Benchmark DTCR: seconds per epoch, seconds to converge and peak RSS on generated panels.

Standalone: ``python workflow/scripts/bench_dtcr.py --out results/benchmarks/dtcr.tsv``. Each case runs in a
child process (``--child``) so that its peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own.

Cases:
* ``rossmann``: 1,115 series x 730 days (Rossmann size), full fit streamed from the panel file, early stop at
  convergence (relative epoch-loss change < 1% for 3 consecutive epochs) or ``--epochs``.
* ``wiki``: ``--wiki-series`` x 1,600 days; fit on a ``--max-series`` subsample (``--wiki-epochs`` epochs),
  then streaming inference over every series; reports inference series/s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from mixseq.data.panel import Panel, write_panel  # noqa: E402


def make_panel(m: int, T: int, seed: int, path: Path, chunk: int = 20_000) -> None:
    """Write a synthetic panel (3 groups: weekly, yearly-ish, noisy level series), chunk by chunk."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2015-01-01", periods=T, freq="D")
    t = np.arange(T)
    n_test = min(60, T // 5)
    splits = {"train_start": str(dates[0].date()), "train_end": str(dates[T - n_test - 1].date()),
              "val_start": str(dates[T - 2 * n_test].date()), "test_start": str(dates[T - n_test].date()),
              "test_end": str(dates[-1].date())}
    lab = np.arange(m) % 3
    vals = np.empty((m, T), dtype=np.float32)
    for s in range(0, m, chunk):
        e = min(m, s + chunk)
        lv = rng.uniform(5, 50, size=(e - s, 1))
        base = np.where(lab[s:e, None] == 0, np.sin(2 * np.pi * t / 7),
                        np.where(lab[s:e, None] == 1, np.sin(2 * np.pi * t / 365), 0.0))
        vals[s:e] = lv * (1 + 0.3 * base + 0.1 * rng.normal(size=(e - s, T)))
    panel = Panel(values=vals, ids=[f"s{i}" for i in range(m)], dates=dates, splits=splits, labels=lab,
                  name=f"bench{m}x{T}")
    write_panel(panel, path)


def child(args: argparse.Namespace) -> None:
    from mixseq.cluster.dtcr import DTCR

    opts = json.loads(args.options)
    t0 = time.perf_counter()
    model = DTCR(args.k, seed=0, **opts)
    model.fit_stream(args.panel, log_path=args.log)
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    ids, labels = model.predict_stream(args.panel)
    pred_s = time.perf_counter() - t1
    h = model.history_
    out = {
        "epochs_run": len(h),
        "sec_per_epoch": (h[-1]["seconds"] / len(h)) if h else float("nan"),
        "converged_epoch": model.converged_epoch_,
        "converged_seconds": model.converged_seconds_,
        "fit_seconds_total": fit_s,
        "predict_seconds": pred_s,
        "predict_series_per_s": len(ids) / pred_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print("RESULT " + json.dumps(out), flush=True)


def run_case(name: str, m: int, T: int, opts: dict, work: Path, k: int) -> dict:
    panel = work / f"panel_{m}x{T}.parquet"
    t0 = time.perf_counter()
    if not panel.exists():
        make_panel(m, T, 0, panel)
    gen_s = time.perf_counter() - t0
    cmd = [sys.executable, __file__, "--child", "--panel", str(panel), "--k", str(k), "--options", json.dumps(opts),
           "--log", str(work / f"log_{name}.tsv")]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"case {name} failed:\n{proc.stderr[-3000:]}")
    res = json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1][7:])
    return {"case": name, "n_series": m, "n_days": T, "generate_seconds": round(gen_s, 1), **res,
            "options": json.dumps(opts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="results/benchmarks/dtcr.tsv")
    ap.add_argument("--work", default="results/benchmarks/dtcr_work")
    ap.add_argument("--cases", default="rossmann,wiki")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--wiki-series", type=int, default=309_765)
    ap.add_argument("--wiki-days", type=int, default=1_600)
    ap.add_argument("--max-series", type=int, default=2_000)
    ap.add_argument("--wiki-epochs", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--panel", help=argparse.SUPPRESS)
    ap.add_argument("--options", help=argparse.SUPPRESS)
    ap.add_argument("--log", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for case in args.cases.split(","):
        if case == "rossmann":
            opts = {"epochs": args.epochs, "early_stop": True, "threads": args.threads}
            rows.append(run_case("rossmann", 1_115, 730, opts, work, args.k))
        elif case == "wiki":
            opts = {"epochs": args.wiki_epochs, "max_series": args.max_series, "threads": args.threads}
            rows.append(run_case("wiki", args.wiki_series, args.wiki_days, opts, work, args.k))
        else:
            raise SystemExit(f"unknown case {case!r}")
        print(rows[-1], flush=True)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(out, sep="\t", index=False)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark ``evaluation.nonnegative`` on the Rossmann macro series: raw samples against samples made non-negative.

The macro series is the daily total Sales of the project's Rossmann panel (``mixseq.data.rossmann.load`` on the
mirror, default options). Windows are the paper's: origins 2015-01-01 .. 2015-07-02 every 7 days, horizon 30
(27 windows); neural forecasters train once on the training interval (up to 2014-12-31), statistical ones refit
at every origin, all seeded as the workflow seeds a one-cluster (Macro) run
(:func:`mixseq.experiments.rolling.forecast_series` with seed ``seed * 1000``).

Neural forecasters run once per ``--likelihoods`` entry (the ``likelihood`` option: the paper's ``gaussian``
head, or ``hurdle_softplus_normal``, whose draws are non-negative by construction); the others once.
Each run draws its samples once; they are then scored three ways:

- ``off``: as drawn;
- ``censor``: ``max(0, y)`` (:func:`mixseq.experiments.rolling.censor_at_zero`, what ``nonnegative`` does);
- ``truncate``: the forecast conditioned on ``y >= 0``, estimated from the same draws: at every (window, lead)
  the negative draws are replaced by draws (with replacement) from that lead's non-negative draws (all 0 when
  there are none). Bench only: it breaks the joint paths across leads that censoring keeps.

Scores: R_0.5, R_0.9, SMAPE of the sample mean (:meth:`mixseq.experiments.rolling.RollingResult.scores`), SMAPE
on Sundays only and off Sundays, the Sunday mean forecast over the Sunday truth, and the share of negative
draws. Writes a TSV (default ``results/benchmarks/nonnegative.tsv``), one row per (forecaster, likelihood, mode).

Run on one torch thread, e.g. ``nice -n 10 python bench/bench_nonnegative.py --mirror /path/to/rossmann
[--forecasters deepar,seasonal_naive,arma] [--likelihoods gaussian,hurdle_softplus_normal] [--epochs 50]
[--n-samples 200]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mixseq.data.rossmann import load  # noqa: E402
from mixseq.evaluate.metrics import point_forecast, smape  # noqa: E402
from mixseq.experiments.rolling import (  # noqa: E402
    RollingResult,
    censor_at_zero,
    forecast_series,
    rolling_origins,
)
from mixseq.utils import atomic_path  # noqa: E402

TEST_START, TRAIN_END, HORIZON, STRIDE, WINDOWS = "2015-01-01", "2014-12-31", 30, 7, 27
NEURAL = {"deepar", "tcn", "convtrans"}


def truncate_at_zero(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per (window, lead): negative draws replaced by resampled non-negative draws of that lead (0 if none)."""
    out = np.array(samples, dtype=np.float64, copy=True)
    n_o, _, h = out.shape
    for i in range(n_o):
        for t in range(h):
            col = out[i, :, t]
            neg = col < 0
            if neg.any():
                pos = col[~neg]
                col[neg] = rng.choice(pos, size=int(neg.sum())) if pos.size else 0.0
    return out


def scores(samples: np.ndarray, truth: np.ndarray, sunday: np.ndarray) -> dict[str, float]:
    """The workflow's scores plus the Sunday / non-Sunday split of SMAPE and the Sunday mean bias."""
    res = RollingResult(origins=[], origin_dates=[], samples=samples, truth=truth, seconds=0.0, info={})
    mean = point_forecast(samples)
    return {**res.scores(), "smape_sunday": smape(truth[sunday], mean[sunday]),
            "smape_other": smape(truth[~sunday], mean[~sunday]),
            "sunday_mean_over_truth": float(mean[sunday].sum() / truth[sunday].sum()),
            "share_negative": float(np.mean(samples < 0))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, required=True, help="folder with Rossmann train.csv(.gz), store.csv(.gz)")
    ap.add_argument("--forecasters", default="deepar,seasonal_naive,arma")
    ap.add_argument("--likelihoods", default="gaussian", help="comma-separated likelihood options (neural only)")
    ap.add_argument("--epochs", type=int, default=50, help="epochs of the neural forecasters (paper_cpu: 50)")
    ap.add_argument("--n-samples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "results/benchmarks/nonnegative.tsv")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(1)
    panel = load(args.mirror, {})
    dates = pd.DatetimeIndex(panel.dates, freq="D")
    y = panel.values.astype(np.float64).sum(axis=0)
    start = int(dates.get_loc(pd.Timestamp(TEST_START)))
    train_end = int(dates.get_loc(pd.Timestamp(TRAIN_END))) + 1
    origins = rolling_origins(start, start + (WINDOWS - 1) * STRIDE + HORIZON, HORIZON, STRIDE)
    truth = np.stack([y[o:o + HORIZON] for o in origins])
    sunday = np.stack([dates[o:o + HORIZON].day_of_week == 6 for o in origins])
    rows = []
    runs = [(name, lik) for name in args.forecasters.split(",")
            for lik in (args.likelihoods.split(",") if name in NEURAL else ["-"])]
    for name, lik in runs:
        opts = {"epochs": args.epochs, "threads": 1, "progress": False, "device": "cpu"} if name in NEURAL else {}
        if name in NEURAL:
            opts["likelihood"] = lik
        t0 = time.perf_counter()
        raw = forecast_series(y, dates, origins, HORIZON, args.n_samples, name, opts, args.seed * 1000, train_end)
        seconds = time.perf_counter() - t0
        rng = np.random.default_rng(args.seed)
        for mode, s in (("off", raw), ("censor", censor_at_zero(raw)), ("truncate", truncate_at_zero(raw, rng))):
            rows.append({"forecaster": name, "likelihood": lik, "mode": mode, "n_windows": len(origins),
                         "n_samples": args.n_samples, **scores(s, truth, sunday), "seconds": seconds})
            print(rows[-1], flush=True)
    with atomic_path(args.out) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False, float_format="%.4f")


if __name__ == "__main__":
    main()

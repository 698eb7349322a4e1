#!/usr/bin/env python
"""Benchmark ``autoets`` / ``autoarima`` on the Rossmann macro series: accuracy and seconds per origin.

The macro series is the daily total of the project's Rossmann panel (``mixseq.data.rossmann.load`` on the
mirror's ``train.csv``, default options: every row of ``train.csv`` summed). Windows are those of
``config/paper_cpu.yaml``: origins 2015-01-01 .. 2015-07-02 every 7 days, horizon 30 (27 windows), history up to
each origin; scores are this project's R_0.5, R_0.9 and SMAPE of the sample mean
(:class:`mixseq.experiments.rolling.RollingResult`), ``n_samples`` draws per window, seeded as the workflow
seeds a one-cluster (Macro) run.

Writes a TSV (default ``results/benchmarks/statsforecast.tsv``): one row per (forecaster, refit_every) with
the scores, the wall seconds, the seconds per fitted origin and the selected models.

Usage: ``python bench/bench_statsforecast.py --mirror /path/to/rossmann [--cases autoets:1,autoets:7]
[--windows 27] [--out results/benchmarks/statsforecast.tsv]``. A case is ``forecaster:refit_every`` with
optional forecaster options after a second colon, ``key=value`` joined by ``/`` (values parsed as YAML), e.g.
``autoarima:1:approximation=false`` against ``autoarima:1:approximation=null``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mixseq.data.rossmann import load  # noqa: E402
from mixseq.experiments.rolling import RollingResult, rolling_origins  # noqa: E402
from mixseq.forecast.base import make_forecaster  # noqa: E402
from mixseq.utils import atomic_path  # noqa: E402

TEST_START, HORIZON, STRIDE = "2015-01-01", 30, 7


def rossmann_macro(mirror: Path) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Daily total Sales of the Rossmann panel built from ``mirror`` (``train.csv[.gz]``, ``store.csv[.gz]``)."""
    panel = load(mirror, {})
    dates = pd.DatetimeIndex(panel.dates, freq="D")
    return panel.values.astype(np.float64).sum(axis=0), dates


def parse_case(case: str) -> tuple[str, int, dict]:
    """``"autoarima:1:approximation=null/max_p=3"`` -> ``("autoarima", 1, {"approximation": None, "max_p": 3})``."""
    name, refit, *rest = case.split(":", 2)
    options = {}
    for item in (rest[0].split("/") if rest and rest[0] else []):
        key, _, value = item.partition("=")
        options[key] = yaml.safe_load(value)
    return name, int(refit), options


def run_case(name: str, y: np.ndarray, dates: pd.DatetimeIndex, origins: list[int], refit_every: int,
             n_samples: int, seed: int, options: dict | None = None) -> tuple[RollingResult, float, str]:
    """The rolling loop of :func:`mixseq.experiments.rolling.forecast_series` (same seeding), also recording the
    model selected at each refit: ``(result, seconds, "ETS(M,N,M) m=7 x27; ...")``."""
    rng = np.random.default_rng(seed * 1000)  # cluster 0 of a one-cluster run, as in rolling_forecast
    samples = np.empty((len(origins), n_samples, HORIZON))
    chosen: list[str] = []
    t0 = time.perf_counter()
    model = None
    for i, o in enumerate(origins):
        if i % refit_every == 0:
            model = make_forecaster(name, seed=seed * 1000, **(options or {})).fit(y[:o], dates[:o])
            chosen.append(model.describe())
        assert model is not None
        samples[i] = model.sample(y[:o], dates[:o], HORIZON, n_samples, rng)
        print(f"{name} refit_every={refit_every}: origin {i + 1}/{len(origins)} {time.perf_counter() - t0:.0f} s",
              file=sys.stderr, flush=True)
    seconds = time.perf_counter() - t0
    truth = np.stack([y[o:o + HORIZON] for o in origins])
    res = RollingResult(origins=origins, origin_dates=[str(dates[o].date()) for o in origins], samples=samples,
                        truth=truth, seconds=seconds, info={})
    return res, seconds, "; ".join(f"{m} x{n}" for m, n in Counter(chosen).most_common())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, required=True, help="folder with Rossmann train.csv(.gz), store.csv(.gz)")
    ap.add_argument("--cases", default="autoets:1,autoets:7,autoarima:1,autoarima:7",
                    help="comma-separated forecaster:refit_every")
    ap.add_argument("--windows", type=int, default=27, help="first N of the 27 windows")
    ap.add_argument("--n-samples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "results/benchmarks/statsforecast.tsv")
    args = ap.parse_args()

    y, dates = rossmann_macro(args.mirror)
    start = int(dates.get_loc(pd.Timestamp(TEST_START)))
    end = start + (args.windows - 1) * STRIDE + HORIZON
    if end > len(dates):
        raise SystemExit(f"--windows {args.windows}: the last window would end after {dates[-1].date()}")
    rows = []
    for case in args.cases.split(","):
        name, refit, options = parse_case(case)
        origins = rolling_origins(start, end, HORIZON, STRIDE)
        res, seconds, models = run_case(name, y, dates, origins, refit, args.n_samples, args.seed, options)
        n_fits = len(range(0, len(origins), refit))
        sc = res.scores()
        rows.append({"forecaster": name, "refit_every": refit,
                     "options": "/".join(f"{k}={v}" for k, v in options.items()), "n_windows": len(res.origins),
                     "n_samples": args.n_samples, "r0.5": sc["r0.5"], "r0.9": sc["r0.9"], "smape": sc["smape"],
                     "seconds": seconds, "seconds_per_fit": seconds / n_fits,
                     "models": models})
        print(rows[-1], flush=True)
    with atomic_path(args.out) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False, float_format="%.4f")


if __name__ == "__main__":
    main()

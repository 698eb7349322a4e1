#!/usr/bin/env python
"""Accuracy cost of ``evaluation.refit_every`` for the statistical forecasters on Rossmann.

The series are built from the project's Rossmann panel (``mixseq.data.rossmann.load`` on the mirror's
``train.csv``, default options): ``macro`` is the daily total of all stores (K = 1); ``groups5`` are the daily
totals of 5 random groups of stores (a seeded permutation of the stores cut into 5 equal parts; a stand-in for a
K = 5 clustering, with the macro forecast the sum of the 5 group forecasts as in a clustered run).
Windows lie in the panel's test interval (2015-01-01 .. 2015-07-31), horizon 30: stride 7 gives the paper's 27
windows, stride 1 a window every day (183). Each case runs the workflow's own rolling loop
(:func:`mixseq.experiments.rolling.rolling_forecast`, refitting every ``refit_every`` *origins* and applying the
last fit to the longer history in between) and scores it as the workflow does (R_0.5, R_0.9, SMAPE of the
sample mean).

Writes a TSV (default ``results/benchmarks/refit.tsv``), rewritten after every case so that an interrupted run
keeps the finished cases: one row per (series, stride, forecaster, refit_every) with the scores, the number of
windows and fits, and the wall seconds.

Usage: ``python bench/bench_refit.py --mirror /path/to/rossmann [--cases macro:7:arma:1,groups5:1:autoets:7]
[--n-samples 200] [--out results/benchmarks/refit.tsv]``
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mixseq.data.rossmann import load  # noqa: E402
from mixseq.experiments.rolling import rolling_forecast, rolling_origins  # noqa: E402
from mixseq.utils import atomic_path  # noqa: E402

HORIZON = 30
#: the project's default forecaster options (config/config.yaml `forecasters`)
OPTIONS = {"arma": {"order": [2, 0, 0]}, "prophet": {}, "autoets": {}, "autoarima": {}}
#: the cases of docs/forecasting.md (others, e.g. `groups5:7:arma:1` or `macro:1:arma:1`, through --cases)
DEFAULT_CASES = ",".join(
    [f"macro:7:{f}:{r}" for f in ("arma", "autoets", "prophet") for r in (1, 7, 30)]
    + [f"macro:1:autoets:{r}" for r in (1, 7, 30)]
    + [f"macro:1:prophet:{r}" for r in (1, 7, 30)]
)


def series_sets(mirror: Path, seed: int) -> tuple[dict[str, np.ndarray], pd.DatetimeIndex, int, int]:
    """``({"macro": [1, T], "groups5": [5, T]}, dates, test_start, test_end)`` of the Rossmann panel."""
    panel = load(mirror, {})
    values = panel.values.astype(np.float64)
    perm = np.random.default_rng(seed).permutation(values.shape[0])
    groups = np.stack([values[idx].sum(axis=0) for idx in np.array_split(perm, 5)])
    dates = pd.DatetimeIndex(panel.dates, freq=panel.freq)
    start = int(dates.get_loc(pd.Timestamp(panel.splits["test_start"])))
    end = int(dates.get_loc(pd.Timestamp(panel.splits["test_end"]))) + 1
    return {"macro": values.sum(axis=0, keepdims=True), "groups5": groups}, dates, start, end


def parse_cases(text: str) -> list[tuple[str, int, str, int]]:
    """``"macro:7:arma:1,..."`` -> ``[("macro", 7, "arma", 1), ...]``; exits naming a malformed case."""
    cases = []
    for case in text.split(","):
        parts = case.split(":")
        if len(parts) != 4 or parts[0] not in ("macro", "groups5") or parts[2] not in OPTIONS:
            raise SystemExit(f"--cases: {case!r} is not series:stride:forecaster:refit_every with series in "
                             f"macro|groups5 and forecaster in {sorted(OPTIONS)}")
        cases.append((parts[0], int(parts[1]), parts[2], int(parts[3])))
    return cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, required=True, help="folder with Rossmann train.csv(.gz), store.csv(.gz)")
    ap.add_argument("--cases", default=DEFAULT_CASES, help="comma-separated series:stride:forecaster:refit_every")
    ap.add_argument("--n-samples", type=int, default=200, help="samples per series and window (config n_samples)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "results/benchmarks/refit.tsv")
    args = ap.parse_args()

    cases = parse_cases(args.cases)
    sets, dates, start, end = series_sets(args.mirror, args.seed)
    rows = []
    for name, stride, forecaster, refit in cases:
        t0 = time.perf_counter()
        res = rolling_forecast(sets[name], dates, start, end, start, HORIZON, stride, args.n_samples, forecaster,
                               OPTIONS[forecaster], seed=args.seed, refit_every=refit, freq="D")
        seconds = time.perf_counter() - t0
        n_windows = len(rolling_origins(start, end, HORIZON, stride))
        sc = res.scores()
        rows.append({"series": name, "k": sets[name].shape[0], "stride": stride, "forecaster": forecaster,
                     "refit_every": refit, "n_windows": n_windows,
                     "n_fits": sets[name].shape[0] * math.ceil(n_windows / refit),
                     "r0.5": sc["r0.5"], "r0.9": sc["r0.9"], "smape": sc["smape"], "seconds": seconds})
        print(rows[-1], file=sys.stderr, flush=True)
        with atomic_path(args.out) as tmp:
            pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False, float_format="%.4f")


if __name__ == "__main__":
    main()

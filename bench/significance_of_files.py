"""Paired significance against Macro for a chosen set of test forecasts files, outside the `significance` rule.

The `significance` target tests every run that Tables 4/5 select, which needs the whole (dataset x method x
forecaster x seed) product of a config. This script runs the same test (`mixseq.evaluate.significance`, EWC by
default, windows and seeds as the rule's default, Holm over the rows it writes) on any set of test forecasts
files, for example the runs of one forecaster that were computed as extra targets of a run. With one K per
method, the validation selection of the rule is the identity, so the numbers equal what the rule would give for
these runs; the Holm family, though, is only the rows written here.

Usage::

    python bench/significance_of_files.py OUT.tsv --horizon 30 --stride 7 FILE.parquet [FILE.parquet ...]

FILEs are ``.../{dataset}/forecasts/{method}/k{K}/{forecaster}/seed{seed}.parquet``; one of them per (dataset,
forecaster, seed) must be the baseline, ``macro`` unless ``--baseline`` names another method (``--baseline random``:
does a clustering beat a random split of the same K?).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from mixseq.evaluate.significance import (
    HOLM_FAMILIES,
    TESTS,
    UNITS,
    collect_window_losses,
    seed_summary,
    significance_table,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--horizon", type=int, required=True)
    ap.add_argument("--stride", type=int, required=True)
    ap.add_argument("--test", choices=list(TESTS), default="ewc")
    ap.add_argument("--unit", choices=list(UNITS), default="windows_and_seeds")
    ap.add_argument("--baseline", default="macro",
                    help="the method every other is tested against (column `macro` then holds its score)")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--holm-family", choices=list(HOLM_FAMILIES), default="testable",
                    help="testable: Holm leaves out comparisons with identical losses everywhere (p = 1)")
    ap.add_argument("--quantiles", default="0.5,0.9")
    args = ap.parse_args()
    losses = collect_window_losses(args.files, tuple(float(q) for q in args.quantiles.split(",")))
    table = significance_table(losses, horizon=args.horizon, stride=args.stride, test=args.test, alpha=args.alpha,
                               unit=args.unit, baseline=args.baseline, holm_family=args.holm_family)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, sep="\t", index=False, float_format="%.6g")
    per_seed = seed_summary(losses)
    per_seed.to_csv(args.out.with_suffix(".seeds.tsv"), sep="\t", index=False, float_format="%.6g")
    with pd.option_context("display.width", 200):
        print(table[["dataset", "forecaster", "method", "metric", "macro", "value", "diff", "ci_low", "ci_high",
                     "p_value", "p_holm", "in_holm", "n_windows", "n_seeds", "unit", "se_windows", "se_seeds",
                     "df"]].to_string(index=False))


if __name__ == "__main__":
    main()

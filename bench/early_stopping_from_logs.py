#!/usr/bin/env python
"""What early stopping would have saved in a finished run, read from its per-epoch training logs (no training).

Every neural forecaster writes ``epoch, train_nll, val_nll, seconds`` per epoch to
``logs/<run>/forecast/.../seed<s>[.val].epochs.cluster<c>.tsv`` and keeps the state of the epoch with the lowest
validation NLL (:mod:`mixseq.nn.training`). With ``patience: P`` training stops after ``P`` epochs without a new
best. Replaying each log shows, per family and ``P``: the share of models whose kept epoch is unchanged (their
forecasts would be identical: the sampling stream does not depend on training length), the mean and largest rise
of the kept validation NLL, and the share of training seconds that would have been spent.

Writes a TSV (default ``results/benchmarks/early_stopping.tsv``): family, epochs, patience, n_models, same_epoch,
val_nll_rise_mean, val_nll_rise_max, time_share, best_epoch_median
(rows per family, epochs trained and patience).
Usage: ``python bench/early_stopping_from_logs.py logs/paper_cpu [--patience 10,20,30,50,100]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mixseq.utils import atomic_path  # noqa: E402


def replay(val_nll: np.ndarray, patience: int) -> tuple[int, int]:
    """``(kept_epoch, last_epoch)`` (1-based) of training with ``patience`` on the logged validation NLLs."""
    best, kept, stale = np.inf, 0, 0
    for e, v in enumerate(val_nll, 1):
        if v < best:
            best, kept, stale = v, e, 0
        else:
            stale += 1
            if stale >= patience:
                return kept, e
    return kept, len(val_nll)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("logs", help="a run's log directory, e.g. logs/paper_cpu")
    ap.add_argument("--patience", default="10,20,30,50,100")
    ap.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "early_stopping.tsv"))
    a = ap.parse_args(argv)
    files = sorted(Path(a.logs).glob("forecast/**/*.epochs.cluster*.tsv"))
    if not files:
        sys.exit(f"no per-epoch training logs (*.epochs.cluster*.tsv) under {a.logs}/forecast")
    rows = []
    for f in files:
        try:
            d = pd.read_csv(f, sep="\t")
        except pd.errors.EmptyDataError:  # the log of a job killed before its first epoch
            continue
        v, sec = d["val_nll"].to_numpy(), d["seconds"].to_numpy()
        if len(v) == 0 or not np.isfinite(v).any():
            continue
        full_kept, _ = replay(v, len(v) + 1)
        for p in (int(x) for x in a.patience.split(",")):
            kept, last = replay(v, p)
            rows.append({"family": f.parent.name, "patience": p, "same": kept == full_kept,
                         "rise": float(v[kept - 1] - v[full_kept - 1]), "time_share": sec[:last].sum() / sec.sum(),
                         "best": full_kept, "epochs": len(v)})
    r = pd.DataFrame(rows)
    out = (r.groupby(["family", "epochs", "patience"])
           .agg(n_models=("same", "size"), same_epoch=("same", "mean"), val_nll_rise_mean=("rise", "mean"),
                val_nll_rise_max=("rise", "max"), time_share=("time_share", "mean"),
                best_epoch_median=("best", "median"))
           .round(4).reset_index())
    with atomic_path(a.out) as tmp:
        out.to_csv(tmp, sep="\t", index=False)
    print(out.to_string(index=False))
    print(f"wrote {a.out} ({len(files)} logs)")


if __name__ == "__main__":
    main()

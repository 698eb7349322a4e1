#!/usr/bin/env python
"""Training throughput of every torch family at 1 and 2 torch intra-op threads (CPU).

Families: the forecasters ``deepar``, ``tcn``, ``convtrans`` (trained on the daily total of the panel's
training interval, as a K = 1 run trains them) and the clustering methods ``mixseq``, ``dtcr`` (fitted on the
first ``--cluster-series`` (40) series over the training interval, as rule ``cluster`` fits them), each with the
project's default options plus a few epochs. Data: the Rossmann panel built from the mirror's
``train_subset_100stores.csv`` (100 stores; ``--train-file train.csv`` for all 1,115).

For each repeat and forecaster, one untimed warm-up fit runs first; then the thread counts are timed in alternating
order (1, 2 on even repeats; 2, 1 on odd ones) so that a change of the machine's load hits both alike.
Writes a TSV (default ``results/benchmarks/threads.tsv``) with one row per (family, threads, repeat):
wall and CPU seconds per epoch, and the 1-minute load average before the fit. The summary printed at the end
is the median over repeats of wall and CPU seconds per epoch (CPU: the process's user + system time, all threads).

Usage: ``python bench/bench_threads.py --mirror /path/to/rossmann [--families deepar,mixseq] [--repeats 3]
[--threads 1,2] [--out results/benchmarks/threads.tsv]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mixseq.cluster.base import make_clusterer, torch_methods  # noqa: E402
from mixseq.data.rossmann import load  # noqa: E402
from mixseq.forecast.base import make_forecaster, torch_forecasters  # noqa: E402
from mixseq.utils import atomic_path, set_torch_threads  # noqa: E402

#: epochs timed per family (small: the point is seconds per epoch, not a trained model)
EPOCHS = {"deepar": 2, "tcn": 2, "convtrans": 2, "mixseq": 1, "dtcr": 1}
K = 5
#: series the clustering families are fitted on (the first N stores; an epoch's cost grows with N)
CLUSTER_SERIES = 40


def fit_once(family: str, epochs: int, threads: int, panel: Any, cluster_series: int) -> tuple[float, float]:
    """Wall and CPU seconds of one fit of ``family`` with ``epochs`` epochs and ``threads`` torch threads."""
    set_torch_threads(threads)
    common = {"epochs": epochs, "device": "cpu", "threads": threads}
    train = panel.values[:, : panel.train_end_idx].astype(np.float64)
    dates = panel.dates[: panel.train_end_idx]
    t0, c0 = time.perf_counter(), time.process_time()
    if family in torch_forecasters():
        make_forecaster(family, seed=0, progress=False, **common).fit(train.sum(axis=0), dates)
    elif family == "dtcr":
        make_clusterer(family, K, seed=0, early_stop=False, **common).fit(train[:cluster_series], dates=dates)
    else:
        make_clusterer(family, K, seed=0, progress=False, **common).fit(train[:cluster_series], dates=dates)
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, required=True, help="folder with Rossmann train csv(.gz), store.csv(.gz)")
    ap.add_argument("--train-file", default="train_subset_100stores.csv")
    ap.add_argument("--families", default="deepar,tcn,convtrans,mixseq,dtcr")
    ap.add_argument("--threads", default="1,2", help="comma-separated torch thread counts")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=None, help="epochs per fit (default: per family, EPOCHS)")
    ap.add_argument("--cluster-series", type=int, default=CLUSTER_SERIES, help="series the clustering is fitted on")
    ap.add_argument("--out", type=Path, default=ROOT / "results/benchmarks/threads.tsv")
    args = ap.parse_args()

    families = args.families.split(",")
    unknown = sorted(set(families) - set(torch_forecasters()) - set(torch_methods()))
    if unknown:
        raise SystemExit(f"--families: {unknown} are not torch families ({torch_forecasters() + torch_methods()})")
    thread_counts = [int(t) for t in args.threads.split(",")]
    panel = load(args.mirror, {"train_file": args.train_file})
    rows = []
    for rep in range(args.repeats):
        for family in families:
            epochs = args.epochs or EPOCHS[family]
            if family in torch_forecasters():  # warm-up: allocator, kernels, lazy imports (clustering: too dear)
                fit_once(family, 1, thread_counts[0], panel, args.cluster_series)
            order = thread_counts if rep % 2 == 0 else thread_counts[::-1]
            for threads in order:
                load1 = os.getloadavg()[0]
                seconds, cpu = fit_once(family, epochs, threads, panel, args.cluster_series)
                n_series = 1 if family in torch_forecasters() else min(args.cluster_series, panel.values.shape[0])
                rows.append({"family": family, "threads": threads, "repeat": rep, "epochs": epochs,
                             "n_series": n_series, "s_per_epoch": seconds / epochs, "cpu_s_per_epoch": cpu / epochs,
                             "load1": load1})
                print(rows[-1], file=sys.stderr, flush=True)
                with atomic_path(args.out) as tmp:
                    pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False, float_format="%.4f")
    tab = pd.DataFrame(rows)
    summary = tab.groupby(["family", "threads"], sort=False).agg(
        s_per_epoch=("s_per_epoch", "median"), cpu_s_per_epoch=("cpu_s_per_epoch", "median"),
        repeats=("repeat", "count"), load1=("load1", "median"))
    print(summary.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()

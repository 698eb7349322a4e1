"""Benchmark the JABBA symbolisation step (mixseq.cluster.symbolic) vs tolerance and threads.

Standalone (no Snakemake):

    python bench/bench_symbolic.py \
        --rossmann /work/shared/data/rossmann/train.csv.gz \
        --synthetic-rows 20000 --synthetic-length 365 \
        --tols 0.05 0.1 0.2 0.4 --threads 1 2 --out results/benchmarks/symbolic.tsv

Datasets: the Rossmann stores x days sales panel (pivot of ``Sales`` by ``Store`` and ``Date``,
missing days filled with 0) and a synthetic panel of random-walk-plus-seasonality series. Every series
is z-normalised first (as ``JABBAClusterer`` does). For each (dataset, digitisation, tol, threads) the
script records the symbolisation wall time (``JABBA.fit_transform``: partitional compression in
``threads`` worker processes + one joint digitisation), the reconstruction wall time and MSE on the
normalised scale (eq. 9 of the JABBA paper), the number of pieces and symbols, and the compression
rates (eq. 7 and pieces per point). Rows are written to a TSV atomically.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mixseq.cluster._series import znormalise  # noqa: E402
from mixseq.cluster.symbolic import fit_jabba, reconstruction_mse  # noqa: E402
from mixseq.utils import atomic_path  # noqa: E402


def rossmann_panel(path: str | Path) -> np.ndarray:
    """Stores x days sales matrix from Rossmann ``train.csv(.gz)``; missing (store, day) -> 0."""
    df = pd.read_csv(path, usecols=["Store", "Date", "Sales"], dtype={"Store": np.int64, "Sales": np.float64})
    wide = df.pivot_table(index="Store", columns="Date", values="Sales", aggfunc="sum").sort_index(axis=1)
    return wide.fillna(0.0).to_numpy(dtype=np.float64)


def synthetic_panel(rows: int, length: int, seed: int = 0) -> np.ndarray:
    """``[rows, length]``: random walk + weekly sine with random amplitude/phase + Gaussian noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    walk = np.cumsum(rng.standard_normal((rows, length)), axis=1) * 0.3
    amp = rng.uniform(0.5, 3.0, (rows, 1))
    phase = rng.uniform(0, 2 * np.pi, (rows, 1))
    return walk + amp * np.sin(2 * np.pi * t / 7 + phase) + 0.5 * rng.standard_normal((rows, length))


def bench(
    name: str, X: np.ndarray, tols: list[float], threads: list[int], digitizations: list[str], k: int
) -> list[dict]:
    Z = znormalise(X)
    rows = []
    for dig in digitizations:
        for tol in tols:
            for th in threads:
                model, strings, secs = fit_jabba(Z, tol=tol, digitization=dig, k=k, n_jobs=th)
                mse, rsecs = reconstruction_mse(model, strings, Z, n_jobs=th)
                n_pieces = sum(len(s) for s in strings)
                n_sym = int(model.parameters.centers.shape[0])
                row = {
                    "dataset": name,
                    "n_series": Z.shape[0],
                    "length": Z.shape[1],
                    "digitization": dig,
                    "tol": tol,
                    "threads": th,
                    "n_pieces": n_pieces,
                    "n_symbols": n_sym,
                    "alpha": float(model.alpha) if model.alpha is not None else float("nan"),
                    "compression_rate": 1 - n_sym / Z.size,
                    "piece_compression": 1 - n_pieces / Z.size,
                    "reconstruction_mse": mse,
                    "seconds_symbolise": secs,
                    "seconds_reconstruct": rsecs,
                }
                print(
                    "\t".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
                    flush=True,
                )
                rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rossmann", default="/work/shared/data/rossmann/train.csv.gz", help="'' to skip")
    ap.add_argument("--synthetic-rows", type=int, default=20000, help="0 to skip")
    ap.add_argument("--synthetic-length", type=int, default=365)
    ap.add_argument("--tols", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.4])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--digitizations", nargs="+", default=["agg", "kmeans"], choices=["agg", "kmeans", "f-kmeans"])
    ap.add_argument("--k", type=int, default=16, help="symbols for k-means digitisation")
    ap.add_argument("--out", default="results/benchmarks/symbolic.tsv")
    args = ap.parse_args(argv)
    rows: list[dict] = []
    if args.rossmann:
        t0 = time.perf_counter()
        X = rossmann_panel(args.rossmann)
        print(f"rossmann panel {X.shape} loaded in {time.perf_counter() - t0:.1f}s", flush=True)
        rows += bench("rossmann", X, args.tols, args.threads, args.digitizations, args.k)
    if args.synthetic_rows > 0:
        X = synthetic_panel(args.synthetic_rows, args.synthetic_length)
        rows += bench("synthetic", X, args.tols, args.threads, args.digitizations, args.k)
    with atomic_path(args.out) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()

"""Benchmark clustering fit time and peak RSS vs number of series (standalone; writes a TSV).

Each case runs in a child process so ``ru_maxrss`` of that child is its own peak resident memory.

    python bench/bench_clustering.py --out results/benchmarks/clustering.tsv [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")

CHILD = r"""
import json, sys, time
sys.path.insert(0, {src!r})
import numpy as np
case = json.loads({case!r})
rng = np.random.default_rng(0)
from mixseq.data.synthetic_clustering import arma_clusters
k = 3
if case["m"] <= 100_000:
    X, labels = arma_clusters(k, case["m"] // k + 1, case["T"], seed=0)
    X = X[: case["m"]]
else:  # Wiki size: float32 panel filled in chunks, never a float64 copy of the whole
    X = np.empty((case["m"], case["T"]), dtype=np.float32)
    step = 30_000
    for i, s in enumerate(range(0, case["m"], step)):
        part, _ = arma_clusters(k, step // k + 1, case["T"], seed=i)
        X[s : s + step] = part[: min(step, case["m"] - s)]
        del part
t0 = time.perf_counter()
if case["method"] == "mixarma":
    from mixseq.cluster.mixarma import MixARMA
    MixARMA(k, seed=0).fit(X)
    out = {{"fit_seconds": time.perf_counter() - t0, "seconds_per_epoch": float("nan")}}
elif case["method"] == "mixseq_wiki":
    # Wiki size: fit on max_series rows (fit() also labels every row it is given, so it gets only those), then
    # time batched inference on predict_rows series and extrapolate to all rows (inference streams row batches;
    # no scaled copy of the whole panel exists)
    from mixseq.cluster.mixseq import MixSeq
    m = MixSeq(k, seed=0, epochs=case["epochs"], threads=case["threads"], progress=False, init=None,
               predict_batch_size=256)
    m.fit(X[: case["max_series"]])
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    m.predict(X[: case["predict_rows"]])
    rate = case["predict_rows"] / (time.perf_counter() - t1)
    out = {{"fit_seconds": fit_s, "seconds_per_epoch": float(m.history_["seconds"].iloc[-1]) / case["epochs"],
            "infer_series_per_s": rate, "infer_all_seconds_est": case["m"] / rate}}
else:
    from mixseq.cluster.mixseq import MixSeq
    m = MixSeq(k, seed=0, epochs=case["epochs"], threads=case["threads"], progress=False).fit(X)
    out = {{"fit_seconds": time.perf_counter() - t0,
            "seconds_per_epoch": float(m.history_["seconds"].diff().fillna(m.history_["seconds"]).mean())}}
print(json.dumps(out))
"""


def run_case(case: dict) -> dict:
    """Run one case in a child; its own peak RSS comes from ``os.wait4`` (the per-child ``ru_maxrss``, KiB on
    Linux), which unlike ``getrusage(RUSAGE_CHILDREN)`` is not a running max over earlier, bigger children."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD.format(src=SRC, case=json.dumps(case))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    text = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark case {case} failed with exit code {proc.returncode}")
    res = json.loads(text.strip().splitlines()[-1])
    return {**case, **res, "peak_rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="results/benchmarks/clustering.tsv")
    ap.add_argument("--quick", action="store_true", help="small cases only (smoke test)")
    ap.add_argument("--mixseq-epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--wiki", action="store_true", help="add MixARMA on a Wiki-size panel (309,765 x 1,600)")
    args = ap.parse_args()
    cases = [{"method": "mixarma", "m": m, "T": T} for m, T in
             ([(1000, 100)] if args.quick else [(1000, 100), (1115, 730), (10000, 100), (100000, 100)])]
    if args.wiki:
        cases.append({"method": "mixarma", "m": 309_765, "T": 1600})
        cases.append({"method": "mixseq_wiki", "m": 309_765, "T": 1600, "epochs": 1, "threads": args.threads,
                      "max_series": 1000, "predict_rows": 4000})
    cases += [{"method": "mixseq", "m": m, "T": 100, "epochs": args.mixseq_epochs, "threads": args.threads}
              for m in ([1000] if args.quick else [1000, 10000, 20000])]
    rows = []
    for case in cases:
        row = run_case(case)
        print(json.dumps(row), flush=True)
        rows.append(row)
    cols = ["method", "m", "T", "epochs", "threads", "max_series", "fit_seconds", "seconds_per_epoch",
            "infer_series_per_s", "infer_all_seconds_est", "peak_rss_mb"]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w") as fh:
        fh.write("\t".join(cols) + "\n")
        for r in rows:
            fh.write("\t".join(str(r.get(c, "")) for c in cols) + "\n")


if __name__ == "__main__":
    main()

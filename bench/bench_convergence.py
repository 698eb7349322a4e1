"""Benchmark supplement Figure 1 on idle cores: seconds to converge of MixSeq, MixARMA and DTCR on one panel.

The workflow's ``convergence`` rule draws the figure from the training logs of the real-data run, whose jobs
share the cores with other jobs. This script fits the three methods one after another, each in its own child
process with a fixed number of torch threads, on the training interval of a preprocessed panel (default: the
real Rossmann panel the workflow writes), and applies the same convergence rule
(:func:`mixseq.report.convergence.seconds_to_converge`, 99 % of the total improvement) to the logs::

    snakemake results/paper_cpu/rossmann/panel.parquet --configfile config/paper_cpu.yaml --config mirror=../shared/data
    python bench/bench_convergence.py --panel results/paper_cpu/rossmann/panel.parquet --threads 2

MixSeq on ``--threads 2`` runs the backward passes of its K + 1 networks on 2 threads (its ``backward_workers``
option, docs/clustering.md "Speed"); ``--options '{"mixseq": {"backward_workers": 1}}'`` gives the single backward
pass with 2 intra-op threads. The TSV's ``seconds_to_90pct`` is the issue's "90 % of its improvement" (tol 0.1).

Writes ``--out`` (TSV: one row per method), the per-epoch logs and each fit's time and peak RSS (JSON) under
``--work``, and ``--figure`` (PNG). ``--from-logs`` re-derives the table and figure from an earlier run's files.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

#: the paper_cpu settings for Rossmann (config/paper_cpu.yaml), with more epochs so that the curves flatten
DEFAULT_OPTIONS: dict[str, dict] = {
    "mixseq": {"epochs": 20, "lr": 1e-3, "batch_size": 64, "l2": 5e-5, "dropout": 0.1, "assign": "exact"},
    "mixarma": {"n_init": 5},
    "dtcr": {"epochs": 25},
}


def child(args: argparse.Namespace) -> None:
    from mixseq.cluster.base import make_clusterer
    from mixseq.data.panel import read_panel
    from mixseq.utils import set_torch_threads

    set_torch_threads(args.threads)
    panel = read_panel(args.panel)
    train = panel.values[:, : panel.train_end_idx]
    opts = json.loads(args.options)
    if args.method != "mixarma":
        opts.setdefault("threads", args.threads)
    model = make_clusterer(args.method, args.k, seed=args.seed, **opts)
    t0 = time.perf_counter()
    model.fit(train, dates=panel.dates[: panel.train_end_idx], log_path=args.log)
    out = {"fit_seconds": time.perf_counter() - t0, "n_series": int(train.shape[0]), "n_days": int(train.shape[1]),
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print("RESULT " + json.dumps(out), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--panel", default="results/rossmann/panel.parquet")
    ap.add_argument("--methods", default="mixarma,mixseq,dtcr")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tol", type=float, default=0.01)
    ap.add_argument("--options", default="{}",
                    help='JSON per method overriding the defaults, e.g. {"dtcr": {"epochs": 30}}')
    ap.add_argument("--out", default="results/benchmarks/convergence.tsv")
    ap.add_argument("--work", default="results/benchmarks/convergence")
    ap.add_argument("--figure", default="results/benchmarks/convergence.png")
    ap.add_argument("--from-logs", action="store_true",
                    help="re-derive the table and figure from the logs of an earlier run in --work (no fitting)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--method", help=argparse.SUPPRESS)
    ap.add_argument("--log", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mixseq.report.convergence import summarise_curve

    if not args.from_logs and not Path(args.panel).exists():
        raise SystemExit(f"bench_convergence: panel {args.panel} not found; build it with "
                         "`snakemake results/<dataset>/panel.parquet` first")
    overrides = json.loads(args.options)
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - set(DEFAULT_OPTIONS))
    if unknown:
        raise SystemExit(f"bench_convergence: unknown methods {unknown}; "
                         f"expected a subset of {sorted(DEFAULT_OPTIONS)}")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    fig, axes = plt.subplots(1, len(methods), figsize=(4.2 * len(methods), 3.2), squeeze=False)
    for ax, method in zip(axes[0], methods, strict=True):
        opts = {**DEFAULT_OPTIONS[method], **overrides.get(method, {})}
        log, meta = work / f"{method}.tsv", work / f"{method}.json"
        if args.from_logs:
            if not (log.exists() and meta.exists()):
                raise SystemExit(f"bench_convergence: --from-logs needs {log} and {meta} from an earlier run")
            res = json.loads(meta.read_text())
        else:
            cmd = [sys.executable, __file__, "--child", "--panel", args.panel, "--method", method, "--k",
                   str(args.k), "--seed", str(args.seed), "--threads", str(args.threads), "--options",
                   json.dumps(opts), "--log", str(log)]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"bench_convergence: {method} failed:\n{proc.stderr[-3000:]}")
            res = json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1][7:])
            meta.write_text(json.dumps(res))
        stats = summarise_curve(pd.read_csv(log, sep="\t"), method, args.tol, ax)
        rows.append({"method": method, "k": args.k, "threads": args.threads, **res, **stats,
                     "options": json.dumps(opts)})
        print(rows[-1], flush=True)
    fig.suptitle(f"{Path(args.panel).parent.name}: objective vs wall-clock, K={args.k}, {args.threads} threads")
    fig.tight_layout()
    Path(args.figure).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.figure, dpi=120)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out, sep="\t", index=False, float_format="%.6g")


if __name__ == "__main__":
    main()

"""Benchmark the streamed clustering fits (DTCR, MixSeq): seconds per epoch and peak RSS on generated panels.

Standalone: ``python bench/bench_stream.py --method dtcr`` (or ``--method mixseq``), writing
``results/benchmarks/{method}_stream.tsv``. Each case runs in a child process (``--child``) so that its peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own. The model is fitted with ``fit_stream`` from the
panel file (only the ``max_series`` subsample is ever held whole) and every series is then assigned by the
streaming pass inside ``fit_stream``, whose time is reported as ``predict_seconds``.

Cases:
* ``rossmann``: 1,115 series x 730 days (Rossmann size), full fit (DTCR: early stop at convergence, relative
  epoch-loss change < 1% for 3 consecutive epochs, or ``--epochs``).
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

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mixseq.data.synthetic import write_grouped_panel  # noqa: E402


def child(args: argparse.Namespace) -> None:
    opts = json.loads(args.options)
    if args.method == "dtcr":
        from mixseq.cluster.dtcr import DTCR

        model = DTCR(args.k, seed=0, **opts)
    else:
        from mixseq.cluster.mixseq import MixSeq

        model = MixSeq(args.k, seed=0, progress=False, **opts)
    timing: dict[str, float] = {}
    inner = model.predict_stream

    def timed_predict(*a, **kw):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        res = inner(*a, **kw)
        timing["predict"] = time.perf_counter() - t
        return res

    model.predict_stream = timed_predict  # type: ignore[method-assign]
    t0 = time.perf_counter()
    model.fit_stream(args.panel, log_path=args.log)
    total = time.perf_counter() - t0
    h = pd.DataFrame(model.history_)
    n_pred = len(model.ids_)
    out = {
        "epochs_run": len(h),
        "sec_per_epoch": float(h["seconds"].iloc[-1]) / len(h) if len(h) else float("nan"),
        "converged_epoch": getattr(model, "converged_epoch_", None),
        "converged_seconds": getattr(model, "converged_seconds_", None),
        "fit_seconds_total": total,
        "predict_seconds": timing["predict"],
        "predict_series_per_s": n_pred / timing["predict"],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print("RESULT " + json.dumps(out), flush=True)


def run_case(method: str, name: str, m: int, T: int, opts: dict, work: Path, k: int) -> dict:
    panel = work / f"panel_{m}x{T}.parquet"
    t0 = time.perf_counter()
    if not panel.exists():
        write_grouped_panel(m, T, 0, panel)
    gen_s = time.perf_counter() - t0
    cmd = [sys.executable, __file__, "--child", "--method", method, "--panel", str(panel), "--k", str(k),
           "--child-options", json.dumps(opts),
           "--log", str(work / f"log_{method}_{name}.tsv")]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"case {name} failed:\n{proc.stderr[-3000:]}")
    res = json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1][7:])
    return {"method": method, "case": name, "n_series": m, "n_days": T, "generate_seconds": round(gen_s, 1), **res,
            "options": json.dumps(opts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--method", choices=("dtcr", "mixseq"), default="dtcr")
    ap.add_argument("--out", help="TSV to write (default results/benchmarks/{method}_stream.tsv)")
    ap.add_argument("--work", default="results/benchmarks/stream_work", help="generated panels and fit logs")
    ap.add_argument("--cases", default="rossmann,wiki")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--wiki-series", type=int, default=309_765)
    ap.add_argument("--wiki-days", type=int, default=1_600)
    ap.add_argument("--max-series", type=int, default=2_000)
    ap.add_argument("--options", dest="extra", default="{}", help="JSON of extra model options, e.g. batch sizes")
    ap.add_argument("--wiki-epochs", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--panel", help=argparse.SUPPRESS)
    ap.add_argument("--child-options", dest="options", help=argparse.SUPPRESS)
    ap.add_argument("--log", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    extra = json.loads(args.extra)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for case in args.cases.split(","):
        if case == "rossmann":
            opts = {"epochs": args.epochs, "threads": args.threads, **extra}
            if args.method == "dtcr":
                opts["early_stop"] = True
            rows.append(run_case(args.method, "rossmann", 1_115, 730, opts, work, args.k))
        elif case == "wiki":
            opts = {"epochs": args.wiki_epochs, "max_series": args.max_series, "threads": args.threads, **extra}
            rows.append(run_case(args.method, "wiki", args.wiki_series, args.wiki_days, opts, work, args.k))
        else:
            raise SystemExit(f"unknown case {case!r}")
        print(rows[-1], flush=True)
        out = Path(args.out or f"results/benchmarks/{args.method}_stream.tsv")
        out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(out, sep="\t", index=False)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark the real-data loaders at full size: wall seconds and peak RSS per case, one child process each.

Generates files in the real formats in a temporary directory (values are random, formats are exact):

- M5 item level: ``sales_train_evaluation.csv`` 30,490 x 1,941 (Kaggle columns) + ``calendar.csv``;
- Wiki size: a Kaggle ``train_1.csv``-style wide CSV, ``--wiki-rows`` pages (default 309,765) x 1,827 days
  2015-07-01..2020-06-30, blanks at the start of some pages and a few ``-1`` markers;
- Rossmann (optional, ``--mirror``): the mirror's full ``train.csv.gz``.

Each case runs ``build_panel`` + ``write_panel`` in a fresh child process; the parent measures the child's wall
time and peak RSS with ``os.wait4``. With fewer Wiki rows than 309,765 the time and RSS are also extrapolated
linearly (stated as such in the TSV). Writes a TSV (default ``results/benchmarks/preprocess.tsv``).

Usage: ``python bench/bench_preprocess.py [--wiki-rows N] [--cases m5,wiki,rossmann] [--mirror DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

M5_SERIES, M5_DAYS = 30_490, 1_941
WIKI_SERIES, WIKI_DAYS = 309_765, 1_827
POOL = 997  # distinct row bodies; every row is still parsed in full


def gen_calendar(path: Path) -> None:
    import pandas as pd

    dates = pd.date_range("2011-01-29", periods=1969, freq="D")
    head = ("date,wm_yr_wk,weekday,wday,month,year,d,event_name_1,event_type_1,event_name_2,event_type_2,"
            "snap_CA,snap_TX,snap_WI")
    lines = [head]
    for k, d in enumerate(dates, start=1):
        wk = 11101 + (k - 1) // 7
        wday = (d.day_of_week + 2) % 7 or 7  # Kaggle: Saturday = 1
        lines.append(f"{d.date()},{wk},{d.day_name()},{wday},{d.month},{d.year},d_{k},,,,,0,0,0")
    path.write_text("\n".join(lines) + "\n")


def gen_m5(path: Path, rng: np.random.Generator) -> None:
    pool = [",".join(map(str, rng.poisson(rng.gamma(0.5, 2.0), M5_DAYS))) for _ in range(POOL)]
    cats = [("HOBBIES", 2), ("HOUSEHOLD", 2), ("FOODS", 3)]
    stores = [("CA", 4), ("TX", 3), ("WI", 3)]
    depts = [(c, f"{c}_{i}") for c, n in cats for i in range(1, n + 1)]
    per_dept = M5_SERIES // 10 // len(depts) + 1
    with open(path, "w") as fh:
        days = ",".join(f"d_{k}" for k in range(1, M5_DAYS + 1))
        fh.write(f"id,item_id,dept_id,cat_id,store_id,state_id,{days}\n")
        n = 0
        for st, ns in stores:
            for s in range(1, ns + 1):
                store = f"{st}_{s}"
                for r in range(M5_SERIES // 10):
                    cat, dept = depts[min(r // per_dept, len(depts) - 1)]
                    item = f"{dept}_{r:03d}"
                    fh.write(f"{item}_{store}_evaluation,{item},{dept},{cat},{store},{st},{pool[n % POOL]}\n")
                    n += 1
    assert n == M5_SERIES, n


def gen_wiki(path: Path, rows: int, rng: np.random.Generator) -> None:
    import pandas as pd

    dates = pd.date_range("2015-07-01", periods=WIKI_DAYS, freq="D")
    pool = []
    for i in range(POOL):
        v = np.round(rng.lognormal(rng.uniform(1, 8), 0.8, WIKI_DAYS)).astype(np.int64).astype(str)
        if i % 5 == 0:
            v[: rng.integers(1, 400)] = ""  # page without data yet (Kaggle: blank)
        if i % 50 == 1:
            v[rng.integers(0, WIKI_DAYS, 3)] = "-1"  # Radflow marker
        pool.append(",".join(v))
    with open(path, "w") as fh:
        fh.write('"Page",' + ",".join(f'"{d.date()}"' for d in dates) + "\n")
        for r in range(rows):
            fh.write(f'"Article_{r}_en.wikipedia.org_all-access_all-agents",{pool[r % POOL]}\n')


def run_case(kind: str, raw_dir: str, options: str, out: str) -> None:
    """Child process body: build + write one panel, print a JSON line."""
    from mixseq.data.panel import write_panel
    from mixseq.data.sources import build_panel

    t0 = time.perf_counter()
    panel = build_panel(kind, raw_dir, json.loads(options), kind)
    t1 = time.perf_counter()
    write_panel(panel, out)
    t2 = time.perf_counter()
    print(json.dumps({"n_series": panel.n_series, "n_days": panel.n_days, "load_s": t1 - t0, "write_s": t2 - t1,
                      "parquet_mb": os.path.getsize(out) / 1e6}))


def measure(case: str, kind: str, raw_dir: Path, options: dict, out: Path, input_mb: float) -> dict:
    cmd = [sys.executable, __file__, "--run-case", kind, str(raw_dir), json.dumps(options), str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"case {case} failed with exit code {proc.returncode}")
    info = json.loads(stdout.strip().splitlines()[-1])
    row = {"case": case, "kind": kind, "n_series": info["n_series"], "n_days": info["n_days"],
           "input_mb": round(input_mb, 1), "wall_s": round(wall, 1), "load_s": round(info["load_s"], 1),
           "write_s": round(info["write_s"], 1), "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
           "parquet_mb": round(info["parquet_mb"], 1), "note": "measured"}
    print(row, flush=True)
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run-case", nargs=4, metavar=("KIND", "RAW_DIR", "OPTIONS", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "preprocess.tsv"))
    ap.add_argument("--cases", default="m5,wiki", help="comma list of m5, wiki, rossmann")
    ap.add_argument("--wiki-rows", type=int, default=WIKI_SERIES)
    ap.add_argument("--mirror", default=None, help="local data mirror (for the rossmann case)")
    ap.add_argument("--workdir", default=None, help="where to generate files (default: a temp dir, removed)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.run_case:
        run_case(*args.run_case)
        return
    import pandas as pd

    rng = np.random.default_rng(args.seed)
    cases = args.cases.split(",")
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as td:
        tmp = Path(td)
        if "m5" in cases:
            raw = tmp / "m5"
            raw.mkdir()
            t0 = time.perf_counter()
            gen_calendar(raw / "calendar.csv")
            gen_m5(raw / "sales_train_evaluation.csv", rng)
            mb = (raw / "sales_train_evaluation.csv").stat().st_size / 1e6
            print(f"generated M5 item level ({mb:.0f} MB) in {time.perf_counter() - t0:.0f} s", flush=True)
            rows.append(measure("m5_item_store_full", "m5", raw, {"level": "item_store"}, tmp / "m5.parquet", mb))
            (raw / "sales_train_evaluation.csv").unlink()
        if "wiki" in cases:
            raw = tmp / "wiki"
            raw.mkdir()
            t0 = time.perf_counter()
            gen_wiki(raw / "train_wide.csv", args.wiki_rows, rng)
            mb = (raw / "train_wide.csv").stat().st_size / 1e6
            print(f"generated Wiki wide CSV {args.wiki_rows} rows ({mb:.0f} MB) in {time.perf_counter() - t0:.0f} s",
                  flush=True)
            row = measure(f"wiki_kaggle_wide_{args.wiki_rows}", "wiki", raw, {"file": "train_wide.csv"},
                          tmp / "wiki.parquet", mb)
            rows.append(row)
            if args.wiki_rows != WIKI_SERIES:
                f = WIKI_SERIES / args.wiki_rows
                extra_mb = (WIKI_SERIES - args.wiki_rows) * WIKI_DAYS * 4 * 2 / 2**20
                ext = dict(row, case="wiki_kaggle_wide_309765_extrapolated", n_series=WIKI_SERIES,
                           input_mb=round(mb * f, 1), wall_s=round(row["wall_s"] * f, 1),
                           load_s=round(row["load_s"] * f, 1), write_s=round(row["write_s"] * f, 1),
                           peak_rss_mb=round(row["peak_rss_mb"] + extra_mb, 1),
                           parquet_mb=round(row["parquet_mb"] * f, 1),
                           note=f"NOT measured: times x{f:.2f}; RSS = measured + 2 float32 copies of the extra rows")
                rows.append(ext)
            (raw / "train_wide.csv").unlink()
        if "rossmann" in cases:
            if not args.mirror:
                raise SystemExit("--mirror is required for the rossmann case")
            raw = Path(args.mirror) / "rossmann"
            rows.append(measure("rossmann_full_mirror", "rossmann", raw, {}, tmp / "rossmann.parquet",
                                (raw / "train.csv.gz").stat().st_size / 1e6))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows)
    df.insert(0, "cpu_count", os.cpu_count())
    df.to_csv(out, sep="\t", index=False)
    print(df.to_string(index=False))


if __name__ == "__main__":
    main()

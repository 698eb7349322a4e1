"""Per-epoch Rand index and loss of MixSeq Table 2 trials, read from their job logs, as a TSV and a figure.

A Table 2 trial logs one progress-bar update per epoch (``N/E [elapsed<...] kl=..., nll=..., ri=...``): the
epoch, the seconds since training started, the batch-KL term, the mean reconstruction NLL and the Rand index of
``argmax q(z|x)`` against the true components. This script collects those updates for the trials of one or
more runs and draws RI and NLL against the epoch, one line per (run, data set).

Usage::

    python bench/table2_curves.py OUT.tsv OUT.png RUN [RUN ...]   # e.g. paper_literal paper_default_schedule

It reads ``logs/<RUN>/table2/<data>/c<n>/mixseq/seed<seed>.log`` and writes the TSV (columns ``run, data,
n_clusters, seed, epoch, seconds, kl, nll, ri``) and the PNG.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

#: one finished epoch of a tqdm bar with the MixSeq postfix
EPOCH = re.compile(r"\|\s*(\d+)/(\d+) \[(?:(\d+):)?(\d+):(\d+)<[^,\]]*,[^\]]*?kl=([-\d.e+]+), nll=([-\d.e+]+), "
                   r"ri=([-\d.e+na]+)\]")
TRIAL = re.compile(r"table2/(\w+)/c(\d+)/mixseq/seed(\d+)\.log$")


def epochs_of_log(text: str) -> pd.DataFrame:
    """One row per epoch (the first update that reports it) from a trial log's progress-bar text."""
    rows: dict[int, dict[str, float]] = {}
    for m in EPOCH.finditer(text.replace("\r", "\n")):
        epoch = int(m.group(1))
        if epoch == 0 or epoch in rows:
            continue
        h, mnt, s = int(m.group(3) or 0), int(m.group(4)), int(m.group(5))
        rows[epoch] = {"epoch": epoch, "seconds": 3600 * h + 60 * mnt + s, "kl": float(m.group(6)),
                       "nll": float(m.group(7)), "ri": float(m.group(8))}
    return pd.DataFrame(list(rows.values()), columns=["epoch", "seconds", "kl", "nll", "ri"])


def collect(runs: list[str], logs: Path = Path("logs")) -> pd.DataFrame:
    frames = []
    for run in runs:
        paths = sorted((logs / run / "table2").glob("*/c*/mixseq/seed*.log"))
        if not paths:
            raise FileNotFoundError(f"no MixSeq Table 2 trial logs under {logs / run / 'table2'}")
        for path in paths:
            m = TRIAL.search(path.as_posix())
            assert m is not None
            df = epochs_of_log(path.read_text(errors="replace"))
            df.insert(0, "seed", int(m.group(3)))
            df.insert(0, "n_clusters", int(m.group(2)))
            df.insert(0, "data", m.group(1))
            df.insert(0, "run", run)
            frames.append(df)
    return pd.concat(frames, ignore_index=True)


def plot(df: pd.DataFrame, out: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for (run, data, n), g in df.groupby(["run", "data", "n_clusters"], sort=False):
        label = f"{run}: {data.upper() if data == 'arma' else 'DeepAR'} {n}"
        axes[0].plot(g.epoch, g.ri, marker=".", label=label)
        axes[1].plot(g.epoch, g.nll, marker=".", label=label)
    axes[0].set(xlabel="epoch", ylabel="Rand index (argmax q(z|x))", ylim=(0.45, 1.02), title="Rand index")
    axes[1].set(xlabel="epoch", ylabel="mean reconstruction NLL", yscale="symlog", title="loss")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tsv", type=Path)
    ap.add_argument("png", type=Path)
    ap.add_argument("runs", nargs="+")
    args = ap.parse_args()
    df = collect(args.runs)
    args.tsv.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.tsv, sep="\t", index=False, float_format="%.6g")
    plot(df, args.png)
    last = df.sort_values("epoch").groupby(["run", "data"]).tail(1)
    print(last.to_string(index=False))


if __name__ == "__main__":
    main()

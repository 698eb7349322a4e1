"""Table 3 (real-world dataset summary) and the macro-series figure with split boundaries."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from mixseq.data.panel import Panel
from mixseq.utils import atomic_path

TABLE3_COLUMNS = ["dataset", "n_series", "length", "train_interval", "test_interval", "notes"]


def _ymd(date: str) -> str:
    return pd.Timestamp(date).strftime("%Y%m%d")


def table3(panels: dict[str, Panel]) -> pd.DataFrame:
    """One row per dataset: # microscopic series, length, train and test intervals (YYYYMMDD-YYYYMMDD), notes.

    ``length`` is the number of days in the panel (train start to test end for the paper's datasets).
    ``notes`` joins ``panel.meta['notes']`` with "; ".
    """
    rows = []
    for name, p in panels.items():
        s = p.splits
        notes = p.meta.get("notes", []) if isinstance(p.meta, dict) else []
        rows.append(
            {
                "dataset": name,
                "n_series": p.n_series,
                "length": p.n_days,
                "train_interval": f"{_ymd(s['train_start'])}-{_ymd(s['train_end'])}",
                "test_interval": f"{_ymd(s['test_start'])}-{_ymd(s['test_end'])}",
                "notes": "; ".join(str(n) for n in notes),
            }
        )
    return pd.DataFrame(rows, columns=TABLE3_COLUMNS)


def plot_macro(panel: Panel, path: str | os.PathLike[str]) -> None:
    """Draw the macro series (sum over series) with train / validation / test boundaries; write a PNG atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3.5))
    ax.plot(panel.dates, panel.macro(), lw=0.7, color="black")
    s = {k: pd.Timestamp(v) for k, v in panel.splits.items()}
    ax.axvspan(s["val_start"], s["train_end"], color="tab:orange", alpha=0.2, label="validation")
    ax.axvspan(s["test_start"], s["test_end"], color="tab:blue", alpha=0.2, label="test")
    for k in ("train_start", "val_start", "test_start", "test_end"):
        ax.axvline(s[k], color="grey", lw=0.8, ls="--")
    ax.set_title(f"{panel.name}: macro series ({panel.n_series} microscopic series)")
    ax.set_ylabel("sum over series")
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)

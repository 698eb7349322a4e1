"""Paper-style tables from the tidy per-run score table.

Every per-run score file has one row: dataset, method, k, forecaster, seed, smape, r0.5, r0.9, ...
Tables report the mean (sd) over seeds (trials), formatted like the paper, plus a Markdown rendering
with the best cell of each row or column in bold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def mean_sd(values: Sequence[float], digits: int = 4) -> str:
    """``"0.1234 (0.0012)"``: mean and sample standard deviation (ddof=1; 0 for a single trial)."""
    v = np.asarray(list(values), dtype=np.float64)
    sd = float(v.std(ddof=1)) if v.size > 1 else 0.0
    return f"{v.mean():.{digits}f} ({sd:.{digits}f})"


def summarise(scores: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Mean, sd and trial count of ``metric`` per group of ``keys``."""
    g = scores.groupby(keys, sort=False)[metric]
    out = g.agg(["mean", "count"]).reset_index()
    out["sd"] = g.std(ddof=1).fillna(0.0).to_numpy()
    return out


def to_markdown(table: pd.DataFrame, best: str = "col", lower_is_better: bool = True) -> str:
    """Render a table of ``"mean (sd)"`` cells as Markdown, bolding the best mean per column or row."""
    cells = table.copy().astype(str)
    means = table.map(lambda s: float(str(s).split(" ")[0]) if str(s) not in ("", "nan") else np.nan)
    pick = means.idxmin if lower_is_better else means.idxmax
    if best == "col":
        for c in table.columns:
            if means[c].notna().any():
                r = pick(axis=0)[c]
                cells.loc[r, c] = f"**{cells.loc[r, c]}**"
    else:
        for r in table.index:
            if means.loc[r].notna().any():
                c = pick(axis=1)[r]
                cells.loc[r, c] = f"**{cells.loc[r, c]}**"
    header = "| " + " | ".join([str(table.index.name or "")] + [str(c) for c in table.columns]) + " |"
    sep = "|" + "---|" * (len(table.columns) + 1)
    rows = ["| " + " | ".join([str(i)] + list(cells.loc[i])) + " |" for i in table.index]
    return "\n".join([header, sep, *rows]) + "\n"


def table1(scores: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Paper Table 1: rows macro / clustered, one column per toy dataset, SMAPE mean (sd) over trials.

    ``columns`` maps a column title (e.g. ``"GP 3"``) to its dataset name.
    """
    out = pd.DataFrame(index=pd.Index(["macro", "clustered"], name="SMAPE"), columns=list(columns), dtype=object)
    for title, dataset in columns.items():
        for row, method in (("macro", "macro"), ("clustered", "truth")):
            sel = scores[(scores["dataset"] == dataset) & (scores["method"] == method)]
            if sel.empty:
                raise ValueError(f"table1: no scores for dataset '{dataset}', method '{method}'")
            out.loc[row, title] = mean_sd(sel["smape"])
    return out

"""Paper-style tables from the tidy per-run score table.

Every per-run score file has one row: dataset, method, k, forecaster, seed, smape, r0.5, r0.9, ...
Tables report the mean (sd) over seeds (trials), formatted like the paper, plus a Markdown rendering
with the best cell of each row or column in bold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mixseq.options import base_name


def mean_sd(values: Sequence[float], digits: int = 4) -> str:
    """``"0.1234 (0.0012)"``: mean and sample standard deviation (ddof=1; 0 for a single trial)."""
    v = np.asarray(list(values), dtype=np.float64)
    sd = float(v.std(ddof=1)) if v.size > 1 else 0.0
    return f"{v.mean():.{digits}f} ({sd:.{digits}f})"


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


def select_on_validation(scores: pd.DataFrame, metric: str = "r0.5") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pick, per (dataset, method, forecaster, seed), the candidate (variant, K) with the best validation score.

    ``scores`` holds per-run rows with a ``split`` column (``val``/``test``). Returns ``(selection, selected
    test rows)``: the test score reported for a table cell is the one of the setting chosen on validation
    (paper §5.2: "the model with best validation performance is applied for obtaining the results on test").
    Point forecasters (ARMA, Prophet, seasonal naive) have no R_rho worth selecting on; ``metric`` falls back to
    SMAPE when it is missing.
    """
    s = scores.copy()
    s["method_base"] = s["method"].map(base_name)
    s["forecaster_base"] = s["forecaster"].map(base_name)
    cand = ["method", "k", "forecaster"]
    group = ["dataset", "method_base", "forecaster_base", "seed"]
    val = s[s["split"] == "val"]
    test = s[s["split"] == "test"]
    col = metric if metric in val.columns else "smape"
    if val.empty:
        raise ValueError("no validation scores: tables select hyperparameters on the validation window")
    best = val.loc[val.groupby(group, sort=False)[col].idxmin(), group + cand + [col]]
    best = best.rename(columns={col: f"val_{col}"})
    chosen = best.merge(test, on=group + cand, how="left", validate="one_to_one")
    missing = chosen[chosen["smape"].isna()]
    if not missing.empty:
        raise ValueError(f"no test score for selected runs: {missing[group + cand].to_dict('records')[:3]}")
    return best.reset_index(drop=True), chosen.reset_index(drop=True)


def table4(selected: pd.DataFrame, datasets: list[str], methods: list[str], forecasters: list[str],
           quantiles: tuple[float, float] = (0.5, 0.9)) -> pd.DataFrame:
    """Paper Table 4: ``R_a/R_b`` (mean over seeds) per (dataset, forecaster) row and clustering-method column."""
    qa, qb = (f"r{q:g}" for q in quantiles)
    idx = pd.MultiIndex.from_tuples([(d, f) for d in datasets for f in forecasters], names=["dataset", "forecaster"])
    out = pd.DataFrame(index=idx, columns=methods, dtype=object)
    for (d, f) in idx:
        for m in methods:
            sel = selected[(selected.dataset == d) & (selected.forecaster_base == f) & (selected.method_base == m)]
            out.loc[(d, f), m] = f"{sel[qa].mean():.4f}/{sel[qb].mean():.4f}" if len(sel) else ""
    return out


def table5(selected: pd.DataFrame, datasets: list[str], methods: list[str], forecasters: list[str]) -> pd.DataFrame:
    """Paper Table 5: SMAPE mean (sd) over seeds per (dataset, forecaster) row and clustering-method column."""
    idx = pd.MultiIndex.from_tuples([(d, f) for d in datasets for f in forecasters], names=["dataset", "forecaster"])
    out = pd.DataFrame(index=idx, columns=methods, dtype=object)
    for (d, f) in idx:
        for m in methods:
            sel = selected[(selected.dataset == d) & (selected.forecaster_base == f) & (selected.method_base == m)]
            out.loc[(d, f), m] = mean_sd(sel["smape"]) if len(sel) else ""
    return out


def slash_markdown(table: pd.DataFrame) -> str:
    """Markdown of a Table 4 (``a/b`` cells) with the best value of each metric in each row in bold."""
    lines = ["| dataset | forecaster | " + " | ".join(table.columns) + " |", "|---|---|" + "---|" * len(table.columns)]
    for (d, f), row in table.iterrows():
        parts = [str(c).split("/") if c else ["", ""] for c in row]
        cells = [[p for p in pair] for pair in parts]
        for j in range(2):
            vals = [float(p[j]) if p[j] else float("inf") for p in parts]
            if any(np.isfinite(vals)):
                b = int(np.argmin(vals))
                cells[b][j] = f"**{cells[b][j]}**"
        lines.append(f"| {d} | {f} | " + " | ".join("/".join(c) if c[0] else "" for c in cells) + " |")
    return "\n".join(lines) + "\n"

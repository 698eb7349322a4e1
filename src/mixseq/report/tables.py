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
    SMAPE when it is missing. A group with a single candidate and no validation score (``realdata.validation:
    auto``) is selected as it is, with ``val_<metric>`` NaN; a group with several candidates must have them.
    """
    s = scores.copy()
    s["method_base"] = s["method"].map(base_name)
    s["forecaster_base"] = s["forecaster"].map(base_name)
    cand = ["method", "k", "forecaster"]
    group = ["dataset", "method_base", "forecaster_base", "seed"]
    val = s[s["split"] == "val"]
    test = s[s["split"] == "test"]
    col = metric if metric in s.columns else "smape"
    # a group with a single candidate needs no validation run (realdata.validation: auto): it is selected as is
    n_test = test.groupby(group, sort=False)["method"].transform("size")
    has_val = test.set_index(group).index.isin(val.set_index(group).index)
    lone = test[(n_test == 1).to_numpy() & ~has_val]
    unvalidated = test[(n_test > 1).to_numpy() & ~has_val]
    if not unvalidated.empty:
        raise ValueError("no validation scores for groups with several candidates to choose from: "
                         f"{unvalidated[group + cand].drop_duplicates(group).to_dict('records')[:3]}")
    if val.empty and lone.empty:
        raise ValueError("no validation scores: tables select hyperparameters on the validation window")
    parts = [lone[group + cand].assign(**{col: np.nan})] if not lone.empty else []
    if not val.empty:
        parts.insert(0, val.loc[val.groupby(group, sort=False)[col].idxmin(), group + cand + [col]])
    best = pd.concat(parts, ignore_index=True)
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


# ----------------------------------------------------------------------------- marked cells (Tables 4/5 Markdown)
MARK_BETTER = "*"  # loss significantly lower than Macro's (Holm-adjusted p < alpha)
MARK_WORSE = "‡"  # loss significantly higher than Macro's
MARK_COLLAPSED = "†"  # the clustering of at least one seed has fewer non-empty clusters than K
CELL_KEYS = ["dataset", "forecaster", "method", "metric"]


def cluster_sizes(labels: Sequence[object], k: int) -> list[int]:
    """Sizes of the ``k`` clusters of one clustering, largest first, ``0`` for each empty cluster.

    ``labels`` holds one cluster label per series; more than ``k`` distinct labels is an error.
    """
    counts = sorted((int(c) for c in pd.Series(list(labels)).value_counts()), reverse=True)
    if len(counts) > k:
        raise ValueError(f"{len(counts)} distinct cluster labels for K={k}")
    return counts + [0] * (k - len(counts))


def add_cluster_sizes(selection: pd.DataFrame, assignments: dict[tuple[str, str, int, int], str]) -> pd.DataFrame:
    """``selection`` (:func:`select_on_validation`) plus ``n_nonempty``, ``sizes`` and ``collapsed`` per row.

    ``assignments`` maps ``(dataset, method alias, K, seed)`` to the run's ``assignments.tsv`` (columns ``id``,
    ``cluster``). ``sizes`` is :func:`cluster_sizes` joined by ``/`` (e.g. ``"111/0/0"``); ``collapsed`` is
    ``n_nonempty < k``.
    """
    n_nonempty, sizes = [], []
    for r in selection.itertuples(index=False):
        key = (str(r.dataset), str(r.method), int(r.k), int(r.seed))
        if key not in assignments:
            raise ValueError(f"no assignments.tsv given for the selected run {key}")
        path = assignments[key]
        tab = pd.read_csv(path, sep="\t")
        if "cluster" not in tab.columns:
            raise ValueError(f"{path}: expected a column 'cluster', got {list(tab.columns)}")
        try:
            s = cluster_sizes(tab["cluster"], int(r.k))
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        n_nonempty.append(sum(c > 0 for c in s))
        sizes.append("/".join(str(c) for c in s))
    out = selection.copy()
    out["n_nonempty"] = n_nonempty
    out["sizes"] = sizes
    out["collapsed"] = out["n_nonempty"] < out["k"].astype(int)
    return out


def table_cells(selected: pd.DataFrame, selection: pd.DataFrame, metrics: Sequence[str],
                significance: pd.DataFrame | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Every real-data table cell in long form, with its marks.

    One row per (dataset, forecaster, method, metric) (base names): ``mean``, ``sd`` (ddof 1; 0 for one seed)
    and ``n_seeds`` of the selected runs' test ``metric``; ``n_collapsed`` (seeds whose selected clustering has
    fewer non-empty clusters than K, from ``selection`` with :func:`add_cluster_sizes` columns) and ``sizes``
    (their cluster sizes, seeds in order, joined by ``;``); from ``significance`` (the significance table) ``diff``
    and ``p_holm`` against Macro, and ``sig``: -1 when ``p_holm < alpha`` and the loss is lower than Macro's, +1
    when it is higher, 0 otherwise (Macro itself, untested cells and cells without a significance table).
    """
    keys = ["dataset", "forecaster_base", "method_base"]
    missing = [m for m in metrics if m not in selected.columns]
    if missing:
        raise ValueError(f"selected scores: metric columns {missing} not found")
    long = selected.melt(id_vars=keys + ["seed"], value_vars=list(metrics), var_name="metric")
    g = long.groupby(keys + ["metric"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n_seeds="count").reset_index()
    out["sd"] = out["sd"].fillna(0.0)
    sel = selection.sort_values("seed", kind="stable")
    coll = sel.groupby(keys, sort=False).agg(n_collapsed=("collapsed", "sum"),
                                             sizes=("sizes", lambda s: ";".join(s))).reset_index()
    out = out.merge(coll, on=keys, how="left", validate="many_to_one")
    out = out.rename(columns={"forecaster_base": "forecaster", "method_base": "method"})
    out["n_collapsed"] = out["n_collapsed"].astype(int)
    if significance is not None:
        sig = significance[CELL_KEYS + ["diff", "p_holm"]]
        out = out.merge(sig, on=CELL_KEYS, how="left", validate="one_to_one")
    else:
        out["diff"], out["p_holm"] = np.nan, np.nan
    hit = out["p_holm"] < alpha
    out["sig"] = np.where(hit & (out["diff"] < 0), -1, np.where(hit & (out["diff"] > 0), 1, 0))
    return out[CELL_KEYS + ["mean", "sd", "n_seeds", "diff", "p_holm", "sig", "n_collapsed", "sizes"]]


def _md_escape(mark: str) -> str:
    return "".join("\\" + c if c in "*_" else c for c in mark)


def marked_markdown(cells: pd.DataFrame, datasets: list[str], forecasters: list[str], methods: list[str],
                    metrics: Sequence[str], sd: bool = True, digits: int = 4) -> str:
    """Markdown table of :func:`table_cells`: a row per (dataset, forecaster), a column per method.

    A cell shows the metrics joined by ``/``, each as ``mean`` or ``mean (sd)``; the best (lowest) mean of each
    metric in a row is bold; a metric significantly better than Macro gets :data:`MARK_BETTER` (``\\*`` in
    Markdown), significantly worse :data:`MARK_WORSE`; a cell with a collapsed clustering ends in
    :data:`MARK_COLLAPSED`. Cells without runs are empty.
    """
    idx = cells.set_index(CELL_KEYS)
    better = _md_escape(MARK_BETTER)
    lines = ["| dataset | forecaster | " + " | ".join(methods) + " |", "|---|---|" + "---|" * len(methods)]
    for d in datasets:
        for f in forecasters:
            parts: dict[str, list[str]] = {m: [] for m in methods}
            collapsed = {m: False for m in methods}
            for metric in metrics:
                rows = {m: idx.loc[(d, f, m, metric)] for m in methods if (d, f, m, metric) in idx.index}
                rounded = {m: round(float(r["mean"]), digits) for m, r in rows.items()}
                best = min(rounded, key=lambda m: rounded[m]) if rounded else None
                for m, r in rows.items():
                    text = f"{r['mean']:.{digits}f}" + (f" ({r['sd']:.{digits}f})" if sd else "")
                    text = f"**{text}**" if m == best else text
                    text += better if r["sig"] < 0 else MARK_WORSE if r["sig"] > 0 else ""
                    parts[m].append(text)
                    collapsed[m] = collapsed[m] or int(r["n_collapsed"]) > 0
            cells_md = ["/".join(parts[m]) + (MARK_COLLAPSED if collapsed[m] else "") if parts[m] else ""
                        for m in methods]
            lines.append(f"| {d} | {f} | " + " | ".join(cells_md) + " |")
    return "\n".join(lines) + "\n"


def marks_legend(alpha: float | None, test: str | None = None, unit: str | None = None) -> str:
    """Caption sentence explaining the marks of :func:`marked_markdown` (``alpha`` None: no significance marks);
    ``test`` and ``unit`` as in the config's ``significance`` section."""
    coll = (f"{MARK_COLLAPSED}: the selected clustering of at least one seed has fewer non-empty clusters than K "
            "(selection.tsv: n_nonempty, sizes).")
    if alpha is None:
        return "No Macro column, so no significance marks. " + coll
    over = ("the test windows and seeds (windows only where a run has one seed)" if unit == "windows_and_seeds"
            else "the test windows")
    how = f"{test} test over {over}, " if test else ""
    return (f"{_md_escape(MARK_BETTER)}: loss significantly lower than Macro's with the same forecaster, "
            f"{MARK_WORSE}: significantly higher (Holm-adjusted p < {alpha:g}, {how}significance.tsv). " + coll)

"""The paper's Tables 4 and 5 (MixSeq, NeurIPS 2021, §5.2) and the cell-by-cell comparison with a run.

The numbers are transcribed from the paper (``../shared/papers/mixseq-paper.md``): Table 4 gives
``R_0.5/R_0.9`` for DeepAR, TCN and ConvTrans, Table 5 the SMAPE mean of 5 trials for all five forecasters, each
for the clustering strategies Macro, DTCR, MixARMA and MixSeq on Rossmann, M5 (item level) and Wiki.

:func:`compare_to_paper` puts a run's selected test scores next to them (``results/paper_comparison.tsv``),
with the relative difference ``ours / paper - 1`` and whether it lies within a tolerance (the issue's 15 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METHODS = ("macro", "dtcr", "mixarma", "mixseq")

#: Table 4: dataset -> forecaster -> (R0.5, R0.9) per method in :data:`METHODS` order.
TABLE4: dict[str, dict[str, list[tuple[float, float]]]] = {
    "rossmann": {
        "deepar": [(0.1904, 0.0869), (0.2292, 0.1432), (0.1981, 0.1300), (0.1857, 0.0987)],
        "tcn": [(0.1866, 0.1005), (0.2023, 0.1633), (0.1861, 0.1160), (0.1728, 0.0997)],
        "convtrans": [(0.1861, 0.0822), (0.2077, 0.0930), (0.1866, 0.0854), (0.1847, 0.0813)],
    },
    "m5": {
        "deepar": [(0.0548, 0.0289), (0.0787, 0.0627), (0.0624, 0.0582), (0.0582, 0.0445)],
        "tcn": [(0.0790, 0.0635), (0.0847, 0.0805), (0.0762, 0.0789), (0.0694, 0.0508)],
        "convtrans": [(0.0553, 0.0260), (0.0514, 0.0260), (0.0497, 0.0257), (0.0460, 0.0238)],
    },
    "wiki": {
        "deepar": [(0.0958, 0.0962), (0.1073, 0.1336), (0.0974, 0.1070), (0.0939, 0.0901)],
        "tcn": [(0.0966, 0.1064), (0.1237, 0.1480), (0.0963, 0.1218), (0.0886, 0.0980)],
        "convtrans": [(0.0968, 0.0589), (0.1029, 0.0531), (0.0961, 0.0594), (0.0901, 0.0516)],
    },
}

#: Table 5: dataset -> forecaster -> SMAPE mean per method in :data:`METHODS` order.
TABLE5: dict[str, dict[str, list[float]]] = {
    "rossmann": {
        "arma": [0.2739, 0.2735, 0.2736, 0.2733],
        "prophet": [0.1904, 0.1738, 0.1743, 0.1743],
        "deepar": [0.1026, 0.1626, 0.1143, 0.0975],
        "tcn": [0.1085, 0.1353, 0.1427, 0.1027],
        "convtrans": [0.1028, 0.1731, 0.1022, 0.0961],
    },
    "m5": {
        "arma": [0.0540, 0.0544, 0.0541, 0.0543],
        "prophet": [0.0271, 0.0271, 0.0269, 0.0267],
        "deepar": [0.0278, 0.0410, 0.0319, 0.0298],
        "tcn": [0.0412, 0.0447, 0.0395, 0.0358],
        "convtrans": [0.0274, 0.0253, 0.0245, 0.0227],
    },
    "wiki": {
        "arma": [0.0362, 0.0363, 0.0364, 0.0362],
        "prophet": [0.0413, 0.0423, 0.0434, 0.0420],
        "deepar": [0.0481, 0.0552, 0.0489, 0.0470],
        "tcn": [0.0494, 0.0654, 0.0491, 0.0446],
        "convtrans": [0.0471, 0.0497, 0.0466, 0.0440],
    },
}

COLUMNS = ["dataset", "paper_dataset", "forecaster", "method", "metric", "ours", "paper", "rel_diff", "within_tol",
           "n_seeds"]


def paper_values() -> pd.DataFrame:
    """Long table ``dataset, forecaster, method, metric, paper`` of every number in Tables 4 and 5."""
    rows = []
    for ds, by_f in TABLE4.items():
        for f, cells in by_f.items():
            for m, (r5, r9) in zip(METHODS, cells, strict=True):
                rows += [(ds, f, m, "r0.5", r5), (ds, f, m, "r0.9", r9)]
    for ds, by_f in TABLE5.items():
        for f, vals in by_f.items():
            rows += [(ds, f, m, "smape", v) for m, v in zip(METHODS, vals, strict=True)]
    return pd.DataFrame(rows, columns=["dataset", "forecaster", "method", "metric", "paper"])


def compare_to_paper(selected: pd.DataFrame, tolerance: float = 0.15,
                     paper_dataset: dict[str, str] | None = None) -> pd.DataFrame:
    """Every cell of Tables 4/5 that both the run and the paper have: our mean over seeds, the paper's number,
    ``rel_diff = ours / paper - 1`` and ``within_tol = |rel_diff| <= tolerance``.

    ``selected`` holds the validation-selected test scores (``results/realdata_scores.tsv``: columns
    ``dataset, method_base, forecaster_base, seed, smape, r0.5, r0.9``). ``paper_dataset`` maps our dataset
    names to the paper's (``rossmann``, ``m5``, ``wiki``; in the workflow: each dataset's ``kind``), default the
    name itself. Cells the run lacks, and datasets of another kind, are left out.
    """
    if not 0 < tolerance < 1:
        raise ValueError(f"tolerance must lie in (0, 1), got {tolerance}")
    need = {"dataset", "method_base", "forecaster_base", "seed"}
    missing = need - set(selected.columns)
    if missing:
        raise ValueError(f"selected scores lack column(s) {sorted(missing)}")
    metrics = [m for m in ("r0.5", "r0.9", "smape") if m in selected.columns]
    long = selected.melt(id_vars=sorted(need), value_vars=metrics, var_name="metric", value_name="value")
    ours = (long.dropna(subset=["value"])
            .groupby(["dataset", "forecaster_base", "method_base", "metric"])["value"]
            .agg(ours="mean", n_seeds="count").reset_index()
            .rename(columns={"forecaster_base": "forecaster", "method_base": "method"}))
    mapping = paper_dataset or {}
    ours["paper_dataset"] = ours["dataset"].map(lambda d: mapping.get(d, d))
    out = ours.merge(paper_values().rename(columns={"dataset": "paper_dataset"}),
                     on=["paper_dataset", "forecaster", "method", "metric"], how="inner")
    out["rel_diff"] = out["ours"] / out["paper"] - 1.0
    out["within_tol"] = np.abs(out["rel_diff"]) <= tolerance
    order = {m: i for i, m in enumerate(METHODS)}
    out = out.assign(_m=out["method"].map(order)).sort_values(["dataset", "metric", "forecaster", "_m"])
    return out[COLUMNS].reset_index(drop=True)


def comparison_markdown(comp: pd.DataFrame, tolerance: float = 0.15) -> str:
    """A Markdown summary: per dataset and metric, how many cells are within the tolerance, then every cell."""
    lines = [f"Our numbers against the paper's Tables 4 and 5; `rel_diff = ours / paper - 1`; within = |rel_diff| <= "
             f"{tolerance:.0%}.\n", "| dataset | metric | cells | within |", "|---|---|---|---|"]
    for (ds, met), g in comp.groupby(["dataset", "metric"], sort=False):
        lines.append(f"| {ds} | {met} | {len(g)} | {int(g['within_tol'].sum())} |")
    lines += ["", "| dataset | forecaster | method | metric | ours | paper | rel_diff | within |",
              "|---|---|---|---|---|---|---|---|"]
    for r in comp.itertuples(index=False):
        lines.append(f"| {r.dataset} | {r.forecaster} | {r.method} | {r.metric} | {r.ours:.4f} | {r.paper:.4f} | "
                     f"{r.rel_diff:+.1%} | {'yes' if r.within_tol else 'no'} |")
    return "\n".join(lines) + "\n"

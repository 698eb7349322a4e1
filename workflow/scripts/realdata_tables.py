"""Tables 4 and 5 (real data) with validation-based selection, every-method table and the paper comparison."""

from pathlib import Path

import pandas as pd
from _bootstrap import start

from mixseq.options import base_name
from mixseq.provenance import table_header, write_md, write_tsv
from mixseq.report.paper import compare_to_paper, comparison_markdown
from mixseq.report.tables import (
    add_cluster_sizes,
    marked_markdown,
    marks_legend,
    select_on_validation,
    table4,
    table5,
    table_cells,
)

smk, log = start()
rd = smk.params.realdata
header = table_header(smk.params.fingerprint, smk.params.data)
scores = pd.concat([pd.read_csv(f, sep="\t") for f in smk.input.scores], ignore_index=True)
selection, selected = select_on_validation(scores, rd["selection_metric"])
# number of non-empty clusters and their sizes of every selected clustering; fewer than K: collapsed
selection = add_cluster_sizes(selection, {(ds, m, int(k), int(seed)): path
                                          for ds, m, k, seed, path in smk.params.assignments})
for r in selection[selection["collapsed"]].itertuples():
    log.warning("collapsed clustering: %s %s K=%d seed %d has %d non-empty clusters (sizes %s), selected for "
                "forecaster %s", r.dataset, r.method, r.k, r.seed, r.n_nonempty, r.sizes, r.forecaster)
write_tsv(selection, smk.output.selection, header, index=False, float_format="%.6g")
write_tsv(selected, smk.output.scores, header, index=False, float_format="%.6g")

datasets, all_methods = list(rd["datasets"]), list(rd["methods"])
paper = ["macro", "dtcr", "mixarma", "mixseq"]
# Tables 4 and 5 keep the paper's columns; table_methods has every configured method (paper's four first).
methods = [m for m in paper if m in all_methods] or all_methods
ordered = methods + [m for m in all_methods if m not in methods]
# Table 4 (R_rho): the forecasters whose samples are a predictive distribution worth scoring by quantile (the
# paper's neural three, the seasonal-naive yardstick, and the simulated statsforecast models)
QUANTILE_FORECASTERS = ("deepar", "tcn", "convtrans", "seasonal_naive", "autoets", "autoarima")
prob = [f for f in rd["forecasters"] if base_name(f) in QUANTILE_FORECASTERS]
q = tuple(smk.params.quantiles[:2])
t4 = table4(selected, datasets, methods, prob, q)
t5 = table5(selected, datasets, methods, list(rd["forecasters"]))
tm4 = table4(selected, datasets, ordered, list(rd["forecasters"]), q)
tm5 = table5(selected, datasets, ordered, list(rd["forecasters"]))
tm = pd.concat({f"R{q[0]:g}/R{q[1]:g}": tm4, "SMAPE": tm5}, axis=1)
write_tsv(tm, smk.output.methods, header)
write_tsv(t4, smk.output.table4, header)
write_tsv(t5, smk.output.table5, header)

# Markdown: mean (sd) over seeds (Table 4: sd from 2 seeds on) with marks against Macro and for collapsed
# clusterings; every cell's numbers and marks in table_cells.tsv
sig_cfg = smk.params.significance
significance = pd.read_csv(smk.input.significance[0], sep="\t", comment="#") if smk.input.significance else None
alpha = float(sig_cfg["alpha"]) if significance is not None else None
r_metrics = [f"r{q[0]:g}", f"r{q[1]:g}"]
cells = table_cells(selected, selection, ["smape", *r_metrics], significance, alpha or 0.0)
write_tsv(cells, smk.output.cells, header, index=False, float_format="%.6g")
legend = marks_legend(alpha, sig_cfg["test"], sig_cfg["unit"])
sd4 = int(cells["n_seeds"].max()) >= 2
rr = f"R{q[0]:g}/R{q[1]:g}"
fcs = list(rd["forecasters"])
write_md(f"Every clustering method as a column (paper's four first). Upper block: {rr} "
         f"({'mean (sd)' if sd4 else 'mean'} over seeds); lower block: SMAPE mean (sd). {legend}\n\n"
         + marked_markdown(cells, datasets, fcs, ordered, r_metrics, sd=sd4) + "\n"
         + marked_markdown(cells, datasets, fcs, ordered, ["smape"]), smk.output.methods_md, header)
write_md(f"Table 4: {rr} of the macro forecast ({'mean (sd)' if sd4 else 'mean'} over seeds); lower is better, "
         f"best of a row in bold; settings chosen on the validation window ({Path(smk.output.selection).name}). "
         f"{legend}\n\n" + marked_markdown(cells, datasets, prob, methods, r_metrics, sd=sd4),
         smk.output.table4_md, header)
write_md(f"Table 5: SMAPE of the macro forecast, mean (sd) over seeds; lower is better, best of a row in bold. "
         f"{legend}\n\n" + marked_markdown(cells, datasets, fcs, methods, ["smape"]), smk.output.table5_md, header)
log.info("\n%s\n%s", t4.to_string(), t5.to_string())

# Every cell the paper also has, with ours / paper - 1 (the "within 15 %" check, computed).
tol = float(rd["paper_tolerance"])
comp = compare_to_paper(selected, tol, dict(smk.params.kinds))
write_tsv(comp, smk.output.comparison, header, index=False, float_format="%.6g")
write_md(comparison_markdown(comp, tol), smk.output.comparison_md, header)
log.info("paper comparison: %d of %d cells within %.0f%%", int(comp["within_tol"].sum()), len(comp), 100 * tol)

"""Tables 4 and 5 (real data) with validation-based selection, every-method table and the paper comparison."""

from pathlib import Path

import pandas as pd
from _bootstrap import start

from mixseq.provenance import table_header, write_md, write_tsv
from mixseq.report.paper import compare_to_paper, comparison_markdown
from mixseq.report.tables import (
    select_on_validation,
    slash_markdown,
    table4,
    table5,
    to_markdown,
)

smk, log = start()
rd = smk.params.realdata
header = table_header(smk.params.fingerprint, smk.params.data)
scores = pd.concat([pd.read_csv(f, sep="\t") for f in smk.input.scores], ignore_index=True)
selection, selected = select_on_validation(scores, rd["selection_metric"])
write_tsv(selection, smk.output.selection, header, index=False, float_format="%.6g")
write_tsv(selected, smk.output.scores, header, index=False, float_format="%.6g")

datasets, all_methods = list(rd["datasets"]), list(rd["methods"])
paper = ["macro", "dtcr", "mixarma", "mixseq"]
# Tables 4 and 5 keep the paper's columns; table_methods has every configured method (paper's four first).
methods = [m for m in paper if m in all_methods] or all_methods
ordered = methods + [m for m in all_methods if m not in methods]
prob = [f for f in rd["forecasters"] if f in ("deepar", "tcn", "convtrans", "seasonal_naive")]
q = tuple(smk.params.quantiles[:2])
t4 = table4(selected, datasets, methods, prob, q)
t5 = table5(selected, datasets, methods, list(rd["forecasters"]))
tm4 = table4(selected, datasets, ordered, list(rd["forecasters"]), q)
tm5 = table5(selected, datasets, ordered, list(rd["forecasters"]))
tm = pd.concat({f"R{q[0]:g}/R{q[1]:g}": tm4, "SMAPE": tm5}, axis=1)
write_tsv(tm, smk.output.methods, header)
write_md("Every clustering method as a column (paper's four first). Upper block: "
         f"R{q[0]:g}/R{q[1]:g} (mean over seeds); lower block: SMAPE mean (sd).\n\n"
         + slash_markdown(tm4) + "\n" + to_markdown(tm5.set_axis([f"{d} {f}" for d, f in tm5.index]), best="row"),
         smk.output.methods_md, header)
write_tsv(t4, smk.output.table4, header)
write_tsv(t5, smk.output.table5, header)
write_md(f"Table 4: R{q[0]:g}/R{q[1]:g} of the macro forecast (mean over seeds); lower is better; "
         f"settings chosen on the validation window ({Path(smk.output.selection).name}).\n\n" + slash_markdown(t4),
         smk.output.table4_md, header)
flat = t5.copy()
flat.index = [f"{d} {f}" for d, f in flat.index]
flat.index.name = "dataset forecaster"
write_md("Table 5: SMAPE of the macro forecast, mean (sd) over seeds; lower is better.\n\n"
         + to_markdown(flat, best="row"), smk.output.table5_md, header)
log.info("\n%s\n%s", t4.to_string(), t5.to_string())

# Every cell the paper also has, with ours / paper - 1 (the "within 15 %" check, computed).
tol = float(rd["paper_tolerance"])
comp = compare_to_paper(selected, tol, dict(smk.params.kinds))
write_tsv(comp, smk.output.comparison, header, index=False, float_format="%.6g")
write_md(comparison_markdown(comp, tol), smk.output.comparison_md, header)
log.info("paper comparison: %d of %d cells within %.0f%%", int(comp["within_tol"].sum()), len(comp), 100 * tol)

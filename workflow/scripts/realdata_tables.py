"""Tables 4 and 5 (real data) with validation-based selection, and the K-sensitivity figures (paper Figure 1)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from mixseq.report.figures import save  # noqa: E402
from mixseq.report.paper import compare_to_paper, comparison_markdown  # noqa: E402
from mixseq.report.tables import (  # noqa: E402
    base_name,
    select_on_validation,
    slash_markdown,
    table4,
    table5,
    to_markdown,
)
from mixseq.runtime import setup  # noqa: E402
from mixseq.utils import atomic_path  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
rd = smk.params.realdata
scores = pd.concat([pd.read_csv(f, sep="\t") for f in smk.input.scores], ignore_index=True)
selection, selected = select_on_validation(scores, rd.get("selection_metric", "r0.5"))
with atomic_path(smk.output.selection) as tmp:
    selection.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
with atomic_path(smk.output.scores) as tmp:
    selected.to_csv(tmp, sep="\t", index=False, float_format="%.6g")

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
with atomic_path(smk.output.methods) as tmp:
    tm.to_csv(tmp, sep="\t")
with atomic_path(smk.output.methods_md) as tmp:
    tmp.write_text("Every clustering method as a column (paper's four first). Upper block: "
                   f"R{q[0]:g}/R{q[1]:g} (mean over seeds); lower block: SMAPE mean (sd).\n\n"
                   + slash_markdown(tm4) + "\n" + to_markdown(tm5.set_axis([f"{d} {f}" for d, f in tm5.index]),
                                                              best="row"))
with atomic_path(smk.output.table4) as tmp:
    t4.to_csv(tmp, sep="\t")
with atomic_path(smk.output.table5) as tmp:
    t5.to_csv(tmp, sep="\t")
with atomic_path(smk.output.table4_md) as tmp:
    tmp.write_text(f"Table 4: R{q[0]:g}/R{q[1]:g} of the macro forecast (mean over seeds); lower is better; "
                   "settings chosen on the validation window (results/selection.tsv).\n\n" + slash_markdown(t4))
with atomic_path(smk.output.table5_md) as tmp:
    flat = t5.copy()
    flat.index = [f"{d} {f}" for d, f in flat.index]
    flat.index.name = "dataset forecaster"
    tmp.write_text("Table 5: SMAPE of the macro forecast, mean (sd) over seeds; lower is better.\n\n"
                   + to_markdown(flat, best="row"))
log.info("\n%s\n%s", t4.to_string(), t5.to_string())

# Every cell the paper also has, with ours / paper - 1 (the "within 15 %" check, computed).
tol = float(rd.get("paper_tolerance", 0.15))
comp = compare_to_paper(selected, tol, dict(smk.params.kinds))
with atomic_path(smk.output.comparison) as tmp:
    comp.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
with atomic_path(smk.output.comparison_md) as tmp:
    tmp.write_text(comparison_markdown(comp, tol))
log.info("paper comparison: %d of %d cells within %.0f%%", int(comp["within_tol"].sum()), len(comp), 100 * tol)

# Figure 1: R_rho of MixSeq + ConvTrans vs K (test scores, no selection), Macro as dashed lines.
sens = smk.params.sensitivity
method, fc = sens.get("method", "mixseq"), sens.get("forecaster", "convtrans")
test = scores[scores["split"] == "test"].assign(mb=lambda d: d.method.map(base_name),
                                                  fb=lambda d: d.forecaster.map(base_name))
for ds, path in zip(datasets, smk.output.figures, strict=True):
    fig, axes = plt.subplots(1, len(q), figsize=(4.5 * len(q), 3.2), squeeze=False)
    sub = test[(test.dataset == ds) & (test.fb == fc) & (test.forecaster == fc)]
    curve = sub[sub.method == method].groupby("k")[[f"r{x:g}" for x in q]].agg(["mean", "std"])
    macro = sub[sub.mb == "macro"][[f"r{x:g}" for x in q]].mean()
    for ax, rho in zip(axes[0], q, strict=True):
        col = f"r{rho:g}"
        if len(curve):
            ax.errorbar(curve.index, curve[(col, "mean")], yerr=curve[(col, "std")].fillna(0), marker="o",
                        capsize=3, label=f"{method} + {fc}")
            ax.set_xticks(list(curve.index))
        if macro.notna().all():
            ax.axhline(macro[col], ls="--", color="grey", label="Macro (K=1)")
        ax.set_xlabel("number of clusters K")
        ax.set_ylabel(f"R{rho:g}")
        ax.set_title(f"{ds}: R{rho:g} vs K")
    axes[0][0].legend(fontsize=8)
    save(fig, path)

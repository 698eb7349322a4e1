"""Paper Figure 1 for one dataset: R_rho of the sensitivity method + forecaster vs K (test scores, no selection),
Macro as dashed lines."""


import matplotlib.pyplot as plt
import pandas as pd
from _bootstrap import start

from mixseq.report.figures import save
from mixseq.report.tables import base_name

smk, log = start()
ds = smk.wildcards.dataset
q = tuple(smk.params.quantiles[:2])
sens = smk.params.sensitivity
method, fc = sens["method"], sens["forecaster"]
scores = pd.concat([pd.read_csv(f, sep="\t") for f in smk.input.scores], ignore_index=True)
test = scores[scores["split"] == "test"].assign(mb=lambda d: d.method.map(base_name),
                                                  fb=lambda d: d.forecaster.map(base_name))
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
save(fig, smk.output[0])
log.info("wrote %s (%d K values)", smk.output[0], len(curve))

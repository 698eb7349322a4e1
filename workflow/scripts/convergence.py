"""results/convergence.tsv from the clustering training logs (no re-runs); the figures are convergence_figure.

Run by two rules: `convergence` (the table over every configured dataset) and `convergence_figure` (Supplement
Figure 1 for one dataset). The log files come from the rule (params.logs), never parsed back from paths.
"""


import matplotlib.pyplot as plt
import pandas as pd
from _bootstrap import start

from mixseq.provenance import table_header, write_tsv
from mixseq.report.convergence import summarise_curve
from mixseq.report.figures import save

smk, log = start()
cfg = smk.params.cfg
tol = float(cfg["tol"])
if smk.rule == "convergence_figure":
    ds, logs = smk.wildcards.dataset, smk.params.logs  # {method: train log}
    fig, axes = plt.subplots(1, len(logs), figsize=(4.2 * len(logs), 3.2), squeeze=False)
    for ax, (method, path) in zip(axes[0], logs.items(), strict=True):
        summarise_curve(pd.read_csv(path, sep="\t"), method, tol, ax)
    fig.suptitle(f"{ds}: clustering objective vs wall-clock time (K={cfg['k']}, seed {smk.params.seed})")
    save(fig, smk.output[0])
    log.info("wrote %s", smk.output[0])
else:
    rows = []
    for ds, logs in smk.params.logs.items():  # {dataset: {method: train log}}
        for method, path in logs.items():
            stats = summarise_curve(pd.read_csv(path, sep="\t"), method, tol)
            rows.append({"dataset": ds, "method": method, "k": cfg["k"], **stats})
    tab = pd.DataFrame(rows)
    write_tsv(tab, smk.output.table, table_header(smk.params.fingerprint, smk.params.data), index=False,
              float_format="%.6g")
    log.info("\n%s", tab.to_string())

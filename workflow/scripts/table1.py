"""Paper Table 1 (toy study) and a figure of one window: macro truth vs macro and clustered forecasts."""

import matplotlib.pyplot as plt
import pandas as pd
from _bootstrap import start

from mixseq.data.panel import read_panel
from mixseq.experiments.rolling import frame_to_arrays
from mixseq.provenance import table_header, write_md, write_tsv
from mixseq.report.figures import forecast_window_panel, save
from mixseq.report.tables import table1, to_markdown

smk, log = start()
scores = pd.concat([pd.read_csv(f, sep="\t") for f in smk.input.scores], ignore_index=True)
columns = dict(smk.params.columns)
tab = table1(scores, columns)
header = table_header(smk.params.fingerprint, smk.params.data)
write_tsv(tab, smk.output.table, header)
write_md("Table 1: SMAPE of the macro forecast, mean (sd) over trials; lower is better.\n\n"
         + to_markdown(tab, best="col"), smk.output.markdown, header)
log.info("\n%s", tab.to_string())

# Figure: one window (the middle origin) per dataset, first seed.
files = smk.params.figure_files  # {dataset: {"macro", "truth": forecasts, "panel": panel}} (paths from the rule)
fig, axes = plt.subplots(1, len(columns), figsize=(4.2 * len(columns), 3.4), squeeze=False)
for ax, (title, ds) in zip(axes[0], columns.items(), strict=True):
    fc = {}
    truth = None
    for method, label in (("macro", "macro"), ("truth", "clustered")):
        origins, samples, tr = frame_to_arrays(pd.read_parquet(files[ds][method]))
        mid = len(origins) // 2
        fc[label] = samples[mid]
        truth = tr[mid]
    panel = read_panel(files[ds]["panel"])
    history = panel.macro()[: panel.index_of(origins[mid])]
    forecast_window_panel(ax, history, truth, fc, f"{title} (origin {origins[mid]})")
axes[0][0].legend(fontsize=7, loc="best")
fig.suptitle("Macro truth vs sum of cluster forecasts (one rolling window, first seed)")
save(fig, smk.output.figure)

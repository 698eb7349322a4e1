"""Paired significance of every method against Macro over the selected runs' test windows; table and figure."""

import pandas as pd
from _bootstrap import start

from mixseq.evaluate.significance import holm_table, plot_significance, significance_table, window_losses
from mixseq.provenance import table_header, write_tsv
from mixseq.report.tables import select_on_validation

smk, log = start()
cfg = smk.params.cfg  # defaults filled from config/schema.yaml
# the same selection as Tables 4/5 (rule realdata_tables writes it to selection.tsv): best validation score
scores = pd.concat([pd.read_csv(f, sep="\t") for f in smk.input.scores], ignore_index=True)
selection, _ = select_on_validation(scores, smk.params.selection_metric)
chosen = {(r.dataset, r.method, int(r.k), r.forecaster, int(r.seed)): (r.method_base, r.forecaster_base)
          for r in selection.itertuples()}
frames = []
for ds, method, k, forecaster, seed, path in smk.params.runs:
    key = (ds, method, int(k), forecaster, int(seed))
    if key not in chosen:
        continue
    losses = window_losses(path, smk.params.quantiles)
    method_base, forecaster_base = chosen[key]
    frames.append(losses.assign(dataset=ds, method=method_base, forecaster=forecaster_base, k=int(k), seed=int(seed)))
if len(frames) != len(chosen):
    raise ValueError(f"{len(chosen)} runs selected on validation, but forecasts found for {len(frames)}")
losses = pd.concat(frames, ignore_index=True)
tables = []
for ds, part in losses.groupby("dataset", sort=False):
    ev = smk.params.evaluation[ds]
    tables.append(significance_table(part, horizon=int(ev["horizon"]), stride=int(ev["stride"]), test=cfg["test"],
                                     alpha=float(cfg["alpha"]), n_boot=int(cfg["n_boot"]), seed=int(cfg["seed"]),
                                     unit=cfg["unit"], holm_family=cfg["holm_family"]))
table = pd.concat(tables, ignore_index=True)
if cfg["unit"] == "windows_and_seeds" and (table["unit"] == "windows").any():
    few = table.loc[table["unit"] == "windows", ["dataset", "forecaster", "method"]].drop_duplicates()
    log.warning("%d comparisons have fewer than 2 seeds in an arm: tested over windows only, the fits taken as "
                "fixed (column unit = windows): %s", len(few),
                ", ".join("/".join(map(str, r)) for r in few.itertuples(index=False)))
holm_table(table, cfg["holm_family"])  # over the whole table, all datasets
if table["identical"].any():
    log.info("%d of %d comparisons have identical losses in every window (p = 1 by construction)%s",
             int(table["identical"].sum()), len(table),
             ": left out of Holm's family (significance.holm_family: testable)"
             if cfg["holm_family"] == "testable" else "")
header = table_header(smk.params.fingerprint, smk.params.data)
write_tsv(table, smk.output.table, header, index=False, float_format="%.6g")
plot_significance(table, smk.output.figure, alpha=float(cfg["alpha"]))
log.info("%d comparisons (%s test, unit %s, Holm over %d), %d significant after Holm at %g\n%s", len(table),
         cfg["test"], cfg["unit"], int(table["in_holm"].sum()),
         int((table["p_holm"] < float(cfg["alpha"])).sum()), float(cfg["alpha"]),
         table[["dataset", "forecaster", "method", "metric", "macro", "value", "diff", "p_holm"]].to_string())

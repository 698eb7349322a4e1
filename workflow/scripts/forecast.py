"""Forecast each clustered series on rolling windows of the test interval; store summed macro samples."""

from pathlib import Path

import numpy as np
import pandas as pd
from _bootstrap import start, torch_runtime

from mixseq.data.panel import read_panel
from mixseq.experiments.rolling import rolling_forecast
from mixseq.forecast.base import entry
from mixseq.options import base_name
from mixseq.utils import atomic_path, seed_everything

smk, log = start()
seed = int(smk.wildcards.seed)
k = int(smk.wildcards.K)
seed_everything(seed)

panel = read_panel(smk.input.panel)
# keep_default_na=False: series ids such as "NA", "null", "None" stay ids
assign = pd.read_csv(smk.input.assignments, sep="\t", dtype={"id": str}, keep_default_na=False)
if assign["id"].tolist() != panel.ids:
    raise ValueError(f"{smk.input.assignments}: ids do not match the panel {smk.input.panel}")
labels = assign["cluster"].to_numpy(np.int64)
if labels.min() < 0 or labels.max() >= k:
    raise ValueError(f"{smk.input.assignments}: cluster labels must lie in 0..{k - 1}")
clustered = panel.aggregate(labels, k)
ev = smk.params.evaluation
options = dict(smk.params.options)
neural = entry(base_name(smk.wildcards.forecaster)).torch
runtime = torch_runtime(smk, log, neural, f"forecaster {smk.wildcards.forecaster}")
if neural:
    options.setdefault("device", runtime["device"])
    options.setdefault("log_path", str(Path(smk.log[0]).with_suffix(".epochs.tsv")))
if smk.params.split == "val":
    # validation: models see only the data before the validation window (the last two months of train)
    start, end, train_end = panel.val_start_idx, panel.train_end_idx, panel.val_start_idx
else:
    start, end, train_end = panel.test_start_idx, panel.test_end_idx, panel.train_end_idx
log.info("split %s (frequency %s): forecasting periods %s..%s, training up to %s", smk.params.split, panel.freq,
         panel.dates[start], panel.dates[end - 1], panel.dates[train_end - 1])
result = rolling_forecast(
    clustered, panel.dates, test_start=start, test_end=end,
    train_end=train_end, horizon=int(ev["horizon"]), stride=int(ev["stride"]),
    n_samples=int(smk.params.n_samples), forecaster=base_name(smk.wildcards.forecaster), options=options,
    seed=seed,
    refit_every=int(ev["refit_every"]), log=log, freq=panel.freq, nonnegative=ev["nonnegative"],
)
wc = smk.wildcards
row = {"dataset": wc.dataset, "method": wc.method, "k": k, "forecaster": wc.forecaster, "seed": seed,
       "split": smk.params.split, "n_windows": len(result.origins), **result.scores(tuple(smk.params.quantiles))}
# wall time goes to the log and benchmarks/, not into the scores: same seed -> byte-identical score files
with atomic_path(smk.output.forecasts) as tmp:
    result.to_frame().to_parquet(tmp, index=False)
with atomic_path(smk.output.scores) as tmp:
    pd.DataFrame([row]).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
log.info("%d windows x %d clusters in %.1f s; scores %s", len(result.origins), k, result.seconds, row)

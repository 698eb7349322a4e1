"""Forecast the periods after the data end with the selected (or configured) candidate; table, clusters, figure."""

from pathlib import Path

import numpy as np
import pandas as pd
from _bootstrap import start, torch_runtime

from mixseq.data.frequency import freq_kind, season_length
from mixseq.data.panel import read_panel
from mixseq.experiments.future import choose_candidate, forecast_future, plot_future
from mixseq.forecast.base import entry
from mixseq.options import base_name
from mixseq.provenance import table_header, write_tsv
from mixseq.utils import atomic_path, seed_everything

PERIOD = {"h": "hour", "D": "day", "B": "business day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}

smk, log = start()
dataset = smk.wildcards.dataset
cfg = dict(smk.params.cfg)

if smk.params.fixed:
    cand = dict(smk.params.fixed, selected_by="config key 'future'", metric="", val_score=np.nan)
else:
    selection = pd.read_csv(smk.input.selection[0], sep="\t", comment="#")
    cand = choose_candidate(selection, dataset, {k: cfg.get(k) for k in ("method", "k", "forecaster")})
    cand["selected_by"] = f"lowest validation {cand['metric']} in {smk.input.selection[0]}"
log.info("candidate: %s", cand)
method, k, forecaster, seed = cand["method"], int(cand["k"]), cand["forecaster"], int(cand["seed"])
run = f"{method}/k{k}/seed{seed}"
if run not in smk.params.assignments:
    raise ValueError(f"future: no assignments file for the chosen run ({run}) among the inputs; "
                     f"is method '{method}' with K={k} among the realdata candidates of '{dataset}'?")
assignments = smk.params.assignments[run]
seed_everything(seed)

panel = read_panel(smk.input.panel)
assign = pd.read_csv(assignments, sep="\t", dtype={"id": str}, keep_default_na=False)  # ids "NA" stay ids
if assign["id"].tolist() != panel.ids:
    raise ValueError(f"{assignments}: ids do not match the panel {smk.input.panel}")
labels = assign["cluster"].to_numpy(np.int64)

base = base_name(forecaster)
if forecaster not in smk.params.forecasters:
    raise ValueError(f"future: forecaster '{forecaster}' has no entry in config key 'forecasters'")
options = dict(smk.params.forecasters[forecaster] or {})
uses_torch = entry(base).torch
runtime = torch_runtime(smk, log, uses_torch, f"forecaster {forecaster}")
if uses_torch:
    options.setdefault("device", runtime["device"])
    options.setdefault("log_path", str(Path(smk.log[0]).with_suffix(".epochs.tsv")))
horizon = int(smk.params.horizon)
fut = forecast_future(panel, labels, k, base, options, horizon, int(smk.params.n_samples), seed=seed, log=log,
                      nonnegative=smk.params.nonnegative)
frame = fut.to_frame(smk.params.quantiles)
fmt = "%Y-%m-%d %H:%M:%S" if freq_kind(panel.freq) == "h" else "%Y-%m-%d"
frame["date"] = pd.DatetimeIndex(frame["date"]).strftime(fmt)

header = table_header(smk.params.fingerprint, smk.params.data)
write_tsv(frame, smk.output.forecast, header, index=False, float_format="%.6g")
with atomic_path(smk.output.clusters) as tmp:
    pd.DataFrame({"id": panel.ids, "cluster": labels}).to_csv(tmp, sep="\t", index=False)
model = {"dataset": dataset, "method": method, "k": k, "forecaster": forecaster, "seed": seed,
         "selected_by": cand["selected_by"], "val_metric": cand.get("metric", ""), "val_score": cand.get("val_score"),
         "freq": panel.freq, "data_end": panel.dates[-1].strftime(fmt),
         "first_future": frame["date"].iloc[0], "horizon": horizon, "n_samples": int(smk.params.n_samples),
         "clustering": "assignments of the selected run (fitted on the training interval)"}
write_tsv(pd.DataFrame([model]), smk.output.model, header, index=False, float_format="%.6g")

period = PERIOD[freq_kind(panel.freq)]
n_hist = min(panel.n_days, max(3 * season_length(panel.freq), 4 * horizon))
units = cfg["units"]
plot_future(
    panel.macro(), panel.dates, fut.to_frame(),
    title=f"{dataset}: {method} (K={k}) + {forecaster}, {horizon} {period}s after the data end",
    ylabel=f"total {units} per {period} ({panel.n_series} series)",
    path=smk.output.figure, n_history=n_hist,
)
log.info("future of %s: %d %ss from %s; macro mean %s", dataset, horizon, period, frame["date"].iloc[0],
         np.round(fut.macro.mean(axis=0)[:5], 3).tolist())

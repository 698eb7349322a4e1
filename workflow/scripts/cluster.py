"""Cluster the microscopic series of one panel on its training interval."""

import time
from pathlib import Path

import pandas as pd
from _bootstrap import start, torch_runtime

from mixseq.cluster.base import entry, make_clusterer, methods_where
from mixseq.data.panel import read_panel, read_panel_meta
from mixseq.options import base_name
from mixseq.utils import atomic_path, scratch_path, seed_everything

smk, log = start()
seed = int(smk.wildcards.seed)
k = int(smk.wildcards.K)
method = base_name(smk.wildcards.method)  # a variant `mixseq__x` runs the base method with its options
seed_everything(seed)

options = dict(smk.params.options)
# stream: fit from the panel file (only the max_series subsample is held whole), assign every series in row
# batches; for panels too large to load (Wiki size). Methods whose registry entry has stream=True only.
stream = bool(options.pop("stream", False))
if stream and not entry(method).stream:
    raise ValueError(f"config methods.{smk.wildcards.method}.stream: streaming is implemented for "
                     f"{sorted(methods_where(stream=True))} only, not {method!r}")
if stream:
    meta = read_panel_meta(smk.input.panel)
    panel = None
    name, n_series = meta["name"], int(meta["n_series"])
else:
    panel = read_panel(smk.input.panel)
    name, n_series = panel.name, panel.n_series
if method == "macro" and k != 1:
    raise ValueError(f"method 'macro' means K=1, got k{k} in {smk.output.assignments}")
if method == "truth":
    assert panel is not None
    n_true = len(set(panel.labels.tolist())) if panel.labels is not None else None
    if n_true != k:
        raise ValueError(f"method 'truth' on '{name}' has {n_true} ground-truth clusters, got k{k}")
if k > n_series:
    raise ValueError(f"K={k} clusters requested but panel '{name}' has only {n_series} series")

for key, value in torch_runtime(smk, log, entry(method).torch, f"method {method}").items():
    options.setdefault(key, value)
model = make_clusterer(method, k, seed=seed, **options)
t0 = time.perf_counter()
# the log is written in a scratch dir outside results/ and moved in at the end: a kill leaves no temp file here
with scratch_path(smk.output.train_log) as tmp_log:
    if panel is None:
        log.info("fitting %s with K=%d, streaming %d series from %s (max_series=%s)", method, k, n_series,
                 smk.input.panel, options.get("max_series"))
        model.fit_stream(smk.input.panel, log_path=tmp_log)
        ids = list(model.ids_)
    else:
        train = panel.values[:, : panel.train_end_idx]
        log.info("fitting %s with K=%d on %d series x %d training days", method, k, *train.shape)
        model.fit(train, dates=panel.dates[: panel.train_end_idx], log_path=tmp_log, labels_true=panel.labels,
                  **({"ids": panel.ids} if getattr(model, "needs_ids", False) else {}))
        ids = panel.ids
    if not tmp_log.stat().st_size:
        tmp_log.write_text("note\nno iterative training for this method\n")
seconds = time.perf_counter() - t0
labels = model.labels_
# model/model.pt (torch), .pkl (pickled), .npz (mixarma) or .txt (no state): the suffix says how to read it
with atomic_path(Path(smk.output.model) / f"model{model.model_suffix}") as tmp:
    model.save(tmp)
with atomic_path(smk.output.assignments) as tmp:
    pd.DataFrame({"id": ids, "cluster": labels}).to_csv(tmp, sep="\t", index=False)
sizes = pd.Series(labels).value_counts().sort_index().to_dict()
log.info("done in %.2f s; cluster sizes %s", seconds, sizes)
if len(sizes) < k:  # a collapsed clustering: realdata_tables marks the cells that use it
    log.warning("collapsed clustering: %d non-empty clusters of K=%d (sizes %s) for %s %s seed %d", len(sizes), k,
                "/".join(str(c) for c in sorted(sizes.values(), reverse=True)), name, smk.wildcards.method, seed)

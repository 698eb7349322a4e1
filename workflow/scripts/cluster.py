"""Cluster the microscopic series of one panel on its training interval."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

import time  # noqa: E402

import pandas as pd  # noqa: E402

from mixseq.cluster import make_clusterer  # noqa: E402
from mixseq.data.panel import read_panel  # noqa: E402
from mixseq.runtime import setup  # noqa: E402
from mixseq.utils import atomic_path, seed_everything, set_torch_threads, torch_device  # noqa: E402

#: methods built on torch (keep in sync with TORCH_METHODS in workflow/rules/common.smk)
TORCH_METHODS = {"mixseq", "dtcr"}

smk = snakemake  # noqa: F821
log = setup(smk)
set_torch_threads(smk.threads)
seed = int(smk.wildcards.seed)
k = int(smk.wildcards.K)
method = smk.wildcards.method.split("__")[0]  # a variant `mixseq__x` runs the base method with its options
seed_everything(seed)

panel = read_panel(smk.input.panel)
if method == "macro" and k != 1:
    raise ValueError(f"method 'macro' means K=1, got k{k} in {smk.output.assignments}")
if method == "truth":
    n_true = len(set(panel.labels.tolist())) if panel.labels is not None else None
    if n_true != k:
        raise ValueError(f"method 'truth' on '{panel.name}' has {n_true} ground-truth clusters, got k{k}")
if k > panel.n_series:
    raise ValueError(f"K={k} clusters requested but panel '{panel.name}' has only {panel.n_series} series")

train = panel.values[:, : panel.train_end_idx]
options = dict(smk.params.options)
# "auto" resolves to cuda when a GPU is visible (on SLURM: when the job got --gpus), else cpu; "cuda" without a
# GPU fails here, before any training.
if method in TORCH_METHODS:
    device = torch_device(smk.params.device)
    log.info("device: %s (config device=%s, gpu resource=%s)", device, smk.params.device, smk.resources.get("gpu", 0))
    options.setdefault("device", device)
    options.setdefault("threads", smk.threads)
else:
    log.info("device: cpu (method %s does not use torch)", method)
model = make_clusterer(method, k, seed=seed, **options)
log.info("fitting %s with K=%d on %d series x %d training days", method, k, *train.shape)
t0 = time.perf_counter()
with atomic_path(smk.output.train_log) as tmp_log:
    model.fit(train, dates=panel.dates[: panel.train_end_idx], log_path=tmp_log, labels_true=panel.labels)
    if not tmp_log.stat().st_size:
        tmp_log.write_text("note\nno iterative training for this method\n")
seconds = time.perf_counter() - t0
labels = model.labels_
with atomic_path(smk.output.model) as tmp:
    model.save(tmp)
with atomic_path(smk.output.assignments) as tmp:
    pd.DataFrame({"id": panel.ids, "cluster": labels}).to_csv(tmp, sep="\t", index=False)
sizes = pd.Series(labels).value_counts().sort_index().to_dict()
log.info("done in %.2f s; cluster sizes %s", seconds, sizes)

"""One trial of the §5.3 synthetic sensitivity: 3 ARMA components, cluster with K, forecast clusters with ARMA."""

import pandas as pd
from _bootstrap import start, torch_runtime

from mixseq.cluster.base import entry
from mixseq.experiments.clustering import sensitivity_trial
from mixseq.utils import atomic_path, seed_everything

smk, log = start()
seed, k = int(smk.wildcards.seed), int(smk.wildcards.K)
seed_everything(seed)
options = dict(smk.params.options)
options["method"] = smk.params.method
method = smk.params.method
for key, value in torch_runtime(smk, log, entry(method).torch, f"method {method}").items():
    options.setdefault(key, value)
res = sensitivity_trial(k, seed, options)
row = {"k": k, "seed": seed, "method": "macro" if k == 1 else smk.params.method, **res}
with atomic_path(smk.output[0]) as tmp:
    pd.DataFrame([row]).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
log.info("%s", row)

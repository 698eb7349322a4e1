"""One trial of Table 2: cluster a synthetic ARMA or DeepAR mixture, Rand index on it and on new series."""

import pandas as pd
from _bootstrap import start, torch_runtime

from mixseq.cluster.base import entry
from mixseq.experiments.clustering import table2_trial
from mixseq.utils import atomic_path, seed_everything

smk, log = start()
wc = smk.wildcards
seed = int(wc.seed)
seed_everything(seed)
options = {**smk.params.data_options, **smk.params.options}
for key, value in torch_runtime(smk, log, entry(wc.method).torch, f"method {wc.method}").items():
    options.setdefault(key, value)
if wc.data == "deepar":
    options["base_state"] = smk.input.base[0]
res = table2_trial(wc.data, int(wc.n), seed, wc.method, options)
row = {"data": wc.data, "n_clusters": int(wc.n), "method": wc.method, "seed": seed, **res}
with atomic_path(smk.output[0]) as tmp:
    pd.DataFrame([row]).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
log.info("%s", row)

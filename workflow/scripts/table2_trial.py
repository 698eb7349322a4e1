"""One trial of Table 2: cluster a synthetic ARMA or DeepAR mixture, Rand index on it and on new series."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

import pandas as pd  # noqa: E402

from mixseq.cluster.base import entry  # noqa: E402
from mixseq.experiments.clustering import table2_trial  # noqa: E402
from mixseq.runtime import setup  # noqa: E402
from mixseq.utils import atomic_path, seed_everything, set_torch_threads  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
set_torch_threads(smk.threads)
wc = smk.wildcards
seed = int(wc.seed)
seed_everything(seed)
options = {**smk.params.data_options, **smk.params.options}
if entry(wc.method).torch:
    options.setdefault("device", smk.config["device"])
    options.setdefault("threads", smk.threads)
if wc.data == "deepar":
    options["base_state"] = smk.input.base[0]
res = table2_trial(wc.data, int(wc.n), seed, wc.method, options)
row = {"data": wc.data, "n_clusters": int(wc.n), "method": wc.method, "seed": seed, **res}
with atomic_path(smk.output[0]) as tmp:
    pd.DataFrame([row]).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
log.info("%s", row)

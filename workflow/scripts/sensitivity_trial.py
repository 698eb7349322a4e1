"""One trial of the §5.3 synthetic sensitivity: 3 ARMA components, cluster with K, forecast clusters with ARMA."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

import pandas as pd  # noqa: E402

from mixseq.cluster.base import entry  # noqa: E402
from mixseq.experiments.clustering import sensitivity_trial  # noqa: E402
from mixseq.runtime import setup  # noqa: E402
from mixseq.utils import atomic_path, seed_everything, set_torch_threads  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
set_torch_threads(smk.threads)
seed, k = int(smk.wildcards.seed), int(smk.wildcards.K)
seed_everything(seed)
options = dict(smk.params.options)
options["method"] = smk.params.method
if entry(smk.params.method).torch:
    options.setdefault("device", smk.config["device"])
    options.setdefault("threads", smk.threads)
res = sensitivity_trial(k, seed, options)
row = {"k": k, "seed": seed, "method": "macro" if k == 1 else smk.params.method, **res}
with atomic_path(smk.output[0]) as tmp:
    pd.DataFrame([row]).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
log.info("%s", row)

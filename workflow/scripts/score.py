"""Score one run: SMAPE of the mean macro forecast and pooled R_rho of its sample quantiles."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

import pandas as pd  # noqa: E402

from mixseq.evaluate.metrics import point_forecast, quantile_loss, sample_quantiles, smape  # noqa: E402
from mixseq.evaluate.rolling import frame_to_arrays  # noqa: E402
from mixseq.runtime import setup  # noqa: E402
from mixseq.utils import atomic_path  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
wc = smk.wildcards
origins, samples, truth = frame_to_arrays(pd.read_parquet(smk.input[0]))
row = {"dataset": wc.dataset, "method": wc.method, "k": int(wc.K), "forecaster": wc.forecaster,
       "seed": int(wc.seed), "split": smk.params.split, "n_windows": len(origins),
       "smape": smape(truth, point_forecast(samples))}
for rho in smk.params.quantiles:
    row[f"r{rho:g}"] = quantile_loss(truth, sample_quantiles(samples, rho), rho)
with atomic_path(smk.output[0]) as tmp:
    pd.DataFrame([row]).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
log.info("%s", row)

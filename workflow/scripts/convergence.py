"""Supplement Figure 1 and results/convergence.tsv from the clustering training logs (no re-runs)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from mixseq.report.convergence import summarise_curve  # noqa: E402
from mixseq.report.figures import save  # noqa: E402
from mixseq.runtime import setup  # noqa: E402
from mixseq.utils import atomic_path  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
cfg = smk.params.cfg
rows = []
figures = dict(zip(cfg["datasets"], smk.output.figures, strict=True))
for ds in cfg["datasets"]:
    fig, axes = plt.subplots(1, len(cfg["methods"]), figsize=(4.2 * len(cfg["methods"]), 3.2), squeeze=False)
    for ax, method in zip(axes[0], cfg["methods"], strict=True):
        path = next(p for p in smk.input.logs if Path(p).parts[1] == ds and Path(p).parts[3] == method)
        stats = summarise_curve(pd.read_csv(path, sep="\t"), method, float(cfg.get("tol", 0.01)), ax)
        rows.append({"dataset": ds, "method": method, "k": cfg["k"], **stats})
    fig.suptitle(f"{ds}: clustering objective vs wall-clock time (K={cfg['k']}, seed {smk.params.seed})")
    save(fig, figures[ds])
tab = pd.DataFrame(rows)
with atomic_path(smk.output.table) as tmp:
    tab.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
log.info("\n%s", tab.to_string())

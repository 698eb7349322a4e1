"""Generate one trial's synthetic mixture panel (toy study, §3.2 / supplement D.2)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from mixseq.data.panel import write_panel  # noqa: E402
from mixseq.data.synthetic import make_toy_panel  # noqa: E402
from mixseq.runtime import setup  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
cfg = smk.params.cfg
panel = make_toy_panel(cfg["kind"], int(cfg["n_components"]), int(smk.wildcards.seed), name=smk.wildcards.dataset,
                       **(cfg.get("options") or {}))
write_panel(panel, smk.output[0])
log.info("wrote %s: %d series x %d days", smk.output[0], panel.n_series, panel.n_days)

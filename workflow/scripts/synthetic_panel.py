"""Generate one trial's synthetic mixture panel (toy study, §3.2 / supplement D.2)."""

from _bootstrap import start

from mixseq.data.panel import write_panel
from mixseq.data.synthetic import make_toy_panel

smk, log = start()
cfg = smk.params.cfg
panel = make_toy_panel(cfg["kind"], int(cfg["n_components"]), int(smk.wildcards.seed), name=smk.wildcards.dataset,
                       **(cfg.get("options") or {}))
write_panel(panel, smk.output[0])
log.info("wrote %s: %d series x %d days", smk.output[0], panel.n_series, panel.n_days)

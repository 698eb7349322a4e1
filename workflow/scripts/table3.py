"""Paper Table 3 (dataset summary) computed from the panels (the macro figures are rule macro_figure)."""

from _bootstrap import start

from mixseq.data.panel import read_panel
from mixseq.provenance import table_header, write_tsv
from mixseq.report.table3 import table3

smk, log = start()
panels = {name: read_panel(p) for name, p in zip(smk.params.datasets, smk.input.panels, strict=True)}
tab = table3(panels)
write_tsv(tab, smk.output.table, table_header(smk.params.fingerprint, smk.params.data), index=False)
log.info("\n%s", tab.to_string())

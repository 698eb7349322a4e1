"""Paper Table 3 (dataset summary) computed from the panels (the macro figures are rule macro_figure)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from mixseq.data.panel import read_panel  # noqa: E402
from mixseq.provenance import table_header, write_tsv  # noqa: E402
from mixseq.report.table3 import table3  # noqa: E402
from mixseq.runtime import setup  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
panels = {name: read_panel(p) for name, p in zip(smk.params.datasets, smk.input.panels, strict=True)}
tab = table3(panels)
write_tsv(tab, smk.output.table, table_header(smk.params.fingerprint, smk.params.data), index=False)
log.info("\n%s", tab.to_string())

"""Paper Table 3 (dataset summary) computed from the panels, and one macro figure per dataset."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from mixseq.data.panel import read_panel  # noqa: E402
from mixseq.report.table3 import plot_macro, table3  # noqa: E402
from mixseq.runtime import setup  # noqa: E402
from mixseq.utils import atomic_path  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
panels = {Path(p).parent.name: read_panel(p) for p in smk.input.panels}
tab = table3(panels)
with atomic_path(smk.output.table) as tmp:
    tab.to_csv(tmp, sep="\t", index=False)
log.info("\n%s", tab.to_string())
for name, fig in zip(panels, smk.output.figures, strict=True):
    plot_macro(panels[name], fig)

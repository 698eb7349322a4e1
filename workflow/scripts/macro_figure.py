"""The macro (total) series of one real dataset with its train/validation/test split (Table 3's companion)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from mixseq.data.panel import read_panel  # noqa: E402
from mixseq.report.table3 import plot_macro  # noqa: E402
from mixseq.runtime import setup  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
plot_macro(read_panel(smk.input.panel), smk.output[0])
log.info("wrote %s", smk.output[0])

"""The macro (total) series of one real dataset with its train/validation/test split (Table 3's companion)."""

from _bootstrap import start

from mixseq.data.panel import read_panel
from mixseq.report.table3 import plot_macro

smk, log = start()
plot_macro(read_panel(smk.input.panel), smk.output[0])
log.info("wrote %s", smk.output[0])

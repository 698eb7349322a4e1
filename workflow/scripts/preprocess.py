"""Build the microscopic panel of a real dataset from its raw files."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from mixseq.data.sources import preprocess  # noqa: E402
from mixseq.runtime import setup  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
panel = preprocess(smk.params.kind, smk.params.raw_dir, smk.params.options, smk.wildcards.dataset, smk.output[0],
                   horizon=smk.params.get("horizon"))
log.info("%s: %d series x %d days, splits %s", panel.name, panel.n_series, panel.n_days, panel.splits)
for note in panel.meta.get("notes", []):
    log.info("note: %s", note)

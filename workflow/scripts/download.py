"""Fetch one raw file from the mirror or its real source; verify its sha256; write atomically."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from mixseq.data.download import fetch  # noqa: E402
from mixseq.runtime import setup  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
fetch(smk.wildcards.file, smk.output[0], sha256=smk.params.sha256, mirror=smk.params.mirror,
      remote=smk.params.remote, log=log, subdir=smk.params.subdir, max_bytes=smk.params.get("max_bytes"))

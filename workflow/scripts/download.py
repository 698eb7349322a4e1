"""Fetch one raw file from the mirror or its real source; verify its sha256; write atomically; record the sha256
of the bytes written in the sidecar <file>.sha256 (re-verified by preprocess before every use)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from mixseq.data.download import fetch  # noqa: E402
from mixseq.provenance import file_sha256, write_sidecar  # noqa: E402
from mixseq.runtime import setup  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
fetch(smk.wildcards.file, smk.output.raw, sha256=smk.params.sha256, mirror=smk.params.mirror,
      remote=smk.params.remote, log=log, subdir=smk.params.subdir, max_bytes=smk.params.max_bytes)
write_sidecar(smk.output.raw, file_sha256(smk.output.raw))

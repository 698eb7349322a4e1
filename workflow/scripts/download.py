"""Fetch one raw file from the mirror or its real source; verify its sha256; write atomically; record the sha256
of the bytes written in the sidecar <file>.sha256 (re-verified by preprocess before every use)."""


from _bootstrap import start

from mixseq.data.download import fetch
from mixseq.provenance import file_sha256, write_sidecar

smk, log = start()
fetch(smk.wildcards.file, smk.output.raw, sha256=smk.params.sha256, mirror=smk.params.mirror,
      remote=smk.params.remote, log=log, subdir=smk.params.subdir, max_bytes=smk.params.max_bytes)
write_sidecar(smk.output.raw, file_sha256(smk.output.raw))

"""Build the microscopic panel of a real dataset from its raw files, after re-verifying their sha256 (configured,
or recorded at fetch time): a raw copy changed after download stops here, naming the file and both hashes."""


from _bootstrap import start

from mixseq.data.sources import preprocess
from mixseq.provenance import verify_raw_files

smk, log = start()
verify_raw_files(smk.input.raw, smk.params.sha256)
log.info("sha256 of %d raw files verified", len(smk.input.raw))
panel = preprocess(smk.params.kind, smk.params.raw_dir, smk.params.options, smk.wildcards.dataset, smk.output[0],
                   horizon=smk.params.horizon)
log.info("%s: %d series x %d days, splits %s", panel.name, panel.n_series, panel.n_days, panel.splits)
for note in panel.meta.get("notes", []):
    log.info("note: %s", note)

"""Pipeline benchmark of a run: its per-job benchmark files summed per rule family, with the critical path."""

from _bootstrap import start

from mixseq.report.benchmarks import collect, summarise, to_markdown
from mixseq.utils import atomic_path

smk, log = start()
jobs = collect(smk.params.bench_dir)
table, chain = summarise(jobs)
with atomic_path(smk.output.table) as tmp:
    table.to_csv(tmp, sep="\t", index=False, float_format="%.2f")
with atomic_path(smk.output.markdown) as tmp:
    tmp.write_text(to_markdown(table, chain, smk.params.run))
log.info("%d benchmark files of %s\n%s", len(jobs), smk.params.bench_dir, table.to_string(index=False))

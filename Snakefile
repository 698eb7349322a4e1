# mixseq-workflow: reproduce MixSeq (NeurIPS 2021) and apply it to your own microscopic data.
# Flow: download -> preprocess -> cluster -> forecast (rolling windows) -> aggregate -> score -> tables/figures.
import sys

from snakemake.utils import min_version, validate

sys.path.insert(0, f"{workflow.basedir}/src")
from mixseq.config_check import iso_dates  # noqa: E402

min_version("9.0")


# The paper's settings are the default. A --configfile given on the command line *replaces* them (Snakemake would
# otherwise merge nested keys such as `datasets` of both files); several --configfile files are merged in order, so
# an overlay is given after the file it changes (`--configfile config/config.yaml config/paper_cpu.yaml`);
# --config still overrides.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


# YAML reads an unquoted 2021-10-31 as a date: the schema and the loaders get its ISO string.
config.update(iso_dates(dict(config)))
validate(config, "config/schema.yaml")


# `snakemake --report results/report.html`: captions per table/figure live next to this page.
report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/datasets.smk"
include: "workflow/rules/cluster.smk"
include: "workflow/rules/synthetic_clustering.smk"
include: "workflow/rules/forecast.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/future_common.smk"
include: "workflow/rules/future.smk"
include: "workflow/rules/significance.smk"
include: "workflow/rules/benchmarks.smk"


rule all:
    input:
        targets=all_targets(),
        # a deleted intermediate is rebuilt (and everything downstream of it), see intermediate_files()
        intermediates=intermediate_files(),
    default_target: True

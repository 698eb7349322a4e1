# Pipeline benchmark: the per-job benchmark files of the run (benchmarks/<run>/**.tsv) summed per rule family,
# with the critical path (mixseq.report.benchmarks). Not part of `all`: ask for it after a run,
#   snakemake --cores 1 pipeline_benchmark
# It reads the benchmark files that exist when the DAG is built; its input is a stamp listing them (path, size,
# mtime), so asking for this target never reruns a job, and a job that finishes later makes the summary outdated.


localrules:
    pipeline_benchmark,


rule pipeline_benchmark:
    input:
        benchmark_listing,
    output:
        table=res_path("benchmarks/pipeline.tsv"),
        markdown=res_path("benchmarks/pipeline.md"),
    params:
        bench_dir=bench_path(""),
        run=RUN,
    log:
        log_path("pipeline_benchmark.log"),
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/bench_pipeline.py"

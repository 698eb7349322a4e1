# Real datasets: raw files (mirror or real source, sha256-checked) -> panel -> Table 3 and macro figures.


rule download:
    output:
        "resources/{dataset}/raw/{file}",
    params:
        sha256=lambda wc: (dataset_cfg(wc.dataset).get("sha256") or {}).get(wc.file),
        mirror=config.get("mirror"),
        remote=lambda wc: dataset_remote(wc.dataset, wc.file),
        subdir=lambda wc: dataset_cfg(wc.dataset).get("mirror_subdir", dataset_cfg(wc.dataset)["kind"]),
        max_bytes=config.get("max_download_bytes", 50_000_000_000),
    log:
        "logs/download/{dataset}/{file}.log",
    benchmark:
        "benchmarks/download/{dataset}/{file}.tsv"
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/download.py"


rule preprocess:
    input:
        raw=real_raw_files,
    output:
        "results/{dataset}/panel.parquet",
    params:
        kind=lambda wc: dataset_cfg(wc.dataset)["kind"],
        options=lambda wc: preprocess_options(config, wc.dataset),
        horizon=lambda wc: evaluation_cfg(wc.dataset)["horizon"],
        raw_dir=lambda wc: f"resources/{wc.dataset}/raw",
    log:
        "logs/preprocess/{dataset}.log",
    benchmark:
        "benchmarks/preprocess/{dataset}.tsv"
    threads: 1
    resources:
        mem_mb=8000,
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/preprocess.py"


rule table3:
    input:
        panels=lambda wc: [f"results/{ds}/panel.parquet" for ds in real_datasets()],
    output:
        table=report("results/table3.tsv", caption="../report/table3.rst", category="Datasets"),
        figures=report(
            expand("results/figures/macro_{dataset}.png", dataset=real_datasets()),
            caption="../report/macro.rst",
            category="Datasets",
        ),
    log:
        "logs/table3.log",
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/table3.py"

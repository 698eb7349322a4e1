# Real datasets: raw files (mirror or real source, sha256-checked) -> panel -> Table 3 and macro figures.


# Raw copies are shared by every run (resources/ has no run prefix); their stamp lives in resources/.stamps/ so a
# run with another source for the same dataset name fetches again. The sidecar <file>.sha256 records the sha256
# of the bytes written; preprocess re-verifies it (or the configured sha256) before every use.
rule download:
    input:
        stamp=download_stamp,
    output:
        raw="resources/{dataset}/raw/{file}",
        sha256="resources/{dataset}/raw/{file}.sha256",
    params:
        sha256=lambda wc: dataset_cfg(wc.dataset).get("sha256", {}).get(wc.file),
        mirror=config["mirror"],
        remote=lambda wc: dataset_remote(wc.dataset, wc.file),
        subdir=lambda wc: mirror_subdir(wc.dataset),
        max_bytes=config["max_download_bytes"],
    log:
        log_path("download/{dataset}/{file}.log"),
    benchmark:
        bench_path("download/{dataset}/{file}.tsv")
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/download.py"


rule preprocess:
    input:
        raw=real_raw_files,
        sha256=lambda wc: raw_sidecars(wc.dataset),
        stamp=lambda wc: stamp("preprocess", wc.dataset, preprocess_slice(wc.dataset)),
    output:
        res_path("{dataset}/panel.parquet"),
    params:
        kind=lambda wc: dataset_cfg(wc.dataset)["kind"],
        options=lambda wc: preprocess_options(config, wc.dataset),
        horizon=lambda wc: evaluation_cfg(wc.dataset)["horizon"],
        sha256=lambda wc: dict(dataset_cfg(wc.dataset).get("sha256", {})),
        raw_dir=lambda wc: raw_dir(wc.dataset),
    log:
        log_path("preprocess/{dataset}.log"),
    benchmark:
        bench_path("preprocess/{dataset}.tsv")
    threads: 1
    resources:
        mem_mb=8000,
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/preprocess.py"


rule table3:
    input:
        panels=lambda wc: [res_path(f"{ds}/panel.parquet") for ds in real_datasets()],
        data=lambda wc: data_inputs(real_datasets()),
        stamp=table_stamp("table3"),
    output:
        table=report(res_path("table3.tsv"), caption="../report/table3.rst", category="Datasets"),
    params:
        datasets=lambda wc: real_datasets(),
        fingerprint=table_fingerprint("table3"),
        data=lambda wc: data_spec(real_datasets()),
    log:
        log_path("table3.log"),
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/table3.py"


rule macro_figure:
    input:
        panel=res_path("{dataset}/panel.parquet"),
    output:
        report(res_path("figures/macro_{dataset}.png"), caption="../report/macro.rst", category="Datasets"),
    log:
        log_path("macro_figure/{dataset}.log"),
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/macro_figure.py"

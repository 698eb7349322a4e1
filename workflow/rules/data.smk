# Data: synthetic mixtures (toy study). Real datasets are in datasets.smk.


rule synthetic_panel:
    input:
        stamp=lambda wc: stamp("synthetic_panel", wc.dataset, dataset_cfg(wc.dataset)),
    output:
        res_path("{dataset}/seed{seed}/panel.parquet"),
    params:
        cfg=lambda wc: dataset_cfg(wc.dataset),
    log:
        log_path("synthetic_panel/{dataset}/seed{seed}.log"),
    benchmark:
        bench_path("synthetic_panel/{dataset}/seed{seed}.tsv")
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/synthetic_panel.py"

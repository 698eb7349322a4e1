# Data: synthetic mixtures (toy study). Real datasets are in datasets.smk.


rule synthetic_panel:
    output:
        "results/{dataset}/seed{seed}/panel.parquet",
    params:
        cfg=lambda wc: dataset_cfg(wc.dataset),
    log:
        "logs/synthetic_panel/{dataset}/seed{seed}.log",
    benchmark:
        "benchmarks/synthetic_panel/{dataset}/seed{seed}.tsv"
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/synthetic_panel.py"

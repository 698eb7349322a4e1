# Scores of one run (SMAPE, R_rho) on the original scale.


rule score:
    input:
        "results/{dataset}/forecasts/{method}/k{K}/{forecaster}/seed{seed}.parquet",
    output:
        "results/{dataset}/scores/{method}/k{K}/{forecaster}/seed{seed}.tsv",
    params:
        quantiles=config["quantiles"],
        split="test",
    log:
        "logs/score/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.log",
    threads: 1
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/score.py"


use rule score as score_val with:
    input:
        "results/{dataset}/forecasts/{method}/k{K}/{forecaster}/seed{seed}.val.parquet",
    output:
        "results/{dataset}/scores/{method}/k{K}/{forecaster}/seed{seed}.val.tsv",
    params:
        quantiles=config["quantiles"],
        split="val",
    log:
        "logs/score/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.val.log",

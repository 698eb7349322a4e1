# Per-cluster forecasting on rolling windows, aggregation into macro samples, and scores of the run
# (SMAPE, R_rho on the original scale).
# One job per (dataset, method, K, forecaster, seed); the windows loop inside the job.


rule forecast:
    input:
        panel=panel_path,
        assignments="results/{dataset}/clusters/{method}/k{K}/seed{seed}/assignments.tsv",
    output:
        forecasts="results/{dataset}/forecasts/{method}/k{K}/{forecaster}/seed{seed}.parquet",
        scores="results/{dataset}/scores/{method}/k{K}/{forecaster}/seed{seed}.tsv",
    params:
        split="test",
        quantiles=config["quantiles"],
        options=lambda wc: forecaster_options(wc.forecaster, wc.dataset),
        evaluation=lambda wc: evaluation_cfg(wc.dataset),
        n_samples=config["n_samples"],
        device=config["device"],
    log:
        "logs/forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.log",
    benchmark:
        "benchmarks/forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.tsv"
    threads: 1
    resources:
        gpu=gpu_for_forecaster,
    conda:
        "../../envs/forecast.yaml"
    script:
        "../scripts/forecast.py"


use rule forecast as forecast_val with:
    output:
        forecasts="results/{dataset}/forecasts/{method}/k{K}/{forecaster}/seed{seed}.val.parquet",
        scores="results/{dataset}/scores/{method}/k{K}/{forecaster}/seed{seed}.val.tsv",
    params:
        split="val",
        quantiles=config["quantiles"],
        options=lambda wc: forecaster_options(wc.forecaster, wc.dataset),
        evaluation=lambda wc: evaluation_cfg(wc.dataset),
        n_samples=config["n_samples"],
        device=config["device"],
    log:
        "logs/forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.val.log",
    benchmark:
        "benchmarks/forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.val.tsv"

# Per-cluster forecasting on rolling windows, aggregation into macro samples, and scores of the run
# (SMAPE, R_rho on the original scale).
# One job per (dataset, method, K, forecaster, seed); the windows loop inside the job.


rule forecast:
    input:
        panel=panel_path,
        assignments=res_path("{dataset}/clusters/{method}/k{K}/seed{seed}/assignments.tsv"),
        stamp=forecast_stamp,
    output:
        forecasts=res_path("{dataset}/forecasts/{method}/k{K}/{forecaster}/seed{seed}.parquet"),
        scores=res_path("{dataset}/scores/{method}/k{K}/{forecaster}/seed{seed}.tsv"),
    params:
        split="test",
        quantiles=config["quantiles"],
        options=lambda wc: forecaster_options(wc.forecaster, wc.dataset),
        evaluation=lambda wc: evaluation_cfg(wc.dataset),
        n_samples=config["n_samples"],
    log:
        log_path("forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.log"),
    benchmark:
        bench_path("forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.tsv")
    threads: 1
    resources:
        gpu=gpu_for_forecaster,
    conda:
        "../../envs/forecast.yaml"
    script:
        "../scripts/forecast.py"


use rule forecast as forecast_val with:
    output:
        forecasts=res_path("{dataset}/forecasts/{method}/k{K}/{forecaster}/seed{seed}.val.parquet"),
        scores=res_path("{dataset}/scores/{method}/k{K}/{forecaster}/seed{seed}.val.tsv"),
    params:
        split="val",
        quantiles=config["quantiles"],
        options=lambda wc: forecaster_options(wc.forecaster, wc.dataset),
        evaluation=lambda wc: evaluation_cfg(wc.dataset),
        n_samples=config["n_samples"],
    log:
        log_path("forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.val.log"),
    benchmark:
        bench_path("forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}.val.tsv")

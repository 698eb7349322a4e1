# Per-cluster forecasting on rolling windows, aggregation into macro samples, and scores of the run
# (SMAPE, R_rho on the original scale).
# One job per (dataset, method, K, forecaster, seed, split); the windows loop inside the job. The split is the
# file-name suffix `{split_suffix}`: empty for the test interval, `.val` for the validation window of train
# (SPLIT_SUFFIX in common.smk).


rule forecast:
    input:
        panel=panel_path,
        assignments=cluster_path("assignments.tsv"),
        stamp=forecast_stamp,
    output:
        forecasts=run_path("forecasts", *RUN_WILDCARDS),
        scores=run_path("scores", *RUN_WILDCARDS),
    params:
        split=lambda wc: split_of(wc.split_suffix),
        quantiles=config["quantiles"],
        options=lambda wc: forecaster_options(wc.forecaster, wc.dataset),
        evaluation=lambda wc: evaluation_cfg(wc.dataset),
        n_samples=config["n_samples"],
    log:
        log_path("forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}{split_suffix}.log"),
    benchmark:
        bench_path("forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}{split_suffix}.tsv")
    threads: 1
    resources:
        gpu=gpu_for_forecaster,
    conda:
        "../../envs/forecast.yaml"
    script:
        "../scripts/forecast.py"

# The future: forecast the `horizon` periods after the last date of each real dataset with the candidate
# (method, K, forecaster) selected on validation (results/selection.tsv) or named in config `future`,
# refitted on all data. The clustering is the one of the selected run (fitted on the training interval).
#
# The candidate is only known once results/selection.tsv exists, so the rule depends on the assignments of
# *every* candidate run of the dataset (Tables 4/5 need them anyway) and the script picks the selected one.
# With `future: {method, k, forecaster}` all set, it depends on that run's assignments only (no selection).
# Helpers: workflow/rules/future_common.smk.


rule future:
    input:
        panel=res_path("{dataset}/panel.parquet"),
        assignments=future_assignments,
        selection=future_selection,
        stamp=lambda wc: stamp("future", wc.dataset, future_slice(wc.dataset)),
    output:
        forecast=res_path("{dataset}/future.tsv"),
        clusters=res_path("{dataset}/future_clusters.tsv"),
        model=res_path("{dataset}/future_model.tsv"),
        figure=report(res_path("figures/future_{dataset}.png"), caption="../report/future.rst", category="Future"),
    params:
        fixed=lambda wc: future_fixed(),
        assignments=lambda wc: future_assignment_files(wc.dataset),
        cfg=lambda wc: future_cfg(),
        horizon=lambda wc: int(future_cfg().get("horizon", evaluation_cfg(wc.dataset)["horizon"])),
        nonnegative=lambda wc: evaluation_cfg(wc.dataset)["nonnegative"],
        forecasters=lambda wc: {alias: forecaster_options(alias, wc.dataset) for alias in config["forecasters"]},
        n_samples=config["n_samples"],
        quantiles=config["quantiles"],
        fingerprint=lambda wc: provenance.fingerprint(future_slice(wc.dataset)),
        data=lambda wc: data_spec([wc.dataset]),
    log:
        log_path("future/{dataset}.log"),
    benchmark:
        bench_path("future/{dataset}.tsv")
    threads: 1
    resources:
        gpu=gpu_for_future,
    conda:
        "../../envs/forecast.yaml"
    script:
        "../scripts/future.py"

# Does clustering beat the total? Paired tests over the test windows of the runs selected on validation: every
# (dataset, forecaster, method) against Macro with the same forecaster, windows and seeds random, Holm-corrected
# over the table (mixseq.evaluate.significance, docs/statistics.md). The selection is made here from the per-run
# scores by the same function as in realdata_tables, which marks its cells from this table (no cycle).


localrules:
    significance,


rule significance:
    input:
        scores=realdata_scores,
        forecasts=lambda wc: [run_path("forecasts", *r) for r in realdata_candidates()],
        stamp=lambda wc: stamp("table", "significance", {"significance": config["significance"],
                                                         "realdata": table_slice("realdata")}),
    output:
        table=report(res_path("significance.tsv"), caption="../report/significance.rst", category="Real data"),
        figure=report(res_path("figures/significance.png"), caption="../report/significance.rst",
                      category="Real data"),
    params:
        runs=lambda wc: [[*r, run_path("forecasts", *r)] for r in realdata_candidates()],
        evaluation=lambda wc: {ds: evaluation_cfg(ds) for ds in config["realdata"]["datasets"]},
        quantiles=config["quantiles"],
        selection_metric=lambda wc: config["realdata"]["selection_metric"],
        cfg=lambda wc: config["significance"],
        fingerprint=lambda wc: provenance.fingerprint({"significance": config["significance"],
                                                       "realdata": table_slice("realdata")}),
        data=lambda wc: data_spec(config["realdata"]["datasets"]),
    log:
        log_path("significance.log"),
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/significance.py"

# Paper tables and figures, built from the per-run scores.
# Every table rule has its config slice as a stamp input (see common.smk) and writes a header line with the
# slice's fingerprint and the data hash of its datasets. Figures per dataset have their own rules, so no output
# list depends on a config list.


localrules:
    table1,
    convergence,
    convergence_figure,
    table2,
    table_sensitivity_synthetic,
    realdata_tables,
    sensitivity_figure,
    macro_figure,


rule table1:
    input:
        scores=table1_scores,
        figure_inputs=table1_forecasts,
        stamp=table_stamp("table1"),
    output:
        table=report(res_path("table1.tsv"), caption="../report/table1.rst", category="Toy study"),
        markdown=res_path("table1.md"),
        figure=report(res_path("figures/table1_toy.png"), caption="../report/table1_toy.rst", category="Toy study"),
    params:
        columns=lambda wc: config["table1"]["columns"],
        figure_files=lambda wc: table1_figure_files(),
        fingerprint=table_fingerprint("table1"),
        data=lambda wc: data_spec(list(config["table1"]["columns"].values())),
    log:
        log_path("table1.log"),
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/table1.py"


# Cells are marked from significance.tsv (when Macro is a column) and from the selected runs' assignments.tsv.
rule realdata_tables:
    input:
        scores=realdata_scores,
        significance=realdata_significance,
        assignments=lambda wc: [a[-1] for a in realdata_assignments()],
        data=lambda wc: data_inputs(config["realdata"]["datasets"]),
        stamp=table_stamp("realdata"),
    output:
        selection=res_path("selection.tsv"),
        scores=res_path("realdata_scores.tsv"),
        table4=report(res_path("table4.tsv"), caption="../report/table4.rst", category="Real data"),
        table4_md=res_path("table4.md"),
        table5=report(res_path("table5.tsv"), caption="../report/table5.rst", category="Real data"),
        table5_md=res_path("table5.md"),
        methods=report(res_path("table_methods.tsv"), caption="../report/table_methods.rst", category="Real data"),
        methods_md=res_path("table_methods.md"),
        comparison=report(
            res_path("paper_comparison.tsv"), caption="../report/paper_comparison.rst", category="Real data"
        ),
        comparison_md=res_path("paper_comparison.md"),
        cells=res_path("table_cells.tsv"),
    params:
        realdata=lambda wc: config["realdata"],
        significance=lambda wc: config["significance"],
        assignments=lambda wc: realdata_assignments(),
        kinds=lambda wc: {ds: config["datasets"][ds]["kind"] for ds in config["realdata"]["datasets"]},
        quantiles=config["quantiles"],
        fingerprint=table_fingerprint("realdata"),
        data=lambda wc: data_spec(config["realdata"]["datasets"]),
    log:
        log_path("realdata_tables.log"),
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/realdata_tables.py"


# Paper Figure 1 for one dataset: R_rho of the sensitivity method vs K (test scores, no selection).
rule sensitivity_figure:
    input:
        scores=lambda wc: [run_path("scores", *r) for r in realdata_candidates() if r[0] == wc.dataset],
        stamp=lambda wc: stamp("figure", f"sensitivity_k_{wc.dataset}",
                               {"sensitivity_k": config["sensitivity_k"], "quantiles": config["quantiles"],
                                "realdata": config["realdata"]}),
    output:
        report(res_path("figures/sensitivity_k_{dataset}.png"), caption="../report/sensitivity_k.rst",
               category="Real data"),
    params:
        sensitivity=lambda wc: config["sensitivity_k"],
        quantiles=config["quantiles"],
    log:
        log_path("sensitivity_figure/{dataset}.log"),
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/sensitivity_figure.py"


rule convergence:
    input:
        logs=lambda wc: [f for ds in config["convergence"]["datasets"] for f in convergence_logs(ds).values()],
        data=lambda wc: data_inputs(config["convergence"]["datasets"]),
        stamp=table_stamp("convergence"),
    output:
        table=report(res_path("convergence.tsv"), caption="../report/convergence.rst", category="Clustering"),
    params:
        cfg=lambda wc: config["convergence"],
        logs=lambda wc: {ds: convergence_logs(ds) for ds in config["convergence"]["datasets"]},
        fingerprint=table_fingerprint("convergence"),
        data=lambda wc: data_spec(config["convergence"]["datasets"]),
    log:
        log_path("convergence.log"),
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/convergence.py"


rule convergence_figure:
    input:
        logs=lambda wc: list(convergence_logs(wc.dataset).values()),
        stamp=lambda wc: stamp("figure", f"convergence_{wc.dataset}",
                               {"convergence": config["convergence"], "seed": first_realdata_seed()}),
    output:
        report(res_path("figures/convergence_{dataset}.png"), caption="../report/convergence.rst",
               category="Clustering"),
    params:
        cfg=lambda wc: config["convergence"],
        logs=lambda wc: convergence_logs(wc.dataset),
        seed=lambda wc: first_realdata_seed(),
    log:
        log_path("convergence_figure/{dataset}.log"),
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/convergence.py"

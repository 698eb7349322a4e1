# Paper tables and figures, built from the per-run scores.


localrules:
    table1,
    convergence,
    table2,
    table_sensitivity_synthetic,
    realdata_tables,


rule table1:
    input:
        scores=table1_scores,
        forecasts=table1_forecasts,
        panels=lambda wc: [f"results/{ds}/seed{config['seeds'][0]}/panel.parquet"
                           for ds in config["table1"]["columns"].values()],
    output:
        table=report("results/table1.tsv", caption="../report/table1.rst", category="Toy study"),
        markdown="results/table1.md",
        figure=report("results/figures/table1_toy.png", caption="../report/table1_toy.rst", category="Toy study"),
    params:
        columns=lambda wc: config["table1"]["columns"],
    log:
        "logs/table1.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/table1.py"


rule realdata_tables:
    input:
        scores=realdata_scores,
    output:
        selection="results/selection.tsv",
        scores="results/realdata_scores.tsv",
        table4=report("results/table4.tsv", caption="../report/table4.rst", category="Real data"),
        table4_md="results/table4.md",
        table5=report("results/table5.tsv", caption="../report/table5.rst", category="Real data"),
        table5_md="results/table5.md",
        methods=report("results/table_methods.tsv", caption="../report/table_methods.rst", category="Real data"),
        methods_md="results/table_methods.md",
        figures=report(sensitivity_figures(), caption="../report/sensitivity_k.rst", category="Real data"),
        comparison=report(
            "results/paper_comparison.tsv", caption="../report/paper_comparison.rst", category="Real data"
        ),
        comparison_md="results/paper_comparison.md",
    params:
        realdata=lambda wc: config["realdata"],
        kinds=lambda wc: {ds: config["datasets"][ds]["kind"] for ds in config["realdata"]["datasets"]},
        sensitivity=lambda wc: config.get("sensitivity_k") or {},
        quantiles=config["quantiles"],
    log:
        "logs/realdata_tables.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/realdata_tables.py"


rule convergence:
    input:
        logs=lambda wc: [
            f"results/{ds}/clusters/{m}/k{config['convergence']['k']}/seed{first_realdata_seed()}/train_log.tsv"
            for ds in config["convergence"]["datasets"]
            for m in config["convergence"]["methods"]
        ],
    output:
        table=report("results/convergence.tsv", caption="../report/convergence.rst", category="Clustering"),
        figures=report(
            expand("results/figures/convergence_{dataset}.png", dataset=config.get("convergence", {}).get("datasets", [])),
            caption="../report/convergence.rst",
            category="Clustering",
        ),
    params:
        cfg=lambda wc: config["convergence"],
        seed=first_realdata_seed(),
    log:
        "logs/convergence.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/convergence.py"

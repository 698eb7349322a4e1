# Paper tables and figures, built from the per-run scores.


localrules:
    table1,


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

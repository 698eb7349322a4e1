# Paper §5.1 (Table 2: clustering Rand index on ARMA and DeepAR mixtures) and §5.3 (synthetic K sensitivity).


rule deepar_base:
    input:
        train=lambda wc: f"resources/{config['table2']['deepar_source']}/raw/train.csv",
    output:
        "results/synthetic/deepar_base.pt",
    params:
        options=lambda wc: dict(config["table2"].get("deepar_base") or {}),
        device=config["device"],
    log:
        "logs/deepar_base.log",
    benchmark:
        "benchmarks/deepar_base.tsv"
    threads: 2
    resources:
        gpu=config["gpu"],
    conda:
        "../../envs/cluster.yaml"
    script:
        "../scripts/deepar_base.py"


rule table2_trial:
    input:
        base=lambda wc: ["results/synthetic/deepar_base.pt"] if wc.data == "deepar" else [],
    output:
        "results/table2/{data}/c{n}/{method}/seed{seed}.tsv",
    params:
        options=lambda wc: {**method_options(wc.method), **(config["table2"].get("method_options") or {}).get(
            wc.method, {})},
        data_options=lambda wc: dict(config["table2"].get("data_options") or {}),
        device=config["device"],
    log:
        "logs/table2/{data}/c{n}/{method}/seed{seed}.log",
    benchmark:
        "benchmarks/table2/{data}/c{n}/{method}/seed{seed}.tsv"
    wildcard_constraints:
        data="arma|deepar",
        n=r"\d+",
    threads: 2
    resources:
        gpu=gpu_for_method,
    conda:
        "../../envs/cluster.yaml"
    script:
        "../scripts/table2_trial.py"


rule table2:
    input:
        table2_files,
    output:
        table=report("results/table2.tsv", caption="../report/table2.rst", category="Synthetic clustering"),
        markdown="results/table2.md",
    params:
        cfg=lambda wc: config["table2"],
    log:
        "logs/table2.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/table2.py"


rule sensitivity_trial:
    output:
        "results/sensitivity_synthetic/k{K}/seed{seed}.tsv",
    params:
        options=lambda wc: {
            **method_options(config["sensitivity_synthetic"].get("method", "mixseq")),
            **(config["sensitivity_synthetic"].get("options") or {}),
        },
        method=lambda wc: config["sensitivity_synthetic"].get("method", "mixseq"),
        device=config["device"],
    log:
        "logs/sensitivity_synthetic/k{K}/seed{seed}.log",
    benchmark:
        "benchmarks/sensitivity_synthetic/k{K}/seed{seed}.tsv"
    threads: 2
    resources:
        gpu=lambda wc: config["gpu"] if config["sensitivity_synthetic"].get("method", "mixseq") in TORCH_METHODS else 0,
    conda:
        "../../envs/cluster.yaml"
    script:
        "../scripts/sensitivity_trial.py"


rule table_sensitivity_synthetic:
    input:
        lambda wc: expand(
            "results/sensitivity_synthetic/k{K}/seed{seed}.tsv",
            K=[1] + list(config["sensitivity_synthetic"]["k"]),
            seed=config["sensitivity_synthetic"].get("seeds", config["seeds"]),
        ),
    output:
        report(
            "results/table_sensitivity_synthetic.tsv",
            caption="../report/table_sensitivity_synthetic.rst",
            category="Synthetic clustering",
        ),
    log:
        "logs/table_sensitivity_synthetic.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/table_sensitivity_synthetic.py"

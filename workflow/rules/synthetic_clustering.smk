# Paper §5.1 (Table 2: clustering Rand index on ARMA and DeepAR mixtures) and §5.3 (synthetic K sensitivity).


rule deepar_base:
    input:
        train=lambda wc: f"{raw_dir(config['table2']['deepar_source'])}/train.csv",
        stamp=lambda wc: stamp("deepar_base", "base", {"options": _result_options(config["table2"]["deepar_base"]),
                                                       "source": config["table2"]["deepar_source"]}),
    output:
        res_path("synthetic/deepar_base.pt"),
    params:
        options=lambda wc: dict(config["table2"]["deepar_base"]),
    log:
        log_path("deepar_base.log"),
    benchmark:
        bench_path("deepar_base.tsv")
    threads: TORCH_JOB_THREADS
    resources:
        gpu=config["gpu"],
    conda:
        "../../envs/cluster.yaml"
    script:
        "../scripts/deepar_base.py"


rule table2_trial:
    input:
        base=lambda wc: [res_path("synthetic/deepar_base.pt")] if wc.data == "deepar" else [],
        stamp=table2_trial_stamp,
    output:
        res_path("table2/{data}/c{n}/{method}/seed{seed}.tsv"),
    params:
        options=lambda wc: table2_trial_slice(wc.method)["options"],
        data_options=lambda wc: dict(config["table2"]["data_options"]),
    log:
        log_path("table2/{data}/c{n}/{method}/seed{seed}.log"),
    benchmark:
        bench_path("table2/{data}/c{n}/{method}/seed{seed}.tsv")
    wildcard_constraints:
        data="arma|deepar",
        n=r"\d+",
    threads: lambda wc: cluster_threads(wc.method)
    resources:
        gpu=gpu_for_method,
    conda:
        "../../envs/cluster.yaml"
    script:
        "../scripts/table2_trial.py"


rule table2:
    input:
        trials=table2_files,
        stamp=table_stamp("table2"),
    output:
        table=report(res_path("table2.tsv"), caption="../report/table2.rst", category="Synthetic clustering"),
        markdown=res_path("table2.md"),
    params:
        cfg=lambda wc: config["table2"],
        fingerprint=table_fingerprint("table2"),
        data=lambda wc: table2_data_spec(),
    log:
        log_path("table2.log"),
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/table2.py"


rule sensitivity_trial:
    input:
        stamp=lambda wc: stamp("sensitivity_trial", "trial", {
            "method": config["sensitivity_synthetic"]["method"],
            "options": _result_options(sensitivity_trial_options()),
        }),
    output:
        res_path("sensitivity_synthetic/k{K}/seed{seed}.tsv"),
    params:
        options=lambda wc: sensitivity_trial_options(),
        method=lambda wc: config["sensitivity_synthetic"]["method"],
    log:
        log_path("sensitivity_synthetic/k{K}/seed{seed}.log"),
    benchmark:
        bench_path("sensitivity_synthetic/k{K}/seed{seed}.tsv")
    threads: lambda wc: cluster_threads(config["sensitivity_synthetic"]["method"])
    resources:
        gpu=lambda wc: config["gpu"] if config["sensitivity_synthetic"]["method"] in TORCH_METHODS else 0,
    conda:
        "../../envs/cluster.yaml"
    script:
        "../scripts/sensitivity_trial.py"


rule table_sensitivity_synthetic:
    input:
        trials=lambda wc: expand(
            res_path("sensitivity_synthetic/k{K}/seed{seed}.tsv"),
            K=[1] + list(config["sensitivity_synthetic"]["k"]),
            seed=seeds_of("sensitivity_synthetic"),
        ),
        stamp=table_stamp("sensitivity_synthetic"),
    output:
        report(
            res_path("table_sensitivity_synthetic.tsv"),
            caption="../report/table_sensitivity_synthetic.rst",
            category="Synthetic clustering",
        ),
    params:
        fingerprint=table_fingerprint("sensitivity_synthetic"),
        data=lambda wc: {"sensitivity_synthetic": provenance.fingerprint(config["sensitivity_synthetic"]["options"])},
    log:
        log_path("table_sensitivity_synthetic.log"),
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/table_sensitivity_synthetic.py"

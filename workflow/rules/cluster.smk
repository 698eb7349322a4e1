# Clustering of microscopic series on the training interval, one job per (dataset, method, K, seed).


rule cluster:
    input:
        panel=panel_path,
    output:
        assignments="results/{dataset}/clusters/{method}/k{K}/seed{seed}/assignments.tsv",
        train_log="results/{dataset}/clusters/{method}/k{K}/seed{seed}/train_log.tsv",
        model="results/{dataset}/clusters/{method}/k{K}/seed{seed}/model.pt",
    params:
        options=lambda wc: method_options(wc.method, wc.dataset),
        device=config["device"],
    log:
        "logs/cluster/{dataset}/{method}/k{K}/seed{seed}.log",
    benchmark:
        "benchmarks/cluster/{dataset}/{method}/k{K}/seed{seed}.tsv"
    threads: 2
    resources:
        gpu=gpu_for_method,
    conda:
        "../../envs/cluster.yaml"
    script:
        "../scripts/cluster.py"

# Clustering of microscopic series on the training interval, one job per (dataset, method, K, seed).
# The fitted model goes to the directory model/, as model.pt (torch: mixseq, dtcr), model.pkl (pickled:
# symbolic, tslearn baselines), model.npz (mixarma) or model.txt (nothing to keep: macro, truth, dstw); the
# name depends on the method's class, never on the config, so the rule's outputs depend on wildcards only.


rule cluster:
    input:
        panel=panel_path,
        stamp=cluster_stamp,
        groups_file=cluster_groups_file,
    output:
        assignments=cluster_path("assignments.tsv"),
        train_log=cluster_path("train_log.tsv"),
        model=directory(cluster_path("model")),
    params:
        options=lambda wc: method_options(wc.method, wc.dataset),
    log:
        log_path("cluster/{dataset}/{method}/k{K}/seed{seed}.log"),
    benchmark:
        bench_path("cluster/{dataset}/{method}/k{K}/seed{seed}.tsv")
    threads: lambda wc: cluster_threads(wc.method)
    resources:
        gpu=gpu_for_method,
    conda:
        "../../envs/cluster.yaml"
    script:
        "../scripts/cluster.py"

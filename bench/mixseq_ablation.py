"""MixSeq ablations on the §5.1 ARMA data (reduced scale, CPU): one setting per call, one TSV row appended.

Usage: python bench/mixseq_ablation.py OUT.tsv NAME K N_PER_CLUSTER SEED key=value ...
Row: name, K, n, seed, options, ri (argmax q), ri_exact (argmax of the exact component posterior), ri_infer
(predict on new series), seconds, s_per_epoch, and the per-(true cluster, component) mean NLL per step.
"""

from __future__ import annotations

import ast
import json
import sys
import time

import numpy as np
import torch

from mixseq.cluster.mixseq import MixSeq
from mixseq.data.synthetic_clustering import arma_clusters
from mixseq.evaluate.metrics import rand_index


def main() -> None:
    out, name, K, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    opts = {}
    for kv in sys.argv[6:]:
        k, v = kv.split("=", 1)
        try:
            opts[k] = ast.literal_eval(v)
        except (ValueError, SyntaxError):
            opts[k] = v
    torch.set_num_threads(1)
    X, y = arma_clusters(K, n, 100, seed=seed)
    Xn, yn = arma_clusters(K, n, 100, seed=seed + 10_000)
    m = MixSeq(K, seed=seed, threads=1, progress=False, device="cpu", **opts)
    t0 = time.perf_counter()
    m.fit(X, labels_true=y)
    sec = time.perf_counter() - t0
    ll = m.component_loglik(X)
    nll_tab = np.array([[-ll[y == k, j].mean() / X.shape[1] for j in range(K)] for k in range(K)])
    row = dict(name=name, K=K, n=n, seed=seed, options=json.dumps(opts), ri=rand_index(y, m.labels_),
               ri_exact=rand_index(y, ll.argmax(1)), ri_infer=rand_index(yn, m.predict(Xn)), seconds=round(sec, 1),
               s_per_epoch=round(sec / int(m.config["epochs"]), 2),
               ri_curve=" ".join(f"{r:.3f}" for r in m.history_["ri"]),
               nll_true_by_comp=json.dumps(np.round(nll_tab, 3).tolist()))
    print(row, flush=True)
    import os
    new = not os.path.exists(out)
    with open(out, "a") as f:
        if new:
            f.write("\t".join(row) + "\n")
        f.write("\t".join(str(v) for v in row.values()) + "\n")


if __name__ == "__main__":
    main()

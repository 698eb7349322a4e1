"""Why MixSeq can put every series in one cluster on a small daily panel with a strong weekly pattern.

Data (built here, the shape of a 111-ATM cash-withdrawal panel): 111 Rossmann stores without long gaps, drawn at
random (seed 0), the training interval 2013-01-01..2014-12-31 (730 days), each store divided by its own mean and
multiplied by a level drawn uniformly from [500, 2000] (similar levels, as ATMs' withdrawals). The custom path
passes the calendar to the clusterer, so MixSeq gets the day-of-week / day-of-month / month covariates.

For every run (a MixSeq variant and seed) the script records, after each epoch, on the 111 fitted series:
cluster sizes by the exact posterior (``assign: exact``) and by ``argmax q(z|x)``, the mean largest exact and
amortised posterior probability, the mean per-step NLL of each component, the mean per-step log-likelihood gap
between the best and the second-best component of a series, the per-step marginal NLL ``-log p(x)/T`` and the Rand
index of both labelings against MixARMA's (K = 3) clusters. MixARMA's own row has its sizes and log-likelihood.

Usage (one thread, ~1-3 min per 10-epoch run on a shared core)::

    PYTHONPATH=src python bench/mixseq_collapse.py OUT.tsv [--mirror /work/shared/data] [--variants a,b,...]
        [--seeds 0,1]

Variants: see :data:`VARIANTS`. Rows are appended to ``OUT.tsv`` (header written when the file is new).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy.special import logsumexp

from mixseq.cluster.mixarma import MixARMA
from mixseq.cluster.mixseq import MixSeq
from mixseq.data import rossmann
from mixseq.evaluate.metrics import rand_index

K = 3
#: the failing run's settings (custom path, issue #18 item 8)
BASE: dict[str, Any] = dict(epochs=10, lr=1e-3, batch_size=64, assign="exact")
VARIANTS: dict[str, dict[str, Any]] = {
    "base": {},
    "no_dates": {"_dates": False},
    "init_none": {"init": None},
    "scaling_global": {"scaling": "global"},
    "epochs50": {"epochs": 50},
    "component_kl": {"component_kl": 0.25},
    "temper": {"temper_epochs": 6},
    "temper_init_none": {"temper_epochs": 6, "init": None},
    "init_epochs5": {"init_epochs": 5},
    "batch16": {"batch_size": 16},
    "shared_init": {"shared_init": True},
    "long_warm": {"batch_size": 16, "init_epochs": 8},
    "long_warm_shared": {"batch_size": 16, "init_epochs": 8, "shared_init": True},
}


COLUMNS = ["method", "variant", "seed", "epoch", "options", "train_recon", "train_loss", "sizes_exact", "sizes_q",
           "nonempty_exact", "mean_max_p_exact", "mean_max_q", "comp_nll_per_step", "gap_per_step", "gap_total",
           "marginal_nll_per_step", "ri_exact_vs_mixarma", "ri_q_vs_mixarma", "init_sizes", "ri_init_vs_mixarma",
           "nll_by_init_group",
           "seconds"]


def build_panel(mirror: Path, n: int = 111, seed: int = 0) -> tuple[np.ndarray, pd.DatetimeIndex, list[str]]:
    """``[n, 730]`` daily panel of Rossmann stores rescaled to similar levels (see the module docstring)."""
    p = rossmann.load(mirror / "rossmann", {"missing_stores": "drop"})
    end = int(np.searchsorted(p.dates, pd.Timestamp("2014-12-31"))) + 1
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(p.ids), size=n, replace=False))
    X = p.values[rows, :end].astype(np.float64)
    level = rng.uniform(500, 2000, size=(n, 1))
    X = X / X.mean(axis=1, keepdims=True) * level
    return X.astype(np.float32), p.dates[:end], [p.ids[r] for r in rows]


class Recording(MixSeq):
    """MixSeq that records diagnostics each time ``fit`` evaluates ``q(z|x)`` (once per epoch when
    ``labels_true`` is given)."""

    def posterior(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        q = super().posterior(X, dates)
        if getattr(self, "recording", False):
            ll = self.component_loglik(X, dates)
            self.records.append((q, ll, getattr(self, "init_labels_", None)))
        return q


def sizes(labels: np.ndarray) -> str:
    return "/".join(str(int(c)) for c in np.bincount(labels, minlength=K))


def diagnostics(q: np.ndarray, ll: np.ndarray, T: int, ref: np.ndarray) -> dict[str, Any]:
    """Per-epoch diagnostics from ``q(z|x)`` ``[m, K]`` and ``log p(x|z)`` ``[m, K]`` (summed over ``T`` steps)."""
    log_joint = ll - np.log(K)
    p_exact = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    srt = np.sort(ll, axis=1)
    lab_e, lab_q = ll.argmax(1), q.argmax(1)
    return dict(
        sizes_exact=sizes(lab_e), sizes_q=sizes(lab_q), nonempty_exact=int((np.bincount(lab_e, minlength=K) > 0).sum()),
        mean_max_p_exact=round(float(p_exact.max(1).mean()), 4), mean_max_q=round(float(q.max(1).mean()), 4),
        comp_nll_per_step=json.dumps(np.round(-ll.mean(0) / T, 4).tolist()),
        gap_per_step=round(float((srt[:, -1] - srt[:, -2]).mean() / T), 5),
        gap_total=round(float((srt[:, -1] - srt[:, -2]).mean()), 2),
        marginal_nll_per_step=round(float(-logsumexp(log_joint, axis=1).mean() / T), 5),
        ri_exact_vs_mixarma=round(rand_index(ref, lab_e), 4), ri_q_vs_mixarma=round(rand_index(ref, lab_q), 4),
    )


def run_mixseq(X: np.ndarray, dates: pd.DatetimeIndex, ref: np.ndarray, variant: str, seed: int) -> list[dict]:
    opts = {**BASE, **VARIANTS[variant]}
    use_dates = opts.pop("_dates", True)
    m = Recording(K, seed=seed, threads=1, progress=False, device="cpu", **opts)
    m.recording, m.records = True, []
    t0 = time.perf_counter()
    d = dates if use_dates else None
    m.fit(X, dates=d, labels_true=ref)
    sec = time.perf_counter() - t0
    m.recording = False
    out = []
    for epoch, (q, ll, g) in enumerate(m.records):
        h = m.history_.iloc[epoch]
        row = dict(method="mixseq", variant=variant, seed=seed, epoch=epoch, options=json.dumps(VARIANTS[variant]),
                   train_recon=round(float(h["recon_nll"]), 5), train_loss=round(float(h["loss"]), 5))
        row.update(diagnostics(q, ll, X.shape[1], ref))
        if g is not None:  # mean NLL per step, rows: k-means (acf) warm-start group, columns: component
            row["nll_by_init_group"] = json.dumps(np.round([-ll[g == k].mean(0) / X.shape[1] for k in range(K)],
                                                           4).tolist())
        row["seconds"] = round(sec, 1)
        out.append(row)
    assert sizes(m.labels_) == out[-1]["sizes_exact"] or opts.get("assign") != "exact"
    if m.config.get("init") == "acf":
        out[-1]["init_sizes"] = sizes(m.init_labels_)
        out[-1]["ri_init_vs_mixarma"] = round(rand_index(ref, m.init_labels_), 4)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", type=Path, required=True, help="folder with Rossmann train.csv(.gz), store.csv(.gz)")
    default_out = Path(__file__).resolve().parents[1] / "results/benchmarks/mixseq_collapse.tsv"
    ap.add_argument("--out", type=Path, default=default_out,
                    help="TSV of per-epoch diagnostics (rows are appended to an existing file)")
    ap.add_argument("--variants", default="base")
    ap.add_argument("--seeds", default="0,1")
    a = ap.parse_args()
    torch.set_num_threads(1)
    X, dates, _ = build_panel(a.mirror)
    arma = MixARMA(K, seed=0).fit(X)
    ref = arma.labels_
    rows: list[dict] = []
    if not os.path.exists(a.out):
        rows.append(dict(method="mixarma", variant="p2", seed=0, epoch=-1, sizes_exact=sizes(ref),
                         nonempty_exact=int((np.bincount(ref, minlength=K) > 0).sum())))
    for v in a.variants.split(","):
        for s in (int(x) for x in a.seeds.split(",")):
            res = run_mixseq(X, dates, ref, v, s)
            last = res[-1]
            print(v, s, {k: last.get(k) for k in ("sizes_exact", "sizes_q", "mean_max_q", "gap_per_step",
                                                  "marginal_nll_per_step", "ri_exact_vs_mixarma", "seconds")},
                  flush=True)
            rows += res
    new = not os.path.exists(a.out)
    df = pd.DataFrame(rows).reindex(columns=COLUMNS)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(a.out, sep="\t", index=False, mode="a", header=new)


if __name__ == "__main__":
    main()

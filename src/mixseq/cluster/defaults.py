"""Options and defaults of the torch clustering methods, in a module that does not import torch.

The workflow checks a configuration's ``methods.<name>`` options against these specs while it parses; keeping
them here (rather than in :mod:`mixseq.cluster.mixseq` / :mod:`mixseq.cluster.dtcr`, which import torch) keeps
that check fast. The registry entries name :func:`mixseq_spec` and :func:`dtcr_spec`.
"""

from __future__ import annotations

from typing import Any

from mixseq.options import OptionSpec, spec_from_defaults

#: MixSeq's constructor options and their defaults (paper §5.1 unless noted; see :mod:`mixseq.cluster.mixseq`).
MIXSEQ_DEFAULTS: dict[str, Any] = {
    "lr": 1e-4,
    "epochs": 100,
    "batch_size": 256,
    "l2": 1e-5,  # lambda of eq. 10 (alias: weight_decay)
    "dropout": 0.1,
    "alpha_a": 5.0,
    "alpha_b": 20.0,
    "alpha_beta": 0.03,
    "alpha_epochs": (10, 30, 50),
    "d_model": 16,  # d_k = d_p = d_v
    "n_heads": 2,
    "n_layers": 1,
    "kernel_size": 3,
    "readout": "last",  # components' readout: "last" (h_t = ReLU(W_s H_t)), or the paper's deep set "mean"/"sum"
    "encoder_readout": "mean",  # posterior encoder's deep-set readout (eq. 8)
    "nll_reduction": "mean",  # "mean" over time steps (default) or "sum" (eq. 7 literally)
    "em_weight": 5.0,  # weight of the amortised E-step term (0 = the paper's plain eq. 10; see module doc)
    "objective": "marginal",  # components' objective: "elbo" (eq. 10) or "marginal" (exact log sum_z p(z) p(x|z))
    "component_kl": 0.0,  # weight (times alpha) of KL(batch mean of exact p(z|x) || p(z)), grads to components
    "init": "acf",  # None, or "acf": warm-start responsibilities from k-means on per-series autocorrelations
    "init_epochs": 2,  # epochs that train on the "acf" responsibilities before switching to p(z|x)
    "shared_init": False,  # True: all K components start from the same random weights (no per-component offset)
    "temper_epochs": 0,  # >0: responsibilities from per-step log-likelihoods, annealed to exact over these epochs
    "scaling": "series",  # "series" (1 + mean|x| per series), "global" (one scale for the data set), "none"
    "assign": "posterior",  # predict/labels_: "posterior" = argmax q(z|x) (§4.2), "exact" = argmax_z p(z) p(x|z)
    "device": "auto",
    "max_series": None,  # fit on a random subset of this many series, then assign all (not in the paper)
    "threads": None,
    "backward_workers": None,  # CPU: backward of the K+1 networks on this many threads (None: from `threads`)
    "predict_batch_size": 2048,
    "progress": True,
}

#: DTCR's options and their defaults, with where each default comes from (:mod:`mixseq.cluster.dtcr`, docs/dtcr.md)
DTCR_DEFAULTS: dict[str, Any] = {
    "epochs": 30,  # DTCR does not fix an epoch count for our data; bounded by the convergence rule below
    "lr": 2e-3,  # Adam; measured on the sec. 5.1 ARMA data (docs/dtcr.md): 2e-3 learnt faster than 1e-3
    "batch_size": 64,  # this reproduction (DTCR's code: 10; MixSeq sec. 5.2 trains its models with 128)
    "hidden": [100, 50, 50],  # DTCR: units per encoder layer
    "dilations": [1, 4, 16],  # DTCR: dilation per encoder layer
    "refresh_every": 10,  # DTCR: F updated every T = 10 iterations
    "refresh": "cache",  # "cache": F from the latest h of every series seen in training; "full": re-encode all
    "lambda_kmeans": 1e-3,  # DTCR's grid {1, 1e-1, 1e-2, 1e-3}; 1 and 1e-1 collapsed H on ARMA data (docs/dtcr.md)
    "fake_fraction": 0.2,  # DTCR: alpha = 0.2 of the time steps shuffled in a fake sample
    "cls_hidden": 128,  # DTCR: classifier MLP hidden units
    "max_length": 128,  # this reproduction: average-pool long series to at most this many steps
    "max_series": None,  # fit on a seeded subsample of this many series (None: all)
    "device": "auto",
    "threads": None,
    "tol": 0.01,  # convergence rule: relative epoch-loss change < tol for `patience` consecutive epochs
    "patience": 3,
    "early_stop": False,  # stop at convergence (the rule is always evaluated and recorded)
    "clip": 1.0,  # gradient-norm clipping (this reproduction; a loss spike appeared without it)
    "eval_batch_size": 256,  # batch size for encoding (F refresh, predict); 1,024 cost +450 MB of GRU buffers
    "kmeans_n_init": 10,
}


def mixseq_spec() -> OptionSpec:
    """MixSeq's accepted options: :data:`MIXSEQ_DEFAULTS` typed by their values, plus ``weight_decay`` (alias of
    ``l2``)."""
    return spec_from_defaults(
        {**MIXSEQ_DEFAULTS, "weight_decay": MIXSEQ_DEFAULTS["l2"]},
        {"max_series": int | None, "threads": int | None, "init": str | None, "backward_workers": int | None},
    )


def dtcr_spec() -> OptionSpec:
    """DTCR's accepted options: :data:`DTCR_DEFAULTS` typed by their values."""
    return spec_from_defaults(DTCR_DEFAULTS, {"max_series": int | None, "threads": int | None,
                                              "max_length": int | None})

"""Experiment functions the workflow calls for the clustering results: Table 2 (§5.1) and §5.3 (sensitivity to K).

Sizes are options so tests and demos run small; the paper's sizes are the defaults.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from mixseq.cluster import make_clusterer
from mixseq.data.synthetic_clustering import arma_clusters
from mixseq.evaluate.metrics import rand_index, smape
from mixseq.experiments.rolling import rolling_origins

#: options consumed here (data sizes); everything else goes to the clustering method.
DATA_KEYS = ("n_per_cluster", "length", "n_infer_per_cluster", "burn_in", "base_state")


def _split(options: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    options = dict(options or {})
    data = {k: options.pop(k) for k in DATA_KEYS if k in options}
    return data, options


def table2_trial(
    data_kind: str, n_clusters: int, seed: int, method: str, options: dict[str, Any] | None = None
) -> dict[str, float]:
    """One trial of Table 2: ``{"ri", "ri_infer", "seconds"}``.

    ``ri``: Rand index of ``method``'s labels on the generated training series (10,000 per cluster, length 100
    by default, options ``n_per_cluster``, ``length``). ``ri_infer`` ("MixSeq-infer"): RI of ``predict`` on
    newly generated series from the same components (``n_infer_per_cluster``, default = ``n_per_cluster``,
    generator seed ``seed + 10_000``). ``seconds``: wall-clock time of ``fit``.
    """
    data, opts = _split(options)
    n = int(data.get("n_per_cluster", 10000))
    length = int(data.get("length", 100))
    burn = int(data.get("burn_in", 0))
    n_new = int(data.get("n_infer_per_cluster", n))
    if data_kind == "arma":
        X, labels = arma_clusters(n_clusters, n, length, seed=seed, burn_in=burn)
        X_new, labels_new = arma_clusters(n_clusters, n_new, length, seed=seed + 10_000, burn_in=burn)
    elif data_kind == "deepar":
        from mixseq.experiments.synthetic_deepar import deepar_clusters, load_state

        if "base_state" not in data:
            raise ValueError("table2_trial: DeepAR data need option 'base_state' (path of the trained base DeepAR)")
        base = load_state(data["base_state"])
        X, labels = deepar_clusters(base, n_clusters, n, length, seed=seed)
        # new series from the *same* components (same perturbation seed), fresh sampling noise
        X_new, labels_new = deepar_clusters(base, n_clusters, n_new, length, seed=seed, sample_seed=seed + 10_000)
    else:
        raise ValueError(f"table2_trial: data_kind must be 'arma' or 'deepar', got {data_kind!r}")
    model = make_clusterer(method, n_clusters, seed=seed, **opts)
    t0 = time.perf_counter()
    model.fit(X, labels_true=labels)
    seconds = time.perf_counter() - t0
    return {
        "ri": rand_index(labels, model.labels_),
        "ri_infer": rand_index(labels_new, model.predict(X_new)),
        "seconds": seconds,
    }


def arima_rolling_forecast(
    y: np.ndarray, origins: list[int], horizon: int = 10, order: tuple[int, int, int] = (2, 0, 0), refit_every: int = 1
) -> np.ndarray:
    """Point forecasts ``[len(origins), horizon]`` of statsmodels ARIMA(order) with constant from each origin.

    The model is refitted on ``y[:origin]`` at every ``refit_every``-th origin; in between, the last fit is
    re-applied to the longer history (``ARIMAResults.apply``, parameters fixed). This is the refit schedule of
    :func:`mixseq.experiments.rolling.forecast_series` with the ``arma`` forecaster, but §5.3 scores the ARIMA
    mean forecast, not the mean of simulated paths that the sampling forecasters give.
    """
    from statsmodels.tsa.arima.model import ARIMA

    out = np.empty((len(origins), horizon))
    res = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j, o in enumerate(origins):
            hist = np.asarray(y[:o], dtype=np.float64)
            if res is None or j % max(1, refit_every) == 0:
                res = ARIMA(hist, order=order, trend="c").fit()
            else:
                res = res.apply(hist)
            out[j] = res.forecast(horizon)
    return out


def sensitivity_trial(K: int, seed: int, options: dict[str, Any] | None = None) -> dict[str, float]:
    """§5.3 synthetic sensitivity: macro SMAPE when forecasting the sum of MixSeq-``K`` clusters with ARIMA(2,0,0).

    Data: the three §5.1 ARMA components, ``n_per_cluster`` (10,000) series each of ``length`` (100). The last
    ``test_steps`` (40) steps are held out; clustering (``method``, default ``mixseq``; ``K = 1`` is "Macro")
    uses the first ``length - test_steps`` steps. Each cluster's summed series is forecast ``horizon`` (10)
    steps ahead from origins ``length - test_steps, ... `` every ``window_step`` (10) steps, with ARIMA(2,0,0)
    refitted every ``refit_every`` (1) origins; forecasts are summed over clusters and scored by SMAPE against
    the macro truth (all windows pooled). Returns ``{"smape", "ri", "seconds"}``.
    """
    opts = dict(options or {})
    n = int(opts.pop("n_per_cluster", 10000))
    length = int(opts.pop("length", 100))
    test_steps = int(opts.pop("test_steps", 40))
    horizon = int(opts.pop("horizon", 10))
    step = int(opts.pop("window_step", 10))
    refit_every = int(opts.pop("refit_every", 1))
    method = str(opts.pop("method", "mixseq"))
    burn = int(opts.pop("burn_in", 0))
    X, labels = arma_clusters(3, n, length, seed=seed, burn_in=burn)
    t0 = time.perf_counter()
    train = X[:, : length - test_steps]
    if K == 1:
        assign = np.zeros(len(X), dtype=np.int64)
    else:
        assign = make_clusterer(method, K, seed=seed, **opts).fit(train, labels_true=labels).labels_
    origins = rolling_origins(length - test_steps, length, horizon, step)
    macro = X.astype(np.float64).sum(axis=0)
    total = np.zeros((len(origins), horizon))
    for k in np.unique(assign):
        y = X[assign == k].astype(np.float64).sum(axis=0)
        total += arima_rolling_forecast(y, origins, horizon, refit_every=refit_every)
    truth = np.stack([macro[o : o + horizon] for o in origins])
    return {
        "smape": smape(truth, total),
        "ri": rand_index(labels, assign),
        "seconds": time.perf_counter() - t0,
    }

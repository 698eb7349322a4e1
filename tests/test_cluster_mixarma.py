"""MixARMA (paper §5.1 baseline): recovery, EM monotonicity, sufficient statistics, save/load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mixseq.cluster import make_clusterer
from mixseq.cluster.mixarma import MixARMA, ar_sufficient_stats, component_loglik, zscore
from mixseq.data.synthetic_clustering import ARMA_COMPONENTS, arma_clusters
from mixseq.evaluate.metrics import rand_index


def test_recovers_three_components(tmp_path) -> None:
    X, labels = arma_clusters(3, n_per_cluster=300, length=100, seed=3)
    model = make_clusterer("mixarma", 3, seed=0).fit(X, log_path=tmp_path / "log.tsv")
    assert isinstance(model, MixARMA)
    assert rand_index(labels, model.labels_) > 0.95
    phis = sorted(map(tuple, np.round(model.coef_[:, 1:], 1)))
    assert np.allclose(phis, sorted(ARMA_COMPONENTS), atol=0.15)
    log = pd.read_csv(tmp_path / "log.tsv", sep="\t")
    assert list(log.columns) == ["restart", "iter", "loglik", "seconds"]
    assert set(log["restart"]) == set(range(5))
    # predict on fresh series from the same components
    X2, labels2 = arma_clusters(3, n_per_cluster=100, length=100, seed=99)
    assert rand_index(labels2, model.predict(X2)) > 0.95


def test_em_loglik_non_decreasing() -> None:
    X, _ = arma_clusters(3, n_per_cluster=200, length=60, seed=1)
    model = MixARMA(3, seed=2, n_init=3, tol=0.0, max_iter=30).fit(X)
    path = np.asarray(model.loglik_path_)
    assert len(path) > 5
    assert np.all(np.diff(path) >= -1e-6 * np.abs(path[1:]))


def test_sufficient_stats_match_direct_loglik() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 40)).cumsum(axis=1) * 3 + 10
    beta = np.array([[0.1, 0.5, -0.2], [-0.3, 1.2, -0.4]])
    sigma2 = np.array([0.7, 1.9])
    A, b, c, n = ar_sufficient_stats(X, p=2, chunk_elems=50)  # several chunks
    ll, _ = component_loglik(A, b, c, n, beta, sigma2)
    Z = zscore(X)
    direct = np.zeros((7, 2))
    for i in range(7):
        for k in range(2):
            mu = beta[k, 0] + beta[k, 1] * Z[i, 1:-1] + beta[k, 2] * Z[i, :-2]
            res = Z[i, 2:] - mu
            direct[i, k] = np.sum(-0.5 * np.log(2 * np.pi * sigma2[k]) - 0.5 * res**2 / sigma2[k])
    np.testing.assert_allclose(ll, direct, rtol=1e-10)


def test_save_load_and_errors(tmp_path) -> None:
    X, _ = arma_clusters(2, n_per_cluster=50, length=50, seed=0)
    model = MixARMA(2, seed=1, n_init=2).fit(X)
    model.save(tmp_path / "m.npz")
    again = MixARMA.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(again.predict(X), model.labels_)
    np.testing.assert_array_equal(MixARMA(2, seed=1, n_init=2).fit(X).labels_, model.labels_)
    with pytest.raises(TypeError, match="bogus"):
        MixARMA(2, bogus=1)
    from mixseq.cluster import make_clusterer

    with pytest.raises(ValueError, match="option 'mixarma.bogus': unknown option of method 'mixarma'; expected one"):
        make_clusterer("mixarma", 2, bogus=1)
    with pytest.raises(ValueError, match="NaN"):
        MixARMA(2).fit(np.full((3, 10), np.nan))

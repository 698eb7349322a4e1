"""The estimator contract, checked for every registry entry (tiny data, tiny settings).

Clustering methods: labels of shape ``[m]`` in ``0..K-1``, the same labels for the same seed, ``predict`` where the
entry says it predicts (and the fitted labels again on the fitted series for the deterministic assignments),
``save -> load -> predict`` equal where the entry says it loads, unknown and mistyped options refused naming the
option. Forecasters: ``sample`` gives ``[n_samples, horizon]`` finite draws, ``sample_origins`` (what the rolling
driver calls) ``[n_origins, n_samples, horizon]``, the same draws for the same seeds, options checked the same way.
A new registry entry must add its tiny settings here (the first test fails otherwise).
"""

from __future__ import annotations

import typing
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mixseq.cluster.base import REGISTRY as METHODS
from mixseq.cluster.base import make_clusterer, method_class, method_options
from mixseq.data.synthetic_clustering import arma_clusters
from mixseq.forecast.base import REGISTRY as FORECASTERS
from mixseq.forecast.base import forecaster_options, make_forecaster
from mixseq.options import OptionError

TORCH_FAST = {"device": "cpu", "threads": 1, "progress": False}
#: the smallest settings of each method that still run its whole fit
METHOD_OPTS: dict[str, dict[str, Any]] = {
    "macro": {},
    "truth": {},
    "mixarma": {"n_init": 1, "max_iter": 5},
    "mixseq": {"epochs": 1, "batch_size": 8, "d_model": 4, "init_epochs": 1, **TORCH_FAST},
    "dtcr": {"epochs": 1, "batch_size": 8, "hidden": [4], "dilations": [1], "cls_hidden": 4, "max_length": 16,
             "kmeans_n_init": 1, "device": "cpu", "threads": 1},
    "dstw": {"n_restarts": 1, "max_iter": 5, "n_jobs": 1},
    "jabba": {},
    "kshape": {"n_init": 1, "max_iter": 3, "max_length": 16},
    "dtw_kmeans": {"n_init": 1, "max_iter": 3, "max_length": 16, "sakoe_chiba_radius": 2, "n_jobs": 1},
    "random": {"sizes": "equal"},
    "natural": {"id_pattern": r"^(g\d+)_"},  # the groups are read from the ids (_fit names them g<label>_<i>)
}
NEURAL_FAST = {"epochs": 1, "context_length": 10, "prediction_length": 5, "val_days": 0, "hidden": 4, **TORCH_FAST}
FORECASTER_OPTS: dict[str, dict[str, Any]] = {
    "arma": {"order": [1, 0, 0]},
    "gp": {"max_history": 40, "n_restarts": 0},
    "seasonal_naive": {"season": 7, "bootstrap": True},
    "prophet": {"uncertainty_samples": 20, "yearly_seasonality": False},
    "deepar": NEURAL_FAST,
    "tcn": {**NEURAL_FAST, "dilations": [1, 2]},
    "convtrans": NEURAL_FAST,
    "dstw_rules": {"window": 7, "n_states": 2, "n_restarts": 1},
    "autoets": {"max_history": 60},
    "autoarima": {"max_history": 60, "max_p": 1, "max_q": 1, "max_P": 1, "max_Q": 1},
}
K = 2
#: k-Shape's numba kernels compile on first use (tens of seconds): its contract cases are marked slow (CI runs them)
CLUSTER_PARAMS = [pytest.param(n, marks=pytest.mark.slow) if n == "kshape" else n for n in METHODS]


@pytest.fixture(scope="module")
def panel() -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    X, labels = arma_clusters(K, n_per_cluster=8, length=48, seed=1)
    return X.astype(np.float64), labels, pd.date_range("2021-01-04", periods=X.shape[1], freq="D")


def test_every_entry_has_tiny_settings() -> None:
    assert set(METHOD_OPTS) == set(METHODS)
    assert set(FORECASTER_OPTS) == set(FORECASTERS)


def _fit(name: str, panel, seed: int = 0):  # type: ignore[no-untyped-def]
    X, labels, dates = panel
    model = make_clusterer(name, K, seed=seed, **METHOD_OPTS[name])
    if getattr(model, "needs_ids", False):  # metadata groups: one per true label, carried by the series ids
        return model.fit(X, dates=dates, labels_true=labels, ids=[f"g{lab}_{i}" for i, lab in enumerate(labels)])
    return model.fit(X, dates=dates, labels_true=labels)


@pytest.mark.parametrize("name", CLUSTER_PARAMS)
def test_cluster_labels_and_determinism(name: str, panel) -> None:
    X = panel[0]
    a, b = _fit(name, panel), _fit(name, panel)
    k = 1 if METHODS[name].fixed_k else K
    assert a.labels_.shape == (len(X),)
    assert np.issubdtype(a.labels_.dtype, np.integer)
    assert a.labels_.min() >= 0 and a.labels_.max() <= k - 1
    np.testing.assert_array_equal(a.labels_, b.labels_)


@pytest.mark.parametrize("name", CLUSTER_PARAMS)
def test_cluster_predict_save_load(name: str, panel, tmp_path) -> None:
    X, _, dates = panel
    entry, model = METHODS[name], _fit(name, panel)
    path = tmp_path / f"model{model.model_suffix}"
    model.save(path)
    assert path.stat().st_size > 0
    if not entry.predicts:
        with pytest.raises(NotImplementedError, match=name):
            model.predict(X, dates)
        return
    pred = model.predict(X, dates)
    assert pred.shape == (len(X),) and pred.min() >= 0 and pred.max() < K
    if entry.loads:
        loaded = method_class(name).load(path)
        np.testing.assert_array_equal(loaded.predict(X, dates), pred)


def _mistyped(spec: dict[str, Any]) -> str | None:
    """An option whose type rejects a mapping (most do), to feed it one."""
    for opt, tp in spec.items():
        if tp is not Any and tp is not dict and typing.get_origin(tp) is not dict:
            return opt
    return None


@pytest.mark.parametrize("name", CLUSTER_PARAMS)
def test_cluster_options_are_checked(name: str) -> None:
    with pytest.raises(OptionError, match=rf"'{name}\.no_such_option': unknown option"):
        make_clusterer(name, K, no_such_option=1)
    with pytest.raises((OptionError, TypeError), match="no_such_option"):
        method_class(name)(K, no_such_option=1)
    opt = _mistyped(method_options(name))
    if opt is not None:
        with pytest.raises(OptionError, match=rf"'{name}\.{opt}': expected"):
            make_clusterer(name, K, **{opt: {"a": 1}})


@pytest.fixture(scope="module")
def series() -> tuple[np.ndarray, pd.DatetimeIndex]:
    t = np.arange(90)
    rng = np.random.default_rng(0)
    y = 10 + 3 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.5, len(t))
    return y, pd.date_range("2021-01-04", periods=len(t), freq="D")


def _samples(name: str, series, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    y, dates = series
    f = make_forecaster(name, seed=seed, **FORECASTER_OPTS[name]).fit(y[:70], dates[:70])
    one = f.sample(y[:70], dates[:70], 6, 5, np.random.default_rng(seed))
    many = f.sample_origins(y, dates, [70, 80], 6, 5, np.random.default_rng(seed))
    return one, many


@pytest.mark.parametrize("name", list(FORECASTERS))
def test_forecaster_samples_and_determinism(name: str, series) -> None:
    one, many = _samples(name, series)
    assert one.shape == (5, 6) and np.isfinite(one).all()
    assert many.shape == (2, 5, 6) and np.isfinite(many).all()
    one2, many2 = _samples(name, series)
    np.testing.assert_array_equal(one, one2)
    np.testing.assert_array_equal(many, many2)


@pytest.mark.parametrize("name", list(FORECASTERS))
def test_forecaster_options_are_checked(name: str) -> None:
    with pytest.raises(OptionError, match=rf"'{name}\.no_such_option': unknown option"):
        make_forecaster(name, no_such_option=1)
    opt = _mistyped(forecaster_options(name))
    if opt is not None:
        with pytest.raises(OptionError, match=rf"'{name}\.{opt}': expected"):
            make_forecaster(name, **{opt: {"a": 1}})

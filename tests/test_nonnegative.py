"""evaluation.nonnegative: cluster samples censored at 0 before the macro sum (auto: non-negative training history)."""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mixseq.config_check import ConfigError, check_config
from mixseq.data.panel import Panel
from mixseq.experiments.future import forecast_future
from mixseq.experiments.rolling import censor_at_zero, forecast_series, resolve_nonnegative, rolling_forecast

REPO = Path(__file__).resolve().parents[1]
DATES = pd.date_range("2000-01-01", periods=160)
#: a cheap forecaster whose draws (last week plus resampled weekly differences) go below zero near zero
BOOT = {"bootstrap": True}


def _sales(seed: int) -> np.ndarray:
    """A non-negative series near zero: bootstrapped seasonal-naive draws on it fall below zero."""
    return np.abs(np.random.default_rng(seed).normal(0.0, 1.0, 160))


def test_censor_at_zero_moves_negative_draws_to_zero_only():
    s = np.array([[-2.0, -0.0, 0.0, 1.5, np.nan]])
    out = censor_at_zero(s)
    np.testing.assert_array_equal(out[0, :4], [0.0, 0.0, 0.0, 1.5])
    assert np.isnan(out[0, 4]) and not np.any(out[0, :4] < 0)
    assert s[0, 0] == -2.0  # the input is not modified


def test_auto_is_on_for_a_nonnegative_history_and_off_with_one_negative_value():
    h = np.array([0.0, 3.0, np.nan, 1.0])
    assert resolve_nonnegative("auto", h) is True
    h[1] = -1e-9
    assert resolve_nonnegative("auto", h) is False
    assert resolve_nonnegative(True, h) is True
    assert resolve_nonnegative(False, np.ones(3)) is False
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError, match="nonnegative: expected one of 'auto', true, false"):
            resolve_nonnegative(bad, h)


def test_rolling_forecast_censors_each_cluster_before_the_sum(caplog):
    pos, neg = _sales(0), np.random.default_rng(1).normal(0.0, 1.0, 160)  # cluster 1 has negative values
    series = np.vstack([pos, neg])
    args = (series, DATES, 120, 160, 120, 10, 10, 40, "seasonal_naive", BOOT)
    raw0 = forecast_series(pos, DATES, list(range(120, 151, 10)), 10, 40, "seasonal_naive", BOOT, 0, 120)
    raw1 = forecast_series(neg, DATES, list(range(120, 151, 10)), 10, 40, "seasonal_naive", BOOT, 1, 120)
    assert (raw0 < 0).any() and (raw1 < 0).any()
    off = rolling_forecast(*args, seed=0)
    np.testing.assert_array_equal(off.samples, raw0 + raw1)  # the default is off: samples as drawn
    np.testing.assert_array_equal(rolling_forecast(*args, seed=0, nonnegative=False).samples, off.samples)
    with caplog.at_level(logging.INFO):
        auto = rolling_forecast(*args, seed=0, nonnegative="auto", log=logging.getLogger("t"))
    # cluster 0 (non-negative history) is censored, cluster 1 (a negative value) is left as drawn
    np.testing.assert_array_equal(auto.samples, np.maximum(raw0, 0.0) + raw1)
    assert auto.info["nonnegative"] == [True, False]
    assert "cluster 0: nonnegative=auto -> censored at 0" in caplog.text
    assert "cluster 1: nonnegative=auto -> off" in caplog.text
    forced = rolling_forecast(*args, seed=0, nonnegative=True)
    np.testing.assert_array_equal(forced.samples, np.maximum(raw0, 0.0) + np.maximum(raw1, 0.0))
    assert (forced.samples >= 0).all() and forced.info["nonnegative"] == [True, True]
    with pytest.raises(ValueError, match="nonnegative: expected one of"):
        rolling_forecast(*args, seed=0, nonnegative="on")


def test_auto_looks_at_the_training_history_only():
    y = _sales(2)
    y[140] = -5.0  # a negative value in the test interval, after train_end
    on = rolling_forecast(y, DATES, 120, 160, 120, 10, 10, 30, "seasonal_naive", BOOT, seed=0, nonnegative="auto")
    assert on.info["nonnegative"] == [True] and (on.samples >= 0).all()
    y[100] = -5.0  # ... and one in the training history
    off = rolling_forecast(y, DATES, 120, 160, 120, 10, 10, 30, "seasonal_naive", BOOT, seed=0, nonnegative="auto")
    plain = rolling_forecast(y, DATES, 120, 160, 120, 10, 10, 30, "seasonal_naive", BOOT, seed=0)
    assert off.info["nonnegative"] == [False]
    np.testing.assert_array_equal(off.samples, plain.samples)


def test_future_forecast_censors_clusters_with_auto():
    values = np.vstack([_sales(s)[:60] for s in range(4)])
    splits = {"train_start": "2020-01-01", "train_end": "2020-02-14", "val_start": "2020-01-31",
              "test_start": "2020-02-15", "test_end": "2020-02-29"}
    panel = Panel(values=values, ids=["a", "b", "c", "d"], dates=pd.date_range("2020-01-01", periods=60, freq="D"),
                  splits=splits)
    labels = np.array([0, 0, 1, 1])
    off = forecast_future(panel, labels, 2, "seasonal_naive", BOOT, 7, n_samples=50, seed=0)
    on = forecast_future(panel, labels, 2, "seasonal_naive", BOOT, 7, n_samples=50, seed=0, nonnegative="auto")
    assert (off.clusters < 0).any()
    np.testing.assert_array_equal(on.clusters, np.maximum(off.clusters, 0.0))
    np.testing.assert_array_equal(on.macro, on.clusters.sum(axis=0))


BASE = yaml.safe_load((REPO / "config/test.yaml").read_text())


@pytest.mark.parametrize(
    ("where", "value"),
    [("evaluation", "yes"), ("evaluation", 1), ("datasets.rossmann.evaluation", "on")],
)
def test_config_rejects_a_bad_nonnegative_value_naming_the_key(where, value):
    cfg = copy.deepcopy(BASE)
    node = cfg
    for part in where.split("."):
        node = node.setdefault(part, {})
    node["nonnegative"] = value
    with pytest.raises(ConfigError, match=rf"config key '{where}.nonnegative': expected one of auto, true, false"):
        check_config(cfg)


def test_schema_accepts_the_three_modes_and_defaults_to_auto():
    import jsonschema

    schema = yaml.safe_load((REPO / "config/schema.yaml").read_text())
    sub = schema["properties"]["evaluation"]["properties"]["nonnegative"]
    assert sub["default"] == "auto"
    for ok in ("auto", True, False):
        jsonschema.validate(ok, sub)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("yes", sub)
    assert BASE["evaluation"]["nonnegative"] == "auto"

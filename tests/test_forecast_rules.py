"""Rule-based forecaster of the sliding-window paper (§3): confidences, sample shape, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mixseq.evaluate.metrics import smape
from mixseq.forecast.base import make_forecaster
from mixseq.forecast.dstw_rules import RuleForecaster, rule_confidences


def test_confidences_equal_hand_counts() -> None:
    states = np.array([0, 1, 0, 1, 2, 0, 0, 1, 2, 2])
    counts, conf = rule_confidences(states, 3)
    # pairs: 01 10 01 12 20 00 01 12 22 -> from 0: {0:1, 1:3}; from 1: {0:1, 2:2}; from 2: {0:1, 2:1}
    np.testing.assert_array_equal(counts, [[1, 3, 0], [1, 0, 2], [1, 0, 1]])
    np.testing.assert_allclose(conf, [[1 / 4, 3 / 4, 0], [1 / 3, 0, 2 / 3], [1 / 2, 0, 1 / 2]])
    _, conf_last = rule_confidences(np.array([0, 0, 1]), 2)
    np.testing.assert_allclose(conf_last, [[0.5, 0.5], [0.0, 0.0]])  # state 1 has no outgoing rule


def _series(T: int = 280, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(T, dtype=float)
    return 100 + 20 * np.sin(2 * np.pi * t / 7) + 0.05 * t + 4 * rng.standard_normal(T)


def test_samples_shape_determinism_and_accuracy() -> None:
    y = _series()
    dates = pd.date_range("2020-01-01", periods=len(y), freq="D")
    f = make_forecaster("dstw_rules", seed=0, window=7, n_states=3)
    assert isinstance(f, RuleForecaster)
    f.fit(y[:266], dates[:266])
    s1 = f.sample(y[:266], dates[:266], 10, 50, np.random.default_rng(3))
    s2 = f.sample(y[:266], dates[:266], 10, 50, np.random.default_rng(3))
    assert s1.shape == (50, 10) and np.isfinite(s1).all()
    np.testing.assert_array_equal(s1, s2)
    f2 = make_forecaster("dstw_rules", seed=0, window=7, n_states=3).fit(y[:266], dates[:266])
    np.testing.assert_array_equal(f2.confidence_, f.confidence_)
    np.testing.assert_allclose(f.confidence_.sum(axis=1)[f.counts_.sum(axis=1) > 0], 1.0)
    err = smape(y[266:276], s1.mean(axis=0))
    print(f"dstw_rules weekly sine: SMAPE = {err:.4f}")
    assert err < 0.05  # level ~100, noise sd 4: a forecast that keeps the weekly shape and level
    assert f.sample_origins(y, dates, [200, 266], 7, 5, np.random.default_rng(0)).shape == (2, 5, 7)


def test_fallbacks() -> None:
    f = RuleForecaster(seed=0, window=5, n_states=2)
    f.fit(np.arange(7.0), None)  # one window only: no rules
    out = f.sample(np.arange(7.0), None, 7, 3, np.random.default_rng(0))
    assert out.shape == (3, 7)
    np.testing.assert_allclose(out[0], [2, 3, 4, 5, 6, 2, 3])  # last window repeated
    # a level jump in the last window only: its offset pattern is a state of its own with no successor
    y = 100 + np.random.default_rng(0).standard_normal(40)
    y[-4:] += 50
    g = RuleForecaster(seed=0, window=4, n_states=2, noise=False).fit(y, None)
    dead = [a for a in range(g.confidence_.shape[0]) if g.counts_[a].sum() == 0]
    assert dead == [int(g.states_[-1])]
    np.testing.assert_allclose(g.next_state_probs(dead[0]), g.marginal_)  # no rule: marginal frequencies
    live = 1 - dead[0]
    np.testing.assert_allclose(g.next_state_probs(live), g.confidence_[live])
    for a in (0, 1):
        np.testing.assert_allclose(g.next_state_probs(a).sum(), 1.0)
    with pytest.raises(ValueError):
        RuleForecaster(window=1)

"""Prophet forecaster with default settings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixseq.forecast import make_forecaster


def test_prophet_200_days():
    rng = np.random.default_rng(0)
    t = np.arange(230)
    y = 100 + 0.1 * t + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, 230)
    dates = pd.date_range("2020-01-01", periods=230, freq="D")
    f = make_forecaster("prophet", seed=0)
    assert not f.trains_once
    f.fit(y[:200], dates[:200])
    a = f.sample(y[:200], dates[:200], 30, 40, np.random.default_rng(1))
    b = f.sample(y[:200], dates[:200], 30, 40, np.random.default_rng(1))
    assert a.shape == (40, 30) and np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    assert a.std(axis=0).min() > 0  # genuine predictive draws, not a repeated point
    err = np.abs(a.mean(axis=0) - y[200:]).mean()
    assert err < 3.0, err

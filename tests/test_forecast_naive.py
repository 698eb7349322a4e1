"""Seasonal naive forecaster."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixseq.forecast import make_forecaster


def test_repeats_last_week():
    y = np.arange(20.0)
    dates = pd.date_range("2020-01-01", periods=20)
    f = make_forecaster("seasonal_naive").fit(y, dates)
    s = f.sample(y, dates, 10, 3, np.random.default_rng(0))
    assert s.shape == (3, 10)
    np.testing.assert_array_equal(s[0], [13, 14, 15, 16, 17, 18, 19, 13, 14, 15])
    np.testing.assert_array_equal(s, np.broadcast_to(s[0], s.shape))
    so = f.sample_origins(y, dates, [10, 14], 7, 2, np.random.default_rng(0))
    np.testing.assert_array_equal(so[1, 0], y[7:14])


def test_bootstrap_adds_seasonal_residuals():
    rng = np.random.default_rng(0)
    y = np.tile(np.arange(7.0), 10) + rng.normal(0, 1, 70)
    f = make_forecaster("seasonal_naive", bootstrap=True)
    a = f.sample(y, None, 14, 500, np.random.default_rng(1))
    b = f.sample(y, None, 14, 500, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert a.std(axis=0).min() > 0.5
    np.testing.assert_allclose(a.mean(axis=0), np.resize(y[-7:], 14), atol=0.3)

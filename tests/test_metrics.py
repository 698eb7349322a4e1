"""Metrics against hand-computed cases and scikit-learn."""

import numpy as np
import pytest
from sklearn.metrics import rand_score

from mixseq.evaluate.metrics import (
    aggregate_samples,
    point_forecast,
    quantile_loss,
    rand_index,
    sample_quantiles,
    smape,
)


def test_rand_index_hand_case():
    # pairs of 4 items (truth/pred): (0,1) same/same, (0,2) diff/diff, (0,3) diff/same, (1,2) diff/diff,
    # (1,3) diff/same, (2,3) same/diff -> agreements a + b = 1 + 2 = 3 of 6.
    assert rand_index([0, 0, 1, 1], [0, 0, 1, 0]) == pytest.approx(3 / 6)


def test_rand_index_invariant_to_label_names_and_matches_sklearn():
    rng = np.random.default_rng(0)
    for _ in range(20):
        t = rng.integers(0, 4, size=57)
        p = rng.integers(0, 3, size=57)
        assert rand_index(t, p) == pytest.approx(rand_score(t, p))
    assert rand_index([0, 0, 1], [5, 5, 9]) == 1.0


def test_rand_index_degenerate():
    assert rand_index([1], [0]) == 1.0
    with pytest.raises(ValueError, match="length"):
        rand_index([0, 1], [0])


def test_smape_hand_case_and_zero_guard():
    x = np.array([100.0, 0.0, 50.0])
    f = np.array([110.0, 0.0, 0.0])
    expected = (10 / 210 + 0.0 + 50 / 50) / 3
    assert smape(x, f) == pytest.approx(expected)
    assert smape(np.zeros(4), np.zeros(4)) == 0.0
    assert 0.0 <= smape(np.array([1.0, -2.0]), np.array([-1.0, 3.0])) <= 1.0


def test_quantile_loss_pooled_over_windows():
    x = np.array([[10.0, 20.0], [30.0, 40.0]])
    q = np.array([[12.0, 18.0], [30.0, 50.0]])
    rho = 0.9
    # D = (rho - 1{x<=q})(x - q): (0.9-1)(-2)=0.2, 0.9*2=1.8, (0.9-1)*0=0, (0.9-1)(-10)=1.0
    expected = 2 * (0.2 + 1.8 + 0.0 + 1.0) / 100.0
    assert quantile_loss(x, q, rho) == pytest.approx(expected)
    # pooled, not the mean of per-window ratios
    per_window = np.mean([quantile_loss(x[i], q[i], rho) for i in range(2)])
    assert quantile_loss(x, q, rho) != pytest.approx(per_window)
    assert quantile_loss(np.zeros(3), np.zeros(3), 0.5) == 0.0
    with pytest.raises(ValueError):
        quantile_loss(x, q, 1.0)


def test_r05_is_normalised_absolute_error_of_median():
    rng = np.random.default_rng(1)
    x = rng.normal(10, 1, size=(5, 7))
    q = rng.normal(10, 1, size=(5, 7))
    assert quantile_loss(x, q, 0.5) == pytest.approx(np.abs(x - q).sum() / np.abs(x).sum())


def test_quantiles_come_from_summed_samples_not_summed_quantiles():
    rng = np.random.default_rng(2)
    # two clusters, independent skewed samples: the quantile of the sum differs from the sum of quantiles
    cl = rng.exponential(1.0, size=(2, 4000, 3))
    macro = aggregate_samples(cl)
    assert macro.shape == (4000, 3)
    np.testing.assert_allclose(macro, cl[0] + cl[1])
    q_sum = sample_quantiles(macro, 0.9, axis=0)
    sum_q = sample_quantiles(cl[0], 0.9, axis=0) + sample_quantiles(cl[1], 0.9, axis=0)
    assert np.all(q_sum < sum_q)
    np.testing.assert_allclose(point_forecast(macro, axis=0), macro.mean(axis=0))

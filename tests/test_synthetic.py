"""Toy-study generators (supplement D.2)."""

import numpy as np
import pytest

from mixseq.data.synthetic import ARMA_TOY_PARAMS, GP_PARAMS, make_toy_panel, simulate_ar2


def test_toy_panel_shapes_labels_and_splits():
    p = make_toy_panel("synthetic_arma", 3, seed=0, n_per_component=5, length=360, test_steps=120)
    assert p.values.shape == (15, 360) and p.values.dtype == np.float32
    assert np.bincount(p.labels).tolist() == [5, 5, 5]
    assert p.test_start_idx == 240 and p.test_end_idx == 360 and p.train_end_idx == 240
    assert p.meta["params"] == [list(x) for x in ARMA_TOY_PARAMS[:3]]


def test_seeded_and_distinct():
    a = make_toy_panel("synthetic_gp", 5, seed=3, length=100, test_steps=30)
    b = make_toy_panel("synthetic_gp", 5, seed=3, length=100, test_steps=30)
    c = make_toy_panel("synthetic_gp", 5, seed=4, length=100, test_steps=30)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.allclose(a.values, c.values)
    assert a.meta["params"] == [list(x) for x in GP_PARAMS]


def test_ar2_recovers_coefficients():
    """Least squares on a long simulated AR(2) path gives back the generating coefficients."""
    rng = np.random.default_rng(0)
    x = simulate_ar2(np.array([1.5, -0.75]), 1, 20000, rng, noise_var=0.27)[0]
    design = np.stack([x[1:-1], x[:-2]], axis=1)
    phi, *_ = np.linalg.lstsq(design, x[2:], rcond=None)
    np.testing.assert_allclose(phi, [1.5, -0.75], atol=0.02)
    resid = x[2:] - design @ phi
    assert resid.var() == pytest.approx(0.27, rel=0.05)  # 0.27 read as a variance


def test_gp_component_variance():
    """Marginal variance of the GP draws matches the kernel variance (lengthscale 0.5, variance 2.5)."""
    p = make_toy_panel("synthetic_gp", 2, seed=0, n_per_component=400, length=50, test_steps=10)
    comp1 = p.values[p.labels == 1].astype(np.float64)
    assert comp1.var() == pytest.approx(2.5, rel=0.15)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_components"):
        make_toy_panel("synthetic_arma", 6, seed=0)
    with pytest.raises(ValueError, match="unknown synthetic kind"):
        make_toy_panel("synthetic_foo", 2, seed=0)

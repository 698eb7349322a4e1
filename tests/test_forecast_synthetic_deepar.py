"""§5.1 DeepAR synthetic data: base model training, perturbed components, generated shapes and labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from mixseq.experiments.synthetic_deepar import (
    deepar_clusters,
    describe,
    load_rossmann_sales,
    load_state,
    perturbed_states,
    save_state,
    train_base_deepar,
)


@pytest.fixture(scope="module")
def rossmann_csv(tmp_path_factory):
    """A small file in Rossmann's format: 6 stores x 160 days, closed on Sundays, one store with a gap."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2013-01-01", periods=160, freq="D")
    rows = []
    for store in range(1, 7):
        level = rng.uniform(3000, 9000)
        for d in dates:
            if store == 6 and 50 <= (d - dates[0]).days < 60:
                continue  # missing days: the store must be dropped
            open_ = d.day_of_week != 6
            sales = level * (1 + 0.3 * np.sin(2 * np.pi * d.day_of_week / 7)) + rng.normal(0, 300) if open_ else 0.0
            rows.append((store, d.day_of_week + 1, d.strftime("%Y-%m-%d"), round(max(sales, 0.0)), 0, int(open_)))
    df = pd.DataFrame(rows, columns=["Store", "DayOfWeek", "Date", "Sales", "Customers", "Open"])
    path = tmp_path_factory.mktemp("rossmann") / "train.csv.gz"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def base_state(rossmann_csv):
    return train_base_deepar(
        rossmann_csv,
        seed=0,
        epochs=2,
        context_length=28,
        prediction_length=14,
        windows_per_epoch=256,
        threads=1,
        show_progress=False,
    )


def test_loader_drops_incomplete_stores(rossmann_csv):
    values, dates = load_rossmann_sales(rossmann_csv)
    assert values.shape == (5, 160) and values.dtype == np.float32
    assert len(dates) == 160 and (values[:, dates.day_of_week == 6] == 0).all()


def test_base_state_round_trip(base_state, tmp_path):
    assert sum(v.numel() for v in base_state.values()) > 1000  # LSTM(4 -> 16) + head
    path = tmp_path / "base.pt"
    save_state(base_state, path)
    back = load_state(path)
    for k, v in base_state.items():
        torch.testing.assert_close(back[k], v)


def test_components_shapes_labels_determinism(base_state):
    X, labels = deepar_clusters(base_state, n_clusters=3, n_per_cluster=400, length=100, seed=1)
    assert X.shape == (1200, 100) and X.dtype == np.float32 and np.isfinite(X).all()
    np.testing.assert_array_equal(labels, np.repeat([0, 1, 2], 400))
    X2, _ = deepar_clusters(base_state, n_clusters=3, n_per_cluster=400, length=100, seed=1)
    np.testing.assert_array_equal(X, X2)


def test_components_differ(base_state):
    states = perturbed_states(base_state, 3, seed=1, noise_std=0.1)
    for k, v in base_state.items():
        torch.testing.assert_close(states[0][k], v)  # component 0 is the base
    d = torch.cat([(states[1][k] - v).flatten() for k, v in base_state.items()])
    assert (d != 0).all() and 0.09 < float(d.std()) < 0.11  # N(0, 0.01) read as variance: std 0.1
    X, labels = deepar_clusters(base_state, n_clusters=3, n_per_cluster=1000, length=100, seed=1)
    assert set(describe(X, labels)) == {0, 1, 2}

    def per_series(x):
        xc = x - x.mean(axis=1, keepdims=True)
        ac1 = (xc[:, 1:] * xc[:, :-1]).sum(axis=1) / (xc**2).sum(axis=1)
        return np.stack([x.mean(axis=1), x.std(axis=1), ac1, x[:, -10:].mean(axis=1)], axis=1)

    feats = [per_series(X[labels == k].astype(np.float64)) for k in range(3)]
    for a in range(3):
        for b in range(a + 1, 3):
            se = np.sqrt(feats[a].var(axis=0) / len(feats[a]) + feats[b].var(axis=0) / len(feats[b]))
            z = np.abs(feats[a].mean(axis=0) - feats[b].mean(axis=0)) / se
            assert z.max() > 5, (a, b, z)  # some summary statistic separates every pair of components


def test_sample_seed_keeps_components_changes_draws(base_state):
    """MixSeq-infer needs new series from the same components: same seed, other sample_seed."""
    a, la = deepar_clusters(base_state, 2, 50, length=40, seed=3, device="cpu")
    b, lb = deepar_clusters(base_state, 2, 50, length=40, seed=3, device="cpu", sample_seed=99)
    np.testing.assert_array_equal(la, lb)
    assert not np.allclose(a, b)
    # per-component statistics agree (same components), up to sampling noise
    for k in range(2):
        assert abs(a[la == k].mean() - b[lb == k].mean()) < 0.25 * (abs(a[la == k].mean()) + 0.1) + 0.1

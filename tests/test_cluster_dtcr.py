"""Tests for mixseq.cluster.dtcr (DTCR baseline). Small networks, one torch thread: a few seconds each."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from mixseq.cluster.base import make_clusterer
from mixseq.cluster.dtcr import (
    DTCR,
    DTCRNet,
    batch_F,
    kmeans_batch_loss,
    make_fake,
    pool_factor,
    preprocess,
    spectral_F,
)
from mixseq.evaluate.metrics import rand_index

SMALL = {"hidden": [8, 4, 4], "batch_size": 16, "threads": 1, "kmeans_n_init": 3, "device": "cpu"}


def three_kinds(m: int = 90, T: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Slow sines, fast sines (phase jitter +-0.3 rad) and white noise at random levels; labels 0, 1, 2."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    lab = np.arange(m) % 3
    X = np.empty((m, T))
    for i in range(m):
        if lab[i] == 0:
            X[i] = np.sin(2 * np.pi * t / 32 + rng.uniform(-0.3, 0.3))
        elif lab[i] == 1:
            X[i] = np.sin(2 * np.pi * t / 8 + rng.uniform(-0.3, 0.3))
        else:
            X[i] = rng.normal(size=T)
    X = 10 + rng.uniform(1, 5, size=(m, 1)) * (X + 0.1 * rng.normal(size=X.shape))
    return X.astype(np.float32), lab


def test_registry_and_options() -> None:
    model = make_clusterer("dtcr", 3, seed=1, epochs=1)
    assert isinstance(model, DTCR)
    with pytest.raises(ValueError, match="option .dtcr.bogus.: unknown option of method .dtcr."):
        DTCR(3, bogus=1)


def test_preprocess_pools_and_normalises() -> None:
    assert pool_factor(730, 128) == 6 and pool_factor(100, 128) == 1 and pool_factor(100, None) == 1
    X = np.arange(2 * 13, dtype=np.float32).reshape(2, 13)
    X[1] = 5.0  # constant series -> zeros
    Z = preprocess(X, 4)
    assert Z.shape == (2, 3)
    # windows end on the last day: days 1-4, 5-8, 9-12 (day 0 dropped)
    pooled = np.array([2.5, 6.5, 10.5])
    np.testing.assert_allclose(Z[0], (pooled - pooled.mean()) / pooled.std(), rtol=1e-5)
    np.testing.assert_array_equal(Z[1], 0.0)


def test_shapes_and_fake_samples() -> None:
    net = DTCRNet([8, 4, 4], [1, 4, 16])
    x = torch.randn(5, 37)
    h = net.encode(x)
    assert h.shape == (5, 2 * (8 + 4 + 4)) == (5, net.dim)
    assert net.decode(h, 37).shape == (5, 37)
    assert net.classifier(h).shape == (5, 2)
    fake = make_fake(x, 0.2, torch.Generator().manual_seed(0))
    changed = (fake != x).sum(dim=1)
    assert (changed <= round(0.2 * 37)).all() and (changed > 0).all()
    # shuffling only permutes values within a series
    np.testing.assert_allclose(torch.sort(fake, 1).values, torch.sort(x, 1).values)


def test_dilated_layer_is_causal_with_dilation() -> None:
    net = DTCRNet([3], [4])
    x = torch.randn(1, 12)
    out = net.fwd[0](x.unsqueeze(-1))
    x2 = x.clone()
    x2[0, 9] += 1.0  # step 9 feeds 9, 13, ... only: step 11 (residue 3) and step 10 must not change
    out2 = net.fwd[0](x2.unsqueeze(-1))
    assert torch.allclose(out[0, :9], out2[0, :9]) and torch.allclose(out[0, 10:], out2[0, 10:])
    assert not torch.allclose(out[0, 9], out2[0, 9])


def test_kmeans_loss_batchwise_matches_full_formula() -> None:
    g = torch.Generator().manual_seed(0)
    m, d, k = 12, 5, 3
    H = torch.randn(m, d, generator=g, dtype=torch.float64)
    F = spectral_F(H, k)
    np.testing.assert_allclose(F.T @ F, np.eye(k), atol=1e-10)
    # DTCR writes H as d x m: Tr(H^T H) - Tr(F^T H^T H F) with the m x m Gram matrix (fine at this size)
    Hd = H.T
    full = torch.trace(Hd.T @ Hd) - torch.trace(F.T @ Hd.T @ Hd @ F)
    assert torch.isclose(kmeans_batch_loss(H, F), full)
    # the spectral relaxation: the residual is the sum of the trailing squared singular values
    s = torch.linalg.svdvals(H)
    assert torch.isclose(full, (s[k:] ** 2).sum())
    # one batch holding every series (in any order) reproduces the full formula
    idx = torch.randperm(m, generator=g)
    assert torch.isclose(kmeans_batch_loss(H[idx], batch_F(F, idx)), full)
    # a proper batch: equals the explicit Gram-matrix formula on the batch with its orthonormalised F rows
    b = idx[:7]
    Fb = batch_F(F, b)
    np.testing.assert_allclose(Fb.T @ Fb, np.eye(k), atol=1e-10)
    Hb = H[b].T
    explicit = torch.trace(Hb.T @ Hb) - torch.trace(Fb.T @ Hb.T @ Hb @ Fb)
    assert torch.isclose(kmeans_batch_loss(H[b], Fb), explicit)
    assert kmeans_batch_loss(H[b], Fb) >= 0


def test_F_stays_aligned_with_series_ids_under_shuffling() -> None:
    X, _ = three_kinds(m=40, T=32)
    model = DTCR(3, seed=0, **SMALL)
    model.net = model._build()
    Z = preprocess(X, 1)
    F = model.refresh_F(Z)
    H = torch.from_numpy(model.encode_preprocessed(Z)).double()
    # F's row i is series i's: recompute it from series i's own representation through the same projection
    V = torch.linalg.lstsq(H, F.double()).solution  # F = H V exactly (F = H V_K S_K^-1)
    rng = np.random.default_rng(3)
    seen = []
    for idx in model.iter_batch_indices(len(Z), 7, rng):
        seen.append(idx)
        h_b = torch.from_numpy(model.encode_preprocessed(Z[idx])).double()
        np.testing.assert_allclose(F[torch.from_numpy(idx)].double(), h_b @ V, atol=1e-4)
    order = np.concatenate(seen)
    assert sorted(order) == list(range(len(Z))) and not np.array_equal(order, np.arange(len(Z)))
    # the batch loss depends on pairing rows of H with their own rows of F
    idx = seen[0]
    hb = H[idx]
    Fd = F.double()
    aligned = kmeans_batch_loss(hb, batch_F(Fd, torch.from_numpy(idx)))
    rev = torch.from_numpy(idx[::-1].copy())
    assert torch.isclose(aligned, kmeans_batch_loss(torch.flip(hb, [0]), batch_F(Fd, rev)))
    assert not torch.isclose(aligned, kmeans_batch_loss(hb, batch_F(Fd, rev)))


def test_recovers_clearly_different_clusters(tmp_path) -> None:
    # slow sines vs white noise, K = 2 (three_kinds without its fast sines: with all three kinds and K = 2 the
    # network may legitimately split off the fast sines instead). Measured RI 1.0 for seeds 0, 1, 2.
    X, lab = three_kinds(m=120)
    keep = lab != 1
    X, y = X[keep], (lab[keep] == 2).astype(int)
    model = DTCR(2, seed=0, epochs=6, lr=5e-3, **{**SMALL, "hidden": [16, 8, 8]})
    model.fit(X, log_path=tmp_path / "log.tsv", labels_true=y)
    log = pd.read_csv(tmp_path / "log.tsv", sep="\t")
    assert list(log.columns) == ["epoch", "recon", "kmeans", "cls", "loss", "seconds", "ri"]
    assert len(log) == 6 and log["seconds"].is_monotonic_increasing
    assert log["recon"].iloc[-1] < log["recon"].iloc[0]  # the auto-encoder learns
    assert model.labels_.shape == (len(X),) and set(model.labels_) <= {0, 1}
    assert rand_index(y, model.labels_) > 0.9  # chance about 0.5


def test_checkpoint_round_trip_and_seed_reproducibility(tmp_path) -> None:
    X, _ = three_kinds(m=48, T=40)
    a = DTCR(3, seed=7, epochs=2, **SMALL).fit(X)
    b = DTCR(3, seed=7, epochs=2, **SMALL).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    a.save(tmp_path / "dtcr.pt")
    torch.load(tmp_path / "dtcr.pt", weights_only=True)  # plain tensors and Python values only
    c = DTCR.load(tmp_path / "dtcr.pt")
    np.testing.assert_array_equal(c.predict(X), a.predict(X))
    np.testing.assert_array_equal(a.predict(X), a.labels_)


def test_subsample_and_streaming_panel(tmp_path) -> None:
    from mixseq.data.panel import Panel, write_panel

    X, lab = three_kinds(m=60, T=50)
    dates = pd.date_range("2020-01-01", periods=50, freq="D")
    splits = {"train_start": "2020-01-01", "train_end": "2020-02-09", "val_start": "2020-01-31",
              "test_start": "2020-02-10", "test_end": "2020-02-19"}
    panel = Panel(values=X, ids=[f"s{i}" for i in range(60)], dates=dates, splits=splits, labels=lab)
    path = tmp_path / "panel.parquet"
    write_panel(panel, path, row_group=16)
    model = DTCR(3, seed=0, epochs=1, max_series=25, max_length=20, **SMALL)
    model.fit_stream(path, read_batch=16)
    assert model.fit_rows_ is not None and len(model.fit_rows_) == 25
    assert model.pool_ == 2  # 40 training days capped at 20 steps
    assert model.ids_ == panel.ids and model.labels_.shape == (60,)
    np.testing.assert_array_equal(model.labels_, model.predict(X[:, :40]))
    ids, labels = model.predict_stream(path, t_end=40, read_batch=7)
    np.testing.assert_array_equal(labels, model.labels_)


def test_cached_refresh_matches_full_encoding_and_full_mode_runs() -> None:
    X, _ = three_kinds(m=40, T=40)
    # lr 0: the network does not change, so every cached row must equal a fresh encoding of its series
    model = DTCR(3, seed=0, epochs=1, lr=0.0, refresh_every=2, **SMALL).fit(X)
    Z = preprocess(X, model.pool_)
    np.testing.assert_allclose(model.H_cache_.numpy(), model.encode_preprocessed(Z), atol=1e-5)
    F_cache = model.refresh_F_from_cache().numpy()
    F_full = model.refresh_F(Z).numpy()
    np.testing.assert_allclose(np.abs(F_cache.T @ F_full), np.eye(3), atol=1e-4)  # same subspace, up to sign
    full = DTCR(3, seed=0, epochs=1, refresh="full", refresh_every=2, **SMALL).fit(X)
    assert full.labels_.shape == (40,)
    with pytest.raises(ValueError, match="refresh must be"):
        DTCR(3, epochs=1, refresh="sometimes", **SMALL).fit(X)

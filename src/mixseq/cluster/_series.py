"""Preprocessing shared by the shape-based clustering families (DSTW, JABBA, k-Shape, DTW k-means).

These methods compare the *shape* of microscopic series, so they work on per-series z-normalised
values (mean 0, standard deviation 1); a constant series (e.g. a closed store) becomes all zeros.
Long series may be shortened by average pooling before quadratic-cost distances such as DTW.
"""

from __future__ import annotations

import numpy as np


def as_panel(X: np.ndarray, name: str) -> np.ndarray:
    """``X`` as a finite float64 ``[m, T]`` array (NaN -> 0), raising early on a wrong shape."""
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 2:
        raise ValueError(f"{name}: expected a [m, T] panel with T >= 2, got shape {arr.shape}")
    return np.nan_to_num(arr, nan=0.0, posinf=0.0, neginf=0.0)


def znormalise(X: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Per-row z-normalisation ``(x - mean) / std``; rows with ``std < eps`` become zeros."""
    X = np.asarray(X, dtype=np.float64)
    mu = X.mean(axis=-1, keepdims=True)
    sd = X.std(axis=-1, keepdims=True)
    out = np.zeros_like(X)
    np.divide(X - mu, sd, out=out, where=sd >= eps)
    return out


def average_pool(X: np.ndarray, max_length: int | None) -> np.ndarray:
    """Average-pool rows of ``X`` ``[m, T]`` down to ``max_length`` points (no-op when ``T <= max_length``).

    The ``T`` steps are split into ``max_length`` contiguous bins of (nearly) equal size, bin edges
    ``floor(linspace(0, T, max_length + 1))``, and each bin is replaced by its mean.
    """
    X = np.asarray(X, dtype=np.float64)
    T = X.shape[-1]
    if max_length is None or T <= int(max_length):
        return X
    L = int(max_length)
    if L < 2:
        raise ValueError(f"max_length must be >= 2 or None, got {max_length}")
    edges = np.floor(np.linspace(0, T, L + 1)).astype(np.int64)
    sums = np.add.reduceat(X, edges[:-1], axis=-1)
    return sums / np.diff(edges)

"""DTW distance matrices and the improved k-means on them (sliding-window paper, §2.1).

Shared by the DSTW clusterer (:mod:`mixseq.cluster.dstw`, which clusters window segments and then their
centres) and the rule forecaster (:mod:`mixseq.forecast.dstw_rules`, which clusters a series' window
patterns into states). Pure numpy plus ``tslearn``'s DTW; centres are members of the data (indices into the
distance matrix), because averaging is unsuitable for time series under DTW.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class KMeansResult:
    """Result of :func:`improved_kmeans`: ``labels`` ``[n]``, ``centres`` (indices into the data), ``sse``."""

    labels: np.ndarray
    centres: np.ndarray
    sse: float
    n_iter: int


def _off_diagonal(D: np.ndarray) -> np.ndarray:
    iu = np.triu_indices(len(D), k=1)
    return D[iu] if iu[0].size else np.zeros(1)


def _initial_centres(D: np.ndarray, k: int, tau: float, rng: np.random.Generator) -> list[int]:
    """Threshold-based initial centres (§2.1 (1), Fig. 1).

    First centre uniformly at random; then random candidates are accepted only if their distance to
    every chosen centre is at least ``tau``. After ``20 n`` rejected draws the farthest point from the
    chosen centres is taken instead (farthest-first fallback, so the loop always terminates).
    """
    n = len(D)
    centres = [int(rng.integers(n))]
    tries = 0
    while len(centres) < k:
        cand = int(rng.integers(n))
        tries += 1
        if cand not in centres and D[cand, centres].min() >= tau:
            centres.append(cand)
            tries = 0
        elif tries > 20 * n:
            dmin = D[:, centres].min(axis=1)
            dmin[centres] = -np.inf
            centres.append(int(np.argmax(dmin)))
            tries = 0
    return centres


def _reselect(D: np.ndarray, members: np.ndarray, tau: float, rng: np.random.Generator) -> int:
    """Centre reselection (§2.1 (2), Fig. 2): a member is eligible when over 50% of its distances to the
    other members are ``<= tau``; the eligible member with the largest such share wins (ties: smallest
    distance sum, i.e. the medoid). With no eligible member the centre was an improper choice and a
    random member becomes the new centre.
    """
    if members.size <= 2:
        sub = D[np.ix_(members, members)]
        return int(members[np.argmin(sub.sum(axis=1))])
    sub = D[np.ix_(members, members)]
    share = ((sub <= tau).sum(axis=1) - 1) / (members.size - 1)  # minus self
    eligible = share > 0.5
    if not eligible.any():
        return int(members[rng.integers(members.size)])
    key = np.where(eligible, share, -np.inf)
    best = np.flatnonzero(key == key.max())
    return int(members[best[np.argmin(sub[best].sum(axis=1))]])


def improved_kmeans(
    D: np.ndarray,
    k: int,
    rng: np.random.Generator,
    init_quantile: float = 0.5,
    reselect_quantile: float = 0.25,
    n_restarts: int = 5,
    max_iter: int = 20,
) -> KMeansResult:
    """The paper's improved k-means (§2.1) on a precomputed distance matrix ``D`` ``[n, n]``.

    Thresholds are quantiles of the pairwise distances: initial centres must be at least the
    ``init_quantile`` quantile apart; reselection counts distances at most the ``reselect_quantile``
    quantile. Each of ``n_restarts`` runs alternates nearest-centre assignment and centre reselection
    until the centres repeat (or ``max_iter``); the run with the minimum SSE (sum of squared distances
    to the assigned centre) is kept.
    """
    D = np.asarray(D, dtype=np.float64)
    n = len(D)
    if n <= k:
        return KMeansResult(np.arange(n), np.arange(n), 0.0, 0)
    off = _off_diagonal(D)
    tau_init = float(np.quantile(off, init_quantile))
    tau_re = float(np.quantile(off, reselect_quantile))
    best: KMeansResult | None = None
    for _ in range(max(1, n_restarts)):
        centres = _initial_centres(D, k, tau_init, rng)
        it = 0
        seen: set[tuple[int, ...]] = {tuple(sorted(centres))}
        for it in range(1, max_iter + 1):  # noqa: B007 - reported as n_iter
            labels = np.argmin(D[:, centres], axis=1)
            labels[centres] = np.arange(k)  # a centre always belongs to its own cluster
            new = [
                _reselect(D, np.flatnonzero(labels == c), tau_re, rng) if (labels == c).any() else centres[c]
                for c in range(k)
            ]
            if len(set(new)) < k:  # two clusters picked the same element: keep the old centres
                new = centres
            key = tuple(sorted(new))
            converged = new == centres or key in seen
            seen.add(key)
            centres = new
            if converged:
                break
        labels = np.argmin(D[:, centres], axis=1)
        labels[centres] = np.arange(k)
        sse = float(np.sum(D[np.arange(n), np.asarray(centres)[labels]] ** 2))
        if best is None or sse < best.sse:
            best = KMeansResult(labels.astype(np.int64), np.asarray(centres, dtype=np.int64), sse, it)
    assert best is not None
    return best


def dtw_matrix(
    A: np.ndarray | list[np.ndarray],
    B: np.ndarray | list[np.ndarray] | None = None,
    radius: int | None = None,
    n_jobs: int | None = None,
) -> np.ndarray:
    """DTW distances (``tslearn.metrics.cdist_dtw``) between rows of ``A`` and ``B`` (``A`` if None);
    rows may differ in length (lists are padded by ``to_time_series_dataset``). ``radius`` sets a
    Sakoe-Chiba band."""
    from tslearn.metrics import cdist_dtw
    from tslearn.utils import to_time_series_dataset

    kw: dict[str, Any] = {"n_jobs": n_jobs}
    if radius is not None:
        kw.update(global_constraint="sakoe_chiba", sakoe_chiba_radius=int(radius))
    a = to_time_series_dataset(A)
    b = None if B is None else to_time_series_dataset(B)
    return np.asarray(cdist_dtw(a, b, **kw), dtype=np.float64)

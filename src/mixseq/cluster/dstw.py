"""DSTW: multi-stage clustering on dynamic sliding time windows (sliding-window paper, §2).

Steps of :meth:`DSTW.fit` on microscopic series ``X`` ``[m, T]``:

1. **Normalisation** (DTW is scale-sensitive): ``normalise="window"`` (default) z-normalises every
   segment inside its window, so windows compare the *overall trend/shape* of a segment (§2.2) and the
   second stage can match the same shape at different levels; ``"series"`` z-normalises each whole
   series once (keeps within-series level changes); ``"none"`` uses raw values.
2. **Dynamic sliding time windows** (§2.2, Fig. 3). Window ``j`` starts at ``s_j = j * step`` and has
   size ``w_j = min(round(base_size * u_j), T - s_j)`` with ``u_j ~ Uniform[1, max_ratio]`` drawn from
   ``numpy.random.default_rng(seed)`` (``max_ratio = 1.3``: the paper's 1~1.3 times the initial size).
   Windows are generated while ``s_j + base_size <= T``; consecutive windows overlap by
   ``w_j - step`` steps (none when ``step >= w_j``). Defaults ``base_size = min(28, T // 2)``,
   ``step = base_size``.
3. **First stage** (§2.1-2.2): in each window, the segments of all series are clustered into
   ``k_window`` groups by :func:`improved_kmeans` on their DTW distance matrix
   (``tslearn.metrics.cdist_dtw``, optional Sakoe-Chiba band ``sakoe_chiba_radius``). Centres are
   member segments (the paper replaces averaging, unsuitable for time series, by centre reselection).
4. **Second stage** (§2.3): all first-stage centres (varying lengths; DTW handles that) are clustered
   into ``n_clusters`` groups by the same improved k-means; each first-stage cluster inherits the
   second-stage label of its centre ("elements ... copied to the corresponding clusters").
5. **One label per series** (our rule; the paper clusters segments, not whole series): a series'
   segment in window ``j`` belongs to first-stage cluster ``c_ij``, whose centre has second-stage
   label ``g_j(c_ij)``; the series gets the majority vote ``argmax_g #{j : g_j(c_ij) = g}``, ties to the
   smallest label. Rationale: the second-stage label is the global pattern the series follows in a
   window; the pattern it follows most often is its type, and the vote is robust to the few windows
   where noise moves a segment to another cluster.

Fitted attributes: ``windows_`` (list of ``(start, end)``), ``window_labels_`` (``[m, n_windows]``
first-stage labels, local to each window), ``window_stage2_`` (``[m, n_windows]`` second-stage label of
each series' segment), ``centres_`` (per window, the ``[k, w_j]`` first-stage centre segments),
``centre_stage2_`` (per window, the second-stage label of each centre), ``transition_counts_``
(``[K, K]``: count of series moving from pattern ``a`` in window ``j`` to ``b`` in ``j + 1``) and
``rules_`` (row-normalised counts: confidence of ``a -> b``, eq. 5), ``labels_``.

``fit(log_path=...)`` writes one TSV row per window: ``stage, window, start, end, size, sse, n_iter,
seconds`` (the second stage is the row with ``stage = 2``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixseq.cluster._series import as_panel, znormalise
from mixseq.cluster.base import ClusterMethod
from mixseq.dtw import KMeansResult, dtw_matrix, improved_kmeans

_NORMALISE = {"window", "series", "none"}


def dynamic_windows(
    T: int, base_size: int, step: int, rng: np.random.Generator, max_ratio: float = 1.3
) -> list[tuple[int, int]]:
    """Dynamic sliding windows ``[(start, end), ...]`` over ``0..T`` (rule in the module docstring)."""
    if base_size < 2 or step < 1:
        raise ValueError(f"dstw: need base_size >= 2 and step >= 1, got {base_size}, {step}")
    if base_size > T:
        raise ValueError(f"dstw: base_size {base_size} exceeds the series length {T}")
    out: list[tuple[int, int]] = []
    s = 0
    while s + base_size <= T:
        size = min(int(round(base_size * rng.uniform(1.0, max_ratio))), T - s)
        out.append((s, s + size))
        s += step
    return out


class DSTW(ClusterMethod):
    """Multi-stage clustering on dynamic sliding time windows (see module docstring).

    Options (defaults): ``base_size`` (``min(28, T // 2)``), ``step`` (``base_size``), ``max_ratio``
    (1.3), ``k_window`` (``n_clusters``; first-stage clusters per window), ``normalise`` ("window"),
    ``sakoe_chiba_radius`` (None), ``init_quantile`` (0.5), ``reselect_quantile`` (0.25),
    ``n_restarts`` (5), ``max_iter`` (20), ``n_jobs`` (None; joblib workers for DTW).
    """

    name = "dstw"

    def __init__(
        self,
        n_clusters: int,
        seed: int = 0,
        *,
        base_size: int | None = None,
        step: int | None = None,
        max_ratio: float = 1.3,
        k_window: int | None = None,
        normalise: str = "window",
        sakoe_chiba_radius: int | None = None,
        init_quantile: float = 0.5,
        reselect_quantile: float = 0.25,
        n_restarts: int = 5,
        max_iter: int = 20,
        n_jobs: int | None = None,
    ) -> None:
        super().__init__(n_clusters, seed)
        self.base_size = None if base_size is None else int(base_size)
        self.step = None if step is None else int(step)
        self.max_ratio = float(max_ratio)
        self.k_window = int(k_window or n_clusters)
        self.normalise = str(normalise)
        self.radius = None if sakoe_chiba_radius is None else int(sakoe_chiba_radius)
        self.init_quantile = float(init_quantile)
        self.reselect_quantile = float(reselect_quantile)
        self.n_restarts = int(n_restarts)
        self.max_iter = int(max_iter)
        self.n_jobs = None if n_jobs is None else int(n_jobs)
        if self.normalise not in _NORMALISE:
            raise ValueError(f"dstw: normalise must be one of {sorted(_NORMALISE)}, got {self.normalise!r}")
        if not self.max_ratio >= 1.0:
            raise ValueError(f"dstw: max_ratio must be >= 1, got {self.max_ratio}")

    def _segments(self, Z: np.ndarray, a: int, b: int) -> np.ndarray:
        seg = Z[:, a:b]
        return znormalise(seg) if self.normalise == "window" else seg

    def _prepare(self, X: np.ndarray) -> np.ndarray:
        X = as_panel(X, self.name)
        return znormalise(X) if self.normalise == "series" else X

    def fit(
        self,
        X: np.ndarray,
        dates: pd.DatetimeIndex | None = None,
        log_path: str | Path | None = None,
        labels_true: np.ndarray | None = None,
    ) -> DSTW:
        """Two-stage clustering; sets ``labels_`` and the window attributes (see module docstring)."""
        Z = self._prepare(X)
        m, T = Z.shape
        rng = np.random.default_rng(self.seed)
        base = self.base_size or max(2, min(28, T // 2))
        self.windows_ = dynamic_windows(T, base, self.step or base, rng, self.max_ratio)
        log: list[dict[str, Any]] = []
        k1 = min(self.k_window, m)
        labels1 = np.zeros((m, len(self.windows_)), dtype=np.int64)
        self.centres_: list[np.ndarray] = []
        for j, (a, b) in enumerate(self.windows_):
            t0 = time.perf_counter()
            seg = self._segments(Z, a, b)
            res = self._cluster(dtw_matrix(seg, radius=self.radius, n_jobs=self.n_jobs), k1, rng)
            labels1[:, j] = res.labels
            self.centres_.append(seg[res.centres])
            log.append(
                {
                    "stage": 1,
                    "window": j,
                    "start": a,
                    "end": b,
                    "size": b - a,
                    "sse": res.sse,
                    "n_iter": res.n_iter,
                    "seconds": time.perf_counter() - t0,
                }
            )
        # second stage: cluster every first-stage centre
        t0 = time.perf_counter()
        flat = [c for cs in self.centres_ for c in cs]
        K = min(self.n_clusters, len(flat))
        res2 = self._cluster(dtw_matrix(flat, radius=self.radius, n_jobs=self.n_jobs), K, rng)
        log.append(
            {
                "stage": 2,
                "window": -1,
                "start": 0,
                "end": T,
                "size": T,
                "sse": res2.sse,
                "n_iter": res2.n_iter,
                "seconds": time.perf_counter() - t0,
            }
        )
        offsets = np.cumsum([0] + [len(cs) for cs in self.centres_])
        self.centre_stage2_ = [res2.labels[offsets[j] : offsets[j + 1]] for j in range(len(self.centres_))]
        self.window_labels_ = labels1
        self.window_stage2_ = np.stack(
            [self.centre_stage2_[j][labels1[:, j]] for j in range(len(self.windows_))], axis=1
        )
        self.labels_ = self._vote(self.window_stage2_, K)
        self.transition_counts_ = np.zeros((K, K), dtype=np.int64)
        if self.window_stage2_.shape[1] > 1:
            np.add.at(self.transition_counts_, (self.window_stage2_[:, :-1], self.window_stage2_[:, 1:]), 1)
        rows = self.transition_counts_.sum(axis=1, keepdims=True)
        self.rules_ = np.divide(self.transition_counts_, rows, out=np.zeros((K, K)), where=rows > 0)
        if log_path is not None:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            pd.DataFrame(log).to_csv(log_path, sep="\t", index=False)
        return self

    def _cluster(self, D: np.ndarray, k: int, rng: np.random.Generator) -> KMeansResult:
        return improved_kmeans(D, k, rng, self.init_quantile, self.reselect_quantile, self.n_restarts, self.max_iter)

    @staticmethod
    def _vote(stage2: np.ndarray, K: int) -> np.ndarray:
        """Majority vote over windows (ties -> smallest label)."""
        votes = np.zeros((len(stage2), K), dtype=np.int64)
        np.add.at(votes, (np.repeat(np.arange(len(stage2)), stage2.shape[1]), stage2.ravel()), 1)
        return np.argmax(votes, axis=1).astype(np.int64)

    def predict(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """Assign new series (same length regime): nearest first-stage centre per window, then the vote."""
        if self.labels_ is None:
            raise RuntimeError("dstw: call fit before predict")
        Z = self._prepare(X)
        if Z.shape[1] < self.windows_[-1][1]:
            raise ValueError(f"dstw: series of length {Z.shape[1]} do not cover the fitted windows")
        cols = []
        for j, (a, b) in enumerate(self.windows_):
            D = dtw_matrix(self._segments(Z, a, b), self.centres_[j], radius=self.radius, n_jobs=self.n_jobs)
            cols.append(self.centre_stage2_[j][np.argmin(D, axis=1)])
        return self._vote(np.stack(cols, axis=1), self.rules_.shape[0])

"""Shape-based clustering baselines from tslearn: k-Shape and DTW k-means (DBA barycentres).

Both run on per-series z-normalised series (tslearn ``TimeSeriesScalerMeanVariance``: mean 0,
std 1; a constant series becomes zeros), so they group microscopic series by shape, not level.
Long series are first average-pooled to at most ``max_length`` points
(:func:`mixseq.cluster._series.average_pool`) because DTW costs O(T^2) per pair and the k-means
loop needs O(m K) DTW evaluations per iteration: on Rossmann (942 days) and 2 cores DTW k-means is
otherwise impractically slow.

Options (keyword arguments of both classes):

``max_iter`` (int, 50 for k-Shape, 20 for DTW k-means)
    maximum iterations of one run.
``n_init`` (int, 2)
    independent runs (seeded from ``seed``); the lowest-inertia run is kept.
``max_length`` (int or None; default None for k-Shape, 128 for DTW k-means)
    average-pool longer series to this many points (942 Rossmann days -> 128 bins of ~7.4 days).
``sakoe_chiba_radius`` (int or None, None; DTW k-means only)
    Sakoe-Chiba band radius in (pooled) steps; speeds DTW up at the cost of limiting warping.
``n_jobs`` (int or None, None; DTW k-means only)
    joblib workers for DTW cross-distance computations (the rule passes its ``threads``).

``fit`` writes, when ``log_path`` is given, a one-row TSV with columns
``method, n_series, length, inertia, n_iter, seconds``.
"""

from __future__ import annotations

import pickle
import time
from abc import abstractmethod
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixseq.cluster._series import as_panel, average_pool
from mixseq.cluster.base import ClusterMethod


def _prepare(X: np.ndarray, max_length: int | None, name: str) -> np.ndarray:
    """Average-pool then z-normalise per series; returns tslearn's ``[m, T', 1]`` layout."""
    from tslearn.preprocessing import TimeSeriesScalerMeanVariance

    pooled = average_pool(as_panel(X, name), max_length)
    out = TimeSeriesScalerMeanVariance(mu=0.0, std=1.0).fit_transform(pooled[:, :, None])
    return np.nan_to_num(out)


class _TslearnClusterer(ClusterMethod):
    """Shared fit/predict/save for the tslearn estimators."""

    model_suffix = ".pkl"
    default_max_length: int | None = None
    default_max_iter: int = 50

    def __init__(
        self,
        n_clusters: int,
        seed: int = 0,
        *,
        max_iter: int | None = None,
        n_init: int = 2,
        max_length: int | None = None,
    ) -> None:
        """``max_iter`` / ``max_length``: ``None`` = the estimator's ``default_max_iter`` / ``default_max_length``."""
        super().__init__(n_clusters, seed)
        self.max_iter = int(self.default_max_iter if max_iter is None else max_iter)
        self.n_init = int(n_init)
        ml = self.default_max_length if max_length is None else max_length
        self.max_length = None if ml is None else int(ml)
        self.model_: Any = None
        self.seconds_: float = float("nan")

    @abstractmethod
    def _make_model(self, k: int) -> Any:
        """A fresh, seeded tslearn estimator with ``k`` clusters (``k`` may be below ``n_clusters`` on few series)."""

    def fit(
        self,
        X: np.ndarray,
        dates: pd.DatetimeIndex | None = None,
        log_path: str | Path | None = None,
        labels_true: np.ndarray | None = None,
    ) -> _TslearnClusterer:
        """Fit on ``X`` ``[m, T]`` (original scale); set ``labels_`` (``[m]`` in ``0..K-1``)."""
        Z = _prepare(X, self.max_length, self.name)
        k = min(self.n_clusters, len(Z))
        np.random.seed(self.seed % (2**32))  # tslearn partly draws from the global RNG
        self.model_ = self._make_model(k)
        t0 = time.perf_counter()
        self.labels_ = np.asarray(self.model_.fit_predict(Z), dtype=np.int64)
        self.seconds_ = time.perf_counter() - t0
        if log_path is not None:
            row = {
                "method": self.name,
                "n_series": len(Z),
                "length": Z.shape[1],
                "inertia": float(self.model_.inertia_),
                "n_iter": int(getattr(self.model_, "n_iter_", -1)),
                "seconds": round(self.seconds_, 3),
            }
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            pd.DataFrame([row]).to_csv(log_path, sep="\t", index=False)
        return self

    def predict(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """Assign new series (same preprocessing) to the fitted centroids."""
        if self.model_ is None:
            raise RuntimeError(f"{self.name}: call fit before predict")
        return np.asarray(self.model_.predict(_prepare(X, self.max_length, self.name)), dtype=np.int64)

    def save(self, path: str | Path) -> None:
        """Pickle the fitted tslearn estimator."""
        with open(path, "wb") as fh:
            pickle.dump(self.model_, fh)


class KShapeClusterer(_TslearnClusterer):
    """k-Shape (Paparrizos & Gravano 2015) via ``tslearn.clustering.KShape``: shape-based distance
    (max normalised cross-correlation) and shape-extraction centroids, on z-normalised series.

    Defaults: ``max_iter=50``, ``n_init=2``, ``max_length=None`` (k-Shape is FFT based, O(T log T)
    per pair, so full resolution is affordable).
    """

    name = "kshape"
    default_max_length = None
    default_max_iter = 50

    def _make_model(self, k: int) -> Any:
        from tslearn.clustering import KShape

        return KShape(n_clusters=k, max_iter=self.max_iter, n_init=self.n_init, random_state=self.seed)


class DTWKMeansClusterer(_TslearnClusterer):
    """k-means with DTW assignments and DBA barycentres via
    ``tslearn.clustering.TimeSeriesKMeans(metric="dtw")`` on z-normalised, average-pooled series.

    Defaults: ``max_iter=20``, ``n_init=2``, ``max_length=128``, ``sakoe_chiba_radius=None``,
    ``n_jobs=None``.
    """

    name = "dtw_kmeans"
    default_max_length = 128
    default_max_iter = 20

    def __init__(
        self,
        n_clusters: int,
        seed: int = 0,
        *,
        max_iter: int | None = None,
        n_init: int = 2,
        max_length: int | None = None,
        sakoe_chiba_radius: int | None = None,
        n_jobs: int | None = None,
    ) -> None:
        super().__init__(n_clusters, seed, max_iter=max_iter, n_init=n_init, max_length=max_length)
        self.sakoe_chiba_radius = None if sakoe_chiba_radius is None else int(sakoe_chiba_radius)
        self.n_jobs = None if n_jobs is None else int(n_jobs)

    def _make_model(self, k: int) -> Any:
        from tslearn.clustering import TimeSeriesKMeans

        metric_params: dict[str, Any] | None = None
        if self.sakoe_chiba_radius is not None:
            metric_params = {"global_constraint": "sakoe_chiba", "sakoe_chiba_radius": self.sakoe_chiba_radius}
        return TimeSeriesKMeans(
            n_clusters=k,
            metric="dtw",
            max_iter=self.max_iter,
            max_iter_barycenter=10,
            n_init=self.n_init,
            metric_params=metric_params,
            n_jobs=self.n_jobs,
            random_state=self.seed,
        )

"""The clustering interface shared by every method (MixSeq, MixARMA, DTCR, ...).

``fit(X)`` takes microscopic training series ``X`` (float array ``[m, T]`` on the original scale,
optionally with ``dates``) and sets ``labels_`` (``[m]`` ints in ``0..K-1``); ``predict(X)`` assigns
new series. Methods that are scale-sensitive normalise internally. ``fit`` may write a per-epoch
or per-iteration TSV log to ``log_path`` (columns documented per method) so that convergence figures
come from logs, not re-runs.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixseq.options import OptionSpec, check_options, spec_from_signature

#: name -> "module:Class". Modules are imported lazily so a method's heavy deps load only when used.
REGISTRY: dict[str, str] = {
    "macro": "mixseq.cluster.base:MacroClusterer",
    "truth": "mixseq.cluster.base:TruthClusterer",
    "mixarma": "mixseq.cluster.mixarma:MixARMA",
    "mixseq": "mixseq.cluster.mixseq:MixSeq",
    "dtcr": "mixseq.cluster.dtcr:DTCR",
    "dstw": "mixseq.cluster.dstw:DSTW",
    "jabba": "mixseq.cluster.symbolic:JABBAClusterer",
    "kshape": "mixseq.cluster.tslearn_baselines:KShapeClusterer",
    "dtw_kmeans": "mixseq.cluster.tslearn_baselines:DTWKMeansClusterer",
    "random": "mixseq.cluster.controls:RandomClusterer",
    "natural": "mixseq.cluster.controls:NaturalClusterer",
}


class ClusterMethod(ABC):
    """Base class. Subclasses take ``n_clusters`` and ``seed`` plus method-specific keyword options.

    The accepted options are :meth:`option_spec`: by default the keyword parameters of the subclass's
    ``__init__`` with their type hints; classes keeping their options in a ``DEFAULTS`` dict override it.
    Unknown or mistyped options raise :class:`mixseq.options.OptionError` naming the option.
    """

    name: str = "base"

    @classmethod
    def option_spec(cls) -> OptionSpec:
        """Accepted option names and their types (see :mod:`mixseq.options`)."""
        if cls.__init__ is ClusterMethod.__init__:
            return {}
        return spec_from_signature(cls.__init__)

    def __init__(self, n_clusters: int, seed: int = 0, **options: Any) -> None:
        check_options(options, type(self).option_spec(), self.name, f"method '{self.name}'", prefix="option")
        if int(n_clusters) < 1:
            raise ValueError(f"{self.name}: n_clusters must be >= 1, got {n_clusters}")
        self.n_clusters = int(n_clusters)
        self.seed = int(seed)
        self.options = options
        self.labels_: np.ndarray | None = None

    @abstractmethod
    def fit(
        self,
        X: np.ndarray,
        dates: pd.DatetimeIndex | None = None,
        log_path: str | Path | None = None,
        labels_true: np.ndarray | None = None,
    ) -> ClusterMethod:
        """Fit on ``X`` ``[m, T]``; set ``labels_``."""

    def predict(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """Assign clusters to new series (default: not supported)."""
        raise NotImplementedError(f"{self.name} cannot assign new series")

    def predict_stream(
        self, panel_path: str | Path, t_end: int | None = None, read_batch: int = 10_000
    ) -> tuple[list[str], np.ndarray]:
        """Assign every series of a panel file with :meth:`predict`, streaming row batches (constant memory);
        returns ``(ids, labels)`` in panel row order. ``t_end``: keep the first ``t_end`` days (default: all)."""
        from mixseq.data.panel import iter_panel_batches, read_panel_meta
        from mixseq.utils import progress

        dates = read_panel_meta(panel_path)["dates"][:t_end]
        ids: list[str] = []
        labels: list[np.ndarray] = []
        for b_ids, vals in progress(iter_panel_batches(panel_path, batch_size=read_batch),
                                    desc=f"{self.name} predict", unit="batch",
                                    disable=not self.options.get("progress", True)):
            ids.extend(b_ids)
            labels.append(self.predict(vals[:, :t_end], dates))
        return ids, (np.concatenate(labels) if labels else np.zeros(0, np.int64))

    #: file suffix of what :meth:`save` writes (the cluster rule saves ``model/model<suffix>``)
    model_suffix = ".txt"

    def save(self, path: str | Path) -> None:
        """Persist the fitted model (default: nothing beyond the labels the rule writes)."""
        Path(path).write_text(f"{self.name}: no model state beyond assignments\n")


class MacroClusterer(ClusterMethod):
    """K = 1: every series in one cluster, i.e. forecasting the macroscopic series directly."""

    name = "macro"

    def fit(self, X, dates=None, log_path=None, labels_true=None):  # type: ignore[no-untyped-def]
        self.labels_ = np.zeros(len(X), dtype=np.int64)
        self.n_clusters = 1
        return self

    def predict(self, X, dates=None):  # type: ignore[no-untyped-def]
        return np.zeros(len(X), dtype=np.int64)


class TruthClusterer(ClusterMethod):
    """Ground-truth components (synthetic data): the paper's "clustered results" of Table 1."""

    name = "truth"

    def fit(self, X, dates=None, log_path=None, labels_true=None):  # type: ignore[no-untyped-def]
        if labels_true is None:
            raise ValueError("method 'truth' needs ground-truth labels (only synthetic panels have them)")
        _, self.labels_ = np.unique(np.asarray(labels_true), return_inverse=True)
        self.labels_ = self.labels_.astype(np.int64)
        self.n_clusters = int(self.labels_.max()) + 1
        return self


def method_class(method: str) -> type[ClusterMethod]:
    """The class registered as ``method`` (raises naming the valid choices)."""
    if method not in REGISTRY:
        raise ValueError(f"unknown clustering method '{method}'; expected one of {sorted(REGISTRY)}")
    module, cls = REGISTRY[method].split(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


def method_options(method: str) -> OptionSpec:
    """Accepted options of the registered ``method``: name -> type (see :mod:`mixseq.options`)."""
    return method_class(method).option_spec()


def make_clusterer(method: str, n_clusters: int, seed: int = 0, **options: Any) -> ClusterMethod:
    """Instantiate a registered method by name (raises naming the valid choices, or the unknown option)."""
    cls = method_class(method)
    check_options(options, cls.option_spec(), method, f"method '{method}'", prefix="option")
    return cls(n_clusters=n_clusters, seed=seed, **options)

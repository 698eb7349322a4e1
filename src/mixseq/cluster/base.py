"""The clustering interface shared by every method (MixSeq, MixARMA, DTCR, ...).

``fit(X)`` takes microscopic training series ``X`` (float array ``[m, T]`` on the original scale,
optionally with ``dates``) and sets ``labels_`` (``[m]`` ints in ``0..K-1``); ``predict(X)`` assigns
new series. Methods that are scale-sensitive normalise internally. ``fit`` may write a per-epoch
or per-iteration TSV log to ``log_path`` (columns documented per method) so that convergence figures
come from logs, not re-runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixseq.options import OptionSpec, check_options, load_object, spec_from_signature


@dataclass(frozen=True)
class Entry:
    """One registered clustering method: where its class lives and what it can do.

    Everything here is readable without importing the method's module (so without torch): the workflow asks
    the registry which methods need a GPU, stream, or fit K clusters while it parses the configuration.
    """

    #: ``"module:Class"``; the module is imported lazily, so a method's heavy dependencies load only when used
    path: str
    #: built on torch: its jobs ask for the ``gpu`` resource and get ``device`` / ``threads`` options
    torch: bool = False
    #: has ``fit_stream(panel_path, ...)``: fits from a panel file too large to load (option ``stream``)
    stream: bool = False
    #: ``predict(X)`` assigns new series
    predicts: bool = True
    #: ``save(path)`` writes state that the classmethod ``load(path)`` reads back
    loads: bool = False
    #: fits iteratively and logs its objective per iteration/epoch (the convergence figure reads the log)
    iterative: bool = False
    #: needs ground-truth labels (``fit(..., labels_true=...)``): synthetic panels only
    needs_truth: bool = False
    #: always one cluster, whatever K (the macroscopic series)
    fixed_k: bool = False
    #: ``"module:function"`` returning the option spec without importing :attr:`path` (torch methods);
    #: ``None``: the class's :meth:`ClusterMethod.option_spec`
    spec: str | None = None


#: name -> entry. Adding a method: its module, one entry here, and its name in ``$defs.method`` of
#: config/schema.yaml (tests/test_registry.py checks the two agree; docs/families.md has the how-to).
REGISTRY: dict[str, Entry] = {
    "macro": Entry("mixseq.cluster.base:MacroClusterer", fixed_k=True),
    "truth": Entry("mixseq.cluster.base:TruthClusterer", predicts=False, needs_truth=True),
    "mixarma": Entry("mixseq.cluster.mixarma:MixARMA", loads=True, iterative=True),
    "mixseq": Entry("mixseq.cluster.mixseq:MixSeq", torch=True, stream=True, loads=True, iterative=True,
                    spec="mixseq.cluster.defaults:mixseq_spec"),
    "dtcr": Entry("mixseq.cluster.dtcr:DTCR", torch=True, stream=True, loads=True, iterative=True,
                  spec="mixseq.cluster.defaults:dtcr_spec"),
    "dstw": Entry("mixseq.cluster.dstw:DSTW"),
    "jabba": Entry("mixseq.cluster.symbolic:JABBAClusterer"),
    "kshape": Entry("mixseq.cluster.tslearn_baselines:KShapeClusterer"),
    "dtw_kmeans": Entry("mixseq.cluster.tslearn_baselines:DTWKMeansClusterer"),
    "random": Entry("mixseq.cluster.controls:RandomClusterer", predicts=False),
    "natural": Entry("mixseq.cluster.controls:NaturalClusterer", predicts=False),
}


def entry(method: str) -> Entry:
    """The registry entry of ``method`` (a base name; raises naming the valid choices)."""
    if method not in REGISTRY:
        raise ValueError(f"unknown clustering method '{method}'; expected one of {sorted(REGISTRY)}")
    return REGISTRY[method]


def methods_where(**flags: bool) -> list[str]:
    """Registered methods whose entry has every given flag value, in registry order
    (``methods_where(torch=True)`` -> ``["mixseq", "dtcr"]``)."""
    return [n for n, e in REGISTRY.items() if all(getattr(e, f) == v for f, v in flags.items())]


def torch_methods() -> list[str]:
    """Methods built on torch (their jobs ask for a GPU; scripts pass ``device`` and ``threads``)."""
    return methods_where(torch=True)


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
    return load_object(entry(method).path)  # type: ignore[no-any-return]


def method_options(method: str) -> OptionSpec:
    """Accepted options of the registered ``method``: name -> type (see :mod:`mixseq.options`).

    Read from the entry's torch-free ``spec`` where it has one, so checking a configuration imports no torch."""
    spec = entry(method).spec
    if spec is not None:
        return load_object(spec)()  # type: ignore[no-any-return]
    return method_class(method).option_spec()


def make_clusterer(method: str, n_clusters: int, seed: int = 0, **options: Any) -> ClusterMethod:
    """Instantiate a registered method by name (raises naming the valid choices, or the unknown option)."""
    cls = method_class(method)
    check_options(options, cls.option_spec(), method, f"method '{method}'", prefix="option")
    return cls(n_clusters=n_clusters, seed=seed, **options)

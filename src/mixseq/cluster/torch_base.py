"""What the torch clustering methods (MixSeq, DTCR) share: options with defaults, device, row subsampling,
in-memory and streaming fits, checkpoints and the per-epoch log.

A subclass sets :attr:`TorchClusterMethod.defaults` (its options and their defaults) and implements

- :meth:`~TorchClusterMethod._train` ``(X, dates, log_path, labels_true)``: train on the prepared rows ``X``;
- :meth:`~TorchClusterMethod._checkpoint` / :meth:`~TorchClusterMethod._restore`: the method's own state;

and may override :meth:`~TorchClusterMethod._prepare` (in-memory rows -> training array, e.g. pooling),
:meth:`~TorchClusterMethod._stream_transform` (the same per row batch read from a panel file) and
:meth:`~TorchClusterMethod._labels_after_fit`.

``max_series``: both fits train on the same seeded subsample of rows (:meth:`TorchClusterMethod.fit_rows`) and then
assign every series, so :meth:`~TorchClusterMethod.fit` on a loaded panel and
:meth:`~TorchClusterMethod.fit_stream` on its file learn the same model.

This module imports torch only inside the functions that need it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from mixseq.cluster.base import ClusterMethod
from mixseq.utils import atomic_path, torch_device


class EpochLog:
    """A per-epoch TSV log written row by row (flushed, so a long fit can be followed in the ``.tmp`` file next to
    the log) and renamed onto ``path`` only when training finishes (:func:`mixseq.utils.atomic_path`).

    ``float_format``: ``"%.6g"`` style for float values, or ``None`` for Python's shortest round-trip repr with NaN
    as an empty field (what ``pandas.DataFrame.to_csv`` writes). Integers are written as such.
    Use :func:`epoch_log`; with ``path=None`` rows are dropped.
    """

    def __init__(self, fh: IO[str] | None, columns: Sequence[str], float_format: str | None) -> None:
        self.fh = fh
        self.columns = list(columns)
        self.float_format = float_format
        if fh is not None:
            fh.write("\t".join(self.columns) + "\n")

    def _fmt(self, value: Any) -> str:
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return str(int(value))
        v = float(value)
        if self.float_format is not None:
            return self.float_format % v
        return "" if math.isnan(v) else repr(v)

    def write(self, row: Sequence[Any] | Mapping[str, Any]) -> None:
        """Append one row (a sequence in column order, or a mapping by column name)."""
        if self.fh is None:
            return
        values = [row[c] for c in self.columns] if isinstance(row, Mapping) else list(row)
        if len(values) != len(self.columns):
            raise ValueError(f"epoch log: {len(values)} values for columns {self.columns}")
        self.fh.write("\t".join(self._fmt(v) for v in values) + "\n")
        self.fh.flush()


@contextmanager
def epoch_log(path: str | Path | None, columns: Sequence[str], float_format: str | None = None) -> Iterator[EpochLog]:
    """Open an :class:`EpochLog` on ``path`` (``None``: a log that writes nothing)."""
    if path is None:
        yield EpochLog(None, columns, float_format)
        return
    with atomic_path(path) as tmp, open(tmp, "w") as fh:
        yield EpochLog(fh, columns, float_format)


class TorchClusterMethod(ClusterMethod):
    """Base of the clustering methods built on torch (registry entries with ``torch=True``)."""

    model_suffix = ".pt"
    #: the method's options and their defaults; ``config`` holds them merged with the given options
    defaults: dict[str, Any] = {}
    #: the tag stored as ``format`` in a checkpoint, checked by :meth:`load` (``None``: no tag)
    checkpoint_format: str | None = None

    def __init__(self, n_clusters: int, seed: int = 0, **options: Any) -> None:
        super().__init__(n_clusters, seed, **options)
        self.config: dict[str, Any] = {**self.defaults, **options}
        self.fit_rows_: np.ndarray | None = None
        self.device = torch_device(str(self.config["device"]))

    # -- rows -----------------------------------------------------------------------------------------------
    def fit_rows(self, m: int) -> np.ndarray | None:
        """Sorted row positions of the seeded ``max_series`` subsample of ``m`` series (``None``: all rows)."""
        ms = self.config["max_series"]
        if ms is None or m <= int(ms):
            self.fit_rows_ = None
        else:
            self.fit_rows_ = np.sort(np.random.default_rng(self.seed).choice(m, size=int(ms), replace=False))
        return self.fit_rows_

    def _check_input(self, X: np.ndarray) -> np.ndarray:
        """``X`` as an array ``[m, T]`` (raises naming the method and the shape otherwise)."""
        X = np.asarray(X)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"{self.name}: X must be a non-empty 2-D array [series, days], got shape {X.shape}")
        return X

    def _prepare(self, X: np.ndarray) -> np.ndarray:
        """In-memory rows to fit -> the array :meth:`_train` trains on (default: unchanged)."""
        return X

    def _stream_transform(self, t_end: int) -> Callable[[np.ndarray], np.ndarray] | None:
        """Per-row-batch version of :meth:`_prepare` for :meth:`fit_stream` (default: none)."""
        return None

    def _train(
        self, X: np.ndarray, dates: pd.DatetimeIndex | None, log_path: str | Path | None,
        labels_true: np.ndarray | None,
    ) -> None:
        """Train on every row of the prepared ``X`` (host memory; mini-batches go to the device)."""
        raise NotImplementedError

    def _labels_after_fit(self, X: np.ndarray, dates: pd.DatetimeIndex | None, subsampled: bool) -> np.ndarray:
        """Labels of every row of ``X`` once trained (default: :meth:`predict`)."""
        return self.predict(X, dates)

    # -- fits -----------------------------------------------------------------------------------------------
    def fit(
        self,
        X: np.ndarray,
        dates: pd.DatetimeIndex | None = None,
        log_path: str | Path | None = None,
        labels_true: np.ndarray | None = None,
    ) -> TorchClusterMethod:
        """Train on ``X`` ``[m, T]`` (original scale), or on its seeded ``max_series`` subsample (:meth:`fit_rows`),
        then set ``labels_`` for every row. ``labels_true`` (of all rows) feeds the log's Rand-index column."""
        X = self._check_input(X)
        rows = self.fit_rows(len(X))
        y = None if labels_true is None else np.asarray(labels_true)
        Xf = self._prepare(X if rows is None else X[rows])
        self._train(Xf, dates, log_path, y if y is None or rows is None else y[rows])
        del Xf
        self.labels_ = self._labels_after_fit(X, dates, rows is not None)
        return self

    def fit_stream(
        self,
        panel_path: str | Path,
        t_end: int | None = None,
        log_path: str | Path | None = None,
        read_batch: int = 10_000,
        use_dates: bool = True,
    ) -> TorchClusterMethod:
        """Fit from a panel file without loading it whole (Wiki-size data).

        Streams ``(ids, values)`` row batches (:func:`mixseq.data.panel.read_panel_rows`), keeps the first
        ``t_end`` days (default: the training interval from the panel's split metadata) of the seeded
        ``max_series`` subsample only (the rows :meth:`fit` would pick), prepares them batch by batch, trains on
        that compact array, then assigns every series by :meth:`predict_stream`. Sets ``ids_`` and ``labels_`` in
        panel row order. The panel's ground-truth labels, when it has them, feed the log's Rand-index column.
        ``use_dates``: pass the calendar of the training days to :meth:`_train` (as ``fit(..., dates=...)``).
        """
        from mixseq.data.panel import read_panel_meta, read_panel_rows, train_end_index

        meta = read_panel_meta(panel_path)
        t_end = train_end_index(panel_path, meta) if t_end is None else t_end
        rows = self.fit_rows(int(meta["n_series"]))
        Xf, labels_true = read_panel_rows(panel_path, rows, t_end, transform=self._stream_transform(int(t_end)),
                                          batch_size=read_batch)
        self._train(Xf, meta["dates"][:t_end] if use_dates else None, log_path, labels_true)
        del Xf
        self.ids_, self.labels_ = self.predict_stream(panel_path, t_end=t_end, read_batch=read_batch)
        return self

    # -- checkpoints ----------------------------------------------------------------------------------------
    def _checkpoint(self) -> dict[str, Any]:
        """The method's own state (tensors and plain Python values only)."""
        raise NotImplementedError

    def _restore(self, state: dict[str, Any]) -> None:
        """Rebuild the fitted model from a checkpoint ``state`` (the object is constructed with its options)."""
        raise NotImplementedError

    @classmethod
    def _checkpoint_options(cls, state: dict[str, Any]) -> dict[str, Any]:
        """Constructor options stored in a checkpoint."""
        return dict(state["options"])

    def save(self, path: str | Path) -> None:
        """Torch checkpoint (tensors and plain Python values only: loadable with ``torch.load(weights_only=True)``);
        written atomically."""
        import torch

        if getattr(self, "net", None) is None:
            raise RuntimeError(f"{self.name}: call fit() first")
        state: dict[str, Any] = {} if self.checkpoint_format is None else {"format": self.checkpoint_format}
        state.update(n_clusters=self.n_clusters, seed=self.seed)
        state.update(self._checkpoint())
        with atomic_path(path) as tmp:
            torch.save(state, tmp)

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> TorchClusterMethod:
        """Rebuild a model written by :meth:`save` (``torch.load(weights_only=True)``) on ``device`` (default: the
        method's choice, see :meth:`_checkpoint_options`)."""
        import torch

        state = torch.load(path, map_location="cpu", weights_only=True)
        if cls.checkpoint_format is not None and state.get("format") != cls.checkpoint_format:
            raise ValueError(f"{cls.name}: {path} is not a {cls.name} checkpoint")
        opts = cls._checkpoint_options(state)
        if device is not None:
            opts["device"] = device
        obj = cls(n_clusters=state["n_clusters"], seed=state["seed"], **opts)
        obj._restore(state)
        return obj

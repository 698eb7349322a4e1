"""The microscopic panel: ``m`` series x ``T`` days, float32, with ids, dates and split boundaries.

On disk (``results/{dataset}/panel.parquet``) a panel is a wide parquet table, one row per
microscopic series: column ``id`` (string), optional column ``label`` (ground-truth cluster, synthetic
data only), then one float32 column per period named ``YYYY-MM-DD`` (``YYYY-MM-DDTHH:MM:SS`` when a date has a
time of day, i.e. sub-daily panels). The schema metadata key ``mixseq`` holds JSON with the dataset name,
the frequency, the split boundaries and free-form notes. Wide rows keep a
309,765 x 1,827 Wiki-size panel at about 2.3 GB of float32 and let readers take series subsets by
row group without touching the rest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.tseries.frequencies import to_offset

from mixseq.utils import atomic_path

META_KEY = b"mixseq"
SPLIT_KEYS = ("train_start", "train_end", "val_start", "test_start", "test_end")
DAY_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def date_format(dates: pd.DatetimeIndex) -> str:
    """``%Y-%m-%d`` when every date is at midnight (daily and coarser panels), else ISO with the time of day."""
    dates = pd.DatetimeIndex(dates)
    return DAY_FORMAT if len(dates) == 0 or bool((dates == dates.normalize()).all()) else TIME_FORMAT


def canonical_freq(freq: str) -> str:
    """The canonical pandas alias of ``freq`` (``"W"`` -> ``"W-SUN"``, ``"QS"`` -> ``"QS-JAN"``, ``"D"`` -> ``"D"``).

    Raises:
        ValueError: ``freq`` is not a pandas frequency alias (the message keeps pandas' hint, e.g. ``'M'`` ->
            use ``'ME'``).
    """
    if not isinstance(freq, str) or not freq.strip():
        raise ValueError(f"frequency must be a pandas alias string such as 'D', 'W-FRI', 'MS', got {freq!r}")
    try:
        return to_offset(freq.strip()).freqstr
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{freq!r} is not a pandas frequency alias ({exc})") from None


@dataclass
class Panel:
    """Microscopic series of one dataset.

    Attributes:
        values: float32 array ``[m, T]`` on the original scale.
        ids: ``m`` series identifiers.
        dates: ``T`` consecutive periods of ``freq`` (a regular ``DatetimeIndex`` whose ``.freq`` is set).
        splits: ISO dates ``train_start``, ``train_end`` (inclusive), ``val_start`` (first validation period,
            inside train), ``test_start``, ``test_end`` (inclusive); ``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM:SS``
            when the dates carry a time of day (sub-daily panels).
        name: dataset name.
        labels: optional ground-truth cluster per series (synthetic data).
        meta: free-form provenance and preprocessing notes (JSON-serialisable).
        freq: pandas frequency alias of ``dates`` (``"D"`` for the paper's daily data; ``"W-FRI"``, ``"MS"``,
            ``"QS-OCT"``, ``"h"``, ... for other data). Horizons, strides, seasons and covariates are in periods of it.
    """

    values: np.ndarray
    ids: list[str]
    dates: pd.DatetimeIndex
    splits: dict[str, str]
    name: str = "panel"
    labels: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    freq: str = "D"

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=np.float32)
        if self.values.ndim != 2:
            raise ValueError(f"panel '{self.name}': values must be 2-D [series, days], got {self.values.shape}")
        m, t = self.values.shape
        self.ids = [str(i) for i in self.ids]
        try:
            self.freq = canonical_freq(self.freq)
        except ValueError as exc:
            raise ValueError(f"panel '{self.name}': freq: {exc}") from None
        dates = pd.DatetimeIndex(self.dates)
        if len(dates) and dates.tz is not None:
            raise ValueError(f"panel '{self.name}': dates must be time-zone naive (local), got tz {dates.tz}")
        if len(dates):
            grid = pd.date_range(dates[0], periods=len(dates), freq=self.freq)
            if not grid.equals(dates):
                bad = int(np.flatnonzero(grid != dates)[0]) if grid[0] == dates[0] else 0
                raise ValueError(
                    f"panel '{self.name}': dates are not consecutive periods of freq '{self.freq}': "
                    f"position {bad} is {dates[bad]}, expected {grid[bad]}"
                )
            dates = grid
        self.dates = dates
        if len(self.ids) != m:
            raise ValueError(f"panel '{self.name}': {len(self.ids)} ids for {m} series")
        if len(self.dates) != t:
            raise ValueError(f"panel '{self.name}': {len(self.dates)} dates for {t} days")
        if len(set(self.ids)) != m:
            raise ValueError(f"panel '{self.name}': series ids are not unique")
        if self.labels is not None:
            self.labels = np.asarray(self.labels, dtype=np.int64)
            if self.labels.shape != (m,):
                raise ValueError(f"panel '{self.name}': labels must have shape ({m},)")
        missing = [k for k in SPLIT_KEYS if k not in self.splits]
        if missing:
            raise ValueError(f"panel '{self.name}': split keys missing: {missing}")
        fmt = date_format(self.dates)
        self.splits = {k: pd.Timestamp(v).strftime(fmt) for k, v in self.splits.items()}

    # ----------------------------------------------------------------- indices
    @property
    def n_series(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_days(self) -> int:
        return int(self.values.shape[1])

    def index_of(self, date: str | pd.Timestamp) -> int:
        """Position of ``date`` in :attr:`dates` (raises ``KeyError`` naming the date if absent)."""
        ts = pd.Timestamp(date)
        pos = self.dates.get_indexer([ts])[0]
        if pos < 0:
            fmt = date_format(self.dates)
            span = f"{self.dates[0].strftime(fmt)}..{self.dates[-1].strftime(fmt)}"
            raise KeyError(f"panel '{self.name}': date {ts.strftime(fmt)} is outside {span} or not on its "
                           f"'{self.freq}' grid")
        return int(pos)

    @property
    def train_end_idx(self) -> int:
        """Exclusive end index of the training interval (``values[:, :train_end_idx]`` is train)."""
        return self.index_of(self.splits["train_end"]) + 1

    @property
    def val_start_idx(self) -> int:
        return self.index_of(self.splits["val_start"])

    @property
    def test_start_idx(self) -> int:
        return self.index_of(self.splits["test_start"])

    @property
    def test_end_idx(self) -> int:
        """Exclusive end index of the test interval."""
        return self.index_of(self.splits["test_end"]) + 1

    def macro(self) -> np.ndarray:
        """The macroscopic series: sum over all microscopic series (float64)."""
        return self.values.sum(axis=0, dtype=np.float64)

    def aggregate(self, labels: np.ndarray, n_clusters: int | None = None) -> np.ndarray:
        """Clustered series ``[K, T]``: sums of member series per label (float64). Empty clusters are zero."""
        labels = np.asarray(labels, dtype=np.int64)
        if labels.shape != (self.n_series,):
            raise ValueError(f"labels must have shape ({self.n_series},), got {labels.shape}")
        k = int(n_clusters if n_clusters is not None else labels.max() + 1)
        out = np.zeros((k, self.n_days), dtype=np.float64)
        np.add.at(out, labels, self.values.astype(np.float64))
        return out

    def subset(self, rows: np.ndarray | list[int]) -> Panel:
        rows = np.asarray(rows)
        return Panel(
            values=self.values[rows],
            ids=[self.ids[i] for i in rows],
            dates=self.dates,
            splits=dict(self.splits),
            name=self.name,
            labels=None if self.labels is None else self.labels[rows],
            meta=dict(self.meta),
            freq=self.freq,
        )


def _metadata(panel: Panel) -> bytes:
    return json.dumps(
        {"name": panel.name, "splits": panel.splits, "meta": panel.meta, "has_labels": panel.labels is not None,
         "freq": panel.freq},
        default=str,
    ).encode()


def panel_schema(dates: pd.DatetimeIndex, with_labels: bool, metadata: bytes) -> pa.Schema:
    fields = [pa.field("id", pa.string())]
    if with_labels:
        fields.append(pa.field("label", pa.int64()))
    dates = pd.DatetimeIndex(dates)
    fmt = date_format(dates)
    fields += [pa.field(d.strftime(fmt), pa.float32()) for d in dates]
    return pa.schema(fields, metadata={META_KEY: metadata})


def _table(panel: Panel, rows: slice, schema: pa.Schema) -> pa.Table:
    vals = panel.values[rows]
    cols: list[pa.Array] = [pa.array(panel.ids[rows], type=pa.string())]
    if panel.labels is not None:
        cols.append(pa.array(panel.labels[rows], type=pa.int64()))
    cols += [pa.array(np.ascontiguousarray(vals[:, j])) for j in range(vals.shape[1])]
    return pa.Table.from_arrays(cols, schema=schema)


def write_panel(panel: Panel, path: str | os.PathLike[str], row_group: int = 20_000) -> None:
    """Write ``panel`` atomically to ``path`` (parquet, zstd), ``row_group`` series per row group."""
    schema = panel_schema(panel.dates, panel.labels is not None, _metadata(panel))
    with atomic_path(path) as tmp, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for start in range(0, max(panel.n_series, 1), row_group):
            writer.write_table(_table(panel, slice(start, start + row_group), schema))


def read_panel_meta(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Name, splits, notes, dates and series count of a panel file, without reading its values."""
    pf = pq.ParquetFile(path)
    meta = json.loads(pf.schema_arrow.metadata[META_KEY])
    names = pf.schema_arrow.names
    date_cols = [c for c in names if c not in ("id", "label")]
    meta["dates"] = pd.DatetimeIndex(pd.to_datetime(date_cols, format="ISO8601"))
    if len(meta["dates"]):
        meta["dates"] = pd.DatetimeIndex(meta["dates"], freq=meta.get("freq", "D"))
    meta["n_series"] = pf.metadata.num_rows
    return meta


def iter_panel_batches(path: str | os.PathLike[str], batch_size: int = 10_000):  # type: ignore[no-untyped-def]
    """Stream ``(ids, values[batch, T])`` from a panel file without loading it whole.

    ``pre_buffer=False``: with pyarrow's default read-ahead, streaming a 309,765 x 1,600 panel peaked at 3.5 GB
    RSS (2.9 GB in pyarrow's pool) and took 17 s; without it, 0.87 GB and 6 s (docs/dtcr.md).
    """
    pf = pq.ParquetFile(path, pre_buffer=False)
    names = pf.schema_arrow.names
    date_cols = [c for c in names if c not in ("id", "label")]
    for batch in pf.iter_batches(batch_size=batch_size):
        ids = batch.column("id").to_pylist()
        vals = np.empty((batch.num_rows, len(date_cols)), dtype=np.float32)
        for j, c in enumerate(date_cols):
            vals[:, j] = batch.column(c).to_numpy(zero_copy_only=False)
        yield ids, vals


def train_end_index(path: str | os.PathLike[str], meta: dict[str, Any] | None = None) -> int:
    """Exclusive end of the training interval of a panel file (``values[:, :i]`` is train), from its metadata."""
    meta = read_panel_meta(path) if meta is None else meta
    pos = int(meta["dates"].get_indexer([pd.Timestamp(meta["splits"]["train_end"])])[0])
    if pos < 0:
        raise ValueError(f"panel {path}: train_end {meta['splits']['train_end']} is not among its dates")
    return pos + 1


def read_panel_rows(
    path: str | os.PathLike[str],
    rows: np.ndarray | None = None,
    t_end: int | None = None,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    batch_size: int = 10_000,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Values and ground-truth labels (``None`` if the file has none) of some rows of a panel file, streamed.

    Keeps the sorted row positions ``rows`` (``None``: all) and the first ``t_end`` days; ``transform`` is applied
    to each kept batch (e.g. pooling), so besides the result only one raw row batch is ever held.
    """
    meta = read_panel_meta(path)
    n = int(meta["n_series"])
    keep = np.ones(n, dtype=bool) if rows is None else np.isin(np.arange(n), rows)
    chunks, start = [], 0
    for _, vals in iter_panel_batches(path, batch_size=batch_size):
        sel = keep[start : start + len(vals)]
        if sel.any():
            part = vals[sel, :t_end]
            chunks.append(part if transform is None else transform(part))
        start += len(vals)
    labels = None
    if meta.get("has_labels"):
        labels = pq.read_table(path, columns=["label"]).column("label").to_numpy()[keep]
    return np.concatenate(chunks, axis=0), labels


def read_panel(path: str | os.PathLike[str], rows: np.ndarray | None = None) -> Panel:
    """Read a panel written by :func:`write_panel` (optionally only the given row positions)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"panel file not found: {path}")
    meta = read_panel_meta(path)
    ids: list[str] = []
    chunks: list[np.ndarray] = []
    for b_ids, b_vals in iter_panel_batches(path):
        ids.extend(b_ids)
        chunks.append(b_vals)
    values = np.concatenate(chunks, axis=0) if chunks else np.zeros((0, len(meta["dates"])), np.float32)
    labels = None
    if meta.get("has_labels"):
        labels = pq.read_table(path, columns=["label"]).column("label").to_numpy()
    panel = Panel(values=values, ids=ids, dates=meta["dates"], splits=meta["splits"], name=meta["name"],
                  labels=labels, meta=meta.get("meta", {}), freq=meta.get("freq", "D"))
    if rows is not None:
        panel = panel.subset(rows)
    return panel

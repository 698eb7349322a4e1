"""Wikipedia page views: Radflow WikiTraffic (the paper's Wiki, Table 3) or Kaggle web-traffic ``train_1.csv``.

Table 3: 309,765 series of length 1,827; train 2015-07-01..2019-12-31 (validation from 2019-11-01, the last two
months), test 2020-01-01..2020-06-30. These dates are Radflow's (2015-07-01..2020-06-30).

Formats (option ``format``; by default inferred from the file name given by option ``file``):

- ``kaggle``: the wide CSV of Kaggle ``web-traffic-time-series-forecasting`` ``train_1.csv``: header
  ``"Page","2015-07-01",...``, one row per page, blanks where a page had no data. ``train_1.csv`` covers
  2015-07-01..2016-12-31 only, so Table 3's splits do not fit: give ``train_end``/``test_start``/... as options.
  The same reader takes any wide CSV ``<id>,<date>,<date>,...`` (e.g. a Radflow export), where -1 marks missing.
- ``radflow_hdf5``: Radflow's ``wiki.views-only.hdf5`` (default ``file``), a 2-D integer dataset (option
  ``hdf5_key``, default ``views``) of pages x days starting at option ``start`` (2015-07-01), -1 = no data.
  Needs ``h5py``, which is not a pinned dependency; untested here (no copy of the file could be obtained).

Missing views (blank, NaN or -1) become 0 (option ``missing``: ``fill_zero``, the rule used by the Radflow-derived
macro total ``wiki.csv`` in the mirror: -1 -> 0, then sum). Option ``drop_incomplete: true`` instead drops every
page with any missing day. The number of filled cells is recorded in ``panel.meta``.

:func:`check_macro` compares a panel's macro sum with a ``date,value`` CSV such as the mirror's ``wiki.csv``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from mixseq.data.panel import Panel
from mixseq.data.rawio import (
    SPLIT_OPTIONS,
    DataError,
    check_fill_ratio,
    count_data_lines,
    find_raw,
    read_header,
    resolve_splits,
)

SPLITS = {
    "train_start": "2015-07-01",
    "train_end": "2019-12-31",
    "val_start": "2019-11-01",
    "test_start": "2020-01-01",
    "test_end": "2020-06-30",
}
DEFAULT_FILE = "wiki.views-only.hdf5"
RAW_FILES: list[str] = [DEFAULT_FILE]
#: accepted options and their types (checked by :func:`mixseq.config_check.check_config`).
OPTIONS: dict[str, Any] = {
    "file": str,
    "format": str | None,
    "hdf5_key": str,
    "start": str,
    "missing": str,
    "drop_incomplete": bool,
    **SPLIT_OPTIONS,
}


def raw_files(options: dict[str, Any]) -> list[str]:
    """Raw files for ``options`` (the single page-view file named by option ``file``)."""
    return [(options or {}).get("file", DEFAULT_FILE)]


def _format(options: dict[str, Any], filename: str) -> str:
    fmt = options.get("format")
    if fmt is None:
        fmt = "radflow_hdf5" if filename.endswith((".hdf5", ".h5")) else "kaggle"
    if fmt not in ("kaggle", "radflow_hdf5"):
        raise DataError(f"wiki: option format={fmt!r} must be 'kaggle' or 'radflow_hdf5'")
    return fmt


def read_wide_csv(path: Path, block_size: int = 1 << 25) -> tuple[list[str], pd.DatetimeIndex, np.ndarray, int]:
    """Stream a wide page-view CSV into ``(ids, dates, float32 values with NaN for missing, n_minus_one)``.

    Pre-counts the rows so the ``[m, T]`` float32 array is allocated once; reads with pyarrow in blocks.
    """
    header = read_header(path)
    if len(header) < 2:
        raise DataError(f"{path}: expected an id column followed by date columns, got header {header[:5]}")
    id_col, date_cols = header[0], header[1:]
    dates = pd.to_datetime(pd.Series(date_cols), format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        j = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise DataError(f"{path}: header column {j + 2} ({date_cols[j]!r}) is not a YYYY-MM-DD date")
    dates = pd.DatetimeIndex(dates)
    if len(dates) > 1 and not (np.diff(dates.values.astype("datetime64[D]").astype(np.int64)) == 1).all():
        raise DataError(f"{path}: date columns are not consecutive days")
    m = count_data_lines(path)
    values = np.empty((m, len(date_cols)), dtype=np.float32)
    ids: list[str] = []
    types = {id_col: pa.string(), **dict.fromkeys(date_cols, pa.float32())}
    reader = pacsv.open_csv(
        pa.input_stream(str(path), compression="detect"),
        read_options=pacsv.ReadOptions(block_size=block_size),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
    )
    row = 0
    n_neg1 = 0
    try:
        for batch in reader:
            n = batch.num_rows
            if row + n > values.shape[0]:  # quoted fields with newlines make the line count an underestimate
                values = np.concatenate([values, np.empty((row + n - values.shape[0], values.shape[1]), np.float32)])
            block = values[row : row + n]
            for j in range(len(date_cols)):
                block[:, j] = batch.column(j + 1).to_numpy(zero_copy_only=False)
            neg = block < 0
            if neg.any():
                bad = neg & (block != -1)
                if bad.any():
                    i, j = np.argwhere(bad)[0]
                    raise DataError(f"{path}: column '{date_cols[j]}', row {row + i + 1}: negative page views")
                n_neg1 += int(neg.sum())
                block[neg] = np.nan
            ids.extend(batch.column(0).to_pylist())
            row += n
    except pa.ArrowInvalid as exc:
        raise DataError(f"{path}: cannot parse as a wide page-view CSV near data row {row + 1}: {exc}") from exc
    return ids, dates, values[:row], n_neg1


def _read_hdf5(path: Path, options: dict[str, Any]) -> tuple[list[str], pd.DatetimeIndex, np.ndarray, int]:
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DataError(f"{path}: reading Radflow HDF5 needs the h5py package (pip install h5py)") from exc
    key = options.get("hdf5_key", "views")
    with h5py.File(path, "r") as fh:  # pragma: no cover - no h5py here
        if key not in fh:
            raise DataError(f"{path}: dataset '{key}' not found (has {list(fh.keys())})")
        ds = fh[key]
        m, t = ds.shape
        values = np.empty((m, t), dtype=np.float32)
        n_neg1 = 0
        for a in range(0, m, 10_000):
            block = ds[a : a + 10_000].astype(np.float32)
            neg = block < 0
            n_neg1 += int(neg.sum())
            block[neg] = np.nan
            values[a : a + len(block)] = block
    dates = pd.date_range(options.get("start", "2015-07-01"), periods=t, freq="D")
    return [f"page_{i}" for i in range(m)], dates, values, n_neg1


def load(raw_dir: Path, options: dict[str, Any], name: str = "wiki") -> Panel:
    """Build the Wiki panel (pages x days, float32 views; missing -> 0 unless ``drop_incomplete``)."""
    options = dict(options or {})
    filename = options.get("file", DEFAULT_FILE)
    path = find_raw(raw_dir, filename)
    fmt = _format(options, filename)
    if fmt == "kaggle":
        ids, dates, values, n_neg1 = read_wide_csv(path)
    else:
        ids, dates, values, n_neg1 = _read_hdf5(path, options)
    missing = options.get("missing", "fill_zero")
    if missing != "fill_zero":
        raise DataError(f"dataset '{name}': option missing={missing!r}; only 'fill_zero' is supported")
    notes = [f"{fmt} file {path.name}: {len(ids)} series x {len(dates)} days"]
    n_missing = 0
    dropped = 0
    incomplete = np.zeros(len(ids), dtype=bool)
    for a in range(0, len(ids), 20_000):  # blockwise: no full-size boolean temporary
        blk = values[a : a + 20_000]
        nan = np.isnan(blk)
        n_missing += int(nan.sum())
        incomplete[a : a + len(blk)] = nan.any(axis=1)
        blk[nan] = 0.0
    check_fill_ratio(n_missing, values.size, f"{path} (dataset '{name}')")
    notes.append(f"{n_missing} missing views (blank/NaN: {n_missing - n_neg1}, -1: {n_neg1}) filled with 0")
    if options.get("drop_incomplete", False):
        keep = np.flatnonzero(~incomplete)
        dropped = len(ids) - keep.size
        values = values[keep]
        ids = [ids[i] for i in keep]
        notes.append(f"drop_incomplete: {dropped} pages with missing days dropped")
    splits, split_notes = resolve_splits(SPLITS, options, dates, name)
    meta = {"format": fmt, "source": path.name, "n_missing_filled": n_missing, "n_minus_one": n_neg1,
            "n_incomplete_series": int(incomplete.sum()), "n_dropped": dropped, "notes": notes + split_notes}
    return Panel(values=values, ids=ids, dates=dates, splits=splits, name=name, meta=meta)


def check_macro(
    panel: Panel, macro_csv: str | Path, rtol: float = 1e-6, raise_on_mismatch: bool = False
) -> dict[str, Any]:
    """Compare ``panel.macro()`` with a ``date,value`` CSV (e.g. the mirror's ``wiki.csv``) on common dates.

    Returns ``{"n_days", "first", "last", "max_rel_diff", "total_panel", "total_reference", "ok"}``; with
    ``raise_on_mismatch`` a relative difference above ``rtol`` on any day raises :class:`DataError`.
    """
    path = Path(macro_csv)
    ref = pd.read_csv(path, dtype={"date": "string", "value": "float64"})
    for col in ("date", "value"):
        if col not in ref.columns:
            raise DataError(f"{path}: column '{col}' missing (need date,value)")
    ref_s = pd.Series(ref["value"].to_numpy(), index=pd.to_datetime(ref["date"], format="%Y-%m-%d"))
    mine = pd.Series(panel.macro(), index=panel.dates)
    common = mine.index.intersection(ref_s.index)
    if common.empty:
        raise DataError(f"{path}: no dates in common with panel '{panel.name}'")
    a, b = mine.loc[common].to_numpy(), ref_s.loc[common].to_numpy()
    rel = np.abs(a - b) / np.maximum(np.abs(b), 1.0)
    out = {
        "n_days": int(common.size), "first": str(common[0].date()), "last": str(common[-1].date()),
        "max_rel_diff": float(rel.max()), "total_panel": float(a.sum()), "total_reference": float(b.sum()),
        "ok": bool(rel.max() <= rtol),
    }
    if raise_on_mismatch and not out["ok"]:
        day = common[int(rel.argmax())].date()
        raise DataError(f"{path}: macro of panel '{panel.name}' differs on {day} by {rel.max():.3g} (relative)")
    return out

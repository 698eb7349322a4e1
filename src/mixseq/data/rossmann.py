"""Rossmann store sales (Kaggle ``rossmann-store-sales``): one microscopic series of daily Sales per store.

Table 3 of the paper: 1,115 series of length 942; train 2013-01-01..2014-12-31, test 2015-01-01..2015-07-31;
validation = the last two months of train (val_start 2014-11-01, §5.2).

Decisions (recorded in ``panel.meta``):

- Closed days (``Open == 0``) keep their Sales, which Kaggle records as 0. The macro series is then the true
  total of reported sales, and closures (Sundays, holidays) are part of the pattern to be forecast.
- 180 stores have no rows 2014-07-01..2014-12-31 (184 days) and store 988 lacks 2013-01-01. Gaps of at most
  ``max_gap_fill`` days (default 7) are always filled with 0 (store 988's New Year's Day: a closed day).
  Longer gaps follow option ``missing_stores``:

  * ``fill_zero`` (default): 0 sales. This keeps all 1,115 x 942 cells of Table 3 and makes the macro series
    exactly the sum of the rows in ``train.csv`` (nothing invented). The price is a visible level drop of the
    macro series in 2014-H2, which includes the validation window; forecasts are scored on 2015 where all
    stores report again.
  * ``drop``: remove the affected stores (935 series remain), giving a consistent population but a panel that
    no longer matches Table 3's 1,115.
  * ``interpolate``: linear interpolation between the last value before and the first after the gap per store:
    a smooth macro, but 33,120 invented store-days without weekly pattern or closures.

Options: ``missing_stores`` (above), ``max_gap_fill`` (int, 7), ``stores`` (list of store ids, or an int
``N`` = the N smallest store ids), ``train_file`` (``train.csv``; ``train_subset_100stores.csv`` also works),
``chunksize`` (rows per CSV chunk, 200,000) and split overrides ``train_start`` ... ``test_end``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from mixseq.data.panel import Panel
from mixseq.data.rawio import (
    SPLIT_OPTIONS,
    DataError,
    check_fill_ratio,
    find_raw,
    read_header,
    resolve_splits,
    val_start_two_months,
)

RAW_FILES: list[str] = ["train.csv", "store.csv"]

SPLITS = {
    "train_start": "2013-01-01",
    "train_end": "2014-12-31",
    "val_start": val_start_two_months("2014-12-31"),
    "test_start": "2015-01-01",
    "test_end": "2015-07-31",
}
MISSING_MODES = ("fill_zero", "drop", "interpolate")
#: accepted options and their types (checked by :func:`mixseq.config_check.check_config`).
OPTIONS: dict[str, Any] = {
    "missing_stores": Literal[MISSING_MODES],  # type: ignore[valid-type]
    "max_gap_fill": int,
    "train_file": str,
    "chunksize": int,
    "stores": int | list[int] | None,
    **SPLIT_OPTIONS,
}
_COLS = ["Store", "Date", "Sales", "Open"]


def raw_files(options: dict[str, Any]) -> list[str]:
    """Raw files needed for ``options`` (``train_file`` may replace ``train.csv``)."""
    return [options.get("train_file", "train.csv"), "store.csv"]


def _gaps(row: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``[start, stop)`` of NaN in a 1-D array."""
    isn = np.isnan(row).astype(np.int8)
    d = np.diff(np.concatenate([[0], isn, [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def load(raw_dir: Path, options: dict[str, Any], name: str = "rossmann") -> Panel:
    """Build the Rossmann panel (stores x days, float32 Sales) from ``train.csv`` (+ ``store.csv``)."""
    options = dict(options or {})
    mode = options.get("missing_stores", "fill_zero")
    if mode not in MISSING_MODES:
        raise DataError(f"dataset '{name}': option missing_stores={mode!r} must be one of {MISSING_MODES}")
    max_gap = int(options.get("max_gap_fill", 7))
    train_path = find_raw(raw_dir, options.get("train_file", "train.csv"))
    header = read_header(train_path)
    absent = [c for c in _COLS if c not in header]
    if absent:
        raise DataError(f"{train_path}: column(s) {absent} missing (header: {header})")

    stores_parts, days_parts, sales_parts = [], [], []
    n_closed = 0
    reader = pd.read_csv(
        train_path,
        usecols=_COLS,
        dtype={"Store": "int32", "Date": "string", "Sales": "float32", "Open": "float32"},
        chunksize=int(options.get("chunksize", 200_000)),
    )
    epoch = np.datetime64("1970-01-01", "D")
    for chunk in reader:
        dates = pd.to_datetime(chunk["Date"], format="%Y-%m-%d", errors="coerce")
        if dates.isna().any():
            i = int(np.flatnonzero(dates.isna().to_numpy())[0])
            raise DataError(f"{train_path}: column 'Date', row {chunk.index[i] + 1}: unparsable date")
        if chunk["Sales"].isna().any():
            i = int(np.flatnonzero(chunk["Sales"].isna().to_numpy())[0])
            raise DataError(f"{train_path}: column 'Sales', row {chunk.index[i] + 1}: missing value")
        n_closed += int((chunk["Open"] == 0).sum())
        stores_parts.append(chunk["Store"].to_numpy())
        days_parts.append((dates.to_numpy().astype("datetime64[D]") - epoch).astype(np.int32))
        sales_parts.append(chunk["Sales"].to_numpy(dtype=np.float32))
    store = np.concatenate(stores_parts)
    day = np.concatenate(days_parts)
    sales = np.concatenate(sales_parts)
    del stores_parts, days_parts, sales_parts

    universe = np.unique(store)
    notes: list[str] = []
    store_path = None
    try:
        store_path = find_raw(raw_dir, "store.csv")
    except FileNotFoundError:
        notes.append("store.csv not present: store list taken from the train file")
    if store_path is not None:
        meta_ids = pd.read_csv(store_path, usecols=["Store"], dtype={"Store": "int32"})["Store"].to_numpy()
        extra = np.setdiff1d(universe, meta_ids)
        if extra.size:
            raise DataError(f"{train_path}: store(s) {extra[:10].tolist()} are not listed in {store_path}")
        if options.get("train_file", "train.csv") == "train.csv":
            universe = np.unique(meta_ids)

    sel = options.get("stores")
    if sel is not None:
        if isinstance(sel, int):
            universe = universe[:sel]
        else:
            want = np.asarray(sorted(int(s) for s in sel))
            bad = np.setdiff1d(want, universe)
            if bad.size:
                raise DataError(f"dataset '{name}': option stores lists unknown store(s) {bad.tolist()}")
            universe = want
    pos = np.searchsorted(universe, store)
    keep = (pos < universe.size) & (universe[np.minimum(pos, universe.size - 1)] == store)
    d0, d1 = int(day.min()), int(day.max())
    n_days = d1 - d0 + 1
    values = np.full((universe.size, n_days), np.nan, dtype=np.float32)
    cell = pos[keep].astype(np.int64) * n_days + (day[keep] - d0)
    if np.unique(cell).size != cell.size:
        raise DataError(f"{train_path}: duplicate (Store, Date) rows")
    values.reshape(-1)[cell] = sales[keep]
    del store, day, sales, pos, keep, cell
    dates = pd.date_range(epoch + np.timedelta64(d0, "D"), periods=n_days, freq="D")

    check_fill_ratio(int(np.isnan(values).sum()), values.size, f"{train_path} (dataset '{name}')")
    filled_short = filled_long = 0
    short_stores: list[int] = []
    drop_rows: list[int] = []
    for r in np.flatnonzero(np.isnan(values).any(axis=1)):
        row = values[r]
        long_gap = False
        for a, b in _gaps(row):
            if b - a <= max_gap:
                row[a:b] = 0.0
                filled_short += b - a
                continue
            long_gap = True
            filled_long += b - a
            if mode == "fill_zero":
                row[a:b] = 0.0
            elif mode == "interpolate" and a > 0 and b < n_days:
                row[a:b] = np.interp(np.arange(a, b), [a - 1, b], [row[a - 1], row[b]]).astype(np.float32)
            elif mode == "interpolate":
                row[a:b] = 0.0  # gap at an edge: nothing to interpolate from
        if long_gap:
            short_stores.append(int(universe[r]))
            if mode == "drop":
                drop_rows.append(int(r))
    if drop_rows:
        keep_rows = np.setdiff1d(np.arange(universe.size), drop_rows)
        values, universe = values[keep_rows], universe[keep_rows]

    splits, split_notes = resolve_splits(SPLITS, options, dates, name)
    notes += split_notes
    notes.append(f"closed days (Open=0) kept with their recorded Sales of 0: {n_closed} rows")
    notes.append(f"{filled_short} store-days in gaps of <= {max_gap} days filled with 0")
    notes.append(
        f"{len(short_stores)} stores with longer gaps ({filled_long} store-days) handled by missing_stores={mode}"
    )
    meta = {
        "source": str(train_path.name),
        "missing_stores": mode,
        "short_stores": short_stores,
        "n_closed_rows": n_closed,
        "n_filled_short_gaps": filled_short,
        "n_long_gap_days": filled_long,
        "notes": notes,
    }
    return Panel(values=values, ids=[str(s) for s in universe], dates=dates, splits=splits, name=name, meta=meta)

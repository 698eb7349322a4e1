"""User data: a long table ``(id, date, value)`` in CSV or parquet, one row per series and day.

Example ``data.csv``::

    id,date,value
    store_a,2021-01-01,12
    store_a,2021-01-02,15
    store_b,2021-01-01,3

Options (defaults in brackets): ``file`` [``data.csv``], ``format`` [from the suffix: ``csv`` or ``parquet``],
``id_col`` [``id``], ``date_col`` [``date``], ``value_col`` [``value``], ``date_format`` [ISO 8601],
``min_series`` [1; set it to the largest number of clusters you will ask for], ``chunksize`` [1,000,000 rows],
and the splits: ``train_end`` (required unless ``test_start`` is given), ``train_start`` [first date],
``val_start`` [first day of the last two months of train, as in the paper], ``test_start`` [day after
``train_end``], ``test_end`` [last date].

Every validation error names the file, the column and the 1-based data row (the header is row 0): missing
column, unparsable date, duplicate (id, date), missing (NaN) value, non-numeric value, negative value, empty
file, fewer series than ``min_series``. Days missing inside or around a series become 0 and are counted in
``panel.meta['notes']``. Rows are kept as compact arrays (16 bytes per row) while reading, so inputs of
tens of millions of rows are fine; for Wiki-scale inputs prefer a wide CSV and the ``wiki`` loader.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixseq.data.panel import Panel
from mixseq.data.rawio import DataError, find_raw, resolve_splits, val_start_two_months

RAW_FILES: list[str] = ["data.csv"]
_NA_STRINGS = {"", "nan", "na", "n/a", "null", "none", "<na>"}
_EPOCH = np.datetime64("1970-01-01", "D")


def raw_files(options: dict[str, Any]) -> list[str]:
    """The single input file named by option ``file``."""
    return [(options or {}).get("file", "data.csv")]


def _chunks(path: Path, fmt: str, cols: list[str], chunksize: int) -> Iterator[pd.DataFrame]:
    """Yield DataFrames of the three columns as strings (CSV) or native types (parquet)."""
    if fmt == "csv":
        try:
            header = pd.read_csv(path, nrows=0).columns.tolist()
        except pd.errors.EmptyDataError:
            raise DataError(f"{path}: file is empty (no header, no rows)") from None
        for c in cols:
            if c not in header:
                raise DataError(f"{path}: column '{c}' missing (header: {header})")
        yield from pd.read_csv(path, usecols=cols, dtype=str, na_filter=False, chunksize=chunksize)
    else:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
        for c in cols:
            if c not in names:
                raise DataError(f"{path}: column '{c}' missing (columns: {names})")
        for batch in pf.iter_batches(batch_size=chunksize, columns=cols):
            yield batch.to_pandas()


def _values(s: pd.Series, path: Path, col: str, offset: int) -> np.ndarray:
    """Float values of one chunk, raising on missing, non-numeric, infinite or negative entries."""
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        txt = s.astype("string").fillna("").str.strip()
        na = txt.str.lower().isin(_NA_STRINGS).to_numpy()
        num = pd.to_numeric(txt.where(~na, "0"), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if na.any():
            i = int(np.flatnonzero(na)[0])
            raise DataError(f"{path}: column '{col}', row {offset + i + 1}: missing value (NaN)")
        bad = ~np.isfinite(num)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{path}: column '{col}', row {offset + i + 1}: non-numeric value {s.iloc[i]!r}")
    else:
        num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(num)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{path}: column '{col}', row {offset + i + 1}: missing value (NaN)")
    neg = num < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise DataError(f"{path}: column '{col}', row {offset + i + 1}: negative value {num[i]:g}")
    return num.astype(np.float32)


def _days(s: pd.Series, path: Path, col: str, offset: int, fmt: str | None) -> np.ndarray:
    """Days since 1970-01-01 (int32) of one chunk, raising on unparsable dates."""
    if pd.api.types.is_datetime64_any_dtype(s):
        d = pd.to_datetime(s)
    else:
        d = pd.to_datetime(s.astype("string"), format=fmt or "ISO8601", errors="coerce")
    if d.isna().any():
        i = int(np.flatnonzero(d.isna().to_numpy())[0])
        raise DataError(f"{path}: column '{col}', row {offset + i + 1}: unparsable date {s.iloc[i]!r}")
    return (d.dt.floor("D").to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int32)


def load(raw_dir: Path, options: dict[str, Any], name: str = "custom") -> Panel:
    """Build a panel from a long (id, date, value) table; see the module docstring for options and checks."""
    options = dict(options or {})
    filename = options.get("file", "data.csv")
    path = find_raw(raw_dir, filename)
    fmt = options.get("format") or ("parquet" if path.suffix in (".parquet", ".pq") else "csv")
    if fmt not in ("csv", "parquet"):
        raise DataError(f"dataset '{name}': option format={fmt!r} must be 'csv' or 'parquet'")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: file is empty (no header, no rows)")
    id_col = options.get("id_col", "id")
    date_col = options.get("date_col", "date")
    value_col = options.get("value_col", "value")
    chunksize = int(options.get("chunksize", 1_000_000))

    index: dict[str, int] = {}
    codes_p, days_p, vals_p = [], [], []
    offset = 0
    for chunk in _chunks(path, fmt, [id_col, date_col, value_col], chunksize):
        ids = chunk[id_col].astype("string").fillna("").str.strip()
        empty = (ids == "").to_numpy()
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise DataError(f"{path}: column '{id_col}', row {offset + i + 1}: missing series id")
        local, uniq = pd.factorize(ids)
        glob = np.array([index.setdefault(u, len(index)) for u in uniq], dtype=np.int32)
        codes_p.append(glob[local])
        days_p.append(_days(chunk[date_col], path, date_col, offset, options.get("date_format")))
        vals_p.append(_values(chunk[value_col], path, value_col, offset))
        offset += len(chunk)
    if offset == 0:
        raise DataError(f"{path}: file is empty (header only, no data rows)")
    codes = np.concatenate(codes_p)
    days = np.concatenate(days_p)
    vals = np.concatenate(vals_p)
    del codes_p, days_p, vals_p
    m = len(index)
    min_series = int(options.get("min_series", 1))
    if m < min_series:
        raise DataError(
            f"{path}: column '{id_col}' has {m} distinct series, fewer than min_series={min_series} "
            "(the number of clusters requested)"
        )
    d0, d1 = int(days.min()), int(days.max())
    n_days = d1 - d0 + 1
    key = codes.astype(np.int64) * n_days + (days - d0)
    order = np.argsort(key, kind="stable")
    dup = np.flatnonzero(key[order][1:] == key[order][:-1])
    if dup.size:
        later = order[dup + 1]
        first_rep = int(later.min())
        earlier = int(order[dup[int(np.argmin(later))]])
        raise DataError(
            f"{path}: columns '{id_col}', '{date_col}', row {first_rep + 1}: duplicate (id, date) "
            f"({codes_to_id(index, codes[first_rep])!r}, {(_EPOCH + days[first_rep]).item()}), "
            f"first seen in row {earlier + 1}"
        )
    del order
    values = np.zeros((m, n_days), dtype=np.float32)
    values.reshape(-1)[key] = vals
    observed = np.bincount(codes, minlength=m)
    first = np.full(m, np.iinfo(np.int32).max, dtype=np.int64)
    last = np.full(m, -1, dtype=np.int64)
    np.minimum.at(first, codes, days - d0)
    np.maximum.at(last, codes, days - d0)
    span = last - first + 1
    inside = int((span - observed).sum())
    outside = int(m * n_days - span.sum())
    del key, codes, days, vals

    dates = pd.date_range(_EPOCH + np.timedelta64(d0, "D"), periods=n_days, freq="D")
    defaults: dict[str, str] = {"train_start": str(dates[0].date()), "test_end": str(dates[-1].date())}
    train_end = options.get("train_end")
    if train_end is None and "test_start" in options:
        train_end = str((pd.Timestamp(options["test_start"]) - pd.Timedelta(days=1)).date())
    if train_end is None:
        raise DataError(f"dataset '{name}': option 'train_end' (or 'test_start') is required for custom data")
    defaults["train_end"] = str(pd.Timestamp(train_end).date())
    defaults["test_start"] = str((pd.Timestamp(train_end) + pd.Timedelta(days=1)).date())
    defaults["val_start"] = val_start_two_months(train_end)
    splits, notes = resolve_splits(defaults, options, dates, name)
    notes = [
        f"{offset} rows, {m} series x {n_days} days from {path.name}",
        f"{inside} missing days inside series filled with 0",
        f"{outside} days before a series' first or after its last observation filled with 0",
    ] + notes
    meta = {"source": path.name, "n_rows": offset, "n_missing_inside": inside, "n_missing_outside": outside,
            "notes": notes}
    return Panel(values=values, ids=list(index), dates=dates, splits=splits, name=name, meta=meta)


def codes_to_id(index: dict[str, int], code: int) -> str:
    """Inverse lookup of a series code (only used for error messages)."""
    for k, v in index.items():
        if v == code:
            return k
    return str(code)

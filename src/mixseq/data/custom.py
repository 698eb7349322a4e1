"""User data: a long table ``(id, date, value)`` in CSV or parquet, one row per series and period.

Example ``data.csv``::

    id,date,value
    store_a,2021-01-01,12
    store_a,2021-01-02,15
    store_b,2021-01-01,3

Options (defaults in brackets):

- ``file`` [``data.csv``]; CSV may be compressed (``.gz``, ``.bz2``, ``.zip``, ``.xz``, ``.zst``: recognised
  from the file's first bytes, so a copy already decompressed under the same name also reads);
  ``format`` [from the suffix without the compression suffix: ``parquet`` for ``.parquet``/``.pq``, else ``csv``];
  ``id_col`` [``id``], ``date_col`` [``date``], ``value_col`` [``value``], ``date_format`` [ISO 8601];
  ``chunksize`` [1,000,000 rows]; ``min_series`` [1; set it to the largest number of clusters you will ask for].
- ``freq`` [``auto``]: the panel's frequency. ``auto`` infers it from the distinct dates with
  ``pandas.infer_freq`` (all dates, or if a period is missing from every series, the coarsest frequency inferred
  from runs of three consecutive dates whose grid holds every date); otherwise a pandas alias (``h``, ``D``,
  ``B``, ``W-FRI``, ``W`` = ``W-SUN``, ``MS``, ``ME``, ``QS``, ``QE``, ...). The panel covers
  ``pd.date_range(first, last, freq)``. Dates off that grid, irregular spacing and series of different
  frequencies (weekly on Fridays and on Mondays; a monthly series among daily ones) are errors naming rows.
- ``missing`` [``error``]: what a gap inside a series' observed span means (an absent row, or a value
  ``NaN``/blank/``NA``): ``error``, ``zero``, ``interpolate`` (linear in periods, per series, between the
  neighbouring observations) or ``drop_series`` (drop every series with a gap). Periods before a series' first
  or after its last observation are always 0 (a store that opens later adds nothing to the total) and counted.
  If more than half of all cells would be filled in, the load stops and suggests ``freq``.
- ``negative`` [``error``]: ``error``, ``allow`` (returns, net flows) or ``clip`` (to 0, counted).
- ``on_degenerate`` [``error``]: series with a single observation or with only zeros: ``error``, ``warn``
  (kept; logged as a warning and counted in the notes) or ``drop`` (removed, counted).
- splits: ``train_end`` (a date string; required unless ``test_start`` is given), ``train_start`` [first date],
  ``val_start`` [by frequency: the last two months of train for hourly/daily data as in the paper, the last 13
  weeks, 12 months, 8 quarters, 4 years for coarser data; see docs/data.md], ``test_start`` [the period after
  ``train_end``], ``test_end`` [last date]. Split dates must be dates of the grid. Sub-daily splits are
  timestamps (``"2021-03-31T23:00"``; a bare date means its 00:00 period).

Dates: a UTC offset (``2021-01-01T00:00+01:00``) or a time-zone-aware parquet column is read as the local wall
clock time as written (``2021-01-01``), not converted to UTC. Mixed offsets in one file are an error.

Every validation error names the file, the column and the 1-based data row (the header is row 0): missing
column, unparsable date, mixed time zones, duplicate (id, date), missing value (``missing: error``),
non-numeric or infinite value, a value beyond the float32 range, negative value (``negative: error``), empty
file, fewer series than ``min_series``. ``panel.meta`` records the frequency, the filled counts, the negative
counts and ``has_negative``, and the degenerate series counts; ``panel.meta['notes']`` says it in words.
Rows are kept as compact arrays (12 bytes per row: series code, date code, float32 value) while reading, so
inputs of tens of millions of rows are fine; for Wiki-scale inputs prefer a wide CSV and the ``wiki`` loader.
Series ids are kept as written (``NA``, ``null``, ``None`` are ids, not missing values).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from mixseq.data.panel import Panel, canonical_freq, date_format
from mixseq.data.rawio import DataError, check_fill_ratio, default_val_start, find_raw, resolve_splits, split_date

RAW_FILES: list[str] = ["data.csv"]
FREQ_AUTO = "auto"
MISSING_MODES = ("error", "zero", "interpolate", "drop_series")
NEGATIVE_MODES = ("error", "allow", "clip")
DEGENERATE_MODES = ("error", "warn", "drop")
_NA_STRINGS = {"", "nan", "na", "n/a", "null", "none", "<na>"}
_F32_MAX = float(np.finfo(np.float32).max)
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"PK\x03\x04", "zip"), (b"\xfd7zXZ\x00", "xz"),
          (b"\x28\xb5\x2f\xfd", "zstd"))
_COMPRESSED_SUFFIXES = {".gz", ".bz2", ".zip", ".xz", ".zst"}
_OFFSET_RE = r"(Z|[+-]\d{2}(?::?\d{2})?)$"
_LOG = logging.getLogger("mixseq.data.custom")


def raw_files(options: dict[str, Any]) -> list[str]:
    """The single input file named by option ``file``."""
    return [(options or {}).get("file", "data.csv")]


def _compression(path: Path) -> str | None:
    """Compression of ``path`` from its first bytes (``None``: plain), whatever its suffix says."""
    with open(path, "rb") as fh:
        head = fh.read(6)
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def _option(options: dict[str, Any], key: str, allowed: tuple[str, ...], name: str) -> str:
    value = options.get(key, allowed[0])
    if value not in allowed:
        raise DataError(f"dataset '{name}': options.{key} = {value!r} must be one of {list(allowed)}")
    return str(value)


def _chunks(
    path: Path, fmt: str, cols: list[str], chunksize: int, compression: str | None
) -> Iterator[pd.DataFrame]:
    """Yield DataFrames of the three columns as strings (CSV) or native types (parquet)."""
    if fmt == "csv":
        try:
            header = pd.read_csv(path, nrows=0, compression=compression).columns.tolist()
        except pd.errors.EmptyDataError:
            raise DataError(f"{path}: file is empty (no header, no rows)") from None
        except (OSError, EOFError, ValueError, ImportError) as exc:
            raise DataError(f"{path}: cannot read as {compression or 'plain'} CSV: {exc}") from None
        for c in cols:
            if c not in header:
                raise DataError(f"{path}: column '{c}' missing (header: {header})")
        yield from pd.read_csv(path, usecols=cols, dtype=str, na_filter=False, chunksize=chunksize,
                               compression=compression)
    else:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
        for c in cols:
            if c not in names:
                raise DataError(f"{path}: column '{c}' missing (columns: {names})")
        for batch in pf.iter_batches(batch_size=chunksize, columns=cols):
            yield batch.to_pandas()


class _Counts:
    """Running counts over all chunks."""

    def __init__(self) -> None:
        self.nan = 0
        self.negative = 0
        self.clipped = 0


def _values(
    s: pd.Series, path: Path, col: str, offset: int, missing: str, negative: str, counts: _Counts
) -> np.ndarray:
    """float32 values of one chunk (NaN for missing ones), checked per ``missing`` and ``negative``."""
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        txt = s.astype("string").fillna("").str.strip()
        na = txt.str.lower().isin(_NA_STRINGS).to_numpy()
        num = pd.to_numeric(txt.where(~na, "0"), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(num) & ~na
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{path}: column '{col}', row {offset + i + 1}: non-numeric value {s.iloc[i]!r}")
        num[na] = np.nan
    else:
        num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        na = np.isnan(num)
        inf = np.isinf(num)
        if inf.any():
            i = int(np.flatnonzero(inf)[0])
            raise DataError(f"{path}: column '{col}', row {offset + i + 1}: infinite value {num[i]}")
    if na.any():
        if missing == "error":
            i = int(np.flatnonzero(na)[0])
            raise DataError(
                f"{path}: column '{col}', row {offset + i + 1}: missing value (NaN); set options.missing "
                "(zero, interpolate, drop_series) to say what a gap means"
            )
        counts.nan += int(na.sum())
    big = np.abs(num) > _F32_MAX
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise DataError(
            f"{path}: column '{col}', row {offset + i + 1}: value {num[i]:g} is beyond the float32 range "
            f"(|x| <= {_F32_MAX:.4g}); rescale the data"
        )
    neg = num < 0
    if neg.any():
        if negative == "error":
            i = int(np.flatnonzero(neg)[0])
            raise DataError(
                f"{path}: column '{col}', row {offset + i + 1}: negative value {num[i]:g}; set options.negative "
                "to allow (returns, net flows) or clip (to 0)"
            )
        counts.negative += int(neg.sum())
        if negative == "clip":
            counts.clipped += int(neg.sum())
            num[neg] = 0.0
    return num.astype(np.float32)


class _TimeZone:
    """The time zone (or ``None``: naive) of the first date seen, to reject files that mix zones."""

    def __init__(self) -> None:
        self.seen = False
        self.tz: str | None = None
        self.row = 0

    def check(self, tz: str | None, row: int, path: Path, col: str) -> None:
        if not self.seen:
            self.seen, self.tz, self.row = True, tz, row
        elif tz != self.tz:
            raise DataError(
                f"{path}: column '{col}', row {row}: mixed time zones: {tz or 'no time zone'} here, "
                f"{self.tz or 'no time zone'} in row {self.row}; write local dates with no offset or one zone "
                "throughout"
            )


def _dates(s: pd.Series, path: Path, col: str, offset: int, fmt: str | None, tzs: _TimeZone) -> np.ndarray:
    """Local (wall clock) dates of one chunk as int64 nanoseconds, raising on unparsable dates or mixed zones."""
    if pd.api.types.is_datetime64_any_dtype(s):
        d = pd.Series(pd.to_datetime(s))
    else:
        txt = s.astype("string").str.strip()
        try:
            d = pd.Series(pd.to_datetime(txt, format=fmt or "ISO8601", errors="coerce"))
        except ValueError as exc:  # pandas refuses mixed offsets, with no row
            offs = txt.str.extract(_OFFSET_RE, expand=False).fillna("none")
            diff = np.flatnonzero((offs != offs.iloc[0]).to_numpy())
            if not diff.size:
                raise DataError(f"{path}: column '{col}', rows {offset + 1}..{offset + len(s)}: {exc}") from None
            i = int(diff[0])
            raise DataError(
                f"{path}: column '{col}', row {offset + i + 1}: mixed time zones: {s.iloc[i]!r} has UTC offset "
                f"{offs.iloc[i]}, row {offset + 1} ({s.iloc[0]!r}) has {offs.iloc[0]}; write local dates with no "
                "offset or one offset throughout"
            ) from None
    if d.dt.tz is not None:
        tzs.check(str(d.dt.tz), offset + 1, path, col)
        d = d.dt.tz_localize(None)  # the wall clock time as written, not UTC
    else:
        tzs.check(None, offset + 1, path, col)
    if d.isna().any():
        i = int(np.flatnonzero(d.isna().to_numpy())[0])
        raise DataError(f"{path}: column '{col}', row {offset + i + 1}: unparsable date {s.iloc[i]!r}")
    return d.to_numpy().astype("datetime64[ns]").view(np.int64)


def _infer(dates: pd.DatetimeIndex) -> str | None:
    """``pd.infer_freq`` as a canonical alias, or ``None``."""
    if len(dates) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pd.infer_freq(dates)
    return None if f is None else to_offset(f).freqstr


def _on_grid(dates: pd.DatetimeIndex, freq: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The grid ``date_range(first, last, freq)`` and each date's position in it (-1: off the grid)."""
    grid = pd.date_range(dates[0], dates[-1], freq=freq)
    if len(grid) == 0 or grid[0] != dates[0]:
        return grid, np.full(len(dates), -1, dtype=np.int64)
    return grid, grid.get_indexer(dates)


class _Rows:
    """Series and date codes of all rows, with the first file row of each id and each distinct date."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.id_rows: list[int] = []
        self.dates: dict[int, int] = {}
        self.date_rows: list[int] = []

    def add_ids(self, ids: pd.Series, offset: int) -> np.ndarray:
        local, uniq = pd.factorize(ids)
        first = np.unique(local, return_index=True)[1]
        glob = np.empty(len(uniq), dtype=np.int32)
        for j, u in enumerate(uniq):
            if u not in self.ids:
                self.ids[u] = len(self.ids)
                self.id_rows.append(offset + int(first[j]) + 1)
            glob[j] = self.ids[u]
        return glob[local]

    def add_dates(self, ns: np.ndarray, offset: int) -> np.ndarray:
        local, uniq = pd.factorize(ns)
        first = np.unique(local, return_index=True)[1]
        glob = np.empty(len(uniq), dtype=np.int32)
        for j, u in enumerate(uniq.tolist()):
            if u not in self.dates:
                self.dates[u] = len(self.dates)
                self.date_rows.append(offset + int(first[j]) + 1)
            glob[j] = self.dates[u]
        return glob[local]


def _series_freqs(codes: np.ndarray, dates: pd.DatetimeIndex, dcodes: np.ndarray) -> Iterator[tuple[int, str]]:
    """``(series code, inferred freq)`` for each series whose own dates have a regular frequency."""
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    for part in np.split(order, bounds):
        f = _infer(pd.DatetimeIndex(np.sort(dates[dcodes[part]])))
        if f is not None:
            yield int(codes[part[0]]), f


def _check_mixed(path: Path, id_col: str, rows: _Rows, names: list[str],
                 found: Callable[[], Iterator[tuple[int, str]]]) -> None:
    """Raise when two series have different regular frequencies of their own (weekly on Fridays and on Mondays)."""
    first: tuple[int, str] | None = None
    for b, fb in found():
        if first is None:
            first = (b, fb)
        elif fb != first[1]:
            a, fa = first
            raise DataError(
                f"{path}: column '{id_col}': mixed frequencies: series {names[a]!r} (first row {rows.id_rows[a]}) "
                f"is '{fa}', series {names[b]!r} (first row {rows.id_rows[b]}) is '{fb}'; put series of one "
                "frequency in one file (or aggregate them to a common one)"
            )


def _resolve_freq(
    opt: Any, udates: pd.DatetimeIndex, urows: np.ndarray, path: Path, date_col: str, name: str,
    check_mixed: Callable[[], None],
) -> tuple[str, pd.DatetimeIndex, np.ndarray, bool]:
    """Frequency, grid and grid position of each sorted distinct date; raises on irregular / off-grid dates.

    ``check_mixed`` raises the mixed-frequencies error if the series have different frequencies (called only
    when no frequency fits the dates, to explain why).
    """
    fmt = date_format(udates)

    def show(k: int) -> str:
        return f"row {int(urows[k])} ({udates[k].strftime(fmt)})"

    if opt == FREQ_AUTO:
        if len(udates) < 3:
            raise DataError(
                f"{path}: column '{date_col}' has {len(udates)} distinct date(s); options.freq: auto needs at "
                "least 3 to infer a frequency: set options.freq (e.g. 'D', 'W-FRI', 'MS')"
            )
        f = _infer(udates)
        if f is not None:
            return (f, *_on_grid(udates, f), True)
        # A period missing from every series: vote over runs of three consecutive dates.
        step = max(1, (len(udates) - 2) // 2000)
        cands: dict[str, int] = {}
        for i in range(0, len(udates) - 2, step):
            g = _infer(udates[i : i + 3])
            if g is not None:
                cands[g] = cands.get(g, 0) + 1
        fits = []
        for g in cands:
            grid, pos = _on_grid(udates, g)
            if (pos >= 0).all():
                fits.append((len(grid), g, grid, pos))
        if fits:
            _, g, grid, pos = min(fits, key=lambda t: t[0])
            return g, grid, pos, True
        check_mixed()
        if cands:
            g = max(cands, key=lambda k: cands[k])
            k = int(np.flatnonzero(_on_grid(udates, g)[1] < 0)[0])
            k = max(k, 1)
            why = f"the spacing of most dates is '{g}'"
        else:
            gaps = np.diff(udates.asi8)
            k = int(np.flatnonzero(gaps != gaps[0])[0]) + 1
            why = "the spacing changes"
        raise DataError(
            f"{path}: column '{date_col}': dates are not regularly spaced ({why}); {show(k - 1)} and {show(k)} "
            "break it, so options.freq: auto cannot infer a frequency: fix the dates or set options.freq"
        )
    try:
        f = canonical_freq(opt)
    except ValueError as exc:
        raise DataError(
            f"dataset '{name}': options.freq = {opt!r} is not 'auto' or a pandas frequency alias such as 'h', 'D', "
            f"'W-FRI', 'MS', 'ME', 'QS', 'QE' ({exc})"
        ) from None
    try:
        tick = pd.Timedelta(to_offset(f))
    except (ValueError, TypeError):
        tick = None
    if tick is not None and len(udates) > 1 and (udates[-1] - udates[0]) / tick > 2e8:
        raise DataError(f"dataset '{name}': options.freq = {f!r} gives over 2e8 periods for "
                        f"{udates[0]}..{udates[-1]}; the data are much coarser")
    grid, pos = _on_grid(udates, f)
    if (pos < 0).any():
        k = int(np.flatnonzero(pos < 0)[0])
        raise DataError(
            f"{path}: column '{date_col}', {show(k)}: date is not on the grid of options.freq = '{f}' "
            f"(from the first date, {show(0)}); set options.freq to the data's alias (or auto)"
        )
    return f, grid, pos, False


def load(raw_dir: Path, options: dict[str, Any], name: str = "custom") -> Panel:
    """Build a panel from a long (id, date, value) table; see the module docstring for options and checks."""
    options = dict(options or {})
    filename = options.get("file", "data.csv")
    path = find_raw(raw_dir, filename)
    stem = path.with_suffix("") if path.suffix in _COMPRESSED_SUFFIXES else path
    fmt = options.get("format") or ("parquet" if stem.suffix in (".parquet", ".pq") else "csv")
    if fmt not in ("csv", "parquet"):
        raise DataError(f"dataset '{name}': option format={fmt!r} must be 'csv' or 'parquet'")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: file is empty (no header, no rows)")
    missing = _option(options, "missing", MISSING_MODES, name)
    negative = _option(options, "negative", NEGATIVE_MODES, name)
    degenerate = _option(options, "on_degenerate", DEGENERATE_MODES, name)
    freq_opt = options.get("freq", FREQ_AUTO)
    for key in ("train_end", "test_start"):
        if key in options:
            split_date(options, key, name)
    id_col = options.get("id_col", "id")
    date_col = options.get("date_col", "date")
    value_col = options.get("value_col", "value")
    chunksize = int(options.get("chunksize", 1_000_000))
    compression = _compression(path) if fmt == "csv" else None

    rows = _Rows()
    counts = _Counts()
    tzs = _TimeZone()
    codes_p, dcodes_p, vals_p = [], [], []
    offset = 0
    for chunk in _chunks(path, fmt, [id_col, date_col, value_col], chunksize, compression):
        ids = chunk[id_col].astype("string").fillna("").str.strip()
        empty = (ids == "").to_numpy()
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise DataError(f"{path}: column '{id_col}', row {offset + i + 1}: missing series id")
        codes_p.append(rows.add_ids(ids, offset))
        dcodes_p.append(rows.add_dates(_dates(chunk[date_col], path, date_col, offset,
                                              options.get("date_format"), tzs), offset))
        vals_p.append(_values(chunk[value_col], path, value_col, offset, missing, negative, counts))
        offset += len(chunk)
    if offset == 0:
        raise DataError(f"{path}: file is empty (header only, no data rows)")
    codes = np.concatenate(codes_p)
    dcodes = np.concatenate(dcodes_p)
    vals = np.concatenate(vals_p)
    del codes_p, dcodes_p, vals_p
    names = list(rows.ids)
    m = len(names)
    min_series = int(options.get("min_series", 1))
    if m < min_series:
        raise DataError(
            f"{path}: column '{id_col}' has {m} distinct series, fewer than min_series={min_series} "
            "(the number of clusters requested)"
        )
    ud = np.array(list(rows.dates), dtype=np.int64)
    _duplicates(path, id_col, date_col, codes, dcodes, len(ud), names, ud)

    # ---------------------------------------------------------------- frequency and grid
    dorder = np.argsort(ud)
    udates = pd.DatetimeIndex(ud[dorder].astype("datetime64[ns]"))
    urows = np.asarray(rows.date_rows)[dorder]

    check_mixed = partial(_check_mixed, path, id_col, rows, names,
                          partial(_series_freqs, codes, pd.DatetimeIndex(ud.astype("datetime64[ns]")), dcodes))
    freq, grid, pos, inferred = _resolve_freq(freq_opt, udates, urows, path, date_col, name, check_mixed)
    n_t = len(grid)
    lut = np.empty(len(ud), dtype=np.int32)
    lut[dorder] = pos
    dcodes = lut[dcodes]  # date code -> position on the grid
    if missing != "drop_series":  # at least the cells no row names are filled: stop before allocating them
        check_fill_ratio(m * n_t - offset, m * n_t, f"{path} (dataset '{name}', {m} series x {n_t} periods)", freq)
    _coarser_series(path, id_col, rows, names, codes, dcodes, grid, freq)

    values = np.full((m, n_t), np.nan, dtype=np.float32)
    values.reshape(-1)[codes.astype(np.int64) * n_t + dcodes] = vals
    del codes, dcodes, vals

    # ---------------------------------------------------------------- gaps
    obs = ~np.isnan(values)
    n_obs = obs.sum(axis=1)
    has = n_obs > 0
    first = np.where(has, obs.argmax(axis=1), 0)
    last = np.where(has, n_t - 1 - obs[:, ::-1].argmax(axis=1), -1)
    inside = np.where(has, last - first + 1, 0) - n_obs
    n_inside = int(inside.sum())
    fmt_d = date_format(grid)
    notes = [f"{offset} rows, {m} series x {n_t} periods of frequency '{freq}'"
             f" ({'inferred from the dates' if inferred else 'options.freq'}) from {path.name}"]
    keep = np.ones(m, dtype=bool)
    if missing == "drop_series":
        keep = inside == 0
        n_cells = int(keep.sum()) * n_t
        check_fill_ratio(n_cells - int(n_obs[keep].sum()), n_cells, f"{path} (dataset '{name}', after dropping "
                         f"{int((~keep).sum())} series with gaps)", freq)
    else:
        check_fill_ratio(int(m * n_t - n_obs.sum()), m * n_t, f"{path} (dataset '{name}')", freq)
    if n_inside and missing == "error":
        r = int(np.flatnonzero(inside)[0])
        gap = first[r] + int(np.flatnonzero(~obs[r, first[r] : last[r] + 1])[0])
        raise DataError(
            f"{path}: series {names[r]!r} (column '{id_col}', first row {rows.id_rows[r]}) has no row for "
            f"{grid[gap].strftime(fmt_d)} inside its observed span {grid[first[r]].strftime(fmt_d)}.."
            f"{grid[last[r]].strftime(fmt_d)} at frequency '{freq}'; {int((inside > 0).sum())} series have "
            f"{n_inside} such gaps: set options.missing (zero, interpolate, drop_series) or check options.freq"
        )
    del obs
    if missing == "interpolate" and n_inside:
        gaps = np.flatnonzero(inside)
        for a in range(0, gaps.size, 5_000):
            blk = gaps[a : a + 5_000]
            filled = pd.DataFrame(values[blk].T).interpolate(method="linear", limit_area="inside")
            values[blk] = filled.to_numpy(dtype=np.float32).T
    if missing == "drop_series" and not keep.all():
        dropped = [names[i] for i in np.flatnonzero(~keep)]
        notes.append(f"missing: drop_series dropped {len(dropped)} series with gaps inside their span "
                     f"({n_inside} periods), e.g. {dropped[:5]}")
    elif n_inside:
        how = "filled with 0" if missing == "zero" else "interpolated linearly"
        notes.append(f"{n_inside} missing periods inside {int((inside > 0).sum())} series {how} (missing: {missing})")
    else:
        notes.append("no missing periods inside any series' span")
    n_outside = int(((n_t - np.where(has, last - first + 1, 0)) * keep).sum())
    notes.append(f"{n_outside} periods before a series' first or after its last observation set to 0")
    for blk in range(0, m, 20_000):  # what is still NaN lies outside a span (or in a dropped series)
        part = values[blk : blk + 20_000]
        part[np.isnan(part)] = 0.0
    n_dropped_gaps = int((~keep).sum())

    # ---------------------------------------------------------------- degenerate series
    single = (n_obs == 1) & keep
    zero = np.zeros(m, dtype=bool)
    for blk in range(0, m, 20_000):
        zero[blk : blk + 20_000] = ~values[blk : blk + 20_000].any(axis=1)
    zero &= keep
    bad = single | zero
    n_single, n_zero = int(single.sum()), int(zero.sum())
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        what = (f"{n_single} series with a single observation and {n_zero} series with only zeros, e.g. "
                f"{names[r]!r} (column '{id_col}', first row {rows.id_rows[r]})")
        if degenerate == "error":
            raise DataError(f"{path}: {what}; they carry no pattern to cluster or forecast: remove them or set "
                            "options.on_degenerate to warn (keep) or drop")
        if degenerate == "drop":
            keep &= ~bad
            notes.append(f"on_degenerate: drop removed {what}")
        else:
            _LOG.warning("dataset '%s': %s kept (on_degenerate: warn)", name, what)
            notes.append(f"WARNING: {what} kept (on_degenerate: warn)")
    if not keep.all():
        values = values[keep]
        names = [names[i] for i in np.flatnonzero(keep)]
    if len(names) < max(min_series, 1):
        raise DataError(
            f"{path}: {len(names)} series left after dropping (missing: {missing}, on_degenerate: {degenerate}), "
            f"fewer than min_series={max(min_series, 1)}"
        )

    # ---------------------------------------------------------------- negative values
    has_negative = bool((values < 0).any())
    if counts.clipped:
        notes.append(f"{counts.clipped} negative values clipped to 0 (negative: clip)")
    elif counts.negative:
        notes.append(f"{counts.negative} negative values kept (negative: allow)")

    # ---------------------------------------------------------------- splits
    step = to_offset(freq)
    defaults: dict[str, str] = {"train_start": grid[0].strftime(fmt_d), "test_end": grid[-1].strftime(fmt_d)}
    if "train_end" in options:
        train_end = split_date(options, "train_end", name)
    elif "test_start" in options:
        train_end = split_date(options, "test_start", name) - step
    else:
        raise DataError(f"dataset '{name}': option 'train_end' (or 'test_start') is required for custom data")
    train_start = split_date(options, "train_start", name) if "train_start" in options else grid[0]
    defaults["train_end"] = train_end.strftime(fmt_d)
    defaults["test_start"] = (train_end + step).strftime(fmt_d)
    val_start = default_val_start(train_start, train_end, grid)
    defaults["val_start"] = val_start.strftime(fmt_d)
    splits, split_notes = resolve_splits(defaults, options, grid, name)
    if "val_start" not in options:
        notes.append(f"val_start {splits['val_start']} by the '{freq}' rule "
                     f"({grid.searchsorted(train_end) - grid.searchsorted(val_start) + 1} validation periods)")
    notes += split_notes
    meta = {
        "source": path.name, "n_rows": offset, "freq": freq, "freq_inferred": inferred,
        "missing": missing, "n_missing_inside": n_inside, "n_missing_outside": n_outside,
        "n_nan_values": counts.nan, "n_dropped_gaps": n_dropped_gaps,
        "negative": negative, "n_negative": counts.negative, "n_clipped": counts.clipped,
        "has_negative": has_negative,
        "on_degenerate": degenerate, "n_single_row": n_single, "n_all_zero": n_zero,
        "n_dropped_degenerate": n_single + n_zero - int((single & zero).sum()) if degenerate == "drop" else 0,
        "notes": notes,
    }
    return Panel(values=values, ids=names, dates=grid, splits=splits, name=name, meta=meta, freq=freq)


def _duplicates(path: Path, id_col: str, date_col: str, codes: np.ndarray, dcodes: np.ndarray, n_dates: int,
                names: list[str], ud: np.ndarray) -> None:
    """Raise on the first repeated (id, date), naming its row and the row of the first occurrence."""
    key = codes.astype(np.int64) * n_dates + dcodes
    order = np.argsort(key, kind="stable")
    dup = np.flatnonzero(key[order][1:] == key[order][:-1])
    if dup.size:
        later = order[dup + 1]
        first_rep = int(later.min())
        earlier = int(order[dup[int(np.argmin(later))]])
        when = pd.Timestamp(ud[dcodes[first_rep]])
        raise DataError(
            f"{path}: columns '{id_col}', '{date_col}', row {first_rep + 1}: duplicate (id, date) "
            f"({names[codes[first_rep]]!r}, {when.strftime(date_format(pd.DatetimeIndex([when])))}), "
            f"first seen in row {earlier + 1}"
        )


def _coarser_series(path: Path, id_col: str, rows: _Rows, names: list[str], codes: np.ndarray, pos: np.ndarray,
                    grid: pd.DatetimeIndex, freq: str) -> None:
    """Raise when a series lives on a coarser regular grid than the panel (a monthly series among daily ones).

    Only series whose observations are never one period apart are examined; an irregular (intermittent) series
    is not an error here (its gaps follow ``missing``).
    """
    key = codes.astype(np.int64) * len(grid) + pos
    order = np.argsort(key)
    c, p = codes[order], pos[order]
    same = c[1:] == c[:-1]
    steps = np.diff(p)
    min_step = np.full(len(names), np.iinfo(np.int64).max)
    np.minimum.at(min_step, c[1:][same], steps[same])
    n = np.bincount(codes, minlength=len(names))
    suspects = np.flatnonzero((min_step > 1) & (min_step < np.iinfo(np.int64).max) & (n >= 3))
    if not suspects.size:
        return
    starts = np.searchsorted(c, suspects)
    for s, a in zip(suspects.tolist(), starts.tolist(), strict=True):
        f = _infer(grid[p[a : a + n[s]]])
        if f is not None and f != freq:
            raise DataError(
                f"{path}: column '{id_col}': mixed frequencies: series {names[s]!r} (first row {rows.id_rows[s]}) "
                f"has '{f}' dates while the panel's frequency is '{freq}'; put series of one frequency in one file "
                "(or aggregate them to a common one)"
            )


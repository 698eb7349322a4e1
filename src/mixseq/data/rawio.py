"""Helpers shared by the real-data loaders: locating raw files, split resolution, errors, line counting."""

from __future__ import annotations

import datetime as _dt
import gzip
from pathlib import Path
from typing import Any

import pandas as pd

from mixseq.data.panel import date_format


class DataError(ValueError):
    """A raw input file is missing, malformed or inconsistent; the message names file, column and row."""


def find_raw(raw_dir: str | Path, filename: str) -> Path:
    """Return ``raw_dir/filename`` or, failing that, ``raw_dir/filename.gz`` (pandas reads both).

    Raises:
        FileNotFoundError: naming both candidate paths.
    """
    raw_dir = Path(raw_dir)
    for cand in (raw_dir / filename, raw_dir / f"{filename}.gz"):
        if cand.exists():
            return cand
    raise FileNotFoundError(f"raw file '{filename}' not found in {raw_dir} (also tried '{filename}.gz')")


def open_text(path: Path):  # type: ignore[no-untyped-def]
    """Open a (possibly gzip-compressed) text file for reading."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", newline="")
    return open(path, newline="")


def count_data_lines(path: Path) -> int:
    """Number of non-empty lines after the header (cheap pre-pass to pre-allocate a panel)."""
    opener = gzip.open if path.suffix == ".gz" else open
    n = 0
    last = b"\n"
    with opener(path, "rb") as fh:
        while True:
            buf = fh.read(1 << 24)
            if not buf:
                break
            n += buf.count(b"\n")
            last = buf[-1:]
    if last != b"\n":
        n += 1  # last line without a newline
    return max(n - 1, 0)


def read_header(path: Path) -> list[str]:
    """Column names of a CSV file (first line), parsed with the csv module so quoting is honoured."""
    import csv

    with open_text(path) as fh:
        try:
            return next(csv.reader(fh))
        except StopIteration:
            raise DataError(f"{path}: file is empty (no header line)") from None


#: the split options every real-data loader accepts: ISO dates ``YYYY-MM-DD`` (quoted in YAML is not needed,
#: but a bare number such as ``20150331`` is not a date).
SPLIT_OPTIONS: dict[str, Any] = {k: str for k in ("train_start", "train_end", "val_start", "test_start", "test_end")}


def resolve_splits(
    defaults: dict[str, str],
    options: dict[str, Any],
    dates: pd.DatetimeIndex,
    name: str,
    clip_test_end: bool = False,
) -> tuple[dict[str, str], list[str]]:
    """Merge split dates from ``options`` over ``defaults`` and check them against the data's dates.

    Returns the splits and a list of notes (e.g. when ``test_end`` was clipped to the last day).
    Raises:
        DataError: naming the split key and the data's date range when a boundary is outside the data
            or the order train_start <= val_start <= train_end < test_start <= test_end is broken.
    """
    keys = ("train_start", "train_end", "val_start", "test_start", "test_end")
    ts: dict[str, pd.Timestamp] = {}
    for k in keys:
        v = split_date(options, k, name) if k in options else defaults.get(k)
        if v is None:
            continue
        ts[k] = pd.Timestamp(v)
    missing = [k for k in keys if k not in ts]
    if missing:
        raise DataError(f"dataset '{name}': split option(s) {missing} must be given")
    fmt = date_format(dates)
    notes: list[str] = []
    first, last = dates[0], dates[-1]
    if clip_test_end and ts["test_end"] > last:
        notes.append(
            f"test_end clipped from {ts['test_end'].strftime(fmt)} to the last day of the data {last.strftime(fmt)}"
        )
        ts["test_end"] = last
    for k, v in ts.items():
        if not (first <= v <= last):
            raise DataError(
                f"dataset '{name}': split '{k}' = {v.strftime(fmt)} is outside the data range "
                f"{first.strftime(fmt)}..{last.strftime(fmt)}"
            )
        pos = int(dates.searchsorted(v))
        if dates[pos] != v:
            freq = f" '{dates.freqstr}'" if dates.freq is not None else ""
            raise DataError(
                f"dataset '{name}': split '{k}' = {v.strftime(fmt)} is not a date of the data's{freq} grid; "
                f"nearest: {dates[pos - 1].strftime(fmt)} or {dates[pos].strftime(fmt)}"
            )
    if not (ts["train_start"] <= ts["val_start"] <= ts["train_end"] < ts["test_start"] <= ts["test_end"]):
        raise DataError(
            f"dataset '{name}': splits must satisfy train_start <= val_start <= train_end < test_start <= test_end, "
            f"got {{{', '.join(f'{k}: {v.strftime(fmt)}' for k, v in ts.items())}}}"
        )
    return {k: ts[k].strftime(fmt) for k in keys}, notes


def split_date(options: dict[str, Any], key: str, name: str) -> pd.Timestamp:
    """The split date ``options[key]`` as a Timestamp; it must be a date string (or a YAML date).

    A YAML integer such as ``20150331`` would otherwise be read as nanoseconds after 1970-01-01.

    Raises:
        DataError: naming ``options.<key>``, the value and the expected form.
    """
    v = options[key]
    if not isinstance(v, str | _dt.date):
        raise DataError(
            f"dataset '{name}': options.{key} must be a date string such as \"2015-03-31\" (quote it in YAML), "
            f"got {type(v).__name__} {v!r}"
        )
    try:
        ts = pd.Timestamp(v)
    except (ValueError, TypeError) as exc:
        raise DataError(f"dataset '{name}': options.{key} = {v!r} is not a date ({exc})") from None
    if ts is pd.NaT or ts.tz is not None:
        raise DataError(f"dataset '{name}': options.{key} = {v!r} must be a local date without a time zone")
    return ts


def check_fill_ratio(n_filled: int, n_cells: int, where: str, freq: str = "D") -> None:
    """Stop when more than half of all panel cells would be filled in rather than observed.

    That is the mark of data read at a finer frequency than it has (weekly data read as daily fills 6 of 7 days).

    Raises:
        DataError: naming ``where``, the counts and suggesting option ``freq``.
    """
    if n_cells > 0 and 2 * n_filled > n_cells:
        raise DataError(
            f"{where}: {n_filled} of {n_cells} panel cells ({n_filled / n_cells:.0%}) would be filled in, more than "
            f"half; the data are probably coarser than the frequency '{freq}' they are read at: check the dates "
            "or set options.freq (e.g. 'W-FRI', 'MS', 'QS')"
        )


def period_length(dates: pd.DatetimeIndex) -> pd.Timedelta:
    """Typical length of one period of a regular ``dates`` index (median spacing; 1 day for a single date)."""
    if len(dates) < 2:
        return pd.Timedelta(days=1)
    return pd.Timedelta(pd.Series(dates[: min(len(dates), 400)]).diff().dropna().median())


def default_val_start(train_start: pd.Timestamp, train_end: pd.Timestamp, dates: pd.DatetimeIndex) -> pd.Timestamp:
    """First validation period by frequency (documented in docs/data.md, "Validation window").

    Periods shorter than a week (hourly, daily, business days): the last two calendar months of training, the
    paper's rule for daily data. Weekly: the last 13 periods (a quarter); monthly: 12 (a year); quarterly: 8 (two
    years); longer: 4. Coarse data get a span long enough to hold at least one typical horizon (a quarter of
    weeks, a year of months), not two months (8 weeks, 2 months, under one quarter). Never before ``train_start``.
    """
    step = period_length(dates)
    te = pd.Timestamp(train_end)
    if step < pd.Timedelta(days=7):
        target = te - pd.DateOffset(months=2) + step
        pos = int(dates.searchsorted(target))
    else:
        n = 13 if step < pd.Timedelta(days=28) else 12 if step < pd.Timedelta(days=89) else \
            8 if step < pd.Timedelta(days=365) else 4
        pos = int(dates.searchsorted(te)) - (n - 1)
    pos = max(pos, int(dates.searchsorted(pd.Timestamp(train_start))))
    return dates[min(pos, len(dates) - 1)]


def val_start_two_months(train_end: str | pd.Timestamp) -> str:
    """First day of the last two calendar months of training (paper §5.2: validation = last two months)."""
    te = pd.Timestamp(train_end)
    return (te - pd.DateOffset(months=2) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")

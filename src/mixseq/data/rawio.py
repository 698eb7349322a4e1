"""Helpers shared by the real-data loaders: locating raw files, split resolution, errors, line counting."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pandas as pd


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
    splits = {k: options.get(k, defaults.get(k)) for k in keys}
    missing = [k for k, v in splits.items() if v is None]
    if missing:
        raise DataError(f"dataset '{name}': split option(s) {missing} must be given")
    ts = {k: pd.Timestamp(v) for k, v in splits.items()}
    notes: list[str] = []
    first, last = dates[0], dates[-1]
    if clip_test_end and ts["test_end"] > last:
        notes.append(
            f"test_end clipped from {ts['test_end'].date()} to the last day of the data {last.date()}"
        )
        ts["test_end"] = last
    for k, v in ts.items():
        if not (first <= v <= last):
            raise DataError(
                f"dataset '{name}': split '{k}' = {v.date()} is outside the data range {first.date()}..{last.date()}"
            )
    if not (ts["train_start"] <= ts["val_start"] <= ts["train_end"] < ts["test_start"] <= ts["test_end"]):
        raise DataError(
            f"dataset '{name}': splits must satisfy train_start <= val_start <= train_end < test_start <= test_end, "
            f"got {{{', '.join(f'{k}: {v.date()}' for k, v in ts.items())}}}"
        )
    return {k: v.strftime("%Y-%m-%d") for k, v in ts.items()}, notes


def val_start_two_months(train_end: str | pd.Timestamp) -> str:
    """First day of the last two calendar months of training (paper §5.2: validation = last two months)."""
    te = pd.Timestamp(train_end)
    return (te - pd.DateOffset(months=2) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")

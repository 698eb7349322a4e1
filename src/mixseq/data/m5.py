"""M5 (Kaggle ``m5-forecasting-accuracy``) unit sales, at item x store or store x department level.

Table 3 of the paper: 30,490 series of length 1,941; train 2011-01-29..2016-01-01 and test 2016-01-01..2016-06-19.
Table 3's train end overlaps the test start by one day; we use train 2011-01-29..2015-12-31 (validation from
2015-11-01, the last two months, §5.2) and test from 2016-01-01. The sales files end at d_1941 = 2016-05-22
(2016-05-23..06-19 is the private-leaderboard period whose truth was never part of the accuracy data), so
``test_end`` is clipped to 2016-05-22 and the clipping is recorded in ``panel.meta['notes']``.

Option ``level``:

- ``item_store`` (default, the paper's 30,490 series): Kaggle ``sales_train_evaluation.csv`` (columns
  ``id,item_id,dept_id,cat_id,store_id,state_id,d_1..d_1941``). With ``sales_file: sales_train_validation.csv``
  (d_1..d_1913), the 28 days of ``sales_test_validation.csv`` are appended (joined on item_id, store_id).
  Series ids are ``<item_id>_<store_id>``.
- ``store_dept`` (70 series, what the local mirror can provide): ``sales_store_dept_d1_d1913.csv``
  (``dept_id,store_id,d_1..d_1913``) extended by ``sales_test_validation.csv`` summed by (dept_id, store_id)
  for d_1914..d_1941. Series ids are ``<dept_id>_<store_id>``.

Dates come from ``calendar.csv`` (column ``d`` -> ``date``). Other options: ``chunksize`` (rows per chunk,
2,000) and split overrides ``train_start`` ... ``test_end``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from mixseq.data.panel import Panel
from mixseq.data.rawio import SPLIT_OPTIONS, DataError, count_data_lines, find_raw, read_header, resolve_splits

SPLITS = {
    "train_start": "2011-01-29",
    "train_end": "2015-12-31",
    "val_start": "2015-11-01",
    "test_start": "2016-01-01",
    "test_end": "2016-06-19",
}
LEVELS = ("item_store", "store_dept")
#: accepted options and their types (checked by :func:`mixseq.config_check.check_config`).
OPTIONS: dict[str, Any] = {
    "level": Literal[LEVELS],  # type: ignore[valid-type]
    "sales_file": str,
    "chunksize": int,
    **SPLIT_OPTIONS,
}
RAW_FILES: list[str] = ["sales_train_evaluation.csv", "calendar.csv"]
_ITEM_KEYS = ["id", "item_id", "dept_id", "cat_id", "store_id", "state_id"]


def raw_files(options: dict[str, Any]) -> list[str]:
    """Raw files needed for the chosen ``level`` / ``sales_file``."""
    level = (options or {}).get("level", "item_store")
    if level == "store_dept":
        return ["sales_store_dept_d1_d1913.csv", "sales_test_validation.csv", "calendar.csv"]
    if level != "item_store":
        raise DataError(f"m5: option level={level!r} must be one of {LEVELS}")
    sales = options.get("sales_file", "sales_train_evaluation.csv")
    files = [sales, "calendar.csv"]
    if sales == "sales_train_validation.csv":
        files.insert(1, "sales_test_validation.csv")
    return files


def _day_columns(header: list[str], path: Path) -> list[str]:
    days = [c for c in header if c.startswith("d_")]
    if not days:
        raise DataError(f"{path}: no day columns d_1, d_2, ... in the header")
    nums = [int(c[2:]) for c in days]
    if nums != list(range(nums[0], nums[0] + len(nums))):
        raise DataError(f"{path}: day columns are not consecutive (d_{nums[0]}..d_{nums[-1]})")
    return days


def calendar_dates(raw_dir: Path, days: list[str]) -> pd.DatetimeIndex:
    """Dates of the day columns ``days`` (``d_k``) from ``calendar.csv``."""
    path = find_raw(raw_dir, "calendar.csv")
    cal = pd.read_csv(path, usecols=["date", "d"], dtype={"date": "string", "d": "string"})
    lookup = dict(zip(cal["d"], cal["date"], strict=True))
    missing = [d for d in days if d not in lookup]
    if missing:
        raise DataError(f"{path}: column 'd' lacks {missing[:5]} used by the sales file")
    dates = pd.DatetimeIndex(pd.to_datetime([lookup[d] for d in days], format="%Y-%m-%d"))
    if len(dates) > 1 and not (np.diff(dates.values.astype("datetime64[D]").astype(np.int64)) == 1).all():
        raise DataError(f"{path}: dates of {days[0]}..{days[-1]} are not consecutive days")
    return dates


def _read_wide(path: Path, keys: list[str], chunksize: int) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Read a wide sales CSV in chunks into (key frame, float32 values [m, days], day columns)."""
    header = read_header(path)
    absent = [k for k in keys if k not in header]
    if absent:
        raise DataError(f"{path}: column(s) {absent} missing")
    days = _day_columns(header, path)
    m = count_data_lines(path)
    values = np.empty((m, len(days)), dtype=np.float32)
    key_parts = []
    dtype: dict[str, Any] = {k: "string" for k in keys}
    dtype.update(dict.fromkeys(days, "float32"))
    row = 0
    for chunk in pd.read_csv(path, usecols=keys + days, dtype=dtype, chunksize=chunksize):
        block = chunk[days].to_numpy(dtype=np.float32)
        bad = np.isnan(block) | (block < 0)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DataError(f"{path}: column '{days[j]}', row {row + i + 1}: missing or negative sales")
        values[row : row + len(chunk)] = block
        key_parts.append(chunk[keys].reset_index(drop=True))
        row += len(chunk)
    if row != m:
        values = values[:row]
    return pd.concat(key_parts, ignore_index=True), values, days


def _item_store(raw_dir: Path, options: dict[str, Any], chunksize: int) -> tuple[np.ndarray, list[str], list[str], str]:
    sales_file = options.get("sales_file", "sales_train_evaluation.csv")
    path = find_raw(raw_dir, sales_file)
    keys, values, days = _read_wide(path, ["item_id", "store_id"], chunksize)
    ids = (keys["item_id"] + "_" + keys["store_id"]).tolist()
    note = f"item x store series from {path.name} ({days[0]}..{days[-1]})"
    if int(days[-1][2:]) < 1941 and sales_file == "sales_train_validation.csv":
        tpath = find_raw(raw_dir, "sales_test_validation.csv")
        tkeys, tvals, tdays = _read_wide(tpath, ["item_id", "store_id"], chunksize)
        if int(tdays[0][2:]) != int(days[-1][2:]) + 1:
            raise DataError(f"{tpath}: starts at {tdays[0]}, expected d_{int(days[-1][2:]) + 1}")
        tids = (tkeys["item_id"] + "_" + tkeys["store_id"]).tolist()
        order = pd.Index(tids).get_indexer(ids)
        if (order < 0).any():
            raise DataError(f"{tpath}: series {ids[int(np.flatnonzero(order < 0)[0])]} missing")
        values = np.concatenate([values, tvals[order]], axis=1)
        days = days + tdays
        note += f" + {tpath.name} ({tdays[0]}..{tdays[-1]})"
    return values, ids, days, note


def _store_dept(raw_dir: Path, options: dict[str, Any], chunksize: int) -> tuple[np.ndarray, list[str], list[str], str]:
    path = find_raw(raw_dir, "sales_store_dept_d1_d1913.csv")
    keys, values, days = _read_wide(path, ["dept_id", "store_id"], chunksize)
    ids = (keys["dept_id"] + "_" + keys["store_id"]).tolist()
    tpath = find_raw(raw_dir, "sales_test_validation.csv")
    tkeys, tvals, tdays = _read_wide(tpath, ["dept_id", "store_id"], chunksize)
    if int(tdays[0][2:]) != int(days[-1][2:]) + 1:
        raise DataError(f"{tpath}: starts at {tdays[0]}, expected d_{int(days[-1][2:]) + 1}")
    tid = pd.Index((tkeys["dept_id"] + "_" + tkeys["store_id"]).to_numpy())
    codes = pd.Index(ids).get_indexer(tid)
    if (codes < 0).any():
        raise DataError(f"{tpath}: (dept_id, store_id) {tid[int(np.flatnonzero(codes < 0)[0])]} not in {path.name}")
    summed = np.zeros((len(ids), len(tdays)), dtype=np.float64)
    np.add.at(summed, codes, tvals.astype(np.float64))
    values = np.concatenate([values, summed.astype(np.float32)], axis=1)
    note = f"store x dept series: {path.name} ({days[0]}..{days[-1]}) + {tpath.name} summed by (dept_id, store_id)"
    return values, ids, days + tdays, note


def load(raw_dir: Path, options: dict[str, Any], name: str = "m5") -> Panel:
    """Build the M5 panel at ``options['level']`` (``item_store`` default, or ``store_dept``)."""
    options = dict(options or {})
    raw_dir = Path(raw_dir)
    level = options.get("level", "item_store")
    chunksize = int(options.get("chunksize", 2_000))
    if level == "item_store":
        values, ids, days, note = _item_store(raw_dir, options, chunksize)
    elif level == "store_dept":
        values, ids, days, note = _store_dept(raw_dir, options, chunksize)
    else:
        raise DataError(f"dataset '{name}': option level={level!r} must be one of {LEVELS}")
    dates = calendar_dates(raw_dir, days)
    splits, notes = resolve_splits(SPLITS, options, dates, name, clip_test_end=True)
    notes = [note, "train_end 2015-12-31 (Table 3 prints 20160101, which overlaps test_start)"] + notes
    meta = {"level": level, "notes": notes, "test_end_clipped": any("clipped" in n for n in notes)}
    return Panel(values=values, ids=ids, dates=dates, splits=splits, name=name, meta=meta)

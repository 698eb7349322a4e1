"""Custom long-table loader: good input (CSV, parquet, gaps) and one test per bad input (message, no output)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixseq.data.panel import read_panel
from mixseq.data.rawio import DataError
from mixseq.data.sources import preprocess

GOOD = "id,date,value\na,2021-01-01,1\na,2021-01-02,2\na,2021-01-04,4\nb,2021-01-02,5\nb,2021-01-03,6\n"
OPTS = {"file": "data.csv", "train_end": "2021-01-03", "val_start": "2021-01-02", "missing": "zero"}


def test_good_csv_fills_gaps_and_writes(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text(GOOD)
    out = tmp_path / "out" / "panel.parquet"
    p = preprocess("custom", tmp_path, OPTS, "shop", out)
    assert p.ids == ["a", "b"] and p.values.tolist() == [[1, 2, 0, 4], [0, 5, 6, 0]]
    assert p.meta["n_missing_inside"] == 1 and p.meta["n_missing_outside"] == 2
    assert p.freq == "D" and p.meta["freq_inferred"] and p.meta["has_negative"] is False
    assert p.splits == {"train_start": "2021-01-01", "train_end": "2021-01-03", "val_start": "2021-01-02",
                        "test_start": "2021-01-04", "test_end": "2021-01-04"}
    back = read_panel(out)
    np.testing.assert_array_equal(back.values, p.values)


def test_parquet_and_renamed_columns(tmp_path: Path) -> None:
    df = pd.DataFrame({"sku": ["x", "x", "y"], "day": pd.to_datetime(["2021-01-01", "2021-01-02", "2021-01-01"]),
                       "qty": [1.5, 2.0, 3.0]})
    df.to_parquet(tmp_path / "d.parquet")
    p = preprocess("custom", tmp_path, {"file": "d.parquet", "id_col": "sku", "date_col": "day", "value_col": "qty",
                                        "test_start": "2021-01-02", "val_start": "2021-01-01", "freq": "D",
                                        "on_degenerate": "warn"}, "c",
                   tmp_path / "o.parquet")
    assert p.values.tolist() == [[1.5, 2.0], [3.0, 0.0]] and p.splits["train_end"] == "2021-01-01"
    assert p.meta["n_single_row"] == 1 and any("1 series with a single observation" in n for n in p.meta["notes"])


BAD = {
    "missing_column": ("id,day,value\na,2021-01-01,1\n", {}, ["column 'date' missing"]),
    "bad_date": ("id,date,value\na,2021-01-01,1\na,2021-13-45,2\n", {}, ["column 'date'", "row 2", "2021-13-45"]),
    "duplicate": ("id,date,value\na,2021-01-01,1\nb,2021-01-01,1\na,2021-01-01,3\n", {},
                  ["row 3", "duplicate (id, date)", "first seen in row 1"]),
    "nan": ("id,date,value\na,2021-01-01,1\na,2021-01-02,NaN\n", {}, ["column 'value'", "row 2", "missing value"]),
    "blank_value": ("id,date,value\na,2021-01-01,\n", {}, ["column 'value'", "row 1", "missing value"]),
    "negative": ("id,date,value\na,2021-01-01,1\na,2021-01-02,1\na,2021-01-03,-2\n", {},
                 ["column 'value'", "row 3", "negative"]),
    "non_numeric": ("id,date,value\na,2021-01-01,12kg\n", {}, ["column 'value'", "row 1", "non-numeric", "12kg"]),
    "empty_file": ("", {}, ["file is empty"]),
    "header_only": ("id,date,value\n", {}, ["empty", "no data rows"]),
    "missing_id": ("id,date,value\na,2021-01-01,1\n,2021-01-02,1\n", {}, ["column 'id'", "row 2"]),
    "too_few_series": ("id,date,value\na,2021-01-01,1\nb,2021-01-01,1\na,2021-01-02,1\nb,2021-01-02,2\n",
                       {"min_series": 3}, ["column 'id'", "2 distinct series", "min_series=3"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input(tmp_path: Path, case: str) -> None:
    text, extra, fragments = BAD[case]
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "data.csv").write_text(text)
    out_dir = tmp_path / "results"
    with pytest.raises(DataError) as ei:
        preprocess("custom", raw, {**OPTS, "train_end": "2021-01-01", "val_start": "2021-01-01", "missing": "error",
                                   **extra}, "c",
                   out_dir / "panel.parquet")
    msg = str(ei.value)
    assert str(raw / "data.csv") in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_bad_parquet_nan_and_missing_split(tmp_path: Path) -> None:
    pd.DataFrame({"id": ["a", "a"], "date": ["2021-01-01", "2021-01-02"], "value": [1.0, np.nan]}).to_parquet(
        tmp_path / "d.parquet")
    with pytest.raises(DataError, match=r"column 'value', row 2: missing value"):
        preprocess("custom", tmp_path, {"file": "d.parquet", "train_end": "2021-01-01"}, "c", tmp_path / "o.parquet")
    assert not (tmp_path / "o.parquet").exists()
    (tmp_path / "data.csv").write_text(GOOD)
    with pytest.raises(DataError, match="train_end"):
        preprocess("custom", tmp_path, {"missing": "zero"}, "c", tmp_path / "o.parquet")
    with pytest.raises(DataError, match="outside the data range"):
        preprocess("custom", tmp_path, {"train_end": "2022-01-01", "missing": "zero"}, "c", tmp_path / "o.parquet")
    assert not (tmp_path / "o.parquet").exists()


# ------------------------------------------------------------------ frequencies, gaps, negatives (generated data)
def write_long(path: Path, series: dict[str, list[tuple[object, object]]]) -> None:
    """Write a long (id, date, value) CSV from {id: [(date, value), ...]}."""
    rows = [(sid, str(d), v) for sid, obs in series.items() for d, v in obs]
    pd.DataFrame(rows, columns=["id", "date", "value"]).to_csv(path, index=False)


# alias, periods, expected inferred alias, validation periods by the documented rule (None: two months)
FREQS = {
    "hourly": ("h", 60, "h", None),
    "daily": ("D", 120, "D", None),
    "weekly": ("W-FRI", 40, "W-FRI", 13),
    "monthly": ("MS", 40, "MS", 12),
    "quarterly": ("QE", 24, "QE-DEC", 8),
}


@pytest.mark.parametrize("case", sorted(FREQS))
def test_frequencies_gaps_ragged_negative(tmp_path: Path, case: str) -> None:
    alias, t, expected, n_val = FREQS[case]
    start = "2021-01-01" if alias != "W-FRI" else "2021-01-01"  # 2021-01-01 is a Friday
    dates = pd.date_range(start, periods=t, freq=alias)
    rng = np.random.default_rng(1)
    full = rng.integers(1, 100, size=(3, t)).astype(float)
    full[0, 7] = -4.0  # a return
    obs = {
        "a": [(d, full[0, j]) for j, d in enumerate(dates) if j != 5],  # one absent row inside the span
        "b": [(d, full[1, j]) for j, d in enumerate(dates) if j >= 3],  # starts three periods late
        "c": [(d, full[2, j]) for j, d in enumerate(dates) if j < t - 4],  # ends four periods early
    }
    write_long(tmp_path / "data.csv", obs)
    train_end = dates[t - 10]
    fmt = "%Y-%m-%dT%H:%M:%S" if alias == "h" else "%Y-%m-%d"
    out = tmp_path / "panel.parquet"
    p = preprocess("custom", tmp_path, {"train_end": train_end.strftime(fmt), "missing": "zero",
                                        "negative": "allow"}, case, out)
    assert p.freq == expected and p.meta["freq_inferred"] is True
    assert list(p.dates) == list(dates) and p.dates.freqstr == expected
    assert p.meta["n_missing_inside"] == 1 and p.meta["n_missing_outside"] == 3 + 4
    expect = full.copy()
    expect[0, 5] = 0.0
    expect[1, :3] = 0.0
    expect[2, t - 4 :] = 0.0
    np.testing.assert_array_equal(p.values, expect.astype(np.float32))
    assert p.meta["has_negative"] is True and p.meta["n_negative"] == 1
    assert p.splits["train_end"] == train_end.strftime(fmt)
    assert p.splits["test_start"] == dates[t - 9].strftime(fmt)
    if n_val is None:  # hourly/daily: two calendar months, never before the first date
        want = max(dates[0], train_end - pd.DateOffset(months=2) + dates.freq)
    else:
        want = dates[t - 10 - (n_val - 1)]
    assert p.splits["val_start"] == want.strftime(fmt)
    back = read_panel(out)
    assert back.freq == expected and list(back.dates) == list(dates) and back.splits == p.splits
    np.testing.assert_array_equal(back.values, p.values)
    import pyarrow.parquet as pq

    cols = pq.ParquetFile(out).schema_arrow.names
    assert cols[1] == dates[0].strftime(fmt)


def _gappy(tmp_path: Path, explicit_nan: bool = True) -> None:
    d = pd.date_range("2021-01-01", periods=5, freq="D")
    a = [(d[0], 1), (d[1], 2), (d[4], 5)] + ([(d[2], "NA")] if explicit_nan else [])
    write_long(tmp_path / "data.csv", {"a": a, "b": [(x, 10 * (i + 1)) for i, x in enumerate(d)],
                                       "c": [(x, 3) for x in d[1:]]})


MISSING = {
    "zero": ([1, 2, 0, 0, 5], ["a", "b", "c"]),
    "interpolate": ([1, 2, 3, 4, 5], ["a", "b", "c"]),
    "drop_series": (None, ["b", "c"]),
}


@pytest.mark.parametrize("mode", sorted(MISSING))
def test_missing_modes(tmp_path: Path, mode: str) -> None:
    _gappy(tmp_path)  # 'a': 2021-01-03 is NA, 2021-01-04 absent; 'c' starts a day late (stays 0)
    row_a, ids = MISSING[mode]
    p = preprocess("custom", tmp_path, {"train_end": "2021-01-04", "missing": mode}, "g", tmp_path / "o.parquet")
    assert p.ids == ids and p.meta["n_missing_inside"] == 2 and p.meta["n_nan_values"] == 1
    assert p.values[ids.index("c")].tolist() == [0, 3, 3, 3, 3] and p.meta["n_missing_outside"] == 1
    if row_a is not None:
        assert p.values[0].tolist() == row_a
    else:
        assert p.meta["n_dropped_gaps"] == 1 and any("'a'" in n for n in p.meta["notes"])


def test_missing_error_names_series_and_date(tmp_path: Path) -> None:
    _gappy(tmp_path, explicit_nan=False)
    with pytest.raises(DataError, match=r"series 'a' .*first row 1\) has no row for 2021-01-03 .*options.missing"):
        preprocess("custom", tmp_path, {"train_end": "2021-01-04"}, "g", tmp_path / "o.parquet")
    _gappy(tmp_path)
    with pytest.raises(DataError, match=r"column 'value', row 4: missing value"):
        preprocess("custom", tmp_path, {"train_end": "2021-01-04"}, "g", tmp_path / "o.parquet")
    assert not (tmp_path / "o.parquet").exists()


@pytest.mark.parametrize("mode", ["error", "allow", "clip"])
def test_negative_modes(tmp_path: Path, mode: str) -> None:
    d = pd.date_range("2021-01-01", periods=4)
    write_long(tmp_path / "data.csv", {"a": [(x, v) for x, v in zip(d, [1, -3, 2, 4], strict=True)],
                                       "b": [(x, 1) for x in d]})
    opts = {"train_end": "2021-01-03", "negative": mode}
    if mode == "error":
        with pytest.raises(DataError, match=r"column 'value', row 2: negative value -3.*options.negative"):
            preprocess("custom", tmp_path, opts, "n", tmp_path / "o.parquet")
        return
    p = preprocess("custom", tmp_path, opts, "n", tmp_path / "o.parquet")
    assert p.values[0].tolist() == ([1, -3, 2, 4] if mode == "allow" else [1, 0, 2, 4])
    assert p.meta["has_negative"] is (mode == "allow") and p.meta["n_negative"] == 1
    assert p.meta["n_clipped"] == (1 if mode == "clip" else 0)


def _days(n: int, start: str = "2021-01-01", freq: str = "D", value: float = 1.0) -> list[tuple[object, object]]:
    return [(x, value + i) for i, x in enumerate(pd.date_range(start, periods=n, freq=freq))]


BAD_GEN = {
    "irregular": ({"a": [("2021-01-01", 1), ("2021-01-02", 1), ("2021-01-03", 1), ("2021-01-04 06:00", 1),
                         ("2021-01-05", 1)]}, {},
                  ["not regularly spaced", "row 3 (2021-01-03T00:00:00)", "row 4 (2021-01-04T06:00:00)"]),
    "unknown_alias": ({"a": _days(5)}, {"freq": "fortnightly"}, ["options.freq = 'fortnightly'", "pandas"]),
    "removed_alias": ({"a": _days(5)}, {"freq": "M"}, ["options.freq = 'M'", "ME"]),
    "off_grid": ({"a": _days(5)}, {"freq": "W-FRI"}, ["row 2 (2021-01-02)", "not on the grid", "'W-FRI'"]),
    "mixed_weekdays": ({"a": _days(6, "2021-01-01", "W-FRI"), "b": _days(6, "2021-01-04", "W-MON")}, {},
                       ["mixed frequencies", "'a' (first row 1) is 'W-FRI'", "'b' (first row 7) is 'W-MON'"]),
    "daily_and_monthly": ({"a": _days(90), "b": _days(3, "2021-01-01", "MS")}, {"missing": "zero"},
                          ["mixed frequencies", "series 'b' (first row 91)", "'MS'", "'D'"]),
    "weekly_read_daily": ({"a": _days(20, "2021-01-01", "W-FRI"), "b": _days(20, "2021-01-01", "W-FRI")},
                          {"freq": "D", "missing": "zero"}, ["would be filled", "more than half", "options.freq"]),
    "mixed_tz": ({"a": [("2021-01-01T00:00:00+01:00", 1), ("2021-01-02T00:00:00+01:00", 1),
                        ("2021-01-03T00:00:00+02:00", 1)]}, {"freq": "D"}, ["row 3", "mixed time zones"]),
    "float32_overflow": ({"a": [("2021-01-01", 1), ("2021-01-02", "1e39"), ("2021-01-03", 1)]}, {},
                         ["column 'value', row 2", "float32"]),
    "yaml_int_train_end": ({"a": _days(5)}, {"train_end": 20210103}, ["options.train_end", "date string", "20210103"]),
    "single_row": ({"a": _days(5), "b": [("2021-01-02", 4)]}, {"train_end": "2021-01-03"},
                   ["1 series with a single observation", "'b'", "on_degenerate"]),
    "all_zero": ({"a": _days(5), "z": _days(5, value=0.0)[:1] + [(x, 0) for x, _ in _days(5)[1:]]}, {},
                 ["1 series with only zeros", "'z'", "on_degenerate"]),
    "split_off_grid": ({"a": _days(10, "2021-01-01", "W-FRI")}, {"train_end": "2021-02-03"},
                       ["split 'train_end' = 2021-02-03", "'W-FRI' grid", "2021-01-29 or 2021-02-05"]),
    "too_few_dates": ({"a": _days(2)}, {"train_end": "2021-01-01"}, ["2 distinct date(s)", "options.freq"]),
}


@pytest.mark.parametrize("case", sorted(BAD_GEN))
def test_bad_generated_input(tmp_path: Path, case: str) -> None:
    series, extra, fragments = BAD_GEN[case]
    write_long(tmp_path / "data.csv", series)
    out = tmp_path / "out" / "panel.parquet"
    with pytest.raises(DataError) as ei:
        preprocess("custom", tmp_path, {"train_end": "2021-01-02", **extra}, "bad", out)
    for frag in fragments:
        assert frag in str(ei.value), (frag, str(ei.value))
    assert not out.parent.exists()


def test_degenerate_warn_and_drop(tmp_path: Path) -> None:
    write_long(tmp_path / "data.csv", {"a": _days(5), "b": [("2021-01-02", 4)], "z": [(x, 0) for x, _ in _days(5)]})
    opts = {"train_end": "2021-01-03", "missing": "zero"}
    p = preprocess("custom", tmp_path, {**opts, "on_degenerate": "warn"}, "d", tmp_path / "o.parquet")
    assert p.ids == ["a", "b", "z"] and p.meta["n_single_row"] == 1 and p.meta["n_all_zero"] == 1
    assert any(n.startswith("WARNING: 1 series with a single observation and 1 series with only zeros")
               for n in p.meta["notes"])
    p = preprocess("custom", tmp_path, {**opts, "on_degenerate": "drop"}, "d", tmp_path / "o.parquet")
    assert p.ids == ["a"] and p.meta["n_dropped_degenerate"] == 2


def test_time_zones_read_as_local_wall_clock(tmp_path: Path) -> None:
    write_long(tmp_path / "data.csv", {"a": [(f"2021-01-0{i}T00:00:00+01:00", i) for i in range(1, 6)]})
    p = preprocess("custom", tmp_path, {"train_end": "2021-01-03"}, "tz", tmp_path / "o.parquet")
    assert str(p.dates[0]) == "2021-01-01 00:00:00" and p.values[0].tolist() == [1, 2, 3, 4, 5]
    aware = pd.date_range("2021-01-01", periods=5, freq="D", tz="Europe/Berlin")
    pd.DataFrame({"id": "a", "date": aware, "value": np.arange(5.0)}).to_parquet(tmp_path / "d.parquet")
    p = preprocess("custom", tmp_path, {"file": "d.parquet", "train_end": "2021-01-03"}, "tz", tmp_path / "o.parquet")
    assert str(p.dates[0]) == "2021-01-01 00:00:00" and p.values[0].tolist() == [0, 1, 2, 3, 4]


def test_na_like_ids_round_trip(tmp_path: Path) -> None:
    ids = ["NA", "null", "None", "nan", "n/a"]
    write_long(tmp_path / "data.csv", {i: _days(5, value=k + 1) for k, i in enumerate(ids)})
    out = tmp_path / "o.parquet"
    p = preprocess("custom", tmp_path, {"train_end": "2021-01-03"}, "ids", out)
    assert p.ids == ids and read_panel(out).ids == ids
    tsv = tmp_path / "assignments.tsv"
    pd.DataFrame({"id": p.ids, "cluster": range(5)}).to_csv(tsv, sep="\t", index=False)
    # how workflow/scripts/forecast.py reads them back
    assert pd.read_csv(tsv, sep="\t", dtype={"id": str}, keep_default_na=False)["id"].tolist() == ids


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz", ".zip"])
def test_compressed_csv(tmp_path: Path, suffix: str) -> None:
    df = pd.DataFrame([("a", str(d), v) for d, v in _days(5)], columns=["id", "date", "value"])
    df.to_csv(tmp_path / f"data.csv{suffix}", index=False)  # pandas compresses by the suffix
    p = preprocess("custom", tmp_path, {"file": f"data.csv{suffix}", "train_end": "2021-01-03"}, "z",
                   tmp_path / "o.parquet")
    assert p.values[0].tolist() == [1, 2, 3, 4, 5]
    if suffix == ".gz":  # the download rule stores decompressed bytes under the configured name
        df.to_csv(tmp_path / "plain.csv.gz", index=False, compression=None)
        p = preprocess("custom", tmp_path, {"file": "plain.csv.gz", "train_end": "2021-01-03"}, "z",
                       tmp_path / "o.parquet")
        assert p.values[0].tolist() == [1, 2, 3, 4, 5]


def test_business_days_with_a_holiday_inferred(tmp_path: Path) -> None:
    d = pd.bdate_range("2021-01-04", periods=30)
    keep = [x for x in d if x != pd.Timestamp("2021-01-18")]  # a holiday: no series has a row
    write_long(tmp_path / "data.csv", {"a": [(x, 1.0) for x in keep], "b": [(x, 2.0) for x in keep]})
    p = preprocess("custom", tmp_path, {"train_end": "2021-02-01", "missing": "zero"}, "b", tmp_path / "o.parquet")
    assert p.freq == "B" and p.n_days == 30 and p.meta["n_missing_inside"] == 2

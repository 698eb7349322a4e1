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

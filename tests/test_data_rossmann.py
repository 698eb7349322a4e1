"""Rossmann loader on the full mirror file: 1,115 stores x 942 days, the 180 short stores, options."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from mixseq.data import rossmann
from mixseq.data.rawio import DataError

MIRROR = Path(os.environ.get("MIXSEQ_MIRROR", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
RAW = MIRROR / "rossmann"
pytestmark = pytest.mark.skipif(not (RAW / "train.csv.gz").is_file(), reason=f"Rossmann mirror not at {RAW}")


@pytest.fixture(scope="module")
def full():
    return rossmann.load(RAW, {}, "rossmann")


def test_full_panel_matches_table3(full) -> None:
    assert full.values.shape == (1115, 942)
    assert full.values.dtype == np.float32
    assert str(full.dates[0].date()) == "2013-01-01" and str(full.dates[-1].date()) == "2015-07-31"
    assert full.splits == {"train_start": "2013-01-01", "train_end": "2014-12-31", "val_start": "2014-11-01",
                           "test_start": "2015-01-01", "test_end": "2015-07-31"}
    assert full.test_end_idx - full.test_start_idx == 212
    assert full.macro().sum() == pytest.approx(5_873_180_623)  # README: total Sales
    assert not np.isnan(full.values).any()


def test_short_stores_are_zero_filled(full) -> None:
    short = full.meta["short_stores"]
    assert len(short) == 180 and full.meta["n_long_gap_days"] == 180 * 184
    a, b = full.index_of("2014-07-01"), full.index_of("2014-12-31") + 1
    rows = [full.ids.index(str(s)) for s in short]
    assert (full.values[rows, a:b] == 0).all()
    assert (full.values[rows, b:].sum(axis=1) > 0).all()
    assert full.values[full.ids.index("988"), 0] == 0 and full.meta["n_filled_short_gaps"] == 1


def test_subset_file_options_drop_and_interpolate() -> None:
    sub = {"train_file": "train_subset_100stores.csv"}
    p = rossmann.load(RAW, sub, "r")
    assert p.values.shape == (100, 942) and len(p.meta["short_stores"]) == 17
    d = rossmann.load(RAW, {**sub, "missing_stores": "drop"}, "r")
    assert d.n_series == 83 and not set(d.ids) & {str(s) for s in p.meta["short_stores"]}
    assert rossmann.load(RAW, {**sub, "missing_stores": "interpolate", "stores": 20}, "r").n_series == 20
    # one short store and one complete store, chosen from the subset's own metadata
    short = p.meta["short_stores"][0]
    full_store = next(int(s) for s in p.ids if int(s) not in p.meta["short_stores"])
    i = rossmann.load(RAW, {**sub, "missing_stores": "interpolate", "stores": [short, full_store]}, "r")
    assert i.meta["short_stores"] == [short]
    a, b = i.index_of("2014-07-01"), i.index_of("2014-12-31") + 1
    zero = p.values[p.ids.index(str(short))]  # the same store with its gap filled with 0
    row = i.values[i.ids.index(str(short))]
    line = np.interp(np.arange(a, b), [a - 1, b], [zero[a - 1], zero[b]])
    np.testing.assert_allclose(row[a:b], line, rtol=1e-6)  # linear between the days around the gap
    assert (row[a:b] > 0).all()
    np.testing.assert_array_equal(np.delete(row, np.s_[a:b]), np.delete(zero, np.s_[a:b]))
    np.testing.assert_array_equal(i.values[i.ids.index(str(full_store))], p.values[p.ids.index(str(full_store))])
    sel = rossmann.load(RAW, {**sub, "stores": [11, 32]}, "r")
    assert sel.ids == ["11", "32"]
    with pytest.raises(DataError, match="unknown store"):
        rossmann.load(RAW, {**sub, "stores": [99999]}, "r")
    with pytest.raises(DataError, match="missing_stores"):
        rossmann.load(RAW, {**sub, "missing_stores": "magic"}, "r")

"""M5 loader: store_dept from the mirror, item_store on tiny files in the exact Kaggle format."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from mixseq.data import m5
from mixseq.data.rawio import DataError

MIRROR = Path(os.environ.get("MIXSEQ_MIRROR", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
RAW = MIRROR / "m5"
pytestmark = pytest.mark.skipif(not (RAW / "calendar.csv.gz").is_file(), reason=f"M5 mirror not at {RAW}")


def test_store_dept_panel() -> None:
    p = m5.load(RAW, {"level": "store_dept"}, "m5")
    assert p.values.shape == (70, 1941)
    macro = p.macro()
    assert macro[:3].tolist() == [32_631, 31_749, 23_783]
    assert macro[1913:1916].tolist() == [38_793, 35_487, 34_445]
    assert macro[:1913].sum() == 65_695_409
    assert str(p.dates[0].date()) == "2011-01-29" and str(p.dates[-1].date()) == "2016-05-22"
    assert p.splits["test_end"] == "2016-05-22" and p.splits["train_end"] == "2015-12-31"
    assert p.meta["test_end_clipped"] and any("clipped" in n for n in p.meta["notes"])
    assert p.ids[0] == "FOODS_1_CA_1"


def _write_items(path: Path, n_days: int, first_day: int = 1, with_id: bool = True, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    items = [("HOBBIES_1_001", "HOBBIES_1", "HOBBIES"), ("FOODS_3_827", "FOODS_3", "FOODS")]
    stores = [("CA_1", "CA"), ("WI_3", "WI")]
    vals = rng.poisson(2.0, size=(4, n_days))
    days = [f"d_{k}" for k in range(first_day, first_day + n_days)]
    lines = [",".join((["id"] if with_id else []) + ["item_id", "dept_id", "cat_id", "store_id", "state_id"] + days)]
    r = 0
    for it, dept, cat in items:
        for st, state in stores:
            key = ([f"{it}_{st}_evaluation"] if with_id else []) + [it, dept, cat, st, state]
            lines.append(",".join(key + [str(v) for v in vals[r]]))
            r += 1
    path.write_text("\n".join(lines) + "\n")
    return vals


def test_item_store_kaggle_format(tmp_path: Path) -> None:
    shutil.copy(RAW / "calendar.csv.gz", tmp_path / "calendar.csv.gz")
    vals = _write_items(tmp_path / "sales_train_evaluation.csv", 1941)
    p = m5.load(tmp_path, {"chunksize": 3}, "m5")
    assert p.values.shape == (4, 1941)
    assert p.ids == ["HOBBIES_1_001_CA_1", "HOBBIES_1_001_WI_3", "FOODS_3_827_CA_1", "FOODS_3_827_WI_3"]
    np.testing.assert_array_equal(p.values, vals.astype(np.float32))
    assert p.splits["test_end"] == "2016-05-22"
    assert m5.raw_files({}) == ["sales_train_evaluation.csv", "calendar.csv"]


def test_item_store_validation_file_plus_test_validation(tmp_path: Path) -> None:
    shutil.copy(RAW / "calendar.csv.gz", tmp_path / "calendar.csv.gz")
    a = _write_items(tmp_path / "sales_train_validation.csv", 1913)
    b = _write_items(tmp_path / "sales_test_validation.csv", 28, first_day=1914, with_id=False, seed=1)
    opts = {"sales_file": "sales_train_validation.csv"}
    assert "sales_test_validation.csv" in m5.raw_files(opts)
    p = m5.load(tmp_path, opts, "m5")
    np.testing.assert_array_equal(p.values, np.concatenate([a, b], axis=1).astype(np.float32))


def test_bad_inputs(tmp_path: Path) -> None:
    shutil.copy(RAW / "calendar.csv.gz", tmp_path / "calendar.csv.gz")
    _write_items(tmp_path / "sales_train_evaluation.csv", 1941)
    with pytest.raises(DataError, match="level"):
        m5.load(tmp_path, {"level": "state"}, "m5")
    text = (tmp_path / "sales_train_evaluation.csv").read_text().splitlines()
    text[2] = text[2].rsplit(",", 1)[0] + ",-3"
    (tmp_path / "sales_train_evaluation.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match=r"d_1941', row 2"):
        m5.load(tmp_path, {}, "m5")

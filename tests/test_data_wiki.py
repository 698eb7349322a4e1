"""Wiki loader: Kaggle train_1.csv wide format, Radflow-style -1 markers, macro check against the mirror."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixseq.data import wiki
from mixseq.data.rawio import DataError

MIRROR = Path(os.environ.get("MIXSEQ_MIRROR", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
RAW = MIRROR / "wiki"
needs_mirror = pytest.mark.skipif(not (RAW / "wiki.csv.gz").is_file(), reason=f"Wiki mirror not at {RAW}")
KAGGLE_SPLITS = {"train_end": "2015-07-05", "val_start": "2015-07-04", "test_start": "2015-07-06",
                 "test_end": "2015-07-07"}


def test_kaggle_train_1_format(tmp_path: Path) -> None:
    text = (
        '"Page","2015-07-01","2015-07-02","2015-07-03","2015-07-04","2015-07-05","2015-07-06","2015-07-07"\n'
        '"2NE1_zh.wikipedia.org_all-access_spider",18,11,5,13,14,9,9\n'
        '"Hello, ""World""_en.wikipedia.org_desktop_all-agents",,,,3,4,5,6\n'
        '"Z_de.wikipedia.org_mobile-web_all-agents",1,2,,4,5,6,\n'
    )
    (tmp_path / "train_1.csv").write_text(text)
    p = wiki.load(tmp_path, {"file": "train_1.csv", **KAGGLE_SPLITS}, "wiki")
    assert p.ids[1] == 'Hello, "World"_en.wikipedia.org_desktop_all-agents'
    assert p.values.shape == (3, 7) and p.values.dtype == np.float32
    assert p.values[1].tolist() == [0, 0, 0, 3, 4, 5, 6]
    assert p.meta["n_missing_filled"] == 5 and p.meta["n_minus_one"] == 0 and p.meta["n_incomplete_series"] == 2
    d = wiki.load(tmp_path, {"file": "train_1.csv", "drop_incomplete": True, **KAGGLE_SPLITS}, "wiki")
    assert d.ids == ["2NE1_zh.wikipedia.org_all-access_spider"]
    with pytest.raises(DataError, match="outside the data range"):
        wiki.load(tmp_path, {"file": "train_1.csv"}, "wiki")  # Table 3 dates do not fit train_1.csv


@needs_mirror
def test_mirror_sample_9_pages() -> None:
    p = wiki.load(RAW, {"file": "train_1_sample_9pages.csv", "train_end": "2016-10-31", "test_start": "2016-11-01",
                        "val_start": "2016-09-01", "test_end": "2016-12-31"}, "wiki")
    assert p.values.shape == (9, 550) and p.meta["n_missing_filled"] == 291 + 365


@needs_mirror
def test_radflow_like_wide_csv_matches_mirror_macro(tmp_path: Path) -> None:
    """1827-day pages with -1 markers whose sum (after -1 -> 0) equals the mirror's wiki.csv macro exactly."""
    ref = pd.read_csv(RAW / "wiki.csv.gz")
    total = ref["value"].to_numpy(dtype=np.int64)
    k = 16  # split the total so each page stays exactly representable in float32 (< 2**24)
    pages = np.tile(total // k, (k, 1))
    pages[0] += total - pages.sum(axis=0)
    marks = np.full((2, len(total)), -1, dtype=np.int64)
    marks[1, 100:] = 0
    allp = np.concatenate([pages, marks])
    header = "Page," + ",".join(ref["date"])
    rows = [f"page_{i}," + ",".join(map(str, r)) for i, r in enumerate(allp)]
    with gzip.open(tmp_path / "views.csv.gz", "wt") as fh:
        fh.write(header + "\n" + "\n".join(rows) + "\n")
    p = wiki.load(tmp_path, {"file": "views.csv"}, "wiki")
    assert p.values.shape == (18, 1827) and p.splits["test_end"] == "2020-06-30"
    assert p.meta["n_minus_one"] == 1827 + 100
    res = wiki.check_macro(p, RAW / "wiki.csv.gz", raise_on_mismatch=True)
    assert res["ok"] and res["n_days"] == 1827 and res["max_rel_diff"] == 0.0
    p.values[3, 10] += 1000
    with pytest.raises(DataError, match="2015-07-11"):
        wiki.check_macro(p, RAW / "wiki.csv.gz", rtol=1e-6, raise_on_mismatch=True)


def test_bad_wide_csv(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("Page,2015-07-01,notadate\nx,1,2\n")
    with pytest.raises(DataError, match="notadate"):
        wiki.load(tmp_path, {"file": "a.csv"}, "wiki")
    (tmp_path / "b.csv").write_text("Page,2015-07-01,2015-07-02\nx,1,-5\n")
    with pytest.raises(DataError, match=r"2015-07-02', row 1"):
        wiki.load(tmp_path, {"file": "b.csv"}, "wiki")

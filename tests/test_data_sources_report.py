"""sources registry (kinds, raw files, build) and report.table3 / plot_macro."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixseq.data import sources
from mixseq.data.panel import Panel
from mixseq.report.table3 import plot_macro, table3


def test_registry_and_raw_files() -> None:
    assert set(sources.LOADERS) >= {"rossmann", "m5", "wiki", "custom"}
    for kind in ("rossmann", "m5", "wiki", "custom"):
        assert callable(sources.loader(kind))
    assert sources.raw_files("rossmann", {}) == ["train.csv", "store.csv"]
    assert sources.raw_files("m5", {"level": "store_dept"}) == [
        "sales_store_dept_d1_d1913.csv", "sales_test_validation.csv", "calendar.csv"]
    assert sources.raw_files("wiki", {"file": "train_1.csv"}) == ["train_1.csv"]
    assert sources.raw_files("custom", {"file": "x.parquet"}) == ["x.parquet"]
    with pytest.raises(KeyError, match="unknown dataset kind 'nope'"):
        sources.raw_files("nope", {})


def _panel(name: str, m: int, start: str, n: int, splits: dict[str, str], notes: list[str]) -> Panel:
    dates = pd.date_range(start, periods=n, freq="D")
    vals = np.abs(np.random.default_rng(0).normal(size=(m, n))).astype(np.float32)
    return Panel(values=vals, ids=[f"s{i}" for i in range(m)], dates=dates, splits=splits, name=name,
                 meta={"notes": notes})


def test_table3_and_plot(tmp_path: Path) -> None:
    splits = {"train_start": "2013-01-01", "train_end": "2014-12-31", "val_start": "2014-11-01",
              "test_start": "2015-01-01", "test_end": "2015-07-31"}
    p = _panel("rossmann", 3, "2013-01-01", 942, splits, ["a", "b"])
    df = table3({"Rossmann": p})
    assert df.iloc[0].to_dict() == {"dataset": "Rossmann", "n_series": 3, "length": 942,
                                    "train_interval": "20130101-20141231", "test_interval": "20150101-20150731",
                                    "notes": "a; b"}
    png = tmp_path / "fig" / "macro_rossmann.png"
    plot_macro(p, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [f.name for f in png.parent.iterdir()] == ["macro_rossmann.png"]

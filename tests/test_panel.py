"""Panel container and its parquet round trip."""

import numpy as np
import pandas as pd
import pytest

from mixseq.data.panel import Panel, iter_panel_batches, read_panel, read_panel_meta, write_panel

SPLITS = {"train_start": "2020-01-01", "train_end": "2020-01-20", "val_start": "2020-01-15",
          "test_start": "2020-01-21", "test_end": "2020-01-30"}


def make(m=7, t=30, labels=True):
    rng = np.random.default_rng(0)
    return Panel(values=rng.normal(size=(m, t)), ids=[f"s{i}" for i in range(m)],
                 dates=pd.date_range("2020-01-01", periods=t), splits=SPLITS, name="toy",
                 labels=np.arange(m) % 3 if labels else None, meta={"note": "x"})


def test_round_trip(tmp_path):
    p = make()
    write_panel(p, tmp_path / "p.parquet", row_group=3)
    q = read_panel(tmp_path / "p.parquet")
    np.testing.assert_array_equal(p.values, q.values)
    assert q.ids == p.ids and q.splits == p.splits and q.name == "toy" and q.meta == {"note": "x"}
    np.testing.assert_array_equal(q.labels, p.labels)
    assert list(q.dates) == list(p.dates)
    assert read_panel_meta(tmp_path / "p.parquet")["n_series"] == 7
    assert sum(len(ids) for ids, _ in iter_panel_batches(tmp_path / "p.parquet", batch_size=2)) == 7


def test_split_indices_and_aggregation():
    p = make(labels=False)
    assert (p.train_end_idx, p.val_start_idx, p.test_start_idx, p.test_end_idx) == (20, 14, 20, 30)
    agg = p.aggregate(np.array([0, 1, 0, 1, 2, 2, 0]), 3)
    np.testing.assert_allclose(agg.sum(axis=0), p.macro(), rtol=1e-6)
    np.testing.assert_allclose(agg[2], p.values[4] + p.values[5], rtol=1e-6)


def test_validation_errors():
    with pytest.raises(ValueError, match="not unique"):
        Panel(values=np.zeros((2, 30)), ids=["a", "a"], dates=pd.date_range("2020-01-01", periods=30),
              splits=SPLITS)
    with pytest.raises(ValueError, match="split keys missing"):
        Panel(values=np.zeros((2, 30)), ids=["a", "b"], dates=pd.date_range("2020-01-01", periods=30),
              splits={"train_start": "2020-01-01"})
    with pytest.raises(KeyError, match="outside"):
        make().index_of("2021-01-01")


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    import mixseq.data.panel as mod

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mod, "_table", boom)
    with pytest.raises(RuntimeError):
        write_panel(make(), tmp_path / "p.parquet")
    assert list(tmp_path.iterdir()) == []

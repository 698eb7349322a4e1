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


def test_freq_validated_and_kept(tmp_path):
    with pytest.raises(ValueError, match="freq"):
        Panel(values=np.zeros((1, 30)), ids=["a"], dates=pd.date_range("2020-01-01", periods=30), splits=SPLITS,
              freq="fortnightly")
    gappy = pd.date_range("2020-01-01", periods=31).delete(5)
    with pytest.raises(ValueError, match="not consecutive periods of freq 'D': position 5"):
        Panel(values=np.zeros((1, 30)), ids=["a"], dates=gappy, splits=SPLITS)
    dates = pd.date_range("2021-01-01", periods=10, freq="W")  # W = W-SUN: 2021-01-03 is the first Sunday
    p = Panel(values=np.ones((2, 10)), ids=["a", "b"], dates=dates, freq="W",
              splits={"train_start": "2021-01-03", "train_end": "2021-02-14", "val_start": "2021-01-31",
                      "test_start": "2021-02-21", "test_end": "2021-03-07"})
    assert p.freq == "W-SUN" and p.dates.freqstr == "W-SUN"
    write_panel(p, tmp_path / "w.parquet")
    q = read_panel(tmp_path / "w.parquet")
    assert q.freq == "W-SUN" and list(q.dates) == list(dates) and q.train_end_idx == 7


def test_hourly_round_trip_keeps_times(tmp_path):
    dates = pd.date_range("2021-01-01", periods=48, freq="h")
    splits = {"train_start": "2021-01-01", "train_end": "2021-01-01 23:00", "val_start": "2021-01-01 12:00",
              "test_start": "2021-01-02", "test_end": "2021-01-02 23:00"}
    p = Panel(values=np.arange(96.0).reshape(2, 48), ids=["a", "b"], dates=dates, splits=splits, freq="h")
    assert p.splits["train_end"] == "2021-01-01T23:00:00" and p.splits["test_start"] == "2021-01-02T00:00:00"
    write_panel(p, tmp_path / "h.parquet")
    meta = read_panel_meta(tmp_path / "h.parquet")
    assert meta["dates"].freqstr == "h" and list(meta["dates"]) == list(dates)
    q = read_panel(tmp_path / "h.parquet")
    assert q.splits == p.splits and q.train_end_idx == 24 and q.val_start_idx == 12
    np.testing.assert_array_equal(q.values, p.values)

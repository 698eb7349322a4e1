"""Control clusterings: ``random`` (seeded, given sizes) and ``natural`` (metadata groups)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixseq.cluster import make_clusterer
from mixseq.cluster.controls import ID_PATTERNS, equal_sizes
from mixseq.options import OptionError

MIRROR = Path("/work/shared/data/rossmann")


def _X(m: int, t: int = 20) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(m, t))


def test_random_equal_sizes_range_and_seed():
    X = _X(23)
    a = make_clusterer("random", 5, seed=3).fit(X).labels_
    assert a.shape == (23,) and a.dtype == np.int64
    assert set(a.tolist()) == set(range(5))
    assert np.bincount(a, minlength=5).tolist() == equal_sizes(23, 5) == [5, 5, 5, 4, 4]
    assert np.array_equal(a, make_clusterer("random", 5, seed=3).fit(X).labels_)
    b = make_clusterer("random", 5, seed=4).fit(X).labels_
    assert not np.array_equal(a, b) and np.bincount(b).tolist() == [5, 5, 5, 4, 4]


def test_random_explicit_sizes_and_errors():
    X = _X(10)
    lab = make_clusterer("random", 3, seed=0, sizes=[1, 6, 3]).fit(X).labels_
    assert np.bincount(lab, minlength=3).tolist() == [1, 6, 3]
    with pytest.raises(ValueError, match="sums to 9, but there are 10 series"):
        make_clusterer("random", 3, sizes=[1, 5, 3]).fit(X)
    with pytest.raises(ValueError, match="must list 3 non-negative"):
        make_clusterer("random", 3, sizes=[5, 5])
    with pytest.raises(OptionError, match="random.sizes"):
        make_clusterer("random", 3, sizes="unequal")
    with pytest.raises(OptionError, match="unknown option"):
        make_clusterer("random", 3, reference="mixseq")


def test_natural_from_id_pattern_m5_ids():
    ids = ["FOODS_1_CA_1", "FOODS_2_CA_1", "HOBBIES_1_TX_2", "FOODS_1_WI_3", "HOUSEHOLD_2_TX_2"]
    X = _X(len(ids))
    store = make_clusterer("natural", 3, id_pattern="m5_store").fit(X, ids=ids)
    assert store.groups_ == ["CA_1", "TX_2", "WI_3"]
    assert store.labels_.tolist() == [0, 0, 1, 2, 1]
    dept = make_clusterer("natural", 4, id_pattern="m5_dept").fit(X, ids=ids)
    assert dept.groups_ == ["FOODS_1", "FOODS_2", "HOBBIES_1", "HOUSEHOLD_2"]
    assert dept.labels_.tolist() == [0, 1, 2, 0, 3]
    cat = make_clusterer("natural", 3, id_pattern=r"^([A-Z]+)_").fit(X, ids=ids)  # plain regex, first group
    assert cat.groups_ == ["FOODS", "HOBBIES", "HOUSEHOLD"]
    assert make_clusterer("natural", 3, id_pattern="m5_state").fit(X, ids=ids).labels_.tolist() == [0, 0, 1, 2, 1]
    assert set(ID_PATTERNS) == {"m5_store", "m5_state", "m5_dept", "m5_category"}


def test_natural_errors():
    X = _X(2)
    with pytest.raises(ValueError, match="exactly one of the options groups_file"):
        make_clusterer("natural", 2)
    with pytest.raises(ValueError, match="gives 3 groups .* but K=2"):
        make_clusterer("natural", 2, id_pattern="m5_store").fit(_X(3), ids=["A_1_CA_1", "A_1_TX_1", "A_1_WI_1"])
    with pytest.raises(ValueError, match="does not match id_pattern"):
        make_clusterer("natural", 1, id_pattern="m5_store").fit(X, ids=["x", "y"])
    with pytest.raises(ValueError, match="needs the series ids"):
        make_clusterer("natural", 1, id_pattern="m5_store").fit(X)


def test_natural_groups_file_errors(tmp_path):
    f = tmp_path / "g.tsv"
    f.write_text("id\tgroup\na\tx\nb\ty\n")
    assert make_clusterer("natural", 2, groups_file=str(f)).fit(_X(2), ids=["b", "a"]).labels_.tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"not in column 'id' of .*g.tsv, e.g. \['c'\]"):
        make_clusterer("natural", 2, groups_file=str(f)).fit(_X(2), ids=["a", "c"])
    with pytest.raises(ValueError, match=r"column\(s\) \['kind'\] missing"):
        make_clusterer("natural", 2, groups_file=str(f), columns=["kind"]).fit(_X(2), ids=["a", "b"])
    f.write_text("id\tgroup\na\tx\na\ty\n")
    with pytest.raises(ValueError, match="id 'a' appears more than once"):
        make_clusterer("natural", 2, groups_file=str(f)).fit(_X(2), ids=["a", "a"])
    f.write_text("id\tgroup\na\tx\nb\t\n")
    with pytest.raises(ValueError, match="column 'group', row 3: empty group"):
        make_clusterer("natural", 2, groups_file=str(f)).fit(_X(2), ids=["a", "b"])


def test_natural_rossmann_store_type_from_mirror():
    store_csv = MIRROR / "store.csv.gz"
    meta = pd.read_csv(store_csv, dtype={"Store": str})
    ids = meta["Store"].tolist()[::-1]  # panel order need not be the file's order
    X = _X(len(ids), 5)
    m = make_clusterer("natural", 4, groups_file=str(store_csv), id_column="Store", columns=["StoreType"])
    lab = m.fit(X, ids=ids).labels_
    assert m.groups_ == ["a", "b", "c", "d"]
    want = meta.set_index("Store").loc[ids, "StoreType"].map({"a": 0, "b": 1, "c": 2, "d": 3}).to_numpy()
    assert np.array_equal(lab, want)
    assert np.bincount(lab).tolist() == meta["StoreType"].value_counts().sort_index().tolist()
    combo = meta["StoreType"] + "/" + meta["Assortment"]
    both = make_clusterer("natural", combo.nunique(), groups_file=str(store_csv), id_column="Store",
                          columns=["StoreType", "Assortment"]).fit(X, ids=ids)
    assert both.groups_ == sorted(combo.unique().tolist())

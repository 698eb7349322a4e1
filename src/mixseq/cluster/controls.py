"""Control clusterings that isolate the effect of clustering: ``random`` and ``natural`` splits.

If forecasting MixSeq's clusters beats forecasting the total, these say whether *any* split of the same sizes
(``random``) or a split a domain expert would make without looking at the series (``natural``) does as well.
Neither looks at the values of the series.

``random``
    K groups drawn uniformly at random (``numpy.random.default_rng(seed)``): a random permutation of the
    labels ``0..K-1`` repeated ``sizes[k]`` times. Option ``sizes``: ``"equal"`` (default; sizes differ by at
    most one, the first ``m mod K`` clusters one larger) or a list of K non-negative ints summing to the number
    of series, e.g. the cluster sizes of a reference method's ``assignments.tsv`` so that only *which* series
    go together differs. (Filling ``sizes`` from a reference run is workflow wiring: a rule would read that
    run's assignments and pass the counts.)

``natural``
    Groups from metadata, one cluster per distinct group, labelled in sorted order of the group names. K must
    equal the number of groups (it raises otherwise, naming the groups), so a run's ``k{K}`` always says how
    many clusters it has. The series ids come from ``fit(..., ids=...)`` (the cluster script passes the panel
    ids to methods with ``needs_ids``). Groups come from exactly one of

    - ``groups_file``: a CSV (``.tsv``: tab-separated; ``.gz`` allowed) with the id column ``id_column``
      (default ``id``) and the group column(s) ``columns`` (default ``[group]``; several columns make one group
      per combination, ``a/b``). Rossmann: ``groups_file: <raw>/store.csv.gz, id_column: Store,
      columns: [StoreType]`` (4 groups) or ``[StoreType, Assortment]`` (9 combinations present). Custom data:
      a file with the panel's ids and the chosen column (the custom loader does not keep extra columns; a rule
      or the user writes this file).
    - ``id_pattern``: a regular expression searched in each id; the group is its named group ``group``, else
      its first group, else the whole match. Presets for M5 ids (``FOODS_1_CA_1`` at store x department,
      ``FOODS_1_001_CA_1`` at item x store): ``m5_store``, ``m5_state``, ``m5_dept``, ``m5_category``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from mixseq.cluster.base import ClusterMethod

#: ``id_pattern`` presets for M5 series ids (``<dept_id>_<store_id>`` or ``<item_id>_<store_id>``)
ID_PATTERNS: dict[str, str] = {
    "m5_store": r"(?P<group>(?:CA|TX|WI)_\d+)$",
    "m5_state": r"_(?P<group>CA|TX|WI)_\d+$",
    "m5_dept": r"^(?P<group>(?:HOBBIES|HOUSEHOLD|FOODS)_\d+)_",
    "m5_category": r"^(?P<group>HOBBIES|HOUSEHOLD|FOODS)_",
}


def equal_sizes(m: int, k: int) -> list[int]:
    """``k`` sizes summing to ``m`` that differ by at most one (the first ``m mod k`` are one larger)."""
    return [m // k + (1 if i < m % k else 0) for i in range(k)]


class RandomClusterer(ClusterMethod):
    """K random groups of given sizes (``"equal"`` or a list), seeded; ignores the values of the series."""

    name = "random"

    def __init__(self, n_clusters: int, seed: int = 0, *, sizes: Literal["equal"] | list[int] = "equal") -> None:
        super().__init__(n_clusters, seed=seed)
        if isinstance(sizes, str):
            if sizes != "equal":
                raise ValueError(f"random: option sizes must be 'equal' or a list of {n_clusters} ints, got {sizes!r}")
        elif len(sizes) != self.n_clusters or any(int(s) < 0 for s in sizes):
            raise ValueError(f"random: option sizes must list {self.n_clusters} non-negative cluster sizes "
                             f"(one per cluster), got {sizes!r}")
        self.sizes = sizes
        self.sizes_: list[int] | None = None

    def fit(self, X, dates=None, log_path=None, labels_true=None):  # type: ignore[no-untyped-def]
        m = len(X)
        sizes = equal_sizes(m, self.n_clusters) if self.sizes == "equal" else [int(s) for s in self.sizes]
        if sum(sizes) != m:
            raise ValueError(f"random: option sizes {sizes} sums to {sum(sizes)}, but there are {m} series")
        labels = np.repeat(np.arange(self.n_clusters, dtype=np.int64), sizes)
        self.labels_ = np.random.default_rng(self.seed).permutation(labels)
        self.sizes_ = sizes
        return self

    def save(self, path: str | Path) -> None:
        """The sizes drawn to (the assignments themselves are the rule's output)."""
        Path(path).write_text(f"random: seed {self.seed}, sizes {self.sizes_}\n")


class NaturalClusterer(ClusterMethod):
    """One cluster per metadata group (from a file keyed by id, or from a pattern in the ids)."""

    name = "natural"
    #: the cluster script passes ``ids=panel.ids`` to ``fit`` of methods with this flag
    needs_ids = True

    def __init__(self, n_clusters: int, seed: int = 0, *, groups_file: str | None = None, id_column: str = "id",
                 columns: list[str] | None = None, id_pattern: str | None = None) -> None:
        super().__init__(n_clusters, seed=seed)
        if (groups_file is None) == (id_pattern is None):
            raise ValueError("natural: give exactly one of the options groups_file (a CSV/TSV of id -> group) "
                             f"and id_pattern (a regex or one of {sorted(ID_PATTERNS)})")
        if columns is not None and not columns:
            raise ValueError("natural: option columns must name at least one column")
        self.groups_file = groups_file
        self.id_column = id_column
        self.columns = list(columns) if columns is not None else ["group"]
        self.id_pattern = id_pattern
        self.groups_: list[str] | None = None

    def _source(self) -> str:
        if self.groups_file is not None:
            return f"{self.groups_file} columns {self.columns}"
        return f"id_pattern {self.id_pattern!r}"

    def _groups_from_file(self, ids: list[str]) -> list[str]:
        path = Path(str(self.groups_file))
        if not path.exists():
            raise FileNotFoundError(f"natural: option groups_file: {path} does not exist")
        name = path.name[:-3] if path.name.endswith(".gz") else path.name
        df = pd.read_csv(path, sep="\t" if name.endswith(".tsv") else ",", dtype=str, keep_default_na=False)
        missing = [c for c in [self.id_column, *self.columns] if c not in df.columns]
        if missing:
            raise ValueError(f"natural: {path}: column(s) {missing} missing (header: {list(df.columns)}); "
                             "set the options id_column / columns")
        dup = df[self.id_column][df[self.id_column].duplicated()]
        if len(dup):
            raise ValueError(f"natural: {path}: id {dup.iloc[0]!r} appears more than once in column "
                             f"'{self.id_column}'")
        for c in self.columns:
            empty = df[c].str.strip() == ""
            if empty.any():
                i = int(np.flatnonzero(empty.to_numpy())[0])
                raise ValueError(f"natural: {path}: column '{c}', row {i + 2}: empty group")
        key = df[self.columns].agg("/".join, axis=1)
        lookup = dict(zip(df[self.id_column].str.strip(), key, strict=True))
        absent = [i for i in ids if i not in lookup]
        if absent:
            raise ValueError(f"natural: {len(absent)} series id(s) not in column '{self.id_column}' of {path}, "
                             f"e.g. {absent[:5]}")
        return [lookup[i] for i in ids]

    def _groups_from_ids(self, ids: list[str]) -> list[str]:
        pattern = ID_PATTERNS.get(str(self.id_pattern), str(self.id_pattern))
        try:
            rx = re.compile(pattern)
        except re.error as err:
            raise ValueError(f"natural: option id_pattern {self.id_pattern!r} is not a regular expression "
                             f"({err})") from None
        out = []
        for i in ids:
            mt = rx.search(i)
            if mt is None:
                raise ValueError(f"natural: series id {i!r} does not match id_pattern {self.id_pattern!r}")
            if "group" in rx.groupindex:
                out.append(mt.group("group"))
            else:
                out.append(mt.group(1) if rx.groups else mt.group(0))
        return out

    def fit(self, X, dates=None, log_path=None, labels_true=None, ids=None):  # type: ignore[no-untyped-def]
        if ids is None:
            raise ValueError("natural: fit needs the series ids (fit(X, ..., ids=panel.ids))")
        ids = [str(i) for i in ids]
        if len(ids) != len(X):
            raise ValueError(f"natural: {len(ids)} ids for {len(X)} series")
        groups = self._groups_from_file(ids) if self.groups_file is not None else self._groups_from_ids(ids)
        names, labels = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
        if len(names) != self.n_clusters:
            raise ValueError(f"natural: {self._source()} gives {len(names)} groups {names.tolist()[:20]}, "
                             f"but K={self.n_clusters}; K must equal the number of groups")
        self.groups_ = names.tolist()
        self.labels_ = labels.astype(np.int64)
        return self

    def save(self, path: str | Path) -> None:
        """The group name of each cluster: ``cluster<TAB>group`` lines."""
        rows = "".join(f"{k}\t{g}\n" for k, g in enumerate(self.groups_ or []))
        Path(path).write_text(f"cluster\tgroup\n{rows}")

"""Registry of real-data loaders: dataset kind -> ``"module:function"``, plus raw-file lists and a build entry.

Each loader module defines ``load(raw_dir, options, name) -> Panel``, ``RAW_FILES`` (the files for its
default options) and ``OPTIONS`` (accepted option names -> types, see :mod:`mixseq.options`); modules whose
files depend on options also define ``raw_files(options)``. The ``custom`` kind's accepted options are
:data:`CUSTOM_OPTIONS` here (a ``custom.OPTIONS``, when defined, extends them).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from mixseq.data.panel import Panel, write_panel
from mixseq.data.rawio import SPLIT_OPTIONS
from mixseq.options import OptionSpec

LOADERS: dict[str, str] = {
    "rossmann": "mixseq.data.rossmann:load",
    "m5": "mixseq.data.m5:load",
    "wiki": "mixseq.data.wiki:load",
    "custom": "mixseq.data.custom:load",
    # The synthetic kinds (ARMA / DeepAR mixtures, paper §5.1) are registered here by the main developer.
}


#: options of the ``custom`` loader (see :mod:`mixseq.data.custom`) and their types.
CUSTOM_OPTIONS: OptionSpec = {
    "file": str,
    "format": str | None,
    "id_col": str,
    "date_col": str,
    "value_col": str,
    "date_format": str | None,
    "min_series": int,
    "chunksize": int,
    "freq": str,
    "missing": Literal["error", "zero", "interpolate", "drop_series"],
    "negative": Literal["error", "allow", "clip"],
    "on_degenerate": Literal["error", "warn", "drop"],
    **SPLIT_OPTIONS,
}

#: options of the synthetic kinds (:func:`mixseq.data.synthetic.make_toy_panel`) and their types.
SYNTHETIC_OPTIONS: OptionSpec = {
    "n_per_component": int,
    "length": int,
    "test_steps": int,
    "noise_var": float,
    "init_var": float,
    "burn_in": int,
    "time_step": float,
    "gp_mean": float,
}
SYNTHETIC_KINDS = ("synthetic_gp", "synthetic_arma")


def dataset_options(kind: str) -> OptionSpec:
    """Accepted ``datasets.<name>.options`` of a dataset ``kind``: option name -> type."""
    if kind in SYNTHETIC_KINDS:
        return dict(SYNTHETIC_OPTIONS)
    spec = dict(getattr(_module(kind), "OPTIONS", {}))
    if kind == "custom":
        spec = {**CUSTOM_OPTIONS, **spec}
    return spec


def _module(kind: str) -> Any:
    if kind not in LOADERS:
        raise KeyError(f"unknown dataset kind '{kind}'; known kinds: {sorted(LOADERS)}")
    return importlib.import_module(LOADERS[kind].split(":", 1)[0])


def loader(kind: str) -> Callable[..., Panel]:
    """The ``load`` function registered for ``kind``."""
    mod = _module(kind)
    return getattr(mod, LOADERS[kind].split(":", 1)[1])


def raw_files(kind: str, options: dict[str, Any] | None = None) -> list[str]:
    """Raw file names the loader of ``kind`` reads with ``options`` (what the download rule must provide)."""
    mod = _module(kind)
    fn = getattr(mod, "raw_files", None)
    if fn is not None:
        return list(fn(dict(options or {})))
    return list(getattr(mod, "RAW_FILES", []))


#: sha256 of the public raw files (decompressed), by dataset kind and file name: the catalogue every config uses
#: unless its `datasets.<name>.sha256` names a file (which then wins). Changing an entry changes the download and
#: preprocess stamps of the datasets of that kind, so their raw files are fetched and verified again.
KNOWN_SHA256: dict[str, dict[str, str]] = {
    "rossmann": {
        "train.csv": "f6e4597c142d7d909a13d53b68a8e85c00b9a4c7b5ff40adbb37d6829cc1f4cc",
        "store.csv": "f56bd124a2849489e6bbb5c000f5fc9640204355e316475c918ae4d089afb344",
        "train_subset_100stores.csv": "75ad4bdc56993c406e2a5fcc20c1e7d5cf2e45e9758fbeeeda4968dc3d599095",
    },
    "m5": {
        "calendar.csv": "d12b5914ef03e66649adf5dd9e996e6602251c22b7a6af8f1f7e3aa12f8860f5",
        "sales_store_dept_d1_d1913.csv": "52305af779dc1662475ea88a54e8a43d3356e465a99a972acbe18ada8d7e970d",
        "sales_test_validation.csv": "0e88bdeba0f9d5534667a3c1758dd595962447b212f5d596a29a2986c90dd5b1",
        "sales_train_evaluation.csv": "3e2020de2d9f06d813dfbcbb9e656740e467f548a76238f4739f1067e655896e",
        "sales_train_validation.csv": "9f4f9e1f7994479644f3502b20cb1772c8463697b661ce4b7ef253d0e51d1b6c",
    },
}


def expected_sha256(kind: str, configured: dict[str, str] | None = None) -> dict[str, str]:
    """sha256 expected of each raw file of a dataset of ``kind``: :data:`KNOWN_SHA256`, overridden (and extended)
    by the dataset's configured ``sha256`` entries."""
    return {**KNOWN_SHA256.get(kind, {}), **(configured or {})}


def build_panel(kind: str, raw_dir: str | os.PathLike[str], options: dict[str, Any] | None, name: str) -> Panel:
    """Load the panel of ``kind`` from the raw files in ``raw_dir``."""
    return loader(kind)(Path(raw_dir), dict(options or {}), name)


def check_horizon(panel: Panel, horizon: int) -> None:
    """Raise ``ValueError`` naming ``evaluation.horizon`` when the test or validation interval is shorter."""
    for what, start, end in (("test interval", panel.test_start_idx, panel.test_end_idx),
                             ("validation window", panel.val_start_idx, panel.train_end_idx)):
        if end - start < horizon:
            raise ValueError(
                f"config key 'evaluation.horizon' (or datasets.{panel.name}.evaluation.horizon): expected at most "
                f"the {end - start} days of the {what} of dataset '{panel.name}' "
                f"({panel.dates[start].date()}..{panel.dates[end - 1].date()}), got {horizon}"
            )


def preprocess(
    kind: str, raw_dir: str | os.PathLike[str], options: dict[str, Any] | None, name: str, out: str | os.PathLike[str],
    horizon: int | None = None,
) -> Panel:
    """Build the panel and write it atomically to ``out``; on any error nothing is written.

    ``horizon``: the forecast horizon; the panel is refused (naming ``evaluation.horizon``) when its test
    interval or validation window is shorter."""
    panel = build_panel(kind, raw_dir, options, name)
    if horizon is not None:
        check_horizon(panel, int(horizon))
    write_panel(panel, out)
    return panel

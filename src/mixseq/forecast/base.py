"""The forecaster interface shared by ARMA, GP, Prophet, DeepAR, TCN, ConvTrans, seasonal naive, ...

A forecaster models one univariate (clustered or macroscopic) series on its original scale.

- ``fit(y, dates)``: train on history ``y`` (``[t]``) whose days are ``dates``.
- ``sample(y_hist, dates_hist, horizon, n_samples, rng)``: ``[n_samples, horizon]`` draws of the next
  ``horizon`` values given the true history ``y_hist`` (which may extend past the fitted data: neural
  models are trained once and then forecast from every rolling origin; statistical models are refitted
  per origin, or every ``refit_every`` origins, by :func:`mixseq.experiments.rolling.forecast_series`).
- ``trains_once``: ``True`` for neural models (fit once on the training interval), ``False`` for
  models refitted on each origin's history.

The point forecast used for SMAPE is the mean of the macro samples (see
:func:`mixseq.evaluate.metrics.point_forecast`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mixseq.options import OptionSpec, check_options, load_object, spec_from_signature


@dataclass(frozen=True)
class Entry:
    """One registered forecaster: where its class lives and what it can do, readable without importing it."""

    #: ``"module:Class"``; the module is imported lazily, so heavy dependencies load only when used
    path: str
    #: built on torch: its jobs ask for the ``gpu`` resource and get ``device`` / ``threads`` options
    torch: bool = False
    #: fitted once on the training interval, then forecasts from every rolling origin (the class attribute
    #: ``Forecaster.trains_once``; the contract test checks the two agree)
    trains_once: bool = False
    #: meant for real data (``False``: ``gp``, whose kernel time step matches the synthetic generator)
    real_data: bool = True
    #: ``"module:function"`` returning the option spec without importing :attr:`path` (torch forecasters);
    #: ``None``: the class's :meth:`Forecaster.option_spec`
    spec: str | None = None


#: name -> entry. Adding a forecaster: its module, one entry here, and its name in ``$defs.forecaster`` of
#: config/schema.yaml (tests/test_registry.py checks the two agree; docs/families.md has the how-to).
REGISTRY: dict[str, Entry] = {
    "arma": Entry("mixseq.forecast.arma:ARMAForecaster"),
    "gp": Entry("mixseq.forecast.gp:GPForecaster", real_data=False),
    "seasonal_naive": Entry("mixseq.forecast.naive:SeasonalNaive", trains_once=True),
    "prophet": Entry("mixseq.forecast.prophet:ProphetForecaster"),
    "deepar": Entry("mixseq.forecast.deepar:DeepARForecaster", torch=True, trains_once=True,
                    spec="mixseq.forecast.neural_options:deepar_spec"),
    "tcn": Entry("mixseq.forecast.tcn:TCNForecaster", torch=True, trains_once=True,
                 spec="mixseq.forecast.neural_options:tcn_spec"),
    "convtrans": Entry("mixseq.forecast.convtrans:ConvTransForecaster", torch=True, trains_once=True,
                       spec="mixseq.forecast.neural_options:convtrans_spec"),
    "dstw_rules": Entry("mixseq.forecast.dstw_rules:RuleForecaster"),
    "autoets": Entry("mixseq.forecast.statsforecast_models:AutoETSForecaster"),
    "autoarima": Entry("mixseq.forecast.statsforecast_models:AutoARIMAForecaster"),
}


def entry(name: str) -> Entry:
    """The registry entry of forecaster ``name`` (a base name; raises naming the valid choices)."""
    if name not in REGISTRY:
        raise ValueError(f"unknown forecaster '{name}'; expected one of {sorted(REGISTRY)}")
    return REGISTRY[name]


def forecasters_where(**flags: bool) -> list[str]:
    """Registered forecasters whose entry has every given flag value, in registry order."""
    return [n for n, e in REGISTRY.items() if all(getattr(e, f) == v for f, v in flags.items())]


def torch_forecasters() -> list[str]:
    """Forecasters built on torch (their jobs ask for a GPU; scripts pass ``device`` and ``threads``)."""
    return forecasters_where(torch=True)


class Forecaster(ABC):
    """Base class. The accepted options are :meth:`option_spec`: by default the keyword parameters of the
    subclass's ``__init__`` with their type hints; classes keeping their options in a defaults dict override it.
    Unknown or mistyped options raise :class:`mixseq.options.OptionError` naming the option."""

    name: str = "base"
    trains_once: bool = False

    @classmethod
    def option_spec(cls) -> OptionSpec:
        """Accepted option names and their types (see :mod:`mixseq.options`)."""
        if cls.__init__ is Forecaster.__init__:
            return {}
        return spec_from_signature(cls.__init__)

    def __init__(self, seed: int = 0, **options: Any) -> None:
        check_options(options, type(self).option_spec(), self.name, f"forecaster '{self.name}'", prefix="option")
        self.seed = int(seed)
        self.options = options

    @abstractmethod
    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex) -> Forecaster:
        """Train on ``y`` (``[t]``, original scale) observed on ``dates``."""

    @abstractmethod
    def sample(
        self,
        y_hist: np.ndarray,
        dates_hist: pd.DatetimeIndex,
        horizon: int,
        n_samples: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Return ``[n_samples, horizon]`` draws of the values after ``y_hist``."""

    def sample_origins(
        self,
        y: np.ndarray,
        dates: pd.DatetimeIndex,
        origins: list[int],
        horizon: int,
        n_samples: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """``[n_origins, n_samples, horizon]`` forecasts from each origin (history ``y[:o]``).

        Neural forecasters override this to batch all origins in one pass.
        """
        return np.stack([self.sample(y[:o], dates[:o], horizon, n_samples, rng) for o in origins])


def forecaster_class(name: str) -> type[Forecaster]:
    """The class registered as ``name`` (raises naming the valid choices)."""
    return load_object(entry(name).path)  # type: ignore[no-any-return]


def forecaster_options(name: str) -> OptionSpec:
    """Accepted options of the registered forecaster ``name``: name -> type (see :mod:`mixseq.options`).

    Read from the entry's torch-free ``spec`` where it has one, so checking a configuration imports no torch."""
    spec = entry(name).spec
    if spec is not None:
        return load_object(spec)()  # type: ignore[no-any-return]
    return forecaster_class(name).option_spec()


def make_forecaster(name: str, seed: int = 0, **options: Any) -> Forecaster:
    """Instantiate a registered forecaster by name (raises naming the valid choices, or the unknown option)."""
    cls = forecaster_class(name)
    check_options(options, cls.option_spec(), name, f"forecaster '{name}'", prefix="option")
    return cls(seed=seed, **options)

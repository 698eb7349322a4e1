"""The forecaster interface shared by ARMA, GP, Prophet, DeepAR, TCN, ConvTrans, seasonal naive, ...

A forecaster models one univariate (clustered or macroscopic) series on its original scale.

- ``fit(y, dates)``: train on history ``y`` (``[t]``) whose days are ``dates``.
- ``sample(y_hist, dates_hist, horizon, n_samples, rng)``: ``[n_samples, horizon]`` draws of the next
  ``horizon`` values given the true history ``y_hist`` (which may extend past the fitted data: neural
  models are trained once and then forecast from every rolling origin; statistical models are refitted
  per origin, or every ``refit_every`` origins, by :func:`mixseq.evaluate.rolling.rolling_samples`).
- ``trains_once``: ``True`` for neural models (fit once on the training interval), ``False`` for
  models refitted on each origin's history.

The point forecast used for SMAPE is the mean of the macro samples (see
:func:`mixseq.evaluate.metrics.point_forecast`).
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import pandas as pd

from mixseq.options import OptionSpec, check_options, spec_from_signature

REGISTRY: dict[str, str] = {
    "arma": "mixseq.forecast.arma:ARMAForecaster",
    "gp": "mixseq.forecast.gp:GPForecaster",
    "seasonal_naive": "mixseq.forecast.naive:SeasonalNaive",
    "prophet": "mixseq.forecast.prophet:ProphetForecaster",
    "deepar": "mixseq.forecast.deepar:DeepARForecaster",
    "tcn": "mixseq.forecast.tcn:TCNForecaster",
    "convtrans": "mixseq.forecast.convtrans:ConvTransForecaster",
    "dstw_rules": "mixseq.forecast.dstw_rules:RuleForecaster",
    "autoets": "mixseq.forecast.statsforecast_models:AutoETSForecaster",
    "autoarima": "mixseq.forecast.statsforecast_models:AutoARIMAForecaster",
}

#: forecasters built on torch: their rules ask for ``gpu`` resources.
NEURAL = {"deepar", "tcn", "convtrans"}


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
    if name not in REGISTRY:
        raise ValueError(f"unknown forecaster '{name}'; expected one of {sorted(REGISTRY)}")
    module, cls = REGISTRY[name].split(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


def forecaster_options(name: str) -> OptionSpec:
    """Accepted options of the registered forecaster ``name``: name -> type (see :mod:`mixseq.options`)."""
    return forecaster_class(name).option_spec()


def make_forecaster(name: str, seed: int = 0, **options: Any) -> Forecaster:
    """Instantiate a registered forecaster by name (raises naming the valid choices, or the unknown option)."""
    cls = forecaster_class(name)
    check_options(options, cls.option_spec(), name, f"forecaster '{name}'", prefix="option")
    return cls(seed=seed, **options)

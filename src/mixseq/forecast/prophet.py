"""Prophet forecaster (Taylor & Letham, 2018; paper §5.2: the package's default settings).

``fit`` fits ``Prophet()`` with its defaults (linear trend, automatic weekly/yearly seasonality, MAP
estimate) on daily history; for other frequencies the seasonalities follow the frequency of the dates
(:data:`SEASONALITIES`: hourly daily+weekly, weekly yearly, monthly yearly with 5 Fourier terms, quarterly
yearly with 2, yearly none) and options given in the config override them. The rolling-window caller
refits it at each origin the rolling-window caller refits it at each origin (``trains_once = False``).
``sample`` returns Prophet's own predictive draws (``Prophet.predictive_samples``: trend-changepoint
uncertainty plus Gaussian observation noise) for the ``horizon`` periods after ``dates_hist[-1]`` (one period
of the dates' frequency apart), with
``uncertainty_samples`` set to ``n_samples``. Prophet's forecast depends on the dates only, so when
``y_hist`` extends past the fitted data (``refit_every > 1``) the model fitted last is extrapolated to the
later dates. Draws are reproducible: numpy's global RNG, which Prophet uses, is seeded from ``rng``.
Options are passed to ``Prophet(...)`` unchanged (none by default) over the per-frequency seasonalities; the
accepted ones are :data:`PROPHET_OPTIONS` (Prophet's constructor arguments that take plain values).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import numpy as np
import pandas as pd

from mixseq.data.frequency import dates_freq, freq_kind, future_dates
from mixseq.forecast.base import Forecaster
from mixseq.options import OptionSpec

#: Prophet constructor arguments accepted as options, with their types (``*_seasonality``: "auto", a bool or a
#: Fourier order).
PROPHET_OPTIONS: dict[str, Any] = {
    "growth": Literal["linear", "logistic", "flat"],
    "n_changepoints": int,
    "changepoint_range": float,
    "yearly_seasonality": bool | int | str,
    "weekly_seasonality": bool | int | str,
    "daily_seasonality": bool | int | str,
    "seasonality_mode": Literal["additive", "multiplicative"],
    "seasonality_prior_scale": float,
    "holidays_prior_scale": float,
    "changepoint_prior_scale": float,
    "mcmc_samples": int,
    "interval_width": float,
    "uncertainty_samples": int,
    "scaling": Literal["absmax", "minmax"],
}


def _quiet() -> None:
    """Silence Prophet's and cmdstanpy's INFO chatter (one line per fit otherwise)."""
    for name in ("prophet", "cmdstanpy", "prophet.plot"):
        logging.getLogger(name).setLevel(logging.WARNING)


#: ``Prophet(...)`` seasonality arguments per frequency kind; daily data keep Prophet's defaults (automatic).
SEASONALITIES: dict[str, dict[str, Any]] = {
    "h": {"daily_seasonality": True, "weekly_seasonality": True, "yearly_seasonality": False},
    "D": {},
    "B": {},
    "W": {"daily_seasonality": False, "weekly_seasonality": False, "yearly_seasonality": True},
    "M": {"daily_seasonality": False, "weekly_seasonality": False, "yearly_seasonality": 5},
    "Q": {"daily_seasonality": False, "weekly_seasonality": False, "yearly_seasonality": 2},
    "Y": {"daily_seasonality": False, "weekly_seasonality": False, "yearly_seasonality": False},
}


class ProphetForecaster(Forecaster):
    """Prophet with default settings; samples from its predictive distribution."""

    name = "prophet"
    trains_once = False

    @classmethod
    def option_spec(cls) -> OptionSpec:
        """:data:`PROPHET_OPTIONS`."""
        return dict(PROPHET_OPTIONS)

    def __init__(self, seed: int = 0, **options: Any) -> None:
        super().__init__(seed=seed, **options)
        self.model: Any = None
        self.freq_ = "D"

    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex) -> ProphetForecaster:
        """Fit ``Prophet(**seasonalities, **options)`` on ``(ds=dates, y=y)``."""
        _quiet()
        from prophet import Prophet

        y = np.asarray(y, dtype=np.float64)
        if len(dates) != y.size:
            raise ValueError(f"prophet: {len(dates)} dates for {y.size} values")
        np.random.seed(self.seed % (2**32))  # Prophet's initialisation and sampling use the global RNG
        self.freq_ = dates_freq(pd.DatetimeIndex(dates))
        self.model = Prophet(**{**SEASONALITIES[freq_kind(self.freq_)], **self.options})
        self.model.fit(pd.DataFrame({"ds": pd.DatetimeIndex(dates), "y": y}))
        return self

    def sample(
        self,
        y_hist: np.ndarray,
        dates_hist: pd.DatetimeIndex,
        horizon: int,
        n_samples: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """``[n_samples, horizon]`` predictive draws for the periods after ``dates_hist[-1]``."""
        if self.model is None:
            raise RuntimeError("prophet: call fit() before sample()")
        future = pd.DataFrame({"ds": future_dates(pd.DatetimeIndex(dates_hist)[-1], horizon, self.freq_)})
        self.model.uncertainty_samples = int(n_samples)
        np.random.seed(int(rng.integers(0, 2**32 - 1)))
        draws = self.model.predictive_samples(future)["yhat"]  # [horizon, n_samples]
        return np.asarray(draws, dtype=np.float64).T.reshape(n_samples, horizon)

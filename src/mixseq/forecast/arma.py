"""ARMA forecaster (statsmodels ``ARIMA``).

The paper uses "the default setting provided by the Python packages"; statsmodels' ARIMA has no default
order, so the order is a config option, default ``(2, 0, 0)`` with a constant: the AR(2) of the paper's
synthetic components. Samples are simulated future paths (``simulate(anchor="end")``) so that they are
jointly coherent across lead times. When asked to forecast from a history longer than the fitted one
(``refit_every > 1``), the fitted parameters are applied to the new history without re-estimation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from mixseq.forecast.base import Forecaster


class ARMAForecaster(Forecaster):
    name = "arma"
    trains_once = False

    def __init__(self, seed: int = 0, *, order: tuple[int, int, int] = (2, 0, 0), trend: str = "c",
                 max_history: int | None = None) -> None:
        super().__init__(seed=seed)
        self.order = tuple(int(o) for o in order)
        self.trend = trend
        self.max_history = max_history
        self.res_ = None
        self._n_fit = 0

    def _clip(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        return y[-self.max_history:] if self.max_history else y

    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex | None = None) -> ARMAForecaster:
        from statsmodels.tsa.arima.model import ARIMA

        y = self._clip(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on short/degenerate windows
            self.res_ = ARIMA(y, order=self.order, trend=self.trend).fit()
        self._n_fit = len(y)
        return self

    def sample(self, y_hist: np.ndarray, dates_hist: pd.DatetimeIndex | None, horizon: int, n_samples: int,
               rng: np.random.Generator) -> np.ndarray:
        if self.res_ is None:
            raise RuntimeError("ARMAForecaster.sample called before fit")
        y_hist = self._clip(y_hist)
        res = self.res_
        if len(y_hist) != self._n_fit:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = res.apply(y_hist)
        sims = res.simulate(nsimulations=horizon, repetitions=n_samples, anchor="end",
                            rng=np.random.default_rng(int(rng.integers(2**31 - 1))))
        return np.asarray(sims, dtype=np.float64).reshape(horizon, n_samples).T

"""Weekly seasonal naive forecaster: repeat the last 7 observed days.

Point forecast ``x_hat_{o+h} = x_{o - 7 + (h mod 7)}``. By default (``bootstrap=False``) every sample equals
the point forecast, so the sample mean is the point forecast and all quantiles coincide with it. With
``bootstrap=True`` each sample adds residuals drawn with replacement (independently per step) from the
history's seasonal differences ``x_t - x_{t-7}`` (a simple residual bootstrap, no accumulation with the
lead time). It has nothing to learn, so it is "trained once" and only reads the history given to ``sample``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixseq.forecast.base import Forecaster


class SeasonalNaive(Forecaster):
    """Repeat the last ``season`` (7) days; options ``season`` (7), ``bootstrap`` (False)."""

    name = "seasonal_naive"
    trains_once = True

    def __init__(self, seed: int = 0, *, season: int = 7, bootstrap: bool = False) -> None:
        super().__init__(seed=seed)
        self.options = {"season": int(season), "bootstrap": bool(bootstrap)}

    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex) -> SeasonalNaive:
        """Nothing to estimate."""
        return self

    def sample(
        self,
        y_hist: np.ndarray,
        dates_hist: pd.DatetimeIndex,
        horizon: int,
        n_samples: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """``[n_samples, horizon]``: the seasonal repetition (plus bootstrapped residuals if enabled)."""
        y = np.asarray(y_hist, dtype=np.float64)
        s = int(self.options["season"])
        if y.size == 0:
            raise ValueError("seasonal_naive: empty history")
        last = y[-s:] if y.size >= s else np.resize(y, s)  # short history: tile what there is
        point = np.resize(last, horizon) if horizon else np.empty(0)
        out = np.broadcast_to(point, (n_samples, horizon)).copy()
        if self.options["bootstrap"] and y.size > s:
            resid = y[s:] - y[:-s]
            out += rng.choice(resid, size=(n_samples, horizon), replace=True)
        return out

"""Seasonal naive forecaster: repeat the last season of the series' frequency.

The season ``s`` is the natural period of the dates' frequency (:func:`mixseq.data.frequency.season_length`:
hourly 24, daily 7, weekly 52, monthly 12, quarterly 4, yearly 1), or the option ``season`` when set.
Point forecast ``x_hat_{o+h} = x_{o - s + (h mod s)}`` (lead ``h = 0, 1, ...``). By default
(``bootstrap=False``) every sample equals the point forecast, so the sample mean is the point forecast and all
quantiles coincide with it. With ``bootstrap=True`` each sample adds residuals drawn with replacement
(independently per step) from the history's seasonal differences ``x_t - x_{t-s}`` (a simple residual
bootstrap, no accumulation with the lead time). It has nothing to learn, so it is "trained once" and only
reads the history given to ``sample``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixseq.data.frequency import dates_freq, season_length
from mixseq.forecast.base import Forecaster


class SeasonalNaive(Forecaster):
    """Repeat the last season; options ``season`` (None: the frequency's natural period), ``bootstrap`` (False)."""

    name = "seasonal_naive"
    trains_once = True

    def __init__(self, seed: int = 0, *, season: int | None = None, bootstrap: bool = False) -> None:
        super().__init__(seed=seed)
        self.options = {"season": None if season is None else int(season), "bootstrap": bool(bootstrap)}

    def season(self, dates: pd.DatetimeIndex | None) -> int:
        """The season length: option ``season``, else the natural period of the dates' frequency (daily: 7)."""
        if self.options["season"] is not None:
            s = int(self.options["season"])
            if s < 1:
                raise ValueError(f"seasonal_naive: option 'season' must be >= 1, got {s}")
            return s
        return season_length(dates_freq(pd.DatetimeIndex([] if dates is None else dates)))

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
        s = self.season(dates_hist)
        if y.size == 0:
            raise ValueError("seasonal_naive: empty history")
        last = y[-s:] if y.size >= s else np.resize(y, s)  # short history: tile what there is
        point = np.resize(last, horizon) if horizon else np.empty(0)
        out = np.broadcast_to(point, (n_samples, horizon)).copy()
        if self.options["bootstrap"] and y.size > s:
            resid = y[s:] - y[:-s]
            out += rng.choice(resid, size=(n_samples, horizon), replace=True)
        return out

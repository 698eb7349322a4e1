"""AutoARIMA and AutoETS forecasters (Nixtla ``statsforecast``: ports of R's ``forecast::auto.arima`` / ``ets``).

Both are refitted per rolling origin like ``arma`` (``trains_once = False``); model orders / ETS components are
selected by AICc on each fit.

Seasonal period
    ``season`` option, else the natural period of the dates' frequency
    (:func:`mixseq.data.frequency.season_length` of :func:`mixseq.data.frequency.dates_freq`: hourly 24,
    daily 7, business-daily 5, weekly 52, monthly 12, quarterly 4, yearly 1).

Predictive samples
    ``autoets`` (option ``samples: simulate``, the default) simulates future paths of the fitted state-space
    model: Gaussian innovations with the fitted variance (relative errors for multiplicative-error models) fed
    through statsforecast's own compiled one-step forecast and state update from the last filtered state
    (:func:`simulate_ets`). Paths are jointly coherent across lead times, and multiplicative seasonality
    scales the noise by season. This matters on Rossmann: the macro series has near-zero Sundays, the selected
    model is ETS(M,N,M), and statsforecast's analytic interval for that class is not seasonally scaled (a
    Sunday sd about 8x the Sunday mean), so Gaussian draws from it would make the Sunday sample mean noisy.
    With zero innovations the path equals statsforecast's point forecast (exactly, except damped-trend models,
    where its update and its h-step forecast differ by ~1e-4 relative).

    ``autoarima`` and ``autoets`` with ``samples: gaussian``: statsforecast 2.0 has no public path simulator; it
    gives the point forecast and analytic prediction intervals (exact Gaussian for ARIMA). ``sample`` draws
    ``mean[h] + sd[h] * z`` with ``sd[h] = (hi[h] - lo[h]) / (2 * z_0.9)`` read from the 80 % interval, ``z``
    independent standard normals per (sample, lead), from a generator seeded by the caller's ``rng``
    (deterministic). For ARIMA and additive ETS these are draws from the exact predictive marginal at each lead; for
    multiplicative ETS a Gaussian with the interval's width. Gaussian draws are *marginal*: lead times are
    independent, so the joint path correlation is lost. That is harmless for everything this project computes from
    samples: every metric is per lead time, and the macro forecast is the index-wise sum of cluster samples *per
    lead* (:func:`mixseq.evaluate.metrics.aggregate_samples`), whose distribution depends only on the per-lead
    marginals because clusters are forecast independently (each with its own seed). Quantiles of sums over lead
    times (e.g. a weekly total) would need joint paths and are not available from these models.

``refit_every > 1``
    Between refits the rolling driver calls ``sample`` with a longer history. The fitted model is then applied
    to it with ``forward`` (statsforecast's "apply a fitted model to a new series"): ARIMA keeps its orders and
    coefficients and re-runs the Kalman filter over the new history; ETS keeps its components, smoothing
    parameters and initial state and re-filters the states. Only parameter estimation is skipped, so the
    state (level, trend, seasonal indices, innovations) is that of the latest origin.

Options (all typed; unknown ones raise): ``season``, ``max_history`` (fit on the last n periods only, like
``arma``), and per model the statsforecast arguments listed in each class's signature.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from mixseq.data.frequency import dates_freq, season_length
from mixseq.forecast.base import Forecaster

#: prediction-interval level (percent) whose width gives the predictive sd
INTERVAL_LEVEL = 80
_Z = float(norm.ppf(0.5 + INTERVAL_LEVEL / 200))


class _StatsForecastModel(Forecaster):
    """Shared fit / sample logic; subclasses build the statsforecast model in :meth:`_make`."""

    trains_once = False

    def __init__(self, seed: int = 0, *, season: int | None = None, max_history: int | None = None) -> None:
        super().__init__(seed=seed)
        if season is not None and int(season) < 1:
            raise ValueError(f"{self.name}: option season must be >= 1, got {season}")
        if max_history is not None and int(max_history) < 2:
            raise ValueError(f"{self.name}: option max_history must be >= 2, got {max_history}")
        self.season = None if season is None else int(season)
        self.max_history = None if max_history is None else int(max_history)
        self.model_: Any = None
        self.season_: int | None = None
        self._y_fit: np.ndarray | None = None

    def _make(self, m: int) -> Any:
        raise NotImplementedError

    def _clip(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        return y[-self.max_history:] if self.max_history else y

    def season_for(self, dates: pd.DatetimeIndex | None) -> int:
        """The seasonal period used: option ``season``, else that of the dates' frequency (daily 7, ...)."""
        if self.season is not None:
            return self.season
        return season_length(dates_freq(pd.DatetimeIndex(dates if dates is not None else [])))

    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex | None = None) -> _StatsForecastModel:
        """Select and fit the model on ``y`` (original scale) with the season of ``dates``."""
        y = self._clip(y)
        if y.size < 3 or not np.all(np.isfinite(y)):
            raise ValueError(f"{self.name}: need >= 3 finite values to fit, got {y.size} "
                             f"({int((~np.isfinite(y)).sum())} non-finite)")
        self.season_ = self.season_for(dates)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            self.model_ = self._make(self.season_).fit(y)
        self._y_fit = y
        return self

    def predictive(self, y_hist: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """``(mean, sd)`` per lead time (``[horizon]`` each) given the history ``y_hist``."""
        if self.model_ is None or self._y_fit is None:
            raise RuntimeError(f"{self.name}: call fit() before sample()")
        y_hist = self._clip(y_hist)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if y_hist.shape == self._y_fit.shape and np.array_equal(y_hist, self._y_fit):
                out = self.model_.predict(h=horizon, level=[INTERVAL_LEVEL])
            else:  # refit_every > 1: fitted parameters, states filtered over the new history
                out = self.model_.forward(y=y_hist, h=horizon, level=[INTERVAL_LEVEL])
        mean = np.asarray(out["mean"], dtype=np.float64)
        lo = np.asarray(out[f"lo-{INTERVAL_LEVEL}"], dtype=np.float64)
        hi = np.asarray(out[f"hi-{INTERVAL_LEVEL}"], dtype=np.float64)
        sd = np.maximum((hi - lo) / (2.0 * _Z), 0.0)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
            raise FloatingPointError(f"{self.name}: non-finite forecast or interval from the fitted model "
                                     f"({self.describe()}) on a history of {y_hist.size} values")
        return mean, sd

    def sample(self, y_hist: np.ndarray, dates_hist: pd.DatetimeIndex | None, horizon: int, n_samples: int,
               rng: np.random.Generator) -> np.ndarray:
        """``[n_samples, horizon]`` Gaussian draws from the per-lead predictive marginals (see module doc)."""
        mean, sd = self.predictive(y_hist, horizon)
        z = np.random.default_rng(int(rng.integers(2**31 - 1))).standard_normal((n_samples, horizon))
        return mean[None, :] + sd[None, :] * z

    def describe(self) -> str:
        """The selected model in words (e.g. ``ETS(A,N,A) m=7``)."""
        return f"{self.name} m={self.season_}"


class AutoETSForecaster(_StatsForecastModel):
    """``statsforecast.models.AutoETS``: exponential smoothing state-space model selected by AICc."""

    name = "autoets"

    def __init__(self, seed: int = 0, *, season: int | None = None, max_history: int | None = None,
                 model: str = "ZZZ", damped: bool | None = None,
                 samples: Literal["simulate", "gaussian"] = "simulate") -> None:
        super().__init__(seed=seed, season=season, max_history=max_history)
        if samples not in ("simulate", "gaussian"):
            raise ValueError(f"autoets: option samples must be 'simulate' or 'gaussian', got {samples!r}")
        self.samples = samples
        if not (isinstance(model, str) and len(model) == 3 and model[0] in "AMZ" and model[1] in "NAMZ"
                and model[2] in "NAMZ"):
            raise ValueError(f"autoets: option model must be three letters error/trend/season from "
                             f"[AMZ][NAMZ][NAMZ] (e.g. 'ZZZ', 'AAA', 'ANA'), got {model!r}")
        self.model = model
        self.damped = damped

    def _make(self, m: int) -> Any:
        from statsforecast.models import AutoETS

        return AutoETS(season_length=m, model=self.model, damped=self.damped)

    def sample(self, y_hist: np.ndarray, dates_hist: pd.DatetimeIndex | None, horizon: int, n_samples: int,
               rng: np.random.Generator) -> np.ndarray:
        """``[n_samples, horizon]`` simulated future paths of the fitted ETS model (``samples: simulate``), or
        Gaussian marginals as for ``autoarima`` (``samples: gaussian``)."""
        if self.samples == "gaussian":
            return super().sample(y_hist, dates_hist, horizon, n_samples, rng)
        if self.model_ is None or self._y_fit is None:
            raise RuntimeError("autoets: call fit() before sample()")
        from statsforecast.ets import forward_ets

        y_hist = self._clip(y_hist)
        mod = self.model_.model_
        if not (y_hist.shape == self._y_fit.shape and np.array_equal(y_hist, self._y_fit)):
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                mod = forward_ets(mod, y_hist)  # fitted parameters and initial state, states re-filtered
        sub = np.random.default_rng(int(rng.integers(2**31 - 1)))
        e = sub.normal(0.0, np.sqrt(float(mod["sigma2"])), size=(n_samples, horizon))
        out = simulate_ets(mod, e)
        if not np.all(np.isfinite(out)):
            raise FloatingPointError(f"autoets: the simulation of {self.describe()} produced non-finite values "
                                     f"on a history of {y_hist.size} values")
        return out

    def describe(self) -> str:
        comp = self.model_.model_["components"] if self.model_ is not None else "?"
        return f"ETS({','.join(comp[:3])}{',damped' if len(comp) > 3 and comp[3] != 'N' else ''}) m={self.season_}"


class AutoARIMAForecaster(_StatsForecastModel):
    """``statsforecast.models.AutoARIMA``: (seasonal) ARIMA selected by AICc, Hyndman-Khandakar stepwise.

    ``approximation=None`` (default) is R's ``auto.arima`` rule: the candidate models are compared by their CSS
    likelihood when the series is longer than 150 or the season longer than 12, and the chosen order is then fitted
    by exact maximum likelihood. On the Rossmann macro series (27 windows, a refit at each) it selects the same
    model at every origin as ``approximation=False`` (statsforecast's default, every candidate fitted exactly) in a
    sixth of the time (docs/forecasting.md).
    """

    name = "autoarima"

    def __init__(self, seed: int = 0, *, season: int | None = None, max_history: int | None = None,
                 d: int | None = None, D: int | None = None, max_p: int = 5, max_q: int = 5, max_P: int = 2,
                 max_Q: int = 2, stepwise: bool = True, approximation: bool | None = None,
                 seasonal: bool = True, ic: Literal["aicc", "aic", "bic"] = "aicc") -> None:
        super().__init__(seed=seed, season=season, max_history=max_history)
        self.arima_args: dict[str, Any] = {
            "d": d, "D": D, "max_p": int(max_p), "max_q": int(max_q), "max_P": int(max_P), "max_Q": int(max_Q),
            "stepwise": bool(stepwise), "approximation": approximation, "seasonal": bool(seasonal), "ic": ic,
        }

    def _make(self, m: int) -> Any:
        from statsforecast.models import AutoARIMA

        return AutoARIMA(season_length=m, **self.arima_args)

    def describe(self) -> str:
        if self.model_ is None:
            return "ARIMA(?)"
        p, q, P, Q, m, d, D = self.model_.model_["arma"]
        return f"ARIMA({p},{d},{q})({P},{D},{Q})[{m}]"


def simulate_ets(mod: dict[str, Any], e: np.ndarray) -> np.ndarray:
    """Future paths ``[n, h]`` of a fitted statsforecast ETS model ``mod`` (``AutoETS().fit(y).model_``) driven
    by the innovations ``e`` (``[n, h]``; relative errors for multiplicative-error models).

    The recursion is statsforecast's own (its compiled one-step ``forecast`` and state ``update``, as in
    ``statsforecast.ets.etssimulate``, which fails for models without trend and is limited to seasons <= 24),
    started from the last filtered state. With ``e = 0`` the path equals the point forecast.
    """
    from statsforecast._lib import ets as _ets
    from statsforecast.ets import switch

    comp = mod["components"]
    trend, season = switch(comp[1]), switch(comp[2])
    has_trend, has_season = comp[1] != "N", comp[2] != "N"
    m = max(int(mod["m"]), 1) if has_season else 1
    alpha, beta, gamma, phi = (float(v) for v in mod["par"][:4])
    beta = 0.0 if np.isnan(beta) else beta
    gamma = 0.0 if np.isnan(gamma) else gamma
    phi = (1.0 if has_trend else 0.0) if np.isnan(phi) else phi
    x = np.asarray(mod["states"][-1], dtype=np.float64)
    s0 = x[1 + has_trend: 1 + has_trend + m].copy() if has_season else np.zeros(1)
    n, h = e.shape
    out = np.empty((n, h), dtype=np.float64)
    f = np.zeros(1)
    multiplicative = comp[0] == "M"
    for i in range(n):
        lev, b = float(x[0]), float(x[1]) if has_trend else 0.0
        s = s0.copy()
        for t in range(h):
            olds = s.copy()
            _ets.forecast(f, lev, b, olds, m, trend, season, phi, 1)
            if abs(f[0] - _ets.NA) < _ets.TOL:
                raise FloatingPointError(f"ETS{tuple(comp[:3])}: the one-step forecast is undefined at lead {t + 1}")
            y = f[0] * (1.0 + e[i, t]) if multiplicative else f[0] + e[i, t]
            out[i, t] = y
            lev, b = _ets.update(s, lev, b, lev, b, olds, m, trend, season, alpha, beta, gamma, phi, y)
    return out

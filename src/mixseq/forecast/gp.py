"""Gaussian-process forecaster (scikit-learn ``GaussianProcessRegressor``), used for the GP toy study.

Kernel ``C * RBF + White`` on the time index (in the generator's time units ``time_step``), hyper-
parameters by maximum marginal likelihood (``n_restarts`` restarts), ``normalize_y=True``. Samples are
joint draws from the posterior predictive over the next ``horizon`` steps (``sample_y``), plus the
fitted white noise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from mixseq.forecast.base import Forecaster


class GPForecaster(Forecaster):
    name = "gp"
    trains_once = False

    def __init__(self, seed: int = 0, *, time_step: float = 0.1, max_history: int | None = 200,
                 n_restarts: int = 0) -> None:
        super().__init__(seed=seed)
        self.time_step = float(time_step)
        self.max_history = max_history
        self.n_restarts = int(n_restarts)
        self.gp_ = None
        self._n_hist = 0

    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex | None = None) -> GPForecaster:
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

        y = np.asarray(y, dtype=np.float64)
        if self.max_history:
            y = y[-self.max_history:]
        t = (np.arange(len(y)) * self.time_step)[:, None]
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(1.0, (1e-2, 1e2)) + WhiteKernel(1e-2, (1e-8, 1e1))
        self.gp_ = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=self.n_restarts,
                                            random_state=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bound warnings from the optimiser
            self.gp_.fit(t, y)
        self._n_hist = len(y)
        return self

    def sample(self, y_hist: np.ndarray, dates_hist: pd.DatetimeIndex | None, horizon: int, n_samples: int,
               rng: np.random.Generator) -> np.ndarray:
        if self.gp_ is None:
            raise RuntimeError("GPForecaster.sample called before fit")
        n = min(len(y_hist), self.max_history or len(y_hist))
        if n != self._n_hist:  # the caller always refits per origin for GP; guard against misuse
            self.fit(y_hist)
            n = self._n_hist
        t_future = ((n + np.arange(horizon)) * self.time_step)[:, None]
        draws = self.gp_.sample_y(t_future, n_samples=n_samples, random_state=int(rng.integers(2**31 - 1)))
        return np.asarray(draws, dtype=np.float64).reshape(horizon, n_samples).T

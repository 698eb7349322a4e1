"""Shared machinery of the neural forecasters (DeepAR, TCN, ConvTrans): options, training, batched sampling.

A neural forecaster is trained once (``trains_once = True``) on the training interval of one series (one
model per clustered or macro series, as in the paper) with :func:`mixseq.nn.training.train_gaussian_net`
and then forecasts from every rolling origin with the true history up to that origin.

Forecasting from origin ``o``: the context is the last ``min(context_length, o)`` observed values, scaled by
their :func:`~mixseq.nn.scaling.series_scale` ``v``; paths are drawn by ancestral sampling
(:func:`mixseq.nn.sampling.ancestral_sample`) and multiplied by ``v``. :meth:`sample_origins` batches all
origins and all samples into one autoregressive pass (chunked to ``sample_batch`` paths).

Lengths are in periods of the series' frequency (read from the dates, :func:`mixseq.data.frequency.dates_freq`);
``None`` takes the per-frequency default of :data:`FREQ_DEFAULTS` (daily: the values below). With the defaults, a
history too short for one window (e.g. 30 quarters) gets a shorter window: ``prediction_length`` at most a
quarter of the history, ``context_length`` at most the rest (:meth:`NeuralForecaster.window_lengths`); lengths set
explicitly are kept, and a history shorter than them is an error.

Options (default; source) — see also ``docs/forecasting.md``:

- ``context_length`` (daily 60; ours: two 30-day horizons, eight weeks) periods conditioning each window
- ``prediction_length`` (daily 30; paper's horizon) periods predicted per training window
- ``epochs`` (500; paper §5.2), ``batch_size`` (128; paper §5.2)
- ``lr`` (1e-3; not given for the forecasters), ``weight_decay`` (1e-5; §5.1 value), ``dropout`` (0.1; §5.1)
- ``hidden`` (16; paper §5.2) units / channels / d_model
- ``min_scale`` (0.0) floor added to sigma in scaled units, for series with repeated exact zeros
- ``val_days`` (daily 60; "last two months") held-out periods; 0 = no validation
- ``patience`` (None) early-stopping patience in epochs; None = run all epochs, keep the best-validation state
- ``windows_per_epoch`` (None = every training window once), ``grad_clip`` (10.0)
- ``device`` ("auto": CUDA when visible), ``threads`` (None), ``log_path`` (None; per-epoch TSV
  ``epoch, train_nll, val_nll, seconds``), ``sample_batch`` (20000 paths per pass), ``progress`` (True)
- ``likelihood`` ("gaussian"; paper eq. 6) output head: ``"gaussian"`` or ``"hurdle_softplus_normal"`` (a point
  mass at 0 plus softplus of a Gaussian, :mod:`mixseq.nn.heads`; non-negative samples; training data must have
  no negative value)
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from mixseq.data.covariates import N_DATE_FEATURES, date_features, future_dates, n_date_features
from mixseq.data.frequency import dates_freq, freq_kind
from mixseq.forecast.base import Forecaster
from mixseq.forecast.neural_options import NEURAL_DEFAULTS, neural_spec
from mixseq.nn.sampling import ancestral_sample
from mixseq.nn.scaling import series_scale
from mixseq.nn.training import train_gaussian_net
from mixseq.options import OptionSpec
from mixseq.utils import seed_everything, set_torch_threads, torch_device

log = logging.getLogger(__name__)

#: ``(context_length, prediction_length, val_days)`` in periods, per frequency kind, when the options are None.
#: Daily: the paper's setting; others: about two seasons of context, one horizon-sized prediction part.
FREQ_DEFAULTS: dict[str, tuple[int, int, int]] = {
    "h": (168, 24, 336),  # one week of context, one day ahead, two weeks held out
    "D": (60, 30, 60),  # the paper's daily setting
    "B": (60, 30, 60),  # business days: as daily
    "W": (52, 13, 26),  # a year of context, a quarter ahead, half a year held out
    "M": (24, 12, 12),  # two years of context, a year ahead, a year held out
    "Q": (8, 4, 4),  # two years of context, a year ahead, a year held out
    "Y": (4, 1, 0),
}

#: input width on daily data: the lagged scaled value plus the date covariates.
IN_DIM = 1 + N_DATE_FEATURES


class NeuralForecaster(Forecaster):
    """Base class: subclasses set ``name``, ``extra_defaults`` and implement :meth:`build_net`."""

    trains_once = True
    extra_defaults: dict[str, Any] = {}

    @classmethod
    def option_spec(cls) -> OptionSpec:
        """:data:`NEURAL_DEFAULTS` and ``extra_defaults``, typed by their values."""
        return neural_spec(cls.extra_defaults)

    def __init__(self, seed: int = 0, **options: Any) -> None:
        super().__init__(seed=seed, **options)
        self.options = {**NEURAL_DEFAULTS, **self.extra_defaults, **options}
        self.net: nn.Module | None = None
        self.train_summary: dict[str, Any] | None = None
        self.freq_ = "D"

    @abstractmethod
    def build_net(self, in_dim: int) -> nn.Module:
        """Return a fresh net with ``forward(x: [B, T, in_dim]) -> (mu, sigma, ...)`` (the ``likelihood`` head)."""

    @property
    def device(self) -> str:
        return torch_device(self.options["device"])

    @property
    def max_len(self) -> int:
        """Longest input sequence seen in training (a window gives ``L - 1`` inputs)."""
        return int(self.options["context_length"] + self.options["prediction_length"] - 1)

    def window_lengths(self, n: int, freq: str) -> tuple[int, int, int]:
        """``(context_length, prediction_length, val_days)`` for a history of ``n`` periods at ``freq``.

        ``None`` options take :data:`FREQ_DEFAULTS`; when both lengths are defaults and ``n`` is shorter than one
        window, the prediction part is cut to ``max(1, n // 4)`` and the context to the rest (a warning says so).
        Explicit lengths are kept (training then raises on a too-short history).
        """
        o = self.options
        dc, dp, dv = FREQ_DEFAULTS[freq_kind(freq)]
        c = dc if o["context_length"] is None else int(o["context_length"])
        p = dp if o["prediction_length"] is None else int(o["prediction_length"])
        v = dv if o["val_days"] is None else int(o["val_days"])
        defaults = o["context_length"] is None and o["prediction_length"] is None
        if defaults and 2 <= n < c + p:
            p2 = min(p, max(1, n // 4))
            c2 = max(1, min(c, n - p2))
            log.warning("%s: history of %d periods is shorter than one window (context %d + prediction %d); "
                        "using context %d + prediction %d", self.name, n, c, p, c2, p2)
            c, p = c2, p2
        return c, p, v

    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex) -> NeuralForecaster:
        """Train a fresh net on windows of ``y`` (see :mod:`mixseq.nn.training`).

        The frequency of ``dates`` sets the date covariates and the default window lengths; the resolved
        lengths are written back into ``options`` (sampling uses the same context length).
        """
        o = self.options
        y = np.asarray(y, dtype=np.float32)
        if o["likelihood"] != "gaussian" and (y < 0).any():
            i = int(np.flatnonzero(y < 0)[0])
            raise ValueError(
                f"{self.name}: option likelihood={o['likelihood']!r} needs non-negative data, but the training "
                f"series has {int((y < 0).sum())} negative value(s) (first: {float(y[i]):g} on "
                f"{pd.DatetimeIndex(dates)[i].date()}); use likelihood='gaussian'"
            )
        set_torch_threads(o["threads"])
        seed_everything(self.seed)
        dates = pd.DatetimeIndex(dates)
        self.freq_ = dates_freq(dates)
        c, p, v = self.window_lengths(len(dates), self.freq_)
        o.update(context_length=c, prediction_length=p, val_days=v)
        self.net = self.build_net(1 + n_date_features(self.freq_))
        self.train_summary = train_gaussian_net(
            self.net,
            y,
            date_features(dates, self.freq_),
            context_length=int(o["context_length"]),
            prediction_length=int(o["prediction_length"]),
            epochs=int(o["epochs"]),
            batch_size=int(o["batch_size"]),
            lr=float(o["lr"]),
            weight_decay=float(o["weight_decay"]),
            val_days=int(o["val_days"]),
            patience=None if o["patience"] is None else int(o["patience"]),
            windows_per_epoch=o["windows_per_epoch"],
            grad_clip=o["grad_clip"],
            device=self.device,
            seed=self.seed,
            log_path=o["log_path"],
            desc=self.name,
            show_progress=bool(o["progress"]),
        )
        return self

    def sample(
        self,
        y_hist: np.ndarray,
        dates_hist: pd.DatetimeIndex,
        horizon: int,
        n_samples: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """``[n_samples, horizon]`` draws after ``y_hist`` (original scale)."""
        y_hist = np.asarray(y_hist)
        return self.sample_origins(y_hist, dates_hist, [len(y_hist)], horizon, n_samples, rng)[0]

    def sample_origins(
        self,
        y: np.ndarray,
        dates: pd.DatetimeIndex,
        origins: list[int],
        horizon: int,
        n_samples: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """``[n_origins, n_samples, horizon]``: all origins and samples in one (chunked) ancestral pass.

        Origin ``o`` sees only ``y[:o]`` (its last ``context_length`` values) and the dates, never ``y[o:]``.
        """
        if self.net is None:
            raise RuntimeError(f"{self.name}: call fit() before sampling")
        y = np.asarray(y, dtype=np.float64)
        dates = pd.DatetimeIndex(dates)
        c_max = int(self.options["context_length"])
        dev = self.device
        gen = torch.Generator(device=dev)
        gen.manual_seed(int(rng.integers(0, 2**63 - 1)))
        out = np.empty((len(origins), n_samples, horizon), dtype=np.float64)
        groups: dict[int, list[int]] = {}
        for i, o in enumerate(origins):
            if not 1 <= o <= len(y):
                raise ValueError(f"{self.name}: origin {o} outside 1..{len(y)}")
            groups.setdefault(min(c_max, int(o)), []).append(i)
        per_pass = max(1, int(self.options["sample_batch"]) // max(n_samples, 1))
        self.net.to(dev)
        for c, idx in sorted(groups.items()):
            for j in range(0, len(idx), per_pass):
                chunk = idx[j : j + per_pass]
                ctx = np.stack([y[origins[i] - c : origins[i]] for i in chunk])  # [b, c]
                scale = series_scale(ctx, axis=1)  # [b, 1]
                cov = np.stack(
                    [
                        np.concatenate(
                            [
                                date_features(dates[origins[i] - c : origins[i]], self.freq_),
                                date_features(future_dates(dates[origins[i] - 1], horizon, self.freq_), self.freq_),
                            ]
                        )
                        for i in chunk
                    ]
                )
                draws = ancestral_sample(
                    self.net,
                    torch.as_tensor(ctx / scale, dtype=torch.float32, device=dev),
                    torch.as_tensor(cov, dtype=torch.float32, device=dev),
                    horizon,
                    n_samples,
                    gen,
                    max_len=self.max_len,
                )
                out[chunk] = draws.double().cpu().numpy() * scale[:, :, None]
        return out

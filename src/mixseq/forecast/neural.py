"""Shared machinery of the neural forecasters (DeepAR, TCN, ConvTrans): options, training, batched sampling.

A neural forecaster is trained once (``trains_once = True``) on the training interval of one series (one
model per clustered or macro series, as in the paper) with :func:`mixseq.nn.training.train_gaussian_net`
and then forecasts from every rolling origin with the true history up to that origin.

Forecasting from origin ``o``: the context is the last ``min(context_length, o)`` observed values, scaled by
their :func:`~mixseq.nn.scaling.series_scale` ``v``; paths are drawn by ancestral sampling
(:func:`mixseq.nn.sampling.ancestral_sample`) and multiplied by ``v``. :meth:`sample_origins` batches all
origins and all samples into one autoregressive pass (chunked to ``sample_batch`` paths).

Options (default; source) — see also ``docs/forecasting.md``:

- ``context_length`` (60; ours: two 30-day horizons, eight weeks) days conditioning each window
- ``prediction_length`` (30; paper's horizon) days predicted per training window
- ``epochs`` (500; paper §5.2), ``batch_size`` (128; paper §5.2)
- ``lr`` (1e-3; not given for the forecasters), ``weight_decay`` (1e-5; §5.1 value), ``dropout`` (0.1; §5.1)
- ``hidden`` (16; paper §5.2) units / channels / d_model
- ``min_scale`` (0.0) floor added to sigma in scaled units, for series with repeated exact zeros
- ``val_days`` (60; "last two months") held-out days; 0 = no validation
- ``patience`` (None) early-stopping patience in epochs; None = run all epochs, keep the best-validation state
- ``windows_per_epoch`` (None = every training window once), ``grad_clip`` (10.0)
- ``device`` ("auto": CUDA when visible), ``threads`` (None), ``log_path`` (None; per-epoch TSV
  ``epoch, train_nll, val_nll, seconds``), ``sample_batch`` (20000 paths per pass), ``progress`` (True)
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from mixseq.data.covariates import N_DATE_FEATURES, date_features, future_dates
from mixseq.forecast.base import Forecaster
from mixseq.nn.sampling import ancestral_sample
from mixseq.nn.scaling import series_scale
from mixseq.nn.training import train_gaussian_net
from mixseq.options import OptionSpec, spec_from_defaults
from mixseq.utils import seed_everything, set_torch_threads, torch_device

log = logging.getLogger(__name__)

NEURAL_DEFAULTS: dict[str, Any] = {
    "context_length": 60,
    "prediction_length": 30,
    "epochs": 500,
    "batch_size": 128,
    "lr": 1e-3,
    "weight_decay": 1e-5,
    "dropout": 0.1,
    "min_scale": 0.0,
    "hidden": 16,
    "val_days": 60,
    "patience": None,
    "windows_per_epoch": None,
    "grad_clip": 10.0,
    "device": "auto",
    "threads": None,
    "log_path": None,
    "sample_batch": 20000,
    "progress": True,
}

#: input width: the lagged scaled value plus the date covariates.
IN_DIM = 1 + N_DATE_FEATURES


class NeuralForecaster(Forecaster):
    """Base class: subclasses set ``name``, ``extra_defaults`` and implement :meth:`build_net`."""

    trains_once = True
    extra_defaults: dict[str, Any] = {}

    @classmethod
    def option_spec(cls) -> OptionSpec:
        """:data:`NEURAL_DEFAULTS` and ``extra_defaults``, typed by their values."""
        return spec_from_defaults(
            {**NEURAL_DEFAULTS, **cls.extra_defaults},
            {"patience": int | None, "windows_per_epoch": int | None, "threads": int | None, "log_path": str | None},
        )

    def __init__(self, seed: int = 0, **options: Any) -> None:
        super().__init__(seed=seed, **options)
        self.options = {**NEURAL_DEFAULTS, **self.extra_defaults, **options}
        self.net: nn.Module | None = None
        self.train_summary: dict[str, Any] | None = None

    @abstractmethod
    def build_net(self, in_dim: int) -> nn.Module:
        """Return a fresh net with ``forward(x: [B, T, in_dim]) -> (mu, sigma)``."""

    @property
    def device(self) -> str:
        return torch_device(self.options["device"])

    @property
    def max_len(self) -> int:
        """Longest input sequence seen in training (a window gives ``L - 1`` inputs)."""
        return int(self.options["context_length"] + self.options["prediction_length"] - 1)

    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex) -> NeuralForecaster:
        """Train a fresh net on windows of ``y`` (see :mod:`mixseq.nn.training`)."""
        o = self.options
        set_torch_threads(o["threads"])
        seed_everything(self.seed)
        self.net = self.build_net(IN_DIM)
        self.train_summary = train_gaussian_net(
            self.net,
            np.asarray(y, dtype=np.float32),
            pd.DatetimeIndex(dates),
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
                                date_features(dates[origins[i] - c : origins[i]]),
                                date_features(future_dates(dates[origins[i] - 1], horizon)),
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

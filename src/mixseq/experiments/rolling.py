"""Rolling-window evaluation (paper §3.2 and §5.2) and aggregation of cluster forecasts.

For every origin ``o`` in the test interval (stride ``stride``), a forecaster sees the true history
``y[:o]`` and forecasts ``y[o:o+horizon]``. Statistical forecasters (``trains_once = False``) are refitted
on ``y[:o]`` at every ``refit_every``-th origin and otherwise re-use their parameters on the longer
history; neural forecasters are trained once on the training interval and forecast from every origin.

Origins, ``horizon``, ``stride`` and ``refit_every`` are integer positions / counts of *periods* of the
panel's frequency (days for the paper's data, weeks for a weekly panel, ...); ``freq`` is attached to the dates
so that every forecaster sees it (seasons, covariates, future dates).

Each clustered series is forecast independently; the macro forecast is the index-wise sum of cluster
samples (supplement C.3), so its quantiles come from the distribution of sums.

Non-negative data (``evaluation.nonnegative``, docs/forecasting.md "Non-negative data"): when on for a clustered
series, its samples are *censored* at zero, ``max(0, y)``, before they are summed: the forecast distribution
becomes that of ``max(0, Y)`` (the mass of ``Y < 0`` moves to an atom at 0; nothing is redrawn, so this is
censoring, not truncation). ``auto`` turns it on for a series whose training history has no negative value.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mixseq.data.frequency import with_freq
from mixseq.evaluate.metrics import aggregate_samples, point_forecast, quantile_loss, sample_quantiles, smape
from mixseq.forecast.base import make_forecaster
from mixseq.utils import progress


def _stamp(ts: pd.Timestamp) -> str:
    """``YYYY-MM-DD`` for dates at midnight (daily and coarser), else ``YYYY-MM-DD HH:MM:SS`` (hourly)."""
    ts = pd.Timestamp(ts)
    return str(ts.date()) if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M:%S")


def rolling_origins(test_start: int, test_end: int, horizon: int, stride: int = 1) -> list[int]:
    """Origins ``o`` with ``test_start <= o`` and ``o + horizon <= test_end`` (``test_end`` exclusive).

    Every window lies wholly inside the test interval. Raises if none fits.
    """
    if horizon < 1 or stride < 1:
        raise ValueError(f"horizon and stride must be >= 1, got horizon={horizon}, stride={stride}")
    origins = list(range(test_start, test_end - horizon + 1, stride))
    if not origins:
        raise ValueError(
            f"no rolling window of horizon {horizon} fits in the test interval [{test_start}, {test_end})"
        )
    return origins


@dataclass
class RollingResult:
    """Forecasts of one run: macro samples ``[n_origins, n_samples, horizon]``, truth ``[n_origins, horizon]``."""

    origins: list[int]
    origin_dates: list[str]
    samples: np.ndarray
    truth: np.ndarray
    seconds: float
    info: dict[str, Any]

    def scores(self, quantiles: tuple[float, ...] = (0.5, 0.9)) -> dict[str, float]:
        out = {"smape": smape(self.truth, point_forecast(self.samples))}
        for rho in quantiles:
            out[f"r{rho:g}"] = quantile_loss(self.truth, sample_quantiles(self.samples, rho), rho)
        return out

    def to_frame(self) -> pd.DataFrame:
        """Long table: one row per (origin, sample) with lead columns ``h1..hH``; sample -1 holds the truth."""
        n_o, n_s, h = self.samples.shape
        lead_cols = [f"h{i + 1}" for i in range(h)]
        samp = pd.DataFrame(self.samples.reshape(n_o * n_s, h), columns=lead_cols)
        samp.insert(0, "sample", np.tile(np.arange(n_s), n_o))
        samp.insert(0, "origin", np.repeat(self.origin_dates, n_s))
        tru = pd.DataFrame(self.truth, columns=lead_cols)
        tru.insert(0, "sample", -1)
        tru.insert(0, "origin", self.origin_dates)
        return pd.concat([tru, samp], ignore_index=True)


def frame_to_arrays(df: pd.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Inverse of :meth:`RollingResult.to_frame`: ``(origin_dates, samples, truth)``."""
    lead_cols = [c for c in df.columns if c.startswith("h")]
    truth_df = df[df["sample"] == -1]
    origin_dates = truth_df["origin"].tolist()
    truth = truth_df[lead_cols].to_numpy(np.float64)
    s = df[df["sample"] >= 0].sort_values(["origin", "sample"], kind="stable")
    n_s = int(s["sample"].max()) + 1
    order = {o: i for i, o in enumerate(sorted(origin_dates))}
    samples = s[lead_cols].to_numpy(np.float64).reshape(len(order), n_s, len(lead_cols))
    idx = [order[o] for o in origin_dates]
    return origin_dates, samples[idx], truth


#: accepted values of ``evaluation.nonnegative``: ``"auto"`` (on when the training history has no negative
#: value), ``True`` (always on), ``False`` (off: samples as the forecaster drew them).
NONNEGATIVE_MODES: tuple[str | bool, ...] = ("auto", True, False)


def is_nonnegative_mode(mode: Any) -> bool:
    """Whether ``mode`` is one of :data:`NONNEGATIVE_MODES` (``1`` and ``0`` are not booleans here)."""
    return mode == "auto" if isinstance(mode, str) else isinstance(mode, bool)


def resolve_nonnegative(mode: str | bool, history: np.ndarray) -> bool:
    """Whether to censor the samples of a series at zero: ``mode`` itself, or for ``"auto"`` whether the
    training ``history`` has no negative value (NaN values are ignored).
    """
    if not is_nonnegative_mode(mode):
        raise ValueError(f"nonnegative: expected one of 'auto', true, false, got {mode!r}")
    if mode == "auto":
        h = np.asarray(history, dtype=np.float64)
        return not bool(np.any(h[~np.isnan(h)] < 0))
    return bool(mode)


def censor_at_zero(samples: np.ndarray) -> np.ndarray:
    """Samples of ``max(0, Y)`` from samples of ``Y``: negative values become 0, the rest (and NaN) stay."""
    s = np.asarray(samples, dtype=np.float64)
    return np.where(s < 0, 0.0, s)


def nonnegative_samples(samples: np.ndarray, on: bool, mode: str | bool, label: str,
                        log: logging.Logger | None = None) -> np.ndarray:
    """``samples`` censored at zero when ``on``; logs the mode and how many samples were below zero."""
    n_neg = int(np.count_nonzero(samples < 0))
    if log:
        log.info("%s: nonnegative=%s -> %s (%d of %d samples below 0)", label, mode,
                 "censored at 0" if on else "off", n_neg, samples.size)
    return censor_at_zero(samples) if on and n_neg else samples


def forecast_series(
    y: np.ndarray, dates: pd.DatetimeIndex, origins: list[int], horizon: int, n_samples: int, forecaster: str,
    options: dict[str, Any], seed: int, train_end: int, refit_every: int = 1, log: logging.Logger | None = None,
    desc: str = "",
) -> np.ndarray:
    """Forecast one series from every origin: ``[n_origins, n_samples, horizon]`` on the original scale."""
    rng = np.random.default_rng(seed)
    model = make_forecaster(forecaster, seed=seed, **options)
    if model.trains_once:
        model.fit(y[:train_end], dates[:train_end])
        return model.sample_origins(y, dates, origins, horizon, n_samples, rng)
    out = np.empty((len(origins), n_samples, horizon), dtype=np.float64)
    for i, o in enumerate(progress(origins, desc=desc or forecaster, leave=False)):
        if i % max(1, refit_every) == 0:
            model = make_forecaster(forecaster, seed=seed, **options).fit(y[:o], dates[:o])
        out[i] = model.sample(y[:o], dates[:o], horizon, n_samples, rng)
    return out


def rolling_forecast(
    cluster_series: np.ndarray, dates: pd.DatetimeIndex, test_start: int, test_end: int, train_end: int,
    horizon: int, stride: int, n_samples: int, forecaster: str, options: dict[str, Any] | None = None,
    seed: int = 0, refit_every: int = 1, log: logging.Logger | None = None, freq: str | None = None,
    nonnegative: str | bool = False,
) -> RollingResult:
    """Forecast each clustered series ``[K, T]`` on rolling windows and sum samples into the macro forecast.

    ``freq``: the panel's frequency alias, attached to ``dates`` (``None``: the dates' own or inferred one).
    ``nonnegative``: ``"auto"``, ``True`` or ``False`` (:func:`resolve_nonnegative` on ``series[:train_end]``);
    when on for a cluster, its samples are censored at zero before the sum. ``info["nonnegative"]`` lists the
    resolved setting per cluster.
    """
    if not is_nonnegative_mode(nonnegative):
        raise ValueError(f"nonnegative: expected one of 'auto', true, false, got {nonnegative!r}")
    options = dict(options or {})
    dates = with_freq(dates, freq)
    cluster_series = np.atleast_2d(np.asarray(cluster_series, dtype=np.float64))
    origins = rolling_origins(test_start, test_end, horizon, stride)
    macro = cluster_series.sum(axis=0)
    t0 = time.perf_counter()
    per_cluster = []
    censored = []
    for k in range(cluster_series.shape[0]):
        if log:
            log.info("cluster %d/%d: %s on %d origins", k + 1, cluster_series.shape[0], forecaster, len(origins))
        if not np.any(cluster_series[k]):
            # an empty cluster (no member series, or members that are all zero) adds exactly zero to the macro
            # sum: no model is fitted to it
            if log:
                log.info("cluster %d is empty (all zeros): contributes 0", k)
            per_cluster.append(np.zeros((len(origins), n_samples, horizon)))
            censored.append(False)
            continue
        opts = dict(options)
        if opts.get("log_path"):  # one per-epoch training log per clustered series
            p = str(opts["log_path"])
            opts["log_path"] = (p[: -len(".tsv")] if p.endswith(".tsv") else p) + f".cluster{k}.tsv"
        draws = forecast_series(cluster_series[k], dates, origins, horizon, n_samples, forecaster, opts,
                                seed * 1000 + k, train_end, refit_every, log, desc=f"{forecaster} cluster {k}")
        on = resolve_nonnegative(nonnegative, cluster_series[k, :train_end])
        per_cluster.append(nonnegative_samples(draws, on, nonnegative, f"cluster {k}", log))
        censored.append(on)
    samples = aggregate_samples(np.stack(per_cluster))
    truth = np.stack([macro[o:o + horizon] for o in origins])
    return RollingResult(
        origins=origins, origin_dates=[_stamp(dates[o]) for o in origins], samples=samples, truth=truth,
        seconds=time.perf_counter() - t0, info={"n_clusters": int(cluster_series.shape[0]), "nonnegative": censored},
    )

"""Forecast the periods after the data end: refit on all data, sum cluster samples into the macro forecast.

:func:`forecast_future` is the package side of the workflow's ``future`` target. Given a panel, a cluster
label per series and a forecaster, it

1. aggregates the microscopic series into ``K`` clustered series (``Panel.aggregate``),
2. fits the forecaster on *all* periods of each clustered series (training, validation and test interval:
   nothing is held back for scoring any more; neural forecasters still hold out their ``val_days`` for
   early-stopping selection inside ``fit``),
3. draws ``n_samples`` paths for the ``horizon`` periods after the last date (first future date = last date
   plus one period of ``panel.freq``), with the same per-cluster seeds as the rolling evaluation
   (``seed * 1000 + k``),
4. sums cluster sample ``j`` over clusters into macro sample ``j`` (quantiles of the sum, never sums of
   quantiles) and summarises each series by its mean and empirical quantiles.

An all-zero clustered series (an empty cluster) contributes exactly zero, as in the rolling evaluation.
``nonnegative`` censors a cluster's samples at zero before the sum, as in the rolling evaluation
(:func:`mixseq.experiments.rolling.resolve_nonnegative` on all periods of the series, which are its training
history here).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mixseq.data.frequency import future_dates, with_freq
from mixseq.data.panel import Panel
from mixseq.evaluate.metrics import aggregate_samples
from mixseq.experiments.rolling import is_nonnegative_mode, nonnegative_samples, resolve_nonnegative
from mixseq.forecast.base import make_forecaster

#: quantiles always reported, whatever the config's ``quantiles`` (the 10-90 % fan and the median).
BASE_QUANTILES = (0.1, 0.5, 0.9)


def quantile_levels(configured: Sequence[float] = ()) -> list[float]:
    """Sorted union of ``configured`` and :data:`BASE_QUANTILES`."""
    levels = sorted({round(float(q), 6) for q in (*configured, *BASE_QUANTILES)})
    bad = [q for q in levels if not 0.0 < q < 1.0]
    if bad:
        raise ValueError(f"quantiles must lie in (0, 1), got {bad}")
    return levels


def quantile_column(rho: float) -> str:
    """``0.1 -> "q0.1"``."""
    return f"q{rho:g}"


@dataclass
class FutureForecast:
    """Samples of one future forecast: ``macro [n_samples, horizon]``, ``clusters [K, n_samples, horizon]``."""

    dates: pd.DatetimeIndex
    macro: np.ndarray
    clusters: np.ndarray

    def to_frame(self, quantiles: Sequence[float] = ()) -> pd.DataFrame:
        """Tidy table: ``date``, ``series`` (``macro``, then cluster ids ``0..K-1``), ``mean``, ``q<rho>``."""
        levels = quantile_levels(quantiles)
        parts = []
        for name, samples in [("macro", self.macro)] + [(str(k), s) for k, s in enumerate(self.clusters)]:
            part = pd.DataFrame({"date": self.dates, "series": name, "mean": samples.mean(axis=0)})
            qs = np.quantile(samples, levels, axis=0)  # [n_levels, horizon]
            for rho, q in zip(levels, qs, strict=True):
                part[quantile_column(rho)] = q
            parts.append(part)
        return pd.concat(parts, ignore_index=True)


def forecast_future(
    panel: Panel,
    labels: np.ndarray,
    n_clusters: int,
    forecaster: str,
    options: dict[str, Any] | None,
    horizon: int,
    n_samples: int,
    seed: int = 0,
    log: logging.Logger | None = None,
    nonnegative: str | bool = False,
) -> FutureForecast:
    """Refit ``forecaster`` on every clustered series over all of ``panel`` and sample ``horizon`` periods ahead.

    ``labels``: cluster ``0..n_clusters-1`` per series of ``panel`` (``macro``: all zeros, ``n_clusters=1``).
    ``nonnegative``: ``"auto"``, ``True`` or ``False``; when on for a cluster, its samples are censored at zero.
    """
    if horizon < 1 or n_samples < 1:
        raise ValueError(f"horizon and n_samples must be >= 1, got horizon={horizon}, n_samples={n_samples}")
    if not is_nonnegative_mode(nonnegative):
        raise ValueError(f"nonnegative: expected one of 'auto', true, false, got {nonnegative!r}")
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= n_clusters):
        raise ValueError(f"cluster labels must lie in 0..{n_clusters - 1}, got {labels.min()}..{labels.max()}")
    clustered = panel.aggregate(labels, n_clusters)
    dates = with_freq(panel.dates, panel.freq)
    out = np.zeros((n_clusters, n_samples, horizon), dtype=np.float64)
    for k in range(n_clusters):
        y = clustered[k]
        if not np.any(y):
            if log:
                log.info("cluster %d is empty (all zeros): contributes 0", k)
            continue
        s = seed * 1000 + k
        if log:
            log.info("cluster %d/%d: fitting %s on %d periods (%s..%s)", k + 1, n_clusters, forecaster, y.size,
                     dates[0], dates[-1])
        model = make_forecaster(forecaster, seed=s, **dict(options or {})).fit(y, dates)
        draws = model.sample(y, dates, horizon, n_samples, np.random.default_rng(s))
        out[k] = nonnegative_samples(draws, resolve_nonnegative(nonnegative, y), nonnegative, f"cluster {k}", log)
    return FutureForecast(dates=future_dates(dates[-1], horizon, panel.freq), macro=aggregate_samples(out),
                          clusters=out)


def choose_candidate(selection: pd.DataFrame, dataset: str, fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run to forecast the future with: the best validation row of ``dataset`` in ``selection``.

    ``selection`` is ``results/selection.tsv`` (one row per dataset, method base, forecaster base and seed: the
    chosen ``method`` alias, ``k``, ``forecaster`` alias and the validation score ``val_<metric>``). Rows are
    first restricted to those matching the keys given in ``fixed`` (``method``, ``k``, ``forecaster``: an alias
    or a base name); the row with the lowest validation score wins (first row on ties). Returns ``method``,
    ``k``, ``forecaster``, ``seed``, ``metric`` and ``val_score``.
    """
    fixed = {k: v for k, v in (fixed or {}).items() if v is not None}
    val_cols = [c for c in selection.columns if c.startswith("val_")]
    if len(val_cols) != 1:
        raise ValueError(f"selection table: expected one 'val_<metric>' column, got {val_cols}")
    rows = selection[selection["dataset"] == dataset]
    for key in ("method", "forecaster"):
        if key in fixed:
            want = str(fixed[key])
            rows = rows[(rows[key] == want) | (rows[f"{key}_base"] == want)]
    if "k" in fixed:
        rows = rows[rows["k"].astype(int) == int(fixed["k"])]
    rows = rows[rows[val_cols[0]].notna()]
    if rows.empty:
        raise ValueError(f"selection table has no validated run for dataset '{dataset}' matching {fixed}: with "
                         "realdata.validation 'auto' a run with no alternative is not scored on validation unless "
                         "'future' is in config targets; add it there, set realdata.validation: always, or name "
                         "future.method, future.k and future.forecaster")
    best = rows.loc[rows[val_cols[0]].idxmin()]
    return {"method": str(best["method"]), "k": int(best["k"]), "forecaster": str(best["forecaster"]),
            "seed": int(best["seed"]), "metric": val_cols[0][len("val_"):], "val_score": float(best[val_cols[0]])}


def plot_future(
    history: np.ndarray,
    history_dates: pd.DatetimeIndex,
    forecast: pd.DataFrame,
    title: str,
    ylabel: str,
    path: str,
    n_history: int,
) -> None:
    """PNG of the macro history's last ``n_history`` periods and the future fan (median, 10-90 % band).

    ``forecast`` is :meth:`FutureForecast.to_frame` output; only its ``macro`` rows are drawn. The data end is
    marked by a dashed vertical line and labelled on the plot, so the figure reads without its legend.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mixseq.report.figures import save

    fut = forecast[forecast["series"] == "macro"]
    hd = pd.DatetimeIndex(history_dates)[-n_history:]
    hv = np.asarray(history, dtype=np.float64)[-n_history:]
    fd = pd.DatetimeIndex(fut["date"])
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.plot(hd, hv, color="black", lw=1.2, label="observed macro total")
    # join the fan to the last observation so the median line starts at the data end
    ax.fill_between(fd, fut["q0.1"], fut["q0.9"], color="tab:blue", alpha=0.25, label="forecast 10-90 % band")
    ax.plot(np.r_[hd[-1:], fd], np.r_[hv[-1:], fut["q0.5"].to_numpy()], color="tab:blue", lw=1.8,
            label="forecast median")
    ax.axvline(hd[-1], color="grey", ls="--", lw=1)
    ax.annotate(f"data end {hd[-1]:%Y-%m-%d}", xy=(hd[-1], 1.0), xycoords=("data", "axes fraction"),
                xytext=(-4, -12), textcoords="offset points", ha="right", fontsize=8, color="grey")
    ax.set_title(title)
    ax.set_xlabel("date")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="upper left")
    fig.autofmt_xdate()
    save(fig, path)

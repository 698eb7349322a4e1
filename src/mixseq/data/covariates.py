"""Date covariates ``o_t`` known a priori (paper §2.1), chosen by the panel's frequency, scaled to [-0.5, 0.5].

========  ===============================================  =====
kind      features                                         width
========  ===============================================  =====
hourly    hour of day, day of week                         2
daily     day of week, day of month, month (the paper's)   3
business  as daily (business days ``B``)                   3
weekly    ISO week of year, month                          2
monthly   month                                            1
quarterly quarter                                          1
yearly    none                                             0
========  ===============================================  =====

The frequency is given explicitly or read from the dates (:func:`mixseq.data.frequency.dates_freq`: the
attached ``freq``, else inferred, else daily), so daily panels get exactly the paper's three features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixseq.data.frequency import dates_freq, freq_kind
from mixseq.data.frequency import future_dates as _future_dates

#: width of the daily features (the paper's data); other frequencies: :func:`n_date_features`.
N_DATE_FEATURES = 3

_WIDTH = {"h": 2, "D": 3, "B": 3, "W": 2, "M": 1, "Q": 1, "Y": 0}


def n_date_features(freq: str = "D") -> int:
    """Number of date covariates for ``freq`` (hourly 2, daily 3, weekly 2, monthly 1, quarterly 1, yearly 0)."""
    return _WIDTH[freq_kind(freq)]


def date_features(dates: pd.DatetimeIndex | pd.Series, freq: str | None = None) -> np.ndarray:
    """Return float32 ``[T, n_date_features(freq)]`` calendar features, each scaled to [-0.5, 0.5].

    ``freq`` defaults to the dates' own (attached or inferred; daily when neither). Daily: day-of-week,
    day-of-month, month-of-year, as in the paper.
    """
    d = pd.DatetimeIndex(dates)
    kind = freq_kind(freq if freq is not None else dates_freq(d))
    if kind in ("D", "B"):
        cols = [d.day_of_week / 6.0 - 0.5, (d.day - 1) / 30.0 - 0.5, (d.month - 1) / 11.0 - 0.5]
    elif kind == "h":
        cols = [d.hour / 23.0 - 0.5, d.day_of_week / 6.0 - 0.5]
    elif kind == "W":
        week = d.isocalendar().week.to_numpy(dtype=np.float64)
        cols = [(week - 1) / 52.0 - 0.5, (d.month - 1) / 11.0 - 0.5]
    elif kind == "M":
        cols = [(d.month - 1) / 11.0 - 0.5]
    elif kind == "Q":
        cols = [(d.quarter - 1) / 3.0 - 0.5]
    else:
        return np.zeros((len(d), 0), dtype=np.float32)
    return np.stack([np.asarray(c, dtype=np.float64) for c in cols], axis=1).astype(np.float32)


def future_dates(last: pd.Timestamp, horizon: int, freq: str = "D") -> pd.DatetimeIndex:
    """The ``horizon`` dates following ``last`` (one period of ``freq`` apart; daily by default)."""
    return _future_dates(last, horizon, freq)

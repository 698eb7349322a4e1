"""Date covariates ``o_t`` known a priori (paper §2.1): day of week, day of month, month, scaled to [-0.5, 0.5]."""

from __future__ import annotations

import numpy as np
import pandas as pd

N_DATE_FEATURES = 3


def date_features(dates: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """Return float32 ``[T, 3]``: day-of-week, day-of-month, month-of-year, each scaled to [-0.5, 0.5]."""
    d = pd.DatetimeIndex(dates)
    feats = np.stack(
        [d.day_of_week / 6.0 - 0.5, (d.day - 1) / 30.0 - 0.5, (d.month - 1) / 11.0 - 0.5], axis=1
    )
    return feats.astype(np.float32)


def future_dates(last: pd.Timestamp, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` daily dates following ``last``."""
    return pd.date_range(pd.Timestamp(last) + pd.Timedelta(days=1), periods=horizon, freq="D")

"""The panel's sampling frequency: what each step derives from it.

A panel stores its frequency as a pandas alias (``panel.freq``: ``"D"``, ``"h"``, ``"W-FRI"``, ``"MS"``,
``"QE-DEC"``, ...). Horizons, strides, seasons, context lengths and validation windows are counted in
*periods* of that frequency. The forecasters see the frequency through their ``dates`` argument: the rolling
driver attaches it (:func:`with_freq`), and :func:`dates_freq` reads it back (or infers it from the dates).

Supported kinds (:func:`freq_kind`) and what follows from them (see ``docs/forecasting.md``):

====  ===============  ======  =========================================
kind  example aliases  season  date covariates (:mod:`mixseq.data.covariates`)
====  ===============  ======  =========================================
h     ``h``            24      hour of day, day of week
D     ``D``            7       day of week, day of month, month (the paper's)
B     ``B``            5       as daily (business days)
W     ``W``, ``W-FRI``  52      week of year, month
M     ``MS``, ``ME``   12      month
Q     ``QS``, ``QE``   4       quarter
Y     ``YS``, ``YE``   1       none
====  ===============  ======  =========================================
"""

from __future__ import annotations

import warnings

import pandas as pd
from pandas.tseries.frequencies import to_offset

#: natural seasonal period (in periods) of each frequency kind.
SEASON: dict[str, int] = {"h": 24, "D": 7, "B": 5, "W": 52, "M": 12, "Q": 4, "Y": 1}

_KINDS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("h", (pd.offsets.Hour,)),
    ("D", (pd.offsets.Day,)),
    ("B", (pd.offsets.BusinessDay,)),
    ("W", (pd.offsets.Week,)),
    ("M", (pd.offsets.MonthBegin, pd.offsets.MonthEnd, pd.offsets.BusinessMonthBegin, pd.offsets.BusinessMonthEnd)),
    ("Q", (pd.offsets.QuarterBegin, pd.offsets.QuarterEnd, pd.offsets.BQuarterBegin, pd.offsets.BQuarterEnd)),
    ("Y", (pd.offsets.YearBegin, pd.offsets.YearEnd, pd.offsets.BYearBegin, pd.offsets.BYearEnd)),
)


def freq_kind(freq: str | pd.DateOffset) -> str:
    """``"h"``, ``"D"``, ``"B"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` for a pandas alias; raises on others.

    Only single periods are supported (``"W-FRI"`` yes, ``"2W"`` no); weekly data keep their anchor day.
    """
    try:
        off = to_offset(freq)
    except (ValueError, TypeError) as err:
        raise ValueError(f"frequency {freq!r} is not a pandas frequency alias ({err})") from None
    for kind, classes in _KINDS:
        if isinstance(off, classes):
            if off.n != 1:
                raise ValueError(f"frequency {freq!r}: multiples of a period are not supported; use "
                                 f"'{off.base.freqstr}' (one period)")
            return kind
    raise ValueError(f"frequency {freq!r} is not supported; use hourly 'h', daily 'D', business-daily 'B', "
                     "weekly 'W'/'W-FRI', monthly 'MS'/'ME', quarterly 'QS'/'QE' or yearly 'YS'/'YE'")


def season_length(freq: str | pd.DateOffset) -> int:
    """The natural seasonal period of ``freq``: h 24, D 7, B 5, W 52, M 12, Q 4, Y 1."""
    return SEASON[freq_kind(freq)]


def dates_freq(dates: pd.DatetimeIndex, default: str = "D") -> str:
    """The frequency alias of ``dates``: the attached ``dates.freq``, else inferred, else ``default``.

    ``default`` (daily) covers histories too short to infer from (fewer than 3 dates).
    """
    d = pd.DatetimeIndex(dates)
    if d.freq is not None:
        return d.freqstr
    if len(d) >= 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pandas 3: infer_freq will return an offset
            warnings.simplefilter("ignore", DeprecationWarning)
            inferred = pd.infer_freq(d)
        if inferred is not None:
            return inferred if isinstance(inferred, str) else to_offset(inferred).freqstr
    return default


def with_freq(dates: pd.DatetimeIndex, freq: str | None) -> pd.DatetimeIndex:
    """``dates`` with ``freq`` attached (slices keep it), checked: raises if the dates do not follow ``freq``."""
    d = pd.DatetimeIndex(dates)
    if freq is None:
        return d
    freq_kind(freq)
    try:
        return pd.DatetimeIndex(d, freq=freq)
    except ValueError:
        bad = ""
        if len(d) >= 2:
            off = to_offset(freq)
            nxt = d[:-1] + off
            i = int((nxt != d[1:]).argmax())
            bad = f"; first break: {d[i].date()} -> {d[i + 1].date()} (expected {nxt[i].date()})"
        raise ValueError(f"dates {d[0]}..{d[-1]} do not follow frequency {freq!r}{bad}") from None


def future_dates(last: pd.Timestamp, horizon: int, freq: str = "D") -> pd.DatetimeIndex:
    """The ``horizon`` dates after ``last``: the first is ``last`` plus one period of ``freq``."""
    off = to_offset(freq)
    start = pd.Timestamp(last) + off
    return pd.date_range(start, periods=horizon, freq=off)

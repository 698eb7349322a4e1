"""Every forecasting step follows the panel's frequency (hourly, daily, weekly W-FRI, monthly, quarterly) and
handles negative values; answers are checked against independent numpy/pandas computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mixseq.cluster._series import znormalise
from mixseq.data.covariates import date_features, future_dates, n_date_features
from mixseq.data.frequency import dates_freq, freq_kind, season_length, with_freq
from mixseq.evaluate.metrics import quantile_loss, smape
from mixseq.experiments.rolling import rolling_forecast
from mixseq.forecast.base import make_forecaster
from mixseq.nn.scaling import series_scale

# (alias, start, length of the generated series, horizon, expected season)
FREQS = [
    ("h", "2021-03-01 00:00", 24 * 12, 24, 24),
    ("D", "2021-03-01", 140, 7, 7),
    ("W-FRI", "2018-01-05", 160, 13, 52),
    ("MS", "2015-01-01", 72, 6, 12),
    ("QS", "2011-01-01", 40, 4, 4),
    ("QE", "2011-03-31", 40, 4, 4),
]
IDS = [f[0] for f in FREQS]


def seasonal_series(n: int, season: int, seed: int, negative: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 50 + 20 * np.sin(2 * np.pi * t / season) + 0.1 * t + rng.normal(0, 3, n)
    return y - 60 if negative else y


# ----------------------------------------------------------------- frequency helpers and future dates
@pytest.mark.parametrize(("freq", "start", "n", "h", "season"), FREQS, ids=IDS)
def test_future_dates_start_one_period_after_the_last(freq, start, n, h, season):
    dates = pd.date_range(start, periods=n, freq=freq)
    fut = future_dates(dates[-1], h, freq)
    longer = pd.date_range(start, periods=n + h, freq=freq)  # independent: one longer range
    assert list(fut) == list(longer[n:])
    assert fut[0] > dates[-1] and len(fut) == h
    assert season_length(freq) == season
    # the frequency is recovered from bare dates (as read back from a panel file)
    assert freq_kind(dates_freq(pd.DatetimeIndex(list(dates)))) == freq_kind(freq)


def test_future_dates_calendar_anchors():
    fri = pd.date_range("2020-01-03", periods=10, freq="W-FRI")
    assert all(d.day_name() == "Friday" for d in future_dates(fri[-1], 5, "W-FRI"))
    assert future_dates(pd.Timestamp("2020-12-31"), 2, "QE").strftime("%Y-%m-%d").tolist() == [
        "2021-03-31", "2021-06-30"]
    assert future_dates(pd.Timestamp("2020-10-01"), 2, "QS").strftime("%Y-%m-%d").tolist() == [
        "2021-01-01", "2021-04-01"]
    assert future_dates(pd.Timestamp("2020-01-31"), 2, "ME").strftime("%Y-%m-%d").tolist() == [
        "2020-02-29", "2020-03-31"]
    assert future_dates(pd.Timestamp("2020-01-01 23:00"), 2, "h").tolist() == [
        pd.Timestamp("2020-01-02 00:00"), pd.Timestamp("2020-01-02 01:00")]
    # daily default unchanged: the next calendar days
    assert future_dates(pd.Timestamp("2020-02-28"), 2).strftime("%Y-%m-%d").tolist() == ["2020-02-29", "2020-03-01"]


def test_unsupported_and_mismatched_frequencies_are_named():
    with pytest.raises(ValueError, match="'2W'.*multiples"):
        freq_kind("2W")
    with pytest.raises(ValueError, match="'bogus' is not a pandas frequency alias"):
        freq_kind("bogus")
    with pytest.raises(ValueError, match="'min' is not supported"):
        freq_kind("min")
    assert season_length("B") == 5 and n_date_features("B") == 3
    d = pd.DatetimeIndex(["2020-01-03", "2020-01-10", "2020-01-18"])
    with pytest.raises(ValueError, match="first break: 2020-01-10 -> 2020-01-18"):
        with_freq(d, "W-FRI")


# ----------------------------------------------------------------- covariates
def test_daily_covariates_are_the_papers():
    d = pd.date_range("2013-01-01", periods=800, freq="D")
    expect = np.stack([d.day_of_week / 6 - 0.5, (d.day - 1) / 30 - 0.5, (d.month - 1) / 11 - 0.5], axis=1)
    np.testing.assert_array_equal(date_features(d), expect.astype(np.float32))
    np.testing.assert_array_equal(date_features(pd.DatetimeIndex(list(d))), expect.astype(np.float32))
    np.testing.assert_array_equal(date_features(d[:2]), expect[:2].astype(np.float32))  # too short to infer: daily


@pytest.mark.parametrize(("freq", "start", "n", "h", "season"), FREQS, ids=IDS)
def test_covariates_follow_the_frequency(freq, start, n, h, season):
    d = pd.date_range(start, periods=n, freq=freq)
    f = date_features(d)
    kind = freq_kind(freq)
    expected = {
        "h": [d.hour / 23 - 0.5, d.day_of_week / 6 - 0.5],
        "D": [d.day_of_week / 6 - 0.5, (d.day - 1) / 30 - 0.5, (d.month - 1) / 11 - 0.5],
        "W": [(np.array([x.isocalendar()[1] for x in d]) - 1) / 52 - 0.5, (d.month - 1) / 11 - 0.5],
        "M": [(d.month - 1) / 11 - 0.5],
        "Q": [(d.quarter - 1) / 3 - 0.5],
    }[kind]
    assert f.shape == (n, n_date_features(freq)) == (n, len(expected))
    np.testing.assert_allclose(f, np.stack([np.asarray(c, float) for c in expected], axis=1), atol=1e-6)
    assert f.min() >= -0.5 and f.max() <= 0.5
    np.testing.assert_array_equal(date_features(pd.DatetimeIndex(list(d)), freq), f)  # explicit == inferred


# ----------------------------------------------------------------- seasonal naive against a hand computation
def hand_seasonal_naive(y: np.ndarray, origins: list[int], h: int, s: int) -> np.ndarray:
    """Forecast from origin o: lead j (0-based) is y[o - s + (j mod s)]."""
    return np.array([[y[o - s + (j % s)] for j in range(h)] for o in origins])


def hand_smape(x: np.ndarray, f: np.ndarray) -> float:
    tot, n = 0.0, 0
    for a, b in zip(x.ravel(), f.ravel(), strict=True):
        den = abs(a) + abs(b)
        tot += 0.0 if den == 0 else abs(a - b) / den
        n += 1
    return tot / n


@pytest.mark.parametrize("negative", [False, True], ids=["positive", "negative"])
@pytest.mark.parametrize(("freq", "start", "n", "h", "season"), FREQS, ids=IDS)
def test_seasonal_naive_score_matches_hand_computation(freq, start, n, h, season, negative):
    dates = pd.date_range(start, periods=n, freq=freq)
    # two clusters, summed into the macro series; the season must come from the frequency (bare dates!)
    y = np.stack([seasonal_series(n, season, 1, negative), seasonal_series(n, season, 2, negative)])
    test_start = n - 2 * h
    res = rolling_forecast(y, pd.DatetimeIndex(list(dates)), test_start=test_start, test_end=n, train_end=test_start,
                           horizon=h, stride=h, n_samples=3, forecaster="seasonal_naive", freq=freq)
    macro = y.sum(axis=0)
    origins = list(range(test_start, n - h + 1, h))
    assert res.origins == origins
    expect = hand_seasonal_naive(y[0], origins, h, season) + hand_seasonal_naive(y[1], origins, h, season)
    np.testing.assert_allclose(res.samples, np.repeat(expect[:, None, :], 3, axis=1))
    truth = np.array([macro[o:o + h] for o in origins])
    assert res.scores()["smape"] == pytest.approx(hand_smape(truth, expect), rel=1e-12)
    if negative:
        assert (truth < 0).any()


def test_seasonal_naive_option_overrides_the_frequency():
    dates = pd.date_range("2020-01-03", periods=60, freq="W-FRI")
    y = np.arange(60.0)
    out = make_forecaster("seasonal_naive", season=4).sample(y, dates, 6, 1, np.random.default_rng(0))
    np.testing.assert_array_equal(out[0], [56, 57, 58, 59, 56, 57])
    out52 = make_forecaster("seasonal_naive").sample(y, dates, 3, 1, np.random.default_rng(0))
    np.testing.assert_array_equal(out52[0], [8, 9, 10])


# ----------------------------------------------------------------- every forecaster on every frequency
TINY = {"epochs": 1, "batch_size": 16, "windows_per_epoch": 16, "hidden": 4, "progress": False, "device": "cpu"}
FORECASTERS = {"arma": {}, "prophet": {}, "seasonal_naive": {}, "deepar": TINY, "tcn": TINY, "convtrans": TINY}


@pytest.mark.parametrize("name", list(FORECASTERS))
@pytest.mark.parametrize(("freq", "start", "n", "h", "season"), FREQS[:5], ids=IDS[:5])
def test_each_forecaster_runs_on_each_frequency(name, freq, start, n, h, season):
    dates = pd.DatetimeIndex(list(pd.date_range(start, periods=n, freq=freq)))  # bare dates, as from a file
    y = seasonal_series(n, season, 3, negative=(freq == "MS"))  # monthly: values cross zero
    res = rolling_forecast(y[None], dates, test_start=n - h, test_end=n, train_end=n - h, horizon=h, stride=h,
                           n_samples=4, forecaster=name, options=dict(FORECASTERS[name]), freq=freq)
    assert res.samples.shape == (1, 4, h)
    assert np.isfinite(res.samples).all()
    assert np.isfinite(res.scores()["smape"])


def test_neural_windows_follow_frequency_and_short_histories():
    d = pd.date_range("2011-01-01", periods=10, freq="QS")
    y = seasonal_series(10, 4, 0)
    m = make_forecaster("tcn", **TINY).fit(y, d)  # defaults: context 8 + prediction 4 > 10 periods
    assert (m.options["context_length"], m.options["prediction_length"]) == (8, 2)
    assert m.freq_ == "QS-JAN"
    out = m.sample(y, d, 4, 5, np.random.default_rng(0))
    assert out.shape == (5, 4) and np.isfinite(out).all()
    w = make_forecaster("deepar", **TINY).fit(seasonal_series(120, 52, 0), pd.date_range("2018-01-05", periods=120,
                                                                                          freq="W-FRI"))
    assert (w.options["context_length"], w.options["prediction_length"], w.options["val_days"]) == (52, 13, 26)
    dd = make_forecaster("deepar", **TINY).fit(seasonal_series(200, 7, 0), pd.date_range("2020-01-01", periods=200))
    assert (dd.options["context_length"], dd.options["prediction_length"], dd.options["val_days"]) == (60, 30, 60)
    with pytest.raises(ValueError, match="shorter than one training window"):  # explicit lengths are kept
        make_forecaster("tcn", **TINY, context_length=8, prediction_length=4).fit(y, d)


# ----------------------------------------------------------------- negative values
def test_metrics_with_negative_values():
    x = np.array([[-10.0, 5.0, 0.0, -2.0]])
    f = np.array([[-8.0, -5.0, 0.0, 2.0]])
    # hand: 2/18, 10/10, 0/0 -> 0, 4/4
    assert smape(x, f) == pytest.approx((2 / 18 + 1 + 0 + 1) / 4)
    q = np.array([[-9.0, 4.0, 1.0, -3.0]])
    rho = 0.9
    d = [(rho - (a <= b)) * (a - b) for a, b in zip(x.ravel(), q.ravel(), strict=True)]
    assert quantile_loss(x, q, rho) == pytest.approx(2 * sum(d) / (10 + 5 + 0 + 2))
    assert quantile_loss(np.zeros((1, 3)), np.zeros((1, 3)), 0.5) == 0.0


def test_scaling_and_normalisation_with_negative_values():
    h = np.array([[-4.0, 4.0, -2.0, 2.0]])
    np.testing.assert_allclose(series_scale(h, axis=1), [[1 + 3.0]])  # 1 + mean |x|, not 1 + |mean|
    z = znormalise(np.array([[-5.0, -3.0, -1.0]]))
    np.testing.assert_allclose(z, [[-np.sqrt(1.5), 0.0, np.sqrt(1.5)]])


def test_neural_forecaster_on_a_negative_series():
    d = pd.date_range("2020-01-01", periods=150, freq="D")
    y = seasonal_series(150, 7, 5, negative=True) - 100  # all negative
    m = make_forecaster("deepar", **{**TINY, "epochs": 20}).fit(y, d)
    out = m.sample(y, d, 7, 50, np.random.default_rng(0))
    assert np.isfinite(out).all()
    assert out.mean() < 0  # forecasts stay on the negative scale the history is on

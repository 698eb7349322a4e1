"""``autoets`` / ``autoarima`` (statsforecast): shapes, determinism, seasons, refit_every, samples, Rossmann."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixseq.experiments.rolling import RollingResult, forecast_series
from mixseq.forecast.base import make_forecaster
from mixseq.forecast.statsforecast_models import INTERVAL_LEVEL, simulate_ets
from mixseq.options import OptionError

ROOT = Path(__file__).resolve().parents[1]
MIRROR = Path("/work/shared/data/rossmann")


def _weekly_pattern(n: int = 140, seed: int = 0) -> tuple[np.ndarray, pd.DatetimeIndex]:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + 0.2 * t + 15 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 2, n)
    return y, pd.date_range("2020-01-01", periods=n, freq="D")


@pytest.mark.parametrize("name", ["autoets", "autoarima"])
def test_shapes_and_determinism(name):
    y, dates = _weekly_pattern()
    f = make_forecaster(name, seed=0, max_p=2, max_q=2) if name == "autoarima" else make_forecaster(name, seed=0)
    f.fit(y, dates)
    assert f.season_ == 7
    a = f.sample(y, dates, 10, 50, np.random.default_rng(1))
    b = f.sample(y, dates, 10, 50, np.random.default_rng(1))
    assert a.shape == (50, 10) and np.all(np.isfinite(a))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, f.sample(y, dates, 10, 50, np.random.default_rng(2)))
    # the samples follow the weekly pattern of the truth (mean forecast within a few noise sd)
    t = np.arange(140, 150)
    truth = 100 + 0.2 * t + 15 * np.sin(2 * np.pi * t / 7)
    assert np.abs(a.mean(axis=0) - truth).max() < 8


def test_season_from_frequency_and_option():
    f = make_forecaster("autoets")
    for freq, m in (("h", 24), ("D", 7), ("B", 5), ("W-FRI", 52), ("MS", 12), ("QS", 4), ("YS", 1)):
        assert f.season_for(pd.date_range("2020-01-03", periods=10, freq=freq)) == m
    assert make_forecaster("autoarima", season=12).season_for(pd.date_range("2020-01-01", periods=9)) == 12
    y, dates = _weekly_pattern(60)
    assert make_forecaster("autoets", season=1).fit(y, dates).describe().endswith("m=1")


def test_options_typed_and_unknown_rejected():
    with pytest.raises(OptionError, match="unknown option"):
        make_forecaster("autoets", order=(1, 0, 0))
    with pytest.raises(OptionError, match="autoarima.max_p"):
        make_forecaster("autoarima", max_p="5")
    with pytest.raises(OptionError, match="autoets.samples"):
        make_forecaster("autoets", samples="bootstrap")
    with pytest.raises(ValueError, match="three letters"):
        make_forecaster("autoets", model="XYZ")
    with pytest.raises(ValueError, match="season must be >= 1"):
        make_forecaster("autoarima", season=0)


def test_simulated_paths_center_on_point_forecast():
    """With zero innovations the simulated ETS path is statsforecast's point forecast; with noise the sample mean
    converges to it (multiplicative seasonality: the noise scales with the season)."""
    y, dates = _weekly_pattern(200)
    y = y * (1 + 0.8 * (np.arange(200) % 7 == 6))  # strong multiplicative peak
    for model in ("ANA", "MNM", "AAN"):
        f = make_forecaster("autoets", model=model).fit(y, dates)
        point = f.model_.predict(h=21)["mean"]
        assert np.allclose(simulate_ets(f.model_.model_, np.zeros((1, 21)))[0], point, rtol=1e-9)
        s = f.sample(y, dates, 21, 4000, np.random.default_rng(0))
        assert np.allclose(s.mean(axis=0), point, rtol=0.01)
    lead_dow = np.arange(200, 221) % 7  # position in the week of each lead (6: the peak day)
    f = make_forecaster("autoets", model="MNM").fit(y, dates)
    point = f.model_.predict(h=21)["mean"]
    s = f.sample(y, dates, 21, 4000, np.random.default_rng(0))
    cv = s.std(axis=0) / point  # multiplicative error and season: the noise scales with the forecast
    i6, i2 = int(np.flatnonzero(lead_dow == 6)[0]), int(np.flatnonzero(lead_dow == 2)[0])
    assert point[i6] > 1.4 * point[i2]
    assert 0.75 < cv[i6] / cv[i2] < 1.33


def test_gaussian_samples_match_the_analytic_interval():
    y, dates = _weekly_pattern(200)
    for name, opts in (("autoarima", {"max_p": 2, "max_q": 2}), ("autoets", {"samples": "gaussian"})):
        f = make_forecaster(name, **opts).fit(y, dates)
        out = f.model_.predict(h=7, level=[INTERVAL_LEVEL])
        s = f.sample(y, dates, 7, 20000, np.random.default_rng(0))
        lo, hi = np.asarray(out[f"lo-{INTERVAL_LEVEL}"]), np.asarray(out[f"hi-{INTERVAL_LEVEL}"])
        half = (hi - lo) / 2
        assert np.allclose(np.quantile(s, 0.9, axis=0), hi, atol=0.05 * half.max())
        assert np.allclose(np.quantile(s, 0.1, axis=0), lo, atol=0.05 * half.max())
        assert np.allclose(s.mean(axis=0), np.asarray(out["mean"]), atol=0.03 * half.max())


@pytest.mark.parametrize("name", ["autoets", "autoarima"])
def test_refit_every_applies_fitted_parameters_to_the_longer_history(name):
    y, dates = _weekly_pattern(160)
    opts = {"max_p": 2, "max_q": 2} if name == "autoarima" else {}
    f = make_forecaster(name, **opts).fit(y[:140], dates[:140])
    m_fit, _ = f.predictive(y[:140], 7)
    m_fwd, sd_fwd = f.predictive(y[:147], 7)
    # statsforecast's forward(): same parameters, state filtered through the 7 new values
    ref = f.model_.forward(y=y[:147], h=7)["mean"]
    assert np.allclose(m_fwd, ref) and not np.allclose(m_fwd, m_fit)
    assert np.all(sd_fwd > 0)
    # the rolling driver refits only at every refit_every-th origin
    origins = [140, 143, 146, 149]
    fits = []
    orig_fit = type(f).fit

    def counting_fit(self, yy, dd=None):
        fits.append(len(yy))
        return orig_fit(self, yy, dd)

    mp = pytest.MonkeyPatch()
    mp.setattr(type(f), "fit", counting_fit)
    try:
        out = forecast_series(y, dates, origins, 7, 20, name, opts, seed=0, train_end=140, refit_every=2)
    finally:
        mp.undo()
    assert fits == [140, 146] and out.shape == (4, 20, 7) and np.all(np.isfinite(out))


@pytest.mark.slow
def test_rossmann_macro_autoets_first_windows():
    """The Rossmann macro series (daily total of the panel from the mirror), first 3 of the 27 windows of the
    peer benchmark (origins 2015-01-01 + 7i, horizon 30): AutoETS(7) beats seasonal naive(7) on R0.5 and SMAPE,
    and its sample mean follows statsforecast's own point forecast. The 27-window comparison with the peer
    numbers is ``bench/bench_statsforecast.py`` (results/benchmarks/statsforecast.tsv)."""
    if not MIRROR.is_dir():
        pytest.fail(f"Rossmann mirror {MIRROR} missing")
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_statsforecast import rossmann_macro, run_case

    y, dates = rossmann_macro(MIRROR)
    start = int(dates.get_loc(pd.Timestamp("2015-01-01")))
    origins = [start, start + 7, start + 14]
    res, _, models = run_case("autoets", y, dates, origins, 1, 500, 0)
    naive = np.stack([forecast_series(y, dates, [o], 30, 1, "seasonal_naive", {}, 0, start)[0] for o in origins])
    base = RollingResult(origins, [str(o) for o in origins], naive, res.truth, 0.0, {}).scores()
    ets = res.scores()
    assert ets["r0.5"] < base["r0.5"] and ets["smape"] < base["smape"]
    assert 0.05 < ets["r0.5"] < 0.35  # the peer's 27-window AutoETS: 0.1957
    f = make_forecaster("autoets").fit(y[:start], dates[:start])
    point = f.model_.predict(h=30)["mean"]
    assert np.allclose(res.samples[0].mean(axis=0), point, rtol=0.05, atol=0.02 * point.max())
    assert "m=7" in models


def test_bench_cases_take_forecaster_options():
    """``bench/bench_statsforecast.py`` cases: ``forecaster:refit_every[:key=value/...]``, values parsed as YAML."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_statsforecast import parse_case

    assert parse_case("autoets:7") == ("autoets", 7, {})
    assert parse_case("autoarima:1:approximation=null/max_p=3") == ("autoarima", 1, {"approximation": None,
                                                                                      "max_p": 3})
    assert parse_case("autoarima:1:approximation=false")[2] == {"approximation": False}

"""Per-window losses and paired significance tests over overlapping rolling windows (mixseq.evaluate.significance)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mixseq.evaluate.metrics import quantile_loss, quantile_loss_per_window, smape, smape_per_window
from mixseq.evaluate.significance import (
    block_bootstrap_test,
    collect_window_losses,
    dm_test,
    ewc_test,
    hac_variance,
    holm,
    holm_table,
    overlap_lags,
    paired_test,
    plot_significance,
    read_forecasts,
    run_keys,
    seed_summary,
    significance_table,
    window_losses,
    windows_and_seeds_test,
)
from mixseq.experiments.rolling import rolling_forecast

REQUIRED = ["dataset", "forecaster", "method", "metric", "macro", "value", "diff", "ci_low", "ci_high", "p_value",
            "p_holm", "n_windows", "n_seeds"]


def overlapping_diffs(rng, n, horizon, stride, mean=0.0):
    """Loss differences of n windows of ``horizon`` iid N(0,1) daily terms at ``stride``: MA(ceil(h/s)-1), sd 1."""
    e = rng.normal(size=n * stride + horizon)
    c = np.concatenate([[0.0], np.cumsum(e)])
    return (c[horizon:] - c[:-horizon])[::stride][:n] / math.sqrt(horizon) + mean


# --- per-window metrics --------------------------------------------------------------------------------------

def test_per_window_metrics_average_to_the_pooled_metrics():
    rng = np.random.default_rng(0)
    x = rng.gamma(2.0, 10.0, size=(13, 30))
    x[0, :5] = 0.0  # zero truths and a zero forecast: 0/0 SMAPE terms count as 0 in both
    f = x + rng.normal(0, 5, size=x.shape)
    f[0, :2] = 0.0
    assert abs(smape_per_window(x, f).mean() - smape(x, f)) < 1e-12
    for rho in (0.1, 0.5, 0.9):
        per = quantile_loss_per_window(x, f, rho)
        assert per.shape == (13,)
        assert abs(per.mean() - quantile_loss(x, f, rho)) < 1e-12
        # the per-window loss is the window's summed loss over one constant (pooled) denominator
        d = (rho - (x <= f)) * (x - f)
        np.testing.assert_allclose(per / per.sum(), d.sum(axis=1) / d.sum(), rtol=1e-12)
    with pytest.raises(ValueError, match="windows, horizon"):
        smape_per_window(x[0], f[0])
    with pytest.raises(ValueError, match="differ in shape"):
        quantile_loss_per_window(x, f[:, :3], 0.5)
    assert np.all(quantile_loss_per_window(np.zeros((2, 3)), np.zeros((2, 3)), 0.5) == 0)


def rolling_run(seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(140)
    series = np.stack([50 + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 3, 140),
                       20 + 5 * np.cos(2 * np.pi * t / 7) + rng.normal(0, 2, 140)])
    dates = pd.date_range("2000-01-01", periods=140)
    return rolling_forecast(series, dates, test_start=90, test_end=140, train_end=90, horizon=10, stride=3,
                            n_samples=40, forecaster="seasonal_naive", options={"bootstrap": True}, seed=seed)


def test_window_losses_reproduce_pooled_scores_of_a_forecast_file(tmp_path):
    res = rolling_run()
    path = tmp_path / "seed0.parquet"
    res.to_frame().to_parquet(path, index=False)
    wl = window_losses(path, (0.5, 0.9))
    assert list(wl.columns) == ["origin", "smape", "r0.5", "r0.9"]
    assert wl["origin"].tolist() == sorted(res.origin_dates) and len(wl) == len(res.origins) == 14
    pooled = res.scores((0.5, 0.9))
    for col in ("smape", "r0.5", "r0.9"):
        assert abs(wl[col].mean() - pooled[col]) < 1e-12, col
    # the scores TSV holds the same numbers rounded to 6 significant digits (workflow/scripts/forecast.py)
    tsv = tmp_path / "seed0.tsv"
    pd.DataFrame([pooled]).to_csv(tsv, sep="\t", index=False, float_format="%.6g")
    scores = pd.read_csv(tsv, sep="\t").iloc[0]
    for col in ("smape", "r0.5", "r0.9"):
        assert abs(wl[col].mean() - scores[col]) <= 5e-6 * abs(scores[col])
    # row order in the file does not matter
    shuffled = res.to_frame().sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(window_losses(shuffled, (0.5, 0.9)), wl)


def test_collect_window_losses_reads_keys_from_the_run_layout(tmp_path):
    files = []
    for method, seed in (("macro", 0), ("mixseq", 0), ("mixseq", 1)):
        path = tmp_path / "rossmann" / "forecasts" / method / "k5" / "tcn" / f"seed{seed}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        rolling_run(seed).to_frame().to_parquet(path, index=False)
        files.append(path)
    long = collect_window_losses(files)
    assert list(long.columns[:6]) == ["dataset", "forecaster", "method", "k", "seed", "origin"]
    assert len(long) == 3 * 14 and set(long["seed"]) == {0, 1} and set(long["k"]) == {5}
    assert run_keys(files[2]) == {"dataset": "rossmann", "method": "mixseq", "k": 5, "forecaster": "tcn", "seed": 1}
    tab = significance_table(long, horizon=10, stride=3)
    assert set(tab["method"]) == {"mixseq"} and (tab["n_seeds"] == 2).all() and (tab["n_windows"] == 14).all()
    with pytest.raises(ValueError, match="not a forecasts file"):
        run_keys(tmp_path / "rossmann" / "forecasts" / "macro" / "k1" / "tcn" / "seed0.val.parquet")


def test_read_forecasts_rejects_malformed_files(tmp_path):
    df = rolling_run().to_frame()
    path = tmp_path / "bad.parquet"
    df.drop(columns=["sample"]).to_parquet(path)
    with pytest.raises(ValueError, match=r"bad\.parquet.*missing \['sample'\]"):
        read_forecasts(path)
    first = df["origin"].iloc[0]
    with pytest.raises(ValueError, match="no truth row"):
        read_forecasts(df[~((df["origin"] == first) & (df["sample"] == -1))])
    with pytest.raises(ValueError, match="samples 0..S-1 exactly once"):
        read_forecasts(df[~((df["origin"] == first) & (df["sample"] == 3))])
    nan = df.copy()
    nan.loc[5, "h2"] = np.nan
    with pytest.raises(ValueError, match="non-finite value"):
        read_forecasts(nan)


# --- overlap and the tests against hand computations ----------------------------------------------------------

def test_overlap_lags_from_horizon_and_stride():
    assert overlap_lags(30, 1) == 29
    assert overlap_lags(30, 7) == 4  # 30 - 4 * 7 = 2 shared days, 30 - 5 * 7 < 0
    assert overlap_lags(30, 5) == 5
    assert overlap_lags(30, 30) == 0 and overlap_lags(30, 45) == 0
    with pytest.raises(ValueError, match="stride"):
        overlap_lags(30, 0)


D = np.array([0.3, -0.1, 0.4, 0.9, 0.2, 0.5, -0.3, 0.6, 0.8, 0.1])


def test_dm_statistic_matches_a_hand_computed_newey_west_case():
    n, lags = D.size, 2
    m = sum(D) / n
    gamma = [sum((D[t] - m) * (D[t + k] - m) for t in range(n - k)) / n for k in range(lags + 1)]
    s_hand = gamma[0] + 2 * sum((1 - k / (lags + 1)) * gamma[k] for k in range(1, lags + 1))
    assert abs(hac_variance(D, lags) - s_hand) < 1e-12
    h = lags + 1
    hln = math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    t_hand = m / math.sqrt(s_hand / n) * hln
    r = dm_test(D, lags)
    assert abs(r.statistic - t_hand) < 1e-12
    assert abs(r.p_value - 2 * stats.t.sf(abs(t_hand), n - 1)) < 1e-12
    half = stats.t.ppf(0.975, n - 1) * math.sqrt(s_hand / n) / hln
    assert abs(r.ci_low - (m - half)) < 1e-12 and abs(r.ci_high - (m + half)) < 1e-12
    assert r.n_windows == n and r.df == n - 1 and r.lags == 2 and abs(r.mean - m) < 1e-15
    # without overlap and without the correction it is the one-sample t-test
    plain = dm_test(D, 0, hln=False)
    ref = stats.ttest_1samp(D, 0.0)
    # the HAC variance at lag 0 divides by n, the t-test's by n - 1
    assert abs(plain.statistic * math.sqrt((n - 1) / n) - ref.statistic) < 1e-12
    assert math.isnan(dm_test(D, n - 1).p_value)  # n <= h: HLN factor 0, no test


def test_ewc_statistic_matches_a_hand_computed_case():
    n, nu = D.size, 3
    m = D.mean()
    lam = [math.sqrt(2 / n) * sum(math.cos(math.pi * j * (t + 0.5) / n) * D[t] for t in range(n))
           for j in range(1, nu + 1)]
    s_hand = sum(v * v for v in lam) / nu
    r = ewc_test(D, lags=2, dof=nu)
    assert abs(r.statistic - m / math.sqrt(s_hand / n)) < 1e-12
    assert abs(r.p_value - 2 * stats.t.sf(abs(r.statistic), nu)) < 1e-12 and r.df == nu
    # the cosine weights sum to zero: the variance ignores the mean
    assert abs(ewc_test(D + 5.0, lags=2, dof=nu).ci_high - r.ci_high - 5.0) < 1e-12
    # default nu: min(2/3 of the non-overlapping windows, round(0.4 n^(2/3)))
    assert ewc_test(D, lags=2).df == 2
    assert ewc_test(np.r_[D, D, D, D, D, D] + np.arange(60), lags=2).df == 6  # 0.4 * 60^(2/3) = 6.1
    assert ewc_test(np.r_[D, D, D, D, D, D] + np.arange(60), lags=29).df == 1


def test_block_bootstrap_is_seeded_and_its_p_value_inverts_the_interval():
    rng = np.random.default_rng(3)
    d = overlapping_diffs(rng, 60, 5, 1, mean=0.3)
    a = block_bootstrap_test(d, 5, n_boot=999, seed=7)
    assert a == block_bootstrap_test(d, 5, n_boot=999, seed=7)
    assert a != block_bootstrap_test(d, 5, n_boot=999, seed=8)
    assert a.ci_low < d.mean() < a.ci_high and a.lags == 4
    for shift in np.linspace(-1, 1, 21):
        r = block_bootstrap_test(d + shift, 5, n_boot=999, seed=7)
        if r.p_value < 0.04 or r.p_value > 0.06:  # away from the boundary the two agree exactly
            assert (r.p_value < 0.05) == (not r.ci_low <= 0 <= r.ci_high)
    with pytest.raises(ValueError, match="block length"):
        block_bootstrap_test(d, 61)


def test_identical_forecasts_are_not_significant():
    noise = np.random.default_rng(0).normal(0, 1e-17, 40)
    for test in ("dm", "ewc", "bootstrap"):
        r = paired_test(noise, 30, 7, test=test, atol=1e-12)
        assert r.p_value == 1.0 and r.ci_low == r.ci_high
    with pytest.raises(ValueError, match="unknown test"):
        paired_test(noise, 30, 7, test="wilcoxon")


# --- size and power on synthetic differences with a known mean ------------------------------------------------

def rejection_and_coverage(test, n, horizon, stride, mean, reps=200, seed=0, n_boot=499):
    rng = np.random.default_rng(seed)
    rej = cover = 0
    for i in range(reps):
        r = paired_test(overlapping_diffs(rng, n, horizon, stride, mean), horizon, stride, test=test,
                        n_boot=n_boot, seed=i)
        rej += r.p_value < 0.05
        cover += r.ci_low <= mean <= r.ci_high
    return rej / reps, cover / reps


@pytest.mark.parametrize("n,horizon,stride", [(180, 30, 1), (27, 30, 7), (300, 5, 1)])
def test_ewc_size_under_overlap_is_near_nominal(n, horizon, stride):
    # zero true difference, MA(ceil(h/s)-1) losses of overlapping windows (the rolling evaluation's regime)
    rate, cover = rejection_and_coverage("ewc", n, horizon, stride, 0.0, reps=1000)
    assert 0.01 <= rate <= 0.10
    assert cover >= 0.90


@pytest.mark.parametrize("test", ["dm", "bootstrap"])
def test_dm_and_bootstrap_size_without_overlap_is_near_nominal(test):
    rate, cover = rejection_and_coverage(test, 200, 1, 1, 0.0)
    assert 0.01 <= rate <= 0.10
    assert cover >= 0.90


@pytest.mark.parametrize("test", ["ewc", "dm", "bootstrap"])
def test_a_real_difference_is_found_and_covered(test):
    # true mean 2 sd of a window's loss difference, 180 overlapping 30-step windows: 6 non-overlapping ones,
    # so the mean's sd is about 1/sqrt(6) = 0.4 and the difference is about 5 of them
    rate, cover = rejection_and_coverage(test, 180, 30, 1, 2.0, reps=100)
    assert rate >= 0.9
    # only EWC keeps its nominal coverage under this much overlap (docs/statistics.md: measured size)
    assert cover >= {"ewc": 0.85, "dm": 0.75, "bootstrap": 0.7}[test]


# --- Holm, seeds, the table and the figure --------------------------------------------------------------------

def test_holm_against_a_hand_case():
    p = [0.01, 0.04, 0.03, 0.2, np.nan]
    # sorted 0.01, 0.03, 0.04, 0.2 times 4, 3, 2, 1 -> 0.04, 0.09, 0.08, 0.2; running max keeps 0.09 for 0.04
    np.testing.assert_allclose(holm(p), [0.04, 0.09, 0.09, 0.2, np.nan], rtol=1e-12)
    assert holm([0.5]).tolist() == [0.5]
    np.testing.assert_allclose(holm([0.3, 0.4]), [0.6, 0.6])


def long_losses(rng, n=40, shift=0.2, seeds_method=(0, 1), seeds_macro=(0, 1, 2)):
    origins = [str(d.date()) for d in pd.date_range("2015-06-01", periods=n)]
    rows = []
    for method, seeds, mu in (("macro", seeds_macro, 1.0), ("mixseq", seeds_method, 1.0 + shift),
                              ("random", seeds_method, 1.0)):
        for s in seeds:
            for o in origins:
                rows.append({"dataset": "rossmann", "forecaster": "tcn", "method": method, "seed": s,
                             "origin": o, "smape": mu + rng.normal(0, 0.1), "r0.5": 2 * mu + rng.normal(0, 0.1)})
    return pd.DataFrame(rows)


def test_significance_table_pools_seeds_per_window_before_the_test():
    losses = long_losses(np.random.default_rng(0))
    tab = significance_table(losses, horizon=30, stride=7, test="dm", unit="windows")
    assert REQUIRED == [c for c in tab.columns if c in REQUIRED]
    assert len(tab) == 4 and set(tab["method"]) == {"mixseq", "random"}
    row = tab[(tab["method"] == "mixseq") & (tab["metric"] == "r0.5")].iloc[0]
    pivot = losses.pivot_table(index="origin", columns=["method", "seed"], values="r0.5")
    d = pivot["mixseq"].mean(axis=1) - pivot["macro"].mean(axis=1)
    expected = dm_test(d.to_numpy(), overlap_lags(30, 7))
    assert abs(row["diff"] - expected.mean) < 1e-12 and abs(row["p_value"] - expected.p_value) < 1e-12
    assert abs(row["ci_low"] - expected.ci_low) < 1e-12
    assert row["n_seeds"] == 2 and row["n_seeds_macro"] == 3 and row["n_windows"] == 40
    # macro / value are the pooled metrics, mean over seeds; diff is their difference
    summ = seed_summary(losses).set_index(["method", "metric"])
    assert abs(row["macro"] - summ.loc[("macro", "r0.5"), "mean"]) < 1e-12
    assert abs(row["value"] - row["macro"] - row["diff"]) < 1e-12
    np.testing.assert_allclose(tab["p_holm"], holm(tab["p_value"]))
    assert row["p_holm"] < 0.05  # a shift of 0.4 in r0.5 with noise 0.1 is found
    rnd = tab[(tab["method"] == "random") & (tab["metric"] == "r0.5")].iloc[0]
    assert rnd["p_value"] > row["p_value"]


def test_holm_family_leaves_out_identical_forecasts():
    """A method whose losses equal Macro's in every window and seed (a linear forecaster) is out of the family."""
    losses = long_losses(np.random.default_rng(4), seeds_method=(0, 1, 2))
    copy = losses[losses["method"] == "macro"].assign(method="naive_copy")
    both = pd.concat([losses, copy], ignore_index=True)
    tab = significance_table(both, 30, 7)
    same = tab["method"] == "naive_copy"
    assert tab.loc[same, "identical"].all() and not tab.loc[~same, "identical"].any()
    assert (tab.loc[same, "p_value"] == 1.0).all() and (tab.loc[same, "p_holm"] == 1.0).all()
    assert not tab.loc[same, "in_holm"].any() and tab.loc[~same, "in_holm"].all()
    # Holm over the 4 testable rows only: the same adjusted p-values as without the copies
    alone = significance_table(losses, 30, 7)
    np.testing.assert_allclose(tab.loc[~same, "p_holm"].to_numpy(), alone["p_holm"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(alone["p_holm"], holm(alone["p_value"]), rtol=1e-12)
    # family "all": 6 rows, the identical ones at p = 1 raise the others' adjusted p-values (hand case below)
    every = significance_table(both, 30, 7, holm_family="all")
    assert every["in_holm"].all()
    np.testing.assert_allclose(every["p_holm"], holm(every["p_value"]), rtol=1e-12)
    assert (every.loc[~same, "p_holm"].to_numpy() >= tab.loc[~same, "p_holm"].to_numpy()).all()
    # a hand case: p = 0.01, 0.02, 1 (identical): testable -> 0.02, 0.02; all -> 0.03, 0.04, 1
    hand = pd.DataFrame({"p_value": [0.01, 0.02, 1.0], "identical": [False, False, True]})
    np.testing.assert_allclose(holm_table(hand.copy())["p_holm"], [0.02, 0.02, 1.0], rtol=1e-12)
    np.testing.assert_allclose(holm_table(hand.copy(), "all")["p_holm"], [0.03, 0.04, 1.0], rtol=1e-12)
    with pytest.raises(ValueError, match="unknown Holm family 'some'"):
        holm_table(hand.copy(), "some")
    # windows as the unit: identical means equal seed-averaged losses in every window
    win = significance_table(both, 30, 7, unit="windows")
    assert win.loc[win["method"] == "naive_copy", "identical"].all()


def test_seed_summary_gives_mean_and_sd_over_seeds():
    losses = long_losses(np.random.default_rng(1))
    summ = seed_summary(losses, ["smape"]).set_index("method")
    per_seed = losses[losses["method"] == "macro"].groupby("seed")["smape"].mean()
    assert abs(summ.loc["macro", "mean"] - per_seed.mean()) < 1e-12
    assert abs(summ.loc["macro", "sd"] - per_seed.std(ddof=1)) < 1e-12
    assert summ.loc["macro", "n_seeds"] == 3 and summ.loc["mixseq", "n_seeds"] == 2


def test_significance_table_rejects_unpaired_or_duplicated_runs():
    losses = long_losses(np.random.default_rng(2))
    gap = losses.drop(losses[(losses["method"] == "mixseq") & (losses["seed"] == 1)].index[:1])
    with pytest.raises(ValueError, match=r"seeds \[1\] lack some origins"):
        significance_table(gap, 30, 7)
    short = losses[~((losses["method"] == "mixseq") & (losses["origin"] == "2015-06-01"))]
    with pytest.raises(ValueError, match="different origins"):
        significance_table(short, 30, 7)
    with pytest.raises(ValueError, match="more than one row"):
        significance_table(pd.concat([losses, losses.iloc[:1]]), 30, 7)
    with pytest.raises(ValueError, match="no 'macro' rows"):
        significance_table(losses[losses["method"] != "macro"], 30, 7)
    with pytest.raises(ValueError, match="missing columns"):
        significance_table(losses.drop(columns=["seed"]), 30, 7)


def test_significance_figure_is_written(tmp_path):
    losses = long_losses(np.random.default_rng(0))
    losses2 = losses.assign(forecaster="deepar")
    tab = significance_table(pd.concat([losses, losses2]), 30, 7)
    out = tmp_path / "figures" / "significance.png"
    plot_significance(tab, out)
    import matplotlib.image as mpimg

    img = mpimg.imread(out)
    assert img.shape[0] > 200 and img.shape[1] > 400
    assert not list(out.parent.glob(".*.tmp"))
    with pytest.raises(ValueError, match="missing columns"):
        plot_significance(tab.drop(columns=["p_holm"]), tmp_path / "x.png")


def test_significance_table_with_one_window_has_nan_p_values():
    losses = long_losses(np.random.default_rng(3))
    one = losses[losses["origin"] == losses["origin"].min()]
    tab = significance_table(one, 30, 7)
    assert (tab["n_windows"] == 1).all() and tab[["p_value", "p_holm", "ci_low", "ci_high"]].isna().all().all()
    first = one.groupby("method")["smape"].mean()
    row = tab[tab["metric"] == "smape"].iloc[0]
    assert row["diff"] == pytest.approx(first[row["method"]] - first["macro"])


# --- windows and seeds: the fits as random as the windows ----------------------------------------------------

def seeded_losses(rng, n, horizon, stride, seeds, tau, sig_e, delta, sig_b=1.0):
    """Per-seed, per-window losses ``[seeds, n]`` of a method and of Macro: a window effect the arms share in
    part, a fit effect of sd ``tau`` per seed, a seed x window series of sd ``sig_e``; true difference ``delta``."""
    common = overlapping_diffs(rng, n, horizon, stride)

    def arm(own):
        return (sig_b * (common + own) + tau * rng.normal(size=(seeds, 1))
                + sig_e * np.stack([overlapping_diffs(rng, n, horizon, stride) for _ in range(seeds)]))

    return delta + arm(0.7 * overlapping_diffs(rng, n, horizon, stride)), arm(0.0)


def cosine_lrv(x, nu):
    n = len(x)
    lam = [math.sqrt(2 / n) * sum(math.cos(math.pi * j * (t + 0.5) / n) * x[t] for t in range(n))
           for j in range(1, nu + 1)]
    return sum(v * v for v in lam) / nu


def test_windows_and_seeds_statistic_matches_a_hand_computed_case():
    rng = np.random.default_rng(5)
    m = rng.normal(1.0, 1.0, size=(3, 12)) + np.array([[0.4], [-0.2], [0.9]])
    z = rng.normal(0.5, 1.0, size=(2, 12))
    r = windows_and_seeds_test(m, z, horizon=3, stride=1)  # lags 2, nu = min(2*12 // 9, round(0.4 * 12^(2/3)))
    nu, n = 2, 12
    d = m.mean(0) - z.mean(0)
    inter = sum(cosine_lrv(row - m.mean(0), nu) for row in m) / (2 * 3) \
        + sum(cosine_lrv(row - z.mean(0), nu) for row in z) / (1 * 2)
    var_w = max(0.0, (cosine_lrv(d, nu) - inter) / n)
    sm, sz = np.var(m.mean(1), ddof=1) / 3, np.var(z.mean(1), ddof=1) / 2
    var = var_w + sm + sz
    df = var ** 2 / (var_w ** 2 / nu + sm ** 2 / 2 + sz ** 2 / 1)
    assert abs(r.var_windows - var_w) < 1e-12 and abs(r.var_seeds - (sm + sz)) < 1e-12
    assert abs(r.result.statistic - d.mean() / math.sqrt(var)) < 1e-10 and abs(r.result.df - df) < 1e-10
    assert abs(r.result.p_value - 2 * stats.t.sf(abs(r.result.statistic), df)) < 1e-12
    half = stats.t.ppf(0.975, df) * math.sqrt(var)
    assert abs(r.result.ci_low - (d.mean() - half)) < 1e-10


def test_windows_and_seeds_equals_the_window_test_when_seeds_are_copies():
    d = overlapping_diffs(np.random.default_rng(1), 60, 30, 7, mean=0.2)
    m = np.tile(d + 1.0, (3, 1))
    z = np.tile(np.full(60, 1.0), (2, 1))
    both, win = windows_and_seeds_test(m, z, 30, 7), ewc_test(d, overlap_lags(30, 7))
    assert both.var_seeds == 0.0 and abs(both.result.p_value - win.p_value) < 1e-12
    assert abs(both.result.ci_low - win.ci_low) < 1e-12 and both.result.df == win.df
    same = windows_and_seeds_test(z, z, 30, 7)
    assert same.result.p_value == 1.0 and same.result.ci_low == same.result.ci_high == 0.0
    with pytest.raises(ValueError, match="at least 2 seeds per arm"):
        windows_and_seeds_test(m[:1], z, 30, 7)
    with pytest.raises(ValueError, match="variance-based"):
        windows_and_seeds_test(m, z, 30, 7, test="bootstrap")


def seeded_rates(n, horizon, stride, seeds, tau, sig_e, delta, reps=400, test="ewc", sig_b=1.0):
    rng = np.random.default_rng(11)
    rej = {"windows": 0, "both": 0}
    cover = {"windows": 0, "both": 0}
    for _ in range(reps):
        m, z = seeded_losses(rng, n, horizon, stride, seeds, tau, sig_e, delta, sig_b)
        res = {"windows": paired_test(m.mean(0) - z.mean(0), horizon, stride, test=test),
               "both": windows_and_seeds_test(m, z, horizon, stride, test=test).result}
        for k, r in res.items():
            rej[k] += r.p_value < 0.05
            cover[k] += r.ci_low <= delta <= r.ci_high
    return {k: v / reps for k, v in rej.items()}, {k: v / reps for k, v in cover.items()}


@pytest.mark.parametrize("test", ["ewc", "dm"])
@pytest.mark.parametrize("n,stride,seeds", [(27, 7, 3), (180, 1, 2)])
def test_fit_noise_fools_the_window_test_but_not_the_windows_and_seeds_test(test, n, stride, seeds):
    # true difference 0, each fit off by N(0, 1): the window test treats the fits as fixed
    rej, cover = seeded_rates(n, 30, stride, seeds, tau=1.0, sig_e=1.0, delta=0.0, test=test)
    assert rej["windows"] >= 0.2
    assert 0.01 <= rej["both"] <= 0.10 and cover["both"] >= 0.90


def test_windows_and_seeds_keeps_its_size_without_fit_noise_and_finds_a_real_difference():
    rej, _ = seeded_rates(27, 30, 7, 3, tau=0.0, sig_e=1.0, delta=0.0)
    assert 0.01 <= rej["both"] <= 0.10
    # a difference of about 3 standard errors (windows 0.3 * 0.7 / sqrt(6), fits 0.3 * sqrt(2/5))
    rej, cover = seeded_rates(27, 30, 7, 5, tau=0.3, sig_e=0.3, delta=1.0, sig_b=0.3)
    assert rej["both"] >= 0.9 and cover["both"] >= 0.9


def test_significance_table_tests_windows_and_seeds_where_both_arms_have_seeds():
    losses = long_losses(np.random.default_rng(0))
    tab = significance_table(losses, horizon=30, stride=7)
    assert set(tab["unit"]) == {"windows_and_seeds"}
    row = tab[(tab["method"] == "mixseq") & (tab["metric"] == "r0.5")].iloc[0]
    pivot = losses.pivot_table(index="origin", columns=["method", "seed"], values="r0.5")
    ref = windows_and_seeds_test(pivot["mixseq"].to_numpy().T, pivot["macro"].to_numpy().T, 30, 7)
    assert abs(row["p_value"] - ref.result.p_value) < 1e-12 and abs(row["df"] - ref.result.df) < 1e-12
    assert abs(row["se_seeds"] - math.sqrt(ref.var_seeds)) < 1e-12
    # one seed of the method: that comparison falls back to the window test, and says so
    one = losses[~((losses["method"] == "random") & (losses["seed"] == 1))]
    tab1 = significance_table(one, horizon=30, stride=7).set_index(["method", "metric"])
    assert tab1.loc[("random", "r0.5"), "unit"] == "windows"
    assert math.isnan(tab1.loc[("random", "r0.5"), "se_seeds"])
    assert tab1.loc[("mixseq", "r0.5"), "unit"] == "windows_and_seeds"
    with pytest.raises(ValueError, match="variance-based"):
        significance_table(losses, horizon=30, stride=7, test="bootstrap")
    assert set(significance_table(losses, horizon=30, stride=7, test="bootstrap", unit="windows")["unit"]) == {
        "windows"}

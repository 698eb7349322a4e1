"""Paired significance of forecast-loss differences over rolling windows, pooled over seeds.

For one data set and forecaster, a clustering method and the baseline (``macro``, K = 1) are scored on the same
rolling windows (origins). The per-window loss difference ``d_w = loss_method(w) - loss_macro(w)`` has mean
``value - macro`` (the per-window losses aggregate exactly to the pooled metrics, see :func:`window_losses`)
and is strongly autocorrelated: windows of ``horizon`` periods at ``stride`` periods overlap for
``L = ceil(horizon / stride) - 1`` lags (:func:`overlap_lags`). Three tests of ``E[d_w] = 0`` respect that:

- ``"dm"`` (:func:`dm_test`): Diebold-Mariano with a Newey-West (Bartlett) long-run variance truncated at ``L``
  lags, the Harvey-Leybourne-Newbold small-sample correction and a t(n-1) reference;
- ``"ewc"`` (:func:`ewc_test`, the default): the DM statistic with the equal-weighted-cosine long-run variance
  and a t(nu) reference, ``nu`` at most 2/3 of the number of non-overlapping windows ``n / (L + 1)``;
- ``"bootstrap"`` (:func:`block_bootstrap_test`): a moving-block bootstrap over origins, blocks of ``L + 1``.

Seeds enter in one of two ways (``unit``). ``"windows_and_seeds"`` (the default, :func:`windows_and_seeds_test`)
adds the spread between seeds, each arm's fits being independent draws of a training procedure, to the variance
from the windows; ``"windows"`` averages each window's loss over seeds (:func:`pool_seeds`) and tests over the
windows only, which treats the trained models as fixed. p-values of a table are Holm-corrected
(:func:`holm_table`) over the comparisons that can reject: a comparison whose forecasts give identical losses in
every window and seed (a linear forecaster such as seasonal naive sums the clusters' forecasts to Macro's) has
p = 1 by construction and stays out of the family unless ``family="all"``.
``docs/statistics.md`` explains the choices and their measured size.
This module computes numbers only; it imports nothing from forecasting or clustering.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import fft, stats
from statsmodels.stats.multitest import multipletests

from mixseq.evaluate.metrics import (
    point_forecast,
    quantile_loss_per_window,
    sample_quantiles,
    smape_per_window,
)
from mixseq.utils import atomic_path

KEYS = ["dataset", "forecaster", "method", "seed", "origin"]
TESTS = ("ewc", "dm", "bootstrap")
UNITS = ("windows_and_seeds", "windows")
HOLM_FAMILIES = ("testable", "all")
_METRIC = re.compile(r"^(smape|r\d*\.?\d+)$")


def metric_names(quantiles: Sequence[float]) -> list[str]:
    """Score column names as in the scores TSVs: ``smape`` then ``r<rho>`` (``r0.5``, ``r0.9``)."""
    return ["smape"] + [f"r{float(q):g}" for q in quantiles]


def read_forecasts(forecasts: str | Path | pd.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Origins (sorted), samples ``[W, S, H]`` and truth ``[W, H]`` from a forecasts parquet or its frame.

    The format is :meth:`mixseq.experiments.rolling.RollingResult.to_frame`: columns ``origin``, ``sample`` and
    lead columns ``h1..hH``; one row per (origin, sample), ``sample = -1`` holding the truth. Checked: every
    origin has exactly one truth row and the same samples ``0..S-1`` once each, values are finite.
    """
    name = str(forecasts) if not isinstance(forecasts, pd.DataFrame) else "forecasts frame"
    df = pd.read_parquet(forecasts) if not isinstance(forecasts, pd.DataFrame) else forecasts
    missing = [c for c in ("origin", "sample") if c not in df.columns]
    leads = [c for c in df.columns if re.fullmatch(r"h\d+", str(c))]
    if missing or not leads:
        raise ValueError(f"{name}: expected columns origin, sample, h1..hH; missing {missing or 'h1..hH'}")
    if leads != [f"h{i + 1}" for i in range(len(leads))]:
        raise ValueError(f"{name}: lead columns must be h1..h{len(leads)} in order, got {leads}")
    df = df.sort_values(["origin", "sample"], kind="stable")
    values = df[leads].to_numpy(np.float64)
    if not np.all(np.isfinite(values)):
        row = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
        raise ValueError(f"{name}: non-finite value in row origin={df['origin'].iloc[row]!r}, "
                         f"sample={df['sample'].iloc[row]}")
    truth_rows = df["sample"].to_numpy() == -1
    origins = df.loc[truth_rows, "origin"].tolist()
    if len(set(origins)) != len(origins):
        raise ValueError(f"{name}: more than one truth row (sample = -1) for an origin")
    s = df[~truth_rows]
    if set(s["origin"]) != set(origins):
        bad = sorted(set(s["origin"]) ^ set(origins), key=str)[:3]
        raise ValueError(f"{name}: origins {bad} have samples but no truth row, or a truth row but no samples")
    n_s = len(s) // len(origins) if origins else 0
    expected = np.tile(np.arange(n_s), len(origins))
    if n_s == 0 or len(s) != n_s * len(origins) or not np.array_equal(s["sample"].to_numpy(), expected):
        raise ValueError(f"{name}: every origin must have the samples 0..S-1 exactly once (sample = -1: truth)")
    samples = values[~truth_rows].reshape(len(origins), n_s, len(leads))
    return [str(o) for o in origins], samples, values[truth_rows]


def window_losses(forecasts: str | Path | pd.DataFrame, quantiles: Sequence[float] = (0.5, 0.9)) -> pd.DataFrame:
    """Per-window losses ``[origin, smape, r<rho>...]`` of one forecasts file, one row per origin (sorted).

    As the pooled scores (:meth:`RollingResult.scores`): SMAPE of the mean of the macro samples, R_rho of their
    empirical rho-quantiles. ``smape`` is the window's mean SMAPE term and ``r<rho>`` the window's summed
    quantile loss over the pooled denominator ``sum |x| / W`` (:func:`quantile_loss_per_window`), so the mean
    of each column over the windows is the pooled score of the file.
    """
    origins, samples, truth = read_forecasts(forecasts)
    out = pd.DataFrame({"origin": origins, "smape": smape_per_window(truth, point_forecast(samples))})
    for rho, col in zip(quantiles, metric_names(quantiles)[1:], strict=True):
        out[col] = quantile_loss_per_window(truth, sample_quantiles(samples, float(rho)), float(rho))
    return out


_RUN_PATH = re.compile(r"(?P<dataset>[^/]+)/forecasts/(?P<method>[^/]+)/k(?P<k>\d+)/(?P<forecaster>[^/]+)/"
                       r"seed(?P<seed>-?\d+)\.parquet$")


def run_keys(path: str | Path) -> dict[str, object]:
    """``dataset, method, k, forecaster, seed`` of a test forecasts file from its path
    ``.../{dataset}/forecasts/{method}/k{K}/{forecaster}/seed{seed}.parquet`` (validation files do not match)."""
    m = _RUN_PATH.search(Path(path).as_posix())
    if not m:
        raise ValueError(f"{path}: not a forecasts file .../{{dataset}}/forecasts/{{method}}/k{{K}}/{{forecaster}}/"
                         "seed{seed}.parquet")
    keys: dict[str, object] = dict(m.groupdict())
    keys["k"], keys["seed"] = int(m["k"]), int(m["seed"])
    return keys


def collect_window_losses(files: Sequence[str | Path], quantiles: Sequence[float] = (0.5, 0.9)) -> pd.DataFrame:
    """Long frame ``dataset, forecaster, method, k, seed, origin, smape, r<rho>...`` of many forecasts files
    (keys from their paths, :func:`run_keys`), the input of :func:`significance_table` and :func:`seed_summary`."""
    if not files:
        raise ValueError("no forecasts files given")
    parts = []
    for f in files:
        keys = run_keys(f)
        wl = window_losses(f, quantiles)
        for i, col in enumerate(["dataset", "forecaster", "method", "k", "seed"]):
            wl.insert(i, col, keys[col])
        parts.append(wl)
    return pd.concat(parts, ignore_index=True)


def overlap_lags(horizon: int, stride: int) -> int:
    """Lags over which windows of ``horizon`` periods at origins ``stride`` apart overlap: ``ceil(h/s) - 1``.

    Windows ``k`` origins apart share ``horizon - k * stride`` periods when that is positive, so losses of
    windows more than ``L`` apart share no target period (horizon 30: 29 at stride 1, 4 at stride 7, 0 at 30).
    """
    if horizon < 1 or stride < 1:
        raise ValueError(f"horizon and stride must be >= 1, got horizon={horizon}, stride={stride}")
    return math.ceil(horizon / stride) - 1


@dataclass(frozen=True)
class PairedTest:
    """Result of a test of ``E[d] = 0``: mean, (1 - alpha) interval, two-sided p-value, and how it was made.

    ``statistic`` is the (corrected) t statistic, or NaN for the bootstrap; ``df`` the t reference's degrees of
    freedom (NaN for the bootstrap); ``lags`` the overlap lags used (HAC truncation / block length - 1).
    """

    test: str
    mean: float
    ci_low: float
    ci_high: float
    p_value: float
    n_windows: int
    statistic: float
    df: float
    lags: int


def _check(d: np.ndarray | Sequence[float], lags: int) -> np.ndarray:
    x = np.asarray(d, dtype=np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"a paired test needs at least 2 windows, got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError("loss differences must be finite")
    if lags < 0:
        raise ValueError(f"lags must be >= 0, got {lags}")
    return x


def _degenerate(x: np.ndarray, test: str, lags: int, atol: float) -> PairedTest | None:
    """Identical forecasts (|d| <= atol everywhere) or a constant difference: no variance to test with."""
    m = float(x.mean())
    if np.max(np.abs(x)) <= atol:
        return PairedTest(test, m, m, m, 1.0, x.size, 0.0, math.nan, lags)
    if np.ptp(x) <= atol:
        return PairedTest(test, m, m, m, 0.0, x.size, math.copysign(math.inf, m), math.nan, lags)
    return None


def _t_result(test: str, x: np.ndarray, se: float, df: float, lags: int, alpha: float) -> PairedTest:
    m = float(x.mean())
    t = m / se
    half = float(stats.t.ppf(1 - alpha / 2, df)) * se
    return PairedTest(test, m, m - half, m + half, float(2 * stats.t.sf(abs(t), df)), x.size, float(t),
                      float(df), lags)


def hac_variance(d: np.ndarray | Sequence[float], lags: int) -> float:
    """Newey-West long-run variance of ``d`` (Bartlett weights ``1 - k/(lags+1)``, autocovariances over n).

    Computed by statsmodels: the HAC variance of the intercept of an OLS of ``d`` on a constant, times n.
    """
    x = _check(d, lags)
    res = sm.OLS(x, np.ones(x.size)).fit(cov_type="HAC", cov_kwds={"maxlags": int(lags), "use_correction": False})
    return float(res.cov_params()[0, 0] * x.size)


def dm_test(d: np.ndarray | Sequence[float], lags: int, alpha: float = 0.05, hln: bool = True,
            atol: float = 0.0) -> PairedTest:
    """Diebold-Mariano test of ``E[d] = 0`` with a Newey-West variance truncated at ``lags``.

    ``DM = mean(d) / sqrt(S / n)`` with ``S`` = :func:`hac_variance`; with ``hln`` the Harvey-Leybourne-Newbold
    factor ``sqrt((n + 1 - 2h + h(h-1)/n) / n)``, ``h = lags + 1`` (the "forecast horizon" of overlapping
    windows), multiplies it, and the reference is t(n - 1). The interval ``mean -+ t_{1-alpha/2} * se`` uses the
    same (corrected) standard error, so it excludes 0 exactly when ``p < alpha``. With ``n <= h`` the HLN factor
    is 0 and the test is undefined: p-value and interval are NaN.
    """
    x = _check(d, lags)
    deg = _degenerate(x, "dm", lags, atol)
    if deg is not None:
        return deg
    n = x.size
    factor = hln_factor(n, lags) if hln else 1.0
    if factor <= 0:
        m = float(x.mean())
        return PairedTest("dm", m, math.nan, math.nan, math.nan, n, math.nan, float(n - 1), lags)
    se = math.sqrt(hac_variance(x, lags) / n / factor)
    return _t_result("dm", x, se, n - 1, lags, alpha)


def hln_factor(n: int, lags: int) -> float:
    """Harvey-Leybourne-Newbold variance factor ``(n + 1 - 2h + h(h-1)/n) / n``, ``h = lags + 1``
    (``= (n - h)(n - h + 1) / n^2 >= 0``; 0 when ``n <= h``)."""
    h = lags + 1
    return (n + 1 - 2 * h + h * (h - 1) / n) / n


def ewc_test(d: np.ndarray | Sequence[float], lags: int, alpha: float = 0.05, dof: int | None = None,
             atol: float = 0.0) -> PairedTest:
    """DM statistic with the equal-weighted-cosine (EWC) long-run variance and a t(nu) reference.

    ``S = (1/nu) sum_{j=1..nu} L_j^2`` with ``L_j = sqrt(2/n) sum_t cos(pi j (t - 1/2) / n) d_t`` (a DCT-II of
    ``d``, scipy.fft), which is independent of the mean; for Gaussian ``d`` whose spectrum is flat over the
    lowest ``nu`` frequencies ``mean / sqrt(S/n)`` is exactly t(nu). ``nu`` (``dof``) defaults to
    ``max(1, min(floor(2n / (3 (lags + 1))), round(0.4 n^(2/3))))``: the rule ``0.4 n^(2/3)`` of Lazarus, Lewis,
    Stock and Watson (2018), capped at two thirds of the number of non-overlapping windows. The cap keeps the
    cosines below frequency ``2 pi / (3 (lags + 1))``, where the spectrum of losses of windows that overlap for
    ``lags`` lags is still at least about 2/3 of its value at 0 (higher cosines would underestimate the long-run
    variance; ``docs/statistics.md`` has the measured size).
    """
    x = _check(d, lags)
    deg = _degenerate(x, "ewc", lags, atol)
    if deg is not None:
        return deg
    nu = ewc_dof(x.size, lags) if dof is None else int(dof)
    se = math.sqrt(ewc_variance(x, nu) / x.size)
    return _t_result("ewc", x, se, nu, lags, alpha)


def ewc_dof(n: int, lags: int) -> int:
    """Default EWC degrees of freedom ``max(1, min(floor(2n / (3 (lags + 1))), round(0.4 n^(2/3))))``."""
    return max(1, min(2 * n // (3 * (lags + 1)), round(0.4 * n ** (2 / 3))))


def ewc_variance(d: np.ndarray | Sequence[float], nu: int) -> float:
    """EWC long-run variance of ``d``: the mean of its ``nu`` lowest squared cosine transforms (mean-free)."""
    x = np.asarray(d, dtype=np.float64).ravel()
    n = x.size
    if not 1 <= nu <= n - 1:
        raise ValueError(f"EWC degrees of freedom must lie in 1..{n - 1} for {n} windows, got {nu}")
    lam = fft.dct(x, type=2)[1:nu + 1] * math.sqrt(2.0 / n) / 2.0
    return float(np.mean(lam ** 2))


def block_bootstrap_test(d: np.ndarray | Sequence[float], block: int, n_boot: int = 9999, seed: int = 0,
                         alpha: float = 0.05, atol: float = 0.0) -> PairedTest:
    """Moving-block bootstrap of the mean of ``d`` over origins: percentile interval and two-sided p-value.

    Each replicate concatenates ``ceil(n / block)`` blocks of ``block`` consecutive windows with starts drawn
    uniformly (seeded numpy generator) and truncates to ``n``. The interval is the ``alpha/2, 1 - alpha/2``
    percentiles of the replicate means; the p-value inverts it, ``min(1, 2 min(#{m* <= 0}+1, #{m* >= 0}+1) /
    (B + 1))``, so ``p < alpha`` goes with an interval that excludes 0. ``lags`` in the result is ``block - 1``.
    """
    x = _check(d, max(0, int(block) - 1))
    n = x.size
    if not 1 <= block <= n:
        raise ValueError(f"block length must lie in 1..{n} for {n} windows, got {block}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    deg = _degenerate(x, "bootstrap", block - 1, atol)
    if deg is not None:
        return deg
    rng = np.random.default_rng(seed)
    n_blocks = -(-n // block)
    starts = rng.integers(0, n - block + 1, size=(n_boot, n_blocks))
    idx = (starts[:, :, None] + np.arange(block)).reshape(n_boot, -1)[:, :n]
    means = x[idx].mean(axis=1)
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    tail = min(int((means <= 0).sum()) + 1, int((means >= 0).sum()) + 1)
    p = min(1.0, 2 * tail / (n_boot + 1))
    return PairedTest("bootstrap", float(x.mean()), float(lo), float(hi), p, n, math.nan, math.nan, block - 1)


def paired_test(d: np.ndarray | Sequence[float], horizon: int, stride: int, test: str = "ewc",
                alpha: float = 0.05, n_boot: int = 9999, seed: int = 0, atol: float = 0.0) -> PairedTest:
    """Test ``E[d] = 0`` for losses of windows of ``horizon`` periods at ``stride`` (overlap from both)."""
    lags = overlap_lags(horizon, stride)
    if test == "dm":
        return dm_test(d, lags, alpha=alpha, atol=atol)
    if test == "ewc":
        return ewc_test(d, lags, alpha=alpha, atol=atol)
    if test == "bootstrap":
        return block_bootstrap_test(d, min(lags + 1, len(np.ravel(d))), n_boot=n_boot, seed=seed, alpha=alpha,
                                    atol=atol)
    raise ValueError(f"unknown test {test!r}; expected one of {', '.join(TESTS)}")


@dataclass(frozen=True)
class SeedTest:
    """:func:`windows_and_seeds_test`'s result: the test, and its variance split into its two sources.

    ``var_windows`` is the variance of the mean difference from which windows were drawn (the long-run variance of
    the seed-averaged difference over ``n``, less its within-seed share, floored at 0); ``var_seeds`` the
    variance from which fits were drawn, ``s2_method / S_method + s2_macro / S_macro`` of the per-seed scores.
    """

    result: PairedTest
    var_windows: float
    var_seeds: float


def _long_run_variance(x: np.ndarray, test: str, lags: int, nu: int) -> float:
    """Long-run variance of ``x`` as the test estimates it: EWC with ``nu`` cosines, or Newey-West / HLN."""
    if test == "ewc":
        return ewc_variance(x, nu)
    factor = hln_factor(x.size, lags)
    return hac_variance(x, lags) / factor if factor > 0 else math.nan


def windows_and_seeds_test(method: np.ndarray, macro: np.ndarray, horizon: int, stride: int, test: str = "ewc",
                           alpha: float = 0.05, atol: float = 0.0) -> SeedTest:
    """Test ``E[D] = 0`` for the pooled difference ``D`` when both the windows and the fits are random.

    ``method`` ``[S_m, n]`` and ``macro`` ``[S_0, n]`` are per-seed, per-window losses on the same ``n`` windows;
    each arm needs at least 2 seeds. The model: ``loss[a, s, w] = mu_a + b[a, w] + u[a, s] + e[a, s, w]`` with a
    window effect ``b`` shared by an arm's seeds, a fit effect ``u`` (iid over seeds, variance ``tau_a^2``) and a
    seed x window term ``e``, both autocorrelated over overlapping windows and independent between arms and seeds.
    ``D = mean_s method - mean_s macro`` averaged over windows has variance
    ``Omega_b / n + sum_a (tau_a^2 + Omega_e_a / n) / S_a``, estimated unbiasedly by

    - ``var_seeds = s2_m / S_m + s2_0 / S_0``, the sample variances (ddof 1) of each arm's per-seed scores (mean
      over windows): Welch's two-sample variance with the seed as the unit, which holds ``tau_a^2 + Omega_e_a/n``;
    - ``var_windows = max(0, (Omega_d - I_m - I_0) / n)``: the long-run variance ``Omega_d`` of the
      seed-averaged difference (as the window test estimates it: EWC or Newey-West with the HLN factor) holds
      ``Omega_b + Omega_e_m / S_m + Omega_e_0 / S_0``; ``I_a = sum_s Omega(loss[a, s] - mean_s loss[a]) /
      ((S_a - 1) S_a)`` removes the seed x window share that ``var_seeds`` already counts.

    The reference is t with Welch-Satterthwaite degrees of freedom ``V^2 / (var_windows^2 / nu_w +
    (s2_m/S_m)^2 / (S_m - 1) + (s2_0/S_0)^2 / (S_0 - 1))`` (``nu_w``: the EWC cosines, or ``n - 1`` for DM). With
    2 or 3 seeds the seed part has 1 or 2 degrees of freedom and the interval is wide: that is what few seeds
    can say. Identical forecasts (every difference and every seed spread within ``atol``) give p = 1.
    """
    m = np.asarray(method, dtype=np.float64)
    b = np.asarray(macro, dtype=np.float64)
    if m.ndim != 2 or b.ndim != 2 or m.shape[1] != b.shape[1]:
        raise ValueError(f"method and macro losses must be [seeds, windows] on the same windows, got shapes "
                         f"{m.shape} and {b.shape}")
    if min(m.shape[0], b.shape[0]) < 2:
        raise ValueError(f"the windows-and-seeds test needs at least 2 seeds per arm, got {m.shape[0]} (method) "
                         f"and {b.shape[0]} (macro)")
    if test not in ("ewc", "dm"):
        raise ValueError(f"the windows-and-seeds test needs a variance-based test (ewc or dm), got {test!r}")
    lags = overlap_lags(horizon, stride)
    d = _check(m.mean(axis=0) - b.mean(axis=0), lags)
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(b))):
        raise ValueError("losses must be finite")
    n, mean = d.size, float(d.mean())
    per_seed = [m.mean(axis=1), b.mean(axis=1)]
    if np.max(np.abs(d)) <= atol and max(float(np.ptp(v)) for v in per_seed) <= atol:
        return SeedTest(PairedTest(test, mean, mean, mean, 1.0, n, 0.0, math.nan, lags), 0.0, 0.0)
    nu_w = ewc_dof(n, lags) if test == "ewc" else n - 1
    omega_d = _long_run_variance(d, test, lags, nu_w)
    if math.isnan(omega_d):  # DM with n <= lags + 1: no estimate of the window part
        return SeedTest(PairedTest(test, mean, math.nan, math.nan, math.nan, n, math.nan, math.nan, lags),
                        math.nan, math.nan)
    inter = 0.0
    for arm in (m, b):
        resid = arm - arm.mean(axis=0)
        inter += sum(_long_run_variance(r, test, lags, nu_w) for r in resid) / ((arm.shape[0] - 1) * arm.shape[0])
    var_w = max(0.0, (omega_d - inter) / n)
    seed_parts = [float(np.var(v, ddof=1)) / v.size for v in per_seed]
    var_s = sum(seed_parts)
    var = var_w + var_s
    if var <= 0.0:  # every seed of each arm alike and no window variance: a constant difference
        return SeedTest(PairedTest(test, mean, mean, mean, 0.0 if abs(mean) > atol else 1.0, n,
                                   math.copysign(math.inf, mean), math.nan, lags), var_w, var_s)
    denom = var_w ** 2 / nu_w + sum(c ** 2 / (v.size - 1) for c, v in zip(seed_parts, per_seed, strict=True))
    df = var ** 2 / denom
    return SeedTest(_t_result(test, d, math.sqrt(var), df, lags, alpha), var_w, var_s)


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels ``multipletests(method="holm")``); NaN entries stay NaN and do
    not count towards the family size."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


def holm_table(table: pd.DataFrame, family: str = "testable") -> pd.DataFrame:
    """``table`` with columns ``in_holm`` and ``p_holm`` (Holm over the rows with ``in_holm``), set in place.

    ``family="testable"`` (default): rows with ``identical`` true (the method's and the baseline's losses equal in
    every window and seed, p = 1 by construction) are left out of the family, since such a comparison can never
    reject; their ``p_holm`` is their ``p_value`` (1). Leaving them out cannot raise the family-wise error rate: a
    hypothesis that is never rejected adds no false rejection. ``family="all"``: every row with a p-value counts.
    ``p_holm`` is inserted after ``p_value`` if absent.
    """
    if family not in HOLM_FAMILIES:
        raise ValueError(f"unknown Holm family {family!r}; expected one of {', '.join(HOLM_FAMILIES)}")
    p = table["p_value"].to_numpy(dtype=np.float64)
    identical = table["identical"].to_numpy(dtype=bool) if "identical" in table else np.zeros(len(table), bool)
    in_family = ~np.isnan(p) & (~identical if family == "testable" else True)
    adjusted = p.copy()
    adjusted[in_family] = holm(p[in_family])
    if "p_holm" not in table:
        table.insert(table.columns.get_loc("p_value") + 1, "p_holm", adjusted)
    else:
        table["p_holm"] = adjusted
    table["in_holm"] = in_family
    return table


def identical_losses(method: np.ndarray, baseline: np.ndarray, atol: float) -> bool:
    """True when the seed-averaged losses of ``method`` and ``baseline`` (``[seeds, windows]`` each) agree within
    ``atol`` in every window: the mean difference is then 0 and every test gives p = 1, whatever the seeds'
    spread (nothing to test)."""
    m, b = np.asarray(method, dtype=np.float64), np.asarray(baseline, dtype=np.float64)
    return bool(np.max(np.abs(m.mean(axis=0) - b.mean(axis=0))) <= atol)


def _metrics(losses: pd.DataFrame, metrics: Sequence[str] | None) -> list[str]:
    missing = [c for c in KEYS if c not in losses.columns]
    if missing:
        raise ValueError(f"per-window losses: missing columns {missing} (expected {KEYS} + metric columns)")
    found = [c for c in losses.columns if _METRIC.match(str(c))]
    metrics = list(metrics) if metrics is not None else found
    bad = [m for m in metrics if m not in losses.columns]
    if bad or not metrics:
        raise ValueError(f"per-window losses: metric columns {bad or 'smape/r<rho>'} not found")
    dup = losses.duplicated(KEYS)
    if dup.any():
        row = losses.loc[dup, KEYS].iloc[0].to_dict()
        raise ValueError(f"per-window losses: more than one row for {row} (one run per dataset, forecaster, "
                         "method and seed)")
    return metrics


def pool_seeds(losses: pd.DataFrame, metric: str) -> tuple[pd.Series, int]:
    """Mean over seeds of each window's ``metric`` for one (dataset, forecaster, method): ``(by origin, n_seeds)``.

    Every seed must have the same origins (a paired test compares the same windows).
    """
    per_seed = seed_matrix(losses, metric)
    return per_seed.mean(axis=1), int(per_seed.shape[1])


def seed_matrix(losses: pd.DataFrame, metric: str) -> pd.DataFrame:
    """``metric`` of one (dataset, forecaster, method) as a frame ``origin x seed`` (origins sorted).

    Every seed must have the same origins (a paired test compares the same windows).
    """
    per_seed = losses.pivot(index="origin", columns="seed", values=metric).sort_index()
    if per_seed.isna().any().any():
        seeds = [s for s in per_seed.columns if per_seed[s].isna().any()]
        raise ValueError(f"per-window losses: seeds {seeds} lack some origins of the other seeds")
    return per_seed


def seed_summary(losses: pd.DataFrame, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean and sd (ddof 1; 0 for one seed) over seeds of each run's pooled metric (= mean over its windows).

    Columns ``dataset, forecaster, method, metric, mean, sd, n_seeds``, for "mean (sd)" table cells.
    """
    metrics = _metrics(losses, metrics)
    pooled = losses.groupby(["dataset", "forecaster", "method", "seed"], sort=True)[metrics].mean()
    long = pooled.reset_index().melt(id_vars=["dataset", "forecaster", "method", "seed"], var_name="metric")
    g = long.groupby(["dataset", "forecaster", "method", "metric"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n_seeds="count").reset_index()
    out["sd"] = out["sd"].fillna(0.0)
    return out


def significance_table(losses: pd.DataFrame, horizon: int, stride: int, baseline: str = "macro",
                       metrics: Sequence[str] | None = None, test: str = "ewc", alpha: float = 0.05,
                       n_boot: int = 9999, seed: int = 0, rtol: float = 1e-12,
                       unit: str = "windows_and_seeds", holm_family: str = "testable") -> pd.DataFrame:
    """Every (dataset, forecaster, method != baseline, metric) against the baseline with the same forecaster.

    ``losses``: long frame with columns ``dataset, forecaster, method, seed, origin`` and metric columns
    (``smape``, ``r0.5``, ...), one row per window of a run (:func:`window_losses` plus keys).

    ``unit="windows_and_seeds"`` (default): where both the method and the baseline have 2 or more seeds,
    :func:`windows_and_seeds_test` (windows and fits random; ``test`` ``ewc`` or ``dm``); a comparison with fewer
    seeds falls back to the window test and says so in column ``unit``. ``unit="windows"``: seeds are pooled
    per window (:func:`pool_seeds`), then ``d_w = method - baseline`` is tested with ``test`` (``ewc``, ``dm``
    or ``bootstrap``) over the windows. Columns: ``dataset, forecaster, method, metric, macro, value, diff,
    ci_low, ci_high, p_value, p_holm, n_windows, n_seeds, n_seeds_macro, test, unit, se_windows, se_seeds, lags,
    statistic, df, identical, in_holm``; ``macro``/``value`` are the pooled metrics (mean over seeds),
    ``diff = value - macro``, ``p_holm`` is Holm-adjusted over the rows with ``in_holm`` (:func:`holm_table`:
    ``holm_family="testable"`` leaves out the ``identical`` rows, whose forecasts give equal losses everywhere);
    ``se_windows`` and ``se_seeds`` split the standard error into its sources (``se_seeds`` NaN for the window
    test).
    Differences within ``rtol`` of the losses' scale count as identical forecasts (p = 1); a single window gives
    NaN p-values and intervals (not counted by Holm), so the tables built on it stay unmarked.
    """
    metrics = _metrics(losses, metrics)
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}; expected one of {', '.join(TESTS)}")
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    if unit == "windows_and_seeds" and test == "bootstrap":
        raise ValueError("unit windows_and_seeds needs a variance-based test (ewc or dm), not bootstrap")
    rows = []
    for (ds, fc), grp in losses.groupby(["dataset", "forecaster"], sort=True):
        base = grp[grp["method"] == baseline]
        if base.empty:
            raise ValueError(f"per-window losses: no {baseline!r} rows for dataset {ds!r}, forecaster {fc!r}")
        for method, sub in grp[grp["method"] != baseline].groupby("method", sort=True):
            for metric in metrics:
                bm, vm = seed_matrix(base, metric), seed_matrix(sub, metric)
                b, v = bm.mean(axis=1), vm.mean(axis=1)
                n_b, n_v = bm.shape[1], vm.shape[1]
                if not b.index.equals(v.index):
                    raise ValueError(f"per-window losses: {ds}/{fc}: method {method!r} and {baseline!r} have "
                                     f"different origins ({len(v)} vs {len(b)} windows)")
                scale = max(float(np.abs(b).mean()), float(np.abs(v).mean()), np.finfo(float).tiny)
                used, se_w, se_s = "windows", math.nan, math.nan
                identical = identical_losses(vm.to_numpy().T, bm.to_numpy().T, rtol * scale)
                if len(v) < 2:  # one window: nothing to test with, p-value and interval NaN
                    r = PairedTest(test, float((v - b).mean()), math.nan, math.nan, math.nan, len(v), math.nan,
                                   math.nan, overlap_lags(horizon, stride))
                elif unit == "windows_and_seeds" and min(n_b, n_v) >= 2:
                    st = windows_and_seeds_test(vm.to_numpy().T, bm.to_numpy().T, horizon, stride, test=test,
                                                alpha=alpha, atol=rtol * scale)
                    r, used = st.result, "windows_and_seeds"
                    se_w, se_s = math.sqrt(st.var_windows), math.sqrt(st.var_seeds)
                else:
                    r = paired_test((v - b).to_numpy(), horizon, stride, test=test, alpha=alpha, n_boot=n_boot,
                                    seed=seed, atol=rtol * scale)
                    if test != "bootstrap" and math.isfinite(r.statistic) and r.statistic != 0:
                        se_w = abs(r.mean / r.statistic)
                res = asdict(r)
                rows.append({"dataset": ds, "forecaster": fc, "method": method, "metric": metric,
                             "macro": float(b.mean()), "value": float(v.mean()), "diff": res["mean"],
                             "ci_low": res["ci_low"], "ci_high": res["ci_high"], "p_value": res["p_value"],
                             "n_windows": res["n_windows"], "n_seeds": n_v, "n_seeds_macro": n_b,
                             "test": res["test"], "unit": used, "se_windows": se_w, "se_seeds": se_s,
                             "lags": res["lags"], "statistic": res["statistic"], "df": res["df"],
                             "identical": identical})
    out = pd.DataFrame(rows)
    if out.empty:
        raise ValueError(f"per-window losses: no method other than {baseline!r} to compare")
    return holm_table(out, holm_family)


def plot_significance(table: pd.DataFrame, path: str | Path, alpha: float = 0.05) -> None:
    """Relative change vs the baseline, ``(value - macro) / macro`` in %, with its interval, per panel.

    One panel per forecaster (columns) and (dataset, metric) (rows); one line per method; a vertical line at 0.
    Filled markers and ``*``: Holm-adjusted p < alpha (blue: lower loss than the baseline, red: higher); open grey
    markers: not significant. Panels without runs say so. Written atomically.
    """
    from matplotlib.figure import Figure  # no pyplot: no global backend state

    need = ["dataset", "forecaster", "method", "metric", "macro", "value", "ci_low", "ci_high", "p_holm"]
    missing = [c for c in need if c not in table.columns]
    if missing or table.empty:
        raise ValueError(f"significance table: missing columns {missing}" if missing else
                         "significance table is empty")
    forecasters = list(dict.fromkeys(table["forecaster"]))
    rows = list(dict.fromkeys(zip(table["dataset"], table["metric"], strict=True)))
    n_methods = table.groupby(["dataset", "metric", "forecaster"]).size().max()
    fig = Figure(figsize=(3.6 * len(forecasters) + 0.8, (0.35 * n_methods + 1.1) * len(rows) + 0.6),
                 layout="constrained")
    axes = fig.subplots(len(rows), len(forecasters), squeeze=False)
    for i, (ds, metric) in enumerate(rows):
        for j, fc in enumerate(forecasters):
            ax = axes[i][j]
            sel = table[(table["dataset"] == ds) & (table["metric"] == metric) & (table["forecaster"] == fc)]
            ax.set_title(f"{ds} · {fc} · {metric}", fontsize=9)
            if sel.empty:
                ax.set_axis_off()
                ax.text(0.5, 0.5, "no runs", ha="center", va="center", transform=ax.transAxes, fontsize=8)
                continue
            ax.axvline(0.0, color="black", lw=0.8)
            for y, r in enumerate(sel.itertuples(index=False)):
                scale = 100.0 / r.macro if r.macro else math.nan
                sig = bool(r.p_holm < alpha)
                rel = (r.value - r.macro) * scale
                lo, hi = r.ci_low * scale, r.ci_high * scale
                color = ("tab:blue" if rel < 0 else "tab:red") if sig else "0.5"
                ax.plot([lo, hi], [y, y], color=color, lw=1.6)
                ax.plot([rel], [y], "o", color=color, mfc=color if sig else "white")
                ax.annotate(f"{rel:+.1f}%" + (" *" if sig else ""), (rel, y), xytext=(0, 5),
                            textcoords="offset points", ha="center", fontsize=7)
            ax.set_yticks(range(len(sel)), list(sel["method"]), fontsize=8)
            ax.set_ylim(-0.7, max(len(sel), 1) - 0.3)
            ax.invert_yaxis()
            ax.tick_params(axis="x", labelsize=7)
            if i == len(rows) - 1:
                ax.set_xlabel("change vs Macro (%), lower is better", fontsize=8)
    fig.suptitle(f"Loss relative to Macro with {int(round(100 * (1 - alpha)))} % interval\nfilled and * = "
                 f"Holm-adjusted p < {alpha:g} (blue: better than Macro, red: worse); open grey: not significant",
                 fontsize=9)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format=Path(path).suffix.lstrip(".") or "png")

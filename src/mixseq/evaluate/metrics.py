"""Metrics of the paper's supplement C: Rand index (C.1), SMAPE (C.2), pooled rho-quantile loss (C.3).

All forecast metrics are computed on the original scale of the macroscopic series.
"""

from __future__ import annotations

import numpy as np
from scipy.special import comb


def rand_index(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """Rand index RI = (a + b) / C(m, 2) (supplement C.1), from the contingency table in O(m + K^2).

    ``a``: pairs in the same cluster in both labelings; ``b``: pairs in different clusters in both.
    Defined as 1.0 when ``m < 2`` (there are no pairs to disagree on), as scikit-learn does.
    """
    t = np.asarray(labels_true).ravel()
    p = np.asarray(labels_pred).ravel()
    if t.shape != p.shape:
        raise ValueError(f"label arrays differ in length: {t.shape} vs {p.shape}")
    m = t.size
    if m < 2:
        return 1.0
    _, ti = np.unique(t, return_inverse=True)
    _, pi = np.unique(p, return_inverse=True)
    cont = np.zeros((ti.max() + 1, pi.max() + 1), dtype=np.int64)
    np.add.at(cont, (ti, pi), 1)
    total = comb(m, 2, exact=True)
    same_both = int(sum(comb(int(n), 2, exact=True) for n in cont.ravel()))
    same_true = int(sum(comb(int(n), 2, exact=True) for n in cont.sum(axis=1)))
    same_pred = int(sum(comb(int(n), 2, exact=True) for n in cont.sum(axis=0)))
    diff_both = total - same_true - same_pred + same_both
    return float((same_both + diff_both) / total)


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """SMAPE in [0, 1] (supplement C.2): mean of |x - x_hat| / (|x| + |x_hat|) over all given points.

    A term with ``|x| + |x_hat| = 0`` (exact zero forecast of a zero) contributes 0, not NaN.
    Works on any shape (e.g. ``[windows, horizon]``): the mean runs over every element.
    """
    x = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    if x.shape != f.shape:
        raise ValueError(f"actual and forecast differ in shape: {x.shape} vs {f.shape}")
    den = np.abs(x) + np.abs(f)
    num = np.abs(x - f)
    terms = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return float(terms.mean())


def quantile_loss(actual: np.ndarray, quantile_forecast: np.ndarray, rho: float) -> float:
    """Pooled rho-quantile loss R_rho (supplement C.3).

    ``R_rho = 2 * sum_{i,t} D_rho(x_{i,t}, q_{i,t}) / sum_{i,t} |x_{i,t}|`` with
    ``D_rho(x, q) = (rho - 1{x <= q}) (x - q)``, summed over *all* windows ``i`` and lead times ``t``
    (not averaged per window). Returns 0.0 when both sums are 0 and ``inf`` if only the denominator is.
    """
    if not 0.0 < rho < 1.0:
        raise ValueError(f"rho must lie in (0, 1), got {rho}")
    x = np.asarray(actual, dtype=np.float64)
    q = np.asarray(quantile_forecast, dtype=np.float64)
    if x.shape != q.shape:
        raise ValueError(f"actual and quantile forecast differ in shape: {x.shape} vs {q.shape}")
    d = (rho - (x <= q).astype(np.float64)) * (x - q)
    num = 2.0 * d.sum()
    den = np.abs(x).sum()
    if den == 0:
        return 0.0 if num == 0 else float("inf")
    return float(num / den)


def _windows(actual: np.ndarray, forecast: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"actual must be [windows, horizon], got shape {x.shape}")
    if x.shape != f.shape:
        raise ValueError(f"actual and {what} differ in shape: {x.shape} vs {f.shape}")
    return x, f


def smape_per_window(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """SMAPE of each window of ``[windows, horizon]`` arrays: the mean of the SMAPE terms over the horizon.

    All windows have the same length, so the mean over windows equals the pooled :func:`smape` of the
    whole array (up to floating-point rounding).
    """
    x, f = _windows(actual, forecast, "forecast")
    den = np.abs(x) + np.abs(f)
    num = np.abs(x - f)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0).mean(axis=1)


def quantile_loss_per_window(actual: np.ndarray, quantile_forecast: np.ndarray, rho: float) -> np.ndarray:
    """Per-window share of the pooled R_rho of ``[windows, horizon]`` arrays, scaled so that its mean is R_rho.

    ``l_w = 2 * sum_t D_rho(x_{w,t}, q_{w,t}) / (sum_{v,t} |x_{v,t}| / W)``: the window's summed quantile
    loss over the *pooled* denominator of all ``W`` windows divided by ``W``. The denominator is one constant
    for the whole array (it depends on the truth only, which is the same for every method on a data set), so
    a difference ``l_w(method) - l_w(macro)`` is a rescaled difference of summed quantile losses, and the mean
    of ``l_w`` over windows is exactly the pooled :func:`quantile_loss` (up to rounding). With a zero
    denominator every ``l_w`` is 0 if all numerators are 0, else ``inf`` (as the pooled loss).
    """
    if not 0.0 < rho < 1.0:
        raise ValueError(f"rho must lie in (0, 1), got {rho}")
    x, q = _windows(actual, quantile_forecast, "quantile forecast")
    num = 2.0 * ((rho - (x <= q).astype(np.float64)) * (x - q)).sum(axis=1)
    den = np.abs(x).sum()
    if den == 0:
        return np.zeros_like(num) if not np.any(num) else np.full_like(num, np.inf)
    return num / (den / x.shape[0])


def sample_quantiles(samples: np.ndarray, rho: float, axis: int = -2) -> np.ndarray:
    """Empirical rho-quantile of forecast samples along the sample axis (default ``[..., n, horizon]``)."""
    return np.quantile(np.asarray(samples, dtype=np.float64), rho, axis=axis)


def point_forecast(samples: np.ndarray, axis: int = -2) -> np.ndarray:
    """Point forecast used for SMAPE: the mean of the (macro) samples along the sample axis."""
    return np.asarray(samples, dtype=np.float64).mean(axis=axis)


def aggregate_samples(cluster_samples: np.ndarray) -> np.ndarray:
    """Macro samples from cluster samples ``[K, ..., n, horizon]``: the index-wise sum over clusters.

    Sample ``j`` of the macro forecast is the sum of sample ``j`` of every cluster (supplement C.3),
    so quantiles are taken from the distribution of sums, never by summing cluster quantiles.
    """
    return np.asarray(cluster_samples, dtype=np.float64).sum(axis=0)

"""MixARMA: a mixture of AR(p) models fitted by EM (the paper's baseline, §5.1, ref. [39]; ARMA(2, 0) there).

Model. Series ``i`` belongs to component ``k`` with probability ``pi_k``; given ``k``,
``x_t = c_k + phi_{k,1} x_{t-1} + ... + phi_{k,p} x_{t-p} + eps_t``, ``eps_t ~ N(0, sigma_k^2)``.
We maximise the *conditional* likelihood (the first ``p`` values of each series are conditioned on), the
standard choice for AR mixtures: it makes the M-step a weighted least-squares problem in closed form.

Sufficient statistics. With design rows ``z_t = [1, x_{t-1}, ..., x_{t-p}]`` and targets ``y_t = x_t``,
``t = p+1..T``, the log-likelihood of series ``i`` under component ``k`` only needs
``A_i = sum_t z_t z_t^T`` (``[p+1, p+1]``), ``b_i = sum_t z_t y_t``, ``c_i = sum_t y_t^2`` and ``n_i = T - p``:
``log p(x_i | k) = -n_i/2 log(2 pi sigma_k^2) - (c_i - 2 beta_k^T b_i + beta_k^T A_i beta_k) / (2 sigma_k^2)``.
They are computed once (in row chunks, so the float64 copy of ``X`` never exists at full size), after which
an EM iteration costs ``O(m K p^2)`` whatever the series length, and the state is ``O(m (p+1)^2)`` floats.

EM. E-step: log-responsibilities ``log r_ik = log pi_k + log p(x_i|k) - logsumexp_k(...)``. M-step:
``beta_k = (sum_i r_ik A_i)^{-1} sum_i r_ik b_i``, ``sigma_k^2 = sum_i r_ik RSS_ik / sum_i r_ik n_i``,
``pi_k = mean_i r_ik``. The log-likelihood evaluated at each E-step never decreases (EM guarantee; tested).

Initialisation: per-series OLS AR coefficients, k-means++ seeding on them (a new random draw per restart), each
component starts at its seed series' OLS fit with the pooled residual variance. ``n_init`` restarts; the one
with the highest final log-likelihood is kept.

Normalisation: every series is z-scored (its own mean and standard deviation; a constant series gets sd 1)
before the statistics are taken, so that components describe the *dynamics* and not the level or scale of
a series (the synthetic ARMA data are zero-mean anyway; on real sales data levels differ by orders of magnitude).
The intercept absorbs what remains of the mean.

Log (``fit(..., log_path=...)``): TSV ``restart, iter, loglik, seconds`` (total conditional log-likelihood
over all series at each E-step; seconds since the start of ``fit``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from mixseq.cluster.base import ClusterMethod
from mixseq.utils import atomic_path

LOG_COLUMNS = ("restart", "iter", "loglik", "seconds")


def zscore(X: np.ndarray) -> np.ndarray:
    """Per-series z-score (float64) of ``X [m, T]``; constant series are only centred."""
    X = np.asarray(X, dtype=np.float64)
    sd = X.std(axis=1, keepdims=True)
    return (X - X.mean(axis=1, keepdims=True)) / np.where(sd > 0, sd, 1.0)


def ar_sufficient_stats(
    X: np.ndarray, p: int = 2, normalise: bool = True, chunk_elems: int = 2_000_000
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-series AR(p) statistics ``(A [m,p+1,p+1], b [m,p+1], c [m], n [m])`` (see module docstring).

    ``X`` is processed in chunks of about ``chunk_elems`` values so peak extra memory is a few tens of MB.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"MixARMA expects X of shape [m, T], got {X.shape}")
    m, T = X.shape
    if T <= p + 1:
        raise ValueError(f"MixARMA: series length {T} too short for AR({p})")
    if not np.isfinite(X).all():
        raise ValueError("MixARMA: X contains NaN or inf; impute or drop those series first")
    d = p + 1
    A = np.empty((m, d, d))
    b = np.empty((m, d))
    c = np.empty(m)
    n = np.full(m, float(T - p))
    rows = max(1, chunk_elems // T)
    for s in range(0, m, rows):
        x = zscore(X[s : s + rows]) if normalise else np.asarray(X[s : s + rows], dtype=np.float64)
        y = x[:, p:]
        # z[j] = j-th regressor over t = p..T-1: the constant, then lags 1..p
        z = [None] + [x[:, p - j : T - j] for j in range(1, p + 1)]
        A[s : s + rows, 0, 0] = T - p
        b[s : s + rows, 0] = y.sum(axis=1)
        c[s : s + rows] = (y * y).sum(axis=1)
        for i in range(1, d):
            A[s : s + rows, 0, i] = A[s : s + rows, i, 0] = z[i].sum(axis=1)
            b[s : s + rows, i] = (z[i] * y).sum(axis=1)
            for j in range(i, d):
                A[s : s + rows, i, j] = A[s : s + rows, j, i] = (z[i] * z[j]).sum(axis=1)
    return A, b, c, n


def component_loglik(
    A: np.ndarray, b: np.ndarray, c: np.ndarray, n: np.ndarray, beta: np.ndarray, sigma2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(log p(x_i | k) [m, K], RSS_ik [m, K])`` from sufficient statistics; ``beta [K, p+1]``, ``sigma2 [K]``."""
    rss = c[:, None] - 2.0 * b @ beta.T + np.einsum("ipq,kp,kq->ik", A, beta, beta, optimize=True)
    rss = np.maximum(rss, 0.0)
    ll = -0.5 * n[:, None] * np.log(2.0 * np.pi * sigma2)[None, :] - 0.5 * rss / sigma2[None, :]
    return ll, rss


class MixARMA(ClusterMethod):
    """Mixture of AR(p) (default p=2, i.e. the paper's ARMA(2, 0)) with intercept, fitted by EM.

    Options (kwargs): ``p`` (2), ``n_init`` (5 restarts), ``max_iter`` (200), ``tol`` (1e-7: stop when the
    log-likelihood gain per observation is below it), ``normalise`` (True: per-series z-score),
    ``min_var`` (1e-6, floor on sigma_k^2), ``ridge`` (1e-8, added to the M-step normal equations).
    """

    name = "mixarma"
    model_suffix = ".npz"

    def __init__(
        self,
        n_clusters: int,
        seed: int = 0,
        *,
        p: int = 2,
        n_init: int = 5,
        max_iter: int = 200,
        tol: float = 1e-7,
        normalise: bool = True,
        min_var: float = 1e-6,
        ridge: float = 1e-8,
    ) -> None:
        super().__init__(n_clusters, seed)
        self.p = int(p)
        self.n_init = int(n_init)
        self.max_iter = int(max_iter)
        self.tol = float(tol)
        self.normalise = bool(normalise)
        self.min_var = float(min_var)
        self.ridge = float(ridge)
        self.coef_: np.ndarray | None = None  # [K, p+1]: intercept, phi_1..phi_p
        self.sigma2_: np.ndarray | None = None
        self.weights_: np.ndarray | None = None
        self.loglik_: float = -np.inf
        self.loglik_path_: list[float] = []

    # -- EM pieces -------------------------------------------------------------------------------------------
    def _init_params(
        self, A: np.ndarray, b: np.ndarray, c: np.ndarray, n: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        K, d = self.n_clusters, self.p + 1
        m = len(c)
        sub = rng.choice(m, size=min(m, 20000), replace=False)  # k-means++ on a subsample is plenty
        ols = np.linalg.solve(A[sub] + 1e-6 * np.eye(d), b[sub][..., None])[..., 0]
        feats = ols[:, 1:]
        seeds = [int(rng.integers(len(sub)))]
        dist = ((feats - feats[seeds[0]]) ** 2).sum(axis=1)
        for _ in range(1, K):
            prob = dist / dist.sum() if dist.sum() > 0 else np.full(len(sub), 1.0 / len(sub))
            seeds.append(int(rng.choice(len(sub), p=prob)))
            dist = np.minimum(dist, ((feats - feats[seeds[-1]]) ** 2).sum(axis=1))
        beta = ols[seeds].copy()
        _, rss = component_loglik(A[sub], b[sub], c[sub], n[sub], beta, np.ones(K))
        sigma2 = np.full(K, max(float(rss.min(axis=1).sum() / n[sub].sum()), self.min_var))
        return beta, sigma2, np.full(K, 1.0 / K)

    def _e_step(self, A, b, c, n, beta, sigma2, weights):  # type: ignore[no-untyped-def]
        ll, rss = component_loglik(A, b, c, n, beta, sigma2)
        joint = ll + np.log(weights)[None, :]
        norm = logsumexp(joint, axis=1)
        return joint - norm[:, None], float(norm.sum())

    def _m_step(self, A, b, c, n, log_r):  # type: ignore[no-untyped-def]
        r = np.exp(log_r)
        d = self.p + 1
        SA = np.einsum("ik,ipq->kpq", r, A, optimize=True) + self.ridge * np.eye(d)
        Sb = r.T @ b
        beta = np.linalg.solve(SA, Sb[..., None])[..., 0]
        _, rss = component_loglik(A, b, c, n, beta, np.ones(self.n_clusters))
        nk = r.T @ n
        sigma2 = np.maximum((r * rss).sum(axis=0) / np.maximum(nk, 1e-12), self.min_var)
        weights = np.maximum(r.mean(axis=0), 1e-12)
        return beta, sigma2, weights / weights.sum()

    # -- public API ------------------------------------------------------------------------------------------
    def fit(
        self,
        X: np.ndarray,
        dates: pd.DatetimeIndex | None = None,
        log_path: str | Path | None = None,
        labels_true: np.ndarray | None = None,
    ) -> MixARMA:
        """Fit by EM with ``n_init`` restarts (keeps the best log-likelihood); sets ``labels_ = argmax_k r_ik``."""
        t0 = time.perf_counter()
        A, b, c, n = ar_sufficient_stats(X, self.p, self.normalise)
        n_obs = float(n.sum())
        rng = np.random.default_rng(self.seed)
        rows: list[tuple[int, int, float, float]] = []
        best: tuple[float, Any] | None = None
        for restart in range(self.n_init):
            beta, sigma2, weights = self._init_params(A, b, c, n, rng)
            prev = -np.inf
            path = []
            for it in range(self.max_iter):
                log_r, ll = self._e_step(A, b, c, n, beta, sigma2, weights)
                path.append(ll)
                rows.append((restart, it, ll, time.perf_counter() - t0))
                if (ll - prev) / n_obs < self.tol:
                    break
                prev = ll
                beta, sigma2, weights = self._m_step(A, b, c, n, log_r)
            else:  # max_iter reached: responsibilities and log-likelihood of the last M-step's parameters
                log_r, ll = self._e_step(A, b, c, n, beta, sigma2, weights)
                path.append(ll)
            if best is None or ll > best[0]:
                best = (ll, (beta, sigma2, weights, log_r, path))
        assert best is not None
        self.loglik_ = best[0]
        self.coef_, self.sigma2_, self.weights_, log_r, self.loglik_path_ = best[1]
        self.labels_ = np.argmax(log_r, axis=1).astype(np.int64)
        self.fit_seconds_ = time.perf_counter() - t0
        if log_path is not None:
            with atomic_path(log_path) as tmp:
                pd.DataFrame(rows, columns=list(LOG_COLUMNS)).to_csv(tmp, sep="\t", index=False)
        return self

    def posterior(self, X: np.ndarray) -> np.ndarray:
        """Responsibilities ``r_ik`` ``[m, K]`` of new series under the fitted mixture."""
        if self.coef_ is None:
            raise RuntimeError("mixarma: call fit() first")
        A, b, c, n = ar_sufficient_stats(X, self.p, self.normalise)
        log_r, _ = self._e_step(A, b, c, n, self.coef_, self.sigma2_, self.weights_)
        return np.exp(log_r)

    def predict(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """Assign new series to ``argmax_k r_ik``."""
        return np.argmax(self.posterior(X), axis=1).astype(np.int64)

    def save(self, path: str | Path) -> None:
        """Write the fitted parameters as ``.npz`` (read back with :meth:`load`)."""
        if self.coef_ is None:
            raise RuntimeError("mixarma: call fit() first")
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, coef=self.coef_, sigma2=self.sigma2_, weights=self.weights_, p=self.p,
                     normalise=self.normalise, seed=self.seed, loglik=self.loglik_)

    @classmethod
    def load(cls, path: str | Path) -> MixARMA:
        """Rebuild a fitted model written by :meth:`save`."""
        with np.load(path) as z:
            obj = cls(n_clusters=len(z["weights"]), seed=int(z["seed"]), p=int(z["p"]), normalise=bool(z["normalise"]))
            obj.coef_, obj.sigma2_, obj.weights_ = z["coef"], z["sigma2"], z["weights"]
            obj.loglik_ = float(z["loglik"])
        return obj

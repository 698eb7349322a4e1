"""Synthetic mixtures of the paper's toy study (§3.2, supplement D.2).

Each mixture has ``n_components`` components with ``n_per_component`` series each (paper: 5), of length
``length`` (paper: 360). Ground-truth component labels are kept in the panel.

Where the paper is ambiguous we choose, and say so:

* ARMA noise. §5.1 writes ``eps_t ~ N(0, 0.27)`` for the clustering data; the toy study does not state its
  noise, so we use the same and read **0.27 as the variance** (sd 0.52), the usual ``N(mu, sigma^2)``
  notation. Config key ``noise_var``.
* ARMA initial values: the supplement says ``N(0, 0.25)``; read as variance 0.25 (sd 0.5) likewise.
  The series starts from these two values; no burn-in is discarded (config ``burn_in``, default 0),
  so the start-up transient is part of the data, as the supplement describes.
* GP time grid. TimeSynth samples a GP at chosen time points; the paper does not give them. We sample
  on a regular grid ``t = 0, dt, 2 dt, ...`` with ``dt = time_step`` (default 0.1), so a lengthscale
  of 0.5 spans 5 steps. The prior mean is 0 (``gp_mean``, default 0).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from mixseq.data.panel import Panel, write_panel

GP_PARAMS: list[tuple[float, float]] = [(1.5, 2.0), (0.5, 2.5), (0.5, 1.0), (0.5, 0.5), (2.0, 1.0)]
"""(lengthscale, variance) of the RBF kernels: the first three for 3 components, all five for 5 (D.2)."""

ARMA_TOY_PARAMS: list[tuple[float, float]] = [(1.5, -0.75), (1.0, -0.9), (-0.25, 0.52), (0.34, 0.27), (1.0, -0.30)]
"""AR(2) coefficients (phi_1, phi_2): the first three for 3 components, all five for 5 (D.2)."""

SYNTHETIC_START = "2000-01-01"


def simulate_ar2(
    phis: np.ndarray, n_series: int, length: int, rng: np.random.Generator, noise_var: float = 0.27,
    init_var: float = 0.25, burn_in: int = 0,
) -> np.ndarray:
    """Simulate ``x_t = phi_1 x_{t-1} + phi_2 x_{t-2} + eps_t`` for ``n_series`` series (vectorised).

    ``phis`` is ``[2]`` (shared) or ``[n_series, 2]``. The first two values are drawn from
    ``N(0, init_var)``; ``eps_t ~ N(0, noise_var)``. Returns float64 ``[n_series, length]``.
    """
    phis = np.broadcast_to(np.asarray(phis, dtype=np.float64), (n_series, 2))
    total = length + burn_in
    x = np.empty((n_series, total), dtype=np.float64)
    x[:, :2] = rng.normal(0.0, np.sqrt(init_var), size=(n_series, 2))
    eps = rng.normal(0.0, np.sqrt(noise_var), size=(n_series, total))
    for t in range(2, total):
        x[:, t] = phis[:, 0] * x[:, t - 1] + phis[:, 1] * x[:, t - 2] + eps[:, t]
    return x[:, burn_in:]


def sample_gp(
    lengthscale: float, variance: float, n_series: int, length: int, rng: np.random.Generator,
    time_step: float = 0.1, mean: float = 0.0,
) -> np.ndarray:
    """Draw ``n_series`` paths of a zero-mean GP with RBF kernel ``variance * exp(-d^2 / (2 l^2))``.

    Uses scikit-learn's GP prior sampler (``sample_y`` of an unfitted regressor).
    """
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel

    t = (np.arange(length, dtype=np.float64) * time_step)[:, None]
    kernel = ConstantKernel(variance, "fixed") * RBF(lengthscale, "fixed")
    gp = GaussianProcessRegressor(kernel=kernel, optimizer=None)
    paths = gp.sample_y(t, n_samples=n_series, random_state=int(rng.integers(2**31 - 1)))
    return mean + np.asarray(paths, dtype=np.float64).T


def toy_splits(length: int, test_steps: int, val_steps: int = 60) -> dict[str, str]:
    """Splits for a synthetic panel: the last ``test_steps`` days are the rolling-evaluation interval."""
    dates = pd.date_range(SYNTHETIC_START, periods=length, freq="D")
    test_start = length - test_steps
    if test_start < 3:
        raise ValueError(f"test_steps={test_steps} leaves no history in a series of length {length}")
    return {
        "train_start": str(dates[0].date()),
        "train_end": str(dates[test_start - 1].date()),
        "val_start": str(dates[max(0, test_start - val_steps)].date()),
        "test_start": str(dates[test_start].date()),
        "test_end": str(dates[-1].date()),
    }


def make_toy_panel(kind: str, n_components: int, seed: int, name: str = "toy", **options: Any) -> Panel:
    """A synthetic mixture panel of the toy study.

    Args:
        kind: ``"synthetic_gp"`` or ``"synthetic_arma"``.
        n_components: 1..5 (the first ``n_components`` parameter sets of D.2).
        seed: data seed; each trial draws fresh data.
        options: ``n_per_component`` (5), ``length`` (360), ``test_steps`` (120), ``noise_var`` (0.27),
            ``init_var`` (0.25), ``burn_in`` (0), ``time_step`` (0.1), ``gp_mean`` (0.0).
    """
    n_per = int(options.get("n_per_component", 5))
    length = int(options.get("length", 360))
    test_steps = int(options.get("test_steps", 120))
    table = GP_PARAMS if kind == "synthetic_gp" else ARMA_TOY_PARAMS
    if kind not in ("synthetic_gp", "synthetic_arma"):
        raise ValueError(f"unknown synthetic kind '{kind}'; expected synthetic_gp or synthetic_arma")
    if not 1 <= n_components <= len(table):
        raise ValueError(f"{kind}: n_components must be in 1..{len(table)}, got {n_components}")
    rng = np.random.default_rng(seed)
    blocks, labels = [], []
    for c in range(n_components):
        if kind == "synthetic_gp":
            ls, var = table[c]
            blocks.append(sample_gp(ls, var, n_per, length, rng, float(options.get("time_step", 0.1)),
                                    float(options.get("gp_mean", 0.0))))
        else:
            blocks.append(simulate_ar2(np.array(table[c]), n_per, length, rng, float(options.get("noise_var", 0.27)),
                                       float(options.get("init_var", 0.25)), int(options.get("burn_in", 0))))
        labels += [c] * n_per
    values = np.concatenate(blocks, axis=0)
    ids = [f"c{lab}_s{i % n_per}" for i, lab in enumerate(labels)]
    return Panel(
        values=values, ids=ids, dates=pd.date_range(SYNTHETIC_START, periods=length, freq="D"),
        splits=toy_splits(length, test_steps), name=name, labels=np.array(labels),
        meta={"kind": kind, "n_components": n_components, "seed": seed,
              "params": [list(p) for p in table[:n_components]], **{k: v for k, v in options.items()}},
    )


def write_grouped_panel(m: int, T: int, seed: int, path: str | os.PathLike[str], chunk: int = 20_000) -> None:
    """Write a daily panel of ``m`` series x ``T`` days in 3 groups (weekly, yearly, noise-only level series),
    generated chunk by chunk (large sizes for the streaming benchmarks in ``bench/``; small ones in tests)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2015-01-01", periods=T, freq="D")
    t = np.arange(T)
    n_test = min(60, T // 5)
    splits = {"train_start": str(dates[0].date()), "train_end": str(dates[T - n_test - 1].date()),
              "val_start": str(dates[T - 2 * n_test].date()), "test_start": str(dates[T - n_test].date()),
              "test_end": str(dates[-1].date())}
    lab = np.arange(m) % 3
    vals = np.empty((m, T), dtype=np.float32)
    for s in range(0, m, chunk):
        e = min(m, s + chunk)
        lv = rng.uniform(5, 50, size=(e - s, 1))
        base = np.where(lab[s:e, None] == 0, np.sin(2 * np.pi * t / 7),
                        np.where(lab[s:e, None] == 1, np.sin(2 * np.pi * t / 365), 0.0))
        vals[s:e] = lv * (1 + 0.3 * base + 0.1 * rng.normal(size=(e - s, T)))
    panel = Panel(values=vals, ids=[f"s{i}" for i in range(m)], dates=dates, splits=splits, labels=lab,
                  name=f"bench{m}x{T}")
    write_panel(panel, path)

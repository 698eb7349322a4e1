"""Figures (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def forecast_window_panel(
    ax: plt.Axes, history: np.ndarray, truth: np.ndarray, forecasts: dict[str, np.ndarray], title: str,
    n_history: int = 60,
) -> None:
    """Draw history tail, the true future and, per forecast, its mean with a 10-90% band."""
    h = len(truth)
    hist = history[-n_history:]
    x_hist = np.arange(-len(hist), 0)
    x_fut = np.arange(h)
    ax.plot(x_hist, hist, color="black", lw=1, label="history")
    ax.plot(x_fut, truth, color="black", lw=1.5, ls="--", label="truth")
    colours = ["tab:red", "tab:blue", "tab:green", "tab:purple"]
    for (name, samples), col in zip(forecasts.items(), colours, strict=False):
        lo, hi = np.quantile(samples, [0.1, 0.9], axis=0)
        ax.fill_between(x_fut, lo, hi, color=col, alpha=0.2)
        ax.plot(x_fut, samples.mean(axis=0), color=col, lw=1.5, label=f"{name} (mean, 10-90%)")
    ax.axvline(-0.5, color="grey", lw=0.5)
    ax.set_title(title)
    ax.set_xlabel("steps from forecast origin")


def save(fig: plt.Figure, path: str | os.PathLike[str]) -> None:
    """Save ``fig`` as PNG at ``path`` (atomically) and close it."""
    from mixseq.utils import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)

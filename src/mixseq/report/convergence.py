"""Supplement Figure 1: each clustering method's objective against wall-clock seconds, from training logs.

"Converged" (documented rule): the first logged time at which the objective has made 99% of its total
improvement, i.e. ``|obj_t - obj_final| <= tol * |obj_first - obj_final|`` with ``tol = 0.01``, where the
objective is the running best (MixARMA restarts EM several times; its log holds every restart in sequence).
The rule is relative to the run's final value, so a run stopped while still improving "converges" near its end;
:func:`converged_in_run` flags whether the curve had flattened over the last quarter of the log
(``converged_in_run`` in results/convergence.tsv).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: per method: (objective column, True if maximised, label)
OBJECTIVES: dict[str, tuple[str, bool, str]] = {
    "mixseq": ("loss", False, "negative ELBO of eq. 10 (loss)"),
    "mixarma": ("loglik", True, "conditional log-likelihood"),
    "dtcr": ("loss", False, "DTCR loss"),
}


def objective_curve(log: pd.DataFrame, method: str) -> tuple[np.ndarray, np.ndarray]:
    """``(seconds, running-best objective)`` of a training log (objective in its natural direction)."""
    col, maximise, _ = OBJECTIVES[method]
    if col not in log.columns or "seconds" not in log.columns:
        raise ValueError(f"{method} training log lacks columns '{col}'/'seconds': has {list(log.columns)}")
    obj = log[col].to_numpy(np.float64)
    best = np.maximum.accumulate(obj) if maximise else np.minimum.accumulate(obj)
    return log["seconds"].to_numpy(np.float64), best


def seconds_to_converge(seconds: np.ndarray, objective: np.ndarray, tol: float = 0.01) -> float:
    """First time the (monotone) objective is within ``tol`` of its total improvement from the final value."""
    if len(objective) == 0:
        return float("nan")
    total = abs(objective[0] - objective[-1])
    if total == 0:
        return float(seconds[0])
    close = np.abs(objective - objective[-1]) <= tol * total
    return float(seconds[int(np.argmax(close))])


def converged_in_run(seconds: np.ndarray, objective: np.ndarray, tol: float = 0.01, tail: float = 0.25) -> bool:
    """True when the (running-best) objective had flattened before training stopped.

    The rule of :func:`seconds_to_converge` is relative to the final value, so a run stopped while still improving
    "converges" at (or near) its end. Here the run counts as converged only if, over the last ``tail`` fraction of
    its log points (at least 2), the objective moved by at most ``tol`` times its total improvement.
    """
    n = len(objective)
    if n < 4:
        return False
    total = abs(objective[0] - objective[-1])
    if total == 0:
        return True
    start = n - max(2, int(np.ceil(tail * n)))
    return bool(abs(objective[start] - objective[-1]) <= tol * total)


def summarise_curve(log: pd.DataFrame, method: str, tol: float = 0.01, ax: Any = None) -> dict[str, Any]:
    """Convergence statistics of one training log (the columns of results/convergence.tsv) and, given a
    matplotlib axis, its panel of Supplement Figure 1 (running-best objective, converged time as a dashed line)."""
    secs, obj = objective_curve(log, method)
    conv = seconds_to_converge(secs, obj, tol)
    inside = converged_in_run(secs, obj, tol)
    if ax is not None:
        ax.plot(secs, obj, marker=".", lw=1)
        ax.axvline(conv, ls="--", color="grey", lw=0.8)
        ax.set_title(f"{method} (converged {conv:.1f} s)" if inside else f"{method} (still improving at {conv:.1f} s)")
        ax.set_xlabel("seconds")
        ax.set_ylabel(OBJECTIVES[method][2], fontsize=8)
    return {"seconds_to_converge": conv, "converged_in_run": inside,
            "seconds_to_90pct": seconds_to_converge(secs, obj, 0.1), "total_seconds": float(secs[-1]),
            "log_points": len(secs), "final_objective": float(obj[-1])}

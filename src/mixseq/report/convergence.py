"""Supplement Figure 1: each clustering method's objective against wall-clock seconds, from training logs.

"Converged" (documented rule): the first logged time at which the objective has made 99% of its total
improvement, i.e. ``|obj_t - obj_final| <= tol * |obj_first - obj_final|`` with ``tol = 0.01``, where the
objective is the running best (MixARMA restarts EM several times; its log holds every restart in sequence).
The rule is relative to the run's final value, so a run stopped while still improving "converges" at its last
log point; :func:`converged_in_run` flags that case (``converged_in_run = False`` in results/convergence.tsv).
"""

from __future__ import annotations

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


def converged_in_run(seconds: np.ndarray, objective: np.ndarray, tol: float = 0.01) -> bool:
    """True when the rule of :func:`seconds_to_converge` is met before the last log point.

    With the objective still moving at the end of training the rule is met only at the final point, and the
    seconds reported are a lower bound on the time to converge, not a measurement of it.
    """
    if len(objective) < 2:
        return False
    return seconds_to_converge(seconds, objective, tol) < float(seconds[-1])

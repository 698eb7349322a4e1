"""Per-series scaling for neural models (DeepAR-style): divide by the mean absolute value of the history.

Forecasts are multiplied back by the same scale before aggregation; metrics use the original scale.
"""

from __future__ import annotations

import numpy as np
import torch

EPS = 1.0


def series_scale(history: np.ndarray | torch.Tensor, axis: int = -1) -> np.ndarray | torch.Tensor:
    """``1 + mean |x|`` over ``axis``: the DeepAR scale, shifted by 1 so all-zero histories keep scale 1."""
    if isinstance(history, torch.Tensor):
        return EPS + history.abs().mean(dim=axis, keepdim=True)
    return EPS + np.abs(np.asarray(history, dtype=np.float64)).mean(axis=axis, keepdims=True)

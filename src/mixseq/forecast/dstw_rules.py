"""Rule-based probabilistic forecaster of the sliding-window paper (§3), on one univariate series.

Usable per cluster or on the macroscopic series: ``fit`` learns windows, window clusters, centres and
rules from that series' own history.

Representation (our choice; the paper clusters raw segments of many series):

- The history is tiled **from its end backwards** into consecutive, non-overlapping windows of
  ``window`` steps (fixed size: the forecast target is "the next window", so windows must tile time;
  the clusterer's 1~1.3x size jitter is not used here). A leftover shorter than ``window`` at the
  start is dropped.
- Scale ``s`` = mean absolute value of the history (as DeepAR / the workflow scale series; 1 if 0).
- Window ``j`` (values ``x_j``) is represented by its **offset pattern**
  ``p_j = (x_j - mean(x_{j-1})) / s``: its shape and level change relative to the previous window, in
  units of the series scale. The first window has no predecessor and is not represented.
- The patterns are clustered by the improved k-means of :mod:`mixseq.dtw` (§2.1) on DTW
  distances into ``n_states`` states; centres are member patterns.

Rules (§3.1, eqs. 4-5): for consecutive windows with states ``A`` then ``B``, rule ``A -> B`` has
confidence ``count(A, B) / count(A)`` where ``count(A)`` counts windows in state ``A`` that have a
successor (so the confidences of each ``A`` sum to 1).

Forecast (§3.2): the state ``A`` of the last complete window of ``y_hist`` is found (nearest centre by
DTW); each sample draws ``B`` with probability ``confidence(A -> B)`` and returns
``mean(last window) + s * (centre_B + noise)``, i.e. the centres **rescaled to the series level**;
``noise`` is Gaussian with the per-step residual standard deviation of state ``B``'s members around
their centre (``noise=False`` gives the bare mixture of centres). Horizons longer than ``window``
chain windows (the sampled ``B`` becomes the next state, the new window's mean the next level);
shorter horizons are truncated. **Fallback**: a state with no outgoing rule (it only occurred in the
last window) uses the marginal state frequencies of all represented windows; a history too short for
two windows gives the last observed window repeated (plus no noise).
Options: ``window`` (14), ``n_states`` (4), ``noise`` (True), ``nonnegative`` (False: clip samples at
0), ``sakoe_chiba_radius`` (None), ``n_restarts`` (5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixseq.dtw import dtw_matrix, improved_kmeans
from mixseq.forecast.base import Forecaster


def rule_confidences(states: np.ndarray, n_states: int) -> tuple[np.ndarray, np.ndarray]:
    """``(counts, confidence)`` of rules ``A -> B`` from a state sequence (eqs. 4-5).

    ``counts[a, b]`` = number of consecutive pairs ``(a, b)``; ``confidence[a, b] = counts[a, b] /
    sum_b counts[a, b]`` (0 for a state with no successor).
    """
    s = np.asarray(states, dtype=np.int64)
    counts = np.zeros((n_states, n_states), dtype=np.int64)
    if s.size > 1:
        np.add.at(counts, (s[:-1], s[1:]), 1)
    rows = counts.sum(axis=1, keepdims=True)
    conf = np.divide(counts, rows, out=np.zeros((n_states, n_states)), where=rows > 0)
    return counts, conf


class RuleForecaster(Forecaster):
    """Forecast the next window as a confidence-weighted mixture of rescaled cluster centres (module doc)."""

    name = "dstw_rules"
    trains_once = False

    def __init__(self, seed: int = 0, *, window: int = 14, n_states: int = 4, noise: bool = True,
                 nonnegative: bool = False, sakoe_chiba_radius: int | None = None, n_restarts: int = 5) -> None:
        super().__init__(seed)
        self.window = int(window)
        self.n_states = int(n_states)
        self.noise = bool(noise)
        self.nonnegative = bool(nonnegative)
        self.radius = None if sakoe_chiba_radius is None else int(sakoe_chiba_radius)
        self.n_restarts = int(n_restarts)
        if self.window < 2 or self.n_states < 1:
            raise ValueError(f"dstw_rules: need window >= 2 and n_states >= 1, got {self.window}, {self.n_states}")
        self.centres_: np.ndarray | None = None

    def _tiles(self, y: np.ndarray) -> np.ndarray:
        n = len(y) // self.window
        return y[len(y) - n * self.window :].reshape(n, self.window) if n else np.zeros((0, self.window))

    @staticmethod
    def _scale(y: np.ndarray) -> float:
        s = float(np.mean(np.abs(y))) if y.size else 0.0
        return s if s > 0 and np.isfinite(s) else 1.0

    def fit(self, y: np.ndarray, dates: pd.DatetimeIndex | None = None) -> RuleForecaster:
        """Learn states (clusters of offset patterns), centres, residual spreads and rules from ``y``."""
        y = np.nan_to_num(np.asarray(y, dtype=np.float64))
        tiles = self._tiles(y)
        self.scale_ = self._scale(y)
        if len(tiles) < 2:
            self.centres_ = None
            return self
        P = (tiles[1:] - tiles[:-1].mean(axis=1, keepdims=True)) / self.scale_
        k = min(self.n_states, len(P))
        res = improved_kmeans(
            dtw_matrix(P, radius=self.radius), k, np.random.default_rng(self.seed), n_restarts=self.n_restarts
        )
        self.states_ = res.labels
        self.centres_ = P[res.centres]
        self.resid_sd_ = np.stack([(P[res.labels == c] - self.centres_[c]).std(axis=0) for c in range(k)])
        self.counts_, self.confidence_ = rule_confidences(self.states_, k)
        self.marginal_ = np.bincount(self.states_, minlength=k) / len(self.states_)
        return self

    def _state_of(self, pattern: np.ndarray) -> int:
        assert self.centres_ is not None
        return int(np.argmin(dtw_matrix(pattern[None, :], self.centres_, radius=self.radius)[0]))

    def next_state_probs(self, state: int) -> np.ndarray:
        """Confidences of the rules leaving ``state``; the marginal state frequencies if it has none."""
        row = self.confidence_[state]
        return row if row.sum() > 0 else self.marginal_

    def sample(
        self,
        y_hist: np.ndarray,
        dates_hist: pd.DatetimeIndex | None,
        horizon: int,
        n_samples: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """``[n_samples, horizon]`` draws of the values after ``y_hist`` (see module docstring)."""
        y = np.nan_to_num(np.asarray(y_hist, dtype=np.float64))
        tiles = self._tiles(y)
        n_win = -(-int(horizon) // self.window)
        if self.centres_ is None or len(tiles) < 2:
            last = tiles[-1] if len(tiles) else np.full(self.window, y[-1] if y.size else 0.0)
            out = np.tile(np.tile(last, n_win)[:horizon], (n_samples, 1))
            return np.clip(out, 0, None) if self.nonnegative else out
        s = self.scale_
        state0 = self._state_of((tiles[-1] - tiles[-2].mean()) / s)
        out = np.empty((n_samples, n_win * self.window))
        for i in range(n_samples):
            state, level = state0, tiles[-1].mean()
            for w in range(n_win):
                probs = self.next_state_probs(state)
                state = int(rng.choice(len(probs), p=probs))
                pat = self.centres_[state]
                if self.noise:
                    pat = pat + self.resid_sd_[state] * rng.standard_normal(self.window)
                vals = level + s * pat
                out[i, w * self.window : (w + 1) * self.window] = vals
                level = vals.mean()
        out = out[:, :horizon]
        return np.clip(out, 0, None) if self.nonnegative else out

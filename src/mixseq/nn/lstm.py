"""DeepAR network (Salinas et al., 2020; paper §5.2): a 1-layer LSTM with 16 units and a Gaussian head.

Input at step ``t`` is ``[x_{t-1} / v || o_t]`` (previous value divided by the series scale ``v``, then the
date covariates of day ``t``); output is ``(mu_t, sigma_t)`` of ``x_t / v``. ``forward`` runs teacher
forcing over a whole window; ``forward_state`` additionally takes and returns the LSTM state so that
ancestral sampling (:func:`mixseq.nn.sampling.ancestral_sample`) advances one step at a time in O(1).
"""

from __future__ import annotations

import torch
from torch import nn

from mixseq.nn.heads import make_head, with_min_scale

State = tuple[torch.Tensor, torch.Tensor]


class DeepARNet(nn.Module):
    """``LSTM(in_dim -> hidden, num_layers) -> dropout -> head`` (Gaussian by default).

    Args:
        in_dim: input features per step (1 lagged value + date covariates).
        hidden: LSTM units (paper: 16).
        num_layers: LSTM layers (paper: 1).
        dropout: dropout on the LSTM output (and between layers when ``num_layers > 1``).
        min_scale: added to the head's ``sigma`` (scaled units); a floor that keeps the NLL bounded on
            series with exact, repeated zeros (e.g. closed shops). 0 = the head's own tiny floor only.
        likelihood: output head, ``"gaussian"`` (paper) or ``"hurdle_softplus_normal"`` (:mod:`mixseq.nn.heads`).
    """

    stateful = True

    def __init__(
        self,
        in_dim: int,
        hidden: int = 16,
        num_layers: int = 1,
        dropout: float = 0.1,
        min_scale: float = 0.0,
        likelihood: str = "gaussian",
    ) -> None:
        super().__init__()
        self.min_scale = float(min_scale)
        self.lstm = nn.LSTM(
            in_dim, hidden, num_layers=num_layers, batch_first=True, dropout=dropout if num_layers > 1 else 0.0
        )
        self.drop = nn.Dropout(dropout)
        self.head = make_head(likelihood, hidden)

    def forward_state(self, x: torch.Tensor, state: State | None = None) -> tuple:
        """``x: [B, T, in_dim]`` -> the head's parameters (``mu, sigma, ...``: each ``[B, T]``) and the LSTM
        state after the last step."""
        h, state = self.lstm(x, state)
        return (*with_min_scale(self.head(self.drop(h)), self.min_scale), state)

    @staticmethod
    def repeat_state(state: State, n: int) -> State:
        """Repeat every batch row of ``(h, c)`` ``n`` times (one copy per sample path)."""
        return (state[0].repeat_interleave(n, dim=1), state[1].repeat_interleave(n, dim=1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Teacher forcing: ``x: [B, T, in_dim]`` -> ``(mu, sigma, ...)``, each ``[B, T]``; step t sees inputs <= t."""
        *params, _ = self.forward_state(x)
        return tuple(params)

"""Gaussian output head (paper eq. 6) and its negative log-likelihood."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

#: smallest standard deviation the head emits (in scaled units), keeps the NLL finite.
MIN_SCALE = 1e-4


class GaussianHead(nn.Module):
    """Map features ``h_t`` to ``(mu_t, sigma_t)``: ``mu = w_mu^T h + b_mu``, ``sigma = softplus(w_s^T h + b_s)``.

    Eq. 6 writes ``sigma^2 = log(1 + exp(.))``; we follow DeepAR and the issue ("mean, softplus scale") and
    apply softplus to the *scale*; both are positive reparameterisations of the same family.
    """

    def __init__(self, d_in: int) -> None:
        super().__init__()
        self.mu = nn.Linear(d_in, 1)
        self.sigma = nn.Linear(d_in, 1)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu = self.mu(h).squeeze(-1)
        sigma = F.softplus(self.sigma(h)).squeeze(-1) + MIN_SCALE
        return mu, sigma


def gaussian_nll(x: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Element-wise ``-log N(x; mu, sigma^2)`` (same shape as ``x``)."""
    return 0.5 * ((x - mu) / sigma) ** 2 + torch.log(sigma) + 0.5 * math.log(2 * math.pi)

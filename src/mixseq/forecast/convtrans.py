"""ConvTrans forecaster (Li et al., 2019, ref. [19]; paper §5.2: 2 heads, kernel 3, Gaussian output).

The shared :class:`mixseq.nn.convtrans.ConvTransBackbone` (causal convolution, masked self-attention,
deep-set readout; ``d_model = d_out = hidden``) followed by a :class:`~mixseq.nn.heads.GaussianHead`.
See :mod:`mixseq.forecast.neural` for options, training windows and sampling. Extra options:
``n_heads`` (2), ``n_layers`` (1), ``kernel_size`` (3).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from mixseq.forecast.neural import NeuralForecaster
from mixseq.nn.heads import GaussianHead


class ConvTransNet(nn.Module):
    """``ConvTransBackbone -> GaussianHead``: ``forward(x [B, T, in_dim]) -> (mu, sigma)``, causal."""

    stateful = False

    def __init__(
        self,
        in_dim: int,
        hidden: int = 16,
        n_heads: int = 2,
        n_layers: int = 1,
        kernel_size: int = 3,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        from mixseq.nn import convtrans  # looked up at build time (tests may substitute the module's class)

        self.backbone = convtrans.ConvTransBackbone(
            in_dim,
            d_model=hidden,
            n_heads=n_heads,
            n_layers=n_layers,
            kernel_size=kernel_size,
            dropout=dropout,
            d_out=hidden,
        )
        self.head = GaussianHead(hidden)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher forcing over ``x``; output ``t`` depends on inputs ``<= t`` only."""
        return self.head(self.backbone(x))


class ConvTransForecaster(NeuralForecaster):
    """Causal-convolution Transformer with a Gaussian head, trained once on the training interval."""

    name = "convtrans"
    extra_defaults: dict[str, Any] = {"n_heads": 2, "n_layers": 1, "kernel_size": 3}

    def build_net(self, in_dim: int) -> nn.Module:
        o = self.options
        return ConvTransNet(
            in_dim,
            hidden=int(o["hidden"]),
            n_heads=int(o["n_heads"]),
            n_layers=int(o["n_layers"]),
            kernel_size=int(o["kernel_size"]),
            dropout=float(o["dropout"]),
        )

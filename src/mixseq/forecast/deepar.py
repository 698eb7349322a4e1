"""DeepAR forecaster (Salinas et al., 2020; paper §5.2: 1 LSTM layer, 16 units, Gaussian output).

See :mod:`mixseq.forecast.neural` for options, training windows and sampling, :mod:`mixseq.nn.lstm` for
the net. Extra option: ``num_layers`` (1).
"""

from __future__ import annotations

from typing import Any

from torch import nn

from mixseq.forecast.neural import NeuralForecaster
from mixseq.forecast.neural_options import EXTRA_DEFAULTS
from mixseq.nn.lstm import DeepARNet


class DeepARForecaster(NeuralForecaster):
    """Autoregressive LSTM with a Gaussian (or ``likelihood``) head, trained once on the training interval."""

    name = "deepar"
    extra_defaults: dict[str, Any] = EXTRA_DEFAULTS["deepar"]

    def build_net(self, in_dim: int) -> nn.Module:
        o = self.options
        return DeepARNet(
            in_dim,
            hidden=int(o["hidden"]),
            num_layers=int(o["num_layers"]),
            dropout=float(o["dropout"]),
            min_scale=float(o["min_scale"]),
            likelihood=str(o["likelihood"]),
        )

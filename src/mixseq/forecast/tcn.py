"""TCN forecaster (Bai et al., 2018; paper §5.2: kernel 3, dilations [1, 2, 4, 8], Gaussian output).

See :mod:`mixseq.forecast.neural` for options, training windows and sampling, :mod:`mixseq.nn.tcn` for
the net. Extra options: ``kernel_size`` (3), ``dilations`` ([1, 2, 4, 8]); ``hidden`` is the channel width.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from mixseq.forecast.neural import NeuralForecaster
from mixseq.forecast.neural_options import EXTRA_DEFAULTS
from mixseq.nn.tcn import TCNNet


class TCNForecaster(NeuralForecaster):
    """Causal dilated convolutions with a Gaussian (or ``likelihood``) head, trained once on the training interval."""

    name = "tcn"
    extra_defaults: dict[str, Any] = EXTRA_DEFAULTS["tcn"]

    def build_net(self, in_dim: int) -> nn.Module:
        o = self.options
        return TCNNet(
            in_dim,
            channels=int(o["hidden"]),
            kernel_size=int(o["kernel_size"]),
            dilations=tuple(int(d) for d in o["dilations"]),
            dropout=float(o["dropout"]),
            min_scale=float(o["min_scale"]),
            likelihood=str(o["likelihood"]),
        )

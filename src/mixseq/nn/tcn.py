"""Temporal convolutional network (Bai et al., 2018; paper §5.2): causal dilated residual blocks, kernel 3,
dilations ``[1, 2, 4, 8]``, followed by a Gaussian head.

Each residual block is ``conv(k, d) -> ReLU -> dropout -> conv(k, d) -> ReLU -> dropout`` plus a (1x1 when
the widths differ) skip connection; convolutions are left-padded by ``(k - 1) d`` so output ``t`` only sees
inputs ``<= t``. Receptive field: ``1 + 2 (k - 1) sum(d) = 61`` steps with the defaults. Weight
normalisation of the original TCN is omitted (the model is tiny); inputs are as in :mod:`mixseq.nn.lstm`.

For sampling, ``forward_state`` streams the convolutions (as in "fast WaveNet" generation): the state holds,
per convolution, the last ``(k - 1) d`` inputs it has seen (zeros at the start, which is exactly the zero
left-padding), so each new step costs O(1) instead of re-running the whole sequence. Teacher forcing uses
the same code path with an all-zero initial state.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from mixseq.nn.heads import make_head, with_min_scale


class CausalConv1d(nn.Conv1d):
    """``Conv1d`` on ``[B, C, T]`` with left padding ``(k - 1) * dilation``: output ``t`` sees inputs ``<= t``."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int = 1) -> None:
        super().__init__(c_in, c_out, kernel_size, dilation=dilation)
        self.left_pad = (kernel_size - 1) * dilation

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        return super().forward(F.pad(x, (self.left_pad, 0)))


class TemporalBlock(nn.Module):
    """Two causal dilated convolutions with ReLU and dropout, plus a residual connection."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int, dropout: float) -> None:
        super().__init__()
        self.conv1 = CausalConv1d(c_in, c_out, kernel_size, dilation)
        self.conv2 = CausalConv1d(c_out, c_out, kernel_size, dilation)
        self.drop = nn.Dropout(dropout)
        self.skip = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        h = self.drop(F.relu(self.conv1(x)))
        h = self.drop(F.relu(self.conv2(h)))
        return F.relu(h + self.skip(x))

    def forward_state(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Streaming version of :meth:`forward` on ``x: [B, C, T]``; ``state`` = past inputs of both convs."""
        if state is None:
            state = (
                x.new_zeros(x.shape[0], x.shape[1], self.conv1.left_pad),
                x.new_zeros(x.shape[0], self.conv2.in_channels, self.conv2.left_pad),
            )
        in1 = torch.cat([state[0], x], dim=2)
        h = self.drop(F.relu(F.conv1d(in1, self.conv1.weight, self.conv1.bias, dilation=self.conv1.dilation)))
        in2 = torch.cat([state[1], h], dim=2)
        h = self.drop(F.relu(F.conv1d(in2, self.conv2.weight, self.conv2.bias, dilation=self.conv2.dilation)))
        new_state = (in1[:, :, in1.shape[2] - self.conv1.left_pad :], in2[:, :, in2.shape[2] - self.conv2.left_pad :])
        return F.relu(h + self.skip(x)), new_state


class TCNNet(nn.Module):
    """Stack of :class:`TemporalBlock` (one per dilation) and an output head (Gaussian by default).

    Args:
        in_dim: input features per step.
        channels: width of every block (16, matching the other forecasters' hidden size).
        kernel_size: convolution kernel (paper: 3).
        dilations: one block per dilation (paper: 1, 2, 4, 8).
        dropout: dropout inside the blocks.
        min_scale: added to ``sigma`` (see :class:`mixseq.nn.lstm.DeepARNet`).
        likelihood: output head (see :class:`mixseq.nn.lstm.DeepARNet`).
    """

    stateful = True

    def __init__(
        self,
        in_dim: int,
        channels: int = 16,
        kernel_size: int = 3,
        dilations: Sequence[int] = (1, 2, 4, 8),
        dropout: float = 0.1,
        min_scale: float = 0.0,
        likelihood: str = "gaussian",
    ) -> None:
        super().__init__()
        self.min_scale = float(min_scale)
        blocks = []
        c = in_dim
        for d in dilations:
            blocks.append(TemporalBlock(c, channels, kernel_size, int(d), dropout))
            c = channels
        self.blocks = nn.Sequential(*blocks)
        self.head = make_head(likelihood, channels)
        self.receptive_field = 1 + 2 * (kernel_size - 1) * sum(int(d) for d in dilations)

    def forward_state(
        self, x: torch.Tensor, state: list[tuple[torch.Tensor, torch.Tensor]] | None = None
    ) -> tuple:
        """``x: [B, T, in_dim]`` after the steps summarised by ``state`` -> ``mu, sigma, ...: [B, T]``, new state."""
        h = x.transpose(1, 2)
        new_state = []
        for i, block in enumerate(self.blocks):
            h, s = block.forward_state(h, None if state is None else state[i])
            new_state.append(s)
        return (*with_min_scale(self.head(h.transpose(1, 2)), self.min_scale), new_state)

    @staticmethod
    def repeat_state(state: list[tuple[torch.Tensor, torch.Tensor]], n: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Repeat every batch row ``n`` times (one copy per sample path)."""
        return [tuple(b.repeat_interleave(n, dim=0) for b in s) for s in state]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """``x: [B, T, in_dim]`` -> ``(mu, sigma, ...)``, each ``[B, T]``; output t depends on inputs <= t only."""
        *params, _ = self.forward_state(x)
        return tuple(params)

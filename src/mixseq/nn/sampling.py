"""Inputs and autoregressive (ancestral) sampling shared by the DeepAR, TCN and ConvTrans forecasters.

Convention (all three nets): the input at position ``t`` is ``[z_{t-1} || o_t]`` where ``z = x / v`` is the
series divided by its scale ``v`` (:func:`mixseq.nn.scaling.series_scale` of the context) and ``o_t`` are the
date covariates of day ``t``; the net outputs the parameters of its head (:mod:`mixseq.nn.heads`;
``(mu_t, sigma_t)`` of the Gaussian) for ``z_t``. A window ``z_0 .. z_{L-1}`` therefore yields ``L - 1``
input/target pairs.
"""

from __future__ import annotations

import torch
from torch import nn

from mixseq.nn.heads import output_draw


def make_inputs(z: torch.Tensor, cov: torch.Tensor) -> torch.Tensor:
    """Teacher-forcing inputs for targets ``z[:, 1:]``.

    Args:
        z: scaled values ``[B, L]``.
        cov: date covariates ``[B, L, F]`` of the same days.

    Returns:
        ``[B, L - 1, 1 + F]``: position ``t - 1`` holds ``[z_{t-1}, o_t]`` for ``t = 1 .. L - 1``.
    """
    return torch.cat([z[:, :-1, None], cov[:, 1:]], dim=-1)


@torch.no_grad()
def ancestral_sample(
    net: nn.Module,
    ctx: torch.Tensor,
    cov: torch.Tensor,
    horizon: int,
    n_samples: int,
    generator: torch.Generator,
    max_len: int | None = None,
) -> torch.Tensor:
    """Draw ``n_samples`` paths of the next ``horizon`` scaled values after each context.

    ``z_t`` is drawn from the net's head (``N(mu_t, sigma_t^2)`` for the Gaussian; >= 0 for the hurdle
    softplus-normal) and fed back as the next input, in the same scaled units as the observed context (DeepAR's
    ancestral sampling).
    Only ``ctx`` (the observed history) and the covariates, which are known dates, are used: future
    values never enter. Stateful nets (``net.stateful``: ``forward_state(x, state)`` and ``repeat_state``;
    the LSTM, the streaming TCN, the cached ConvTrans) read the context once per origin and then step in
    O(1) per step; other nets are re-run on the growing sequence, truncated to the last ``max_len`` inputs.

    Args:
        net: a module with ``forward(x) -> (mu, sigma, ...)`` (and ``forward_state`` when ``stateful``).
        ctx: scaled context ``[B, c]`` (``c >= 1``).
        cov: covariates ``[B, c + horizon, F]`` of the context days and the ``horizon`` future days.
        horizon: steps to draw.
        n_samples: paths per context.
        generator: torch generator on ``ctx``'s device (determinism).
        max_len: longest input sequence given to a non-stateful net.

    Returns:
        ``[B, n_samples, horizon]`` scaled draws.
    """
    b, c = ctx.shape
    if cov.shape[1] != c + horizon:
        raise ValueError(f"cov has {cov.shape[1]} steps, expected context {c} + horizon {horizon}")
    was_training = net.training
    net.eval()
    out = []
    if getattr(net, "stateful", False):
        state = None
        if c > 1:  # read the context once per origin, then copy the state for every sample path
            *_, state = net.forward_state(make_inputs(ctx, cov[:, :c]))
            state = net.repeat_state(state, n_samples)
        prev = ctx[:, -1].repeat_interleave(n_samples, dim=0)
        cov_r = cov.repeat_interleave(n_samples, dim=0)
        for h in range(horizon):
            x = torch.cat([prev[:, None, None], cov_r[:, c + h : c + h + 1]], dim=-1)
            *params, state = net.forward_state(x, state)
            prev = output_draw(net, [p[:, 0] for p in params], generator)
            out.append(prev)
    else:
        seq = ctx.repeat_interleave(n_samples, dim=0)
        cov_r = cov.repeat_interleave(n_samples, dim=0)
        for h in range(horizon):
            s = c + h  # values z_0 .. z_{s-1} known; predict z_s from inputs at positions 1 .. s
            x = torch.cat([seq[:, :, None], cov_r[:, 1 : s + 1]], dim=-1)
            if max_len is not None and x.shape[1] > max_len:
                x = x[:, -max_len:]
            nxt = output_draw(net, [p[:, -1] for p in net(x)], generator)
            seq = torch.cat([seq, nxt[:, None]], dim=1)
            out.append(nxt)
    net.train(was_training)
    return torch.stack(out, dim=1).reshape(b, n_samples, horizon)

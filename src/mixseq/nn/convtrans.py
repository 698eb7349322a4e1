"""ConvTrans backbone (paper §2.1, eq. 2; Li et al. 2019, ref. [19]): causal convolution + masked self-attention.

``ConvTransBackbone(in_dim)`` maps ``x [B, T, in_dim]`` to ``h [B, T, d_out]`` where ``h[:, t]`` depends on
``x[:, :t+1]`` only. For series models the input at position ``t`` is ``[x_{t-1} (scaled) || o_t]`` (with
``x_0 = 0``), so ``h[:, t]`` is the paper's ``h_t``, a representation of ``x_{<t}`` (and the known covariates
up to ``t``) and the Gaussian head on it gives ``p(x_t | x_{<t})`` for every ``t`` in one pass (teacher forcing).

Architecture, in order:

1. ``rho``: causal 1-d convolution ``in_dim -> d_model`` (= ``d_k``) with ``kernel_size - 1`` zeros padded on
   the left, so output ``t`` sees inputs ``t - kernel_size + 1 .. t`` ([19]).
2. ``L = n_layers`` blocks of eq. 2: masked multi-head self-attention (``M`` sets the strictly upper triangle to
   ``-inf``; ``n_heads`` heads, ``d_q = d_v = d_model / n_heads`` per head) followed by an MLP
   (``d_model -> 2 d_model -> d_model``, ReLU). Eq. 2 writes the bare composition; we add, as in every
   Transformer ([36], and [19]'s implementation), a residual connection, dropout and a post-layer-norm around
   both sub-layers (the standard way to make eq. 2 trainable); dropout acts on the sub-layer outputs, not on the
   attention weights (attention-weight dropout makes CPU attention 3.5x slower).
   Both are position-wise, so causality is untouched.
3. ``nu``: the deep-set readout ``h_t = ReLU(W_s * agg_{j<=t} H^{(L)}_j)`` (§4.1), computed for all ``t`` at once
   with a cumulative sum. By default (``readout="mean"``) the cumulative sum is divided by the count ``t``:
   the raw sum grows linearly with the position, so the ReLU pre-activations at ``t = 100`` are ~100x those at
   ``t = 1`` and the head must serve both scales at once (on 730-day series the pre-activations reach
   hundreds of times their initial size, which feeds the softplus scale of eq. 6 huge values).
   The mean is still a deep-set (permutation-invariant) function of ``{H_j}_{j<=t}``;
   ``readout="sum"`` gives the paper's literal formula.

The backbone and its signature are shared by the MixSeq clusterer and :class:`ConvTransNet`; keep them stable.

``ConvTransNet`` (``ConvTransBackbone -> GaussianHead``) is the net of the ConvTrans forecaster
(:mod:`mixseq.forecast.convtrans`). Sampling uses its cached incremental pass (:meth:`ConvTransNet.forward_state`):
the last ``kernel_size - 1`` inputs of the causal convolution, the keys and values of every attention layer, and
the running sum of the deep-set readout are kept, so each new step attends over the cache instead of re-running
the sequence. It re-uses the backbone's own sub-modules and is checked against the full forward in the tests.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from mixseq.nn.heads import make_head, with_min_scale


class CausalConv1d(nn.Module):
    """``rho``: a 1-d convolution over time with left padding, ``[B, T, c_in] -> [B, T, c_out]``."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int) -> None:
        super().__init__()
        self.pad = int(kernel_size) - 1
        self.conv = nn.Conv1d(c_in, c_out, int(kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.pad(x.transpose(1, 2), (self.pad, 0))
        return self.conv(y).transpose(1, 2)


class MaskedAttentionBlock(nn.Module):
    """One layer of eq. 2: masked multi-head self-attention then MLP, each with residual + dropout + LayerNorm."""

    def __init__(self, d_model: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"ConvTrans: d_model={d_model} must be divisible by n_heads={n_heads}")
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)  # W_q, W_k, W_v of all heads in one matrix
        self.out = nn.Linear(d_model, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.ReLU(), nn.Linear(2 * d_model, d_model))
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = float(dropout)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        B, T, D = h.shape
        q, k, v = self.qkv(h).view(B, T, 3, self.n_heads, D // self.n_heads).permute(2, 0, 3, 1, 4)
        # softmax(Q K^T / sqrt(d_q) + M) V with the causal mask M (eq. 2)
        # no dropout on the attention weights: on CPU it sends SDPA to its slow math path (3.5x slower
        # forward+backward, measured); dropout is applied to the sub-layer outputs instead
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        att = att.transpose(1, 2).reshape(B, T, D)
        h = self.norm1(h + F.dropout(self.out(att), self.dropout, self.training))
        return self.norm2(h + F.dropout(self.mlp(h), self.dropout, self.training))


class ConvTransBackbone(nn.Module):
    """Causal ConvTrans encoder with deep-set readout: ``[B, T, in_dim] -> [B, T, d_out]`` (paper §2.1, §4.1).

    Output position ``t`` depends only on input positions ``<= t``. ``d_model`` is the paper's ``d_k``
    (number of convolution kernels), ``d_out`` its ``d_p``. Defaults are the paper's §5.1 settings.
    """

    def __init__(
        self,
        in_dim: int,
        d_model: int = 16,
        n_heads: int = 2,
        n_layers: int = 1,
        kernel_size: int = 3,
        dropout: float = 0.1,
        d_out: int = 16,
        readout: str = "mean",
    ) -> None:
        super().__init__()
        if readout not in ("mean", "sum", "last"):
            raise ValueError(f"ConvTrans: readout must be 'mean', 'sum' or 'last', got {readout!r}")
        self.in_dim, self.d_model, self.d_out, self.readout = int(in_dim), int(d_model), int(d_out), readout
        self.rho = CausalConv1d(self.in_dim, self.d_model, kernel_size)
        self.layers = nn.ModuleList(MaskedAttentionBlock(self.d_model, int(n_heads), dropout) for _ in range(n_layers))
        self.W_s = nn.Linear(self.d_model, self.d_out)

    def attend(self, x: torch.Tensor) -> torch.Tensor:
        """``H^{(L)} = g(rho(Y))``: ``[B, T, in_dim] -> [B, T, d_model]`` (before the deep-set readout)."""
        if x.dim() != 3 or x.shape[-1] != self.in_dim:
            raise ValueError(f"ConvTrans expects [B, T, {self.in_dim}] input, got {tuple(x.shape)}")
        h = self.rho(x)
        for layer in self.layers:
            h = layer(h)
        return h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``h_t = ReLU(W_s agg_{j<=t} H_j)`` for every ``t`` in one pass (cumulative sum or mean)."""
        H = self.attend(x)
        if self.readout == "last":
            return F.relu(self.W_s(H))
        S = torch.cumsum(H, dim=1)
        if self.readout == "mean":
            count = torch.arange(1, H.shape[1] + 1, device=H.device, dtype=H.dtype).view(1, -1, 1)
            S = S / count
        return F.relu(self.W_s(S))


class ConvTransNet(nn.Module):
    """``ConvTransBackbone -> head`` (Gaussian by default): ``forward(x [B, T, in_dim]) -> (mu, sigma, ...)``."""

    stateful = True

    def __init__(
        self,
        in_dim: int,
        hidden: int = 16,
        n_heads: int = 2,
        n_layers: int = 1,
        kernel_size: int = 3,
        dropout: float = 0.1,
        min_scale: float = 0.0,
        readout: str = "position",
        likelihood: str = "gaussian",
    ) -> None:
        super().__init__()
        if readout not in ("position", "deepset"):
            raise ValueError(f"convtrans: readout must be 'position' or 'deepset', got {readout!r}")
        self.min_scale = float(min_scale)
        self.readout = readout
        self.backbone = ConvTransBackbone(
            in_dim,
            d_model=hidden,
            n_heads=n_heads,
            n_layers=n_layers,
            kernel_size=kernel_size,
            dropout=dropout,
            d_out=hidden,
        )
        self.head = make_head(likelihood, hidden)

    def forward_state(self, x: torch.Tensor, state: tuple | None = None) -> tuple:
        """Incremental evaluation (eval mode): outputs for ``x: [B, T, in_dim]`` following the cached steps.

        ``state = (conv inputs [B, in_dim, k-1], [(K, V) per layer], readout running sum [B, d_model], count)``.
        """
        bb = self.backbone
        b, t, _ = x.shape
        pad = int(bb.rho.pad)
        if state is None:
            state = (x.new_zeros(b, x.shape[2], pad), [None] * len(bb.layers), x.new_zeros(b, bb.d_model), 0)
        conv_buf, kv, run_sum, count = state
        inp = torch.cat([conv_buf, x.transpose(1, 2)], dim=2)
        h = bb.rho.conv(inp).transpose(1, 2)
        new_kv = []
        for layer, cache in zip(bb.layers, kv, strict=True):
            d = h.shape[-1]
            q, k, v = layer.qkv(h).view(b, t, 3, layer.n_heads, d // layer.n_heads).permute(2, 0, 3, 1, 4)
            if cache is not None:
                k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
            p = k.shape[2] - t  # cached positions before the new ones
            allowed = torch.arange(p + t, device=x.device)[None, :] <= (p + torch.arange(t, device=x.device))[:, None]
            att = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
            att = att.transpose(1, 2).reshape(b, t, d)
            h = layer.norm1(h + layer.out(att))
            h = layer.norm2(h + layer.mlp(h))
            new_kv.append((k, v))
        cum = torch.cumsum(h, dim=1) + run_sum[:, None]
        if self.readout == "position":
            params = self.head(h)
        else:
            agg = cum
            if bb.readout == "mean":
                agg = cum / (count + torch.arange(1, t + 1, device=x.device, dtype=h.dtype)).view(1, -1, 1)
            params = self.head(F.relu(bb.W_s(agg)))
        new_state = (inp[:, :, inp.shape[2] - pad :], new_kv, cum[:, -1], count + t)
        return (*with_min_scale(params, self.min_scale), new_state)

    @staticmethod
    def repeat_state(state: tuple, n: int) -> tuple:
        """Repeat every batch row of the cache ``n`` times (one copy per sample path)."""
        conv_buf, kv, run_sum, count = state
        rep = [(k.repeat_interleave(n, dim=0), v.repeat_interleave(n, dim=0)) for k, v in kv]
        return conv_buf.repeat_interleave(n, dim=0), rep, run_sum.repeat_interleave(n, dim=0), count

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Teacher forcing over ``x`` -> ``(mu, sigma, ...)``; output ``t`` depends on inputs ``<= t`` only."""
        if self.readout == "position":
            params = self.head(self.backbone.attend(x))
        else:
            params = self.head(self.backbone(x))
        return with_min_scale(params, self.min_scale)

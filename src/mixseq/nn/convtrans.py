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
   both sub-layers (the standard way to make eq. 2 trainable). Both are position-wise, so causality is untouched.
3. ``nu``: the deep-set readout ``h_t = ReLU(W_s * agg_{j<=t} H^{(L)}_j)`` (§4.1), computed for all ``t`` at once
   with a cumulative sum. By default (``readout="mean"``) the cumulative sum is divided by the count ``t``:
   the raw sum grows linearly with the position, so the ReLU pre-activations at ``t = 100`` are ~100x those at
   ``t = 1`` and the head must serve both scales at once (on 730-day series the pre-activations reach
   hundreds of times their initial size, which feeds the softplus scale of eq. 6 huge values).
   The mean is still a deep-set (permutation-invariant) function of ``{H_j}_{j<=t}``;
   ``readout="sum"`` gives the paper's literal formula.

The class and its signature are shared with the ConvTrans forecaster; keep them stable.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def causal_mask(T: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Boolean ``[T, T]`` mask, ``True`` above the diagonal (the positions eq. 2's ``M`` sets to ``-inf``)."""
    return torch.triu(torch.ones(T, T, dtype=torch.bool, device=device), diagonal=1)


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
        att = F.scaled_dot_product_attention(
            q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0
        )
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
        if readout not in ("mean", "sum"):
            raise ValueError(f"ConvTrans: readout must be 'mean' or 'sum', got {readout!r}")
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
        S = torch.cumsum(H, dim=1)
        if self.readout == "mean":
            count = torch.arange(1, H.shape[1] + 1, device=H.device, dtype=H.dtype).view(1, -1, 1)
            S = S / count
        return F.relu(self.W_s(S))

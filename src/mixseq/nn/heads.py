"""Output heads of the neural forecasters: the Gaussian of the paper (eq. 6) and a hurdle softplus-normal for
non-negative data, with their negative log-likelihoods and their one-step samplers.

A head maps features ``h_t`` to a tuple of distribution parameters of the scaled value ``z_t = x_t / v``
(:mod:`mixseq.nn.scaling`), as before: samples are drawn in scaled units, fed back as the next input ``z_{t-1}``
exactly as the observed values are in training, and multiplied by ``v`` afterwards (a draw >= 0 stays >= 0).

- ``gaussian`` (:class:`GaussianHead`, paper eq. 6): ``(mu, sigma)``; ``z ~ N(mu, sigma^2)``.
- ``hurdle_softplus_normal`` (:class:`HurdleSoftplusNormalHead`): ``(mu, sigma, logit)``; ``z = 0`` with
  probability ``pi = sigmoid(logit)``, else ``z = softplus(w)``, ``w ~ N(mu, sigma^2)``. Draws are >= 0. Near 0
  (``w << 0``, ``softplus(w) ~ exp(w)``) it is a log-normal, whose spread follows the level (a closed-shop Sunday
  at 1/30 of a weekday gets a spread at that scale); for large values (``softplus(w) ~ w``) it is the
  Gaussian of eq. 6, light-tailed, so draws fed back stay bounded as with the Gaussian (a log-normal's heavy
  right tail, fed back, overflowed float32 in TCN sampling on Rossmann: docs/forecasting.md). Exact zeros (a
  cluster of shops all closed) get the point mass.

The nets return ``head(h)`` with ``min_scale`` added to ``sigma`` (:func:`with_min_scale`); :func:`output_nll`
and :func:`output_draw` dispatch on ``net.head`` (a net without one is treated as Gaussian).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.distributions import Bernoulli, Normal, TransformedDistribution
from torch.distributions.transforms import SoftplusTransform
from torch.nn import functional as F

#: smallest standard deviation the head emits (in scaled units), keeps the NLL finite.
MIN_SCALE = 1e-4

#: the ``likelihood`` option of the neural forecasters
LIKELIHOODS = ("gaussian", "hurdle_softplus_normal")


def gaussian_nll(x: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Element-wise ``-log N(x; mu, sigma^2)`` (same shape as ``x``)."""
    return 0.5 * ((x - mu) / sigma) ** 2 + torch.log(sigma) + 0.5 * math.log(2 * math.pi)


def gaussian_draw(mu: torch.Tensor, sigma: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One draw of ``N(mu, sigma^2)`` per element of the 1-d ``mu`` (``torch.randn`` on ``generator``)."""
    return mu + sigma * torch.randn(mu.shape[0], generator=generator, device=mu.device)


class GaussianHead(nn.Module):
    """Map features ``h_t`` to ``(mu_t, sigma_t)``: ``mu = w_mu^T h + b_mu``, ``sigma = softplus(w_s^T h + b_s)``.

    Eq. 6 writes ``sigma^2 = log(1 + exp(.))``; we follow DeepAR and the issue ("mean, softplus scale") and
    apply softplus to the *scale*; both are positive reparameterisations of the same family.
    """

    likelihood = "gaussian"

    def __init__(self, d_in: int) -> None:
        super().__init__()
        self.mu = nn.Linear(d_in, 1)
        self.sigma = nn.Linear(d_in, 1)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu = self.mu(h).squeeze(-1)
        sigma = F.softplus(self.sigma(h)).squeeze(-1) + MIN_SCALE
        return mu, sigma

    @staticmethod
    def nll(x: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        """Element-wise ``-log N(x; mu, sigma^2)``."""
        return gaussian_nll(x, mu, sigma)

    @staticmethod
    def draw(params: Sequence[torch.Tensor], generator: torch.Generator) -> torch.Tensor:
        """One draw per element of the 1-d parameters ``(mu, sigma)``."""
        mu, sigma = params
        return gaussian_draw(mu, sigma, generator)


def softplus_normal(mu: torch.Tensor, sigma: torch.Tensor) -> TransformedDistribution:
    """The law of ``softplus(w)``, ``w ~ N(mu, sigma^2)`` (``torch.distributions``), on ``(0, inf)``."""
    return TransformedDistribution(Normal(mu, sigma), SoftplusTransform())


class HurdleSoftplusNormalHead(nn.Module):
    """Map ``h_t`` to ``(mu_t, sigma_t, logit_t)``: ``P(z = 0) = sigmoid(logit)``, and ``z | z > 0`` is
    ``softplus(w)``, ``w ~ N(mu, sigma^2)``; ``sigma = softplus(.) + MIN_SCALE`` as in :class:`GaussianHead`.

    The density is taken with respect to (point mass at 0) + (Lebesgue on ``(0, inf)``):
    ``-log p(z) = -log pi`` at ``z = 0`` and ``-log(1 - pi) - log p_softplus(z; mu, sigma)`` for ``z > 0``
    (``torch.distributions.Bernoulli`` and :func:`softplus_normal`). Negative ``z`` has no mass (the forecaster
    refuses training data with negative values).
    """

    likelihood = "hurdle_softplus_normal"

    def __init__(self, d_in: int) -> None:
        super().__init__()
        self.mu = nn.Linear(d_in, 1)
        self.sigma = nn.Linear(d_in, 1)
        self.zero = nn.Linear(d_in, 1)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu = self.mu(h).squeeze(-1)
        sigma = F.softplus(self.sigma(h)).squeeze(-1) + MIN_SCALE
        return mu, sigma, self.zero(h).squeeze(-1)

    @staticmethod
    def nll(x: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor, logit: torch.Tensor) -> torch.Tensor:
        """Element-wise ``-log p(x)`` of the hurdle softplus-normal (finite for every ``x >= 0``)."""
        zero = x <= 0
        positive = torch.where(zero, torch.ones_like(x), x)  # placeholder where x = 0: its term is masked out
        nll_zero = -Bernoulli(logits=logit).log_prob(zero.to(x.dtype))
        return nll_zero - torch.where(zero, torch.zeros_like(x), softplus_normal(mu, sigma).log_prob(positive))

    @staticmethod
    def draw(params: Sequence[torch.Tensor], generator: torch.Generator) -> torch.Tensor:
        """One draw per element of the 1-d ``(mu, sigma, logit)``: 0 with probability ``sigmoid(logit)``, else
        the softplus-normal quantile of a uniform (inverse-CDF sampling, ``TransformedDistribution.icdf``)."""
        mu, sigma, logit = params
        u = torch.rand(mu.shape[0], generator=generator, device=mu.device)
        is_zero = torch.rand(mu.shape[0], generator=generator, device=mu.device) < torch.sigmoid(logit)
        return torch.where(is_zero, torch.zeros_like(mu), softplus_normal(mu, sigma).icdf(u))


HEADS: dict[str, type[nn.Module]] = {"gaussian": GaussianHead, "hurdle_softplus_normal": HurdleSoftplusNormalHead}


def make_head(likelihood: str, d_in: int) -> nn.Module:
    """The output head of ``likelihood`` (one of :data:`LIKELIHOODS`) on ``d_in`` features."""
    if likelihood not in HEADS:
        raise ValueError(f"likelihood must be one of {list(LIKELIHOODS)}, got {likelihood!r}")
    return HEADS[likelihood](d_in)


def with_min_scale(params: tuple[torch.Tensor, ...], min_scale: float) -> tuple[torch.Tensor, ...]:
    """``params`` with ``min_scale`` added to ``sigma`` (the second parameter of every head)."""
    return (params[0], params[1] + min_scale, *params[2:])


def _head_class(net: nn.Module) -> type[nn.Module]:
    head = getattr(net, "head", None)
    return type(head) if isinstance(head, (GaussianHead, HurdleSoftplusNormalHead)) else GaussianHead


def output_nll(net: nn.Module, x: torch.Tensor, params: Sequence[torch.Tensor]) -> torch.Tensor:
    """Element-wise NLL of targets ``x`` under ``net``'s head with parameters ``params`` (``net(x)``'s output)."""
    return _head_class(net).nll(x, *params)


def output_draw(net: nn.Module, params: Sequence[torch.Tensor], generator: torch.Generator) -> torch.Tensor:
    """One draw per element of the 1-d ``params`` from ``net``'s head."""
    return _head_class(net).draw(params, generator)

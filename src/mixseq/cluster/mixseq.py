"""MixSeq (paper §4): a mixture of K ConvTrans sequence models with an amortised posterior ``q(z|x)``.

Generative model (eq. 5): ``p(x) = sum_z p(z) prod_t p(x_t | x_{<t}, z; Phi_z)`` with a uniform prior
``p(z) = 1/K`` (§5.1) and, per component, a ConvTrans backbone (:class:`~mixseq.nn.convtrans.ConvTransBackbone`)
whose output at ``t`` feeds a Gaussian head (eq. 6, :class:`~mixseq.nn.heads.GaussianHead`). Component inputs are
``[x_{t-1} || o_t]`` (``x_0 = 0``), so all ``p(x_t | x_{<t}, z)`` come out of one teacher-forced pass.

Posterior (eq. 8): ``q(z|x) = softmax(W_a nu(H^{(L)}))`` from a separate ConvTrans encoder over the whole series
``[x_t || o_t]_{t=1..T}``; ``nu`` is the deep-set readout at the last position.

Objective (eq. 10, minimised as its negative, per mini-batch ``B``)::

    loss = mean_{i in B} sum_z q(z|x_i) * NLL_z(x_i)  +  alpha * KL(q_B(z) || p(z))  +  lambda * ||Theta||^2

where ``NLL_z(x_i)`` is the Gaussian negative log-likelihood *averaged over time steps* of the scaled series,
``q_B(z)`` is the mini-batch mean of ``q(z|x_i)`` (eq. 9, the mutual-information term that prevents the encoder
from putting every series in one cluster), and ``alpha = max(a, b exp(-beta n))`` (annealing, §4.2) is
recomputed at the epochs listed in ``alpha_epochs`` (``n`` = epoch index; the initial value uses ``n = 0``).
``||Theta||^2`` is the squared l2 norm of all trainable parameters (components and encoder), added to the loss
explicitly (not as Adam's decoupled weight decay) so the logged ``l2`` column is the eq.-10 term.

Scaling: every series is divided by :func:`~mixseq.nn.scaling.series_scale` (``1 + mean|x|``) of the fitted
window; the Jacobian ``-T log s_i`` is the same for every component so it changes neither ``q`` nor the argmax.

Averaging the log-likelihood over time (rather than summing, as eq. 7 literally does) keeps the reconstruction
term O(1) whatever ``T``, so the paper's ``alpha`` schedule (5..20) means the same thing on 100-day and 730-day
series; the paper introduces ``alpha`` precisely because the summed terms are "out of proportion" (§4.2).

Deviations (defaults; measured in docs/clustering.md):

* components read out ``h_t = ReLU(W_s H_t)`` (``readout="last"``) instead of the cumulative deep set, which
  dilutes the newest inputs by 1/t and left the components unable to model AR dynamics;
* ``objective="marginal"``: the components maximise the exact marginal likelihood
  ``log sum_z p(z) p(x|z)`` (eq. 5; tractable for small K) instead of ``E_q log p(x|z)``. Its gradient weights
  component ``z`` by the exact posterior ``p(z|x) = softmax_z(log p(z) - sum_t NLL_z)``, i.e. this is EM with an
  exact E-step; the ELBO instead weights by ``q(z|x)``, which starts uniform, so every component received the
  same gradient and they never separated;
* ``em_weight * CE(p(z|x), q(z|x))`` trains the amortised posterior (eq. 8) towards that exact posterior
  (detached; an amortised E-step); the eq.-10 term ``alpha KL(q_B(z) || p(z))`` stays on ``q``;
* ``init="acf"``: for the first ``init_epochs`` epochs the responsibilities (for the components and as the
  encoder's target) are the labels of k-means on each series' autocorrelations at lags 1..3, which breaks the
  symmetry between components (without it, 3 clusters ended with two true clusters in one component);
  ``component_kl > 0`` (``alpha * component_kl * KL(mean_B p(z|x) || p(z))``, gradients into the components)
  is the alternative that uses no feature clustering.

``objective="elbo", em_weight=0, init=None, readout="sum"`` give the plain paper objective and architecture.
``scaling`` (``"series"`` default, ``"global"``, ``"none"``) chooses the input scaling.

Per-epoch log (``fit(..., log_path=...)``), TSV columns: ``epoch, recon_nll, kl, alpha, l2, loss, seconds``
(cumulative wall-clock seconds) and ``ri`` (Rand index of ``argmax q(z|x)`` on the fitted series against
``labels_true``; NaN when not given).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from mixseq.cluster.defaults import MIXSEQ_DEFAULTS as DEFAULTS
from mixseq.cluster.defaults import mixseq_spec
from mixseq.cluster.torch_base import TorchClusterMethod, epoch_log
from mixseq.data.covariates import date_features
from mixseq.evaluate.metrics import rand_index
from mixseq.nn.convtrans import ConvTransBackbone
from mixseq.nn.heads import GaussianHead, gaussian_nll
from mixseq.nn.scaling import series_scale
from mixseq.options import OptionSpec
from mixseq.utils import progress, seed_everything

LOG_COLUMNS = ("epoch", "recon_nll", "kl", "alpha", "l2", "loss", "seconds", "ri")


class MixSeqNet(nn.Module):
    """K ConvTrans components with Gaussian heads (eq. 5, 6) and the posterior encoder (eq. 8)."""

    def __init__(self, n_clusters: int, in_dim: int, d_model: int, n_heads: int, n_layers: int,
                 kernel_size: int, dropout: float, readout: str, encoder_readout: str = "mean") -> None:
        super().__init__()
        kw = dict(d_model=d_model, n_heads=n_heads, n_layers=n_layers, kernel_size=kernel_size,
                  dropout=dropout, d_out=d_model, readout=readout)
        self.components = nn.ModuleList(ConvTransBackbone(in_dim, **kw) for _ in range(n_clusters))
        self.heads = nn.ModuleList(GaussianHead(d_model) for _ in range(n_clusters))
        self.encoder = ConvTransBackbone(in_dim, **{**kw, "readout": encoder_readout})
        self.W_a = nn.Linear(d_model, n_clusters)

    def log_posterior(self, enc_in: torch.Tensor) -> torch.Tensor:
        """``log q(z|x)`` ``[B, K]`` from ``[x_t || o_t]_{t=1..T}`` (eq. 8; readout at the last position)."""
        return F.log_softmax(self.W_a(self.encoder(enc_in)[:, -1]), dim=-1)

    def component_nll_parts(self, dec_in: torch.Tensor, x: torch.Tensor) -> list[torch.Tensor]:
        """Per-step-averaged ``-log p(x | z)`` of each component, ``K`` tensors ``[B]`` (eq. 5, 6)."""
        out = []
        for body, head in zip(self.components, self.heads, strict=True):
            mu, sigma = head(body(dec_in))
            out.append(gaussian_nll(x, mu, sigma).mean(dim=1))
        return out

    def component_nll(self, dec_in: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Per-step-averaged ``-log p(x | z)`` ``[B, K]`` (eq. 5, 6), teacher-forced in one pass per component."""
        return torch.stack(self.component_nll_parts(dec_in, x), dim=1)


def _inputs(xs: torch.Tensor, cov: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Encoder input ``[x_t || o_t]`` and component input ``[x_{t-1} || o_t]`` (``x_0 = 0``), both ``[B, T, 1+d]``."""
    enc = xs.unsqueeze(-1)
    dec = F.pad(xs[:, :-1], (1, 0)).unsqueeze(-1)
    if cov is not None:
        c = cov.unsqueeze(0).expand(xs.shape[0], -1, -1)
        enc, dec = torch.cat([enc, c], dim=-1), torch.cat([dec, c], dim=-1)
    return enc, dec


def backward_plan(threads: int | None, backward_workers: int | None, n_networks: int, device: str) -> tuple[int, int]:
    """``(workers, intra-op threads)`` for a training step on ``threads`` cores (``None``: torch's current count).

    On CPU the K components and the posterior encoder are independent networks whose backward passes (about
    three quarters of a step, mostly the attention over the full series) can run at the same time, one network
    per thread with one intra-op thread each; that uses two cores better than torch's intra-op parallelism
    inside each small attention kernel. ``backward_workers=None`` takes ``min(threads, n_networks)`` workers,
    1 keeps the single backward pass with ``threads`` intra-op threads. Elsewhere (CUDA) always ``(1, threads)``.
    """
    total = int(threads) if threads else torch.get_num_threads()
    if device != "cpu":
        return 1, total
    workers = total if backward_workers is None else int(backward_workers)
    if workers < 1:
        raise ValueError(f"mixseq: backward_workers must be >= 1 or None, got {backward_workers!r}")
    workers = min(workers, n_networks)
    return workers, max(1, total // workers)


def split_backward(roots: Sequence[torch.Tensor], grads: Sequence[torch.Tensor | None],
                   pool: ThreadPoolExecutor, workers: int) -> None:
    """Backpropagate ``grads`` into the independent graphs ``roots`` on ``workers`` threads of ``pool``.

    Equivalent to ``torch.autograd.backward(roots, grads)`` when the graphs share no parameter (each parameter's
    gradient comes from one graph); the CPU autograd engine runs concurrent backward calls in parallel.
    Roots without a gradient (``None``) are skipped.
    """
    pairs = [(r, g) for r, g in zip(roots, grads, strict=True) if g is not None]
    groups = [pairs[w::workers] for w in range(workers)]
    futures = [pool.submit(torch.autograd.backward, [r for r, _ in grp], [g for _, g in grp])
               for grp in groups if grp]
    for f in futures:
        f.result()


def acf_kmeans(X: np.ndarray, n_clusters: int, seed: int, lags: int = 3) -> np.ndarray:
    """Cheap symmetry breaker: k-means labels on each series' sample autocorrelations at lags ``1..lags``."""
    from sklearn.cluster import KMeans

    Z = np.asarray(X, dtype=np.float64)
    Z = Z - Z.mean(axis=1, keepdims=True)
    denom = (Z * Z).sum(axis=1) + 1e-12
    feats = np.stack([(Z[:, k:] * Z[:, :-k]).sum(axis=1) / denom for k in range(1, lags + 1)], axis=1)
    return KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(feats).astype(np.int64)


class MixSeq(TorchClusterMethod):
    """MixSeq clustering (paper §4, eq. 5-10); options and defaults in :data:`DEFAULTS`."""

    name = "mixseq"
    defaults = DEFAULTS

    @classmethod
    def option_spec(cls) -> OptionSpec:
        """:data:`DEFAULTS` typed by their values, plus the alias ``weight_decay`` of ``l2``."""
        return mixseq_spec()

    def __init__(self, n_clusters: int, seed: int = 0, **options: Any) -> None:
        super().__init__(n_clusters, seed, **options)
        if "weight_decay" in self.config:
            self.config["l2"] = self.config.pop("weight_decay")
        self.config["alpha_epochs"] = [int(e) for e in self.config["alpha_epochs"]]
        self.net: MixSeqNet | None = None
        self.dates_: pd.DatetimeIndex | None = None
        self.global_scale_: float | None = None
        if self.config["assign"] not in ("posterior", "exact"):
            raise ValueError(f"mixseq: assign must be 'posterior' or 'exact', got {self.config['assign']!r}")
        if self.config["objective"] not in ("elbo", "marginal"):
            raise ValueError(f"mixseq: objective must be 'elbo' or 'marginal', got {self.config['objective']!r}")

    # -- helpers ---------------------------------------------------------------------------------------------
    def alpha(self, epoch: int) -> float:
        """``alpha = max(a, b exp(-beta n))`` with ``n`` the last update epoch <= ``epoch`` (0 before the first)."""
        c = self.config
        n = max([0] + [e for e in c["alpha_epochs"] if e <= epoch])
        return max(float(c["alpha_a"]), float(c["alpha_b"]) * math.exp(-float(c["alpha_beta"]) * n))

    def temperature(self, epoch: int, T: int) -> float:
        """Responsibility temperature at ``epoch`` (``temper_epochs`` > 0; 1 otherwise): ``T`` at the first epoch
        after the ``init`` warm start, then geometrically down to 1 over ``temper_epochs`` epochs. At ``tau = T`` the
        exact posterior ``p(z|x)`` (a sum of ``T`` per-step log-likelihoods) is replaced by the softmax of the
        *per-step average*: an offset that every series shares (random initialisation) no longer hands every series
        to one component, so all components keep receiving gradient while they learn (deterministic annealing)."""
        n = int(self.config["temper_epochs"])
        if n <= 0:
            return 1.0
        start = int(self.config["init_epochs"]) if self.config["init"] is not None else 0
        frac = min(max((epoch - start) / n, 0.0), 1.0)
        return float(T) ** (1.0 - frac)

    def _covariates(self, T: int, dates: pd.DatetimeIndex | None) -> torch.Tensor | None:
        if self.dates_ is None:
            return None
        d = self.dates_ if dates is None else pd.DatetimeIndex(dates)
        if len(d) != T:
            raise ValueError(f"mixseq: {len(d)} dates for series of length {T} (model was fitted with dates)")
        return torch.as_tensor(date_features(d), device=self.device)

    def _scaled(self, X: np.ndarray) -> torch.Tensor:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] < 2:
            raise ValueError(f"mixseq expects X of shape [m, T>=2], got {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError("mixseq: X contains NaN or inf; impute or drop those series first")
        xt = torch.as_tensor(X)
        mode = self.config["scaling"]
        if mode == "series":
            return (xt / series_scale(xt)).to(self.device)
        if mode == "global":
            if self.global_scale_ is None:  # set once, from the fitted series
                self.global_scale_ = float(series_scale(xt.reshape(1, -1)).item())
            return (xt / self.global_scale_).to(self.device)
        if mode == "none":
            return xt.to(self.device)
        raise ValueError(f"mixseq: scaling must be 'series', 'global' or 'none', got {mode!r}")

    def _build(self, in_dim: int) -> None:
        c = self.config
        self.net = MixSeqNet(self.n_clusters, in_dim, int(c["d_model"]), int(c["n_heads"]), int(c["n_layers"]),
                             int(c["kernel_size"]), float(c["dropout"]), str(c["readout"]),
                             str(c["encoder_readout"])).to(self.device)
        self.in_dim = in_dim

    # -- public API ------------------------------------------------------------------------------------------
    def _check_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise ValueError(f"mixseq expects X of shape [m, T>=2], got {X.shape}")
        return X

    def _train(
        self, X: np.ndarray, dates: pd.DatetimeIndex | None, log_path: str | Path | None,
        y_true: np.ndarray | None,
    ) -> None:
        """Maximise eq. 10 with Adam over mini-batches of the rows of ``X`` ``[m, T]`` (host memory; the scaled copy
        lives on the device); ``fit`` then sets ``labels_ = argmax_z q(z|x)`` for every row."""
        c = self.config
        workers, intra = backward_plan(c["threads"], c["backward_workers"], self.n_clusters + 1, str(self.device))
        threads_before = torch.get_num_threads()
        torch.set_num_threads(intra)
        try:
            with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
                self._train_loop(X, dates, log_path, y_true, pool, workers)
        finally:
            torch.set_num_threads(max(1, int(c["threads"])) if c["threads"] else threads_before)

    def _train_loop(
        self, X: np.ndarray, dates: pd.DatetimeIndex | None, log_path: str | Path | None,
        y_true: np.ndarray | None, pool: ThreadPoolExecutor | None, workers: int,
    ) -> None:
        """The epochs of :meth:`_train`; with a ``pool``, the networks' backward passes run on ``workers`` threads
        (:func:`split_backward`): the loss is built on detached copies of ``log q`` and the component NLLs, whose
        gradients then flow into each network's own graph."""
        c = self.config
        seed_everything(self.seed)
        gen = torch.Generator().manual_seed(self.seed)
        X = np.asarray(X, dtype=np.float32)
        T = X.shape[1]
        self.dates_ = None if dates is None else pd.DatetimeIndex(dates)
        cov = self._covariates(T, None)
        self._build(1 + (0 if cov is None else cov.shape[1]))
        assert self.net is not None
        if c["shared_init"]:  # every component (and head) starts as a copy of the first one
            for body, head in zip(self.net.components[1:], self.net.heads[1:], strict=True):
                body.load_state_dict(self.net.components[0].state_dict())
                head.load_state_dict(self.net.heads[0].state_dict())
        self.global_scale_ = None
        xs = self._scaled(X)
        init_r = None
        if c["init"] is not None:
            if c["init"] != "acf":
                raise ValueError(f"mixseq: init must be None or 'acf', got {c['init']!r}")
            self.init_labels_ = acf_kmeans(X, self.n_clusters, self.seed)
            init_r = F.one_hot(torch.as_tensor(self.init_labels_), self.n_clusters).float().to(self.device)
        params = [p for p in self.net.parameters() if p.requires_grad]
        opt = torch.optim.Adam(params, lr=float(c["lr"]))
        log_prior = -math.log(self.n_clusters)
        bs, lam, em_w = int(c["batch_size"]), float(c["l2"]), float(c["em_weight"])
        rows = []
        t0 = time.perf_counter()
        bar = progress(range(int(c["epochs"])), desc=f"MixSeq K={self.n_clusters}", disable=not c["progress"])
        with epoch_log(log_path, LOG_COLUMNS) as log:
            for epoch in bar:
                alpha = self.alpha(epoch)
                self.net.train()
                perm = torch.randperm(len(xs), generator=gen).to(self.device)
                sums = np.zeros(4)
                n_batches = 0
                for s in range(0, len(xs), bs):
                    bi = perm[s : s + bs]
                    xb = xs[bi]
                    enc, dec = _inputs(xb, cov)
                    log_q_g = self.net.log_posterior(enc)
                    parts = self.net.component_nll_parts(dec, xb)
                    if pool is None:
                        log_q, nll = log_q_g, torch.stack(parts, dim=1)
                    else:  # the loss on detached copies; split_backward carries it into the networks
                        log_q = log_q_g.detach().requires_grad_()
                        nll = torch.stack([p.detach() for p in parts], dim=1).requires_grad_()
                    q = log_q.exp()
                    per = float(T) if c["nll_reduction"] == "mean" else 1.0  # nll * per = summed -log p(x|z)
                    if c["nll_reduction"] == "sum":
                        nll = nll * T
                    log_joint = log_prior - nll * per  # log p(z) + log p(x|z), [B, K]
                    warm = init_r is not None and epoch < int(c["init_epochs"])
                    tau = self.temperature(epoch, T)
                    if tau != 1.0:  # tempered responsibilities (annealing, see temperature())
                        log_joint = log_joint / tau
                    if warm:
                        # warm start: components fit the series of their k-means cluster (hard responsibilities)
                        recon = (init_r[bi] * nll).sum(dim=1).mean()
                    elif c["objective"] == "marginal":
                        # exact -log p(x) = -log sum_z p(z) p(x|z) (eq. 5), in the same per-step units as nll
                        recon = -tau * torch.logsumexp(log_joint, dim=1).mean() / per
                    else:
                        recon = (q * nll).sum(dim=1).mean()
                    em = torch.zeros((), device=self.device)
                    if em_w > 0:
                        # exact posterior p(z|x) of the current components (detached): amortised E-step target
                        target = init_r[bi] if warm else torch.softmax(log_joint.detach(), dim=1)
                        em = -(target * log_q).sum(dim=1).mean()
                    q_bar = q.mean(dim=0)
                    kl = (q_bar * (torch.log(q_bar + 1e-12) - log_prior)).sum()
                    if float(c["component_kl"]) > 0 and not warm:
                        # eq. 9's anti-collapse term applied to the exact posterior, so it reaches the components
                        r_bar = torch.softmax(log_joint, dim=1).mean(dim=0)
                        kl = kl + float(c["component_kl"]) * (r_bar * (torch.log(r_bar + 1e-12) - log_prior)).sum()
                    l2 = sum((p * p).sum() for p in params)
                    loss = recon + alpha * kl + lam * l2 + em_w * em
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    if pool is not None:
                        g = nll.grad.unbind(1) if nll.grad is not None else [None] * len(parts)
                        split_backward([log_q_g, *parts], [log_q.grad, *g], pool, workers)
                    opt.step()
                    sums += [recon.item(), kl.item(), l2.item(), loss.item()]
                    n_batches += 1
                ri = float("nan")
                if y_true is not None:
                    ri = rand_index(y_true, self.posterior(X).argmax(axis=1))
                r, k, l, lo = sums / max(n_batches, 1)
                rows.append((epoch, r, k, alpha, l, lo, time.perf_counter() - t0, ri))
                log.write(rows[-1])
                if c["progress"]:
                    bar.set_postfix(nll=f"{r:.3f}", kl=f"{k:.3f}", ri=f"{ri:.3f}")
        self.fit_seconds_ = time.perf_counter() - t0
        self.history_ = pd.DataFrame(rows, columns=list(LOG_COLUMNS))

    def _batched(self, X: np.ndarray, dates: pd.DatetimeIndex | None, fn) -> np.ndarray:  # type: ignore[no-untyped-def]
        """Apply ``fn(xs_batch, cov) -> [b, K]`` to row batches of ``X``: each batch is scaled and moved to the device
        on its own, so inference over a Wiki-size panel never holds a scaled copy of the whole ``X``."""
        if self.net is None:
            raise RuntimeError("mixseq: call fit() or load() first")
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"mixseq expects X of shape [m, T>=2], got {X.shape}")
        cov = self._covariates(X.shape[1], dates)
        was = self.net.training
        self.net.eval()
        bs = int(self.config["predict_batch_size"])
        try:
            with torch.no_grad():
                out = [fn(self._scaled(X[s : s + bs]), cov).cpu() for s in range(0, len(X), bs)]
        finally:
            self.net.train(was)
        return torch.cat(out).numpy()

    def posterior(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """``q(z|x)`` ``[m, K]`` (eq. 8) for the rows of ``X`` (dates default to the fitted ones)."""
        net = self.net
        return self._batched(X, dates, lambda xs, cov: net.log_posterior(_inputs(xs, cov)[0]).exp())

    def component_loglik(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """``log p(x|z)`` ``[m, K]`` summed over time steps (scaled series, eval mode): diagnostics, exact posterior."""
        net = self.net
        return self._batched(X, dates, lambda xs, cov: -net.component_nll(_inputs(xs, cov)[1], xs) * xs.shape[1])

    def predict(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """Assign ``argmax_z q(z|x)`` (§4.2; ``assign="posterior"``) or, with ``assign="exact"``, the argmax of the
        fitted mixture's exact posterior ``p(z|x) ∝ p(z) p(x|z)`` (uniform prior: the component with the highest
        likelihood), which does not depend on how far the amortised encoder has caught up with the components."""
        if self.config["assign"] == "exact":
            return self.component_loglik(X, dates).argmax(axis=1).astype(np.int64)
        return self.posterior(X, dates).argmax(axis=1).astype(np.int64)

    def _checkpoint(self) -> dict[str, Any]:
        cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.config.items()}
        assert self.net is not None
        return {
            "in_dim": self.in_dim,
            "config": cfg,
            "state_dict": {k: v.detach().cpu() for k, v in self.net.state_dict().items()},
            "global_scale": self.global_scale_,
            "dates": None if self.dates_ is None else list(self.dates_.strftime("%Y-%m-%dT%H:%M:%S")),
            "labels": None if self.labels_ is None else torch.as_tensor(self.labels_),
        }

    @classmethod
    def _checkpoint_options(cls, state: dict[str, Any]) -> dict[str, Any]:
        """The fitted configuration, on the device ``"auto"`` picks (unless ``load(device=...)`` says otherwise)."""
        return {**state["config"], "device": "auto"}

    def _restore(self, state: dict[str, Any]) -> None:
        if state["dates"] is not None:
            self.dates_ = pd.DatetimeIndex(state["dates"])
        self.global_scale_ = state.get("global_scale")
        self._build(int(state["in_dim"]))
        assert self.net is not None
        self.net.load_state_dict(state["state_dict"])
        self.net.eval()
        self.labels_ = None if state["labels"] is None else state["labels"].numpy()

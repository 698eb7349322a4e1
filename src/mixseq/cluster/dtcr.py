"""DTCR: Deep Temporal Clustering Representation (Ma, Zheng, Li, Cottrell, NeurIPS 2019; MixSeq ref. [21]).

The MixSeq paper (section 5.2) uses DTCR as a clustering baseline "with the same setting as [21]". DTCR is a
seq2seq auto-encoder whose representation is shaped by three losses:

* reconstruction: a GRU decoder, initialised with the representation ``h``, reconstructs the (normalised)
  series; mean squared error;
* K-means: ``L_km = Tr(H^T H) - Tr(F^T H^T H F)`` (DTCR eq. for the spectral relaxation of K-means), with
  ``H`` the representations and ``F`` (``m x K``, orthonormal columns) the top-K left singular vectors of
  ``H``, refreshed every ``refresh_every`` iterations and held fixed in between;
* auxiliary classification: an MLP on ``h`` tells real series from "fake" ones in which 20% of the time
  steps were shuffled; cross-entropy.

Total loss ``L = L_recon + L_cls + lambda_kmeans * L_km`` (DTCR weights reconstruction and classification
by 1 and searches lambda in {1, 1e-1, 1e-2, 1e-3}; default 1e-3 here: with ``L_km`` a per-series mean, 1 and 1e-1
pulled every ``h`` onto one point before the encoder had learnt anything, and 1e-2 was still at chance after 200
steps -- docs/dtcr.md).

Representation ``h``: a bidirectional, 3-layer dilated GRU encoder (dilations 1, 4, 16; hidden sizes
100, 50, 50) whose last states of every layer and both directions are concatenated
(``dim h = 2 * sum(hidden) = 400``). Final labels: scikit-learn ``KMeans`` (seeded) on ``h``; ``predict``
assigns a series to the nearest fitted centre.

Row convention in this module: ``H`` is ``[m, d]`` (one row per series, the transpose of DTCR's ``d x m``),
so the loss is ``||H||_F^2 - ||F^T H||_F^2`` and ``F`` holds the top-K *left* singular vectors of ``H``.

Mini-batches. ``F`` is stored as an ``[m, K]`` tensor whose row ``i`` belongs to fitted series ``i``; a
mini-batch with series positions ``idx`` uses ``F_b = orth(F[idx])`` (reduced QR of the batch's rows) and
the loss ``Tr(H_b^T H_b) - Tr(F_b^T H_b^T H_b F_b)`` divided by ``|b|`` (a per-series mean). Using the raw
rows ``F[idx]`` (squared norms ``~K/m``) would make the second term vanish as ``m`` grows, so the loss would
only shrink ``h``; rescaling them by ``sqrt(m/|b|)`` instead is biased towards high-leverage series and let
the loss go negative in trials. The orthonormalised rows keep the batch loss a projection residual
(``>= 0``); with one batch holding all series it is exactly the full formula. No ``m x m`` matrix is formed.
The refresh
takes ``H`` from a cache ``[m, d]`` that holds every series' ``h`` from its latest training batch (filled by one
exact encoding pass at the start; ``refresh: full`` re-encodes all series instead, which costs ``m / (T |b|)``
encoder passes per epoch, 31 per epoch at ``m = 20,000``), forms ``G = H^T H`` (``d x d``, cost ``O(m d^2)``),
and takes ``F = H V_K diag(s_K)^-1`` from the top-K eigenpairs of ``G`` -- the thin SVD of ``H`` computed through
its ``d x d`` Gram matrix.

Long series. RNNs over 730-1,800 daily steps are slow and hard to train; the series are average-pooled over
non-overlapping windows of ``k = ceil(T / max_length)`` days (the oldest ``T mod k`` days are dropped so
windows end on the last day), default ``max_length = 128``: 730 days -> 121 steps of 6 days. Each pooled
series is then z-normalised (DTCR is scale-sensitive; a constant series becomes all zeros).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from mixseq.cluster.defaults import DTCR_DEFAULTS as DEFAULTS
from mixseq.cluster.defaults import dtcr_spec
from mixseq.cluster.torch_base import TorchClusterMethod, epoch_log
from mixseq.evaluate.metrics import rand_index
from mixseq.options import OptionSpec
from mixseq.utils import progress, seed_everything, set_torch_threads


# ----------------------------------------------------------------------------- preprocessing
def pool_factor(n_days: int, max_length: int | None) -> int:
    """Window ``k = ceil(n_days / max_length)`` (1 when no cap or the series is short enough)."""
    if not max_length or n_days <= max_length:
        return 1
    return int(math.ceil(n_days / int(max_length)))


def preprocess(X: np.ndarray, pool: int) -> np.ndarray:
    """Average-pool ``X`` ``[m, T]`` over windows of ``pool`` days (aligned to the end), then z-normalise rows.

    NaNs are treated as 0. Returns float32 ``[m, T // pool]``.
    """
    X = np.nan_to_num(np.asarray(X, dtype=np.float64))
    if X.ndim != 2:
        raise ValueError(f"dtcr: X must be 2-D [series, days], got shape {X.shape}")
    m, t = X.shape
    if pool > 1:
        L = t // pool
        if L < 1:
            raise ValueError(f"dtcr: series of {t} days are shorter than the pooling window {pool}")
        X = X[:, t - L * pool :].reshape(m, L, pool).mean(axis=2)
    mu = X.mean(axis=1, keepdims=True)
    sd = X.std(axis=1, keepdims=True)
    Z = np.divide(X - mu, sd, out=np.zeros_like(X), where=sd > 1e-8)
    return Z.astype(np.float32)


def make_fake(x: torch.Tensor, fraction: float, generator: torch.Generator) -> torch.Tensor:
    """DTCR's fake samples: for each series, shuffle the values at a random ``fraction`` of its time steps."""
    b, L = x.shape
    n = max(2, int(round(fraction * L))) if L >= 2 else 0
    fake = x.clone()
    if n == 0:
        return fake
    pos = torch.argsort(torch.rand(b, L, generator=generator, device="cpu"), dim=1)[:, :n].to(x.device)
    perm = torch.argsort(torch.rand(b, n, generator=generator, device="cpu"), dim=1).to(x.device)
    vals = torch.gather(x, 1, pos)
    fake.scatter_(1, pos, torch.gather(vals, 1, perm))
    return fake


# ----------------------------------------------------------------------------- network
class DilatedGRU(nn.Module):
    """One unidirectional dilated GRU layer: step ``t`` recurs on step ``t - dilation``.

    Implemented by folding the time axis: pad the start to a multiple of ``dilation``, reshape
    ``[B, L, C] -> [B * dilation, L / dilation, C]`` and run a plain GRU, so each of the ``dilation``
    interleaved sub-sequences is an ordinary recurrence.
    """

    def __init__(self, input_size: int, hidden_size: int, dilation: int) -> None:
        super().__init__()
        self.dilation = int(dilation)
        self.gru = nn.GRU(input_size, hidden_size, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, L, c = x.shape
        d = self.dilation
        pad = (-L) % d
        if pad:
            x = torch.cat([x.new_zeros(b, pad, c), x], dim=1)
        Lp = L + pad
        xf = x.reshape(b, Lp // d, d, c).transpose(1, 2).reshape(b * d, Lp // d, c)
        out, _ = self.gru(xf)
        out = out.reshape(b, d, Lp // d, -1).transpose(1, 2).reshape(b, Lp, -1)
        return out[:, pad:]


class DTCRNet(nn.Module):
    """Bidirectional dilated-GRU encoder, GRU decoder and real/fake classifier."""

    def __init__(self, hidden: list[int], dilations: list[int], cls_hidden: int = 128) -> None:
        super().__init__()
        if len(hidden) != len(dilations):
            raise ValueError(f"dtcr: hidden {hidden} and dilations {dilations} differ in length")
        self.hidden = [int(h) for h in hidden]
        self.dilations = [int(d) for d in dilations]
        sizes = [1, *self.hidden[:-1]]
        spec = list(zip(sizes, self.hidden, self.dilations, strict=True))
        self.fwd = nn.ModuleList(DilatedGRU(i, h, d) for i, h, d in spec)
        self.bwd = nn.ModuleList(DilatedGRU(i, h, d) for i, h, d in spec)
        self.dim = 2 * sum(self.hidden)
        self.decoder = nn.GRU(1, self.dim, batch_first=True)
        self.readout = nn.Linear(self.dim, 1)
        self.classifier = nn.Sequential(nn.Linear(self.dim, cls_hidden), nn.ReLU(), nn.Linear(cls_hidden, 2))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``[B, L]`` -> ``h`` ``[B, 2 * sum(hidden)]``: last states of every layer, both directions."""
        states = []
        for stack, seq in ((self.fwd, x), (self.bwd, torch.flip(x, dims=[1]))):
            z = seq.unsqueeze(-1)
            for layer in stack:
                z = layer(z)
                states.append(z[:, -1])
        return torch.cat(states, dim=1)

    def decode(self, h: torch.Tensor, length: int) -> torch.Tensor:
        """Reconstruct ``[B, length]`` from ``h``: ``h`` is the decoder GRU's initial state, its inputs are zeros.

        (DTCR's decoder starts from ``h``; the authors' code feeds back its previous output, which needs a Python
        loop over the steps. Zero inputs keep one fused ``nn.GRU`` call with 1-dimensional input; on the §5.1
        ARMA data they learnt faster per step than ``h`` fed as the input at every step -- docs/dtcr.md.)
        """
        zeros = h.new_zeros(h.shape[0], length, 1)
        out, _ = self.decoder(zeros, h.unsqueeze(0).contiguous())
        return self.readout(out).squeeze(-1)


# ----------------------------------------------------------------------------- k-means pieces
def kmeans_batch_loss(H_b: torch.Tensor, F_b: torch.Tensor) -> torch.Tensor:
    """``Tr(H_b^T H_b) - Tr(F_b^T H_b^T H_b F_b)`` in row convention, without forming the Gram matrix.

    ``H_b`` ``[B, d]`` (rows = series), ``F_b`` ``[B, K]``; equals ``||H_b||_F^2 - ||F_b^T H_b||_F^2``.
    """
    return (H_b * H_b).sum() - (F_b.T @ H_b).pow(2).sum()


def batch_F(F: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """The batch's ``F_b``: the rows ``F[idx]`` of the series in the batch, orthonormalised (reduced QR).

    ``F_b^T F_b = I``, so the batch loss is ``||H_b||^2 - ||P H_b||^2 >= 0`` with ``P`` the projection onto the
    span of ``F[idx]`` -- the K-means relaxation restricted to the batch, with the assignment subspace learnt on
    all series. With one batch holding every series (``F`` already orthonormal) it is the full formula.
    """
    q, _ = torch.linalg.qr(F[idx].double())
    return q.to(F.dtype)


def spectral_F(H: torch.Tensor, k: int) -> torch.Tensor:
    """Top-``k`` left singular vectors of ``H`` ``[m, d]`` via the ``d x d`` Gram matrix (float64).

    ``G = H^T H = V S^2 V^T``; ``F = H V_k S_k^-1``. Cost ``O(m d^2 + d^3)``; no ``m x m`` matrix.
    """
    H64 = H.double()
    G = H64.T @ H64
    evals, evecs = torch.linalg.eigh(G)
    k = min(k, H.shape[1])
    top = torch.flip(torch.arange(G.shape[0] - k, G.shape[0]), dims=[0])
    s = evals[top].clamp_min(1e-12).sqrt()
    return ((H64 @ evecs[:, top]) / s).to(H.dtype)


# ----------------------------------------------------------------------------- the method
class DTCR(TorchClusterMethod):
    """DTCR clustering (see the module docstring). Options: :data:`DEFAULTS`."""

    name = "dtcr"
    defaults = DEFAULTS
    checkpoint_format = "mixseq-dtcr-1"

    @classmethod
    def option_spec(cls) -> OptionSpec:
        """:data:`DEFAULTS` typed by their values."""
        return dtcr_spec()

    def __init__(self, n_clusters: int, seed: int = 0, **options: Any) -> None:
        super().__init__(n_clusters, seed, **options)
        self.net: DTCRNet | None = None
        self.centers_: np.ndarray | None = None
        self.pool_: int = 1
        self.F_: torch.Tensor | None = None
        self.H_cache_: torch.Tensor | None = None
        self.history_: list[dict[str, float]] = []
        self.converged_epoch_: int | None = None
        self.converged_seconds_: float | None = None

    # ------------------------------------------------------------------ helpers
    def _build(self) -> DTCRNet:
        return DTCRNet(list(self.config["hidden"]), list(self.config["dilations"]), int(self.config["cls_hidden"]))

    @torch.no_grad()
    def encode_preprocessed(self, Z: np.ndarray) -> np.ndarray:
        """Representations ``[m, d]`` (float32, host) of preprocessed series, by streaming mini-batches."""
        assert self.net is not None, "dtcr: not fitted"
        self.net.eval()
        bs = int(self.config["eval_batch_size"])
        out = np.empty((len(Z), self.net.dim), dtype=np.float32)
        for s in range(0, len(Z), bs):
            xb = torch.from_numpy(np.ascontiguousarray(Z[s : s + bs])).to(self.device)
            out[s : s + bs] = self.net.encode(xb).cpu().numpy()
        return out

    def refresh_F(self, Z: np.ndarray) -> torch.Tensor:
        """Recompute ``F`` (``[m, K]``, row ``i`` = fitted series ``i``) from the current encoder.

        Also resets the representation cache ``H_cache_`` to these exact representations.
        """
        self.H_cache_ = torch.from_numpy(self.encode_preprocessed(Z)).to(self.device)
        return self.refresh_F_from_cache()

    def refresh_F_from_cache(self) -> torch.Tensor:
        """``F`` from ``H_cache_``: row ``i`` is the ``h`` of series ``i`` from its latest training batch.

        Costs ``O(m d^2)`` (the ``d x d`` Gram matrix) and no encoder pass; rows are at most one epoch old.
        """
        assert self.H_cache_ is not None, "dtcr: representation cache is empty"
        self.F_ = spectral_F(self.H_cache_, self.n_clusters)
        return self.F_

    def _kmeans(self, H: np.ndarray):  # type: ignore[no-untyped-def]
        from sklearn.cluster import KMeans

        k = min(self.n_clusters, len(H))
        return KMeans(n_clusters=k, n_init=int(self.config["kmeans_n_init"]), random_state=self.seed).fit(H)

    # ------------------------------------------------------------------ training
    def _prepare(self, X: np.ndarray) -> np.ndarray:
        """Pool (window from the series length and ``max_length``) and z-normalise the rows to fit."""
        self.pool_ = pool_factor(X.shape[1], self.config["max_length"])
        return preprocess(X, self.pool_)

    def _stream_transform(self, t_end: int) -> Callable[[np.ndarray], np.ndarray]:
        self.pool_ = pool_factor(int(t_end), self.config["max_length"])
        return lambda v: preprocess(v, self.pool_)

    def _labels_after_fit(self, X: np.ndarray, dates: pd.DatetimeIndex | None, subsampled: bool) -> np.ndarray:
        """K-means labels of the fitted series; with ``max_series``, every series assigned by :meth:`predict`."""
        return self.predict(X) if subsampled else self._fit_labels

    def _train(
        self, Z: np.ndarray, dates: pd.DatetimeIndex | None, log_path: str | Path | None,
        labels_true: np.ndarray | None,
    ) -> None:
        """Train the network on preprocessed ``Z`` ``[m, L]`` (host memory; mini-batches go to the device), then
        fit K-means on the representations. ``dates`` are not used (DTCR has no calendar inputs)."""
        cfg = self.config
        set_torch_threads(cfg["threads"])
        rng = seed_everything(self.seed)
        gen = torch.Generator().manual_seed(self.seed)
        dev = self.device
        m, L = Z.shape
        self.net = self._build().to(dev)
        opt = torch.optim.Adam(self.net.parameters(), lr=float(cfg["lr"]))
        ce = nn.CrossEntropyLoss()
        bs = int(cfg["batch_size"])
        lam = float(cfg["lambda_kmeans"])
        refresh_every = int(cfg["refresh_every"])
        if cfg["refresh"] not in ("cache", "full"):
            raise ValueError(f"dtcr: option refresh must be 'cache' or 'full', got {cfg['refresh']!r}")
        tol = float(cfg["tol"])
        patience = int(cfg["patience"])
        self.refresh_F(Z)
        self.history_ = []
        self.converged_epoch_ = self.converged_seconds_ = None
        cols = ["epoch", "recon", "kmeans", "cls", "loss", "seconds"] + (["ri"] if labels_true is not None else [])
        t0 = time.perf_counter()
        it = 0
        calm = 0
        prev_loss: float | None = None
        with epoch_log(log_path, cols, float_format="%.6g") as log:
            bar = progress(range(1, int(cfg["epochs"]) + 1), desc=f"dtcr K={self.n_clusters}", unit="epoch")
            for epoch in bar:
                self.net.train()
                sums = np.zeros(4)
                nb = 0
                for idx in self.iter_batch_indices(m, bs, rng):
                    xb = torch.from_numpy(Z[idx]).to(dev)
                    fake = make_fake(xb, float(cfg["fake_fraction"]), gen)
                    h_all = self.net.encode(torch.cat([xb, fake], dim=0))
                    h = h_all[: len(idx)]
                    recon = ((self.net.decode(h, L) - xb) ** 2).mean()
                    F_b = batch_F(self.F_, torch.from_numpy(idx).to(dev))
                    km = kmeans_batch_loss(h, F_b) / len(idx)
                    target = torch.cat([torch.ones(len(idx)), torch.zeros(len(idx))]).long().to(dev)
                    cls = ce(self.net.classifier(h_all), target)
                    loss = recon + cls + lam * km
                    opt.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(self.net.parameters(), float(cfg["clip"]))
                    opt.step()
                    it += 1
                    if cfg["refresh"] == "cache":
                        self.H_cache_[torch.from_numpy(idx).to(dev)] = h.detach()
                    if it % refresh_every == 0:
                        if cfg["refresh"] == "full":
                            self.refresh_F(Z)
                            self.net.train()
                        else:
                            self.refresh_F_from_cache()
                    sums += [recon.item(), km.item(), cls.item(), loss.item()]
                    nb += 1
                means = sums / max(nb, 1)
                rec: dict[str, float] = {"epoch": float(epoch), "recon": float(means[0]), "kmeans": float(means[1]),
                                         "cls": float(means[2]), "loss": float(means[3]),
                                         "seconds": time.perf_counter() - t0}
                if labels_true is not None:
                    km_fit = self._kmeans(self.encode_preprocessed(Z))
                    rec["ri"] = float(rand_index(labels_true, km_fit.labels_))
                    rec["seconds"] = time.perf_counter() - t0
                self.history_.append(rec)
                log.write({**rec, "epoch": epoch})
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(loss=f"{means[3]:.4f}")
                if prev_loss is not None and abs(prev_loss - means[3]) < tol * abs(prev_loss):
                    calm += 1
                else:
                    calm = 0
                prev_loss = means[3]
                if self.converged_epoch_ is None and calm >= patience:
                    self.converged_epoch_, self.converged_seconds_ = epoch, rec["seconds"]
                    if cfg["early_stop"]:
                        break
        H = self.encode_preprocessed(Z)
        km_fit = self._kmeans(H)
        self.centers_ = km_fit.cluster_centers_.astype(np.float32)
        self._fit_labels = km_fit.labels_.astype(np.int64)

    @staticmethod
    def iter_batch_indices(m: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
        """Shuffled mini-batches of fitted-series positions (the ids that index ``F`` and ``Z``)."""
        perm = rng.permutation(m)
        for s in range(0, m, batch_size):
            yield perm[s : s + batch_size]

    # ------------------------------------------------------------------ inference
    def _assign(self, H: np.ndarray) -> np.ndarray:
        assert self.centers_ is not None, "dtcr: not fitted"
        d2 = (H**2).sum(1, keepdims=True) - 2 * H @ self.centers_.T + (self.centers_**2).sum(1)
        return d2.argmin(axis=1).astype(np.int64)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Representations ``h`` ``[m, d]`` of raw series ``X`` ``[m, T]`` (pooled with the fitted window)."""
        return self.encode_preprocessed(preprocess(X, self.pool_))

    def predict(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """Encode ``X`` ``[m, T]`` in mini-batches and assign each series to the nearest fitted K-means centre."""
        X = np.asarray(X)
        bs = int(self.config["eval_batch_size"]) * 8
        return np.concatenate([self._assign(self.transform(X[s : s + bs])) for s in range(0, len(X), bs)]
                              or [np.zeros(0, np.int64)])

    # ------------------------------------------------------------------ persistence
    def _checkpoint(self) -> dict[str, Any]:
        assert self.net is not None and self.centers_ is not None, "dtcr: not fitted"
        return {
            "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.options.items()},
            "pool": int(self.pool_),
            "net": {k: v.detach().cpu() for k, v in self.net.state_dict().items()},
            "centers": torch.from_numpy(self.centers_.copy()),
            "history": [dict(r) for r in self.history_],
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self.pool_ = int(state["pool"])
        self.net = self._build()
        self.net.load_state_dict(state["net"])
        self.net.to(self.device)
        self.centers_ = state["centers"].numpy()
        self.history_ = list(state["history"])

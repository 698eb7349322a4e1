"""JABBA symbolic clustering: joint symbolic approximation (Chen 2023, arXiv:2401.00109) + TF-IDF k-means.

Pipeline (``JABBAClusterer.fit``):

1. z-normalise every microscopic series (symbols then describe shape, not level; §3 of the paper
   assumes normalised input for the tolerance ``tol`` to be meaningful).
2. JABBA (``fABBA.JABBA``, §5): *partitional compression* of each series into linear pieces
   ``(len, inc)`` with squared error per piece at most ``(len - 1) tol^2`` (eq. 2), then **one joint
   digitisation** of all pieces of all series, so a symbol means the same piece in every series
   (symbolic consistency). Digitisation is greedy aggregation (``digitization="agg"``, JABBA (GA),
   §4.1, tolerance ``alpha``; ``alpha=None`` -> auto-digitisation by eq. 20) or k-means
   (``digitization="kmeans"``/``"f-kmeans"`` = JABBA (VQ), §4, ``k`` symbols; ``f-kmeans`` is the
   sampled k-means of Algorithm 3 with sampling rate ``r``).
3. Each series is a document of symbols; features are TF-IDF weights of symbol n-grams
   (``ngram`` = largest n, 1 = bag of symbols) with sublinear tf and L2 row normalisation
   (scikit-learn ``TfidfVectorizer``).
4. scikit-learn ``KMeans`` (``n_init=10``, ``random_state=seed``) on those features -> ``labels_``.

``stats_`` after ``fit`` (the numbers ``bench/bench_symbolic.py`` reports):

- ``n_points``: total number of values ``m * T``; ``n_pieces``: pieces after compression;
  ``n_symbols``: alphabet size ``|L|``.
- ``compression_rate``: eq. (7) of the paper, ``1 - |L| / n`` with ``n = n_points``.
- ``piece_compression``: ``1 - n_pieces / n_points`` (how many numbers the strings replace).
- ``reconstruction_mse``: MSE (eq. 9) between the z-normalised series and their inverse transform
  (strings -> pieces via the symbol centres -> polygonal chain from each series' first value), on
  the normalised scale; a reconstruction of a different length is cut or padded with its last value
  to ``T`` (inverse digitisation rounds piece lengths).
- ``seconds_symbolise``, ``seconds_reconstruct``, ``seconds_cluster``.

Options: ``tol`` (0.1), ``digitization`` ("kmeans"), ``alpha`` (None = auto; GA only), ``k`` (number of
symbols for k-means digitisation, 16), ``r`` (0.5), ``ngram`` (1), ``n_jobs`` (1; processes used by fABBA
for compression/reconstruction, the rule passes its ``threads``), ``reconstruct`` (True: compute
``reconstruction_mse``; costs an inverse transform).

Why these defaults: the paper's defaults (GA digitisation with auto ``alpha``, eq. 20) minimise the
reconstruction error and produce a large alphabet (~145 symbols for 45 series x 72 steps at
``tol=0.1``); for *clustering* a small shared alphabet makes documents overlap more. On the test panel
(3 shape groups x 15 series, 72 steps, noise 0.3; 6 data seeds) the mean Rand index was 0.98 with
k-means digitisation and ``k=16`` versus 0.81 with GA/auto-alpha (``tests/test_cluster_families.py``).
"""

from __future__ import annotations

import contextlib
import io
import pickle
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mixseq.cluster._series import as_panel, znormalise
from mixseq.cluster.base import ClusterMethod

_DIGITIZATIONS = {"agg", "kmeans", "f-kmeans"}


class SymbolNgrams:
    """Analyser for ``TfidfVectorizer``: symbol list -> all contiguous n-grams, n = 1..``n_max``.

    A class (not a lambda) so fitted vectorisers pickle.
    """

    def __init__(self, n_max: int = 1) -> None:
        self.n_max = int(n_max)

    def __call__(self, symbols: Sequence[str]) -> list[str]:
        toks = [str(s) for s in symbols]
        out = list(toks)
        for n in range(2, self.n_max + 1):
            out.extend("\x1f".join(toks[i : i + n]) for i in range(len(toks) - n + 1))
        return out


def fit_jabba(
    Z: np.ndarray,
    tol: float = 0.2,
    digitization: str = "agg",
    alpha: float | None = None,
    k: int = 20,
    r: float = 0.5,
    n_jobs: int = 1,
    seed: int = 0,
) -> tuple[Any, list[list[str]], float]:
    """Run JABBA on rows of ``Z`` ``[m, T]``; return ``(model, strings, seconds)``.

    fABBA's chatter (it prints the auto-digitisation alpha even when ``verbose=0``) is swallowed.
    """
    from fABBA import JABBA

    if digitization not in _DIGITIZATIONS:
        raise ValueError(f"jabba: digitization must be one of {sorted(_DIGITIZATIONS)}, got {digitization!r}")
    model = JABBA(tol=float(tol), init=digitization, alpha=alpha, k=int(k), r=float(r), verbose=0, random_state=seed)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        strings = model.fit_transform(np.ascontiguousarray(Z, dtype=np.float64), n_jobs=int(n_jobs))
    return model, [list(s) for s in strings], time.perf_counter() - t0


def reconstruction_mse(model: Any, strings: list[list[str]], Z: np.ndarray, n_jobs: int = 1) -> tuple[float, float]:
    """MSE (eq. 9) of JABBA's inverse transform against ``Z`` on the normalised scale; returns ``(mse, seconds)``."""
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        rec = model.inverse_transform(strings, start_set=[float(z[0]) for z in Z], n_jobs=int(n_jobs))
    T = Z.shape[1]
    err = 0.0
    for z, x in zip(Z, rec, strict=True):
        x = np.asarray(x, dtype=np.float64).ravel()
        if x.size >= T:
            x = x[:T]
        else:
            x = np.concatenate([x, np.full(T - x.size, x[-1] if x.size else 0.0)])
        err += float(np.sum((z - x) ** 2))
    return err / Z.size, time.perf_counter() - t0


class JABBAClusterer(ClusterMethod):
    """Cluster microscopic series by TF-IDF k-means on their JABBA symbol strings (see module doc)."""

    name = "jabba"
    model_suffix = ".pkl"

    def __init__(
        self,
        n_clusters: int,
        seed: int = 0,
        *,
        tol: float = 0.1,
        digitization: str = "kmeans",
        alpha: float | None = None,
        k: int = 16,
        r: float = 0.5,
        ngram: int = 1,
        n_jobs: int | None = 1,
        reconstruct: bool = True,
    ) -> None:
        super().__init__(n_clusters, seed)
        self.tol = float(tol)
        self.digitization = str(digitization)
        self.alpha = None if alpha is None else float(alpha)
        self.k = int(k)
        self.r = float(r)
        self.ngram = int(ngram)
        self.n_jobs = int(n_jobs or 1)
        self.reconstruct = bool(reconstruct)
        if self.digitization not in _DIGITIZATIONS:
            raise ValueError(f"jabba: digitization must be one of {sorted(_DIGITIZATIONS)}, got {self.digitization!r}")
        if self.tol <= 0:
            raise ValueError(f"jabba: tol must be > 0, got {self.tol}")
        self.stats_: dict[str, float] = {}
        self.strings_: list[list[str]] = []

    def fit(
        self,
        X: np.ndarray,
        dates: pd.DatetimeIndex | None = None,
        log_path: str | Path | None = None,
        labels_true: np.ndarray | None = None,
    ) -> JABBAClusterer:
        """Symbolise all series jointly, then k-means on TF-IDF symbol features; set ``labels_``, ``stats_``."""
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import TfidfVectorizer

        Z = znormalise(as_panel(X, self.name))
        self.jabba_, self.strings_, t_sym = fit_jabba(
            Z, self.tol, self.digitization, self.alpha, self.k, self.r, self.n_jobs, self.seed
        )
        n_pieces = int(sum(len(s) for s in self.strings_))
        n_symbols = int(self.jabba_.parameters.centers.shape[0])
        mse, t_rec = (float("nan"), 0.0)
        if self.reconstruct:
            mse, t_rec = reconstruction_mse(self.jabba_, self.strings_, Z, self.n_jobs)

        t0 = time.perf_counter()
        self.vectorizer_ = TfidfVectorizer(
            analyzer=SymbolNgrams(self.ngram), lowercase=False, sublinear_tf=True, norm="l2"
        )
        F = self.vectorizer_.fit_transform(self.strings_)
        k = min(self.n_clusters, len(Z))
        self.kmeans_ = KMeans(n_clusters=k, n_init=10, random_state=self.seed).fit(F)
        self.labels_ = self.kmeans_.labels_.astype(np.int64)
        t_clu = time.perf_counter() - t0

        self.stats_ = {
            "n_series": float(len(Z)),
            "n_points": float(Z.size),
            "n_pieces": float(n_pieces),
            "n_symbols": float(n_symbols),
            "alpha": float(self.jabba_.alpha) if self.jabba_.alpha is not None else float("nan"),
            "compression_rate": 1.0 - n_symbols / Z.size,
            "piece_compression": 1.0 - n_pieces / Z.size,
            "reconstruction_mse": mse,
            "seconds_symbolise": t_sym,
            "seconds_reconstruct": t_rec,
            "seconds_cluster": t_clu,
        }
        if log_path is not None:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            pd.DataFrame([self.stats_]).to_csv(log_path, sep="\t", index=False)
        return self

    def predict(self, X: np.ndarray, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """Symbolise new series with the fitted alphabet (``JABBA.transform``) and assign the nearest centre."""
        if self.labels_ is None:
            raise RuntimeError("jabba: call fit before predict")
        Z = znormalise(as_panel(X, self.name))
        with contextlib.redirect_stdout(io.StringIO()):
            strings, _ = self.jabba_.transform(np.ascontiguousarray(Z), n_jobs=self.n_jobs)
        F = self.vectorizer_.transform([list(s) for s in strings])
        return self.kmeans_.predict(F).astype(np.int64)

    def save(self, path: str | Path) -> None:
        """Pickle the symbolic model, vectoriser and k-means (and ``stats_``)."""
        with open(path, "wb") as fh:
            pickle.dump(
                {"jabba": self.jabba_, "vectorizer": self.vectorizer_, "kmeans": self.kmeans_, "stats": self.stats_}, fh
            )

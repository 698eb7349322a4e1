"""Synthetic ARMA(2, 0) mixtures of the paper's §5.1 (Table 2) and §5.3 (sensitivity to K).

Component ``k`` follows ``x_t = phi_1 x_{t-1} + phi_2 x_{t-2} + eps_t``, ``eps_t ~ N(0, noise_var)`` with
``noise_var = 0.27`` and ``[phi_1, phi_2]`` = ``[-0.25, 0.52]``, ``[0.34, 0.27]``, ``[1.5, -0.75]`` (2 clusters: the
first two). The two initial values are drawn from ``N(0, 0.25)`` (supplement D.2 for the toy ARMA data; §5.1 only
says "random initialized sequences"). We then run ``burn_in`` steps (default 0, i.e. the series starts at the
random initial values as in the paper's description; pass e.g. ``burn_in=100`` for stationary series) and keep
the following ``length`` values.
"""

from __future__ import annotations

import numpy as np

#: AR coefficients [phi_1, phi_2] of the three components of §5.1.
ARMA_COMPONENTS: tuple[tuple[float, float], ...] = ((-0.25, 0.52), (0.34, 0.27), (1.5, -0.75))


def simulate_ar2(
    phis: np.ndarray,
    length: int,
    rng: np.random.Generator,
    noise_var: float = 0.27,
    init_var: float = 0.25,
    burn_in: int = 0,
) -> np.ndarray:
    """Simulate one AR(2) path per row of ``phis`` (``[m, 2]``): float64 ``[m, length]``, vectorised over series."""
    phis = np.asarray(phis, dtype=np.float64)
    m = phis.shape[0]
    total = length + burn_in
    x = np.empty((m, total + 2))
    x[:, :2] = rng.normal(0.0, np.sqrt(init_var), size=(m, 2))
    eps = rng.normal(0.0, np.sqrt(noise_var), size=(m, total))
    p1, p2 = phis[:, 0], phis[:, 1]
    for t in range(2, total + 2):
        x[:, t] = p1 * x[:, t - 1] + p2 * x[:, t - 2] + eps[:, t - 2]
    if burn_in == 0:  # the two random initial values are the first two observations
        return x[:, :length]
    return x[:, burn_in + 2 :]


def arma_clusters(
    n_clusters: int,
    n_per_cluster: int = 10000,
    length: int = 100,
    seed: int = 0,
    noise_var: float = 0.27,
    burn_in: int = 0,
    components: tuple[tuple[float, float], ...] = ARMA_COMPONENTS,
) -> tuple[np.ndarray, np.ndarray]:
    """§5.1 ARMA mixture: ``(X float32 [n_clusters * n_per_cluster, length], labels int64)``, grouped by cluster.

    ``n_clusters`` is 2 (first two components) or 3 (all three; also the §5.3 data with 10,000 per cluster).
    """
    if not 1 <= n_clusters <= len(components):
        raise ValueError(f"arma_clusters: n_clusters must be in 1..{len(components)}, got {n_clusters}")
    if length < 3:
        raise ValueError(f"arma_clusters: length must be >= 3, got {length}")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(n_clusters), n_per_cluster)
    phis = np.asarray(components[:n_clusters], dtype=np.float64)[labels]
    X = simulate_ar2(phis, length, rng, noise_var=noise_var, burn_in=burn_in)
    return X.astype(np.float32), labels.astype(np.int64)

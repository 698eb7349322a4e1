"""Size and coverage of the significance tests when both windows and fits are random (docs/statistics.md).

Synthetic per-seed, per-window losses of a method and of Macro on ``n`` overlapping windows (``horizon`` iid
daily terms at ``stride``: MA(ceil(h/s) - 1)):
``loss[a, s, w] = delta * [a = method] + sig_b * b[a, w] + tau * u[a, s] + sig_e * e[a, s, w]``, where ``b`` is
a window effect that the two arms share in part (Macro's is a common series, the method's the same plus an
own series of 0.7 its sd), ``u`` an iid N(0, 1) fit effect per seed and ``e`` a seed x window series. For each
design and each test (``ewc``, ``dm``) the script draws ``reps`` data sets and records how often the window test
(seeds averaged per window) and the windows-and-seeds test reject at 5 % and cover ``delta`` with their 95 %
interval. With ``delta = 0`` the rejection rate is the size.

Usage::

    python bench/significance_size.py results/benchmarks/significance_size.tsv [--reps 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from mixseq.evaluate.significance import paired_test, windows_and_seeds_test

#: n windows, horizon, stride, seeds per arm, tau (fit sd), sig_b (window sd), sig_e (seed x window sd), delta
DESIGNS = [
    (180, 30, 1, 3, 1.0, 1.0, 1.0, 0.0),
    (27, 30, 7, 3, 1.0, 1.0, 1.0, 0.0),
    (27, 30, 7, 2, 1.0, 1.0, 1.0, 0.0),
    (17, 30, 7, 3, 0.3, 1.0, 1.0, 0.0),
    (27, 30, 7, 3, 0.0, 1.0, 1.0, 0.0),
    (27, 30, 7, 3, 0.0, 1.0, 0.0, 0.0),
    (27, 30, 7, 3, 0.0, 1.0, 3.0, 0.0),
    (180, 30, 1, 5, 0.3, 1.0, 1.0, 1.0),
    (27, 30, 7, 5, 0.3, 0.3, 0.3, 1.0),
]


def overlapping(rng: np.random.Generator, n: int, horizon: int, stride: int, lead: tuple[int, ...] = ()) -> np.ndarray:
    """Means of ``horizon`` iid N(0, 1) terms of windows ``stride`` apart, scaled to sd 1: shape ``lead + (n,)``."""
    e = rng.normal(size=lead + (n * stride + horizon,))
    c = np.concatenate([np.zeros(lead + (1,)), np.cumsum(e, axis=-1)], axis=-1)
    return (c[..., horizon:] - c[..., :-horizon])[..., ::stride][..., :n] / math.sqrt(horizon)


def draw(rng: np.random.Generator, n: int, horizon: int, stride: int, seeds: int, tau: float, sig_b: float,
         sig_e: float, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-seed, per-window losses ``[seeds, n]`` of the method and of Macro under the design."""
    common = overlapping(rng, n, horizon, stride)
    method = (delta + sig_b * (common + 0.7 * overlapping(rng, n, horizon, stride))
              + tau * rng.normal(size=(seeds, 1)) + sig_e * overlapping(rng, n, horizon, stride, (seeds,)))
    macro = (sig_b * common + tau * rng.normal(size=(seeds, 1))
             + sig_e * overlapping(rng, n, horizon, stride, (seeds,)))
    return method, macro


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows = []
    for i, (n, horizon, stride, seeds, tau, sig_b, sig_e, delta) in enumerate(tqdm(DESIGNS, desc="designs")):
        for test in ("ewc", "dm"):
            rng = np.random.default_rng([args.seed, i])
            hits = {"windows": [0, 0], "windows_and_seeds": [0, 0]}
            t0 = time.perf_counter()
            for _ in range(args.reps):
                method, macro = draw(rng, n, horizon, stride, seeds, tau, sig_b, sig_e, delta)
                results = {"windows": paired_test(method.mean(0) - macro.mean(0), horizon, stride, test=test),
                           "windows_and_seeds": windows_and_seeds_test(method, macro, horizon, stride,
                                                                       test=test).result}
                for unit, r in results.items():
                    hits[unit][0] += r.p_value < 0.05
                    hits[unit][1] += r.ci_low <= delta <= r.ci_high
            for unit, (rej, cover) in hits.items():
                rows.append({"n_windows": n, "horizon": horizon, "stride": stride, "seeds_per_arm": seeds,
                             "tau": tau, "sig_b": sig_b, "sig_e": sig_e, "delta": delta, "test": test, "unit": unit,
                             "reject": rej / args.reps, "coverage": cover / args.reps, "reps": args.reps,
                             "seconds": round(time.perf_counter() - t0, 2)})
    table = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, sep="\t", index=False, float_format="%.4g")
    wide = table.pivot_table(index=["n_windows", "stride", "seeds_per_arm", "tau", "sig_e", "delta"],
                             columns=["test", "unit"], values=["reject", "coverage"], sort=False)
    with pd.option_context("display.width", 200):
        print(wide.to_string())


if __name__ == "__main__":
    main()

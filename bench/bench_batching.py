#!/usr/bin/env python
"""How much a batched ensemble of the K per-cluster forecasters could save on this CPU, measured per training step.

A forecast job trains K independent networks of one shape, one after another. Trained as one batched ensemble
(parameters stacked along a member dimension, or grouped layers), a step would process the K members' batches
together: K times the arithmetic of one member in one call. No implementation of that can be cheaper than one
member-sized network stepping on a batch of ``K * batch_size`` windows (the same arithmetic, no stacking). So
``ceiling = K * t(batch_size) / t(K * batch_size)`` bounds the wall-time gain of any batched ensemble from above:
near 1, one step's cost grows with the work and there is no per-call overhead left to share; near K, the step is
dominated by overhead and batching would pay.

For each family (``deepar``, ``tcn``, ``convtrans``, built by the forecasters' own ``build_net`` with the
project's default options on daily data, windows of ``context_length + prediction_length - 1`` inputs), a step is
what ``mixseq.nn.training`` does per batch: forward, head NLL, backward, gradient clipping, Adam. The profiler's
share of dropout's mask drawing (``aten::bernoulli_``) in one member's step is reported as well.

Writes a TSV (default ``results/benchmarks/batching.tsv``): family, threads, k, batch_size, ms_per_step (median of
``--repeats`` timings of ``--steps`` steps), ms_per_step_kb, ceiling, dropout_share, load1 (1-minute load average
before the family). Usage: ``python bench/bench_batching.py [--k 5] [--threads 1] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mixseq.data.covariates import n_date_features  # noqa: E402
from mixseq.forecast.base import make_forecaster  # noqa: E402
from mixseq.nn.heads import output_nll  # noqa: E402
from mixseq.utils import atomic_path, set_torch_threads  # noqa: E402

FAMILIES = ("deepar", "tcn", "convtrans")


def make_step(family: str, batch: int, seed: int = 0) -> tuple[torch.nn.Module, object]:
    """A fresh net of ``family`` and a closure doing one training step on a fixed random batch of ``batch``."""
    torch.manual_seed(seed)
    f = make_forecaster(family, seed=seed, progress=False)
    o = f.options
    context, prediction, _ = f.window_lengths(10_000, "D")  # the daily lengths a long series trains with
    length = context + prediction - 1
    net = f.build_net(1 + n_date_features("D"))
    opt = torch.optim.Adam(net.parameters(), lr=float(o["lr"]), weight_decay=float(o["weight_decay"]))
    x = torch.randn(batch, length, 1 + n_date_features("D"))
    y = torch.randn(batch, length)
    net.train()

    def step() -> None:
        loss = output_nll(net, y, net(x)).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), float(o["grad_clip"]))
        opt.step()

    return net, step


def time_step(step: object, steps: int, repeats: int) -> float:
    """Median over ``repeats`` of the wall milliseconds per step (after 3 warm-up steps)."""
    for _ in range(3):
        step()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        out.append((time.perf_counter() - t0) / steps * 1e3)
    return float(np.median(out))


def dropout_share(step: object, steps: int = 5) -> float:
    """Share of ``aten::bernoulli_`` (dropout masks) in the profiled self CPU time of ``steps`` steps."""
    with torch.profiler.profile() as prof:
        for _ in range(steps):
            step()
    events = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in events)
    drop = sum(e.self_cpu_time_total for e in events if e.key == "aten::bernoulli_")
    return drop / total if total else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--k", type=int, default=5, help="ensemble members (clusters)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "batching.tsv"))
    a = ap.parse_args(argv)
    set_torch_threads(a.threads)
    rows = []
    for fam in a.families.split(","):
        load1 = os.getloadavg()[0]
        _, one = make_step(fam, a.batch_size)
        _, big = make_step(fam, a.k * a.batch_size)
        t1 = time_step(one, a.steps, a.repeats)
        tk = time_step(big, a.steps, a.repeats)
        rows.append({"family": fam, "threads": a.threads, "k": a.k, "batch_size": a.batch_size,
                     "ms_per_step": round(t1, 3), "ms_per_step_kb": round(tk, 3),
                     "ceiling": round(a.k * t1 / tk, 3), "dropout_share": round(dropout_share(one), 3),
                     "load1": round(load1, 2)})
        print(rows[-1], flush=True)
    with atomic_path(a.out) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()

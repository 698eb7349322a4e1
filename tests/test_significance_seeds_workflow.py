"""The `significance` target over 2 seeds: every comparison is tested with windows and seeds as the unit, and its
numbers equal `windows_and_seeds_test` on the runs' forecasts files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SHOP_BASE, run_snakemake, shop_workdir

from mixseq.evaluate.significance import holm, seed_matrix, window_losses, windows_and_seeds_test

pytestmark = pytest.mark.slow

CONFIG = {
    **SHOP_BASE,
    "run": "seeds",
    "targets": ["significance"],
    "seeds": [0, 1],
    "n_samples": 20,
    "evaluation": {"horizon": 7, "stride": 3, "refit_every": 1},
    # bootstrapped residuals: each seed draws other samples, so the seeds' scores differ
    "forecasters": {"seasonal_naive": {"bootstrap": True}},
    "realdata": {"datasets": ["shop"], "methods": ["macro", "random"], "forecasters": ["seasonal_naive"],
                 "k": [2], "selection_metric": "r0.5"},
}


def test_significance_over_two_seeds_tests_windows_and_seeds(tmp_path: Path):
    wd = shop_workdir(tmp_path / "wd")
    (wd / "config/seeds.yaml").write_text(yaml.safe_dump(CONFIG))
    res = run_snakemake(wd, "--configfile", "config/seeds.yaml")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]

    res_dir = wd / "results/seeds"
    sig = pd.read_csv(res_dir / "significance.tsv", sep="\t", comment="#")
    assert len(sig) == 3 and set(sig["unit"]) == {"windows_and_seeds"}
    assert (sig["n_seeds"] == 2).all() and (sig["n_seeds_macro"] == 2).all()
    assert (sig["se_seeds"] > 0).all()
    # recomputed from the four forecasts files
    files = {(m, s): res_dir / f"shop/forecasts/{m}/k{k}/seasonal_naive/seed{s}.parquet"
             for m, k in (("macro", 1), ("random", 2)) for s in (0, 1)}
    losses = pd.concat([window_losses(f).assign(method=m, seed=s) for (m, s), f in files.items()])
    assert (sig["n_windows"] == losses["origin"].nunique()).all()
    p_values = []
    for r in sig.itertuples():
        per_arm = [seed_matrix(losses[losses["method"] == m], r.metric).to_numpy().T for m in ("random", "macro")]
        ref = windows_and_seeds_test(*per_arm, horizon=7, stride=3)
        p_values.append(ref.result.p_value)
        assert r.diff == pytest.approx(ref.result.mean, rel=1e-5, abs=1e-9)
        assert r.p_value == pytest.approx(ref.result.p_value, rel=1e-5, abs=1e-9)
        assert r.ci_low == pytest.approx(ref.result.ci_low, rel=1e-5, abs=1e-9)
        assert r.se_seeds == pytest.approx(math.sqrt(ref.var_seeds), rel=1e-5)
        assert r.df == pytest.approx(ref.result.df, rel=1e-5)
    np.testing.assert_allclose(sig["p_holm"], holm(p_values), rtol=1e-5)
    log = (wd / "logs/seeds/significance.log").read_text()
    assert "unit windows_and_seeds" in log and "fewer than 2 seeds" not in log

"""End-to-end: the workflow on config/test.yaml in a temp copy; bad configs stop before any job."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_snakemake

pytestmark = pytest.mark.slow


def scores_of(wd: Path) -> pd.DataFrame:
    return pd.concat([pd.read_csv(f, sep="\t") for f in (wd / "results/test").glob("*/scores/*/*/*/*.tsv")],
                     ignore_index=True)


def test_table1_recomputable_from_run_scores(full_run: Path):
    wd = full_run
    tab = pd.read_csv(wd / "results/test/table1.tsv", sep="\t", comment="#", index_col=0)
    assert list(tab.index) == ["macro", "clustered"]
    assert list(tab.columns) == ["GP 3", "ARMA 3"]
    scores = scores_of(wd)
    toy = scores[scores.dataset.isin(["gp3", "arma3"])]
    assert len(toy) == 2 * 2 * 2  # datasets x methods x seeds
    for col, ds in (("GP 3", "gp3"), ("ARMA 3", "arma3")):
        for row, method in (("macro", "macro"), ("clustered", "truth")):
            vals = toy[(toy.dataset == ds) & (toy.method == method)]["smape"].to_numpy()
            assert np.all(np.isfinite(vals)) and np.all((vals >= 0) & (vals <= 1))
            assert tab.loc[row, col] == f"{vals.mean():.4f} ({vals.std(ddof=1):.4f})"
    png = wd / "results/test/figures/table1_toy.png"
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
    assert (wd / "logs/test/forecast/arma3/truth/k3/arma/seed0.log").stat().st_size > 0
    assert (wd / "benchmarks/test/forecast/arma3/truth/k3/arma/seed0.tsv").exists()


def test_tables_4_5_select_on_validation_and_are_computed(full_run: Path):
    """Rossmann 100-store subset, tiny epochs: every cell is finite and equals the selected run's test score."""
    wd = full_run
    scores = scores_of(wd)
    real = scores[scores.dataset == "rossmann100"]
    assert set(real.split) == {"val", "test"}
    assert set(real.forecaster) == {"arma", "prophet", "seasonal_naive", "autoets", "autoarima", "deepar", "tcn",
                                    "convtrans"}
    assert set(real.method) == {"macro", "dtcr", "mixarma", "mixseq", "random", "natural"}
    sel = pd.read_csv(wd / "results/test/selection.tsv", sep="\t", comment="#")
    t5 = pd.read_csv(wd / "results/test/table5.tsv", sep="\t", comment="#", index_col=[0, 1])
    t4 = pd.read_csv(wd / "results/test/table4.tsv", sep="\t", comment="#", index_col=[0, 1])
    assert list(t5.columns) == ["macro", "dtcr", "mixarma", "mixseq"]
    assert list(t4.columns) == ["macro", "dtcr", "mixarma", "mixseq"]
    # every selected clustering's non-empty clusters: sizes sum to the 100 stores, a collapse is flagged
    assert (sel.sizes.astype(str).map(lambda s: sum(int(n) for n in s.split("/"))) == 100).all()
    assert ((sel.n_nonempty < sel.k) == sel.collapsed).all()
    cells = pd.read_csv(wd / "results/test/table_cells.tsv", sep="\t", comment="#")
    assert len(cells) == 6 * 8 * 3 and set(cells.sig) <= {-1, 0, 1}  # methods x forecasters x metrics
    assert set(t4.index.get_level_values(1)) == {"seasonal_naive", "autoets", "autoarima", "deepar", "tcn",
                                                 "convtrans"}
    # controls: random = two equal halves; natural = the stores with / without Promo2 in store.csv
    stores = pd.read_csv(wd / "resources/rossmann100/raw/store.csv")
    promo = stores.set_index(stores.Store.astype(str)).Promo2
    assign = pd.read_csv(wd / "results/test/rossmann100/clusters/natural/k2/seed0/assignments.tsv", sep="\t",
                         dtype={"id": str})
    groups = promo.loc[assign.id].to_numpy()
    assert all(len(set(groups[assign.cluster.to_numpy() == c])) == 1 for c in (0, 1))  # one Promo2 value each
    expected = "/".join(str(n) for n in sorted(np.bincount(groups), reverse=True))
    assert set(sel[sel.method == "natural"].sizes) == {expected}
    assert set(sel[sel.method == "random"].sizes) == {"50/50"}
    for _, s in sel.iterrows():
        val = real[(real.split == "val") & (real.method == s.method) & (real.k == s.k)
                   & (real.forecaster == s.forecaster)]
        # the selected candidate is the best on validation among its (method, forecaster) family
        fam = real[(real.split == "val") & (real.method.str.split("__").str[0] == s.method_base)
                   & (real.forecaster.str.split("__").str[0] == s.forecaster_base)]
        assert val["r0.5"].iloc[0] == fam["r0.5"].min()
        test = real[(real.split == "test") & (real.method == s.method) & (real.k == s.k)
                    & (real.forecaster == s.forecaster)]
        if s.method_base not in t5.columns:  # the controls are in table_methods, not in the paper's Tables 4/5
            continue
        cell = t5.loc[("rossmann100", s.forecaster_base), s.method_base]
        assert cell == f"{test['smape'].mean():.4f} (0.0000)"
        if s.forecaster_base in t4.index.get_level_values(1):
            a, b = t4.loc[("rossmann100", s.forecaster_base), s.method_base].split("/")
            assert float(a) == pytest.approx(test["r0.5"].mean(), abs=6e-5)
            assert float(b) == pytest.approx(test["r0.9"].mean(), abs=6e-5)
    assert np.all(np.isfinite(real[["smape", "r0.5", "r0.9"]].to_numpy()))
    comp = pd.read_csv(wd / "results/test/paper_comparison.tsv", sep="\t", comment="#")
    # rossmann100 is of kind rossmann: every computed Table 4/5 cell of the paper methods is compared
    assert set(comp.paper_dataset) == {"rossmann"} and len(comp) == 3 * 4 * 2 + 5 * 4
    assert np.allclose(comp.rel_diff, comp.ours / comp.paper - 1)
    for f in ("table4.md", "table5.md", "table_methods.tsv", "figures/sensitivity_k_rossmann100.png",
              "paper_comparison.md"):
        assert (wd / "results/test" / f).stat().st_size > 0


def test_table2_sensitivity_and_convergence_outputs(full_run: Path):
    wd = full_run
    t2 = pd.read_csv(wd / "results/test/table2.tsv", sep="\t", comment="#", index_col=0)
    assert list(t2.columns) == ["ARMA 2 clusters", "DeepAR 2 clusters"]
    assert {"MixARMA", "MixSeq", "MixSeq-infer", "DTCR", "DTCR-infer"} <= set(t2.index)
    trials = pd.concat([pd.read_csv(f, sep="\t") for f in (wd / "results/test/table2").rglob("*.tsv")])
    assert trials[["ri", "ri_infer"]].apply(lambda c: c.between(0, 1)).all().all()
    # MixARMA separates the two ARMA components even on this tiny data
    assert trials[(trials.method == "mixarma") & (trials.data == "arma")]["ri"].iloc[0] > 0.9
    sens = pd.read_csv(wd / "results/test/table_sensitivity_synthetic.tsv", sep="\t", comment="#")
    assert list(sens.setting) == ["Macro", "mixarma_2"] and sens.smape_mean.between(0, 1).all()
    conv = pd.read_csv(wd / "results/test/convergence.tsv", sep="\t", comment="#")
    assert set(conv.method) == {"mixseq", "mixarma", "dtcr"}
    assert (conv.seconds_to_converge <= conv.total_seconds).all() and conv.converged_in_run.dtype == bool
    assert (wd / "results/test/figures/convergence_rossmann100.png").stat().st_size > 10_000


def test_second_run_has_nothing_to_do(full_run: Path):
    from conftest import MIRROR

    again = run_snakemake(full_run, "--configfile", "config/test.yaml", "--config", f"mirror={MIRROR}", "-n")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr


def test_significance_table_pairs_selected_runs_with_macro(full_run: Path):
    """results/test/significance.tsv: one row per (forecaster, method != macro, metric); its `value` and `macro`
    columns equal the selected runs' pooled test scores (one seed), and the figure exists."""
    wd = full_run
    sig = pd.read_csv(wd / "results/test/significance.tsv", sep="\t", comment="#")
    cols = ["dataset", "forecaster", "method", "metric", "macro", "value", "diff", "ci_low", "ci_high", "p_value",
            "p_holm", "n_windows", "n_seeds"]
    assert list(sig.columns[: len(cols)]) == cols
    assert set(sig.method) == {"dtcr", "mixarma", "mixseq", "random", "natural"}
    assert set(sig.metric) == {"smape", "r0.5", "r0.9"}
    assert len(sig) == 5 * 8 * 3  # methods x forecasters x metrics
    sel = pd.read_csv(wd / "results/test/realdata_scores.tsv", sep="\t", comment="#")
    for r in sig.itertuples():
        test = sel[(sel.method_base == r.method) & (sel.forecaster_base == r.forecaster)][r.metric].iloc[0]
        base = sel[(sel.method_base == "macro") & (sel.forecaster_base == r.forecaster)][r.metric].iloc[0]
        assert r.value == pytest.approx(test, rel=1e-5) and r.macro == pytest.approx(base, rel=1e-5)
        # the TSV holds 6 significant digits (%.6g)
        assert r.diff == pytest.approx(r.value - r.macro, abs=1e-5 * max(abs(r.value), abs(r.macro)))
        assert r.ci_low <= r.diff <= r.ci_high and 0 <= r.p_value <= r.p_holm <= 1
    assert (sig.n_windows == 7).all() and (sig.n_seeds == 1).all()
    # seasonal naive is linear: every split's summed forecast is Macro's, so its rows are identical, p = 1, and
    # out of Holm's family (as is any other comparison with identical losses); p_holm of the other rows is Holm
    # over those rows alone
    naive = sig.forecaster == "seasonal_naive"
    assert sig.loc[naive, "identical"].all() and (sig.loc[sig.identical, "p_holm"] == 1).all()
    assert (sig.in_holm == ~sig.identical).all() and sig.in_holm.any()
    from mixseq.evaluate.significance import holm

    fam = sig[sig.in_holm]
    np.testing.assert_allclose(fam.p_holm, holm(fam.p_value.to_numpy()), rtol=1e-4)
    assert (wd / "results/test/figures/significance.png").read_bytes()[:4] == b"\x89PNG"

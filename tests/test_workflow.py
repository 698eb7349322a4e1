"""End-to-end: the workflow on config/test.yaml in a temp copy; bad configs stop before any job."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
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


def test_clustering_families_in_the_workflow(workdir: Path):
    """DSTW, JABBA, k-Shape and DTW k-means run through the same rules: table_methods and their RI in Table 2."""
    from conftest import MIRROR

    cfg = yaml.safe_load((workdir / "config/test.yaml").read_text())
    cfg["targets"] = ["methods", "table2"]
    cfg["realdata"].update(methods=["macro", "dstw", "jabba", "kshape", "dtw_kmeans"], forecasters=["arma"])
    cfg["table2"].update(data=["arma"], methods=["dstw", "jabba", "kshape", "dtw_kmeans"])
    cfg["methods"].update(dstw={"base_size": 30, "step": 30}, kshape={"max_length": 64},
                          dtw_kmeans={"max_length": 32})
    (workdir / "config/families.yaml").write_text(yaml.safe_dump(cfg))
    res = run_snakemake(workdir, "--configfile", "config/families.yaml", "--config", f"mirror={MIRROR}",
                        timeout=1800)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    tm = pd.read_csv(workdir / "results/test/table_methods.tsv", sep="\t", comment="#", header=[0, 1],
                     index_col=[0, 1])
    methods = list(dict.fromkeys(c[1] for c in tm.columns))
    assert methods == ["macro", "dstw", "jabba", "kshape", "dtw_kmeans"]
    t2 = pd.read_csv(workdir / "results/test/table2.tsv", sep="\t", comment="#", index_col=0)
    assert set(t2.index) == {"dstw", "jabba", "kshape", "dtw_kmeans"}
    print(t2.to_string())


def test_cluster_rule_streams_the_panel(workdir: Path):
    """`stream: true` fits MixSeq/DTCR from the panel file (max_series rows) and assigns every series in row
    batches: same assignments as the in-memory fit of the same rows; a method without streaming is refused."""
    from conftest import MIRROR

    cfg = yaml.safe_load((workdir / "config/test.yaml").read_text())
    cfg["methods"].update({"mixseq__mem": {"max_series": 40}, "mixseq__stream": {"max_series": 40, "stream": True},
                           "dtcr__stream": {"max_series": 40, "stream": True}})
    (workdir / "config/stream.yaml").write_text(yaml.safe_dump(cfg))
    out = {m: f"results/test/rossmann100/clusters/{m}/k2/seed0/assignments.tsv"
           for m in ("mixseq__mem", "mixseq__stream", "dtcr__stream")}
    res = run_snakemake(workdir, *out.values(), "--configfile", "config/stream.yaml", "--config", f"mirror={MIRROR}")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    tabs = {m: pd.read_csv(workdir / p, sep="\t") for m, p in out.items()}
    assert len(tabs["mixseq__stream"]) == 100 and tabs["dtcr__stream"]["cluster"].nunique() == 2
    pd.testing.assert_frame_equal(tabs["mixseq__stream"], tabs["mixseq__mem"])
    log = workdir / "logs/test/cluster/rossmann100/mixseq__stream/k2/seed0.log"
    assert "streaming 100 series" in log.read_text()
    # a method without streaming: refused by the config check (tests/test_config_check.py)


def _bad_config(workdir: Path, mutate) -> tuple[int, str, Path]:
    cfg = yaml.safe_load((workdir / "config/test.yaml").read_text())
    mutate(cfg)
    path = workdir / "config/bad.yaml"
    path.write_text(yaml.safe_dump(cfg))
    res = run_snakemake(workdir, "--configfile", "config/bad.yaml")
    return res.returncode, res.stdout + res.stderr, workdir / "results"


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda c: c["evaluation"].update(horizon=-1), "['evaluation']['horizon']"),
        (lambda c: c["methods"].update(kmeans_magic={}), "kmeans_magic"),
        (lambda c: c.pop("seeds"), "'seeds' is a required property"),
        (lambda c: c["datasets"]["gp3"].update(n_components=0), "['datasets']['gp3']['n_components']"),
        (lambda c: c["table1"]["columns"].update({"X": "nope"}), "config key 'table1.columns.X'"),
        (lambda c: c["datasets"]["gp3"].update(kind="csvv"), "'csvv' is not one of"),
    ],
)
def test_bad_config_stops_before_any_job(workdir: Path, mutate, needle):
    rc, out, results = _bad_config(workdir, mutate)
    assert rc != 0
    assert needle in out, out[-2000:]
    assert not results.exists() or not any(results.rglob("*.parquet"))


def test_table3_from_mirror(workdir: Path):
    """Full Rossmann and M5 (store x dept) go from the mirror, checksum-verified, through to Table 3."""
    from conftest import MIRROR

    figures = [f"results/test/figures/macro_{ds}.png" for ds in ("rossmann", "m5", "rossmann100")]
    res = run_snakemake(workdir, "results/test/table3.tsv", *figures, "--configfile", "config/test.yaml",
                        "--config", f"mirror={MIRROR}")
    assert res.returncode == 0, res.stderr[-3000:]
    tab = pd.read_csv(workdir / "results/test/table3.tsv", sep="\t", comment="#").set_index("dataset")
    assert tab.loc["rossmann", ["n_series", "length"]].tolist() == [1115, 942]
    assert tab.loc["rossmann", "train_interval"] == "20130101-20141231"
    assert tab.loc["rossmann", "test_interval"] == "20150101-20150731"
    assert tab.loc["m5", ["n_series", "length"]].tolist() == [70, 1941]
    assert tab.loc["m5", "test_interval"] == "20160101-20160522"  # clipped: data end 2016-05-22
    assert "clipped" in tab.loc["m5", "notes"]
    for ds in ("rossmann", "m5"):
        assert (workdir / f"results/test/figures/macro_{ds}.png").stat().st_size > 10_000


def test_corrupt_mirror_file_is_named_and_leaves_nothing(workdir: Path, tmp_path_factory):
    """A truncated mirror file fails the download with a message naming the file; no raw file is left."""
    import gzip

    from conftest import MIRROR

    bad = tmp_path_factory.mktemp("badmirror")
    (bad / "rossmann").mkdir()
    raw = gzip.decompress((MIRROR / "rossmann/store.csv.gz").read_bytes())
    (bad / "rossmann/store.csv").write_bytes(raw[: len(raw) // 2])
    (bad / "rossmann/train.csv.gz").write_bytes((MIRROR / "rossmann/train.csv.gz").read_bytes()[:1000])
    res = run_snakemake(workdir, "resources/rossmann/raw/store.csv", "--configfile", "config/test.yaml",
                        "--config", f"mirror={bad}")
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "store.csv" in out and "sha256" in out
    assert not (workdir / "resources/rossmann/raw/store.csv").exists()


def test_significance_table_pairs_selected_runs_with_macro(full_run: Path):
    """results/test/significance.tsv: one row per (forecaster, method != macro, metric); its `value` and `macro`
    columns equal the selected runs' pooled test scores (one seed), and the figure exists."""
    wd = full_run
    sig = pd.read_csv(wd / "results/test/significance.tsv", sep="\t", comment="#")
    cols = ["dataset", "forecaster", "method", "metric", "macro", "value", "diff", "ci_low", "ci_high", "p_value",
            "p_holm", "n_windows", "n_seeds"]
    assert list(sig.columns[: len(cols)]) == cols
    assert set(sig.method) == {"dtcr", "mixarma", "mixseq"} and set(sig.metric) == {"smape", "r0.5", "r0.9"}
    assert len(sig) == 3 * 6 * 3  # methods x forecasters x metrics
    sel = pd.read_csv(wd / "results/test/realdata_scores.tsv", sep="\t", comment="#")
    for r in sig.itertuples():
        test = sel[(sel.method_base == r.method) & (sel.forecaster_base == r.forecaster)][r.metric].iloc[0]
        base = sel[(sel.method_base == "macro") & (sel.forecaster_base == r.forecaster)][r.metric].iloc[0]
        assert r.value == pytest.approx(test, rel=1e-5) and r.macro == pytest.approx(base, rel=1e-5)
        # the TSV holds 6 significant digits (%.6g)
        assert r.diff == pytest.approx(r.value - r.macro, abs=1e-5 * max(abs(r.value), abs(r.macro)))
        assert r.ci_low <= r.diff <= r.ci_high and 0 <= r.p_value <= r.p_holm <= 1
    assert (sig.n_windows == 7).all() and (sig.n_seeds == 1).all()
    assert (wd / "results/test/figures/significance.png").read_bytes()[:4] == b"\x89PNG"

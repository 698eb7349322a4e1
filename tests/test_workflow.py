"""End-to-end: the workflow on config/test.yaml in a temp copy; bad configs stop before any job."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import run_snakemake

pytestmark = pytest.mark.slow


def test_end_to_end_table1(workdir: Path):
    res = run_snakemake(workdir, "--configfile", "config/test.yaml")
    assert res.returncode == 0, res.stderr[-3000:]
    tab = pd.read_csv(workdir / "results/table1.tsv", sep="\t", index_col=0)
    assert list(tab.index) == ["macro", "clustered"]
    assert list(tab.columns) == ["GP 3", "ARMA 3"]
    # every cell is "mean (sd)" recomputable from the per-run score files
    scores = pd.concat([pd.read_csv(f, sep="\t") for f in (workdir / "results").glob("*/scores/*/*/*/*.tsv")])
    assert len(scores) == 2 * 2 * 2  # datasets x methods x seeds
    for col, ds in (("GP 3", "gp3"), ("ARMA 3", "arma3")):
        for row, method in (("macro", "macro"), ("clustered", "truth")):
            vals = scores[(scores.dataset == ds) & (scores.method == method)]["smape"].to_numpy()
            assert np.all(np.isfinite(vals)) and np.all((vals >= 0) & (vals <= 1))
            assert tab.loc[row, col] == f"{vals.mean():.4f} ({vals.std(ddof=1):.4f})"
    png = workdir / "results/figures/table1_toy.png"
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
    assert (workdir / "logs/forecast/arma3/truth/k3/arma/seed0.log").stat().st_size > 0
    assert (workdir / "benchmarks/forecast/arma3/truth/k3/arma/seed0.tsv").exists()
    # a second run has nothing to do (nothing is recomputed needlessly)
    again = run_snakemake(workdir, "--configfile", "config/test.yaml", "-n")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr


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

    res = run_snakemake(workdir, "--configfile", "config/test.yaml", "--config", f"mirror={MIRROR}",
                        "--until", "table3")
    assert res.returncode == 0, res.stderr[-3000:]
    tab = pd.read_csv(workdir / "results/table3.tsv", sep="\t").set_index("dataset")
    assert tab.loc["rossmann", ["n_series", "length"]].tolist() == [1115, 942]
    assert tab.loc["rossmann", "train_interval"] == "20130101-20141231"
    assert tab.loc["rossmann", "test_interval"] == "20150101-20150731"
    assert tab.loc["m5", ["n_series", "length"]].tolist() == [70, 1941]
    assert tab.loc["m5", "test_interval"] == "20160101-20160522"  # clipped: data end 2016-05-22
    assert "clipped" in tab.loc["m5", "notes"]
    for ds in ("rossmann", "m5"):
        assert (workdir / f"results/figures/macro_{ds}.png").stat().st_size > 10_000


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

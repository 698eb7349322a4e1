"""End-to-end runs of the workflow in a temp copy, each on its own small config: clustering families, streaming,
bad configs stopping before any job, Table 3 from the mirror, a corrupt mirror file. (The full config/test.yaml
run and its checks are in test_workflow.py.)"""

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import run_snakemake

pytestmark = pytest.mark.slow


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

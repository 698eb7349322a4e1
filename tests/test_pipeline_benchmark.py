"""mixseq.report.benchmarks: per-family sums and the critical path from hand-made Snakemake benchmark files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixseq.report.benchmarks import BenchmarkError, collect, critical_path, parse_path, summarise, to_markdown

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def write(root: Path, rel: str, *rows: tuple[float, float, float]) -> None:
    """A Snakemake benchmark file with one row per (wall s, max_rss MB, cpu s)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{s}\t0:00:{int(s):02d}\t{rss}\t900.0\t100.0\t110.0\t0.5\t0.1\t50.0\t{cpu}\n"
                   for s, rss, cpu in rows)
    path.write_text(HEADER + body)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """Real data (download x2 -> preprocess -> cluster -> forecast val/test) and a synthetic panel chain."""
    b = tmp_path / "benchmarks" / "r"
    write(b, "download/ross/train.csv.tsv", (3.0, 50.0, 1.0))
    write(b, "download/ross/store.csv.tsv", (1.0, 40.0, 0.5))
    write(b, "preprocess/ross.tsv", (10.0, 800.0, 9.0))
    write(b, "cluster/ross/mixseq/k5/seed0.tsv", (100.0, 400.0, 95.0))
    write(b, "cluster/ross/macro/k1/seed0.tsv", (2.0, 300.0, 1.5))
    write(b, "forecast/ross/mixseq/k5/arma/seed0.tsv", (20.0, 350.0, 19.0))
    write(b, "forecast/ross/mixseq/k5/arma/seed0.val.tsv", (5.0, 350.0, 4.0))
    write(b, "forecast/ross/macro/k1/deepar/seed0.tsv", (200.0, 500.0, 190.0))  # long, but after a short cluster
    write(b, "synthetic_panel/gp3/seed1.tsv", (1.0, 200.0, 0.9))
    write(b, "cluster/gp3/truth/k3/seed1.tsv", (0.5, 210.0, 0.4))
    write(b, "forecast/gp3/truth/k3/gp/seed1.tsv", (60.0, 220.0, 58.0))
    return b


def test_parse_path_reads_the_wildcards() -> None:
    assert parse_path("forecast/ross/mixseq__lr3/k5/arma/seed2.val.tsv") == (
        "forecast", {"dataset": "ross", "method": "mixseq__lr3", "K": "5", "forecaster": "arma", "seed": "2",
                     "split": ".val"})
    assert parse_path("download/m5/calendar.csv.gz.tsv") == ("download", {"dataset": "m5", "file": "calendar.csv.gz"})
    assert parse_path("deepar_base.tsv") == ("deepar_base", {})
    with pytest.raises(BenchmarkError, match="not the benchmark path of a rule"):
        parse_path("table1.tsv")


def test_summary_per_family_and_critical_path(run_dir: Path) -> None:
    jobs = collect(run_dir)
    table, chain = summarise(jobs)
    t = table.set_index("family")
    assert list(table.family) == ["download", "preprocess", "synthetic_panel", "cluster", "forecast", "all"]
    assert t.loc["forecast", "n_jobs"] == 4 and t.loc["forecast", "wall_s"] == pytest.approx(285.0)
    assert t.loc["cluster", "cpu_s"] == pytest.approx(96.9) and t.loc["cluster", "max_rss_mb"] == 400.0
    assert t.loc["all", "n_jobs"] == 11 and t.loc["all", "max_rss_mb"] == 800.0
    # longest chain: train.csv 3 -> preprocess 10 -> macro cluster 2 -> deepar forecast 200 = 215
    # (not the mixseq chain 3 + 10 + 100 + 20 = 133, nor the synthetic one 61.5)
    assert [j.path for j in chain] == ["download/ross/train.csv.tsv", "preprocess/ross.tsv",
                                       "cluster/ross/macro/k1/seed0.tsv", "forecast/ross/macro/k1/deepar/seed0.tsv"]
    assert t.loc["all", "critical_path_s"] == pytest.approx(215.0)
    assert t.loc["cluster", "critical_path_s"] == pytest.approx(2.0)
    assert t.loc["synthetic_panel", "critical_path_s"] == 0.0
    md = to_markdown(table, chain, "r")
    assert "| forecast | 4 | 285.0 |" in md and "Critical path (215.0 s)" in md


def test_critical_path_follows_the_dependencies_only(run_dir: Path) -> None:
    # a forecast of another clustering run (seed) does not chain onto the seed-0 clustering
    write(run_dir, "forecast/ross/mixseq/k5/arma/seed1.tsv", (500.0, 1.0, 1.0))
    length, chain = critical_path(collect(run_dir))
    assert length == pytest.approx(500.0) and [j.path for j in chain] == ["forecast/ross/mixseq/k5/arma/seed1.tsv"]
    # a future job waits for every forecast of its dataset
    write(run_dir, "future/ross.tsv", (7.0, 1.0, 1.0))
    length, chain = critical_path(collect(run_dir))
    assert length == pytest.approx(507.0) and chain[-1].path == "future/ross.tsv"


def test_repeats_are_averaged_and_na_rss_is_missing(tmp_path: Path) -> None:
    write(tmp_path, "deepar_base.tsv", (10.0, 100.0, 8.0), (20.0, 300.0, 12.0))
    (tmp_path / "table2/deepar/c3/mixseq").mkdir(parents=True)
    na_row = "4.0\t0:00:04" + "\tNA" * 8 + "\n"
    (tmp_path / "table2/deepar/c3/mixseq/seed0.tsv").write_text(HEADER + na_row)
    table, chain = summarise(collect(tmp_path))
    t = table.set_index("family")
    assert t.loc["deepar_base", "wall_s"] == 15.0 and t.loc["deepar_base", "max_rss_mb"] == 300.0
    assert pd.isna(t.loc["table2", "max_rss_mb"]) and t.loc["all", "cpu_s"] == 10.0
    assert t.loc["all", "critical_path_s"] == 19.0 and [j.family for j in chain] == ["deepar_base", "table2"]


def test_bad_files_name_file_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "preprocess/ross.tsv"
    bad.parent.mkdir(parents=True)
    bad.write_text("s\tmax_rss\n1.0\t2.0\n")
    with pytest.raises(BenchmarkError, match=r"preprocess/ross.tsv: column\(s\) \['cpu_time'\] missing"):
        collect(tmp_path)
    bad.write_text(HEADER + "abc\t0:00:01\t1\t1\t1\t1\t1\t1\t1\t1\n")
    with pytest.raises(BenchmarkError, match="column 's' row 1: 'abc' is not a number"):
        collect(tmp_path)
    bad.write_text(HEADER)
    with pytest.raises(BenchmarkError, match="no rows"):
        collect(tmp_path)
    with pytest.raises(BenchmarkError, match="no benchmark folder"):
        collect(tmp_path / "absent")
    with pytest.raises(BenchmarkError, match="nothing to summarise"):
        summarise([])

"""Results always match the config and the data: config stamps, raw-file checksums, fixed output sets, run names.

The end-to-end tests share one finished run of a tiny custom dataset (6 series x 120 days from a CSV in a mirror
inside the working directory; Table 4/5 with macro and MixARMA + seasonal naive, Table 3, Figure 1). Each test
copies that working directory (mtimes and `.snakemake/` kept), changes one thing and runs Snakemake again.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SHOP_BASE, run_snakemake, shop_workdir

from mixseq import provenance

RUN = "prov"
RES = Path("results") / RUN
RAW = Path("resources/shop/raw/shop.csv")
CONFIG = {
    **SHOP_BASE,
    "run": RUN,
    "targets": ["table3", "table4", "table5", "sensitivity"],
    "seeds": [0],
    "evaluation": {"horizon": 7, "stride": 7, "refit_every": 1},
    "forecasters": {"seasonal_naive": {}},
    "realdata": {"datasets": ["shop"], "methods": ["macro", "mixarma"], "forecasters": ["seasonal_naive"],
                 "k": [2], "selection_metric": "r0.5", "validation": "always"},
    "sensitivity_k": {"method": "mixarma", "forecaster": "seasonal_naive"},
}


def write_config(wd: Path, cfg: dict, name: str = "prov.yaml") -> str:
    (wd / "config" / name).write_text(yaml.safe_dump(cfg))
    return f"config/{name}"


def smk(wd: Path, cfg: str = "config/prov.yaml", *args: str):
    res = run_snakemake(wd, "--configfile", cfg, *args)
    return res.returncode, res.stdout + res.stderr


def header(path: Path) -> dict:
    return provenance.read_header(path)


def mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def ran(out: str) -> set[str]:
    """Rules that ran (Snakemake prints `rule <name>:` for each job it starts)."""
    return {line.split()[1].rstrip(":") for line in out.splitlines() if line.startswith(("rule ", "localrule "))}


def forecast_splits(out: str) -> set[str]:
    """Splits of the forecast jobs that ran (rule forecast writes `seed<n>.parquet` or `seed<n>.val.parquet`)."""
    files = [f.strip() for line in out.splitlines() if line.strip().startswith("output:")
             for f in line.split(":", 1)[1].split(",")]
    return {"val" if f.endswith(".val.parquet") else "test" for f in files if "/forecasts/" in f}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    wd = shop_workdir(tmp_path_factory.mktemp("prov_ref"))
    write_config(wd, CONFIG)
    rc, out = smk(wd)
    assert rc == 0, out[-3000:]
    return wd


@pytest.fixture
def wd(reference: Path, tmp_path: Path) -> Path:
    """A copy of the finished reference run (mtimes and Snakemake metadata kept)."""
    dest = tmp_path / "wd"
    shutil.copytree(reference, dest, symlinks=True)
    return dest


# ----------------------------------------------------------------------------- unit tests (fast)
def test_stamp_rewritten_only_when_content_changes(tmp_path: Path) -> None:
    path = tmp_path / "s/x.json"
    provenance.write_stamp(path, {"b": 1, "a": [1, 2]})
    os.utime(path, ns=(1, 1))
    provenance.write_stamp(path, {"a": [1, 2], "b": 1})  # same content, other key order: untouched
    assert path.stat().st_mtime_ns == 1
    assert json.loads(path.read_text()) == {"a": [1, 2], "b": 1}
    provenance.write_stamp(path, {"a": [1, 2], "b": 2})
    assert path.stat().st_mtime_ns > 1 and json.loads(path.read_text())["b"] == 2
    assert provenance.fingerprint({"b": 1, "a": 2}) == provenance.fingerprint({"a": 2, "b": 1})
    assert provenance.fingerprint({"a": 1}) != provenance.fingerprint({"a": 2})


def test_cached_file_sha256(tmp_path: Path) -> None:
    f, cache = tmp_path / "a.csv", tmp_path / "c" / "h.json"
    f.write_text("x,1\n")
    h1 = provenance.cached_file_sha256(f, cache)
    assert h1 == provenance.file_sha256(f)
    entries = json.loads(cache.read_text())
    assert entries[str(f.resolve())]["sha256"] == h1
    # same token: served from the cache, even if the cache is made to say otherwise
    entries[str(f.resolve())]["sha256"] = "cached"
    cache.write_text(json.dumps(entries))
    assert provenance.cached_file_sha256(f, cache) == "cached"
    # edited in place (size/mtime change): hashed anew
    f.write_text("x,22\n")
    assert provenance.cached_file_sha256(f, cache) == provenance.file_sha256(f) != h1
    cache.write_text("not json")
    assert provenance.cached_file_sha256(f, cache) == provenance.file_sha256(f)


def test_verify_raw_files_names_file_and_hashes(tmp_path: Path) -> None:
    raw = tmp_path / "x.csv"
    raw.write_text("id,date,value\na,2021-01-01,1\na,2021-01-02,2\n")
    good = provenance.file_sha256(raw)
    provenance.write_sidecar(raw, good)
    provenance.verify_raw_files([raw])  # recorded hash matches
    provenance.verify_raw_files([raw], {"x.csv": good})  # configured hash matches
    raw.write_text("id,date,value\na,2021-01-01,1\n")  # truncated at a line boundary
    bad = provenance.file_sha256(raw)
    for expected in (None, {"x.csv": good}):
        with pytest.raises(provenance.DataIntegrityError) as err:
            provenance.verify_raw_files([raw], expected)
        assert str(raw) in str(err.value) and good in str(err.value) and bad in str(err.value)


def test_table_header_roundtrip(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2]})
    line = provenance.header_line("0123456789ab", {"shop": "abcdefabcdef"})
    provenance.write_tsv(df, tmp_path / "t.tsv", line, index=False)
    provenance.write_md("| a |\n", tmp_path / "t.md", line)
    for f in ("t.tsv", "t.md"):
        assert header(tmp_path / f) == {"config": "0123456789ab", "data": {"shop": "abcdefabcdef"}}
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "t.tsv", sep="\t", comment="#"), df)


# ----------------------------------------------------------------------------- workflow scenarios (slow)
@pytest.mark.slow
def test_tables_carry_config_fingerprint_and_data_hash(reference: Path) -> None:
    want = provenance.data_hash([reference / "resources/shop/raw/shop.csv.sha256"])
    assert (reference / "resources/shop/raw/shop.csv.sha256").read_text().split()[0] == provenance.file_sha256(
        reference / RAW)
    heads = [header(reference / RES / f) for f in ("table3.tsv", "table4.tsv", "table4.md", "table5.tsv",
                                                   "table5.md", "selection.tsv", "table_methods.md",
                                                   "paper_comparison.tsv")]
    assert all(h["data"] == {"shop": want} for h in heads)
    assert len({h["config"] for h in heads[1:]}) == 1 and len(heads[1]["config"]) == 12
    t4 = pd.read_csv(reference / RES / "table4.tsv", sep="\t", comment="#", index_col=[0, 1])
    assert list(t4.columns) == ["macro", "mixarma"]
    # every selected clustering's non-empty clusters and sizes, read from its assignments.tsv
    sel = pd.read_csv(reference / RES / "selection.tsv", sep="\t", comment="#")
    for r in sel.itertuples():
        labels = pd.read_csv(reference / RES / f"shop/clusters/{r.method}/k{r.k}/seed{r.seed}/assignments.tsv",
                             sep="\t")["cluster"]
        assert r.n_nonempty == labels.nunique() and r.collapsed == (labels.nunique() < r.k)
        sizes = sorted(labels.value_counts(), reverse=True) + [0] * (r.k - r.n_nonempty)
        assert str(r.sizes) == "/".join(str(n) for n in sizes)
    cells = pd.read_csv(reference / RES / "table_cells.tsv", sep="\t", comment="#")
    assert header(reference / RES / "table_cells.tsv") == heads[1]
    assert set(cells.method) == {"macro", "mixarma"} and set(cells.metric) == {"smape", "r0.5", "r0.9"}
    sig = pd.read_csv(reference / RES / "significance.tsv", sep="\t", comment="#")
    got = cells.merge(sig, on=["dataset", "forecaster", "method", "metric"], suffixes=("", "_sig"))
    assert len(got) == 3 and np.allclose(got.p_holm, got.p_holm_sig, equal_nan=True)
    assert "Holm-adjusted p < 0.05" in (reference / RES / "table4.md").read_text()


@pytest.mark.slow
def test_renamed_and_added_dataset_rebuild_the_tables(wd: Path) -> None:
    """The issue's case: a dataset renamed (then one added) in the config; never 'Nothing to be done'."""
    cfg = json.loads(json.dumps(CONFIG))
    cfg["datasets"] = {"shop2": cfg["datasets"]["shop"]}
    cfg["realdata"]["datasets"] = ["shop2"]
    before = header(wd / RES / "table4.tsv")
    rc, out = smk(wd, write_config(wd, cfg, "renamed.yaml"))
    assert rc == 0, out[-3000:]
    t4 = pd.read_csv(wd / RES / "table4.tsv", sep="\t", comment="#", index_col=[0, 1])
    assert list(t4.index.get_level_values(0)) == ["shop2"]
    after = header(wd / RES / "table4.tsv")
    assert set(after["data"]) == {"shop2"} and after["config"] != before["config"]
    assert (wd / RES / "figures/sensitivity_k_shop2.png").exists()
    assert (wd / RES / "figures/macro_shop2.png").exists()

    cfg["datasets"]["shop"] = CONFIG["datasets"]["shop"]  # add the old one back as a second dataset
    cfg["realdata"]["datasets"] = ["shop2", "shop"]
    rc, out = smk(wd, write_config(wd, cfg, "added.yaml"))
    assert rc == 0, out[-3000:]
    assert {"realdata_tables", "table3"} <= ran(out)
    t4 = pd.read_csv(wd / RES / "table4.tsv", sep="\t", comment="#", index_col=[0, 1])
    assert list(t4.index.get_level_values(0)) == ["shop2", "shop"]
    t3 = pd.read_csv(wd / RES / "table3.tsv", sep="\t", comment="#")
    assert sorted(t3.dataset) == ["shop", "shop2"]


@pytest.mark.slow
def test_mirror_file_edited_in_place_is_fetched_again(wd: Path) -> None:
    before = header(wd / RES / "table4.tsv")
    src = wd / "mirror/shop.csv"
    lines = src.read_text().splitlines()
    lines[-1] = ",".join(lines[-1].split(",")[:2] + ["999"])
    src.write_text("\n".join(lines) + "\n")
    rc, out = smk(wd)
    assert rc == 0, out[-3000:]
    assert {"download", "preprocess", "realdata_tables"} <= ran(out)
    assert (wd / RAW).read_text() == src.read_text()
    after = header(wd / RES / "table4.tsv")
    assert after["data"]["shop"] != before["data"]["shop"] and after["config"] == before["config"]


@pytest.mark.slow
def test_mirror_copied_again_with_same_bytes_recomputes_nothing(wd: Path) -> None:
    """A mirror unpacked or copied again (same bytes, new mtimes) is not new data: nothing reruns."""
    src = wd / "mirror/shop.csv"
    copy = src.with_suffix(".tmp")
    shutil.copyfile(src, copy)  # a fresh copy: new inode, new mtime
    future = time.time() + 3600
    os.utime(copy, (future, future))
    copy.replace(src)
    rc, out = smk(wd, "config/prov.yaml", "-n")
    assert rc == 0 and "Nothing to be done" in out, out[-3000:]


@pytest.mark.slow
def test_pipeline_benchmark_reruns_no_job(wd: Path) -> None:
    """The summary of the benchmark files runs alone, even when a config change has made every forecast outdated;
    asked again with nothing new, it is up to date."""
    cfg = json.loads(json.dumps(CONFIG))
    cfg["evaluation"]["stride"] = 5
    name = write_config(wd, cfg, "stride5.yaml")
    rc, out = smk(wd, name, "--", "pipeline_benchmark")  # after `--`: a target, not a second config file
    assert rc == 0, out[-3000:]
    assert ran(out) == {"pipeline_benchmark"}
    table = pd.read_csv(wd / RES / "benchmarks/pipeline.tsv", sep="\t", comment="#")
    assert "forecast" in set(table.iloc[:, 0])
    rc, out = smk(wd, name, "-n", "--", "pipeline_benchmark")
    assert rc == 0 and "Nothing to be done" in out, out[-3000:]


@pytest.mark.parametrize("hash_source", ["recorded", "configured"])
@pytest.mark.slow
def test_raw_copy_corrupted_after_run_stops_naming_file(wd: Path, hash_source: str) -> None:
    good = provenance.file_sha256(wd / RAW)
    cfg = "config/prov.yaml"
    if hash_source == "configured":
        conf = json.loads(json.dumps(CONFIG))
        conf["datasets"]["shop"]["sha256"] = {"shop.csv": good}
        cfg = write_config(wd, conf, "sha.yaml")
        rc, out = smk(wd, cfg)  # the checksum is new config: a rebuild, which verifies the intact copy
        assert rc == 0, out[-3000:]
    lines = (wd / RAW).read_text().splitlines(keepends=True)
    (wd / RAW).write_text("".join(lines[: len(lines) // 2]))  # truncated at a line boundary
    bad = provenance.file_sha256(wd / RAW)
    rc, out = smk(wd, cfg)
    assert rc != 0
    assert f"raw file {RAW} changed since it was fetched" in out
    assert f"expected sha256 {good}" in out and f"actual {bad}" in out
    assert not (wd / RES / "shop/panel.parquet").exists()


@pytest.mark.slow
def test_deleted_intermediates_are_rebuilt_with_downstream(wd: Path) -> None:
    table4 = (wd / RES / "table4.tsv").stat().st_mtime_ns
    (wd / RES / "shop/panel.parquet").unlink()
    (wd / RES / "shop/clusters/mixarma/k2/seed0/assignments.tsv").unlink()
    rc, out = smk(wd)
    assert rc == 0, out[-3000:]
    assert {"preprocess", "cluster", "forecast", "realdata_tables"} <= ran(out)
    assert forecast_splits(out) == {"test", "val"}
    assert (wd / RES / "shop/panel.parquet").exists()
    assert (wd / RES / "shop/clusters/mixarma/k2/seed0/assignments.tsv").exists()
    assert (wd / RES / "table4.tsv").stat().st_mtime_ns > table4


@pytest.mark.slow
def test_validation_auto_skips_runs_with_nothing_to_select(wd: Path) -> None:
    """realdata.validation: auto on the finished run (one K per method, no `future`): only the tables are
    rebuilt, from the test runs alone, with the same numbers; no forecast runs. Back to `always`, the
    validation files are still there and up to date: again only the tables. With `future` in targets, `auto`
    plans the validation runs again (future selects on them)."""
    t4 = pd.read_csv(wd / RES / "table4.tsv", sep="\t", comment="#")
    forecasts = {p: t for p, t in mtimes(wd / RES).items() if "/forecasts/" in p}
    cfg = json.loads(json.dumps(CONFIG))
    cfg["realdata"]["validation"] = "auto"
    rc, out = smk(wd, write_config(wd, cfg, "auto.yaml"))
    assert rc == 0, out[-3000:]
    assert "realdata_tables" in ran(out) and "forecast" not in ran(out) and "cluster" not in ran(out)
    pd.testing.assert_frame_equal(pd.read_csv(wd / RES / "table4.tsv", sep="\t", comment="#"), t4)
    sel = pd.read_csv(wd / RES / "selection.tsv", sep="\t", comment="#")
    assert sel["val_r0.5"].isna().all() and len(sel) == 2
    assert {p: t for p, t in mtimes(wd / RES).items() if "/forecasts/" in p} == forecasts
    rc, out = smk(wd, "config/auto.yaml", "-n")
    assert rc == 0 and "Nothing to be done" in out, out[-3000:]
    rc, out = smk(wd)  # back to always: the validation runs were kept and are current
    assert rc == 0, out[-3000:]
    assert "realdata_tables" in ran(out) and "forecast" not in ran(out)
    assert pd.read_csv(wd / RES / "selection.tsv", sep="\t", comment="#")["val_r0.5"].notna().all()
    # a fresh run dir with auto: no validation forecasts unless `future` selects on them
    cfg["run"] = "auto"
    rc, out = smk(wd, write_config(wd, cfg, "auto.yaml"), "-n")
    assert rc == 0 and forecast_splits(out) == {"test"}, out[-3000:]
    cfg["targets"] = [*cfg["targets"], "future"]
    rc, out = smk(wd, write_config(wd, cfg, "auto.yaml"), "-n")
    assert rc == 0 and forecast_splits(out) == {"test", "val"}, out[-3000:]


@pytest.mark.slow
def test_config_change_without_snakemake_metadata_rebuilds(wd: Path) -> None:
    shutil.rmtree(wd / ".snakemake")
    rc, out = smk(wd, "config/prov.yaml", "-n")  # unchanged config: the stamps alone trigger nothing
    assert rc == 0 and "Nothing to be done" in out, out[-3000:]
    before = header(wd / RES / "table4.tsv")
    t5 = (wd / RES / "table5.tsv").stat().st_mtime_ns
    cfg = json.loads(json.dumps(CONFIG))
    cfg["evaluation"]["stride"] = 5
    rc, out = smk(wd, write_config(wd, cfg))
    assert rc == 0, out[-3000:]
    assert {"forecast", "realdata_tables"} <= ran(out)
    assert forecast_splits(out) == {"test", "val"}
    assert "cluster" not in ran(out) and "preprocess" not in ran(out)  # upstream of the change: kept
    assert header(wd / RES / "table4.tsv")["config"] != before["config"]
    assert (wd / RES / "table5.tsv").stat().st_mtime_ns > t5
    # runtime-only keys (device) are not part of any stamp: nothing to do
    rc, out = smk(wd, "config/prov.yaml", "-n", "--config", "device=auto")
    assert rc == 0 and "Nothing to be done" in out, out[-3000:]


@pytest.mark.slow
def test_two_runs_do_not_touch_each_other(wd: Path) -> None:
    before = mtimes(wd / RES)
    rc, out = smk(wd, "config/prov.yaml", "--config", "run=other", "targets=[table3]")
    assert rc == 0, out[-3000:]
    assert (wd / "results/other/table3.tsv").exists() and (wd / "results/other/figures/macro_shop.png").exists()
    assert (wd / "logs/other/preprocess/shop.log").exists()
    assert "download" not in ran(out)  # the shared raw copy is up to date
    assert mtimes(wd / RES) == before
    time.sleep(0.01)
    rc, out = smk(wd, "config/prov.yaml", "-n")
    assert rc == 0 and "Nothing to be done" in out, out[-3000:]


@pytest.mark.slow
def test_natural_groups_file_is_an_input_of_its_clustering(wd: Path) -> None:
    """`groups_file: "{raw}/..."` is a raw file of the dataset (fetched from the mirror into resources/<ds>/raw, as
    Rossmann's store.csv): the clustering waits for it, and editing it in the mirror reruns the clustering."""
    groups = wd / "mirror/groups.csv"
    groups.write_text("id,kind\n" + "".join(f"s{i},{'a' if i < 3 else 'b'}\n" for i in range(6)))
    cfg = json.loads(json.dumps(CONFIG))
    cfg["methods"] = {"natural": {"groups_file": "{raw}/groups.csv", "columns": ["kind"]}}
    cfg["realdata"]["methods"] = ["macro", "mixarma", "natural"]
    name = write_config(wd, cfg, "natural.yaml")
    rc, out = smk(wd, name)
    assert rc == 0, out[-3000:]
    assign = wd / RES / "shop/clusters/natural/k2/seed0/assignments.tsv"
    first = pd.read_csv(assign, sep="\t", comment="#")
    assert first.groupby("cluster").size().tolist() == [3, 3]

    rc, out = smk(wd, name)
    assert rc == 0 and "cluster" not in ran(out), out[-3000:]   # nothing changed: nothing reruns

    groups.write_text("id,kind\n" + "".join(f"s{i},{'a' if i < 1 else 'b'}\n" for i in range(6)))
    rc, out = smk(wd, name)
    assert rc == 0, out[-3000:]
    assert {"download", "cluster", "forecast", "realdata_tables"} <= ran(out)
    again = pd.read_csv(assign, sep="\t", comment="#")
    assert again.groupby("cluster").size().tolist() == [1, 5]

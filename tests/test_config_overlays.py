"""config/paper_cpu.yaml and config/table2_paper_size.yaml are overlays: merged by Snakemake over
config/config.yaml they resolve to exactly the full configurations they replaced (tests/data/*_resolved.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from snakemake.settings.types import ConfigSettings

from mixseq.data.sources import expected_sha256

REPO = Path(__file__).resolve().parents[1]


def resolved(*files: str) -> dict:
    """The config Snakemake builds from `--configfile <files...>` (its own merge, in order), with each dataset's
    `sha256` resolved as the workflow does (catalogue of known raw files, overridden by the config)."""
    cfg = ConfigSettings(configfiles=[REPO / f for f in files]).overwrite_config
    for ds in cfg["datasets"].values():
        if sha := expected_sha256(ds["kind"], ds.get("sha256")):
            ds["sha256"] = sha
    return cfg


def leaves(cfg: object, path: str = "") -> dict[str, object]:
    """{dotted key: value} of every leaf, to name the keys that differ."""
    if isinstance(cfg, dict):
        out: dict[str, object] = {}
        for key, value in cfg.items():
            out.update(leaves(value, f"{path}.{key}" if path else str(key)))
        return out
    return {path: cfg}


@pytest.mark.parametrize(
    ("files", "fixture"),
    [
        (("config/config.yaml", "config/paper_cpu.yaml"), "paper_cpu_resolved.yaml"),
        (("config/config.yaml", "config/paper_cpu.yaml", "config/table2_paper_size.yaml"),
         "table2_paper_size_resolved.yaml"),
    ],
)
def test_overlay_resolves_to_the_full_config(files: tuple[str, ...], fixture: str) -> None:
    expected = yaml.safe_load((REPO / "tests/data" / fixture).read_text())
    got = resolved(*files)
    want, have = leaves(expected), leaves(got)
    differ = {k: (want.get(k, "<absent>"), have.get(k, "<absent>")) for k in want.keys() | have.keys()
              if want.get(k, "<absent>") != have.get(k, "<absent>")}
    assert not differ, f"{' + '.join(files)} differs from tests/data/{fixture}: {differ}"
    assert got == expected  # key order aside, nothing else (e.g. an empty mapping) differs


def test_overlay_states_only_changes() -> None:
    """Every leaf of the overlay differs from config/config.yaml (a repeated value would be a second source)."""
    base = leaves(resolved("config/config.yaml"))
    overlay = leaves(yaml.safe_load((REPO / "config/paper_cpu.yaml").read_text()))
    same = sorted(k for k, v in overlay.items() if k in base and base[k] == v)
    assert not same, f"config/paper_cpu.yaml repeats values of config/config.yaml: {same}"


def test_answer_overlay_runs_natural_at_its_group_count(workdir: Path) -> None:
    """config/answer.yaml: `realdata.k_per_method` gives `natural` K = 4 store types on Rossmann and K = 10 stores
    on M5 while the other methods use `realdata.k`; every clustering runs for each of the 3 seeds."""
    import re

    from conftest import MIRROR, run_snakemake

    res = run_snakemake(workdir, "-n", "--configfile", "config/config.yaml", "config/paper_cpu.yaml",
                        "config/answer.yaml", "--config", f"mirror={MIRROR}")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    runs = set(re.findall(r"results/answer/(\w+)/clusters/(\w+)/k(\d+)/seed(\d)/assignments.tsv", res.stdout))
    ks = {(ds, m): {int(k) for d, mm, k, _ in runs if (d, mm) == (ds, m)} for ds, m, _, _ in runs}
    assert ks[("rossmann", "natural")] == {4} and ks[("m5", "natural")] == {10}
    assert ks[("rossmann", "mixseq")] == {5} and ks[("m5", "random")] == {5} and ks[("rossmann", "macro")] == {1}
    assert {s for *_, s in runs} == {"0", "1", "2"}
    assert "rossmann/clusters/natural" in res.stdout and "resources/rossmann/raw/store.csv" in res.stdout

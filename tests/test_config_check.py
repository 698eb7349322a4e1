"""check_config (mixseq.config_check): every check names the key and what was expected."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from mixseq.config_check import ConfigError, check_config, preprocess_options

REPO = Path(__file__).resolve().parents[1]
BASE = yaml.safe_load((REPO / "config/test.yaml").read_text())


def _cfg(mutate) -> dict:
    cfg = copy.deepcopy(BASE)
    mutate(cfg)
    return cfg


def test_shipped_configs_pass():
    for name in ("config.yaml", "test.yaml", "demo.yaml"):
        check_config(yaml.safe_load((REPO / "config" / name).read_text()))
    # overlays: as Snakemake merges `--configfile config/config.yaml config/paper_cpu.yaml [...]`
    from snakemake.settings.types import ConfigSettings

    for overlays in (["paper_cpu.yaml"], ["paper_cpu.yaml", "table2_paper_size.yaml"],
                     ["paper_cpu.yaml", "paper_literal.yaml"], ["paper_cpu.yaml", "answer.yaml"]):
        files = [REPO / "config" / f for f in ["config.yaml", *overlays]]
        check_config(ConfigSettings(configfiles=files).overwrite_config)


def _custom(c, **opts):
    c["datasets"]["mine"] = {"kind": "custom", "options": {"train_end": "2015-03-31", **opts}}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c["methods"]["mixseq"].update(lrr=1),
         "config key 'methods.mixseq.lrr': unknown option of method 'mixseq'; expected one of ["),
        (lambda c: c["methods"]["mixseq"].update(epochs="ten"),
         "config key 'methods.mixseq.epochs': expected an integer, got 'ten'"),
        (lambda c: c["methods"].update(dstw={"base_sise": 30}),
         "config key 'methods.dstw.base_sise': unknown option of method 'dstw'; expected one of ['base_size'"),
        (lambda c: c["methods"].update(jabba={"tol": "x"}), "config key 'methods.jabba.tol': expected a number"),
        (lambda c: c["methods"].update(kshape={"maxlength": 3}), "config key 'methods.kshape.maxlength'"),
        (lambda c: c["methods"].update(mixarma__s={"stream": True}),
         "config key 'methods.mixarma__s.stream': expected false: streaming is implemented for"),
        (lambda c: c["forecasters"]["arma"].update(order=3),
         "config key 'forecasters.arma.order': expected a list of 3 items (an integer, an integer, an integer), "
         "got 3"),
        (lambda c: c["forecasters"]["gp"].update(time_stp=1), "config key 'forecasters.gp.time_stp': unknown option"),
        (lambda c: c["forecasters"].update(dstw_rules={"windw": 3}), "config key 'forecasters.dstw_rules.windw'"),
        (lambda c: c["forecasters"]["prophet"].update(growth="cubic"),
         "config key 'forecasters.prophet.growth': expected one of ['linear', 'logistic', 'flat'], got 'cubic'"),
        (lambda c: c["datasets"]["rossmann"]["options"].update(missing_store="drop"),
         "config key 'datasets.rossmann.options.missing_store': unknown option of dataset kind 'rossmann'"),
        (lambda c: c["datasets"]["gp3"]["options"].update(n_per_comp=3),
         "config key 'datasets.gp3.options.n_per_comp': unknown option of dataset kind 'synthetic_gp'"),
        (lambda c: c["datasets"]["rossmann"].update(methods={"mixseq": {"epoch": 3}}),
         "config key 'datasets.rossmann.methods.mixseq.epoch': unknown option"),
        (lambda c: c["datasets"]["rossmann"].update(forecasters={"arma": {"order": "2,0,0"}}),
         "config key 'datasets.rossmann.forecasters.arma.order': expected a list of 3 items"),
        (lambda c: c["table2"]["method_options"].update(mixseq={"lr": "fast"}),
         "config key 'table2.method_options.mixseq.lr': expected a number, got 'fast'"),
        (lambda c: c["table2"]["data_options"].update(n_per_clust=4),
         "config key 'table2.data_options.n_per_clust': unknown option"),
        (lambda c: c["sensitivity_synthetic"]["options"].update(horizn=4),
         "config key 'sensitivity_synthetic.options.horizn': unknown option"),
        (lambda c: c["sensitivity_synthetic"]["options"].update(horizon=50, test_steps=20),
         "config key 'sensitivity_synthetic.options.horizon': expected at most test_steps (20), got 50"),
        (lambda c: c["realdata"].update(selection_metric="r0.9") or c.update(quantiles=[0.5, 0.8]),
         "config key 'quantiles': expected a list containing 0.9 because realdata.selection_metric is 'r0.9'"),
        (lambda c: c.update(quantiles=[0.5]), "config key 'quantiles': expected at least two quantiles including 0.5"),
        (lambda c: c.update(quantiles=[0.8, 0.9]) or c["realdata"].update(selection_metric="smape"),
         "config key 'quantiles': expected at least two quantiles including 0.5"),
        (lambda c: c["realdata"].update(datasets=["rossmann"], k=[2, 2000]),
         "config key 'realdata.k / sensitivity_k.k.rossmann / convergence.k': expected K <= 1115"),
        (lambda c: c["datasets"]["m5"]["options"].update(level="store_dept") or c["realdata"].update(
            datasets=["m5"], k=[80]), "expected K <= 70, the number of series of dataset 'm5'"),
        (lambda c: c["evaluation"].update(horizon=41),
         "config key 'evaluation.horizon': expected at most the 40 test days of dataset 'gp3' (options.test_steps)"),
        (lambda c: c["datasets"]["rossmann"].update(evaluation={"horizon": 400}),
         "config key 'datasets.rossmann.evaluation.horizon': expected at most the 212 days of the test interval of "
         "dataset 'rossmann' (2015-01-01..2015-07-31), got 400"),
        (lambda c: _custom(c, test_end="2015-04-05"),
         "config key 'evaluation.horizon': expected at most the 5 days of the test interval of dataset 'mine'"),
        (lambda c: c["datasets"].update({"my data": c["datasets"]["gp3"]}),
         "config key 'datasets.my data': expected a dataset name of letters, digits, '_' and '-' only"),
        (lambda c: _custom(c, file="../../x.csv"),
         "config key 'datasets.mine.options.file': expected a plain file name (no '/' or '..'"),
        (lambda c: _custom(c, file="sub/x.csv"), "config key 'datasets.mine.options.file': expected a plain file"),
        (lambda c: c["datasets"]["rossmann"]["options"].update(train_file=".."),
         "config key 'datasets.rossmann.options.train_file': expected a plain file name"),
        (lambda c: _custom(c, train_end=20150331),
         "config key 'datasets.mine.options.train_end': expected a string, got 20150331"),
        (lambda c: _custom(c, test_start="31/03/2015"),
         "config key 'datasets.mine.options.test_start': expected a date string YYYY-MM-DD (or "
         "YYYY-MM-DDTHH:MM for hourly data), got '31/03/2015'"),
        (lambda c: c["realdata"].update(datasets=["mine"]) or _custom(c, min_series=1),
         "config key 'datasets.mine.options.min_series': expected at least the largest K requested for 'mine'"),
        (lambda c: c.update(mirror="/nonexistent/mirror"),
         "config key 'mirror': expected an existing directory (not found: /nonexistent/mirror)"),
        (lambda c: c.update(mirror="https://example.org/m"),
         "config key 'mirror': expected a local directory or a file:// URL"),
        (lambda c: c["realdata"].update(k_per_method={"kshape": {"rossmann100": [2]}}),
         "config key 'realdata.k_per_method.kshape': expected a method of realdata.methods ["),
        (lambda c: c["realdata"].update(k_per_method={"natural": {"wiki": [2]}}),
         "config key 'realdata.k_per_method.natural.wiki': expected a dataset of realdata.datasets ['rossmann100']"),
        (lambda c: c.update(significance={"test": "bootstrap"}),
         "config key 'significance.unit': expected 'windows' with test 'bootstrap'"),
        # checks that were already there
        (lambda c: c["table1"]["columns"].update({"X": "nope"}), "config key 'table1.columns.X'"),
    ],
)
def test_bad_config_names_key_and_expectation(mutate, message):
    with pytest.raises(ConfigError) as exc:
        check_config(_cfg(mutate))
    assert message in str(exc.value)


def test_custom_min_series_defaults_to_max_k():
    cfg = _cfg(lambda c: _custom(c) or c["realdata"].update(datasets=["mine"], k=[3, 6]))
    assert preprocess_options(cfg, "mine")["min_series"] == 6
    cfg["datasets"]["mine"]["options"]["min_series"] = 9
    assert preprocess_options(cfg, "mine")["min_series"] == 9
    assert "min_series" not in preprocess_options(cfg, "rossmann")
    cfg["datasets"]["mine"]["options"].pop("min_series")
    cfg["realdata"]["methods"].append("natural")
    cfg["realdata"]["k_per_method"] = {"natural": {"mine": [8]}}
    assert preprocess_options(cfg, "mine")["min_series"] == 8   # a per-method K counts as well


def test_classes_reject_unknown_and_mistyped_options():
    from mixseq.cluster import make_clusterer
    from mixseq.forecast import make_forecaster
    from mixseq.options import OptionError

    with pytest.raises(OptionError, match=r"option 'dstw.base_sise': unknown option of method 'dstw'"):
        make_clusterer("dstw", 2, base_sise=3)
    with pytest.raises(TypeError):
        from mixseq.cluster.dstw import DSTW

        DSTW(2, base_sise=3)
    with pytest.raises(OptionError, match=r"option 'arma.enforce_stationarity': unknown option"):
        make_forecaster("arma", enforce_stationarity=False)
    with pytest.raises(OptionError, match=r"option 'gp.n_restarts': expected an integer, got 'two'"):
        make_forecaster("gp", n_restarts="two")
    with pytest.raises(OptionError, match=r"option 'prophet.foo': unknown option of forecaster 'prophet'"):
        make_forecaster("prophet", foo=1)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda c: c["methods"]["mixseq"].update(lrr=1), "config key 'methods.mixseq.lrr': unknown option"),
        (lambda c: c.update(quantiles=[0.5]), "config key 'quantiles': expected at least two quantiles"),
    ],
)
def test_snakemake_stops_before_any_job(workdir, mutate, needle):
    """The package checks are wired into the workflow: a dry run exits non-zero with the message, no job runs."""
    from conftest import run_snakemake

    (workdir / "config/bad.yaml").write_text(yaml.safe_dump(_cfg(mutate)))
    res = run_snakemake(workdir, "--configfile", "config/bad.yaml", "-n")
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert f"Invalid configuration: {needle}" in out, out[-2000:]
    assert "Job stats" not in out and not (workdir / "results").exists()


def test_unquoted_yaml_date_is_a_date_and_a_yaml_int_is_not(workdir):
    """`train_end: 2021-10-31` (a YAML date) is accepted as that date; `train_end: 20211031` (a YAML int) is refused."""
    from conftest import run_snakemake

    (workdir / "mirror").mkdir()
    (workdir / "mirror/s.csv").write_text("id,date,value\na,2021-01-01,1\n")
    base = (workdir / "config/test.yaml").read_text()
    for value, ok in (("2021-10-31", True), ("20211031", False)):
        cfg = yaml.safe_load(base)
        cfg.update(targets=["table3"], mirror=str(workdir / "mirror"))
        cfg["datasets"] = {"shop": {"kind": "custom", "options": {"file": "s.csv", "freq": "W-FRI"}}}
        body = yaml.safe_dump(cfg).replace("freq: W-FRI", f"freq: W-FRI\n      train_end: {value}")
        (workdir / "config/dates.yaml").write_text(body)
        assert f"train_end: {value}" in body
        res = run_snakemake(workdir, "--configfile", "config/dates.yaml", "-n")
        out = res.stdout + res.stderr
        if ok:
            assert res.returncode == 0, out[-2000:]
        else:
            assert res.returncode != 0 and "train_end" in out and "20211031" in out, out[-2000:]


def test_future_needs_a_real_dataset():
    cfg = yaml.safe_load((REPO / "config/custom.yaml").read_text())
    cfg["realdata"]["datasets"] = []
    with pytest.raises(ConfigError, match=r"'realdata.datasets': expected at least one real dataset because 'future'"):
        check_config(cfg)

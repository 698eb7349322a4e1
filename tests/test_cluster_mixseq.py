"""MixSeq (paper §4): clusters small ARMA data, checkpoint round-trip, seeding, log columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from mixseq.cluster import make_clusterer
from mixseq.cluster.mixseq import LOG_COLUMNS, MixSeq
from mixseq.data.synthetic_clustering import arma_clusters
from mixseq.evaluate.metrics import rand_index

torch.set_num_threads(1)
FAST = dict(threads=1, progress=False, device="cpu")


def test_clusters_two_arma_components(tmp_path) -> None:
    X, labels = arma_clusters(2, n_per_cluster=300, length=100, seed=0)
    model = make_clusterer("mixseq", 2, seed=0, epochs=12, lr=1e-3, batch_size=64, **FAST)
    model.fit(X, log_path=tmp_path / "log.tsv", labels_true=labels)
    log = pd.read_csv(tmp_path / "log.tsv", sep="\t")
    assert tuple(log.columns) == LOG_COLUMNS
    assert len(log) == 12 and log["seconds"].is_monotonic_increasing
    assert log["alpha"].iloc[0] == 20.0 and log["alpha"].iloc[-1] == pytest.approx(20 * np.exp(-0.3))
    assert rand_index(labels, model.labels_) > 0.9  # chance level is 0.5; measured 0.95+ with seed 0
    # components learned distinct dynamics: each true cluster is best explained by a different component
    ll = model.component_loglik(X)
    best = [np.bincount(ll[labels == k].argmax(1), minlength=2).argmax() for k in range(2)]
    assert sorted(best) == [0, 1]


def test_paper_literal_options_and_scaling(tmp_path) -> None:
    X, _ = arma_clusters(2, n_per_cluster=30, length=20, seed=2)
    paper = dict(objective="elbo", em_weight=0.0, init=None, readout="sum", component_kl=0.0)
    m = MixSeq(2, seed=0, epochs=1, batch_size=32, d_model=8, **paper, **FAST).fit(X)
    assert m.labels_.shape == (60,)
    g = MixSeq(2, seed=0, epochs=1, batch_size=32, d_model=8, scaling="global", component_kl=0.5, **FAST).fit(X)
    g.save(tmp_path / "g.pt")
    np.testing.assert_allclose(MixSeq.load(tmp_path / "g.pt", device="cpu").posterior(X), g.posterior(X), rtol=1e-6)
    with pytest.raises(ValueError, match="objective"):
        MixSeq(2, objective="bogus")


def test_checkpoint_roundtrip_and_seed(tmp_path) -> None:
    X, labels = arma_clusters(3, n_per_cluster=40, length=30, seed=1)
    dates = pd.date_range("2020-01-01", periods=30, freq="D")
    opts = dict(epochs=2, batch_size=32, d_model=8, max_series=90, **FAST)
    a = MixSeq(3, seed=5, **opts).fit(X, dates=dates)
    b = MixSeq(3, seed=5, **opts).fit(X, dates=dates)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.labels_.shape == (120,)
    np.testing.assert_allclose(a.posterior(X), b.posterior(X))
    a.save(tmp_path / "model.pt")
    c = MixSeq.load(tmp_path / "model.pt", device="cpu")
    np.testing.assert_array_equal(c.predict(X), a.predict(X))
    np.testing.assert_allclose(c.posterior(X), a.posterior(X), rtol=1e-6)
    state = torch.load(tmp_path / "model.pt", weights_only=True)
    assert state["config"]["d_model"] == 8


def test_alpha_schedule_and_options() -> None:
    m = MixSeq(2)
    assert m.alpha(0) == 20.0
    assert m.alpha(10) == pytest.approx(20 * np.exp(-0.3))
    assert m.alpha(35) == pytest.approx(20 * np.exp(-0.9))
    assert m.alpha(99) == 5.0
    assert MixSeq(2, weight_decay=3e-5).config["l2"] == 3e-5
    with pytest.raises(ValueError, match="option .mixseq.bogus.: unknown option of method .mixseq."):
        MixSeq(2, bogus=1)


def test_temperature_schedule() -> None:
    assert MixSeq(2).temperature(0, 100) == 1.0  # temper_epochs=0 (default): exact responsibilities throughout
    m = MixSeq(2, temper_epochs=4)  # init="acf", init_epochs=2: tempering starts after the warm start
    assert [m.temperature(e, 100) for e in (0, 2)] == [100.0, 100.0]
    assert m.temperature(4, 100) == pytest.approx(10.0)  # halfway in log space
    assert [m.temperature(e, 100) for e in (6, 9)] == [1.0, 1.0]
    assert MixSeq(2, temper_epochs=2, init=None).temperature(0, 50) == 50.0


def test_shared_init_starts_all_components_from_the_same_weights() -> None:
    X, _ = arma_clusters(3, n_per_cluster=10, length=30, seed=5)
    same = MixSeq(3, seed=0, epochs=0, d_model=8, shared_init=True, **FAST).fit(X).component_loglik(X)
    np.testing.assert_allclose(same, same[:, :1].repeat(3, axis=1), rtol=1e-6)
    own = MixSeq(3, seed=0, epochs=0, d_model=8, **FAST).fit(X).component_loglik(X)
    assert np.abs(own - own[:, :1]).max() > 1.0  # default: each component has its own random initialisation


def test_tempered_fit_clusters_two_arma_components() -> None:
    X, labels = arma_clusters(2, n_per_cluster=150, length=100, seed=0)
    m = MixSeq(2, seed=0, epochs=12, lr=1e-3, batch_size=64, temper_epochs=4, assign="exact", **FAST).fit(X)
    assert np.isfinite(m.history_["recon_nll"]).all()
    assert rand_index(labels, m.labels_) > 0.9


def test_assign_exact_uses_the_mixture_posterior(tmp_path) -> None:
    X, labels = arma_clusters(2, n_per_cluster=60, length=50, seed=3)
    m = MixSeq(2, seed=0, epochs=2, batch_size=32, d_model=8, assign="exact", **FAST).fit(X)
    np.testing.assert_array_equal(m.labels_, m.component_loglik(X).argmax(1))
    m.save(tmp_path / "m.pt")
    np.testing.assert_array_equal(MixSeq.load(tmp_path / "m.pt", device="cpu").predict(X), m.labels_)
    with pytest.raises(ValueError, match="assign"):
        MixSeq(2, assign="q")


def test_inference_in_row_batches_matches_one_batch() -> None:
    X, _ = arma_clusters(2, n_per_cluster=25, length=40, seed=4)
    m = MixSeq(2, seed=0, epochs=1, batch_size=16, d_model=8, **FAST).fit(X)
    whole_q, whole_ll = m.posterior(X), m.component_loglik(X)
    m.config["predict_batch_size"] = 7  # 50 rows in 8 batches, each scaled and moved on its own
    np.testing.assert_allclose(m.posterior(X), whole_q, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(m.component_loglik(X), whole_ll, rtol=1e-5, atol=1e-4)


def test_streaming_fit_matches_in_memory_fit(tmp_path) -> None:
    """fit_stream reads only the seeded max_series rows of a panel file and learns exactly what fit() learns on
    the same rows; predict_stream assigns every series in row batches, identically to predict()."""
    from mixseq.data.panel import Panel, write_panel

    X, lab = arma_clusters(2, n_per_cluster=30, length=50, seed=4)
    dates = pd.date_range("2020-01-01", periods=50, freq="D")
    splits = {"train_start": "2020-01-01", "train_end": "2020-02-09", "val_start": "2020-01-31",
              "test_start": "2020-02-10", "test_end": "2020-02-19"}
    path = tmp_path / "panel.parquet"
    write_panel(Panel(values=X.astype(np.float32), ids=[f"s{i}" for i in range(60)], dates=dates, splits=splits,
                      labels=lab), path, row_group=16)
    opts = dict(seed=1, epochs=2, batch_size=16, d_model=8, max_series=25, **FAST)
    streamed = MixSeq(2, **opts).fit_stream(path, log_path=tmp_path / "log.tsv", read_batch=16)
    mem = MixSeq(2, **opts).fit(X[:, :40].astype(np.float32), dates=dates[:40], labels_true=lab)
    assert streamed.fit_rows_ is not None and len(streamed.fit_rows_) == 25
    np.testing.assert_array_equal(streamed.fit_rows_, mem.fit_rows_)
    assert streamed.ids_ == [f"s{i}" for i in range(60)]
    np.testing.assert_array_equal(streamed.labels_, mem.labels_)
    log = pd.read_csv(tmp_path / "log.tsv", sep="\t")
    np.testing.assert_allclose(log["loss"], mem.history_["loss"], rtol=1e-6)
    assert log["ri"].notna().all()  # the panel's ground-truth labels of the fitted rows feed the log
    ids, labels = streamed.predict_stream(path, t_end=40, read_batch=7)
    np.testing.assert_array_equal(labels, mem.labels_)
    ids_all, labels_all = streamed.predict_stream(path)  # all 50 days, with their own calendar covariates
    np.testing.assert_array_equal(labels_all, streamed.predict(X.astype(np.float32), dates))


def test_backward_plan_splits_cpu_cores_over_the_networks() -> None:
    from mixseq.cluster.mixseq import backward_plan

    assert backward_plan(2, None, 6, "cpu") == (2, 1)  # 2 cores: two networks' backward at a time
    assert backward_plan(16, None, 6, "cpu") == (6, 2)  # never more workers than networks
    assert backward_plan(2, 1, 6, "cpu") == (1, 2)  # the single backward pass with intra-op threads
    assert backward_plan(1, None, 6, "cpu") == (1, 1)
    assert backward_plan(8, None, 6, "cuda") == (1, 8)
    with pytest.raises(ValueError, match="backward_workers"):
        backward_plan(2, 0, 6, "cpu")


@pytest.mark.parametrize("options", [dict(), dict(objective="elbo", component_kl=0.5, init=None)])
def test_parallel_backward_equals_the_single_backward(options) -> None:
    """The networks' backward passes on 2 threads (the default with threads=2) train the same model as one
    backward pass on 1 thread: same per-epoch losses, parameters and labels (float tolerance)."""
    X, _ = arma_clusters(3, n_per_cluster=30, length=40, seed=3)
    opts = dict(epochs=3, init_epochs=1, batch_size=32, d_model=8, progress=False, device="cpu", **options)
    try:
        ref = MixSeq(3, seed=1, threads=1, **opts).fit(X)
        par = MixSeq(3, seed=1, threads=2, **opts).fit(X)
        assert torch.get_num_threads() == 2  # the fit's thread count is restored after the worker phase
    finally:
        torch.set_num_threads(1)
    np.testing.assert_allclose(par.history_["loss"], ref.history_["loss"], rtol=1e-6)
    for (name, a), b in zip(par.net.state_dict().items(), ref.net.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=name)
    np.testing.assert_array_equal(par.labels_, ref.labels_)


def test_split_backward_equals_autograd_backward() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from mixseq.cluster.mixseq import split_backward

    torch.manual_seed(0)
    nets = [torch.nn.Linear(4, 1) for _ in range(3)]
    x = torch.randn(5, 4)
    grads = [torch.randn(5, 1), None, torch.randn(5, 1)]  # the middle graph receives no gradient
    outs = [n(x) for n in nets]
    torch.autograd.backward([outs[0], outs[2]], [grads[0], grads[2]])
    want = [[None if p.grad is None else p.grad.clone() for p in n.parameters()] for n in nets]
    for n in nets:
        n.zero_grad(set_to_none=True)
    with ThreadPoolExecutor(2) as pool:
        split_backward([n(x) for n in nets], grads, pool, 2)
    for n, w in zip(nets, want, strict=True):
        for p, g in zip(n.parameters(), w, strict=True):
            assert (p.grad is None) == (g is None)
            if g is not None:
                torch.testing.assert_close(p.grad, g)

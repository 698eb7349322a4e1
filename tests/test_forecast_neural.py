"""Neural forecasters (DeepAR, TCN, ConvTrans): shapes, determinism, learning, no leakage, scaling, logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from mixseq.evaluate.metrics import smape
from mixseq.forecast import make_forecaster
from mixseq.forecast.base import torch_forecasters
from mixseq.nn.convtrans import ConvTransBackbone
from mixseq.nn.lstm import DeepARNet
from mixseq.nn.scaling import series_scale
from mixseq.nn.tcn import TCNNet

NEURAL = torch_forecasters()
#: epochs that learn the sine in the test (ConvTrans, without positional encoding, needs more).
LEARN_EPOCHS = {"deepar": 20, "tcn": 20, "convtrans": 40}
FAST = {"context_length": 21, "prediction_length": 7, "val_days": 0, "progress": False, "threads": 1}


def sine(T: int = 200, level: float = 10.0, amp: float = 5.0, noise: float = 0.5, seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    y = level + amp * np.sin(2 * np.pi * t / 7) + rng.normal(0, noise, T)
    return y.astype(np.float32), pd.date_range("2021-01-01", periods=T, freq="D")


def fitted(name: str, y, dates, **kw):
    opts = {**FAST, "epochs": 2, **kw}
    return make_forecaster(name, seed=3, **opts).fit(y, dates)


@pytest.mark.parametrize("name", NEURAL)
def test_shapes_and_interface(name):
    y, dates = sine(120)
    f = fitted(name, y, dates)
    assert f.trains_once
    s = f.sample(y[:100], dates[:100], 10, 5, np.random.default_rng(0))
    assert s.shape == (5, 10) and np.isfinite(s).all()
    so = f.sample_origins(y, dates, [60, 80, 100, 15], 10, 4, np.random.default_rng(0))
    assert so.shape == (4, 4, 10) and np.isfinite(so).all()


@pytest.mark.parametrize("name", NEURAL)
def test_deterministic_on_cpu(name):
    y, dates = sine(120)
    a = fitted(name, y, dates).sample_origins(y, dates, [90, 100], 7, 6, np.random.default_rng(5))
    b = fitted(name, y, dates).sample_origins(y, dates, [90, 100], 7, 6, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NEURAL)
def test_learns_sine(name):
    y, dates = sine(214)
    hist, fut = y[:200], y[200:]
    f = make_forecaster(name, seed=0, epochs=LEARN_EPOCHS[name], lr=1e-2, batch_size=32, **FAST)
    f.fit(hist, dates[:200])
    s = f.sample(hist, dates[:200], 14, 50, np.random.default_rng(1))
    model = smape(fut, s.mean(axis=0))
    const = smape(fut, np.full(14, hist.mean()))
    assert model < 0.5 * const, (model, const)


@pytest.mark.parametrize("name", NEURAL)
def test_no_leakage_in_sampling(name):
    y, dates = sine(120)
    f = fitted(name, y, dates)
    origins = [70, 90, 100]
    a = f.sample_origins(y, dates, origins, 10, 8, np.random.default_rng(2))
    y2 = y.copy()
    y2[100:] = 1e6  # values after the last origin
    b = f.sample_origins(y2, dates, origins, 10, 8, np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
    # per origin: changing what follows origin 70 changes nothing for origin 70
    y3 = y.copy()
    y3[70:] = -5.0
    c = f.sample_origins(y3, dates, [70], 10, 8, np.random.default_rng(2))
    d = f.sample_origins(y, dates, [70], 10, 8, np.random.default_rng(2))
    np.testing.assert_array_equal(c, d)


@pytest.mark.parametrize(
    "net",
    [
        DeepARNet(4, dropout=0.0),
        TCNNet(4, dropout=0.0),
        torch.nn.Sequential(ConvTransBackbone(4, dropout=0.0)),
    ],
    ids=["lstm", "tcn", "convtrans"],
)
def test_nets_are_causal(net):
    torch.manual_seed(0)
    net.eval()
    x = torch.randn(2, 30, 4)
    x2 = x.clone()
    x2[:, 20:] += 10.0
    out1, out2 = net(x), net(x2)
    a = out1[0] if isinstance(out1, tuple) else out1
    b = out2[0] if isinstance(out2, tuple) else out2
    torch.testing.assert_close(a[:, :20], b[:, :20])
    assert not torch.allclose(a[:, 20:], b[:, 20:])


def test_scaling_round_trip():
    x = np.abs(np.random.default_rng(0).normal(100, 30, (3, 50)))
    v = series_scale(x, axis=1)
    np.testing.assert_allclose((x / v) * v, x)
    np.testing.assert_allclose(v[:, 0], 1 + np.abs(x).mean(axis=1))
    t = torch.as_tensor(x)
    torch.testing.assert_close(series_scale(t, axis=1), torch.as_tensor(v))


def test_forecasts_come_back_on_original_scale():
    y, dates = sine(214, level=5000.0, amp=2500.0, noise=250.0)
    f = make_forecaster("deepar", seed=0, epochs=20, lr=1e-2, batch_size=32, **FAST).fit(y[:200], dates[:200])
    s = f.sample(y[:200], dates[:200], 14, 50, np.random.default_rng(1))
    assert 1000 < s.mean() < 10000
    assert smape(y[200:], s.mean(axis=0)) < 0.1


def test_training_log_validation_and_early_stopping(tmp_path):
    y, dates = sine(200)
    log = tmp_path / "train.tsv"
    opts = {**FAST, "val_days": 30, "epochs": 6, "patience": 1, "lr": 0.5, "log_path": str(log)}
    f = make_forecaster("tcn", seed=0, **opts).fit(y, dates)
    df = pd.read_csv(log, sep="\t")
    assert list(df.columns) == ["epoch", "train_nll", "val_nll", "seconds"]
    assert len(df) == f.train_summary["epochs_run"] >= 2
    assert np.isfinite(df["val_nll"]).all() and (df["seconds"] > 0).all()
    assert f.train_summary["validation"]
    assert f.train_summary["best_epoch"] == int(df["val_nll"].idxmin()) + 1


def test_unknown_option_and_short_series_raise():
    with pytest.raises(ValueError, match="unknown option"):
        make_forecaster("deepar", epochz=3)
    y, dates = sine(20)
    with pytest.raises(ValueError, match="shorter than one training window"):
        make_forecaster("deepar", **FAST, epochs=1).fit(y, dates)


@pytest.mark.parametrize(
    ("name", "extra"),
    [("deepar", {}), ("tcn", {}), ("convtrans", {"readout": "position"}), ("convtrans", {"readout": "deepset"})],
)
def test_incremental_state_matches_full_forward(name, extra):
    """The cached/streaming step used for sampling equals teacher forcing over the whole sequence."""
    from mixseq.forecast.neural import IN_DIM

    torch.manual_seed(0)
    net = make_forecaster(name, **FAST, **extra).build_net(IN_DIM).eval()
    assert net.stateful
    x = torch.randn(3, 25, IN_DIM)
    with torch.no_grad():
        mu, sigma = net(x)
        m1, s1, state = net.forward_state(x[:, :10])
        mus, sigmas = [m1], [s1]
        for i in range(10, 25):
            m, s, state = net.forward_state(x[:, i : i + 1], state)
            mus.append(m)
            sigmas.append(s)
    torch.testing.assert_close(torch.cat(mus, dim=1), mu, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(torch.cat(sigmas, dim=1), sigma, atol=1e-5, rtol=1e-4)


def test_max_zero_frac_drops_closed_windows():
    from mixseq.data.covariates import date_features
    from mixseq.nn.lstm import DeepARNet as Net
    from mixseq.nn.training import train_gaussian_net

    y, dates = sine(120)
    cov = date_features(dates)
    closed = y.copy()
    closed[:] = 0.0
    kw = {"context_length": 21, "prediction_length": 7, "epochs": 1, "val_days": 0, "show_progress": False}
    with pytest.raises(ValueError, match="no training window left"):
        train_gaussian_net(Net(4), closed, cov, max_zero_frac=0.5, **kw)
    summary = train_gaussian_net(Net(4), y, cov, max_zero_frac=0.5, **kw)
    assert summary["epochs_run"] == 1


# --- likelihood option (issue: non-negative data) ---------------------------------------------------------------


def closed_sundays(T: int = 160):
    """Sine sales with every Sunday an exact 0 (shops closed), as on Rossmann."""
    y, dates = sine(T)
    y[dates.day_of_week == 6] = 0.0
    return y, dates


def test_gaussian_head_nll_and_draw_are_the_normal_of_eq6():
    """The default head's NLL is torch's Normal NLL and its draw is ``mu + sigma * randn`` on the generator."""
    from mixseq.nn.heads import GaussianHead, output_draw, output_nll

    torch.manual_seed(0)
    net = DeepARNet(4)
    assert isinstance(net.head, GaussianHead)
    x = torch.randn(3, 12, 4)
    target = torch.randn(3, 12)
    mu, sigma = net(x)
    expected = -torch.distributions.Normal(mu, sigma).log_prob(target)
    torch.testing.assert_close(output_nll(net, target, (mu, sigma)), expected)
    g1, g2 = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    draw = output_draw(net, (mu[:, 0], sigma[:, 0]), g1)
    torch.testing.assert_close(draw, mu[:, 0] + sigma[:, 0] * torch.randn(3, generator=g2))


@pytest.mark.parametrize("name", NEURAL)
def test_explicit_gaussian_likelihood_is_the_default(name):
    """``likelihood: gaussian`` is the unchanged default: same training losses and samples for a fixed seed."""
    y, dates = sine(120)
    a = fitted(name, y, dates)
    b = fitted(name, y, dates, likelihood="gaussian")
    assert a.train_summary["history"][-1]["train_nll"] == b.train_summary["history"][-1]["train_nll"]
    np.testing.assert_array_equal(
        a.sample_origins(y, dates, [90, 100], 7, 6, np.random.default_rng(5)),
        b.sample_origins(y, dates, [90, 100], 7, 6, np.random.default_rng(5)),
    )


def test_hurdle_softplus_normal_nll_is_the_mixture_and_finite_at_zero():
    from mixseq.nn.heads import HurdleSoftplusNormalHead

    torch.manual_seed(0)
    head = HurdleSoftplusNormalHead(5)
    mu, sigma, logit = head(torch.randn(4, 6, 5))
    x = torch.rand(4, 6) * 3
    x[:, ::2] = 0.0
    nll = HurdleSoftplusNormalHead.nll(x, mu, sigma, logit)
    pi = torch.sigmoid(logit)
    # density of softplus(w), w ~ N(mu, sigma): N(w; mu, sigma) |dw/dz| at w = log(expm1(z)), dw/dz = 1 / (1 - e^-z)
    z = torch.where(x > 0, x, 1.0)
    w = torch.log(torch.expm1(z))
    positive = torch.distributions.Normal(mu, sigma).log_prob(w) - torch.log1p(-torch.exp(-z))
    expected = torch.where(x > 0, -torch.log1p(-pi) - positive, -torch.log(pi))
    torch.testing.assert_close(nll, expected)
    nll.mean().backward()
    assert all(torch.isfinite(p.grad).all() for p in head.parameters())


@pytest.mark.parametrize("name", NEURAL)
def test_hurdle_softplus_normal_samples_are_nonnegative_and_loss_finite(name):
    y, dates = closed_sundays()
    f = fitted(name, y[:140], dates[:140], likelihood="hurdle_softplus_normal", epochs=3)
    losses = [h["train_nll"] for h in f.train_summary["history"]]
    assert np.isfinite(losses).all()
    s = f.sample_origins(y, dates, [100, 120, 140], 14, 40, np.random.default_rng(0))
    assert s.shape == (3, 40, 14) and np.isfinite(s).all()
    assert s.min() >= 0.0
    assert (s == 0).any() and (s > 0).any()  # the point mass at 0 and the continuous part are both drawn
    again = fitted(name, y[:140], dates[:140], likelihood="hurdle_softplus_normal", epochs=3)
    np.testing.assert_array_equal(s, again.sample_origins(y, dates, [100, 120, 140], 14, 40, np.random.default_rng(0)))


@pytest.mark.parametrize("name", NEURAL)
def test_hurdle_softplus_normal_streaming_matches_full_forward(name):
    from mixseq.forecast.neural import IN_DIM

    torch.manual_seed(0)
    net = make_forecaster(name, **FAST, likelihood="hurdle_softplus_normal").build_net(IN_DIM).eval()
    x = torch.randn(2, 20, IN_DIM)
    with torch.no_grad():
        full = net(x)
        *first, state = net.forward_state(x[:, :8])
        steps = [first]
        for i in range(8, 20):
            *p, state = net.forward_state(x[:, i : i + 1], state)
            steps.append(p)
    assert len(full) == 3
    for k in range(3):
        torch.testing.assert_close(torch.cat([s[k] for s in steps], dim=1), full[k], atol=1e-5, rtol=1e-4)


def test_hurdle_softplus_normal_learns_the_closed_sundays():
    """On a series closed every Sunday the hurdle head puts its point mass at 0 on the Sundays, not elsewhere."""
    y, dates = closed_sundays(214)
    opts = {**FAST, "likelihood": "hurdle_softplus_normal"}
    f = make_forecaster("deepar", seed=0, epochs=20, lr=1e-2, batch_size=32, **opts)
    f.fit(y[:200], dates[:200])
    s = f.sample(y[:200], dates[:200], 14, 100, np.random.default_rng(1))
    sunday = dates[200:].day_of_week == 6
    zero_sunday, zero_other = (s[:, sunday] == 0).mean(), (s[:, ~sunday] == 0).mean()
    assert zero_sunday > 0.5 and zero_other < 0.2, (zero_sunday, zero_other)
    assert np.median(s[:, sunday]) == 0.0 and np.median(s[:, ~sunday]) > 0.0


@pytest.mark.parametrize("name", NEURAL)
def test_likelihood_option_is_checked(name):
    from mixseq.options import OptionError

    expected = r"expected one of \['gaussian', 'hurdle_softplus_normal'\]"
    with pytest.raises(OptionError, match=rf"'{name}\.likelihood': {expected}"):
        make_forecaster(name, likelihood="poisson")
    y, dates = sine(120)
    y[30] = -1.5
    negative = r"likelihood='hurdle_softplus_normal' needs non-negative data.*-1\.5 on 2021-01-31"
    with pytest.raises(ValueError, match=negative):
        fitted(name, y, dates, likelihood="hurdle_softplus_normal")

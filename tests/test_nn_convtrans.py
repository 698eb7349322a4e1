"""ConvTrans backbone: causality, shapes, gradients (paper §2.1, eq. 2)."""

from __future__ import annotations

import pytest
import torch

from mixseq.nn.convtrans import ConvTransBackbone

torch.set_num_threads(1)


@pytest.mark.parametrize("readout", ["mean", "sum"])
@pytest.mark.parametrize("n_layers,kernel", [(1, 3), (2, 5)])
def test_causal(readout: str, n_layers: int, kernel: int) -> None:
    torch.manual_seed(0)
    net = ConvTransBackbone(4, n_layers=n_layers, kernel_size=kernel, readout=readout).eval()
    x = torch.randn(3, 20, 4)
    y = net(x)
    for t in (0, 7, 18):
        x2 = x.clone()
        x2[:, t + 1 :] = torch.randn_like(x2[:, t + 1 :]) * 10
        y2 = net(x2)
        torch.testing.assert_close(y[:, : t + 1], y2[:, : t + 1])
        assert not torch.allclose(y[:, t + 1 :], y2[:, t + 1 :])


def test_shapes_and_grad() -> None:
    torch.manual_seed(0)
    net = ConvTransBackbone(in_dim=4, d_model=8, n_heads=2, d_out=5)
    x = torch.randn(2, 11, 4, requires_grad=True)
    y = net(x)
    assert y.shape == (2, 11, 5)
    assert (y >= 0).all()  # ReLU readout
    y.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    for name, p in net.named_parameters():
        assert p.grad is not None, name
        assert torch.isfinite(p.grad).all(), name


def test_bad_input() -> None:
    net = ConvTransBackbone(3)
    with pytest.raises(ValueError):
        net(torch.randn(2, 5, 4))
    with pytest.raises(ValueError):
        ConvTransBackbone(3, d_model=15, n_heads=2)

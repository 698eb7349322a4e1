"""Options and defaults of the neural forecasters, in a module that does not import torch.

The workflow checks ``forecasters.<name>`` options against these specs while it parses the configuration;
keeping them out of :mod:`mixseq.forecast.neural` (which imports torch) keeps that check fast. Option meanings:
:mod:`mixseq.forecast.neural` and docs/forecasting.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from mixseq.options import OptionSpec, spec_from_defaults

NEURAL_DEFAULTS: dict[str, Any] = {
    "context_length": None,
    "prediction_length": None,
    "epochs": 500,
    "batch_size": 128,
    "lr": 1e-3,
    "weight_decay": 1e-5,
    "dropout": 0.1,
    "min_scale": 0.0,
    "hidden": 16,
    "val_days": None,
    "patience": None,
    "windows_per_epoch": None,
    "grad_clip": 10.0,
    "device": "auto",
    "threads": None,
    "log_path": None,
    "sample_batch": 20000,
    "progress": True,
    "likelihood": "gaussian",
}

#: values of the ``likelihood`` option (the heads of :mod:`mixseq.nn.heads`; kept here, torch-free)
Likelihood = Literal["gaussian", "hurdle_softplus_normal"]

#: options of one neural forecaster besides :data:`NEURAL_DEFAULTS` (its class's ``extra_defaults``)
EXTRA_DEFAULTS: dict[str, dict[str, Any]] = {
    "deepar": {"num_layers": 1},
    "tcn": {"kernel_size": 3, "dilations": (1, 2, 4, 8)},
    "convtrans": {"n_heads": 2, "n_layers": 1, "kernel_size": 3, "readout": "position"},
}


def neural_spec(extra_defaults: Mapping[str, Any]) -> OptionSpec:
    """:data:`NEURAL_DEFAULTS` and ``extra_defaults``, typed by their values."""
    return spec_from_defaults(
        {**NEURAL_DEFAULTS, **extra_defaults},
        {"patience": int | None, "windows_per_epoch": int | None, "threads": int | None, "log_path": str | None,
         "context_length": int | None, "prediction_length": int | None, "val_days": int | None,
         "likelihood": Likelihood},
    )


def deepar_spec() -> OptionSpec:
    """Options of :class:`mixseq.forecast.deepar.DeepARForecaster`."""
    return neural_spec(EXTRA_DEFAULTS["deepar"])


def tcn_spec() -> OptionSpec:
    """Options of :class:`mixseq.forecast.tcn.TCNForecaster`."""
    return neural_spec(EXTRA_DEFAULTS["tcn"])


def convtrans_spec() -> OptionSpec:
    """Options of :class:`mixseq.forecast.convtrans.ConvTransForecaster`."""
    return neural_spec(EXTRA_DEFAULTS["convtrans"])

"""Window-based maximum-likelihood training of the autoregressive nets (DeepAR, TCN, ConvTrans).

Training windows (DeepAR style): a window is ``L = context_length + prediction_length`` consecutive days
``x_s .. x_{s+L-1}`` of one series, scaled by ``v = series_scale(context part)``; the net is trained by
teacher forcing to minimise the NLL of the net's head (:func:`mixseq.nn.heads.output_nll`; Gaussian by
default) of every ``z_t = x_t / v``, ``t = 1 .. L-1``, given
``[z_{t-1} || o_t]`` (see :mod:`mixseq.nn.sampling`). Every start ``s`` whose window lies in the training
part is used once per epoch, in random order (``windows_per_epoch`` draws a random subset instead, which
the many-series base model of :mod:`mixseq.experiments.synthetic_deepar` uses).

Validation (paper §5.2: "the data of last two months in train interval are used as validation data"):
the last ``val_days`` days are held out of the training windows; the validation NLL is the teacher-forced
NLL of the prediction part of the windows whose prediction part lies in those days. The state with the
lowest validation NLL is restored at the end, and with ``patience`` set training stops after that many
epochs without improvement. Each epoch appends ``epoch, train_nll, val_nll, seconds`` to ``log_path``.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from mixseq.nn.heads import output_nll
from mixseq.nn.sampling import make_inputs
from mixseq.nn.scaling import series_scale
from mixseq.utils import progress

log = logging.getLogger(__name__)

LOG_COLUMNS = ("epoch", "train_nll", "val_nll", "seconds")


def window_batch(
    values: torch.Tensor, cov: torch.Tensor, series: np.ndarray, starts: np.ndarray, length: int, context: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gather windows and return teacher-forcing ``(inputs [B, length-1, 1+F], targets [B, length-1])``.

    ``values``: ``[m, T]`` original scale; ``cov``: ``[T, F]`` date covariates shared by all series.
    Each window is divided by ``series_scale`` of its first ``context`` values.
    """
    dev = values.device
    idx = torch.as_tensor(starts, device=dev)[:, None] + torch.arange(length, device=dev)[None, :]
    z = values[torch.as_tensor(series, device=dev)[:, None], idx]
    z = z / series_scale(z[:, :context], axis=1)
    return make_inputs(z, cov[idx]), z[:, 1:]


def train_gaussian_net(
    net: nn.Module,
    values: np.ndarray,
    covariates: np.ndarray,
    *,
    context_length: int,
    prediction_length: int,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    weight_decay: float = 1e-5,
    val_days: int = 60,
    patience: int | None = None,
    windows_per_epoch: int | None = None,
    grad_clip: float | None = 10.0,
    max_zero_frac: float | None = None,
    device: str = "cpu",
    seed: int = 0,
    log_path: str | Path | None = None,
    desc: str = "train",
    show_progress: bool = True,
) -> dict[str, Any]:
    """Train ``net`` in place on windows of ``values`` (``[m, T]`` or ``[T]``) with ``covariates`` ``[T, F]``.

    ``covariates``: the date covariates of the ``T`` periods, shared by all series
    (:func:`mixseq.data.covariates.date_features` of the series' dates).
    ``max_zero_frac`` drops training windows whose context has a larger fraction of exact zeros.
    Returns a summary: ``epochs_run``, ``best_epoch``, ``best_val_nll``, ``stopped_early``, ``history``
    (list of per-epoch dicts with :data:`LOG_COLUMNS`), ``validation`` (whether a validation split was used).
    Raises ``ValueError`` when the series is shorter than one window.
    """
    y = np.atleast_2d(np.asarray(values, dtype=np.float32))
    m, t = y.shape
    if len(covariates) != t:
        raise ValueError(f"{len(covariates)} covariate rows for series of length {t}")
    if not np.isfinite(y).all():
        raise ValueError("training series contain NaN or inf")
    length = context_length + prediction_length
    if t < length:
        raise ValueError(
            f"series of length {t} is shorter than one training window "
            f"(context_length {context_length} + prediction_length {prediction_length})"
        )
    use_val = val_days > 0 and val_days >= prediction_length and t - val_days >= length
    if val_days > 0 and not use_val:
        log.warning("%s: validation disabled (val_days=%d, series length %d, window %d)", desc, val_days, t, length)
    t_train = t - val_days if use_val else t
    rng = np.random.default_rng(seed)

    tr_starts = np.arange(t_train - length + 1)
    tr_series, tr_starts = (a.ravel() for a in np.meshgrid(np.arange(m), tr_starts, indexing="ij"))
    if max_zero_frac is not None:
        # drop windows whose context is mostly exact zeros (e.g. a shop closed for weeks): their scale is 1
        # whatever the level after reopening, and a single such window dominates the batch NLL
        zeros = np.cumsum(np.concatenate([np.zeros((m, 1)), (y == 0)], axis=1), axis=1)
        frac = (zeros[tr_series, tr_starts + context_length] - zeros[tr_series, tr_starts]) / context_length
        keep = frac <= max_zero_frac
        log.info("%s: %d of %d training windows kept (max_zero_frac=%s)", desc, keep.sum(), keep.size, max_zero_frac)
        tr_series, tr_starts = tr_series[keep], tr_starts[keep]
        if tr_starts.size == 0:
            raise ValueError(f"{desc}: no training window left with max_zero_frac={max_zero_frac}")
    if use_val:
        va_starts = np.arange(max(0, t - val_days - context_length), t - length + 1)
        va_series, va_starts = (a.ravel() for a in np.meshgrid(np.arange(m), va_starts, indexing="ij"))

    values_t = torch.as_tensor(y, device=device)
    cov_t = torch.as_tensor(np.asarray(covariates, dtype=np.float32), device=device)
    net.to(device)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)

    fh = None
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        fh = open(log_path, "w")  # noqa: SIM115 - kept open across epochs, closed in finally
        fh.write("\t".join(LOG_COLUMNS) + "\n")
    history: list[dict[str, float]] = []
    best_val, best_epoch, best_state, stale, stopped = math.inf, 0, None, 0, False
    try:
        bar = progress(range(1, epochs + 1), desc=desc, disable=not show_progress)
        for epoch in bar:
            t0 = time.perf_counter()
            net.train()
            n_all = tr_starts.size
            if windows_per_epoch is not None and windows_per_epoch < n_all:
                order = rng.choice(n_all, size=windows_per_epoch, replace=False)
            else:
                order = rng.permutation(n_all)
            tot, cnt = 0.0, 0
            for i in range(0, order.size, batch_size):
                b = order[i : i + batch_size]
                x, target = window_batch(values_t, cov_t, tr_series[b], tr_starts[b], length, context_length)
                loss = output_nll(net, target, net(x)).mean()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if grad_clip:
                    nn.utils.clip_grad_norm_(net.parameters(), grad_clip)
                opt.step()
                tot += float(loss.detach()) * b.size
                cnt += b.size
            train_nll = tot / max(cnt, 1)
            val_nll = math.nan
            if use_val:
                val_nll = evaluate_nll(net, values_t, cov_t, va_series, va_starts, length, context_length)
            secs = time.perf_counter() - t0
            row = {"epoch": epoch, "train_nll": train_nll, "val_nll": val_nll, "seconds": secs}
            history.append(row)
            if fh is not None:
                fh.write(f"{epoch}\t{train_nll:.6f}\t{val_nll:.6f}\t{secs:.4f}\n")
                fh.flush()
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(train=f"{train_nll:.3f}", val=f"{val_nll:.3f}")
            if use_val:
                if val_nll < best_val:
                    best_val, best_epoch, stale = val_nll, epoch, 0
                    best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
                else:
                    stale += 1
                    if patience is not None and stale >= patience:
                        stopped = True
                        log.info(
                            "%s: early stop at epoch %d (best val NLL %.4f at epoch %d)",
                            desc,
                            epoch,
                            best_val,
                            best_epoch,
                        )
                        break
    finally:
        if fh is not None:
            fh.close()
    if best_state is not None:
        net.load_state_dict(best_state)
        log.info("%s: restored epoch %d (val NLL %.4f)", desc, best_epoch, best_val)
    net.eval()
    return {
        "epochs_run": len(history),
        "best_epoch": best_epoch if use_val else len(history),
        "best_val_nll": best_val if use_val else math.nan,
        "stopped_early": stopped,
        "validation": use_val,
        "history": history,
    }


@torch.no_grad()
def evaluate_nll(
    net: nn.Module,
    values: torch.Tensor,
    cov: torch.Tensor,
    series: np.ndarray,
    starts: np.ndarray,
    length: int,
    context: int,
    batch_size: int = 1024,
) -> float:
    """Mean teacher-forced NLL of the prediction part (targets ``t >= context``) of the given windows."""
    net.eval()
    tot, cnt = 0.0, 0
    for i in range(0, starts.size, batch_size):
        x, target = window_batch(values, cov, series[i : i + batch_size], starts[i : i + batch_size], length, context)
        nll = output_nll(net, target, net(x))[:, context - 1 :]
        tot += float(nll.sum())
        cnt += nll.numel()
    return tot / max(cnt, 1)

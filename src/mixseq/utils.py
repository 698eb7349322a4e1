"""Small helpers shared by every module: seeding, device choice, atomic writes, logging."""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np


def seed_everything(seed: int) -> np.random.Generator:
    """Seed python, numpy and torch (if already imported); return a numpy Generator for local use.

    torch is not imported here: importing it costs 2-4 s per job, and a step that does not train a network
    never needs it. Every model that uses torch calls this function again at fit time, after its own
    ``import torch``, so its global generator is seeded then.
    """
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)


def torch_device(prefer: str = "auto") -> str:
    """Return ``"cuda"`` when a GPU is visible (and not disabled), else ``"cpu"``.

    ``prefer`` may be ``"auto"``, ``"cpu"`` or ``"cuda"``; asking for CUDA without a GPU raises.
    """
    import torch

    if prefer == "cpu":
        return "cpu"
    has_cuda = torch.cuda.is_available()
    if prefer == "cuda" and not has_cuda:
        raise RuntimeError("device 'cuda' was requested but no CUDA GPU is visible")
    return "cuda" if has_cuda else "cpu"


def set_torch_threads(threads: int | None) -> None:
    """Limit torch's intra-op threads to the rule's ``threads`` (Snakemake gives each job its share)."""
    if threads:
        import torch

        torch.set_num_threads(max(1, int(threads)))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` only if the block succeeds.

    A failing writer therefore never leaves a half-written output behind. Temporary files (or directories)
    ``.<name>.*.tmp`` left next to ``path`` by an earlier writer of the same output that was killed (SIGKILL)
    are removed first (one job writes one output at a time).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp creates 0600; outputs get the usual permissions
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextlib.contextmanager
def scratch_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a path in a fresh scratch directory *outside* ``path``'s directory (under ``$TMPDIR``); when the
    block succeeds, move the file onto ``path`` atomically (via :func:`atomic_path`).

    For outputs written incrementally over a long step (a training log kept open for a whole fit): a
    process killed with SIGKILL mid-way leaves no hidden temporary file next to the outputs. The scratch
    directory is removed on any exception; after a SIGKILL it stays in ``$TMPDIR`` (a per-job directory under
    SLURM, cleaned with the job).
    """
    scratch = Path(tempfile.mkdtemp(prefix=f"mixseq-{Path(path).name}-"))
    try:
        tmp = scratch / Path(path).name
        tmp.touch()
        yield tmp
        with atomic_path(path) as out:
            shutil.copyfile(tmp, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def get_logger(name: str, logfile: str | os.PathLike[str] | None = None) -> logging.Logger:
    """A logger writing to ``logfile`` (the rule's log) and to stderr."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for h in list(logger.handlers):
        logger.removeHandler(h)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if logfile is not None:
        Path(logfile).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(logfile, mode="a"))
    for h in handlers:
        h.setFormatter(fmt)
        logger.addHandler(h)
    return logger


def progress(iterable, **kwargs):  # type: ignore[no-untyped-def]
    """A tqdm bar that stays readable in log files (no carriage-return spam when stderr is not a TTY)."""
    from tqdm.auto import tqdm

    if not sys.stderr.isatty():
        kwargs.setdefault("mininterval", 10.0)
        kwargs.setdefault("ascii", True)
    return tqdm(iterable, **kwargs)

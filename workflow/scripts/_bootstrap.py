"""What every workflow script does first: find the package, open the job's log, choose threads and device.

A script starts with ``from _bootstrap import start`` (plus ``torch_runtime`` where it may train a network) and
then imports ``mixseq``. How the import is found and why it works in every run mode:

- Snakemake runs a ``script:`` as a copy under ``.snakemake/scripts/`` whose preamble appends the script's own
  directory (``workflow/scripts/``) to ``sys.path``; it does so in the plain environment and under
  ``--sdm conda`` alike (where ``PYTHONPATH`` is not passed on), so ``_bootstrap`` is found next to the script.
- Importing this module puts ``<repository>/src`` first on ``sys.path``: ``mixseq`` is then the package of this
  checkout, also in the conda environments of ``envs/`` (which do not install it) and ahead of an installed copy.
- Import order: ruff's import sorting places ``_bootstrap`` (third-party section) before ``mixseq`` (first-party
  section), so the path is set before the package is imported; no ``noqa`` is needed.

The Snakemake object is the global ``snakemake`` the preamble defines in the running script (``__main__``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[2] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))


def snakemake_object() -> Any:
    """The ``snakemake`` object of the running script (defined by Snakemake's script preamble)."""
    smk = getattr(sys.modules.get("__main__"), "snakemake", None)
    if smk is None:
        raise RuntimeError("this workflow script runs through a Snakemake rule's `script:` directive "
                           "(no `snakemake` object in the running script)")
    return smk


def start(name: str | None = None) -> tuple[Any, logging.Logger]:
    """The job's Snakemake object and a logger; stderr and logging go to the job's ``log[0]``
    (``mixseq.runtime.setup``)."""
    from mixseq.runtime import setup

    smk = snakemake_object()
    return smk, setup(smk, name)


def torch_runtime(smk: Any, log: logging.Logger, uses_torch: bool = True, what: str = "this step") -> dict[str, Any]:
    """Threads and device of a job, decided in one place.

    torch's intra-op threads are limited to the rule's ``threads`` (Snakemake gives each job its share). For a
    step that uses torch, returns ``{"device": ..., "threads": ...}``: the config key ``device`` resolved
    (``auto`` -> cuda when a GPU is visible, on SLURM when the job got ``--gpus``; ``cuda`` without a GPU fails
    here, before any work) and the job's threads. Otherwise returns ``{}``. The device is read from the config,
    not from params: where a step runs does not trigger a rerun (docs/execution.md).
    """
    if not uses_torch:  # torch is not imported at all (2-4 s per job)
        log.info("device: cpu (%s does not use torch)", what)
        return {}
    from mixseq.utils import set_torch_threads, torch_device

    set_torch_threads(smk.threads)
    device = torch_device(smk.config["device"])
    log.info("device: %s (config device=%s, gpu resource=%s)", device, smk.config["device"],
             smk.resources.get("gpu", 0))
    return {"device": device, "threads": smk.threads}

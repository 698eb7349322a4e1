"""Glue for workflow scripts: log redirection, params access. Imported by ``workflow/scripts/*.py``."""

from __future__ import annotations

import logging
import sys
import warnings
from typing import Any

from mixseq.utils import get_logger


def setup(smk: Any, name: str | None = None) -> logging.Logger:
    """Send this job's stderr (tqdm bars, warnings) and logging to ``log[0]``; return a logger."""
    logfile = smk.log[0] if len(smk.log) else None
    if logfile:
        stream = open(logfile, "a", buffering=1)  # noqa: SIM115 - lives as long as the job
        sys.stderr = stream
        warnings.showwarning = lambda msg, cat, fn, ln, file=None, line=None: stream.write(
            warnings.formatwarning(msg, cat, fn, ln, line)
        )
    log = get_logger(name or f"mixseq.{smk.rule}", None)
    log.info("rule %s wildcards %s threads %s", smk.rule, dict(smk.wildcards.items()), smk.threads)
    return log

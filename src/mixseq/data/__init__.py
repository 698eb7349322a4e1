"""Data: the :class:`~mixseq.data.panel.Panel` container, loaders, synthetic generators, covariates."""

from mixseq.data.panel import Panel, read_panel, write_panel

__all__ = ["Panel", "read_panel", "write_panel"]

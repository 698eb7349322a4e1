"""Clustering methods behind one interface; see :mod:`mixseq.cluster.base`.

A method is added by one module here and one entry in :data:`REGISTRY` (an ``Entry("module:Class", flags...)``)
plus its name in ``$defs.method`` of config/schema.yaml (checked by tests/test_registry.py); rules, scripts and
the configuration check ask the registry by name and flags (docs/families.md).
"""

from mixseq.cluster.base import REGISTRY, ClusterMethod, make_clusterer

__all__ = ["REGISTRY", "ClusterMethod", "make_clusterer"]

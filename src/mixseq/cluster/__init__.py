"""Clustering methods behind one interface; see :mod:`mixseq.cluster.base`.

A method is added by one module here and one entry in :data:`REGISTRY` ("module:Class"); rules and
config pick it by name.
"""

from mixseq.cluster.base import REGISTRY, ClusterMethod, make_clusterer

__all__ = ["REGISTRY", "ClusterMethod", "make_clusterer"]

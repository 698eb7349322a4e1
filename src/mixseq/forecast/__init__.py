"""Forecasters behind one interface; see :mod:`mixseq.forecast.base`."""

from mixseq.forecast.base import REGISTRY, Forecaster, make_forecaster

__all__ = ["REGISTRY", "Forecaster", "make_forecaster"]

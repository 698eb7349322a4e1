"""Experiment drivers called by workflow scripts (one function per table/figure trial)."""

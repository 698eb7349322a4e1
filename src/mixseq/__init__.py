"""MixSeq: connecting macroscopic time series forecasting with microscopic time series data.

The package holds all numerical code of the workflow; nothing here imports Snakemake.
Sub-packages:

- :mod:`mixseq.data`      panels, loaders, synthetic generators, covariates
- :mod:`mixseq.nn`        shared torch blocks (ConvTrans, TCN, LSTM, Gaussian head)
- :mod:`mixseq.cluster`   clustering methods behind one interface (``fit``/``predict``)
- :mod:`mixseq.forecast`  forecasters behind one interface (``fit``/``sample``)
- :mod:`mixseq.evaluate`  rolling windows, aggregation, metrics
- :mod:`mixseq.report`    tables and figures
"""

__version__ = "0.1.0"

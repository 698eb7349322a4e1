"""Shared torch blocks: Gaussian output head, per-series scaling, ConvTrans, TCN, LSTM backbones."""

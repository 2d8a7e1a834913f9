"""Layers written the way the book's ``common/layers.py`` writes them (after its
formulas; new arrays at every call), shared by the benchmarks' book-style contenders."""

from __future__ import annotations

import numpy as np


class BookRelu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0
        return dout


class BookAffine:
    """``x @ W + b`` on rows; an image batch is flattened first and dx shaped back."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.shape, self.x = x.shape, x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.dW, self.db = np.dot(self.x.T, dout), np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(self.shape)

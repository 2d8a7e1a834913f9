"""The book's ``common/util.py`` for chapters 5 and 6: ``smooth_curve``, ``shuffle_dataset``,
``conv_output_size``. (``im2col`` and ``col2im`` come with the convolutional names.)
"""

# ruff: noqa: NPY002  (shuffle_dataset draws from the global np.random, as the book does)

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["conv_output_size", "shuffle_dataset", "smooth_curve"]

_WINDOW = 11  # the book's window length; its Kaiser window has beta = 2


def smooth_curve(x: ArrayLike) -> np.ndarray:
    """A loss curve smoothed by a normalised Kaiser window of 11 points (the book's figures 6-9...).

    The ends are mirrored (10 points reflected before the first value, the
    last 10 values repeated backwards after the last) so that the result has
    ``len(x)`` points, as the book's.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < _WINDOW:
        raise ValueError(f"x: expected a 1-D curve of at least {_WINDOW} values, got {x.shape}")
    head = x[1:_WINDOW][::-1]
    tail = x[len(x) - _WINDOW + 1 :][::-1]
    w = np.kaiser(_WINDOW, 2)
    y = np.convolve(w / w.sum(), np.concatenate([head, x, tail]), mode="valid")
    half = _WINDOW // 2
    return y[half : len(y) - half]


def shuffle_dataset(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``t`` in one random order, ``np.random.permutation(len(x))`` (the book's draw)."""
    if len(x) != len(t):
        raise ValueError(f"t: expected {len(x)} targets (one per row of x), got {len(t)}")
    permutation = np.random.permutation(x.shape[0])
    return x[permutation], t[permutation]


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> float:
    """``(input_size + 2 pad - filter_size) / stride + 1`` (book 7.2.4), a float as the book's."""
    return (input_size + 2 * pad - filter_size) / stride + 1

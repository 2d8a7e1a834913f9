"""The data the training loop accepts, and the evaluation pass over a data set.

:func:`as_data` checks and casts ``(x, t)`` once before training (finite
values, as many targets as inputs, the network's dtype); :func:`evaluate` is
the mean loss and accuracy that ``Trainer.evaluate`` and the validation after
each epoch report, in inference mode and in chunks of 1024 rows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnscratch._validate import check_array, fail
from nnscratch.metrics import count_correct, target_labels
from nnscratch.network import Network

__all__ = ["as_data", "evaluate"]

_EVAL_CHUNK = 1024


def _finite(name: str, values: Any) -> np.ndarray:
    """``values`` as an array, refused (naming the first bad entry) if any is NaN or infinite."""
    arr = check_array(name, values)
    # One sum costs half of isfinite(arr).all() on MNIST; a NaN or an infinity makes
    # it non-finite, and so may an overflow of finite values: only then look closer.
    if arr.dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            total = float(np.sum(arr))
        if not math.isfinite(total):
            check_array(name, arr, finite=True)
    return arr


def as_data(x: Any, t: Any, dtype: np.dtype, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs cast once to the network's dtype; targets with as many rows; all finite."""
    x = _finite(f"{what} x", x)
    t = _finite(f"{what} t", t)
    if x.ndim < 1 or x.shape[0] == 0:
        raise fail(f"{what} x", "an array (N, ...) with N >= 1 samples", f"shape {x.shape}")
    if t.ndim < 1 or t.shape[0] != x.shape[0]:
        raise fail(f"{what} t", f"{x.shape[0]} rows (as x)", f"shape {t.shape}")
    if x.dtype != dtype:
        x = x.astype(dtype)
    if t.dtype.kind == "f" and t.dtype != dtype:
        t = t.astype(dtype)
    return np.ascontiguousarray(x), np.ascontiguousarray(t)


def evaluate(net: Network, x: np.ndarray, t: np.ndarray, *, prefix: str = "") -> dict[str, float]:
    """Mean loss (and accuracy, for classification targets) over checked ``(x, t)``.

    ``net.loss`` for the loss and, for classification targets, ``net.predict``
    for the accuracy (labels by :mod:`nnscratch.metrics`' one rule); keys
    ``prefix + "loss"`` and ``prefix + "accuracy"``.
    """
    act = net.output_activation
    labels = target_labels(t, act)
    total, correct = 0.0, 0
    n = x.shape[0]
    for lo in range(0, n, _EVAL_CHUNK):
        hi = min(lo + _EVAL_CHUNK, n)
        total += float(net.loss(x[lo:hi], t[lo:hi])) * (hi - lo)
        if labels is not None:
            correct += count_correct(net.predict(x[lo:hi]), labels[lo:hi], act)
    out = {f"{prefix}loss": total / n}
    if labels is not None:
        out[f"{prefix}accuracy"] = correct / n
    return out

"""Classification metrics on integer labels: accuracy, confusion matrix, per-class accuracy."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["accuracy", "confusion_matrix", "per_class_accuracy"]


def _labels(name: str, values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected integer labels of shape (N,), got shape {arr.shape}")
    if arr.size and (not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0):
        raise ValueError(f"{name}: expected integer labels >= 0, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def confusion_matrix(t: Any, y: Any, num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as class ``j``.

    Shapes: ``t`` (true) and ``y`` (predicted) integer labels ``(N,)``; the
    result is ``(K, K)`` int64 with ``K = num_classes`` (default: the largest
    label + 1). Rows sum to the class counts, the diagonal to the hits.
    """
    t, y = _labels("t", t), _labels("y", y)
    if y.shape != t.shape:
        raise ValueError(f"y: expected the shape of t {t.shape}, got {y.shape}")
    top = int(max(t.max(initial=-1), y.max(initial=-1)))
    if num_classes is None:
        k = top + 1
    elif isinstance(num_classes, (int, np.integer)) and not isinstance(num_classes, bool):
        k = int(num_classes)
    else:
        raise TypeError(f"num_classes: expected an integer or None, got {num_classes!r}")
    if k < 1 and num_classes is not None:
        raise ValueError(f"num_classes: expected an integer >= 1, got {k}")
    if top >= k:
        raise ValueError(f"num_classes: expected more than the largest label {top}, got {k}")
    return np.bincount(t * k + y, minlength=k * k).reshape(k, k)


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
    """Recall of each class, ``C[i, i] / sum_j C[i, j]`` (NaN for a class with no samples).

    ``confusion`` is a ``(K, K)`` matrix of counts as :func:`confusion_matrix`
    returns (rows true, columns predicted); the result is float64 ``(K,)``.
    """
    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion: expected a square (K, K) matrix, got shape {confusion.shape}")
    if confusion.size and confusion.min() < 0:
        raise ValueError("confusion: expected counts >= 0, got a negative entry")
    totals = confusion.sum(axis=1)
    hits = np.diagonal(confusion).astype(np.float64)
    out = np.full(hits.shape, np.nan)
    np.divide(hits, totals, out=out, where=totals > 0)
    return out


def accuracy(t: Any, y: Any) -> float:
    """Fraction of samples with ``y == t`` (integer labels of shape ``(N,)``)."""
    t, y = _labels("t", t), _labels("y", y)
    if y.shape != t.shape:
        raise ValueError(f"y: expected the shape of t {t.shape}, got {y.shape}")
    if t.size == 0:
        raise ValueError("t: expected at least one label, got none")
    return float(np.mean(t == y))

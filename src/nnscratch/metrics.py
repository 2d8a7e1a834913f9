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
    k = top + 1 if num_classes is None else int(num_classes)
    if top >= k:
        raise ValueError(f"num_classes: expected more than the largest label {top}, got {k}")
    return np.bincount(t * k + y, minlength=k * k).reshape(k, k)


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
    """Recall of each class, ``C[i, i] / sum_j C[i, j]`` (NaN for a class with no samples)."""
    confusion = np.asarray(confusion)
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

"""Classification metrics: the one rule from outputs to labels, accuracy, confusion matrix.

Outputs to labels, the rule every part of the library uses (``Sequential.accuracy``,
the trainer's running accuracy, the classic networks' ``score``):

- :func:`output_labels`: the predicted class of each row of outputs ``y``
  (N, K): ``argmax`` over the last axis; a single column (K = 1) under a
  sigmoid is one logit (or probability), class 1 where it passes the
  midpoint (``z > 0`` for logits, ``p > 0.5`` for probabilities).
- :func:`target_labels`: the true class of each target: integer labels (N,)
  as they are; rows (N, K > 1) by ``argmax`` when they are class scores (a
  softmax or sigmoid head, or exactly one-hot rows); one column under a
  sigmoid by ``t > 0.5``; None for regression targets (no accuracy).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch._validate import Integer, check

__all__ = [
    "accuracy",
    "confusion_matrix",
    "count_correct",
    "output_labels",
    "per_class_accuracy",
    "target_labels",
]


def output_labels(y: Any, output_activation: str | None = None, *, logits: bool = True) -> Any:
    """Predicted class of each row of ``y`` (N, K) -> (N,) int64 (or one row (K,) -> int).

    ``argmax`` over the last axis (the first of tied maxima); with one column
    and a sigmoid output, ``y > 0`` (``logits=True``) or ``y > 0.5``.
    """
    y = np.asarray(y)
    if y.ndim == 0:
        raise ValueError("y: expected outputs of shape (N, K) or (K,), got a scalar")
    if y.shape[-1] == 1 and output_activation == "sigmoid":
        return (y[..., 0] > (0 if logits else 0.5)).astype(np.int64)
    return np.argmax(y, axis=-1)


def _is_one_hot(t: np.ndarray) -> bool:
    """Every row holds only 0s and exactly one 1."""
    return bool(np.all((t == 0) | (t == 1)) and np.all(np.count_nonzero(t, axis=-1) == 1))


def target_labels(t: Any, output_activation: str | None = None) -> np.ndarray | None:
    """True class of each target, (N,) int64, or None when ``t`` holds regression targets.

    Integer labels (N,) are returned as they are; rows (N, K > 1) give their
    ``argmax`` when the head makes class scores (``output_activation``
    "softmax" or "sigmoid") or the rows are exactly one-hot (the book's
    ``one_hot_label=True`` with a linear head); one column under a sigmoid
    gives ``t > 0.5``. Any other float rows are regression targets: None.
    """
    t = np.asarray(t)
    if t.ndim == 1 and t.dtype.kind in "iu":
        return t.astype(np.int64, copy=False)
    if t.ndim == 2 and t.shape[1] > 1:
        if output_activation in ("softmax", "sigmoid") or _is_one_hot(t):
            return np.argmax(t, axis=1)
        return None
    if t.ndim == 2 and t.shape[1] == 1 and output_activation == "sigmoid":
        return (t[:, 0] > 0.5).astype(np.int64)
    return None


def count_correct(y: Any, labels: Any, output_activation: str | None = None) -> int:
    """How many rows of outputs ``y`` (N, K) have :func:`output_labels` equal to ``labels`` (N,)."""
    return int(np.count_nonzero(output_labels(y, output_activation) == np.asarray(labels)))


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
    k = top + 1 if num_classes is None else check("num_classes", num_classes, Integer(1))
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

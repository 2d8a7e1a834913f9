"""Targets checked against outputs, never guessed; the losses' other input checks.

``t`` is either integer labels of shape ``y.shape[:-1]`` in ``[0, K)`` or rows
of ``y``'s exact shape (one-hot, probabilities, or regression targets for the
squared errors); anything else raises ``ValueError`` saying what was
expected and what came.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch._validate import Real, check

__all__ = ["to_labels", "to_one_hot"]

# --- input checks ------------------------------------------------------------


def _as_float(y: Any, name: str = "y") -> np.ndarray:
    """``y`` as a floating array with at least one axis (integers become float64)."""
    arr = np.asarray(y)
    kind = arr.dtype.kind  # dtype kinds, not np.issubdtype: this runs on every step
    if kind in "biu":
        arr = arr.astype(np.float64)
    elif kind != "f":
        raise TypeError(f"{name}: expected a real floating array, got dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{name}: expected shape (K,) or (N, K) with outputs last, got a scalar")
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape}")
    return arr


def _rows(y: np.ndarray) -> int:
    """Number of samples: the product of the leading axes (1 for a single sample)."""
    return y.size // y.shape[-1]


def _got(t: np.ndarray) -> str:
    return f"got {t.dtype} array of shape {t.shape}"


def _expected(y: np.ndarray, kind: str) -> str:
    k = y.shape[-1]
    labels = f"integer labels of shape {y.shape[:-1]} in [0, {k})"
    if kind == "categorical":
        return f"{labels} or one-hot (or probability) rows of shape {y.shape}"
    if kind == "regression":
        return f"{labels} or targets of shape {y.shape}"
    return f"targets in [0, 1] of shape {y.shape}"


def _targets(y: np.ndarray, t: Any, kind: str) -> tuple[bool, np.ndarray]:
    """Check ``t`` against ``y``; return ``(is_labels, t)``.

    ``kind`` is "categorical" (labels, or rows in [0, 1]; integer rows must
    be 0/1), "regression" (labels, or any finite rows) or "binary" (rows in
    [0, 1] only). Labels come back as ``intp``; rows as ``y.dtype``.
    """
    t = np.asarray(t)
    dkind = t.dtype.kind  # the messages are built only on failure: this runs on every step
    if dkind == "b":
        raise ValueError(
            f"t: expected {_expected(y, kind)}; {_got(t)} "
            "(convert with t.astype(int) or t.astype(float))"
        )
    is_int = dkind in "iu"
    if not (is_int or dkind == "f"):
        raise ValueError(f"t: expected {_expected(y, kind)}; {_got(t)}")
    if t.shape == y.shape[:-1] and kind != "binary":
        if not is_int:
            raise ValueError(
                f"t: expected {_expected(y, kind)}; {_got(t)} "
                "(labels need an integer dtype: use t.astype(int))"
            )
        k = y.shape[-1]
        lo, hi = (int(t.min()), int(t.max())) if t.size else (0, 0)
        if lo < 0 or hi >= k:
            raise ValueError(f"t: labels must lie in [0, {k}); got min {lo}, max {hi}")
        return True, t.astype(np.intp, copy=False)
    if t.shape != y.shape:
        raise ValueError(f"t: expected {_expected(y, kind)}; {_got(t)}")
    if is_int:
        if kind == "categorical" and not np.all((t == 0) | (t == 1)):
            raise ValueError(f"t: integer one-hot rows must hold only 0 and 1; {_got(t)}")
        if kind == "binary" and not np.all((t == 0) | (t == 1)):
            raise ValueError(
                f"t: expected {_expected(y, kind)}; {_got(t)} with values outside [0, 1]"
            )
        return False, t.astype(y.dtype)
    # Rows for a probability: min and max in [0, 1] also rule out NaN (which fails
    # both comparisons) and inf, so the finiteness check runs only on a failure.
    if kind != "regression":
        lo, hi = np.minimum.reduce(t, axis=None), np.maximum.reduce(t, axis=None)
        if lo >= 0 and hi <= 1:
            return False, t.astype(y.dtype, copy=False)
    if not np.all(np.isfinite(t)):
        raise ValueError(f"t: expected {_expected(y, kind)}; {_got(t)} containing NaN or inf")
    if kind != "regression":
        raise ValueError(
            f"t: expected {_expected(y, kind)}; {_got(t)} with values in "
            f"[{float(t.min()):g}, {float(t.max()):g}]"
        )
    return False, t.astype(y.dtype, copy=False)


def to_labels(y: Any, t: Any) -> np.ndarray:
    """Class labels for ``t``: integer labels pass through, rows give ``argmax(t, -1)``.

    Shapes: ``y`` ``(..., K)``; ``t`` labels ``y.shape[:-1]`` or rows ``y.shape``;
    the result has shape ``y.shape[:-1]`` and dtype ``intp``.
    """
    y = _as_float(y)
    is_labels, tt = _targets(y, t, "categorical")
    return tt.copy() if is_labels else np.argmax(tt, axis=-1).astype(np.intp)


def to_one_hot(y: Any, t: Any) -> np.ndarray:
    """One-hot rows of ``y``'s shape and dtype for labels; rows are checked and copied.

    Shapes: ``y`` ``(..., K)``; ``t`` labels ``y.shape[:-1]`` or rows ``y.shape``.
    """
    y = _as_float(y)
    is_labels, tt = _targets(y, t, "categorical")
    return _one_hot(y, tt) if is_labels else tt.copy()


def _one_hot(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    out = np.zeros(y.shape, dtype=y.dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out


def _pick(a: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``a[..., labels]`` row by row: shape ``labels.shape``."""
    return np.take_along_axis(a, labels[..., None], axis=-1)[..., 0]


def _const(value: float, like: np.ndarray) -> np.ndarray:
    return np.asarray(value, dtype=like.dtype)


def _row_sum_tolerance(dtype: np.dtype) -> float:
    """How far a target row's sum may stray from 1: ``max(1e-6, sqrt(eps))``.

    1e-6 for float64 (and wider), 3.5e-4 for float32, 0.031 for float16:
    far above the rounding of a softmax or one-hot row, far below any row
    that was meant to hold two classes (multi-hot) or none.
    """
    return max(1e-6, float(np.sqrt(np.finfo(dtype).eps)))


def _check_row_sums(t: np.ndarray) -> np.ndarray:
    """Raise unless every row of ``t`` (last axis) sums to 1; return the row sums.

    The softmax cross entropy's gradient ``softmax(z) - q`` is the derivative
    of its loss only when ``sum_k q_k = 1`` (in general it is
    ``(sum_k q_k) softmax(z) - q``), so multi-hot or all-zero rows are refused
    rather than trained on with a gradient that disagrees with the loss.
    """
    sums = np.sum(t, axis=-1)
    bad = np.abs(sums - 1) > _row_sum_tolerance(t.dtype)
    if np.any(bad):
        worst = float(sums[bad].flat[0])
        raise ValueError(
            "t: expected rows that sum to 1 (one-hot or probabilities) or integer labels, "
            f"got a row summing to {worst:g}"
        )
    return sums


def _check_smoothing(label_smoothing: float) -> float:
    return check("label_smoothing", label_smoothing, Real(0, 1))


def _check_out(out: np.ndarray | None, like: np.ndarray) -> np.ndarray:
    if out is None:
        return np.empty(like.shape, dtype=like.dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: expected a NumPy array, got {type(out).__name__}")
    if out.shape != like.shape or out.dtype != like.dtype:
        raise ValueError(
            f"out: expected a {like.dtype} array of shape {like.shape}, "
            f"got {out.dtype} array of shape {out.shape}"
        )
    if not out.flags.writeable:
        raise ValueError("out: expected a writeable array")
    return out

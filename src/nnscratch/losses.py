"""Loss functions and their gradients, as functions and as registered ``Loss`` objects.

Shapes: ``y`` is ``(..., K)`` with the K outputs (classes) on the last axis;
``(K,)`` is one sample, ``(N, K)`` a batch. Batch losses are means over the
leading axes ("rows"), so the number you see does not grow with the batch.

Targets ``t`` are checked, never guessed (see :func:`to_labels`): either
integer labels of shape ``y.shape[:-1]`` in ``[0, K)`` or rows of ``y``'s
exact shape (one-hot, probabilities, or regression targets for the squared
errors). Anything else raises ``ValueError`` saying what was expected and
what came.

Names, because two books and two libraries disagree (details and the
book's examples: docs/losses-and-gradients.md):

- ``sum_squared_error``: ``0.5 * sum_k (y_k - t_k)^2`` per sample, mean over
  samples. The book calls it ``mean_squared_error``.
- ``mean_squared_error``: mean of ``(y - t)^2`` over every element, as Keras
  and PyTorch (``MSELoss``) define it.
- ``cross_entropy_error``: the book's ``-sum_k t_k log(y_k + 1e-7)`` on
  probabilities, mean over samples.
- ``softmax_cross_entropy``: ``-sum_k q_k log_softmax(z)_k`` on logits, mean
  over samples (the book's ``SoftmaxWithLoss``, PyTorch's ``CrossEntropyLoss``).
- ``binary_cross_entropy``: ``-[t log p + (1 - t) log(1 - p)]`` on
  probabilities, mean over every element (PyTorch's ``BCELoss``).
- ``sigmoid_binary_cross_entropy``: the same from logits, stable
  (PyTorch's ``BCEWithLogitsLoss``).

Every loss ``f`` has ``f_grad(y, t)``: dL/dy of the batch-mean loss, with
``y``'s shape and dtype. Outputs keep the input's floating dtype; integer
input is promoted to float64.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nnscratch import functional as F
from nnscratch._registry import Registry
from nnscratch._validate import Real, check

__all__ = [
    "BinaryCrossEntropy",
    "CrossEntropyError",
    "Loss",
    "MeanSquaredError",
    "SigmoidBinaryCrossEntropy",
    "SoftmaxCrossEntropy",
    "SumSquaredError",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "cross_entropy_error",
    "cross_entropy_error_grad",
    "deserialize",
    "get",
    "mean_squared_error",
    "mean_squared_error_grad",
    "names",
    "serialize",
    "sigmoid_binary_cross_entropy",
    "sigmoid_binary_cross_entropy_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "sum_squared_error",
    "sum_squared_error_grad",
    "to_labels",
    "to_one_hot",
]

#: The book's guard inside the log of ``cross_entropy_error`` (ch. 4.2.2).
CROSS_ENTROPY_DELTA = 1e-7

# --- input checks ------------------------------------------------------------


def _as_float(y: Any, name: str = "y") -> np.ndarray:
    """``y`` as a floating array with at least one axis (integers become float64)."""
    arr = np.asarray(y)
    if arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float64)
    elif not np.issubdtype(arr.dtype, np.floating):
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
    expected = _expected(y, kind)
    if t.dtype == np.bool_:
        raise ValueError(
            f"t: expected {expected}; {_got(t)} (convert with t.astype(int) or t.astype(float))"
        )
    is_int = np.issubdtype(t.dtype, np.integer)
    if not (is_int or np.issubdtype(t.dtype, np.floating)):
        raise ValueError(f"t: expected {expected}; {_got(t)}")
    if t.shape == y.shape[:-1] and kind != "binary":
        if not is_int:
            raise ValueError(
                f"t: expected {expected}; {_got(t)} "
                "(labels need an integer dtype: use t.astype(int))"
            )
        k = y.shape[-1]
        lo, hi = (int(t.min()), int(t.max())) if t.size else (0, 0)
        if lo < 0 or hi >= k:
            raise ValueError(f"t: labels must lie in [0, {k}); got min {lo}, max {hi}")
        return True, t.astype(np.intp, copy=False)
    if t.shape != y.shape:
        raise ValueError(f"t: expected {expected}; {_got(t)}")
    if is_int:
        if kind == "categorical" and not np.all((t == 0) | (t == 1)):
            raise ValueError(f"t: integer one-hot rows must hold only 0 and 1; {_got(t)}")
        if kind == "binary" and not np.all((t == 0) | (t == 1)):
            raise ValueError(f"t: expected {expected}; {_got(t)} with values outside [0, 1]")
        return False, t.astype(y.dtype)
    if not np.all(np.isfinite(t)):
        raise ValueError(f"t: expected {expected}; {_got(t)} containing NaN or inf")
    if kind != "regression" and (t.min() < 0 or t.max() > 1):
        raise ValueError(
            f"t: expected {expected}; {_got(t)} with values in "
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


# --- squared errors ----------------------------------------------------------


def sum_squared_error(y: Any, t: Any) -> float:
    """Half the sum of squared errors per sample, averaged over samples.

    ``E = 1/N sum_n 0.5 sum_k (y_nk - t_nk)^2``; for one sample (``y`` 1-D),
    ``0.5 sum_k (y_k - t_k)^2``.

    This is the function the book calls ``mean_squared_error`` (ch. 4.2.1):
    for ``t`` = one-hot of 2 and its two example outputs it gives 0.0975 and
    0.5975. The book's version sums over the whole batch too; we divide by the
    number of samples N, like every other batch loss here.
    Integer labels are turned into one-hot rows.
    """
    y = _as_float(y)
    t = _regression_target(y, t)
    d = y - t
    return float(_const(0.5, y) * np.sum(d * d) / _rows(y))


def sum_squared_error_grad(y: Any, t: Any) -> np.ndarray:
    """dE/dy of :func:`sum_squared_error`: ``(y - t) / N``."""
    y = _as_float(y)
    t = _regression_target(y, t)
    return (y - t) / _const(_rows(y), y)


def mean_squared_error(y: Any, t: Any) -> float:
    """Mean of the squared errors over every element: ``mean((y - t)^2)``.

    The usual definition (Keras ``mean_squared_error``, PyTorch ``MSELoss``);
    note it differs from the book's ``mean_squared_error``, which is
    :func:`sum_squared_error` here: for one sample of K outputs,
    ``mean_squared_error = 2 / K * sum_squared_error``.
    """
    y = _as_float(y)
    t = _regression_target(y, t)
    d = y - t
    return float(np.mean(d * d))


def mean_squared_error_grad(y: Any, t: Any) -> np.ndarray:
    """dE/dy of :func:`mean_squared_error`: ``2 (y - t) / y.size``."""
    y = _as_float(y)
    t = _regression_target(y, t)
    return (y - t) * _const(2.0 / y.size, y)


def _regression_target(y: np.ndarray, t: Any) -> np.ndarray:
    is_labels, tt = _targets(y, t, "regression")
    return _one_hot(y, tt) if is_labels else tt


# --- categorical cross entropy -------------------------------------------------


def cross_entropy_error(y: Any, t: Any) -> float:
    """The book's cross entropy on probabilities (ch. 4.2.2), mean over samples.

    ``E = -1/N sum_n sum_k t_nk log(y_nk + delta)`` with ``delta = 1e-7``, so
    ``y = 0`` gives a large finite loss instead of ``inf``. With integer
    labels only the true class's term is taken. ``y`` should be softmax
    output; for raw scores use :func:`softmax_cross_entropy` (exact and stable).

    Book examples, t = one-hot of 2: y with 0.6 on class 2 gives 0.510825457...,
    y with 0.1 there gives 2.302584092...
    """
    y = _as_float(y)
    is_labels, t = _targets(y, t, "categorical")
    delta = _const(CROSS_ENTROPY_DELTA, y)
    if is_labels:
        total = -np.sum(np.log(_pick(y, t) + delta))
    else:
        total = -np.sum(t * np.log(y + delta))
    return float(total / _rows(y))


def cross_entropy_error_grad(y: Any, t: Any) -> np.ndarray:
    """dE/dy of :func:`cross_entropy_error`: ``-t / (y + delta) / N``."""
    y = _as_float(y)
    is_labels, t = _targets(y, t, "categorical")
    delta = _const(CROSS_ENTROPY_DELTA, y)
    n = _const(_rows(y), y)
    if is_labels:
        grad = np.zeros_like(y)
        np.put_along_axis(grad, t[..., None], (-1 / ((_pick(y, t) + delta) * n))[..., None], -1)
        return grad
    return -t / ((y + delta) * n)


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


def softmax_cross_entropy(logits: Any, t: Any, label_smoothing: float = 0.0) -> float:
    """Cross entropy of ``softmax(logits)`` against ``t``, computed from the logits.

    ``E = -1/N sum_n sum_k q_nk log_softmax(z_n)_k`` with
    ``log_softmax(z)_k = z_k - max(z) - log sum_j exp(z_j - max(z))``: no
    overflow for any finite logits, no ``log(0)``, and exact where the book's
    ``cross_entropy_error(softmax(z))`` adds its 1e-7.

    Label smoothing (Szegedy et al., 2016, "Rethinking the Inception
    Architecture", sec. 7; PyTorch's ``label_smoothing``): the target becomes
    ``q = (1 - eps) t + eps / K`` for one-hot (or probability) rows ``t``.

    Rows must sum to 1 (within ``max(1e-6, sqrt(eps))`` of the dtype, so 1e-6
    for float64, 3.5e-4 for float32): the gradient ``softmax(z) - q`` is only
    the loss's derivative then, so multi-hot or all-zero rows raise ValueError
    (for several independent labels per sample use the sigmoid binary cross
    entropy).

    Shapes: ``logits`` ``(..., K)``; ``t`` labels ``(...)`` or rows ``(..., K)``.
    """
    z = _as_float(logits, "logits")
    eps = _check_smoothing(label_smoothing)
    is_labels, t = _targets(z, t, "categorical")
    logp = F.log_softmax(z)
    k = z.shape[-1]
    if is_labels:
        rows = -_pick(logp, t)
        if eps:
            rows = (1 - eps) * rows - eps / k * np.sum(logp, axis=-1)
    else:
        _check_row_sums(t)
        rows = -np.sum(t * logp, axis=-1)
        if eps:
            rows = (1 - eps) * rows - eps / k * np.sum(logp, axis=-1)
    return float(np.sum(rows) / _rows(z))


def softmax_cross_entropy_grad(logits: Any, t: Any, label_smoothing: float = 0.0) -> np.ndarray:
    """dE/dz of :func:`softmax_cross_entropy`: ``(softmax(z) - q) / N``."""
    return _softmax_ce_value_and_grad(logits, t, _check_smoothing(label_smoothing), None)[1]


def _softmax_ce_value_and_grad(
    logits: Any, t: Any, label_smoothing: float, out: np.ndarray | None
) -> tuple[float, np.ndarray]:
    """Loss and gradient with one softmax, written into ``out`` (may be ``logits`` itself).

    With ``s = z - max(z)`` per row and ``q' = (1 - eps) t + eps / K``:
    ``L_n = (sum_k q'_k) log(sum_j exp(s_j)) - sum_k q'_k s_k`` and
    ``dL/dz = (exp(s) / sum_j exp(s_j) - q') / N``. Apart from ``out`` only
    vectors of one value per row are allocated (when ``out`` is C-contiguous;
    otherwise the gradient is computed in a new array and copied into ``out``).
    """
    z = _as_float(logits, "logits")
    eps = label_smoothing  # checked by the caller
    is_labels, t = _targets(z, t, "categorical")
    if not is_labels:
        _check_row_sums(t)  # before anything is written to out (which may be the logits)
    out = _check_out(out, z)
    if not out.flags.c_contiguous:  # rare: compute in a fresh buffer, then copy
        value, grad = _softmax_ce_value_and_grad(z, t, eps, None)
        np.copyto(out, grad)
        return value, out
    k = z.shape[-1]
    z2, o2 = z.reshape(-1, k), out.reshape(-1, k)  # o2 is a view: out is C-contiguous
    n = o2.shape[0]
    keep = 1.0 - eps
    F.shift_by_max(z2, 1, o2)  # o2 = s = z - max(z) <= 0
    if is_labels:
        rows, labels = np.arange(n), t.reshape(-1)
        qs = float(np.sum(o2[rows, labels]))  # sum_n s_n[label_n]
    else:
        t2 = t.reshape(-1, k)
        qs = float(np.einsum("ij,ij->", t2, o2))  # sum_n sum_k t_nk s_nk
        q_mass = np.sum(t2, axis=1)  # sum_k t_nk per row: 1 up to rounding
    if eps:
        qs = keep * qs + eps / k * float(np.sum(o2))
    np.exp(o2, out=o2)
    ssum = np.add.reduce(o2, axis=1, keepdims=True)
    log_ssum = np.log(ssum[:, 0])
    if is_labels:  # sum_k q'_k = 1
        total = float(np.sum(log_ssum)) - qs
    else:
        total = keep * float(np.dot(q_mass, log_ssum)) + eps * float(np.sum(log_ssum)) - qs
    # gradient, in place: for labels or eps = 1, p / N - eps / (K N), then -keep / N
    # at the answers; for rows, ((p - eps / K) / keep - t) * keep / N
    if is_labels or keep == 0:
        ssum *= n
        np.divide(o2, ssum, out=o2)
        if eps:
            o2 -= eps / (k * n)
        if is_labels and keep:
            o2[rows, labels] -= keep / n
    else:
        ssum *= keep
        np.divide(o2, ssum, out=o2)
        if eps:
            o2 -= eps / (k * keep)
        o2 -= t2
        o2 *= keep / n
    return total / n, out


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


# --- binary cross entropy ------------------------------------------------------


def _clip_eps(p: np.ndarray) -> np.ndarray:
    return _const(np.finfo(p.dtype).eps, p)


def binary_cross_entropy(p: Any, t: Any) -> float:
    """Binary cross entropy on probabilities, mean over every element.

    ``E = -mean(t log p + (1 - t) log(1 - p))`` with ``p`` clipped to
    ``[eps, 1 - eps]``, ``eps = np.finfo(p.dtype).eps`` (2.2e-16 in float64,
    1.2e-7 in float32): the largest error a probability can carry in its dtype,
    and the smallest margin that keeps ``1 - eps`` below 1. So ``p = 0`` or 1
    costs at most ``-log(eps)`` (36.0 in float64, 15.9 in float32) instead
    of ``inf``. (Keras clips at 1e-7, PyTorch clamps each log at -100.)

    Shapes: ``p`` and ``t`` the same shape (``(N, 1)`` or ``(N, K)`` for K
    independent labels). For raw scores use :func:`sigmoid_binary_cross_entropy`.
    """
    p = _as_float(p, "p")
    _, t = _targets(p, t, "binary")
    eps = _clip_eps(p)
    pc = np.clip(p, eps, 1 - eps)
    return float(-np.mean(t * np.log(pc) + (1 - t) * np.log1p(-pc)))


def binary_cross_entropy_grad(p: Any, t: Any) -> np.ndarray:
    """dE/dp of :func:`binary_cross_entropy`: ``(p - t) / (p (1 - p)) / n`` inside the clip.

    Zero where ``p`` was clipped (the clipped loss is flat there); ``n = p.size``.
    """
    p = _as_float(p, "p")
    _, t = _targets(p, t, "binary")
    eps = _clip_eps(p)
    inside = (p >= eps) & (p <= 1 - eps)
    pc = np.clip(p, eps, 1 - eps)
    grad = (pc - t) / (pc * (1 - pc) * _const(p.size, p))
    return np.where(inside, grad, _const(0.0, p))


def sigmoid_binary_cross_entropy(logits: Any, t: Any) -> float:
    """Binary cross entropy of ``sigmoid(logits)`` against ``t``, from the logits.

    ``E = mean(max(z, 0) - z t + log1p(exp(-|z|)))``, which equals
    ``-mean(t log s + (1 - t) log(1 - s))`` for ``s = sigmoid(z)`` without
    overflow or ``log(0)`` for any finite z (the form of TensorFlow's
    ``sigmoid_cross_entropy_with_logits``). Mean over every element.
    """
    z = _as_float(logits, "logits")
    _, t = _targets(z, t, "binary")
    return float(np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))))


def sigmoid_binary_cross_entropy_grad(logits: Any, t: Any) -> np.ndarray:
    """dE/dz of :func:`sigmoid_binary_cross_entropy`: ``(sigmoid(z) - t) / z.size``."""
    z = _as_float(logits, "logits")
    _, t = _targets(z, t, "binary")
    return (F.sigmoid(z) - t) / _const(z.size, z)


# --- Loss objects and registry ---------------------------------------------------


class Loss:
    """A loss as an object: ``loss(y, t) -> float``, ``loss.gradient(y, t) -> dL/dy``.

    ``output_activation`` names the activation that turns the network's raw
    output into predictions: "softmax" (the loss takes logits), "sigmoid"
    (logits for independent binary outputs) or "linear" (the output already is
    the prediction: regression, or probabilities as the book's
    ``cross_entropy_error`` expects).
    """

    name: ClassVar[str] = ""
    output_activation: ClassVar[str] = "linear"

    def __call__(self, y: Any, t: Any) -> float:
        raise NotImplementedError

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        """dL/dy of the batch-mean loss, shape and dtype of ``y``."""
        raise NotImplementedError

    def value_and_grad(
        self, y: Any, t: Any, out: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """``(loss, dL/dy)``; with ``out`` (``y``'s shape and dtype) dL/dy is written there.

        The base version calls :meth:`__call__` and :meth:`gradient`;
        :class:`SoftmaxCrossEntropy` fuses the two.
        """
        grad = self.gradient(y, t)
        value = self(y, t)
        if out is None:
            return value, grad
        out = _check_out(out, grad)
        np.copyto(out, grad)
        return value, out

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, JSON-able."""
        return {}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.get_config().items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SumSquaredError(Loss):
    """:func:`sum_squared_error` (the book's ``mean_squared_error``)."""

    name = "sum_squared_error"

    def __call__(self, y: Any, t: Any) -> float:
        return sum_squared_error(y, t)

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        return sum_squared_error_grad(y, t)


class MeanSquaredError(Loss):
    """:func:`mean_squared_error` (mean over every element, as Keras and PyTorch)."""

    name = "mean_squared_error"

    def __call__(self, y: Any, t: Any) -> float:
        return mean_squared_error(y, t)

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        return mean_squared_error_grad(y, t)


class CrossEntropyError(Loss):
    """:func:`cross_entropy_error`, the book's, on probabilities (output activation linear)."""

    name = "cross_entropy_error"

    def __call__(self, y: Any, t: Any) -> float:
        return cross_entropy_error(y, t)

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        return cross_entropy_error_grad(y, t)


class SoftmaxCrossEntropy(Loss):
    """:func:`softmax_cross_entropy` on logits, optional label smoothing.

    ``value_and_grad(logits, t, out=None)`` is the training path: one softmax
    gives both the loss and ``(softmax(z) - q) / N``; with ``out`` (logits'
    shape and dtype, or ``logits`` itself) the gradient is written there and
    only per-row vectors are allocated.
    """

    name = "softmax_cross_entropy"
    output_activation = "softmax"

    def __init__(self, label_smoothing: float = 0.0) -> None:
        self.label_smoothing = _check_smoothing(label_smoothing)

    def __call__(self, y: Any, t: Any) -> float:
        return softmax_cross_entropy(y, t, self.label_smoothing)

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        return softmax_cross_entropy_grad(y, t, self.label_smoothing)

    def value_and_grad(
        self, y: Any, t: Any, out: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        return _softmax_ce_value_and_grad(y, t, self.label_smoothing, out)

    def get_config(self) -> dict[str, Any]:
        return {"label_smoothing": self.label_smoothing}


class BinaryCrossEntropy(Loss):
    """:func:`binary_cross_entropy` on probabilities (output activation linear)."""

    name = "binary_cross_entropy"

    def __call__(self, y: Any, t: Any) -> float:
        return binary_cross_entropy(y, t)

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        return binary_cross_entropy_grad(y, t)


class SigmoidBinaryCrossEntropy(Loss):
    """:func:`sigmoid_binary_cross_entropy` on logits (output activation sigmoid)."""

    name = "sigmoid_binary_cross_entropy"
    output_activation = "sigmoid"

    def __call__(self, y: Any, t: Any) -> float:
        return sigmoid_binary_cross_entropy(y, t)

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        return sigmoid_binary_cross_entropy_grad(y, t)


_REGISTRY: Registry[Loss] = Registry(
    "loss",
    Loss,
    (
        SumSquaredError,
        MeanSquaredError,
        CrossEntropyError,
        SoftmaxCrossEntropy,
        BinaryCrossEntropy,
        SigmoidBinaryCrossEntropy,
    ),
    {"mse": "mean_squared_error", "sse": "sum_squared_error"},
)


def names() -> list[str]:
    """All registered names, aliases included, sorted."""
    return _REGISTRY.names()


def deserialize(identifier: str | dict[str, Any]) -> Loss:
    """Build a loss from a name or ``{"class_name": name, "config": {...}}``."""
    return _REGISTRY.deserialize(identifier)


def serialize(loss: Loss) -> dict[str, Any]:
    """``{"class_name": name, "config": {...}}``, JSON-able, inverse of :func:`deserialize`."""
    return _REGISTRY.serialize(loss)


def get(identifier: Loss | str | dict[str, Any]) -> Loss:
    """Resolve a loss: a :class:`Loss` (returned as is), a registered name or a dict."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    raise TypeError(
        f"loss: expected a name, a dict or a Loss, got {identifier!r}; names: {names()}"
    )

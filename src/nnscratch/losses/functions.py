"""The losses and their gradients as functions: ``f(y, t) -> float``, ``f_grad(y, t) -> dL/dy``.

The public names are listed in ``nnscratch.losses``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch import functional as F
from nnscratch.losses.targets import (
    _as_float,
    _check_out,
    _check_row_sums,
    _check_smoothing,
    _const,
    _one_hot,
    _pick,
    _rows,
    _targets,
)

#: The book's guard inside the log of ``cross_entropy_error`` (ch. 4.2.2).
CROSS_ENTROPY_DELTA = 1e-7

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
    return _sigmoid_bce(z, t)


def sigmoid_binary_cross_entropy_grad(logits: Any, t: Any) -> np.ndarray:
    """dE/dz of :func:`sigmoid_binary_cross_entropy`: ``(sigmoid(z) - t) / z.size``."""
    return _sigmoid_bce_value_and_grad(logits, t, None, value=False)[1]


def _sigmoid_bce_value_and_grad(
    logits: Any, t: Any, out: np.ndarray | None, *, value: bool = True
) -> tuple[float, np.ndarray]:
    """Loss and gradient of :func:`sigmoid_binary_cross_entropy`, the targets checked once.

    The gradient is written into ``out`` when given (``logits``' shape and
    dtype); ``value=False`` skips the loss (returned as NaN).
    """
    z = _as_float(logits, "logits")
    _, t = _targets(z, t, "binary")
    loss = _sigmoid_bce(z, t) if value else float("nan")
    grad = np.subtract(F.sigmoid(z), t, out=None if out is None else _check_out(out, z))
    return loss, np.divide(grad, _const(z.size, z), out=grad)


def _sigmoid_bce(z: np.ndarray, t: np.ndarray) -> float:
    terms = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
    if terms.dtype == np.float64:  # np.mean's own sum and division, without its overhead
        return float(np.add.reduce(terms, axis=None) / terms.size)
    return float(np.mean(terms))

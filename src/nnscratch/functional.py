"""The math of the library as plain functions: no state, no checks, the book's notation.

Everything a network computes is here, each formula once: the sigmoid, the
softmax and the log-softmax that activations, layers and losses share, and
the forward and backward pass of every layer. A layer object
(``nnscratch.layers``) only keeps the parameters and caches and calls these.

Conventions. ``x`` is a batch (N, ...), ``dout`` is dL/dy of the output.
Inputs are floating NumPy arrays of one dtype and are never written to.
``out=`` (or ``dx=``, ``dW=``, ...) names an array to write the result into;
None allocates a new one; for a gradient, ``False`` skips it (returned as
None): a frozen parameter or a first layer that needs no dL/dx.

Reference: Saitoh, "Deep Learning from Scratch", 3.2 and 3.5 (sigmoid,
softmax), 5.5-5.6 (``Relu``, ``Sigmoid``, ``Affine``), 6.3-6.4 (batch
normalization, dropout). The derivations are in ``docs/backprop.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "batchnorm_backward",
    "batchnorm_forward",
    "dense_backward",
    "dense_forward",
    "dropout_backward",
    "dropout_forward",
    "dropout_mask",
    "log_softmax",
    "log_softmax_backward",
    "maxout_backward",
    "maxout_forward",
    "prelu_backward",
    "prelu_forward",
    "shift_by_max",
    "sigmoid",
    "sigmoid_backward",
    "softmax",
    "softmax_backward",
]

Out = np.ndarray | None
Grad = np.ndarray | None | bool  # an array to fill, None to allocate, False to skip

# ----------------------------------------------------------------------------- sigmoid, softmax


#: Below these arguments ``exp`` cannot overflow (a margin of 1 under ``log(max)``).
_EXP_SAFE = {np.dtype(d): float(np.log(np.finfo(d).max)) - 1.0 for d in ("f2", "f4", "f8")}


def _exp_inplace(y: np.ndarray) -> None:
    """``y <- exp(y)``; an overflow to inf is intended and silent.

    Entering ``np.errstate`` costs more than the whole sigmoid of a tiny
    batch, so it is entered only when some entry could overflow.
    """
    safe = _EXP_SAFE.get(y.dtype)
    if safe is not None and y.size and np.maximum.reduce(y, axis=None) < safe:
        np.exp(y, out=y)
        return
    with np.errstate(over="ignore"):
        np.exp(y, out=y)


def sigmoid(x: np.ndarray, out: Out = None) -> np.ndarray:
    """``y = 1 / (1 + exp(-x))`` (book 3.2.4); ``out`` may be ``x``.

    Never overflows to a wrong value: sigmoid(-1000) = 0, sigmoid(1000) = 1
    (exp(-x) -> inf for very negative x: then y = 1 / inf = 0, exact).
    """
    y = np.negative(x, out=out)
    _exp_inplace(y)
    np.add(y, 1, out=y)
    return np.divide(1, y, out=y)


def sigmoid_backward(y: np.ndarray, dout: np.ndarray, out: Out = None) -> np.ndarray:
    """``dx = dout * y * (1 - y)`` from the cached output ``y`` (book 5.5.2)."""
    dx = np.subtract(1, y, out=out)
    np.multiply(dx, y, out=dx)
    return np.multiply(dx, dout, out=dx)


def shift_by_max(x: np.ndarray, axis: Any, out: Out) -> np.ndarray:
    """``x - max(x)`` along ``axis``: every entry <= 0, so its exp cannot overflow."""
    return np.subtract(x, np.maximum.reduce(x, axis=axis, keepdims=True), out=out)


@np.errstate(over="ignore")  # a spread beyond the float range gives x - max = -inf: exp 0
def softmax(x: np.ndarray, axis: Any = -1, out: Out = None) -> np.ndarray:
    """``y_i = exp(x_i - m) / sum_j exp(x_j - m)`` along ``axis``, ``m`` the max (book 3.5.2).

    ``softmax([1010, 1000, 990]) = [9.99954600e-01, 4.53978686e-05, 2.06106005e-09]``.
    """
    y = shift_by_max(x, axis, out)
    np.exp(y, out=y)
    return np.divide(y, np.add.reduce(y, axis=axis, keepdims=True), out=y)


def softmax_backward(y: np.ndarray, dout: np.ndarray, axis: Any = -1, out: Out = None):
    """``dx = y * (dout - sum(dout * y))`` along ``axis``, from the cached output ``y``."""
    dx = np.multiply(dout, y, out=out)
    s = np.add.reduce(dx, axis=axis, keepdims=True)
    np.subtract(dout, s, out=dx)
    return np.multiply(dx, y, out=dx)


@np.errstate(over="ignore")  # as softmax: -inf entries, whose exp is 0
def log_softmax(x: np.ndarray, axis: Any = -1, out: Out = None) -> np.ndarray:
    """``y_i = (x_i - m) - log(sum_j exp(x_j - m))`` along ``axis`` (log-sum-exp, no overflow)."""
    y = shift_by_max(x, axis, out)
    lse = np.log(np.add.reduce(np.exp(y), axis=axis, keepdims=True))
    return np.subtract(y, lse, out=y)


def log_softmax_backward(y: np.ndarray, dout: np.ndarray, axis: Any = -1, out: Out = None):
    """``dx = dout - exp(y) * sum(dout)`` along ``axis``, from the cached output ``y``."""
    dx = np.exp(y, out=out)
    dx *= np.add.reduce(dout, axis=axis, keepdims=True)
    return np.subtract(dout, dx, out=dx)


# ----------------------------------------------------------------------------- dense (Affine)


def dense_forward(x: np.ndarray, W: np.ndarray, b: Out = None, out: Out = None) -> np.ndarray:
    """The book's ``Affine``: ``y = x @ W + b``; x (N, in), W (in, out), b (out,) -> (N, out)."""
    y = np.dot(x, W, out=out)
    if b is not None:
        np.add(y, b, out=y)
    return y


def dense_backward(
    x: np.ndarray, W: np.ndarray, dout: np.ndarray, *, dx: Grad = None, dW: Grad = None,
    db: Grad = None,
) -> tuple[Out, Out, Out]:  # fmt: skip
    """``(dx, dW, db)`` of ``y = x @ W + b`` for ``dout`` (N, out), book 5.6.2:

    ``dW = x.T @ dout``, ``db = dout.sum(axis=0)``, ``dx = dout @ W.T``.
    """
    dW = None if dW is False else np.dot(x.T, dout, out=dW)
    db = None if db is False else np.add.reduce(dout, axis=0, out=db)
    dx = None if dx is False else np.dot(dout, W.T, out=dx)
    return dx, dW, db


# ----------------------------------------------------------------------------- elementwise


def _per_channel(alpha: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """``alpha`` (C,) shaped to broadcast over axis 1 of ``x``; the other axes, to sum over."""
    if x.ndim == 2:
        return alpha, (0,)
    return alpha.reshape(-1, *([1] * (x.ndim - 2))), (0, *range(2, x.ndim))


def prelu_forward(x: np.ndarray, alpha: np.ndarray, out: Out = None) -> np.ndarray:
    """``y = max(x, 0) + alpha * min(x, 0)``; alpha (C,) per feature / channel (axis 1)."""
    a, _ = _per_channel(alpha, x)
    y = np.maximum(x, 0, out=out)
    y += a * np.minimum(x, 0)
    return y


def prelu_backward(
    x: np.ndarray, alpha: np.ndarray, dout: np.ndarray, *, dx: Grad = None, dalpha: Grad = None
) -> tuple[Out, Out]:
    """``dx = dout * (1 if x > 0 else alpha)``, ``dalpha = sum(dout * min(x, 0))`` (not axis 1)."""
    a, axes = _per_channel(alpha, x)
    if dalpha is not False:
        dalpha = np.sum(dout * np.minimum(x, 0), axis=axes, out=dalpha)
    if dx is not False:
        dx = np.multiply(dout, np.where(x > 0, 1, a), out=dx)
    return (None if dx is False else dx), (None if dalpha is False else dalpha)


def dropout_mask(u: np.ndarray, rate: float, out: Out = None) -> np.ndarray:
    """Inverted dropout's mask from uniform draws ``u`` in [0, 1): ``(u >= rate) / (1 - rate)``."""
    mask = np.empty(u.shape, u.dtype) if out is None else out
    np.greater_equal(u, rate, out=mask, casting="unsafe")
    mask *= 1.0 / (1.0 - rate)
    return mask


def dropout_forward(x: np.ndarray, mask: np.ndarray, out: Out = None) -> np.ndarray:
    """``y = x * mask`` in training (Srivastava et al., 2014); at inference ``y = x``."""
    return np.multiply(x, mask, out=out)


def dropout_backward(mask: np.ndarray, dout: np.ndarray, out: Out = None) -> np.ndarray:
    """``dx = dout * mask``: a dropped unit passes no gradient."""
    return np.multiply(dout, mask, out=out)


# ----------------------------------------------------------------------------- normalization


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mu: np.ndarray, var: np.ndarray, eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(y, xn, std)``: ``xn = (x - mu) / sqrt(var + eps)``, ``y = gamma * xn + beta`` (book 6.3).

    ``mu`` and ``var`` are the batch's mean and variance in training, the
    running statistics at inference.
    """
    std = np.sqrt(var + np.asarray(eps, x.dtype))
    xn = (x - mu) / std
    return gamma * xn + beta, xn, std


def batchnorm_backward(
    xn: np.ndarray, std: np.ndarray, gamma: np.ndarray, dout: np.ndarray, *,
    batch_stats: bool = True, dx: Grad = None, dgamma: Grad = None, dbeta: Grad = None,
) -> tuple[Out, Out, Out]:  # fmt: skip
    """``(dx, dgamma, dbeta)``: ``dbeta = sum dout``, ``dgamma = sum dout * xn`` (over N) and

    ``dx = (gamma / std) * (dout - mean(dout) - xn * mean(dout * xn))`` when the
    batch's own statistics were used (``batch_stats``), else ``dout * gamma / std``.
    """
    if dbeta is not False:
        dbeta = np.sum(dout, axis=0, out=dbeta)
    if dgamma is not False:
        dgamma = np.sum(dout * xn, axis=0, out=dgamma)
    if dx is False:
        return None, dgamma, (None if dbeta is False else dbeta)
    g = gamma / std
    if not batch_stats:  # running statistics are constants
        dx = dout * g
    else:
        dx = g * (dout - dout.mean(axis=0) - xn * np.mean(dout * xn, axis=0))
    return dx, (None if dgamma is False else dgamma), (None if dbeta is False else dbeta)


# ----------------------------------------------------------------------------- maxout


def maxout_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, pieces: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(y, idx)``: ``z = x @ W + b`` as (N, units, pieces), ``y = max_k z``, ``idx = argmax_k z``.

    Goodfellow et al., "Maxout Networks", 2013; column ``u * pieces + k`` of W is piece k of unit u.
    """
    z = dense_forward(x, W, b).reshape(x.shape[0], -1, pieces)
    idx = z.argmax(axis=2)
    return np.take_along_axis(z, idx[..., None], axis=2)[..., 0], idx


def maxout_backward(
    x: np.ndarray, W: np.ndarray, idx: np.ndarray, dout: np.ndarray, *, dx: Grad = None,
    dW: Grad = None, db: Grad = None,
) -> tuple[Out, Out, Out]:  # fmt: skip
    """Only the winning piece gets the gradient: ``dz[n, u, idx] = dout[n, u]``, then Dense's."""
    n, units = dout.shape
    dz = np.zeros((n, units, W.shape[1] // units), dout.dtype)
    np.put_along_axis(dz, idx[..., None], dout[..., None], axis=2)
    return dense_backward(x, W, dz.reshape(n, -1), dx=dx, dW=dW, db=db)


# ----------------------------------------------------------------------------- convolution
# Reserved for the convolutional layers (im2col / col2im, conv2d_forward /
# conv2d_backward, pooling forward / backward), added by a later change.

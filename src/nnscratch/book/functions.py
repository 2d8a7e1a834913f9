"""The book's ``common/functions.py``: activations, their derivatives and the losses.

Each name calls the library (``nnscratch.activations``, ``nnscratch.losses``),
with the book's arguments, return values and dtypes. Where the book's
number differs from the library's own function of the same name (the book's
``mean_squared_error`` is a halved *sum*), the book's number is kept here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnscratch import activations, losses

__all__ = [
    "cross_entropy_error",
    "identity_function",
    "mean_squared_error",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_loss",
    "step_function",
    "sum_squared_error",
]


def identity_function(x: ArrayLike) -> np.ndarray:
    """The identity, the book's output function for regression (3.4.3)."""
    return activations.linear(np.asarray(x))


def step_function(x: ArrayLike) -> np.ndarray:
    """Step function (book 3.2.2): 1 where ``x > 0``, else 0, as integers (the book's dtype)."""
    return np.asarray(activations.step(np.asarray(x)), dtype=int)


def sigmoid(x: ArrayLike) -> np.ndarray:
    """Sigmoid ``1 / (1 + exp(-x))`` (book 3.2.4), computed without overflow."""
    return activations.sigmoid(np.asarray(x))


def sigmoid_grad(x: ArrayLike) -> np.ndarray:
    """Derivative of the sigmoid at ``x``: ``sigmoid(x) * (1 - sigmoid(x))`` (book 4.5, 5.5.2)."""
    return activations.get("sigmoid").derivative(np.asarray(x))


def relu(x: ArrayLike) -> np.ndarray:
    """ReLU ``max(0, x)`` (book 3.2.7)."""
    return activations.relu(np.asarray(x))


def relu_grad(x: ArrayLike) -> np.ndarray:
    """Derivative of ReLU with the book's value 1 at the kink: 1 where ``x >= 0``, else 0.

    The library's ``relu`` derivative is 0 at ``x = 0`` (the ``Relu`` layer's
    ``x <= 0`` mask, and PyTorch's); the book's ``relu_grad`` says 1 there,
    so that one point is set to 1 here.
    """
    x = np.asarray(x)
    grad = np.array(activations.get("relu").derivative(x))
    grad[x == 0] = 1
    return grad


def softmax(x: ArrayLike) -> np.ndarray:
    """Softmax over the last axis with the maximum subtracted (book 3.5.2)."""
    return activations.softmax(np.asarray(x))


def _same_shape(y: ArrayLike, t: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y, t = np.asarray(y), np.asarray(t)
    if y.shape != t.shape:
        raise ValueError(f"t: expected the shape of y {y.shape}, got {t.shape}")
    return y.ravel(), t.ravel()


def sum_squared_error(y: ArrayLike, t: ArrayLike) -> float:
    """``0.5 * sum((y - t)**2)`` over every entry, a batch included (book 4.2.1).

    The book's sum is not divided by the batch size: for its two example
    outputs (0.0975 and 0.5975) a batch of both gives 0.695. The library's
    ``losses.sum_squared_error`` is the same formula per sample, averaged over
    the batch (0.3475); here it is called on the flattened arrays, one sample.
    """
    return losses.sum_squared_error(*_same_shape(y, t))


def mean_squared_error(y: ArrayLike, t: ArrayLike) -> float:
    """The book's "mean squared error" (4.2.1): ``0.5 * sum((y - t)**2)``, a halved *sum*.

    The same function as :func:`sum_squared_error` (the name of
    ``common/functions.py``); the library keeps ``losses.mean_squared_error``
    for the mean of the squares.
    """
    return sum_squared_error(y, t)


def cross_entropy_error(y: ArrayLike, t: ArrayLike) -> float:
    """Cross entropy ``-sum(t * log(y + 1e-7)) / N`` of probabilities (book 4.2.2, 4.2.4).

    ``t`` one-hot rows of ``y``'s shape or integer labels; one sample (``y``
    1-D) counts as a batch of one.
    """
    return losses.cross_entropy_error(np.asarray(y), np.asarray(t))


def softmax_loss(X: ArrayLike, t: ArrayLike) -> float:
    """``cross_entropy_error(softmax(X), t)``: the loss of scores ``X`` (common/functions.py)."""
    return cross_entropy_error(softmax(X), t)

"""The book's ``common/gradient.py`` and chapter 4's gradient names, over ``nnscratch.numerical``.

``numerical_gradient(f, x)`` perturbs ``x`` entry by entry, in place, and
puts every entry back (the library's function). ``numerical_gradient_2d``
is the batch form of ``ch04/gradient_2d.py``: each row of a 2-D ``X`` is a
point of its own, and ``f`` takes one row.
"""

# ruff: noqa: NPY002  (simpleNet draws W from the global np.random, as the book does)

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnscratch import initializers, numerical
from nnscratch.book.functions import cross_entropy_error, softmax

__all__ = [
    "gradient_descent",
    "numerical_diff",
    "numerical_gradient",
    "numerical_gradient_2d",
    "simpleNet",
]


def numerical_diff(f: Callable[[float], Any], x: float) -> float:
    """Central difference ``(f(x + h) - f(x - h)) / 2h`` with ``h = 1e-4`` (book 4.3.1)."""
    return numerical.numerical_diff(f, x)


class _NotScalar(Exception):
    """``f`` returned one value per row: the batch form of ``gradient_2d.py`` is meant."""


def numerical_gradient(f: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    """Gradient of ``f`` at the float array ``x`` by central differences (book 4.4, 4.4.2).

    ``f(x)`` returns a scalar; ``x`` has any shape and is perturbed in place
    and restored. When ``x`` is 2-D and ``f`` returns one value per row (the
    ``function_2`` of ``ch04/gradient_2d.py`` on ``np.array([X, Y])``), each
    row is a point of its own: :func:`numerical_gradient_2d`.
    """
    if not (isinstance(x, np.ndarray) and x.ndim == 2):
        return numerical.numerical_gradient(f, x)

    def scalar_f(v: np.ndarray) -> Any:
        value = f(v)
        if np.size(value) != 1:
            raise _NotScalar
        return value

    try:
        return numerical.numerical_gradient(scalar_f, x)
    except _NotScalar:  # x was restored by numerical_gradient before this
        return numerical_gradient_2d(f, x)


def numerical_gradient_2d(f: Callable[[np.ndarray], Any], X: np.ndarray) -> np.ndarray:
    """Gradient of ``f`` at every row of ``X`` (N, n), each row one point (``gradient_2d.py``).

    ``grad[i] = numerical_gradient(f, X[i])``; a 1-D ``X`` is one point.
    The rows are views of ``X``: they are perturbed in place and restored.
    """
    if not isinstance(X, np.ndarray) or X.ndim not in (1, 2):
        raise ValueError(f"X: expected a 1-D or 2-D NumPy array, got {np.shape(X)}")
    if X.ndim == 1:
        return numerical.numerical_gradient(f, X)
    grad = np.zeros_like(X)
    for i, row in enumerate(X):
        grad[i] = numerical.numerical_gradient(f, row)
    return grad


def gradient_descent(
    f: Callable[[np.ndarray], Any], init_x: np.ndarray, lr: float = 0.01, step_num: int = 100
) -> np.ndarray:
    """``step_num`` steps of ``x -= lr * grad f(x)`` from ``init_x``; returns x (book 4.4.1).

    The library's ``numerical.gradient_descent`` also returns the path taken;
    the book returns only the end point, so this does too.
    """
    x, _ = numerical.gradient_descent(f, init_x, lr=lr, step_num=step_num)
    return x


class simpleNet:
    """The book's one-layer example (4.4.2): ``z = x W``, softmax, cross entropy.

    ``W`` is a (2, 3) matrix. Without ``W`` and ``seed`` it is the book's
    ``np.random.randn(2, 3)`` (so ``np.random.seed`` fixes it, as in the
    book); with ``seed`` it is drawn from N(0, 1) by ``default_rng(seed)``.
    """

    def __init__(self, W: ArrayLike | None = None, seed: int | None = None) -> None:
        if W is None and seed is None:
            W = np.random.randn(2, 3)
        elif W is None:
            W = initializers.normal((2, 3), np.random.default_rng(seed), "float64", std=1.0)
        W = np.array(W, dtype=np.float64)
        if W.shape != (2, 3):
            raise ValueError(f"W: expected shape (2, 3), got {W.shape}")
        self.W = W

    def predict(self, x: ArrayLike) -> np.ndarray:
        """``x W``; ``x`` of shape (2,) or (N, 2)."""
        return np.dot(np.asarray(x, dtype=np.float64), self.W)

    def loss(self, x: ArrayLike, t: ArrayLike) -> float:
        """``cross_entropy_error(softmax(x W), t)``."""
        return cross_entropy_error(softmax(self.predict(x)), t)

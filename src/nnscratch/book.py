"""The book's names, for readers of "Deep Learning from Scratch" who type along.

Saitoh's chapters 2 to 4 define small functions (``step_function``,
``sigmoid``, ``softmax``, ``cross_entropy_error``, ``numerical_gradient``...)
and use them in scripts. This module gives the same names with the book's
signatures and return values; each one calls the library, none re-implements
it, so what a reader checks here is what ``nnscratch`` computes. ``forward``
and ``predict`` run the book's loop of ``np.dot`` and the library's
``sigmoid``/``softmax`` on the dict's own arrays, as fast as the book's code
(``io.from_book_weights`` gives the same network as a ``Sequential``).

    >>> from nnscratch.book import sigmoid
    >>> sigmoid(np.array([-1.0, 1.0, 2.0]))
    array([0.26894142, 0.73105858, 0.88079708])

Where the library differs from the book (and why) is written in
``docs/book.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnscratch import activations, initializers, losses, numerical
from nnscratch._atomic import atomic_path
from nnscratch.datasets.mnist import load_mnist
from nnscratch.io import read_book_weights

__all__ = [
    "cross_entropy_error",
    "forward",
    "get_data",
    "gradient_descent",
    "identity_function",
    "img_show",
    "init_network",
    "load_mnist",
    "mean_squared_error",
    "numerical_diff",
    "numerical_gradient",
    "predict",
    "relu",
    "sigmoid",
    "simpleNet",
    "softmax",
    "step_function",
]


# ------------------------------------------------------------------ chapter 3: activations


def step_function(x: ArrayLike) -> np.ndarray:
    """Step function (book 3.2.2): 1 where ``x > 0``, else 0."""
    return activations.step(np.asarray(x))


def sigmoid(x: ArrayLike) -> np.ndarray:
    """Sigmoid ``1 / (1 + exp(-x))`` (book 3.2.4), computed without overflow."""
    return activations.sigmoid(np.asarray(x))


def relu(x: ArrayLike) -> np.ndarray:
    """ReLU ``max(0, x)`` (book 3.2.7)."""
    return activations.relu(np.asarray(x))


def identity_function(x: ArrayLike) -> np.ndarray:
    """The identity, the book's output function for regression (3.4.3)."""
    return activations.linear(np.asarray(x))


def softmax(x: ArrayLike) -> np.ndarray:
    """Softmax over the last axis with the maximum subtracted (book 3.5.2)."""
    return activations.softmax(np.asarray(x))


# ------------------------------------------------------------------ chapter 4: losses, gradients


def mean_squared_error(y: ArrayLike, t: ArrayLike) -> float:
    """The book's "mean squared error" (4.2.1): ``0.5 * sum((y - t)**2)``.

    It is a halved *sum*, not a mean; the library calls it
    ``losses.sum_squared_error`` and keeps ``mean_squared_error`` for the mean.
    """
    return losses.sum_squared_error(np.asarray(y), np.asarray(t))


def cross_entropy_error(y: ArrayLike, t: ArrayLike) -> float:
    """Cross entropy ``-sum(t * log(y + 1e-7))`` of probabilities (book 4.2.2, 4.2.4)."""
    return losses.cross_entropy_error(np.asarray(y), np.asarray(t))


def numerical_diff(f: Callable[[float], Any], x: float) -> float:
    """Central difference ``(f(x + h) - f(x - h)) / 2h`` with ``h = 1e-4`` (book 4.3.1)."""
    return numerical.numerical_diff(f, x)


def numerical_gradient(f: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    """Gradient of ``f`` at the float array ``x`` by central differences (book 4.4, 4.4.2)."""
    return numerical.numerical_gradient(f, x)


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

    ``W`` is a (2, 3) matrix; without one it is drawn from N(0, 1) as the
    book's ``np.random.randn(2, 3)``, seeded by ``seed``.
    """

    def __init__(self, W: ArrayLike | None = None, seed: int | None = None) -> None:
        if W is None:
            rng = np.random.default_rng(seed)
            W = initializers.normal((2, 3), rng, "float64", std=1.0)
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


# ------------------------------------------------------------------ chapter 3: networks


_TOY_NETWORK = {
    "W1": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]],
    "b1": [0.1, 0.2, 0.3],
    "W2": [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]],
    "b2": [0.1, 0.2],
    "W3": [[0.1, 0.3], [0.2, 0.4]],
    "b3": [0.1, 0.2],
}


def init_network(path: str | os.PathLike[str] | None = None) -> dict[str, np.ndarray]:
    """The book's ``init_network()``: a dict of weights ``W1, b1, ..., W3, b3``.

    Without ``path``: the toy 3-layer network of section 3.4.3 (float64).
    With ``path``: the weights of ``sample_weight.pkl`` (section 3.6.2), read
    by the restricted unpickler (never ``pickle.load``) and checked.
    """
    if path is None:
        return {k: np.array(v, dtype=np.float64) for k, v in _TOY_NETWORK.items()}
    return read_book_weights(path)


def forward(network: dict[str, np.ndarray], x: ArrayLike) -> np.ndarray:
    """The book's ``forward`` (3.4.3): sigmoid hidden layers, identity output.

    ``x`` is one input (n,) or a batch (N, n); the result has the same rank.
    """
    return _affine_chain(network, x)


def predict(network: dict[str, np.ndarray], x: ArrayLike) -> np.ndarray:
    """The book's ``predict`` (3.6.2): sigmoid hidden layers, softmax output."""
    return activations.softmax(_affine_chain(network, x))


def _affine_chain(network: dict[str, np.ndarray], x: ArrayLike) -> np.ndarray:
    """``a_k`` of a book network: ``z = sigmoid(z W_i + b_i)`` for i < k, then ``z W_k + b_k``.

    The book's loop is run on the dict's own arrays, with the library's
    sigmoid, in the weights' dtype (as ``io.from_book_weights`` computes).
    Building a ``Sequential`` per call would cost about 90 us, ten times the
    arithmetic, and the book calls ``predict`` once per image (3.6.2).
    """
    pairs = _book_pairs(network)
    dtype = np.result_type(*(a for pair in pairs for a in pair))
    z = np.asarray(x, dtype=dtype)
    n_in = pairs[0][0].shape[0]
    if z.ndim not in (1, 2) or z.shape[-1] != n_in:
        raise ValueError(
            f"x: expected one input ({n_in},) or a batch (N, {n_in}), got shape {z.shape}"
        )
    for W, b in pairs[:-1]:
        z = activations.sigmoid(np.dot(z, W) + b)
    W, b = pairs[-1]
    return np.dot(z, W) + b


def _book_pairs(network: dict[str, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(W1, b1), ..., (Wk, bk)]`` of a book network dict, checked to chain."""
    if not isinstance(network, Mapping):
        raise TypeError(f"network: expected a dict of arrays, got {type(network).__name__}")
    depth = sum(1 for k in network if isinstance(k, str) and k.startswith("W"))
    if depth == 0 or set(network) != {f"{p}{i}" for i in range(1, depth + 1) for p in "Wb"}:
        raise ValueError(
            f"network: expected keys W1, b1, ..., Wk, bk, got {sorted(map(str, network))}"
        )
    pairs = []
    previous = None
    for i in range(1, depth + 1):
        W, b = np.asarray(network[f"W{i}"]), np.asarray(network[f"b{i}"])
        if W.dtype.kind != "f" or b.dtype.kind != "f":
            raise ValueError(
                f"network: expected floating-point arrays, got W{i} {W.dtype} and b{i} {b.dtype}"
            )
        if (
            W.ndim != 2
            or b.shape != (W.shape[1],)
            or (previous is not None and W.shape[0] != previous)
        ):
            raise ValueError(
                f"network: W{i} must be 2-D ({previous or 'n_in'}, n_out) and b{i} (n_out,), "
                f"got W{i} {W.shape} and b{i} {b.shape}"
            )
        previous = W.shape[1]
        pairs.append((W, b))
    return pairs


def get_data(
    data_dir: str | os.PathLike[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The book's ``get_data`` (3.6.2): MNIST test images normalised to [0, 1], and labels."""
    _, (x_test, t_test) = load_mnist(
        normalize=True, flatten=True, one_hot_label=False, data_dir=data_dir
    )
    return x_test, t_test


def img_show(img: ArrayLike, path: str | os.PathLike[str] = "digit.png") -> Path:
    """Save a grey image to ``path`` as PNG and return the path (book 3.6.1).

    The book opens a window with PIL's ``Image.show``; there may be no screen,
    so this writes the file instead. ``img`` is 2-D, values in [0, 255]
    (``load_mnist(normalize=False)``; reshape a flat image with
    ``img.reshape(28, 28)`` as the book does, or multiply a normalised one by 255).
    """
    try:
        from PIL import Image
    except ImportError as err:  # Pillow is the optional 'plot' extra
        raise ImportError("img_show needs Pillow: pip install 'nnscratch[plot]'") from err
    arr = np.asarray(img)
    if arr.ndim != 2:
        raise ValueError(f"img: expected a 2-D image (height, width), got shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() > 255):
        raise ValueError(f"img: expected values in [0, 255], got [{arr.min()}, {arr.max()}]")
    pixels = np.rint(arr).astype(np.uint8)
    with atomic_path(path, suffix=".png") as tmp:
        Image.fromarray(pixels).save(tmp, format="PNG")
    return Path(path)

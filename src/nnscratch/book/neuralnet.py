"""Chapter 3's names: ``init_network``, ``forward``, ``predict``, ``get_data``, ``img_show``.

``init_network()`` is the toy network of section 3.4.3, ``init_network(path)``
the book's ``sample_weight.pkl`` read safely. ``forward`` and ``predict`` run
the book's loop of ``np.dot`` and the library's ``sigmoid``/``softmax`` on the
dict's own arrays, as fast as the book's code (``io.from_book_weights`` gives
the same network as a ``Sequential``).

    >>> forward(init_network(), np.array([1.0, 0.5]))   # the book prints this (3.4.3)
    array([0.31682708, 0.69627909])
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from nnscratch import activations
from nnscratch._atomic import atomic_path
from nnscratch.book.mnist import load_mnist
from nnscratch.io import read_book_weights

__all__ = ["forward", "get_data", "img_show", "init_network", "predict"]


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

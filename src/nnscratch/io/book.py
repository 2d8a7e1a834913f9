"""The book's ``sample_weight.pkl``: read through a restricted unpickler, built as a network.

Reference: Saitoh, "Deep Learning from Scratch", sections 3.4.3 and 3.6.2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from nnscratch._safepickle import safe_load
from nnscratch.io.format import (
    BOOK_WEIGHT_SHAPES,
    ModelFileError,
    _non_finite,
)
from nnscratch.io.reader import _read_file
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential


def read_book_weights(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read the book's ``sample_weight.pkl`` as a dict ``{"W1": (784, 50), ..., "b3": (10,)}``.

    The restricted unpickler rebuilds only dicts and numeric NumPy arrays; any
    other global the file names (``os.system``, ``builtins.eval``...) is refused
    before it is imported, and nothing in the file runs. Raises
    ``ModelFileError`` naming the file and the refused global, missing key or
    wrong shape.
    """
    return _book_weights(path, _read_file(Path(path)))


def _book_weights(path: str | os.PathLike[str], data: bytes) -> dict[str, np.ndarray]:
    try:
        weights = safe_load(data)
    except Exception as err:  # UnsafePickleError, truncated streams, garbage
        reason = str(err) or type(err).__name__
        raise ModelFileError(path, f"cannot read it as the book's weight pickle: {reason}") from err
    problem = _book_weights_problem(weights)
    if problem:
        raise ModelFileError(path, problem)
    return weights


def _load_book_pickle(path: str | os.PathLike[str], data: bytes) -> Sequential:
    return from_book_weights(_book_weights(path, data))


def _book_weights_problem(weights: object) -> str | None:
    if not isinstance(weights, dict):
        return (
            f"expected a dict of arrays {sorted(BOOK_WEIGHT_SHAPES)}, got {type(weights).__name__}"
        )
    if set(weights) != set(BOOK_WEIGHT_SHAPES):
        return f"expected the keys {sorted(BOOK_WEIGHT_SHAPES)}, got {sorted(map(str, weights))}"
    for key, shape in BOOK_WEIGHT_SHAPES.items():
        value = weights[key]
        if not isinstance(value, np.ndarray) or value.shape != shape:
            got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            return f"{key}: expected an array of shape {shape}, got {got}"
        if value.dtype.kind != "f":
            return f"{key}: expected a floating-point array, got dtype {value.dtype}"
    bad = _non_finite(weights)
    if bad:
        return f"{bad}; refusing NaN or infinite weights"
    return None


def from_book_weights(
    weights: Mapping[str, np.ndarray], *, loss: str = "softmax_cross_entropy"
) -> Sequential:
    """Build the book's sigmoid network from a dict ``{"W1", "b1", ..., "Wk", "bk"}``.

    The layers are ``Dense(W1, b1), sigmoid, Dense(W2, b2), sigmoid, ...,
    Dense(Wk, bk)``: the book's ``predict(network, x)`` of section 3.4.3 and
    3.6.2. With the default loss, ``predict`` returns the logits ``a_k`` and
    ``predict_proba`` the book's ``softmax(a_k)``; with
    ``loss="mean_squared_error"`` the output function is the identity, as the
    book's toy network. The arrays are copied, in the dtype of ``W1`` (the
    book's are float32); shapes must chain: ``W_i`` is (n_i, n_{i+1}), ``b_i``
    is (n_{i+1},).
    """
    depth = _book_depth(weights)
    dtype = np.result_type(*(np.asarray(weights[k]).dtype for k in weights))
    if dtype.kind != "f":
        raise ValueError(f"weights: expected floating-point arrays, got dtype {dtype}")
    layers: list = []
    previous = None
    for i in range(1, depth + 1):
        w = np.asarray(weights[f"W{i}"])
        b = np.asarray(weights[f"b{i}"])
        if w.ndim != 2 or b.shape != (w.shape[1],):
            raise ValueError(
                f"weights: W{i} must be 2-D (n_in, n_out) and b{i} of shape (n_out,), "
                f"got W{i} {w.shape} and b{i} {b.shape}"
            )
        if previous is not None and w.shape[0] != previous:
            raise ValueError(
                f"weights: W{i} has {w.shape[0]} rows but W{i - 1} has {previous} columns"
            )
        previous = w.shape[1]
        # from_weights copies without drawing random numbers; seed=None below keeps them.
        layers.append(Dense.from_weights(w, b, dtype=dtype))
        layers.append(Activation("sigmoid"))
    layers.pop()  # the book applies its output function (softmax / identity) after a_k
    net = Sequential(layers, loss=loss, dtype=dtype.name)
    return net


def _book_depth(weights: Mapping[str, np.ndarray]) -> int:
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights: expected a dict of arrays, got {type(weights).__name__}")
    depth = sum(1 for k in weights if isinstance(k, str) and k.startswith("W"))
    expected = {f"{p}{i}" for i in range(1, depth + 1) for p in "Wb"}
    if depth == 0 or set(weights) != expected:
        raise ValueError(
            f"weights: expected the keys W1, b1, ..., Wk, bk, got {sorted(map(str, weights))}"
        )
    return depth

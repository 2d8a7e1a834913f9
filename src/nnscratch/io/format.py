"""The model file format: its keys and limits, its errors, and the checksum over its arrays.

See :mod:`nnscratch.io` for the layout of a file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

import numpy as np

from nnscratch.network import Sequential

FORMAT_KEY = "nnscratch.format"
FORMAT_VERSION = "1"
_CONFIG_KEY = "nnscratch.config"
_SHA256_KEY = "nnscratch.sha256"
#: Deepest nesting of lists and objects accepted in a file's JSON (configs nest 4 deep).
MAX_JSON_DEPTH = 32
#: Before a layer is built, the product of the sizes its config declares must
#: not exceed this many times the numbers its arrays in the file hold, plus
#: _SIZE_SLACK (layers without arrays: pools, dropout). Dense(784, 100) declares
#: 784 * 100 and stores 784 * 100 + 100 numbers.
_SIZE_FACTOR = 16
_SIZE_SLACK = 1 << 16
_RESERVED_PREFIX = "nnscratch."
_PICKLE_SUFFIXES = (".pkl", ".pickle")
_PICKLE_MAGIC = 0x80  # opcode PROTO, the first byte of every pickle of protocol >= 2
_PICKLE_PROTOCOLS = range(2, 6)  # the protocol number that follows PROTO

#: The arrays of the book's ``sample_weight.pkl`` and their shapes.
BOOK_WEIGHT_SHAPES: dict[str, tuple[int, ...]] = {
    "W1": (784, 50),
    "b1": (50,),
    "W2": (50, 100),
    "b2": (100,),
    "W3": (100, 10),
    "b3": (10,),
}


class ModelFileError(ValueError):
    """A model file that cannot be read: truncated, corrupt, or not a model.

    ``path`` is the file; the message names it and says what is wrong.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnverifiedModelWarning(UserWarning):
    """A model file without the checksum that ``save`` writes (made by an older nnscratch)."""


def tensors_sha256(config_json: str, tensors: Mapping[str, np.ndarray]) -> str:
    """The checksum ``save`` stores: sha256 of the config and every array, in name order.

    For each array: its name, NumPy dtype string (little-endian), shape, and
    its bytes in C order. A flipped bit in the data, a changed shape, a
    renamed array or an edited config all change it.
    """
    digest = hashlib.sha256(config_json.encode("utf-8"))
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        digest.update(f"\0{name}\0{little.dtype.str}\0{list(little.shape)}\0".encode())
        digest.update(little.data)
    return digest.hexdigest()


def _non_finite(tensors: Mapping[str, np.ndarray]) -> str | None:
    """A sentence naming the first array with NaN or infinite values, else None."""
    for name, array in tensors.items():
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            count = int(array.size - np.count_nonzero(np.isfinite(array)))
            return f"array {name!r} holds {count} NaN or infinite value" + "s" * (count != 1)
    return None


def _buffers(net: Sequential) -> dict[str, np.ndarray]:
    """Non-trainable state saved with the model (BatchNorm's running statistics)."""
    return dict(net.buffers())

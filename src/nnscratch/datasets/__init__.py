"""Data sets: MNIST (the book's ``load_mnist``), the IDX reader, small toy sets."""

from __future__ import annotations

from nnscratch.datasets.idx import IdxFormatError, parse_idx, read_idx, write_idx
from nnscratch.datasets.mnist import (
    MnistReport,
    MnistUnavailableError,
    fetch_mnist,
    load_mnist,
    mnist_cache_path,
)
from nnscratch.datasets.toy import blobs, logic_gate, moons, sine, spirals, xor

__all__ = [
    "IdxFormatError",
    "MnistReport",
    "MnistUnavailableError",
    "blobs",
    "fetch_mnist",
    "load_mnist",
    "logic_gate",
    "mnist_cache_path",
    "moons",
    "parse_idx",
    "read_idx",
    "sine",
    "spirals",
    "write_idx",
    "xor",
]

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

__all__ = [
    "IdxFormatError",
    "MnistReport",
    "MnistUnavailableError",
    "fetch_mnist",
    "load_mnist",
    "mnist_cache_path",
    "parse_idx",
    "read_idx",
    "write_idx",
]

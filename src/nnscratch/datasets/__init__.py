"""Data sets: MNIST (the book's ``load_mnist``), the IDX reader, small toy sets."""

from __future__ import annotations

from nnscratch.datasets.idx import IdxFormatError, parse_idx, read_idx, write_idx

__all__ = ["IdxFormatError", "parse_idx", "read_idx", "write_idx"]

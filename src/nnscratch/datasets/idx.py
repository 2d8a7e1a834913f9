"""Read and write IDX files, the format of the MNIST database.

Layout (Y. LeCun, C. Cortes, C. J. C. Burges, "THE MNIST DATABASE of
handwritten digits", the section "FILE FORMATS FOR THE MNIST DATABASE"):

====================  =======================================================
bytes 0-1             zero
byte 2                element type: 0x08 uint8, 0x09 int8, 0x0B int16,
                      0x0C int32, 0x0D float32, 0x0E float64
byte 3                number of dimensions ``ndim``
next ``4 * ndim``     each dimension as a big-endian uint32
rest                  the elements, big-endian, C order (last index fastest)
====================  =======================================================

So MNIST images start with the magic number 0x00000803 (uint8, 3 dims: N, 28,
28) and labels with 0x00000801 (uint8, 1 dim: N). Files may be gzip-compressed;
the reader looks at the first two bytes, not the file name.

The sizes a header declares are checked before memory is spent on them
(Python integers, so no product wraps around): against an expected ``shape``
when the caller knows it, and against ``max_bytes``. Compressed files are
inflated as a stream that stops at the declared size, so a small gzip file
that would expand to gigabytes (a "gzip bomb") costs no more memory than the
data its header declares.
"""

from __future__ import annotations

import gzip
import math
import os
import stat
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

__all__ = [
    "IDX_DTYPES",
    "MAX_BYTES",
    "IdxFormatError",
    "parse_idx",
    "read_idx",
    "read_idx_stream",
    "write_idx",
]

#: Element type code (byte 2 of the magic number) -> big-endian NumPy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
#: ``read_idx`` refuses a file whose header declares more data than this
#: (1 GiB; MNIST's largest file holds 47 MB). Pass ``max_bytes`` for more.
MAX_BYTES = 1 << 30
_CHUNK = 1 << 20


class IdxFormatError(ValueError):
    """The bytes are not a well-formed IDX file."""


def parse_idx(data: bytes, *, ndim: int | None = None, name: str = "IDX data") -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file into a native-endian array.

    Args:
        data: the whole file.
        ndim: if given, the number of dimensions the file must declare
            (3 for MNIST images, 1 for labels).
        name: how errors refer to the data (a file name, say).

    Returns:
        A new, writable array of shape ``dims`` and the file's element type in
        native byte order.

    Raises:
        IdxFormatError: bad magic number, unknown type code, wrong ``ndim``,
            or a payload whose length does not match the dimensions.
    """
    view = memoryview(data)
    code, count = _magic(bytes(view[:4]), ndim, name)
    header = 4 + 4 * count
    if len(view) < header:
        raise IdxFormatError(
            f"truncated IDX file {name}: header declares {count} dimensions "
            f"({header} bytes), file has {len(view)} bytes"
        )
    dims = tuple(int.from_bytes(view[4 + 4 * i : 8 + 4 * i], "big") for i in range(count))
    dtype = IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize  # Python ints: no wrap-around
    got = len(view) - header
    if got < expected:
        raise IdxFormatError(
            f"truncated IDX file {name}: expected {expected} bytes of data, got {got} "
            f"(shape {dims})"
        )
    if got > expected:
        raise IdxFormatError(
            f"{name}: IDX file has {got - expected} bytes after the data of shape {dims}"
        )
    flat = np.frombuffer(view, dtype=dtype, offset=header)
    return flat.astype(dtype.newbyteorder("="), copy=True).reshape(dims)


def read_idx(
    path: str | os.PathLike[str],
    *,
    ndim: int | None = None,
    shape: Sequence[int] | None = None,
    max_bytes: int = MAX_BYTES,
) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not, into a native-endian array.

    Compression is recognised by the gzip magic bytes ``1f 8b`` (an IDX file
    always starts with ``00 00``). ``ndim`` and ``shape``, when given, are
    what the header must declare; ``max_bytes`` bounds the data it may
    declare. See :func:`read_idx_stream`; a damaged gzip stream also raises
    :class:`IdxFormatError`, and so does a path that is not a regular file.
    """
    path = Path(path)
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise IdxFormatError(f"{path}: not a regular file")
    with open(path, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not compressed:
            return read_idx_stream(raw, ndim=ndim, shape=shape, max_bytes=max_bytes, name=str(path))
        with gzip.GzipFile(fileobj=raw) as stream:
            return read_idx_stream(
                stream, ndim=ndim, shape=shape, max_bytes=max_bytes, name=str(path)
            )


def read_idx_stream(
    stream: BinaryIO,
    *,
    ndim: int | None = None,
    shape: Sequence[int] | None = None,
    max_bytes: int = MAX_BYTES,
    name: str = "IDX data",
) -> np.ndarray:
    """Decode an IDX file from a binary stream (a file, a ``GzipFile``), reading no more
    than its header declares.

    The header is read and checked first: the magic number, ``ndim``, the
    expected ``shape`` and ``max_bytes`` (all Python integers). Then exactly
    the declared number of bytes is read, in 1 MiB pieces, and one byte more
    to make sure nothing follows. Errors of a gzip stream (damaged or cut
    off) become :class:`IdxFormatError` naming ``name``.
    """
    try:
        return _read_idx_stream(stream, ndim, shape, max_bytes, name)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise IdxFormatError(f"{name}: damaged gzip data ({exc})") from exc


def _read_idx_stream(
    stream: BinaryIO, ndim: int | None, shape: Sequence[int] | None, max_bytes: int, name: str
) -> np.ndarray:
    code, count = _magic(bytes(_read_up_to(stream, 4)), ndim, name)
    raw_dims = _read_up_to(stream, 4 * count)
    if len(raw_dims) < 4 * count:
        raise IdxFormatError(
            f"truncated IDX file {name}: header declares {count} dimensions, "
            f"file ends after {4 + len(raw_dims)} bytes"
        )
    dims = tuple(int.from_bytes(raw_dims[4 * i : 4 * i + 4], "big") for i in range(count))
    if shape is not None and dims != tuple(shape):
        raise IdxFormatError(f"{name}: header declares shape {dims}, expected {tuple(shape)}")
    dtype = IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize  # Python ints: no wrap-around
    if expected > max_bytes:
        raise IdxFormatError(
            f"{name}: header declares shape {dims}, {expected:,} bytes of data, "
            f"more than max_bytes={max_bytes:,}"
        )
    payload = _read_up_to(stream, expected)
    if len(payload) < expected:
        raise IdxFormatError(
            f"truncated IDX file {name}: expected {expected} bytes of data, "
            f"got {len(payload)} (shape {dims})"
        )
    if stream.read(1):
        raise IdxFormatError(f"{name}: IDX file has more bytes after the data of shape {dims}")
    flat = np.frombuffer(payload, dtype=dtype)
    return flat.astype(dtype.newbyteorder("="), copy=True).reshape(dims)


def _magic(head: bytes, ndim: int | None, name: str) -> tuple[int, int]:
    """The type code and the number of dimensions from the 4-byte magic number ``head``."""
    if len(head) < 4:
        raise IdxFormatError(f"{name}: too short for an IDX header ({len(head)} bytes)")
    if head[0] != 0 or head[1] != 0:
        magic = int.from_bytes(head, "big")
        raise IdxFormatError(
            f"{name}: bad IDX magic number 0x{magic:08X}: expected the first two bytes to be "
            "zero (MNIST images start 0x00000803, labels 0x00000801)"
        )
    code, count = head[2], head[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise IdxFormatError(f"{name}: unknown IDX type code 0x{code:02X}; expected one of {known}")
    if ndim is not None and count != ndim:
        raise IdxFormatError(f"{name}: expected an IDX file of {ndim} dimensions, got {count}")
    return code, count


def _read_up_to(stream: BinaryIO, size: int) -> bytearray:
    """Read ``size`` bytes or until the stream ends, growing only as data arrive."""
    out = bytearray()
    while len(out) < size:
        chunk = stream.read(min(_CHUNK, size - len(out)))
        if not chunk:
            break
        out += chunk
    return out


def write_idx(array: np.ndarray) -> bytes:
    """Encode ``array`` as the bytes of an IDX file (the inverse of :func:`parse_idx`).

    The dtype must be one of the IDX element types (uint8, int8, int16, int32,
    float32, float64); at most 255 dimensions, each below 2**32.
    """
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        names = ", ".join(str(dt.newbyteorder("=")) for dt in IDX_DTYPES.values())
        raise TypeError(f"array: expected dtype {names}, got {array.dtype}")
    if array.ndim > 255 or any(d >= 2**32 for d in array.shape):
        raise ValueError(f"array: shape {array.shape} does not fit an IDX header")
    header = bytes([0, 0, codes[native], array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    big = np.ascontiguousarray(array, dtype=IDX_DTYPES[codes[native]])
    return header + big.tobytes()

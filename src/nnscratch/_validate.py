"""One way to check arguments: declarative specs, one wording for every error.

Every public function and constructor checks its arguments at the boundary
with these helpers, so every bad argument reads the same way::

    <name>: expected <what was expected>, got <what came>

A value of the wrong *type* raises ``TypeError``; a value of the right type
outside its range (or of the wrong shape) raises ``ValueError``. Booleans are
never numbers here (``True`` is not an integer ``>= 1``).

The specs are small objects, as scikit-learn's ``Interval`` and
``StrOptions`` (sklearn/utils/_param_validation.py)::

    lr = check("lr", lr, Real(0, None, low_open=True))      # a positive finite number
    epochs = check("epochs", epochs, Integer(1))              # an integer >= 1
    mode = check("mode", mode, Options("min", "max"))

and the helpers below (:func:`check_seed`, :func:`check_float_dtype`,
:func:`check_array`, ...) cover the families every module needs.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = [
    "Integer",
    "Options",
    "Real",
    "check",
    "check_array",
    "check_bool",
    "check_callable",
    "check_float_dtype",
    "check_seed",
    "fail",
]


def fail(name: str, expected: str, got: Any, error: type[Exception] = ValueError) -> Exception:
    """The error of every check: ``"<name>: expected <expected>, got <got>"``.

    ``got`` is shown with ``repr`` unless it is already a string describing it
    (pass ``str`` values through :func:`repr` yourself to quote them).
    """
    shown = got if isinstance(got, str) else repr(got)
    return error(f"{name}: expected {expected}, got {shown}")


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


class Real:
    """A finite real number in [low, high] (each bound optional, each may be open).

    ``Real(0, None, low_open=True)`` reads "a positive finite number",
    ``Real(0)`` "a non-negative finite number", ``Real(0, 1, high_open=True)``
    "a number in [0, 1)". ``finite=False`` admits infinities (never NaN).
    """

    def __init__(
        self,
        low: float | None = None,
        high: float | None = None,
        *,
        low_open: bool = False,
        high_open: bool = False,
        finite: bool = True,
    ) -> None:
        self.low, self.high = low, high
        self.low_open, self.high_open, self.finite = low_open, high_open, finite

    def describe(self) -> str:
        low, high = self.low, self.high
        if low is not None and high is not None:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            return f"a number in {left}{_fmt(low)}, {_fmt(high)}{right}"
        finite = "finite " if self.finite else ""
        if low == 0 and high is None:
            return (
                f"a positive {finite}number" if self.low_open else f"a non-negative {finite}number"
            )
        if low is not None:
            return f"a {finite}number {'>' if self.low_open else '>='} {_fmt(low)}"
        if high is not None:
            return f"a {finite}number {'<' if self.high_open else '<='} {_fmt(high)}"
        return f"a {finite}real number"

    def admits(self, v: float) -> bool:
        if math.isnan(v) or (self.finite and math.isinf(v)):
            return False
        if self.low is not None and (v < self.low or (self.low_open and v == self.low)):
            return False
        return self.high is None or not (v > self.high or (self.high_open and v == self.high))

    def __call__(self, name: str, value: Any) -> float:
        if not _is_real(value):
            raise fail(name, self.describe(), value, TypeError)
        v = float(value)
        if not self.admits(v):
            raise fail(name, self.describe(), value)
        return v


class Integer:
    """An integer in [low, high] (each bound optional): ``Integer(1)`` is "an integer >= 1"."""

    def __init__(self, low: int | None = None, high: int | None = None) -> None:
        self.low, self.high = low, high

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"an integer in [{self.low}, {self.high}]"
        if self.low is not None:
            return f"an integer >= {self.low}"
        if self.high is not None:
            return f"an integer <= {self.high}"
        return "an integer"

    def __call__(self, name: str, value: Any) -> int:
        if not _is_integer(value):
            raise fail(name, self.describe(), value, TypeError)
        v = int(value)
        if (self.low is not None and v < self.low) or (self.high is not None and v > self.high):
            raise fail(name, self.describe(), value)
        return v


class Options:
    """One of a fixed set of strings, matched exactly: ``Options("min", "max")``."""

    def __init__(self, *options: str) -> None:
        self.options = tuple(options)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)

    def __call__(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise fail(name, self.describe(), value, TypeError)
        if value not in self.options:
            raise fail(name, self.describe(), repr(value))
        return value


def check(name: str, value: Any, spec: Callable[[str, Any], Any], *, none: bool = False) -> Any:
    """``value`` checked (and normalised) by ``spec``; ``none=True`` lets None through."""
    if none and value is None:
        return None
    return spec(name, value)


def check_bool(name: str, value: Any) -> bool:
    """A real bool (``True``/``False``/``np.bool_``); 0 and 1 are refused, as are strings."""
    if not isinstance(value, bool | np.bool_):
        raise fail(name, "True or False", value, TypeError)
    return bool(value)


def check_callable(name: str, value: Any, *, optional: bool = False) -> Any:
    """``value`` if it is callable (or None when ``optional``)."""
    if value is None and optional:
        return None
    if not callable(value):
        raise fail(name, "a callable", type(value).__name__, TypeError)
    return value


def check_seed(name: str, seed: Any, *, generator: bool = False) -> Any:
    """None, an integer >= 0, or (``generator=True``) a ``numpy.random.Generator``."""
    if seed is None or (generator and isinstance(seed, np.random.Generator)):
        return seed
    what = "None, an integer >= 0" + (" or a numpy Generator" if generator else "")
    if not _is_integer(seed):
        raise fail(name, what, seed, TypeError)
    if seed < 0:
        raise fail(name, what, seed)
    return int(seed)


def check_float_dtype(name: str, dtype: Any) -> np.dtype:
    """A floating NumPy dtype (``"float32"``, ``np.float64``, ...)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise fail(name, "a floating dtype such as 'float32'", dtype, TypeError) from None
    if dt.kind != "f":
        raise fail(name, "a floating dtype such as 'float32'", str(dt), TypeError)
    return dt


def check_array(
    name: str,
    x: Any,
    *,
    ndim: int | Iterable[int] | None = None,
    kinds: str = "fiub",
    finite: bool = False,
    nonempty: bool = False,
) -> np.ndarray:
    """``x`` as an array of a real kind (``kinds`` of ``dtype.kind``), checked; no copy.

    ``ndim`` is one number of dimensions or several; ``finite`` refuses NaN and
    infinities, naming the first bad entry; ``nonempty`` refuses size 0.
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in kinds:
        raise fail(name, "a real-valued array", f"dtype {arr.dtype}", TypeError)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise fail(name, f"a {want} array", f"shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise fail(name, "a non-empty array", f"shape {arr.shape}")
    if finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise fail(name, "finite values", f"{arr[bad]} at index {bad}")
    return arr

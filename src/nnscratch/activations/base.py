"""The activation base class: value, gradient, config; the input checks written once."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from nnscratch._special import erf64, erfc64

__all__ = ["ActivationFunction", "erf", "erfc"]

Array = np.ndarray
Result = Any  # an ndarray, or a NumPy scalar for 0-d input


# ----------------------------------------------------------------------------- helpers


def _as_float(x: ArrayLike, name: str) -> np.ndarray:
    """``x`` as a floating array: floats keep their dtype, bool/integers become float64."""
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return x
    a = np.asarray(x)
    kind = a.dtype.kind
    if kind == "f":
        return a
    if kind in "biu":
        return a.astype(np.float64)
    raise TypeError(f"{name}: expected a real numeric array, got dtype {a.dtype}")


def _check_out(out: Any, shape: tuple[int, ...]) -> None:
    if not isinstance(out, np.ndarray) or out.dtype.kind != "f":
        kind = getattr(out, "dtype", type(out).__name__)
        raise TypeError(f"out: expected a floating NumPy array, got {kind}")
    if out.shape != shape:
        raise ValueError(f"out: expected shape {shape}, got {out.shape}")


def _scalar(y: np.ndarray) -> Result:
    return y if y.ndim else y[()]


# ----------------------------------------------------------------------------- erf


def erf(x: ArrayLike) -> Result:
    """The error function ``erf(x) = 2/sqrt(pi) * int_0^x exp(-t^2) dt``, vectorised.

    Evaluated in float64 with W. J. Cody's rational Chebyshev approximations
    (Math. Comp. 23, 1969, 631-637; coefficients of his SPECFUN ``CALERF``;
    the code is in ``nnscratch._special``); relative error about 1e-16 against
    ``scipy.special.erf``. The result has ``x``'s shape and floating dtype
    (float64 for integer input).
    """
    xf = _as_float(x, "x")
    return _scalar(erf64(xf).astype(xf.dtype, copy=False))


def erfc(x: ArrayLike) -> Result:
    """The complementary error function ``erfc(x) = 1 - erf(x)``, without cancellation.

    Same method and accuracy as :func:`erf`; ``erfc(x)`` keeps full relative
    accuracy for large positive x (down to underflow near x = 26.5).
    """
    xf = _as_float(x, "x")
    return _scalar(erfc64(xf).astype(xf.dtype, copy=False))


# ----------------------------------------------------------------------------- base class


class ActivationFunction:
    """Base class: an activation with its value, its gradient and its config.

    Subclasses set ``name`` (the registry name), ``elementwise``, ``_defaults``
    (constructor arguments and their defaults) and implement ``_forward(x, out)``
    and either ``_derivative(x, y, out)`` (elementwise) or ``_vjp(x, y, dout,
    out)``; the public methods validate input, handle dtypes, 0-d input and
    ``out=``.
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    elementwise: ClassVar[bool] = True
    _defaults: ClassVar[dict[str, Any]] = {}

    # -- values
    def __call__(self, x: ArrayLike, out: np.ndarray | None = None) -> Result:
        """``y = f(x)``, shape and floating dtype of ``x``; into ``out`` if given (may be ``x``)."""
        # Fast path, the layers' case: a floating ndarray of at least one dimension
        # and a floating ndarray ``out`` of its shape (or none). Exactly the checks
        # below, inlined; anything else takes the general path.
        if type(x) is np.ndarray and x.ndim and x.dtype.kind == "f":
            if out is None:
                return self._forward(x, np.empty_like(x))
            if type(out) is np.ndarray and out.shape == x.shape and out.dtype.kind == "f":
                return self._forward(x, out)
        x = _as_float(x, "x")
        if out is not None:
            _check_out(out, x.shape)
        if x.ndim == 0 and self.elementwise:
            x1 = x.reshape(1)  # a 1-element view, so every in-place step gets an array
            o = np.empty_like(x1) if out is None else (x1 if out is x else out.reshape(1))
            self._forward(x1, o)
            return o[0] if out is None else out
        return self._forward(x, np.empty_like(x) if out is None else out)

    def vjp(
        self,
        x: ArrayLike,
        y: ArrayLike | None,
        dout: ArrayLike,
        out: np.ndarray | None = None,
    ) -> Result:
        """``dx = dout * dy/dx`` (elementwise) or ``J^T dout``; shapes all equal ``x.shape``.

        ``y`` is the cached ``f(x)`` (``None`` recomputes it). ``dout`` is never
        written to; ``out``, when given, must be an array of its own (not
        ``x``, ``y`` or ``dout``).
        """
        if (  # fast path: floating ndarrays of one shape, ``out`` a distinct one of them
            type(out) is np.ndarray
            and type(x) is np.ndarray
            and type(y) is np.ndarray
            and type(dout) is np.ndarray
            and x.ndim
            and x.shape == y.shape == dout.shape == out.shape
            and x.dtype.kind == y.dtype.kind == dout.dtype.kind == out.dtype.kind == "f"
            and out is not x
            and out is not y
            and out is not dout
        ):
            return self._vjp(x, y, dout, out)
        x = _as_float(x, "x")
        dout = _as_float(dout, "dout")
        y = self(x) if y is None else _as_float(y, "y")
        if np.shape(y) != x.shape:
            raise ValueError(f"y: expected the shape of x {x.shape}, got {np.shape(y)}")
        if dout.shape != x.shape:
            raise ValueError(f"dout: expected the shape of x {x.shape}, got {dout.shape}")
        if out is not None:
            _check_out(out, x.shape)
            if out is dout or out is x or out is y:
                raise ValueError("out: expected an array of its own, got x, y or dout itself")
        if x.ndim == 0 and self.elementwise:
            o = np.empty(1, np.result_type(x.dtype, dout.dtype)) if out is None else out.reshape(1)
            self._vjp(x.reshape(1), np.reshape(y, 1), dout.reshape(1), o)
            return o[0] if out is None else out
        if out is None:
            out = np.empty(x.shape, dtype=np.result_type(x.dtype, dout.dtype))
        return self._vjp(x, y, dout, out)

    def derivative(self, x: ArrayLike, y: ArrayLike | None = None) -> Result:
        """``dy/dx`` elementwise, shape and dtype of ``x`` (elementwise functions only)."""
        if not self.elementwise:
            raise TypeError(
                f"{self.name}: not elementwise (its Jacobian is not diagonal); "
                f"use vjp(x, y, dout) instead of derivative"
            )
        x = _as_float(x, "x")
        y = self(x) if y is None else _as_float(y, "y")
        if np.shape(y) != x.shape:
            raise ValueError(f"y: expected the shape of x {x.shape}, got {np.shape(y)}")
        if x.ndim == 0:
            return self._derivative(x.reshape(1), np.reshape(y, 1), np.empty(1, x.dtype))[0]
        return self._derivative(x, y, np.empty_like(x))

    # -- to implement
    def _forward(self, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _derivative(self, x: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _vjp(self, x: np.ndarray, y: np.ndarray, dout: np.ndarray, out: np.ndarray) -> np.ndarray:
        self._derivative(x, y, out)
        return np.multiply(out, dout, out=out)

    # -- config
    def get_config(self) -> dict[str, Any]:
        """Constructor arguments (JSON-able), e.g. ``{"negative_slope": 0.2}``."""
        return {k: getattr(self, k) for k in self._defaults}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ActivationFunction:
        """Build from ``get_config()``'s dict; unknown keys raise ``ValueError``."""
        if not isinstance(config, dict):
            raise TypeError(f"{cls.name}: config expected a dict, got {type(config).__name__}")
        unknown = sorted(set(config) - set(cls._defaults))
        if unknown:
            raise ValueError(
                f"{cls.name}: unknown config keys {unknown}; expected some of "
                f"{sorted(cls._defaults)}"
            )
        return cls(**config)

    def is_default(self) -> bool:
        """True when every constructor argument has its default value."""
        return self.get_config() == self._defaults

    def __repr__(self) -> str:
        cfg = self.get_config()
        args = ", ".join(f"{k}={v!r}" for k, v in cfg.items() if v != self._defaults[k])
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ActivationFunction):
            return NotImplemented
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        cfg = tuple(sorted((k, repr(v)) for k, v in self.get_config().items()))
        return hash((type(self).__name__, cfg))

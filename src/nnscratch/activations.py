"""Activation functions: values, gradients and a Keras-style registry.

Every activation is a small object (an :class:`ActivationFunction`) with

* ``f(x, out=None) -> y``: the value, same shape and floating dtype as ``x``;
* ``f.vjp(x, y, dout, out=None) -> dx``: the vector-Jacobian product
  ``dL/dx`` from ``dL/dy = dout`` (``y`` is the cached ``f(x)``; ``None``
  recomputes it);
* ``f.derivative(x, y=None) -> dy/dx`` for the elementwise ones;
* ``name``, ``elementwise``, ``get_config()``, equality, a short ``repr``;

and a module-level function of the same name taking Keras's argument names,
``relu(x, negative_slope=0.0, max_value=None, threshold=0.0)``.

================  ==========================================  ===================
name (aliases)    formula                                     parameters
================  ==========================================  ===================
step              1 if x > 0 else 0 (the perceptron's)        --
sign              -1, 0, 1                                    --
linear (identity) x                                           --
sigmoid           1 / (1 + exp(-x))                           --
hard_sigmoid      relu6(x + 3) / 6 (Keras 3, PyTorch)         --
hard_silu         x * relu6(x + 3) / 6                        --
  (hard_swish)
tanh              tanh(x)                                     --
relu              x if x > threshold (capped at max_value),   negative_slope=0,
                  else negative_slope * (x - threshold)       max_value=None,
                                                              threshold=0
relu6             min(max(x, 0), 6)                           --
leaky_relu        x if x > 0 else negative_slope * x          negative_slope=0.2
elu               x if x > 0 else alpha * (exp(x) - 1)        alpha=1.0
selu              scale * elu(x, alpha), fixed constants      --
gelu              x * Phi(x) (erf), or its tanh form          approximate=False
softplus          log(1 + exp(x))                             --
softsign          x / (1 + |x|)                               --
silu (swish)      x * sigmoid(x)                              --
mish              x * tanh(softplus(x))                       --
exponential       exp(x)                                      --
softmax           exp(x_i) / sum_j exp(x_j) along axis        axis=-1
log_softmax       x_i - log(sum_j exp(x_j)) along axis        axis=-1
================  ==========================================  ===================

Kinks. Where a function has a corner (relu at 0, relu6 at 0 and 6, ...) the
derivative there is the one of the *outer* piece: the flat, negative or
saturated side, i.e. the value and gradient code share one comparison such as
``x > 0``. So relu'(0) = 0 (PyTorch, and the book's ``x <= 0`` mask),
leaky_relu'(0) = negative_slope, relu6'(0) = relu6'(6) = 0,
hard_sigmoid'(+-3) = 0, hard_silu'(-3) = 0 and hard_silu'(3) = 1, elu'(0) =
alpha, step'(0) = sign'(0) = 0. The page ``docs/activations.md`` lists them all.

Numbers. Integer input is promoted to float64, floating input keeps its dtype
(float32 in, float32 out), 0-d input gives a NumPy scalar. Every function but
``exponential`` (which overflows by definition) returns finite values without
overflow or invalid-value warnings for every finite input whose exact result
is representable. Exact GELU needs ``erf``, which NumPy lacks: :func:`erf` and
:func:`erfc` here evaluate W. J. Cody's rational Chebyshev approximations in
float64 (relative error about 1e-16; the code is in ``nnscratch._special``),
so SciPy is not needed. Sigmoid, softmax and log-softmax are the ones of
``nnscratch.functional``, shared with the layers and the losses.

Buffers. ``__call__`` and ``vjp`` take ``out=`` (``out`` may be ``x`` itself
in ``__call__``, never in ``vjp``; ``dout`` is never written). Why:
docs/performance.md.

References: Saitoh, "Deep Learning from Scratch", ch. 3 and 5; Keras 3
``keras.activations``; Clevert et al. 2015 (ELU); Klambauer et al. 2017
(SELU); Hendrycks and Gimpel 2016 (GELU); Ramachandran et al. 2017 (swish);
Misra 2019 (Mish); Howard et al. 2019 (hard swish).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from nnscratch import functional as F
from nnscratch._registry import Registry
from nnscratch._special import erf64, erfc64
from nnscratch._validate import Real, check, check_bool, fail

__all__ = [
    "ELU",
    "GELU",
    "SELU",
    "ActivationFunction",
    "Exponential",
    "HardSiLU",
    "HardSigmoid",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "Mish",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "Sign",
    "Softmax",
    "Softplus",
    "Softsign",
    "Step",
    "Tanh",
    "deserialize",
    "elu",
    "erf",
    "erfc",
    "exponential",
    "gelu",
    "get",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "identity",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mish",
    "names",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "sign",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "step",
    "swish",
    "tanh",
]

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


# ----------------------------------------------------------------------------- thresholds


class Step(ActivationFunction):
    """Step function (the perceptron's, book 3.2.2): 1 where ``x > 0``, else 0.

    Derivative 0 everywhere; at the jump ``x = 0`` (where none exists) the
    convention is 0 too, so no gradient flows (use it for perceptrons, not for
    backpropagation).
    """

    name = "step"

    def _forward(self, x, out):
        return np.greater(x, 0, out=out)

    def _derivative(self, x, y, out):
        out[...] = 0
        return out

    def _vjp(self, x, y, dout, out):
        out[...] = 0
        return out


class Sign(ActivationFunction):
    """Sign: -1 where ``x < 0``, 0 at 0 and 1 where ``x > 0``; derivative 0, also at 0."""

    name = "sign"

    def _forward(self, x, out):
        return np.sign(x, out=out)

    _derivative = Step._derivative
    _vjp = Step._vjp


# ----------------------------------------------------------------------------- smooth classics


class Linear(ActivationFunction):
    """Identity ``y = x`` (the book's ``identity_function``); derivative 1.

    Returns a copy unless ``out`` is given; ``linear(x, out=x)`` does no work.
    """

    name = "linear"
    aliases = ("identity",)

    def _forward(self, x, out):
        if out is not x:
            np.copyto(out, x)
        return out

    def _derivative(self, x, y, out):
        out[...] = 1
        return out

    def _vjp(self, x, y, dout, out):
        np.copyto(out, dout)
        return out


class Sigmoid(ActivationFunction):
    """Logistic sigmoid ``y = 1 / (1 + exp(-x))`` (book 3.2.4).

    Never overflows or warns: ``sigmoid(-1000) = 0``, ``sigmoid(1000) = 1``.
    Derivative from the cached output: ``y (1 - y)``; the vjp computes
    ``dout * y * (1 - y)`` in ``out`` with no temporary.
    """

    name = "sigmoid"

    def _forward(self, x, out):
        return F.sigmoid(x, out)

    def _derivative(self, x, y, out):
        np.subtract(1, y, out=out)
        return np.multiply(out, y, out=out)

    def _vjp(self, x, y, dout, out):
        return F.sigmoid_backward(y, dout, out)


class Tanh(ActivationFunction):
    """Hyperbolic tangent ``y = tanh(x)``; derivative from the cached output ``1 - y^2``."""

    name = "tanh"

    def _forward(self, x, out):
        return np.tanh(x, out=out)

    def _derivative(self, x, y, out):
        np.multiply(y, y, out=out)
        return np.subtract(1, out, out=out)


class Softplus(ActivationFunction):
    """Softplus ``y = log(1 + exp(x))``, computed as ``logaddexp(x, 0)`` (no overflow).

    ``softplus(1000) = 1000``. Derivative ``sigmoid(x)``, here from the cached
    output: ``1 - exp(-y) = -expm1(-y)`` (one transcendental, accurate on both
    tails).
    """

    name = "softplus"

    def _forward(self, x, out):
        return np.logaddexp(x, 0, out=out)

    def _derivative(self, x, y, out):
        np.negative(y, out=out)
        np.expm1(out, out=out)
        return np.negative(out, out=out)


class Softsign(ActivationFunction):
    """Softsign ``y = x / (1 + |x|)``; derivative ``1 / (1 + |x|)^2`` (no overflow for huge x)."""

    name = "softsign"

    def _forward(self, x, out):
        den = np.abs(x)
        den += 1
        return np.divide(x, den, out=out)

    def _derivative(self, x, y, out):
        np.abs(x, out=out)
        out += 1
        np.divide(1, out, out=out)
        return np.multiply(out, out, out=out)


class Exponential(ActivationFunction):
    """Exponential ``y = exp(x)``; derivative ``y`` (the cached output).

    Overflows by definition (to inf, with NumPy's overflow warning) for
    x > 709.78 in float64 or x > 88.72 in float32: the only function here that
    does.
    """

    name = "exponential"

    def _forward(self, x, out):
        return np.exp(x, out=out)

    def _derivative(self, x, y, out):
        np.copyto(out, y)
        return out


# ----------------------------------------------------------------------------- rectifiers


class ReLU(ActivationFunction):
    """Rectified linear unit, with Keras's optional leak, cap and threshold.

    ``y = min(x, max_value)`` where ``x > threshold``, else
    ``negative_slope * (x - threshold)``; the default is ``max(x, 0)`` (book
    3.2.7). Derivative 1 on ``threshold < x < max_value``, 0 on
    ``x >= max_value``, ``negative_slope`` on ``x <= threshold``: at the kinks
    relu'(threshold) = negative_slope (so relu'(0) = 0, as PyTorch and the
    book's ``x <= 0`` mask) and relu'(max_value) = 0. With ``threshold > 0``
    the value jumps from 0 to ``threshold`` there, as in Keras.

    All three parameters must be >= 0 (as Keras's ``ReLU`` layer checks). The
    default form runs with no temporary array: ``np.maximum(x, 0, out=out)``,
    and the vjp writes the mask ``x > 0`` into ``out`` and multiplies by ``dout``
    in place.
    """

    name = "relu"
    _defaults: ClassVar[dict[str, Any]] = {
        "negative_slope": 0.0,
        "max_value": None,
        "threshold": 0.0,
    }

    def __init__(
        self,
        negative_slope: float = 0.0,
        max_value: float | None = None,
        threshold: float = 0.0,
    ) -> None:
        self.negative_slope = check("negative_slope", negative_slope, Real(0))
        self.max_value = check("max_value", max_value, Real(0), none=True)
        self.threshold = check("threshold", threshold, Real(0))
        self._plain = self.negative_slope == 0 and self.max_value is None and self.threshold == 0

    def _forward(self, x, out):
        if self._plain:
            return np.maximum(x, 0, out=out)
        upper = x if self.max_value is None else np.minimum(x, self.max_value)
        if self.negative_slope == 0:
            lower: Any = 0
        else:
            lower = np.subtract(x, self.threshold)
            lower *= self.negative_slope
        np.copyto(out, np.where(x > self.threshold, upper, lower))
        return out

    def _derivative(self, x, y, out):
        if self._plain:
            return np.greater(x, 0, out=out)
        inner = x > self.threshold
        if self.max_value is not None:
            inner &= x < self.max_value
        np.copyto(out, np.where(inner, 1.0, np.where(x > self.threshold, 0.0, self.negative_slope)))
        return out

    def _vjp(self, x, y, dout, out):
        self._derivative(x, y, out)
        return np.multiply(out, dout, out=out)


class ReLU6(ActivationFunction):
    """ReLU capped at 6: ``y = min(max(x, 0), 6)``; derivative 1 on ``0 < x < 6``, else 0.

    relu6'(0) = relu6'(6) = 0 (the outer pieces), as PyTorch's ``hardtanh``
    backward.
    """

    name = "relu6"

    def _forward(self, x, out):
        return np.clip(x, 0, 6, out=out)

    def _derivative(self, x, y, out):
        return np.logical_and(x > 0, x < 6, out=out)


class LeakyReLU(ActivationFunction):
    """Leaky ReLU: ``y = x`` where ``x > 0``, else ``negative_slope * x``.

    ``negative_slope`` defaults to 0.2 as in Keras (PyTorch's ``LeakyReLU``
    uses 0.01) and must be >= 0. Derivative 1 where ``x > 0``, else
    ``negative_slope`` (so leaky_relu'(0) = negative_slope, as PyTorch).
    Forward ``max(x, s x)`` (``min`` for s > 1) in two in-place passes; the
    vjp builds the derivative in ``out`` and multiplies by ``dout``, no
    temporaries.
    """

    name = "leaky_relu"
    _defaults: ClassVar[dict[str, Any]] = {"negative_slope": 0.2}

    def __init__(self, negative_slope: float = 0.2) -> None:
        self.negative_slope = check("negative_slope", negative_slope, Real(0))

    def _forward(self, x, out):
        pick = np.maximum if self.negative_slope <= 1 else np.minimum
        if np.may_share_memory(out, x):  # out is x: the scaled copy needs a temporary
            return pick(x, x * self.negative_slope, out=out)
        np.multiply(x, self.negative_slope, out=out)
        return pick(out, x, out=out)

    def _derivative(self, x, y, out):
        s = self.negative_slope
        np.greater(x, 0, out=out)  # 1 or 0
        if s <= 1:
            return np.maximum(out, s, out=out)  # 1 or s, exactly
        np.multiply(out, 1 - s, out=out)
        return np.add(out, s, out=out)  # 1 or s


class ELU(ActivationFunction):
    """Exponential linear unit: ``y = x`` where ``x > 0``, else ``alpha (exp(x) - 1)``.

    Clevert, Unterthiner and Hochreiter, "Fast and accurate deep network
    learning by exponential linear units", 2015. ``alpha >= 0`` (1.0 by
    default). Derivative 1 where ``x > 0``, else ``alpha exp(x)``; elu'(0) =
    alpha. The cheaper ``y + alpha`` form is not used because it cancels for
    x << 0.
    """

    name = "elu"
    _defaults: ClassVar[dict[str, Any]] = {"alpha": 1.0}
    _scale = 1.0

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check("alpha", alpha, Real(0))

    def _forward(self, x, out):
        neg = np.minimum(x, 0)
        np.expm1(neg, out=neg)
        neg *= self.alpha * self._scale
        np.maximum(x, 0, out=out)
        if self._scale != 1.0:
            out *= self._scale
        out += neg
        return out

    def _derivative(self, x, y, out):
        e = np.exp(np.minimum(x, 0))
        e *= self.alpha * self._scale
        np.copyto(out, np.where(x > 0, self._scale, e))
        return out


class SELU(ELU):
    """Scaled ELU: ``y = scale * elu(x, alpha)`` with the self-normalising constants.

    Klambauer et al., "Self-normalizing neural networks", 2017: alpha =
    1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946
    (as PyTorch; Keras rounds them to 1.67326324 and 1.05070098). Derivative
    ``scale`` where ``x > 0``, else ``scale alpha exp(x)``; selu'(0) = scale * alpha.
    """

    name = "selu"
    _defaults: ClassVar[dict[str, Any]] = {}
    ALPHA: ClassVar[float] = 1.6732632423543772848170429916717
    SCALE: ClassVar[float] = 1.0507009873554804934193349852946
    _scale = SCALE

    def __init__(self) -> None:
        self.alpha = self.ALPHA


# ----------------------------------------------------------------------------- gated / self-gated


class GELU(ActivationFunction):
    """Gaussian error linear unit ``y = x Phi(x)`` (Hendrycks and Gimpel, 2016).

    ``approximate=False`` (default, as ``keras.activations.gelu`` and PyTorch):
    ``Phi(x) = erfc(-x / sqrt 2) / 2``, with :func:`erfc` (Cody's
    approximation) in float64; derivative ``Phi(x) + x phi(x)``.
    ``approximate=True``: the tanh form ``0.5 x (1 + tanh(sqrt(2/pi) (x +
    0.044715 x^3)))``, computed as ``x sigmoid(2u)`` (same function, no
    cancellation for x < 0); derivative ``s + 2 x s (1 - s) u'``. Both are
    evaluated in float64 and cast to ``x``'s dtype.
    """

    name = "gelu"
    _defaults: ClassVar[dict[str, Any]] = {"approximate": False}
    _K = math.sqrt(2.0 / math.pi)
    _C = 0.044715

    def __init__(self, approximate: bool = False) -> None:
        self.approximate = check_bool("approximate", approximate)

    def _tanh_parts(self, x64: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # |x| > 1e3 saturates the sigmoid to exactly 0 or 1, so clipping there
        # changes nothing but keeps x^3 finite.
        xc = np.clip(x64, -1e3, 1e3)
        u = self._K * (xc + self._C * xc**3)
        s = F.sigmoid(2.0 * u, np.empty_like(u))
        return xc, s

    def _forward(self, x, out):
        x64 = x.astype(np.float64, copy=False)
        if self.approximate:
            g = self._tanh_parts(x64)[1]
        else:
            g = erfc64(x64 * -math.sqrt(0.5))
            g *= 0.5
        g *= x64
        np.copyto(out, g, casting="same_kind")
        return out

    def _derivative(self, x, y, out):
        x64 = x.astype(np.float64, copy=False)
        if self.approximate:
            xc, s = self._tanh_parts(x64)
            du = self._K * (1.0 + 3.0 * self._C * xc * xc)
            d = s + 2.0 * x64 * (s * (1.0 - s)) * du
        else:
            xc = np.clip(x64, -40.0, 40.0)  # phi(40) underflows to 0 anyway
            pdf = np.exp(-0.5 * xc * xc) / math.sqrt(2.0 * math.pi)
            d = 0.5 * erfc64(x64 * -math.sqrt(0.5)) + x64 * pdf
        np.copyto(out, d, casting="same_kind")
        return out


class SiLU(ActivationFunction):
    """Sigmoid linear unit / swish ``y = x sigmoid(x)`` (Ramachandran et al., 2017).

    Derivative ``s (1 + x (1 - s))`` with ``s = sigmoid(x)``.
    """

    name = "silu"
    aliases = ("swish",)

    def _forward(self, x, out):
        s = F.sigmoid(x, np.empty_like(x))
        return np.multiply(x, s, out=out)

    def _derivative(self, x, y, out):
        s = F.sigmoid(x, np.empty_like(x))
        np.subtract(1, s, out=out)
        out *= x
        out += 1
        return np.multiply(out, s, out=out)


class Mish(ActivationFunction):
    """Mish ``y = x tanh(softplus(x))`` (Misra, 2019).

    Derivative ``t + x (1 - t^2) sigmoid(x)`` with ``t = tanh(softplus(x))``;
    ``sigmoid(x)`` comes from the softplus as ``-expm1(-softplus(x))``.
    """

    name = "mish"

    def _forward(self, x, out):
        t = np.logaddexp(x, 0)
        np.tanh(t, out=t)
        return np.multiply(x, t, out=out)

    def _derivative(self, x, y, out):
        sp = np.logaddexp(x, 0)
        t = np.tanh(sp)
        sg = -np.expm1(-sp)
        np.multiply(t, t, out=out)
        np.subtract(1, out, out=out)
        out *= x
        out *= sg
        out += t
        return out


class HardSigmoid(ActivationFunction):
    """Piecewise-linear sigmoid ``y = relu6(x + 3) / 6`` (Keras 3, PyTorch).

    Keras 2 and TensorFlow's old form was ``clip(0.2 x + 0.5, 0, 1)``.
    Derivative 1/6 on ``-3 < x < 3``, else 0 (0 at the kinks +-3, as PyTorch).
    """

    name = "hard_sigmoid"

    def _forward(self, x, out):
        np.add(x, 3, out=out)
        np.clip(out, 0, 6, out=out)
        return np.divide(out, 6, out=out)

    def _derivative(self, x, y, out):
        np.abs(x, out=out)
        np.less(out, 3, out=out)
        return np.divide(out, 6, out=out)


class HardSiLU(ActivationFunction):
    """Hard SiLU / hard swish ``y = x relu6(x + 3) / 6`` (Howard et al., MobileNetV3, 2019).

    Derivative 0 on ``x <= -3``, ``(2x + 3) / 6`` on ``-3 < x < 3``, 1 on
    ``x >= 3``: at the kinks hard_silu'(-3) = 0 and hard_silu'(3) = 1, the
    outer pieces (what autodiff of the formula gives in Keras/TensorFlow;
    PyTorch's ``hardswish`` backward takes the inner piece, -0.5 and 1.5).
    """

    name = "hard_silu"
    aliases = ("hard_swish",)

    def _forward(self, x, out):
        g = np.add(x, 3)
        np.clip(g, 0, 6, out=g)
        g /= 6  # before the product, so x * g cannot overflow
        return np.multiply(x, g, out=out)

    def _derivative(self, x, y, out):
        c = np.clip(x, -3, 3)
        inner = (2 * c + 3) / 6
        np.copyto(out, np.where(x >= 3, 1, np.where(x > -3, inner, 0)))
        return out


# ----------------------------------------------------------------------------- along an axis


def _check_axis(axis: Any) -> int | tuple[int, ...]:
    axes = axis if isinstance(axis, list | tuple) else (axis,)
    if not all(isinstance(a, int | np.integer) and not isinstance(a, bool) for a in axes):
        raise fail("axis", "an int or a tuple of ints", axis, TypeError)
    return tuple(int(a) for a in axis) if isinstance(axis, list | tuple) else int(axis)


class _AlongAxis(ActivationFunction):
    elementwise = False
    _defaults: ClassVar[dict[str, Any]] = {"axis": -1}

    def __init__(self, axis: int | tuple[int, ...] = -1) -> None:
        self.axis = _check_axis(axis)

    def get_config(self) -> dict[str, Any]:
        return {"axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}

    def _axis_for(self, x: np.ndarray) -> int | tuple[int, ...]:
        axes = self.axis if isinstance(self.axis, tuple) else (self.axis,)
        for a in axes:
            if not -x.ndim <= a < x.ndim:
                raise ValueError(
                    f"{self.name}: axis {a} is out of range for input of shape {x.shape}"
                )
        return self.axis


class Softmax(_AlongAxis):
    """Softmax ``y_i = exp(x_i - m) / sum_j exp(x_j - m)`` along ``axis``, ``m`` the max.

    Subtracting the max (book 3.5.2) makes it overflow-free:
    ``softmax([1010, 1000, 990]) = [9.99954600e-01, 4.53978686e-05,
    2.06106005e-09]``. The vjp is ``y * (dout - sum(dout * y, axis))``
    (from the cached output, no Jacobian built).
    """

    name = "softmax"

    def _forward(self, x, out):
        return F.softmax(x, self._axis_for(x), out)

    def _vjp(self, x, y, dout, out):
        return F.softmax_backward(y, dout, self._axis_for(x), out)


class LogSoftmax(_AlongAxis):
    """Log-softmax ``y_i = (x_i - m) - log(sum_j exp(x_j - m))`` along ``axis``.

    The log-sum-exp form never overflows. Entries whose log-probability lies
    below the float range (a row spread > 3.4e38 in float32) are -inf, the
    correctly rounded value. The vjp is ``dout - exp(y) * sum(dout, axis)``.
    """

    name = "log_softmax"

    def _forward(self, x, out):
        return F.log_softmax(x, self._axis_for(x), out)

    def _vjp(self, x, y, dout, out):
        return F.log_softmax_backward(y, dout, self._axis_for(x), out)


# ----------------------------------------------------------------------------- registry

_CLASSES: tuple[type[ActivationFunction], ...] = (
    Step,
    Sign,
    Linear,
    Sigmoid,
    HardSigmoid,
    HardSiLU,
    Tanh,
    ReLU,
    ReLU6,
    LeakyReLU,
    ELU,
    SELU,
    GELU,
    Softplus,
    Softsign,
    SiLU,
    Mish,
    Exponential,
    Softmax,
    LogSoftmax,
)
_REGISTRY: Registry[ActivationFunction] = Registry(
    "activation",
    ActivationFunction,
    _CLASSES,
    {a: c.name for c in _CLASSES for a in c.aliases},
    build=lambda cls, config: cls.from_config(config),
)


def names(include_aliases: bool = False) -> list[str]:
    """The registered names, sorted; with ``include_aliases`` also identity, swish, hard_swish."""
    return _REGISTRY.names() if include_aliases else sorted(_REGISTRY.classes)


def deserialize(identifier: str | dict[str, Any]) -> ActivationFunction:
    """An activation from a name (``"relu"``) or a dict ``{"class_name": ..., "config": {...}}``.

    Names are spelled as Keras spells them (aliases too). Keras 3's form for
    built-in functions, ``{"class_name": "function", "config": "relu", ...}``,
    is read as well.
    """
    if not isinstance(identifier, dict):
        return _REGISTRY.deserialize(identifier)
    extra = sorted(set(identifier) - {"class_name", "config", "module", "registered_name"})
    if "class_name" not in identifier or extra:
        raise ValueError(
            "activation: a dict needs 'class_name' and optionally 'config' "
            f"(a dict of arguments), got keys {sorted(identifier)}"
        )
    class_name, config = identifier["class_name"], identifier.get("config")
    if class_name == "function" and isinstance(config, str):  # Keras 3 function form
        return _REGISTRY.deserialize(config)
    if not isinstance(class_name, str):
        raise fail("class_name", "a str", class_name, TypeError)
    return _REGISTRY.lookup(class_name).from_config({} if config is None else config)


def serialize(activation: ActivationFunction | str) -> str | dict[str, Any]:
    """The bare name for a default instance, else ``{"class_name": name, "config": {...}}``.

    ``serialize(LeakyReLU(0.05)) == {"class_name": "leaky_relu", "config":
    {"negative_slope": 0.05}}``; ``serialize(ReLU()) == "relu"``. A name is
    returned canonical (``"swish"`` gives ``"silu"``). Plain callables cannot be
    serialised (``TypeError``).
    """
    if isinstance(activation, str):
        activation = deserialize(activation)
    if not isinstance(activation, ActivationFunction):
        raise TypeError(
            f"activation: can only serialize an ActivationFunction or a name, got "
            f"{type(activation).__name__}"
        )
    if activation.is_default():
        return activation.name
    return {"class_name": activation.name, "config": activation.get_config()}


def get(
    identifier: str | dict[str, Any] | Callable[..., Any] | None,
) -> ActivationFunction | Callable[..., Any]:
    """Resolve an activation the way Keras does.

    ``None`` gives :class:`Linear`; a name or dict goes to :func:`deserialize`;
    an :class:`ActivationFunction` is returned as is, an ActivationFunction
    subclass is instantiated with its defaults. Any other callable is returned
    unchanged, as Keras does: it then has no ``vjp``, so layers that
    backpropagate need an ActivationFunction.
    """
    if identifier is None:
        return Linear()
    if isinstance(identifier, ActivationFunction):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, ActivationFunction):
        return identifier()
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        f"activation: expected None, a name, a dict or a callable, got {type(identifier).__name__}"
    )


# ----------------------------------------------------------------------------- functions

_STEP, _SIGN, _LINEAR, _SIGMOID = Step(), Sign(), Linear(), Sigmoid()
_HARD_SIGMOID, _HARD_SILU, _TANH, _RELU, _RELU6 = (
    HardSigmoid(),
    HardSiLU(),
    Tanh(),
    ReLU(),
    ReLU6(),
)
_SELU, _SOFTPLUS, _SOFTSIGN, _SILU, _MISH, _EXP = (
    SELU(),
    Softplus(),
    Softsign(),
    SiLU(),
    Mish(),
    Exponential(),
)


def step(x: ArrayLike) -> Result:
    """Step function: 1 where ``x > 0``, else 0 (see :class:`Step`)."""
    return _STEP(x)


def sign(x: ArrayLike) -> Result:
    """Sign of ``x``: -1, 0 or 1 (see :class:`Sign`)."""
    return _SIGN(x)


def linear(x: ArrayLike) -> Result:
    """Identity, as a copy (see :class:`Linear`)."""
    return _LINEAR(x)


identity = linear


def sigmoid(x: ArrayLike) -> Result:
    """Logistic sigmoid ``1 / (1 + exp(-x))`` without overflow (see :class:`Sigmoid`)."""
    return _SIGMOID(x)


def hard_sigmoid(x: ArrayLike) -> Result:
    """``relu6(x + 3) / 6`` (see :class:`HardSigmoid`)."""
    return _HARD_SIGMOID(x)


def hard_silu(x: ArrayLike) -> Result:
    """``x * relu6(x + 3) / 6`` (see :class:`HardSiLU`)."""
    return _HARD_SILU(x)


hard_swish = hard_silu


def tanh(x: ArrayLike) -> Result:
    """Hyperbolic tangent (see :class:`Tanh`)."""
    return _TANH(x)


def relu(
    x: ArrayLike,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> Result:
    """Rectified linear unit with Keras's arguments (see :class:`ReLU`)."""
    if negative_slope == 0 and max_value is None and threshold == 0:
        return _RELU(x)
    return ReLU(negative_slope, max_value, threshold)(x)


def relu6(x: ArrayLike) -> Result:
    """``min(max(x, 0), 6)`` (see :class:`ReLU6`)."""
    return _RELU6(x)


def leaky_relu(x: ArrayLike, negative_slope: float = 0.2) -> Result:
    """Leaky ReLU; the slope defaults to 0.2 as Keras (PyTorch: 0.01). See :class:`LeakyReLU`."""
    return LeakyReLU(negative_slope)(x)


def elu(x: ArrayLike, alpha: float = 1.0) -> Result:
    """Exponential linear unit (see :class:`ELU`)."""
    return ELU(alpha)(x)


def selu(x: ArrayLike) -> Result:
    """Scaled ELU with the self-normalising constants (see :class:`SELU`)."""
    return _SELU(x)


def gelu(x: ArrayLike, approximate: bool = False) -> Result:
    """GELU, exact (erf) or the tanh approximation (see :class:`GELU`)."""
    return GELU(approximate)(x)


def softplus(x: ArrayLike) -> Result:
    """``log(1 + exp(x))`` without overflow (see :class:`Softplus`)."""
    return _SOFTPLUS(x)


def softsign(x: ArrayLike) -> Result:
    """``x / (1 + |x|)`` (see :class:`Softsign`)."""
    return _SOFTSIGN(x)


def silu(x: ArrayLike) -> Result:
    """``x * sigmoid(x)`` (see :class:`SiLU`)."""
    return _SILU(x)


swish = silu


def mish(x: ArrayLike) -> Result:
    """``x * tanh(softplus(x))`` (see :class:`Mish`)."""
    return _MISH(x)


def exponential(x: ArrayLike) -> Result:
    """``exp(x)``; overflows by definition for large x (see :class:`Exponential`)."""
    return _EXP(x)


def softmax(x: ArrayLike, axis: int | tuple[int, ...] = -1) -> Result:
    """Max-subtracted softmax along ``axis`` (see :class:`Softmax`)."""
    return Softmax(axis)(x)


def log_softmax(x: ArrayLike, axis: int | tuple[int, ...] = -1) -> Result:
    """Log-softmax along ``axis`` through log-sum-exp (see :class:`LogSoftmax`)."""
    return LogSoftmax(axis)(x)

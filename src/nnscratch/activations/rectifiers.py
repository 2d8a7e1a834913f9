"""Rectifiers and their smooth kin: ReLU, ReLU6, leaky ReLU, ELU, SELU, GELU, SiLU, Mish, hard-*."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from nnscratch import functional as F
from nnscratch._special import erfc64
from nnscratch._validate import Real, check, check_bool
from nnscratch.activations.base import ActivationFunction

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

"""Classic activations: step, sign, identity, sigmoid, tanh, softplus, softsign, exp, softmax."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nnscratch import functional as F
from nnscratch._validate import fail
from nnscratch.activations.base import ActivationFunction

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

"""Layers whose output has the input's shape: ``Activation``, ``PReLU``, ``Dropout``."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch import activations
from nnscratch import functional as F
from nnscratch._validate import Integer, Real, check, check_seed
from nnscratch.layers.base import Layer

__all__ = ["Activation", "Dropout", "PReLU"]


class Activation(Layer):
    """Applies an activation function: ``y = f(x)``, ``dx = vjp(x, y, dout)`` (book 5.5).

    ``activation`` is anything ``nnscratch.activations.get`` accepts: a name
    ("relu", "sigmoid", "tanh", "softmax", ...), a Keras-style dict or an
    activation object. Its value and vjp write into the layer's buffers.
    """

    def __init__(self, activation: Any = "relu", *, dtype: Any = "float32") -> None:
        super().__init__(dtype)
        self.fn = activations.get(activation)
        # an ActivationFunction's own math, past the checks its __call__ makes (done here)
        self._f = getattr(self.fn, "_forward", None)
        self._vjp = getattr(self.fn, "_vjp", None)

    def _forward(self, c, x, training):
        return self._f(x, c.y) if self._f is not None else self.fn(x)

    def _backward(self, c, dout, grads, dx):
        if dx is False:
            return None
        if self._vjp is None:
            raise TypeError(f"{self!r}: the activation {self.fn!r} has no vjp to backpropagate")
        return self._vjp(c.x, c.y, dout, dx)

    def get_config(self):
        return {"activation": activations.serialize(self.fn), "dtype": self.dtype.name}

    def __repr__(self) -> str:
        return f"Activation({getattr(self.fn, 'name', self.fn)!r})"


class PReLU(Layer):
    """Parametric ReLU with a learnable slope per feature (He et al., 2015).

    ``y = x`` where ``x > 0``, else ``alpha * x``; alpha (features,).
    Backward: ``dx = dout * (1 if x > 0 else alpha)``,
    ``dalpha = sum over the batch of dout * min(x, 0)``.
    Input (N, features); for 4-D input (N, C, H, W) alpha is per channel C.
    """

    def __init__(self, features: int, alpha_init: float = 0.25, *, dtype: Any = "float32") -> None:
        super().__init__(dtype)
        self.features = check("features", features, Integer(1))
        self.alpha_init = check("alpha_init", alpha_init, Real())
        self.build(np.random.default_rng(0), self.dtype)

    @property
    def input_shape(self):
        return (self.features,)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        self.params = {"alpha": np.full(self.features, self.alpha_init, self.dtype)}
        self._zero_grads()

    def _check_input(self, x):
        if x.ndim < 2 or x.shape[1] != self.features:
            raise ValueError(
                f"{self!r}: expected input of shape (N, {self.features}, ...), got {tuple(x.shape)}"
            )

    def _forward(self, c, x, training):
        return F.prelu_forward(x, self.params["alpha"], out=c.y)

    def _backward(self, c, dout, grads, dx):
        return F.prelu_backward(c.x, self.params["alpha"], dout, dx=dx, dalpha=grads["alpha"])[0]

    def get_config(self):
        return {"features": self.features, "alpha_init": self.alpha_init, "dtype": self.dtype.name}

    def __repr__(self) -> str:
        return f"PReLU({self.features})"


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014; the book's 6.4.3 scales at test time instead).

    Training: ``mask = (u >= rate) / (1 - rate)`` with u ~ U[0, 1), ``y = x * mask``;
    inference: ``y = x``. Scaling during training keeps ``E[y] = x``, so the
    network needs no rescaling at inference. Backward: ``dx = dout * mask``.

    ``reuse_mask = True`` makes training-mode forwards reuse the last mask
    instead of drawing a new one: that is how a gradient check holds the
    random mask fixed.
    """

    def __init__(self, rate: float = 0.5, *, seed: int | None = None, dtype: Any = "float32"):
        super().__init__(dtype)
        self.rate = check("rate", rate, Real(0, 1, high_open=True))
        self.seed = check_seed("seed", seed)
        self.reuse_mask = False
        self._rng = np.random.default_rng(self.seed)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        self._rng = np.random.default_rng(int(rng.integers(0, 2**63 - 1)))

    def generators(self) -> dict[str, np.random.Generator]:
        """``{"rng": the Generator that draws the masks}``."""
        return {"rng": self._rng}

    def _forward(self, c, x, training):
        if not training or self.rate == 0.0:
            c.extra["mask"] = None
            np.copyto(c.y, x)
            return c.y
        mask = c.extra.get("buf")
        if mask is None:  # the mask and the uniform draws, in buffers of the batch's shape
            mask = c.extra["buf"] = np.empty(x.shape, self.dtype)
            c.extra["u"] = np.empty(x.shape, np.float64 if self.dtype == np.float64 else np.float32)
        if not (self.reuse_mask and c.extra.get("mask") is mask):
            u = c.extra["u"]
            self._rng.random(out=u, dtype=u.dtype)
            F.dropout_mask(u, self.rate, out=mask)
        c.extra["mask"] = mask
        return F.dropout_forward(x, mask, out=c.y)

    def _backward(self, c, dout, grads, dx):
        if dx is False:
            return None
        mask = c.extra.get("mask")
        if mask is None:  # inference mode: y = x
            np.copyto(dx, dout)
            return dx
        return F.dropout_backward(mask, dout, out=dx)

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "dtype": self.dtype.name}

    def __repr__(self) -> str:
        return f"Dropout({self.rate})"

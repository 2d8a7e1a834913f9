"""``BatchNorm``: batch normalization (Ioffe and Szegedy, 2015; the book's 6.3)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch import functional as F
from nnscratch._validate import Integer, Real, check
from nnscratch.layers.base import Layer

__all__ = ["BatchNorm"]


class BatchNorm(Layer):
    """Batch normalization over the batch axis.

    Training: ``mu = mean_n x``, ``var = mean_n (x - mu)^2``,
    ``xn = (x - mu) / sqrt(var + eps)``, ``y = gamma * xn + beta``; the running
    statistics follow ``r <- momentum * r + (1 - momentum) * batch value`` (the
    book's and Keras's convention; PyTorch's ``momentum`` is ``1 - ours``).
    Inference: ``xn = (x - running_mean) / sqrt(running_var + eps)``.
    Backward (training): ``dbeta = sum dout``, ``dgamma = sum dout * xn``,
    ``dx = (gamma / std) * (dout - mean(dout) - xn * mean(dout * xn))``.

    Input (N, features). ``state`` holds ``running_mean`` and ``running_var``
    (saved with the model, never touched by an optimizer).
    """

    def __init__(
        self,
        features: int,
        momentum: float = 0.9,
        eps: float = 1e-5,
        *,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.features = check("features", features, Integer(1))
        self.momentum = check("momentum", momentum, Real(0, 1, high_open=True))
        self.eps = check("eps", eps, Real(0, None, low_open=True))
        self.build(np.random.default_rng(0), self.dtype)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        f, dt = self.features, self.dtype
        self.params = {"gamma": np.ones(f, dt), "beta": np.zeros(f, dt)}
        self.state = {"running_mean": np.zeros(f, dt), "running_var": np.ones(f, dt)}
        self._zero_grads()

    @property
    def input_shape(self):
        return (self.features,)

    def _forward(self, c, x, training):
        if training:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc * xc, axis=0)
            m, rm, rv = self.momentum, self.state["running_mean"], self.state["running_var"]
            rm *= m
            rm += (1.0 - m) * mu
            rv *= m
            rv += (1.0 - m) * var
        else:
            mu, var = self.state["running_mean"], self.state["running_var"]
        gamma, beta = self.params["gamma"], self.params["beta"]
        y, xn, std = F.batchnorm_forward(x, gamma, beta, mu, var, self.eps)
        c.extra = {"xn": xn, "std": std, "training": bool(training)}
        return y

    def _backward(self, c, dout, grads, dx):
        xn, std, batch_stats = c.extra["xn"], c.extra["std"], c.extra["training"]
        dx, _, _ = F.batchnorm_backward(
            xn, std, self.params["gamma"], dout, batch_stats=batch_stats,
            dx=dx, dgamma=grads["gamma"], dbeta=grads["beta"],
        )  # fmt: skip
        return dx

    def get_config(self):
        return {
            "features": self.features,
            "momentum": self.momentum,
            "eps": self.eps,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        return f"BatchNorm({self.features})"

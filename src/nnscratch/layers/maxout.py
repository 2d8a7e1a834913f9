"""``Maxout``: the max over several affine pieces per unit (Goodfellow et al., 2013)."""

from __future__ import annotations

from typing import Any

from nnscratch import functional as F
from nnscratch._validate import Integer, check
from nnscratch.layers.base import Layer, init_config

__all__ = ["Maxout"]


class Maxout(Layer):
    """Maxout units ("Maxout Networks", ICML 2013), with their own linear part as in the paper.

    ``pieces`` affine maps per unit, then the max over the pieces:
    ``z = x @ W + b`` reshaped to (N, units, pieces), ``y[n, u] = max_k z[n, u, k]``.
    (It is *not* a max over groups of its input; put a Dense before an
    ``Activation`` for that style.)

    Shapes: x (N, in_features), W (in_features, units * pieces) with column
    ``u * pieces + k`` for piece k of unit u, b (units * pieces,), y (N, units).
    Backward: the gradient flows only to the winning piece (the first one on
    ties): ``dz[n, u, k*] = dout[n, u]``, then as Dense.
    """

    def __init__(
        self,
        in_features: int,
        units: int,
        pieces: int = 2,
        init: Any = "glorot_uniform",
        *,
        bias_init: Any = "zeros",
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.in_features = check("in_features", in_features, Integer(1))
        self.units = check("units", units, Integer(1))
        self.pieces = check("pieces", pieces, Integer(1))
        self._init_weights(init, bias_init, seed)

    @property
    def input_shape(self):
        return (self.in_features,)

    def compute_output_shape(self, input_shape):
        return (self.units,)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        k = self.units * self.pieces
        self._draw_weights(rng, (self.in_features, k), (k,))

    def _forward(self, c, x, training):
        y, c.extra["idx"] = F.maxout_forward(x, self.params["W"], self.params["b"], self.pieces)
        return y

    def _backward(self, c, dout, grads, dx):
        W, idx = self.params["W"], c.extra["idx"]
        return F.maxout_backward(c.x, W, idx, dout, dx=dx, dW=grads["W"], db=grads["b"])[0]

    def get_config(self):
        return {
            "in_features": self.in_features,
            "units": self.units,
            "pieces": self.pieces,
            "init": init_config(self.init),
            "bias_init": init_config(self.bias_init),
            "seed": self.seed,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        return f"Maxout({self.in_features} -> {self.units} x {self.pieces})"

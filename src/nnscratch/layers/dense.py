"""``Dense``: the fully connected layer, the book's ``Affine`` (5.6.2)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch import functional as F
from nnscratch import initializers
from nnscratch._validate import Integer, check, check_bool
from nnscratch.layers.base import Layer, init_config

__all__ = ["Dense"]


class Dense(Layer):
    """Fully connected layer: ``y = x @ W + b``.

    Shapes: x (N, in_features), W (in_features, out_features),
    b (out_features,), y (N, out_features).
    Backward: ``dW = x.T @ dout``, ``db = dout.sum(axis=0)``, ``dx = dout @ W.T``.

    Args:
        in_features, out_features: sizes of input and output.
        init: initializer of W (name, dict, Initializer, or a number = normal std);
            He normal suits ReLU networks (the book, section 6.2.3).
        bias_init: initializer of b.
        use_bias: False drops b (then ``params`` has only ``W``).
        seed: seed of the layer's own initialisation (None: fresh entropy).
            ``Sequential(..., seed=s)`` re-initialises every layer from one seed.
        dtype: floating dtype of W, b and the output.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: Any = "he_normal",
        *,
        bias_init: Any = "zeros",
        use_bias: bool = True,
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.in_features = check("in_features", in_features, Integer(1))
        self.out_features = check("out_features", out_features, Integer(1))
        self.use_bias = check_bool("use_bias", use_bias)
        self._init_weights(init, bias_init, seed)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        b_shape = (self.out_features,) if self.use_bias else None
        self._draw_weights(rng, (self.in_features, self.out_features), b_shape)

    def _forward(self, c, x, training):
        return F.dense_forward(x, self.params["W"], self.params.get("b"), out=c.y)

    def _backward(self, c, dout, grads, dx):
        W = self.params["W"]
        db = grads.get("b", False)
        return F.dense_backward(c.x, W, dout, dx=dx, dW=grads["W"], db=db)[0]

    # -- construction from given weights, shapes, config ------------------------
    @classmethod
    def from_weights(cls, W: Any, b: Any = None, *, dtype: Any = None) -> Dense:
        """A Dense layer holding copies of ``W`` (in, out) and ``b`` (out,) (None: no bias).

        ``dtype`` defaults to W's floating dtype (float64 for integer W). No
        random numbers are drawn; a later re-initialisation uses He normal,
        the default of ``Dense``.
        """
        W = np.asarray(W)
        if W.ndim != 2:
            raise ValueError(f"W: expected a 2-D array (in_features, out_features), got {W.shape}")
        if dtype is None:
            dtype = W.dtype if W.dtype.kind == "f" else np.float64
        # zeros, not a random draw: the weights are overwritten right away
        layer = cls(W.shape[0], W.shape[1], "zeros", use_bias=b is not None, dtype=dtype, seed=0)
        layer.init = initializers.get("he_normal")  # what a re-initialisation draws
        layer.params["W"][...] = W
        if b is not None:
            b = np.asarray(b)
            if b.shape != (W.shape[1],):
                raise ValueError(f"b: expected shape ({W.shape[1]},), got {b.shape}")
            layer.params["b"][...] = b
        return layer

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.in_features,)

    def compute_output_shape(self, input_shape):
        return (self.out_features,)

    def get_config(self):
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "init": init_config(self.init),
            "bias_init": init_config(self.bias_init),
            "use_bias": self.use_bias,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        return f"Dense({self.in_features} -> {self.out_features})"

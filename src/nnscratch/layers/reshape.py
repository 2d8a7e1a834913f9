"""``Flatten``: images (N, C, H, W) to rows (N, C*H*W) for a Dense layer."""

from __future__ import annotations

import math

from nnscratch.layers.base import Layer

__all__ = ["Flatten"]


class Flatten(Layer):
    """Reshape (N, d1, d2, ...) to (N, d1*d2*...); backward reshapes back."""

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def _forward(self, c, x, training):
        return x.reshape(x.shape[0], -1)

    def _backward(self, c, dout, grads, dx):
        return None if dx is False else dout.reshape(c.x.shape)

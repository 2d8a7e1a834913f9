"""Loss heads: the loss at the top of a network (the book's ``SoftmaxWithLoss``, 5.6.3)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch import activations, losses
from nnscratch import functional as F

__all__ = ["LossHead", "SigmoidWithLoss", "SoftmaxWithLoss"]


class LossHead:
    """The loss at the top of a network: ``forward(x, t) -> L``, ``backward() -> dL/dx``.

    ``x`` is the raw output of the last layer (logits for the softmax and
    sigmoid heads), ``t`` the targets (labels or one-hot rows, see
    ``nnscratch.losses``). The loss is the mean over the batch.
    ``predict(x)`` applies the loss's output activation (softmax, sigmoid or
    identity).

    Heads: "softmax_cross_entropy" (the book's ``SoftmaxWithLoss``: softmax
    and cross entropy fused, ``dx = (softmax(x) - t) / N``),
    "sigmoid_binary_cross_entropy" (``dx = (sigmoid(x) - t) / N``),
    "mean_squared_error", "sum_squared_error", or any loss name of
    ``nnscratch.losses``.
    """

    def __init__(self, loss: Any = "softmax_cross_entropy") -> None:
        self.loss = losses.get(loss)
        self._buf: np.ndarray | None = None
        self._x: np.ndarray | None = None
        self._t: Any = None
        self._out_loss: Any = None  # the loss whose output function is in _out_fn
        self._out_fn: Any = None

    @property
    def output_activation(self) -> str:
        return self.loss.output_activation

    def forward(self, x: np.ndarray, t: Any) -> float:
        """Mean loss of the batch; caches ``x`` and ``t`` for backward."""
        self._x, self._t = x, t
        return float(self.loss(x, t))

    def value_and_grad(self, x: np.ndarray, t: Any) -> tuple[float, np.ndarray]:
        """``(L, dL/dx)`` in one pass; dL/dx is a buffer owned by the head."""
        buf = self._buf
        if buf is None or buf.shape != x.shape or buf.dtype != x.dtype:
            buf = self._buf = np.empty_like(x)
        value, grad = self.loss.value_and_grad(x, t, out=buf)
        return float(value), grad

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """dL/dx of the last forward, times ``dout`` (a scalar, 1 by default)."""
        if self._x is None:
            raise RuntimeError("LossHead: backward called before forward")
        g = self.loss.gradient(self._x, self._t)
        return g if dout == 1.0 else g * np.asarray(dout, g.dtype)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The loss's output activation applied to the raw output ``x`` (logits, 1-D or (N, K)).

        A fresh array for softmax and sigmoid; ``x`` itself for the identity.
        """
        if self._out_loss is not self.loss:
            self._resolve_output()
        fn = self._out_fn
        return x if fn is None else fn(x)

    def _resolve_output(self) -> None:
        name = self.output_activation
        if name in (None, "linear", "identity"):
            self._out_fn = None
        elif name == "softmax":
            self._out_fn = F.softmax
        elif name == "sigmoid":
            self._out_fn = F.sigmoid
        else:
            self._out_fn = activations.get(name)
        self._out_loss = self.loss

    def get_config(self) -> Any:
        return losses.serialize(self.loss)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self.loss, 'name', self.loss)!r})"


class SoftmaxWithLoss(LossHead):
    """The book's ``SoftmaxWithLoss``: softmax and cross entropy on logits, fused."""

    def __init__(self, label_smoothing: float = 0.0) -> None:
        cfg: Any = "softmax_cross_entropy"
        if label_smoothing:
            cfg = {"class_name": cfg, "config": {"label_smoothing": label_smoothing}}
        super().__init__(cfg)


class SigmoidWithLoss(LossHead):
    """Sigmoid and binary cross entropy on logits, fused: ``dx = (sigmoid(x) - t) / N``."""

    def __init__(self) -> None:
        super().__init__("sigmoid_binary_cross_entropy")

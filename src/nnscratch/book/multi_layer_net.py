"""The book's ``common/multi_layer_net.py``: a fully connected net of the book's layers (6.2, 6.4).

``params`` is a dict ``W1, b1, ..., W{L}, b{L}`` whose arrays the ``Affine``
layers hold, so an optimizer's ``update(net.params, grads)`` changes the
network in place. The weights are drawn as the book draws them, in the order
``W1, W2, ...``: ``scale * np.random.randn(n_in, n_out)`` with ``scale`` the
given ``weight_init_std`` or, by name, He's ``sqrt(2 / n_in)`` (``"relu"``,
``"he"``) or Xavier's ``sqrt(1 / n_in)`` (``"sigmoid"``, ``"xavier"``); the
biases are zeros.
"""

# ruff: noqa: NPY002  (the weights are drawn from the global np.random, as the book does)

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from nnscratch import metrics
from nnscratch._validate import Options, check
from nnscratch.book.gradient import numerical_gradient
from nnscratch.book.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

__all__ = ["MultiLayerNet"]

ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid}


def init_weights(params: dict[str, np.ndarray], sizes: list[int], weight_init_std: Any) -> None:
    """Fill ``params`` with ``W{i}``, ``b{i}`` for the layer sizes ``sizes``, the book's draws."""
    for i in range(1, len(sizes)):
        n_in = sizes[i - 1]
        name = str(weight_init_std).lower()
        if name in ("relu", "he"):
            scale = np.sqrt(2.0 / n_in)
        elif name in ("sigmoid", "xavier"):
            scale = np.sqrt(1.0 / n_in)
        else:
            scale = weight_init_std
        params[f"W{i}"] = scale * np.random.randn(n_in, sizes[i])
        params[f"b{i}"] = np.zeros(sizes[i])


def weight_decay_term(params: dict[str, np.ndarray], n_layers: int, lam: float) -> float:
    """``sum_i 0.5 * lam * sum(W_i ** 2)``: the L2 penalty the book adds to the loss (6.4.2)."""
    return sum(0.5 * lam * np.sum(params[f"W{i}"] ** 2) for i in range(1, n_layers + 1))


def accuracy(scores: np.ndarray, t: np.ndarray) -> float:
    """Fraction of rows whose largest score is at the label (``t`` labels or one-hot rows)."""
    labels = t if t.ndim == 1 else np.argmax(t, axis=1)
    return metrics.count_correct(scores, labels) / float(scores.shape[0])


class MultiLayerNet:
    """Affine, activation, ..., Affine, SoftmaxWithLoss (the book's ``MultiLayerNet``).

    ``hidden_size_list`` gives the hidden widths (e.g. ``[100, 100, 100]``),
    ``activation`` is ``"relu"`` or ``"sigmoid"``, and
    ``weight_decay_lambda`` adds ``0.5 * lambda * sum(W**2)`` per weight
    matrix to the loss and ``lambda * W`` to its gradient.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: list[int],
        output_size: int,
        activation: str = "relu",
        weight_init_std: Any = "relu",
        weight_decay_lambda: float = 0,
    ) -> None:
        check("activation", activation, Options(*ACTIVATION_LAYERS))
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = hidden_size_list
        self.hidden_layer_num = len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.params: dict[str, np.ndarray] = {}
        init_weights(self.params, [input_size, *hidden_size_list, output_size], weight_init_std)

        self.layers: OrderedDict[str, Any] = OrderedDict()
        for i in range(1, self.hidden_layer_num + 1):
            self._add_hidden_layers(i, activation)
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = Affine(self.params[f"W{last}"], self.params[f"b{last}"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The scores (N, output_size) before the softmax."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """Cross entropy of the softmax of the scores, plus the weight-decay penalty."""
        penalty = weight_decay_term(
            self.params, self.hidden_layer_num + 1, self.weight_decay_lambda
        )
        return self.last_layer.forward(self.predict(x), t) + penalty

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        return accuracy(self.predict(x), t)

    def _add_hidden_layers(self, i: int, activation: str) -> None:
        """Hidden block ``i``: Affine, then the activation."""
        self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
        self.layers[f"Activation_function{i}"] = ACTIVATION_LAYERS[activation]()

    def _keys(self) -> list[str]:
        """``W1, b1, ..., W{L}, b{L}``: the order of the book's gradient dicts."""
        return [f"{k}{i}" for i in range(1, self.hidden_layer_num + 2) for k in ("W", "b")]

    def _training_loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """The loss that :meth:`gradient` and :meth:`numerical_gradient` differentiate."""
        return self.loss(x, t)

    def _backprop_grad(self, kind: str, i: str) -> np.ndarray:
        """The gradient of parameter ``{kind}{i}`` after a backward pass."""
        affine = self.layers[f"Affine{i}"]
        return affine.dW + self.weight_decay_lambda * affine.W if kind == "W" else affine.db

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """The gradient of the loss for every parameter by central differences."""
        return {
            key: numerical_gradient(lambda _: self._training_loss(x, t), self.params[key])
            for key in self._keys()
        }

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """The gradient of the loss for every parameter by backpropagation."""
        self._training_loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for key in self._keys():
            kind = key.rstrip("0123456789")
            grads[key] = self._backprop_grad(kind, key[len(kind) :])
        return grads

"""The book's ``common/multi_layer_net_extend.py``: ``MultiLayerNet`` with batch norm and dropout.

Per hidden layer: Affine, then BatchNormalization (``use_batchnorm``), the
activation, then Dropout (``use_dropout``). The weights are drawn first, as
``MultiLayerNet``'s; ``gamma{i}`` (ones) and ``beta{i}`` (zeros) join
``params`` and are held by the batch-norm layers. ``train_flg`` selects the
training behaviour (batch statistics, random dropout masks) in
``predict``/``loss``; ``gradient`` and ``numerical_gradient`` use it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from nnscratch._validate import Options, check
from nnscratch.book.gradient import numerical_gradient
from nnscratch.book.layers import Affine, BatchNormalization, Dropout, SoftmaxWithLoss
from nnscratch.book.multi_layer_net import (
    ACTIVATION_LAYERS,
    accuracy,
    init_weights,
    weight_decay_term,
)

__all__ = ["MultiLayerNetExtend"]


class MultiLayerNetExtend:
    """The book's extended fully connected network (6.3, 6.4).

    Arguments as :class:`MultiLayerNet`'s, and ``use_dropout``,
    ``dropout_ration`` (the book's spelling: the dropout ratio),
    ``use_batchnorm``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: list[int],
        output_size: int,
        activation: str = "relu",
        weight_init_std: Any = "relu",
        weight_decay_lambda: float = 0,
        use_dropout: bool = False,
        dropout_ration: float = 0.5,
        use_batchnorm: bool = False,
    ) -> None:
        check("activation", activation, Options(*ACTIVATION_LAYERS))
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = hidden_size_list
        self.hidden_layer_num = len(hidden_size_list)
        self.use_dropout = use_dropout
        self.weight_decay_lambda = weight_decay_lambda
        self.use_batchnorm = use_batchnorm
        self.params: dict[str, np.ndarray] = {}
        init_weights(self.params, [input_size, *hidden_size_list, output_size], weight_init_std)

        self.layers: OrderedDict[str, Any] = OrderedDict()
        for i in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            if use_batchnorm:
                self.params[f"gamma{i}"] = np.ones(hidden_size_list[i - 1])
                self.params[f"beta{i}"] = np.zeros(hidden_size_list[i - 1])
                self.layers[f"BatchNorm{i}"] = BatchNormalization(
                    self.params[f"gamma{i}"], self.params[f"beta{i}"]
                )
            self.layers[f"Activation_function{i}"] = ACTIVATION_LAYERS[activation]()
            if use_dropout:
                self.layers[f"Dropout{i}"] = Dropout(dropout_ration)
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = Affine(self.params[f"W{last}"], self.params[f"b{last}"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """The scores before the softmax; ``train_flg`` for batch statistics and dropout."""
        for key, layer in self.layers.items():
            if key.startswith(("Dropout", "BatchNorm")):
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x: np.ndarray, t: np.ndarray, train_flg: bool = False) -> float:
        """Cross entropy of the softmax of the scores, plus the weight-decay penalty."""
        y = self.predict(x, train_flg)
        penalty = weight_decay_term(
            self.params, self.hidden_layer_num + 1, self.weight_decay_lambda
        )
        return self.last_layer.forward(y, t) + penalty

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        return accuracy(self.predict(x, train_flg=False), t)

    def _keys(self) -> list[str]:
        """``W1, b1, gamma1, beta1, ..., W{L}, b{L}``: the order of the book's gradient dicts."""
        keys = []
        for i in range(1, self.hidden_layer_num + 2):
            keys += [f"W{i}", f"b{i}"]
            if self.use_batchnorm and i != self.hidden_layer_num + 1:
                keys += [f"gamma{i}", f"beta{i}"]
        return keys

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """The gradient of ``loss(x, t, train_flg=True)`` for every parameter, numerically."""
        return {
            key: numerical_gradient(lambda _: self.loss(x, t, train_flg=True), self.params[key])
            for key in self._keys()
        }

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """The gradient of ``loss(x, t, train_flg=True)`` for every parameter, by backprop."""
        self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for key in self._keys():
            kind, i = key.rstrip("0123456789"), key[len(key.rstrip("0123456789")) :]
            if kind == "W":
                decay = self.weight_decay_lambda * self.params[key]
                grads[key] = self.layers[f"Affine{i}"].dW + decay
            elif kind == "b":
                grads[key] = self.layers[f"Affine{i}"].db
            else:
                grads[key] = getattr(self.layers[f"BatchNorm{i}"], f"d{kind}")
        return grads

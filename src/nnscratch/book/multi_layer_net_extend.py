"""The book's ``common/multi_layer_net_extend.py``: ``MultiLayerNet`` with batch norm and dropout.

Per hidden layer: Affine, then BatchNormalization (``use_batchnorm``), the
activation, then Dropout (``use_dropout``). The weights are drawn first, as
``MultiLayerNet``'s; ``gamma{i}`` (ones) and ``beta{i}`` (zeros) join
``params`` and are held by the batch-norm layers. ``train_flg`` selects the
training behaviour (batch statistics, random dropout masks) in
``predict``/``loss``; ``gradient`` and ``numerical_gradient`` use it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch.book.layers import Affine, BatchNormalization, Dropout
from nnscratch.book.multi_layer_net import ACTIVATION_LAYERS, MultiLayerNet, weight_decay_term

__all__ = ["MultiLayerNetExtend"]


class MultiLayerNetExtend(MultiLayerNet):
    """The book's extended fully connected network (6.3, 6.4).

    Arguments as :class:`MultiLayerNet`'s (``input_size``,
    ``hidden_size_list``, ``output_size``, ``activation``, ``weight_init_std``,
    ``weight_decay_lambda``), and, by keyword as the book's scripts pass them,
    ``use_dropout``, ``dropout_ration`` (the book's spelling: the dropout
    ratio), ``use_batchnorm``.
    """

    def __init__(
        self,
        *args: Any,
        use_dropout: bool = False,
        dropout_ration: float = 0.5,
        use_batchnorm: bool = False,
        **kwargs: Any,
    ) -> None:
        # The extras are set first: MultiLayerNet.__init__ calls _add_hidden_layers.
        self.use_dropout = use_dropout
        self.use_batchnorm = use_batchnorm
        self._dropout_ration = dropout_ration
        super().__init__(*args, **kwargs)

    def _add_hidden_layers(self, i: int, activation: str) -> None:
        """Hidden block ``i``: Affine, BatchNormalization, the activation, Dropout."""
        self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
        if self.use_batchnorm:
            self.params[f"gamma{i}"] = np.ones(self.hidden_size_list[i - 1])
            self.params[f"beta{i}"] = np.zeros(self.hidden_size_list[i - 1])
            self.layers[f"BatchNorm{i}"] = BatchNormalization(
                self.params[f"gamma{i}"], self.params[f"beta{i}"]
            )
        self.layers[f"Activation_function{i}"] = ACTIVATION_LAYERS[activation]()
        if self.use_dropout:
            self.layers[f"Dropout{i}"] = Dropout(self._dropout_ration)

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

    def _keys(self) -> list[str]:
        """``W1, b1, gamma1, beta1, ..., W{L}, b{L}``: the order of the book's gradient dicts."""
        keys = []
        for i in range(1, self.hidden_layer_num + 2):
            keys += [f"W{i}", f"b{i}"]
            if self.use_batchnorm and i != self.hidden_layer_num + 1:
                keys += [f"gamma{i}", f"beta{i}"]
        return keys

    def _training_loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """``loss(x, t, train_flg=True)``: batch statistics and dropout masks, as the book."""
        return self.loss(x, t, train_flg=True)

    def _backprop_grad(self, kind: str, i: str) -> np.ndarray:
        if kind in ("gamma", "beta"):
            return getattr(self.layers[f"BatchNorm{i}"], f"d{kind}")
        return super()._backprop_grad(kind, i)

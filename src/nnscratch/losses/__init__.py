"""Loss functions and their gradients, as functions and as registered ``Loss`` objects.

Shapes: ``y`` is ``(..., K)`` with the K outputs (classes) on the last axis;
``(K,)`` is one sample, ``(N, K)`` a batch. Batch losses are means over the
leading axes ("rows"), so the number you see does not grow with the batch.

Targets ``t`` are checked, never guessed (see :func:`to_labels`): either
integer labels of shape ``y.shape[:-1]`` in ``[0, K)`` or rows of ``y``'s
exact shape (one-hot, probabilities, or regression targets for the squared
errors). Anything else raises ``ValueError`` saying what was expected and
what came.

Names, because two books and two libraries disagree (details and the
book's examples: docs/losses-and-gradients.md):

- ``sum_squared_error``: ``0.5 * sum_k (y_k - t_k)^2`` per sample, mean over
  samples. The book calls it ``mean_squared_error``.
- ``mean_squared_error``: mean of ``(y - t)^2`` over every element, as Keras
  and PyTorch (``MSELoss``) define it.
- ``cross_entropy_error``: the book's ``-sum_k t_k log(y_k + 1e-7)`` on
  probabilities, mean over samples.
- ``softmax_cross_entropy``: ``-sum_k q_k log_softmax(z)_k`` on logits, mean
  over samples (the book's ``SoftmaxWithLoss``, PyTorch's ``CrossEntropyLoss``).
- ``binary_cross_entropy``: ``-[t log p + (1 - t) log(1 - p)]`` on
  probabilities, mean over every element (PyTorch's ``BCELoss``).
- ``sigmoid_binary_cross_entropy``: the same from logits, stable
  (PyTorch's ``BCEWithLogitsLoss``).

Modules: ``targets`` (the checks of ``t`` against ``y``, :func:`to_labels`,
:func:`to_one_hot`), ``functions`` (each loss and its gradient as a
function); this package holds the :class:`Loss` objects and the registry.

Every loss ``f`` has ``f_grad(y, t)``: dL/dy of the batch-mean loss, with
``y``'s shape and dtype. Outputs keep the input's floating dtype; integer
input is promoted to float64.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from nnscratch._registry import Registry
from nnscratch.losses.functions import (
    CROSS_ENTROPY_DELTA as CROSS_ENTROPY_DELTA,
)
from nnscratch.losses.functions import (
    _sigmoid_bce_value_and_grad,
    _softmax_ce_value_and_grad,
    binary_cross_entropy,
    binary_cross_entropy_grad,
    cross_entropy_error,
    cross_entropy_error_grad,
    mean_squared_error,
    mean_squared_error_grad,
    sigmoid_binary_cross_entropy,
    sigmoid_binary_cross_entropy_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    sum_squared_error,
    sum_squared_error_grad,
)
from nnscratch.losses.targets import _check_out, _check_smoothing, to_labels, to_one_hot

__all__ = [
    "BinaryCrossEntropy",
    "CrossEntropyError",
    "Loss",
    "MeanSquaredError",
    "SigmoidBinaryCrossEntropy",
    "SoftmaxCrossEntropy",
    "SumSquaredError",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "cross_entropy_error",
    "cross_entropy_error_grad",
    "deserialize",
    "get",
    "mean_squared_error",
    "mean_squared_error_grad",
    "names",
    "serialize",
    "sigmoid_binary_cross_entropy",
    "sigmoid_binary_cross_entropy_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "sum_squared_error",
    "sum_squared_error_grad",
    "to_labels",
    "to_one_hot",
]

# --- Loss objects and registry ---------------------------------------------------


class Loss:
    """A loss as an object: ``loss(y, t) -> float``, ``loss.gradient(y, t) -> dL/dy``.

    ``output_activation`` names the activation that turns the network's raw
    output into predictions: "softmax" (the loss takes logits), "sigmoid"
    (logits for independent binary outputs) or "linear" (the output already is
    the prediction: regression, or probabilities as the book's
    ``cross_entropy_error`` expects).
    """

    name: ClassVar[str] = ""
    output_activation: ClassVar[str] = "linear"
    #: The plain functions ``L(y, t)`` and ``dL/dy`` that a subclass names.
    value_fn: ClassVar[Callable[[Any, Any], float]]
    grad_fn: ClassVar[Callable[[Any, Any], np.ndarray]]

    def __init_subclass__(cls, functions: tuple[Callable, Callable] | None = None) -> None:
        """``class L(Loss, functions=(f, f_grad))``: ``L`` computes ``f`` and is named so."""
        super().__init_subclass__()
        if functions is not None:
            cls.value_fn, cls.grad_fn = (staticmethod(f) for f in functions)
            cls.name = functions[0].__name__

    def __call__(self, y: Any, t: Any) -> float:
        return type(self).value_fn(y, t)

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        """dL/dy of the batch-mean loss, shape and dtype of ``y``."""
        return type(self).grad_fn(y, t)

    def value_and_grad(
        self, y: Any, t: Any, out: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """``(loss, dL/dy)``; with ``out`` (``y``'s shape and dtype) dL/dy is written there.

        The base version calls :meth:`__call__` and :meth:`gradient`;
        :class:`SoftmaxCrossEntropy` fuses the two.
        """
        grad = self.gradient(y, t)
        value = self(y, t)
        if out is None:
            return value, grad
        out = _check_out(out, grad)
        np.copyto(out, grad)
        return value, out

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, JSON-able."""
        return {}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.get_config().items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SumSquaredError(Loss, functions=(sum_squared_error, sum_squared_error_grad)):
    """:func:`sum_squared_error` (the book's ``mean_squared_error``)."""


class MeanSquaredError(Loss, functions=(mean_squared_error, mean_squared_error_grad)):
    """:func:`mean_squared_error` (mean over every element, as Keras and PyTorch)."""


class CrossEntropyError(Loss, functions=(cross_entropy_error, cross_entropy_error_grad)):
    """:func:`cross_entropy_error`, the book's, on probabilities (output activation linear)."""


class SoftmaxCrossEntropy(Loss):
    """:func:`softmax_cross_entropy` on logits, optional label smoothing.

    ``value_and_grad(logits, t, out=None)`` is the training path: one softmax
    gives both the loss and ``(softmax(z) - q) / N``; with ``out`` (logits'
    shape and dtype, or ``logits`` itself) the gradient is written there and
    only per-row vectors are allocated.
    """

    name = "softmax_cross_entropy"
    output_activation = "softmax"

    def __init__(self, label_smoothing: float = 0.0) -> None:
        self.label_smoothing = _check_smoothing(label_smoothing)

    def __call__(self, y: Any, t: Any) -> float:
        return softmax_cross_entropy(y, t, self.label_smoothing)

    def gradient(self, y: Any, t: Any) -> np.ndarray:
        return softmax_cross_entropy_grad(y, t, self.label_smoothing)

    def value_and_grad(
        self, y: Any, t: Any, out: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        return _softmax_ce_value_and_grad(y, t, self.label_smoothing, out)

    def get_config(self) -> dict[str, Any]:
        return {"label_smoothing": self.label_smoothing}


class BinaryCrossEntropy(Loss, functions=(binary_cross_entropy, binary_cross_entropy_grad)):
    """:func:`binary_cross_entropy` on probabilities (output activation linear)."""


class SigmoidBinaryCrossEntropy(
    Loss, functions=(sigmoid_binary_cross_entropy, sigmoid_binary_cross_entropy_grad)
):
    """:func:`sigmoid_binary_cross_entropy` on logits (output activation sigmoid).

    ``value_and_grad(logits, t, out=None)`` checks the targets once for both.
    """

    output_activation = "sigmoid"

    def value_and_grad(
        self, y: Any, t: Any, out: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        return _sigmoid_bce_value_and_grad(y, t, out)


_REGISTRY: Registry[Loss] = Registry(
    "loss",
    Loss,
    (
        SumSquaredError,
        MeanSquaredError,
        CrossEntropyError,
        SoftmaxCrossEntropy,
        BinaryCrossEntropy,
        SigmoidBinaryCrossEntropy,
    ),
    {"mse": "mean_squared_error", "sse": "sum_squared_error"},
)


# The registry's own methods, as this module's functions:
# names() -> every registered name, aliases included, sorted;
# deserialize(name or {"class_name": ..., "config": {...}}) -> an instance;
# serialize(instance) -> {"class_name": ..., "config": {...}}, its inverse.
names = _REGISTRY.names
deserialize = _REGISTRY.deserialize
serialize = _REGISTRY.serialize


def get(identifier: Loss | str | dict[str, Any]) -> Loss:
    """Resolve a loss: a :class:`Loss` (returned as is), a registered name or a dict."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    raise TypeError(
        f"loss: expected a name, a dict or a Loss, got {identifier!r}; names: {names()}"
    )

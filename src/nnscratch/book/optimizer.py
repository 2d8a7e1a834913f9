"""The book's ``common/optimizer.py`` (6.1): ``update(params, grads)`` changes ``params`` in place.

``params`` and ``grads`` are dicts of arrays with the same keys (``W1``,
``b1``, ...); state (velocities, squared-gradient sums) is kept per key.
Every class is the library's optimizer of the same name
(``nnscratch.training.optimizers``), whose ``step`` is this ``update``; the book's
argument names are kept (``decay_rate`` is the library's ``rho``). One
constant differs: the book's ``Adam`` adds a fixed ``1e-7`` to ``sqrt(v)``,
the library's ``eps * sqrt(1 - beta2^t)`` (Kingma and Ba's algorithm), so the
book's ``Adam`` sets the library's ``eps`` before each step to agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from nnscratch.training import optimizers

__all__ = ["SGD", "AdaGrad", "Adam", "Momentum", "Nesterov", "RMSprop"]

Params = Mapping[str, np.ndarray]


class _OverLibrary:
    """A book optimizer whose ``update`` is the library optimizer's ``step``."""

    _opt: optimizers.Optimizer

    @property
    def lr(self) -> float:
        """The learning rate of the next update."""
        return self._opt.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._opt.lr = value

    def update(self, params: Params, grads: Params) -> None:
        """``params[key]`` is updated in place from ``grads[key]`` for every key."""
        self._opt.step(params, grads)


class SGD(_OverLibrary):
    """``W <- W - lr * dW`` (book 6.1.2)."""

    def __init__(self, lr: float = 0.01) -> None:
        self._opt = optimizers.SGD(lr)


class Momentum(_OverLibrary):
    """``v <- momentum * v - lr * dW``; ``W <- W + v`` (book 6.1.4)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self._opt = optimizers.Momentum(lr, momentum)
        self.momentum = momentum


class AdaGrad(_OverLibrary):
    """``h <- h + dW * dW``; ``W <- W - lr * dW / (sqrt(h) + 1e-7)`` (book 6.1.5)."""

    def __init__(self, lr: float = 0.01) -> None:
        self._opt = optimizers.AdaGrad(lr, eps=1e-7)


class RMSprop(_OverLibrary):
    """``h <- decay_rate * h + (1 - decay_rate) * dW * dW``; then AdaGrad's step (book 6.1.5)."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        self._opt = optimizers.RMSprop(lr, decay_rate, eps=1e-7)
        self.decay_rate = decay_rate


class Adam(_OverLibrary):
    """Adam as the book writes it (6.1.6; Kingma and Ba 2015), ``1e-7`` added to ``sqrt(v)``.

    ``m <- m + (1 - beta1) (g - m)``, ``v <- v + (1 - beta2) (g^2 - v)``,
    ``W <- W - lr_t * m / (sqrt(v) + 1e-7)``, ``lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)``.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self._opt = optimizers.Adam(lr, beta1, beta2)
        self.beta1, self.beta2 = beta1, beta2

    @property
    def iter(self) -> int:
        """Updates done so far (``t``)."""
        return self._opt.iterations

    def update(self, params: Params, grads: Params) -> None:
        # The library adds eps * sqrt(1 - beta2^t) to sqrt(v); the book a fixed 1e-7.
        t = self._opt.iterations + 1
        self._opt.eps = 1e-7 / math.sqrt(1.0 - self.beta2**t)
        self._opt.step(params, grads)


class Nesterov(_OverLibrary):
    """Nesterov's accelerated gradient (book 6.1; Sutskever et al. 2013), ``mu = momentum``.

    ``W <- W + mu^2 v - (1 + mu) lr dW``, then ``v <- mu v - lr dW``: the book's
    code since its 2021 fix, and the library's ``Nesterov``.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self._opt = optimizers.Nesterov(lr, momentum)
        self.momentum = momentum

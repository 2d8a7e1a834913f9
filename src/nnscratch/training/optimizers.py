"""Gradient-based optimizers that update a network's parameters in place.

Every optimizer follows one contract (see ``docs/internals.md``)::

    opt = Adam(lr=1e-3)
    grads = net.gradient(x, t)          # {"0.W": dW, "0.b": db, ...}
    opt.step(net.trainable_parameters(), grads)   # the arrays change in place

State (velocities, moment estimates) is kept per parameter, keyed by the
parameter's name, in buffers allocated on the first step and reused after:
a step allocates no new arrays, so the training loop stays lean. Every
update is written with ``out=`` ufuncs for that reason.

Weight decay comes in two forms:

* ``SGD`` ... ``Adam`` add an L2 penalty ``wd/2 * ||w||^2`` to the loss, that
  is ``g <- g + wd * w`` before the update rule (coupled weight decay; what
  PyTorch's ``weight_decay`` argument does for these optimizers).
* ``AdamW`` shrinks the weights directly, ``w <- w * (1 - lr * wd)``, outside
  the adaptive rescaling (decoupled weight decay; Loshchilov & Hutter,
  "Decoupled Weight Decay Regularization", ICLR 2019). With an adaptive
  method the two differ: the L2 gradient is divided by ``sqrt(v)`` like every
  other gradient, so weights with large gradients are barely decayed.

The coupled form is also a gradient hook, ``hooks=[WeightDecay(wd)]``, bit
for bit (:mod:`nnscratch.training.hooks`: weight decay, clipping, gradient
noise, freezing).

Every optimizer takes, besides its own hyperparameters, the keywords of
:class:`~nnscratch.training.optimizer_base.Optimizer` (``**options``):
``weight_decay`` and ``hooks``. The learning rate is the attribute ``lr``;
learning-rate schedules (:mod:`nnscratch.training.schedules`) set it before
each step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from nnscratch._registry import Registry
from nnscratch._validate import Real, check
from nnscratch.training.optimizer_base import POSITIVE, Optimizer

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "names",
    "serialize",
]

Array = np.ndarray
_UNIT = Real(0, 1, high_open=True)  # a decay rate in [0, 1)


def _decay_square(acc: Array, g: Array, rho: float, buf: Array) -> None:
    """``acc <- rho * acc + (1 - rho) * g * g`` in place (``buf``: scratch of g's shape)."""
    acc *= rho
    np.multiply(g, g, out=buf)
    buf *= 1.0 - rho
    acc += buf


def _scaled_step(p: Array, num: Array, acc: Array, lr: float, eps: float, buf: Array) -> None:
    """``p <- p - lr * num / (sqrt(acc) + eps)`` in place (``buf``: scratch, not ``num``)."""
    np.sqrt(acc, out=buf)
    buf += eps
    np.divide(num, buf, out=buf)
    buf *= lr
    p -= buf


class SGD(Optimizer):
    """Stochastic gradient descent: ``w <- w - lr * g``.

    Reference: Saitoh, "Deep Learning from Scratch", section 6.1.2.
    """

    name = "sgd"

    def __init__(self, lr: float = 0.01, **options: Any) -> None:
        super().__init__(lr, **options)

    def _update(self, p: Array, g: Array, slots: list[Array], buf: Array) -> None:
        np.multiply(g, self._lr, out=buf)
        p -= buf


class _WithMomentum(Optimizer):
    """An optimizer with a velocity ``v`` and its decay ``momentum`` in [0, 1)."""

    slot_names = ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, **options: Any) -> None:
        super().__init__(lr, **options)
        self.momentum = check("momentum", momentum, _UNIT)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum}


class Momentum(_WithMomentum):
    """Momentum SGD (the book's form).

    ``v <- momentum * v - lr * g``;  ``w <- w + v``.

    Reference: Saitoh, section 6.1.4; Rumelhart, Hinton & Williams (1986).
    """

    name = "momentum"

    def _update(self, p: Array, g: Array, slots: list[Array], buf: Array) -> None:
        (v,) = slots
        v *= self.momentum
        np.multiply(g, self._lr, out=buf)
        v -= buf
        p += v


class Nesterov(_WithMomentum):
    """Nesterov's accelerated gradient, in Sutskever's reformulation.

    ``v <- mu * v - lr * g``;  ``w <- w + mu * v - lr * g``

    (gradient taken at the current weights; Sutskever et al., "On the
    importance of initialization and momentum in deep learning", ICML 2013;
    Bengio et al., arXiv:1212.0901, eq. 7). Substituting the new ``v`` gives
    ``w <- w + mu^2 * v_old - (1 + mu) * lr * g``: the weight step uses the
    velocity from *before* this step.

    This is not the update of the book's ``common/optimizer.py``: that code
    updates ``v`` first and then adds ``mu^2`` times the *new* ``v``, a step
    of ``mu^2 * v_new - (1 + mu) * lr * g``
    ``= mu^3 * v_old - (1 + mu + mu^2) * lr * g``. From ``v = 0`` with
    ``mu = 0.9``, ``lr = 0.1`` and ``g = 1`` the first step is -0.19 here
    and -0.271 in the book. We implement the published form because it is
    the one derived in the papers above and the one PyTorch uses:
    ``SGD(nesterov=True)`` is the same update with ``v`` scaled by ``-1/lr``
    (identical for a constant learning rate; tested against it).
    """

    name = "nesterov"

    def _update(self, p: Array, g: Array, slots: list[Array], buf: Array) -> None:
        (v,) = slots
        mu = self.momentum
        np.multiply(g, self._lr, out=buf)
        v *= mu
        v -= buf  # v = mu v - lr g
        p -= buf  # w -= lr g
        np.multiply(v, mu, out=buf)
        p += buf  # w += mu v


class AdaGrad(Optimizer):
    """AdaGrad: per-weight learning rates from the sum of squared gradients.

    ``h <- h + g * g``;  ``w <- w - lr * g / (sqrt(h) + eps)``

    Reference: Duchi, Hazan & Singer, JMLR 12 (2011); Saitoh, section 6.1.5
    (``eps = 1e-7`` as the book, added to ``sqrt(h)``).
    """

    name = "adagrad"
    slot_names = ("h",)

    def __init__(self, lr: float = 0.01, *, eps: float = 1e-7, **options: Any) -> None:
        super().__init__(lr, **options)
        self.eps = check("eps", eps, POSITIVE)

    def _update(self, p: Array, g: Array, slots: list[Array], buf: Array) -> None:
        (h,) = slots
        np.multiply(g, g, out=buf)
        h += buf
        _scaled_step(p, g, h, self._lr, self.eps, buf)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "eps": self.eps}


class RMSprop(Optimizer):
    """RMSprop: AdaGrad with an exponentially decaying average.

    ``h <- rho * h + (1 - rho) * g * g``;  ``w <- w - lr * g / (sqrt(h) + eps)``

    ``rho = 0.99`` as the book's ``decay_rate`` (and PyTorch's ``alpha``;
    Keras's default is 0.9). Reference: Tieleman & Hinton, Coursera lecture
    6.5 (2012); Saitoh, section 6.1.5.
    """

    name = "rmsprop"
    slot_names = ("h",)

    def __init__(
        self, lr: float = 0.01, rho: float = 0.99, *, eps: float = 1e-7, **options: Any
    ) -> None:
        super().__init__(lr, **options)
        self.rho = check("rho", rho, _UNIT)
        self.eps = check("eps", eps, POSITIVE)

    def _update(self, p: Array, g: Array, slots: list[Array], buf: Array) -> None:
        (h,) = slots
        _decay_square(h, g, self.rho, buf)
        _scaled_step(p, g, h, self._lr, self.eps, buf)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "eps": self.eps}


class Adam(Optimizer):
    """Adam, with the bias correction folded into the step size (the book's form).

    With ``t`` the step number::

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
        w <- w - lr_t * m / (sqrt(v) + eps * sqrt(1 - beta2^t))

    which equals Algorithm 1 of Kingma & Ba (ICLR 2015),
    ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 -
    beta1^t)`` and ``v_hat = v / (1 - beta2^t)``: ``eps`` is added to
    ``sqrt(v_hat)`` exactly as in the paper's algorithm and in PyTorch
    (``eps = 1e-8`` their default). The book and Keras instead add a fixed
    ``eps`` (1e-7) to ``sqrt(v)`` (the paper's "epsilon hat" variant); the
    difference only shows while ``sqrt(v)`` is comparable to ``eps``.
    """

    name = "adam"
    slot_names = ("m", "v")

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        *,
        eps: float = 1e-8,
        **options: Any,
    ) -> None:
        super().__init__(lr, **options)
        self.beta1 = check("beta1", beta1, _UNIT)
        self.beta2 = check("beta2", beta2, _UNIT)
        self.eps = check("eps", eps, POSITIVE)
        self._lr_t = 0.0
        self._eps_t = 0.0

    def _prepare(self) -> None:
        t = self.iterations
        c2 = math.sqrt(1.0 - self.beta2**t)
        self._lr_t = self._lr * c2 / (1.0 - self.beta1**t)
        self._eps_t = self.eps * c2

    def _update(self, p: Array, g: Array, slots: list[Array], buf: Array) -> None:
        m, v = slots
        m *= self.beta1
        np.multiply(g, 1.0 - self.beta1, out=buf)
        m += buf
        _decay_square(v, g, self.beta2, buf)
        _scaled_step(p, m, v, self._lr_t, self._eps_t, buf)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta1": self.beta1,
            "beta2": self.beta2,
            "eps": self.eps,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, ICLR 2019).

    Each step first shrinks the weights, ``w <- w * (1 - lr * weight_decay)``,
    then takes the :class:`Adam` step with the same ``lr``. This is the order
    and the scaling of PyTorch's ``AdamW`` (decay scaled by the scheduled
    ``lr``, the paper's ``eta_t * lambda``); default ``weight_decay = 0.01``
    as there. The decay applies to every parameter passed to :meth:`step`.
    """

    name = "adamw"
    _decoupled = True

    def __init__(self, *args: Any, weight_decay: float = 0.01, **options: Any) -> None:
        # Adam's arguments (lr, beta1, beta2, eps, hooks), with a decay on by default
        super().__init__(*args, weight_decay=weight_decay, **options)
        self._shrink = 1.0

    def _prepare(self) -> None:
        super()._prepare()
        self._shrink = 1.0 - self._lr * self.weight_decay

    def _update(self, p: Array, g: Array, slots: list[Array], buf: Array) -> None:
        if self._shrink != 1.0:
            p *= self._shrink
        super()._update(p, g, slots, buf)


_REGISTRY: Registry[Optimizer] = Registry(
    "optimizer",
    Optimizer,
    (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW),
    sort_names=False,
)


def names() -> list[str]:
    """Registry names, as Keras spells them (plus ``momentum``, ``nesterov``)."""
    return _REGISTRY.names()


def get(identifier: str | Mapping[str, Any] | Optimizer) -> Optimizer:
    """An optimizer from a name, a ``{"class_name", "config"}`` dict or an instance.

    >>> get("adam").lr
    0.001
    >>> get({"class_name": "sgd", "config": {"lr": 0.1}}).lr
    0.1

    An instance is returned as it is (its state is kept).
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _REGISTRY.lookup(identifier)()
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    raise TypeError(
        "optimizer: expected a name, a {'class_name', 'config'} dict or an Optimizer, "
        f"got {type(identifier).__name__}"
    )


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """``{"class_name": name, "config": get_config()}`` (Keras's form)."""
    return _REGISTRY.serialize(optimizer)


def deserialize(config: str | Mapping[str, Any]) -> Optimizer:
    """Inverse of :func:`serialize` (a bare name gives the defaults)."""
    if isinstance(config, str):
        return _REGISTRY.lookup(config)()
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise ValueError(
            f"optimizer: expected a dict with 'class_name' (and optional 'config'), got {config!r}"
        )
    cls = _REGISTRY.lookup(str(config["class_name"]))
    cfg = config.get("config") or {}
    if not isinstance(cfg, Mapping):
        raise TypeError(f"optimizer config: expected a dict, got {type(cfg).__name__}")
    return cls.from_config(cfg)

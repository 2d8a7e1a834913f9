"""Gradient hooks: small objects that change the gradients before an optimizer's update.

An optimizer runs its hooks, in order, on every step, after it has checked
the gradients and before its update rule (DeZero's ``Optimizer.add_hook``)::

    opt = SGD(0.1, hooks=[ClipGradNorm(5.0), GradientNoise(0.01, seed=0)])
    opt.add_hook(Freeze("0.b"))
    opt.step(net.trainable_parameters(), grads)   # hooks, then w <- w - lr * g

A hook is called as ``hook(params, grads)``: ``params`` the live parameters
by name, ``grads`` the step's own dict of gradients by name. It replaces
entries of ``grads`` with arrays of its own (it never writes into the arrays
it was given: they are the network's) or deletes them (that parameter is
not updated in this step). Hooks serialize with the optimizer (Keras's
``{"class_name", "config"}`` form) and keep their state (a noise generator)
in the optimizer's ``state_dict``, so a resumed run continues bit for bit.

References: Saitoh, "Deep Learning from Scratch 3" (DeZero), step 46
(``WeightDecay``, ``ClipGrad``, ``FreezeParam``); Pascanu, Mikolov and
Bengio, "On the difficulty of training recurrent neural networks", ICML 2013
(clipping by the global norm); Neelakantan et al., "Adding gradient noise
improves learning for very deep networks", arXiv:1511.06807 (2015).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from nnscratch._registry import Registry
from nnscratch._validate import Real, check, check_seed, fail

__all__ = [
    "ClipGradNorm",
    "Freeze",
    "GradientNoise",
    "Hook",
    "WeightDecay",
    "deserialize",
    "get",
    "names",
    "serialize",
]

Array = np.ndarray
Grads = dict[str, Array]


class Hook:
    """Base class: ``hook(params, grads)`` changes ``grads`` in place before the update."""

    name: ClassVar[str] = ""

    def __init__(self) -> None:
        self._buffers: dict[str, Array] = {}

    def __call__(self, params: Mapping[str, Array], grads: Grads) -> None:
        raise NotImplementedError

    def _buffer(self, key: str, like: Array) -> Array:
        """This hook's own scratch array for parameter ``key``, allocated once."""
        buf = self._buffers.get(key)
        if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
            buf = self._buffers[key] = np.empty_like(like)
        return buf

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments (JSON-able)."""
        return {}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Hook:
        return cls(**config)

    def state_dict(self) -> dict[str, Any]:
        """State that a checkpoint must keep (JSON-able scalars)."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""

    def reset(self) -> None:
        """Forget all state, as if freshly constructed."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class WeightDecay(Hook):
    """L2 weight decay: ``g <- g + rate * w``, the gradient of ``rate/2 * ||w||^2``.

    The same update as an optimizer's ``weight_decay=rate`` (coupled weight
    decay, added to the gradient before the update rule), bit for bit.
    Reference: Saitoh, "Deep Learning from Scratch", 6.4.1.
    """

    name = "weight_decay"

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = check("rate", rate, Real(0))

    def __call__(self, params: Mapping[str, Array], grads: Grads) -> None:
        rate = self.rate
        for key, g in grads.items():
            p = params[key]
            buf = self._buffer(key, p)
            np.multiply(p, rate, out=buf)
            buf += g
            grads[key] = buf

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}


class ClipGradNorm(Hook):
    """Scale all gradients together so their global norm is at most ``max_norm``.

    ``norm = sqrt(sum_i ||g_i||^2)`` over every gradient of the step; when
    ``norm > max_norm``, every ``g_i <- g_i * max_norm / norm`` (the direction
    is kept). ``last_norm`` holds the norm before clipping of the latest step.
    Reference: Pascanu, Mikolov and Bengio (ICML 2013), algorithm 1.
    """

    name = "clip_grad_norm"

    def __init__(self, max_norm: float) -> None:
        super().__init__()
        self.max_norm = check("max_norm", max_norm, Real(0, None, low_open=True))
        self.last_norm = 0.0

    def __call__(self, params: Mapping[str, Array], grads: Grads) -> None:
        total = 0.0
        for g in grads.values():
            flat = g.reshape(-1)
            total += float(np.dot(flat, flat))
        norm = math.sqrt(total)
        self.last_norm = norm
        if not norm > self.max_norm:  # also leaves NaN alone: the trainer reports it
            return
        scale = self.max_norm / norm
        for key, g in grads.items():
            buf = self._buffer(key, g)
            np.multiply(g, scale, out=buf)
            grads[key] = buf

    def get_config(self) -> dict[str, Any]:
        return {"max_norm": self.max_norm}


class GradientNoise(Hook):
    """Annealed Gaussian gradient noise: ``g <- g + sigma_k * e``, ``e ~ N(0, I)``.

    ``sigma_k = std / (1 + k)**(decay / 2)`` at the hook's ``k``-th step (from
    0): the variance ``std^2 / (1 + k)^decay`` of Neelakantan et al. (2015),
    who use ``decay = 0.55``. The noise comes from the hook's own Generator
    (``seed``); its state is part of the optimizer's ``state_dict``. Noise
    stands in for the randomness of a stochastic gradient, one of the ways
    out of a local minimum that Zhou ("Machine Learning", 5.4) lists.
    """

    name = "gradient_noise"

    def __init__(self, std: float, *, decay: float = 0.55, seed: int | None = None) -> None:
        super().__init__()
        self.std = check("std", std, Real(0))
        self.decay = check("decay", decay, Real(0))
        self.seed = check_seed("seed", seed)
        self.reset()

    def reset(self) -> None:
        self.steps = 0
        self.rng = np.random.default_rng(self.seed)
        self._noise: dict[tuple[int, ...], Array] = {}

    def sigma(self, k: int) -> float:
        """The noise's standard deviation at step ``k``."""
        return self.std / (1.0 + k) ** (self.decay / 2.0)

    def __call__(self, params: Mapping[str, Array], grads: Grads) -> None:
        sigma = self.sigma(self.steps)
        self.steps += 1
        for key, g in grads.items():
            e = self._noise.get(g.shape)
            if e is None:
                e = self._noise[g.shape] = np.empty(g.shape)
            self.rng.standard_normal(out=e)  # float64 draws, whatever g's dtype
            e *= sigma
            buf = self._buffer(key, g)
            np.copyto(buf, e, casting="same_kind")
            buf += g
            grads[key] = buf

    def get_config(self) -> dict[str, Any]:
        return {"std": self.std, "decay": self.decay, "seed": self.seed}

    def state_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.steps = int(state["steps"])
        self.rng.bit_generator.state = dict(state["rng"])


class Freeze(Hook):
    """Leave the named parameters unchanged: their gradients are dropped from the step.

    ``Freeze("0.b", "2.b")`` keeps the biases of layers 0 and 2 fixed (as the
    worked examples that train the weights only). The optimizer creates no
    state for a frozen parameter and, for ``AdamW``, does not decay it.
    A name the optimizer is not given raises ``ValueError`` at the first step.
    """

    name = "freeze"

    def __init__(self, *names: str) -> None:
        super().__init__()
        for n in names:
            if not isinstance(n, str):
                raise fail("names", "parameter names such as '0.b'", n, TypeError)
        self.names = tuple(names)

    def __call__(self, params: Mapping[str, Array], grads: Grads) -> None:
        for n in self.names:
            if n not in params:
                raise fail("Freeze", f"names of parameters from {list(params)}", n)
            grads.pop(n, None)

    def get_config(self) -> dict[str, Any]:
        return {"names": list(self.names)}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Hook:
        return cls(*config.get("names", ()))


_REGISTRY: Registry[Hook] = Registry(
    "hook",
    Hook,
    (WeightDecay, ClipGradNorm, GradientNoise, Freeze),
    build=lambda cls, config: cls.from_config(config),
    sort_names=False,
)


def names() -> list[str]:
    """Registry names."""
    return _REGISTRY.names()


def serialize(hook: Hook) -> dict[str, Any]:
    """``{"class_name": name, "config": get_config()}`` (Keras's form)."""
    return _REGISTRY.serialize(hook)


def deserialize(config: str | dict[str, Any]) -> Hook:
    """Inverse of :func:`serialize`."""
    return _REGISTRY.deserialize(config)


def get(identifier: Hook | str | dict[str, Any]) -> Hook:
    """A hook from an instance (returned as it is), a name or a serialized dict."""
    if isinstance(identifier, Hook):
        return identifier
    return _REGISTRY.deserialize(identifier)

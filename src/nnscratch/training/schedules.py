"""Learning-rate schedules: small objects with ``schedule(step) -> lr``.

``step`` counts optimizer steps from 0 (the first update uses
``schedule(0)``). The trainer sets ``optimizer.lr = schedule(step)`` before
every step, so a schedule is pure: the same step always gives the same rate,
and a resumed run only needs the step count to continue exactly.

Every schedule has ``get_config()`` (its constructor arguments) and the
registry :func:`get` builds one from a name, a ``{"class_name", "config"}``
dict, a number (a constant rate) or returns an instance unchanged.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from typing import Any, ClassVar

from nnscratch._registry import Registry
from nnscratch._validate import Integer, Options, Real, check, check_bool

__all__ = [
    "Constant",
    "CosineDecay",
    "ExponentialDecay",
    "OneCycle",
    "Schedule",
    "StepDecay",
    "deserialize",
    "get",
    "names",
    "serialize",
]


_POSITIVE = Real(0, None, low_open=True)
_STEPS = Integer(1)
_FRACTION = Real(0, 1)


def _check_step(step: int) -> int:
    # Run on every step: a plain comparison, the wording of _validate's Integer(0).
    if step < 0:
        raise ValueError(f"step: expected an integer >= 0, got {step}")
    return step


class Schedule:
    """Base class: ``__call__(step) -> lr`` and ``get_config()``."""

    name: ClassVar[str] = ""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, each read from the attribute of the same name."""
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != "self"}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Schedule:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """The same rate at every step: ``lr``."""

    name = "constant"

    def __init__(self, lr: float) -> None:
        self.lr = check("lr", lr, _POSITIVE)

    def __call__(self, step: int) -> float:
        _check_step(step)
        return self.lr


class StepDecay(Schedule):
    """Multiply the rate by ``gamma`` every ``step_size`` steps.

    ``lr_s = lr * gamma ** (s // step_size)`` (PyTorch's ``StepLR``, counted
    in optimizer steps).
    """

    name = "step"

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1) -> None:
        self.lr = check("lr", lr, _POSITIVE)
        self.step_size = check("step_size", step_size, _STEPS)
        self.gamma = check("gamma", gamma, _POSITIVE)

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** (_check_step(step) // self.step_size)


class ExponentialDecay(Schedule):
    """Exponential decay: ``lr_s = lr * decay_rate ** (s / decay_steps)``.

    With ``staircase=True`` the exponent is ``s // decay_steps`` (Keras's
    ``ExponentialDecay``, same arguments).
    """

    name = "exponential"

    def __init__(
        self, lr: float, decay_rate: float, decay_steps: int = 1, *, staircase: bool = False
    ) -> None:
        self.lr = check("lr", lr, _POSITIVE)
        self.decay_rate = check("decay_rate", decay_rate, _POSITIVE)
        self.decay_steps = check("decay_steps", decay_steps, _STEPS)
        self.staircase = check_bool("staircase", staircase)

    def __call__(self, step: int) -> float:
        s = _check_step(step)
        exponent = s // self.decay_steps if self.staircase else s / self.decay_steps
        return self.lr * self.decay_rate**exponent


class CosineDecay(Schedule):
    """Cosine decay from ``lr`` to ``alpha * lr``, after an optional linear warmup.

    For ``s < warmup_steps``: ``lr_s = warmup_start + (lr - warmup_start) * s /
    warmup_steps``. Then, with ``p = min(s - warmup_steps, decay_steps) /
    decay_steps``::

        lr_s = alpha * lr + (lr - alpha * lr) * (1 + cos(pi * p)) / 2

    and ``alpha * lr`` after the end. Reference: Loshchilov & Hutter, "SGDR"
    (ICLR 2017) without restarts; Keras's ``CosineDecay`` (same ``alpha``).
    """

    name = "cosine"

    def __init__(
        self,
        lr: float,
        decay_steps: int,
        *,
        alpha: float = 0.0,
        warmup_steps: int = 0,
        warmup_start: float = 0.0,
    ) -> None:
        self.lr = check("lr", lr, _POSITIVE)
        self.decay_steps = check("decay_steps", decay_steps, _STEPS)
        self.alpha = check("alpha", alpha, _FRACTION)
        self.warmup_steps = check("warmup_steps", warmup_steps, Integer(0))
        self.warmup_start = check("warmup_start", warmup_start, Real(0, self.lr))

    def __call__(self, step: int) -> float:
        s = _check_step(step)
        if s < self.warmup_steps:
            return self.warmup_start + (self.lr - self.warmup_start) * s / self.warmup_steps
        p = min(s - self.warmup_steps, self.decay_steps) / self.decay_steps
        low = self.alpha * self.lr
        return low + (self.lr - low) * 0.5 * (1.0 + math.cos(math.pi * p))


class OneCycle(Schedule):
    """The one-cycle policy (Smith & Topin, "Super-Convergence", 2018/2019).

    Two phases over ``total_steps`` optimizer steps, as PyTorch's
    ``OneCycleLR`` defines them (``three_phase=False``):

    1. steps ``0 .. pct_start * total_steps - 1``: from ``max_lr /
       div_factor`` up to ``max_lr``;
    2. from there to step ``total_steps - 1``: down to ``max_lr /
       (div_factor * final_div_factor)``.

    Within a phase from ``a`` to ``b`` at fraction ``p`` of it, ``anneal="cos"``
    gives ``b + (a - b) * (1 + cos(pi * p)) / 2`` and ``"linear"`` gives ``a +
    (b - a) * p`` (Smith & Topin used linear steps; PyTorch's default is
    cosine). Defaults are PyTorch's: ``pct_start=0.3``, ``div_factor=25``,
    ``final_div_factor=1e4``. Note that the floor is the *initial* rate divided
    by ``final_div_factor`` (PyTorch's definition), i.e. ``max_lr / 2.5e5``
    with the defaults. Steps past the end stay at the floor (PyTorch raises).
    """

    name = "one_cycle"

    def __init__(
        self,
        max_lr: float,
        total_steps: int,
        *,
        pct_start: float = 0.3,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        anneal: str = "cos",
    ) -> None:
        self.max_lr = check("max_lr", max_lr, _POSITIVE)
        self.total_steps = check("total_steps", total_steps, _STEPS)
        self.pct_start = check("pct_start", pct_start, Real(0, 1, low_open=True, high_open=True))
        self.div_factor = check("div_factor", div_factor, _POSITIVE)
        self.final_div_factor = check("final_div_factor", final_div_factor, _POSITIVE)
        self.anneal = check("anneal", anneal, Options("cos", "linear"))
        self._peak = self.pct_start * self.total_steps - 1.0
        self._end = float(self.total_steps - 1)
        if not (0.0 < self._peak < self._end):
            raise ValueError(
                "total_steps: too few steps for two phases with pct_start="
                f"{self.pct_start} (need pct_start * total_steps > 1 and < total_steps), "
                f"got {self.total_steps}"
            )
        self.initial_lr = self.max_lr / self.div_factor
        self.min_lr = self.initial_lr / self.final_div_factor

    def _interp(self, a: float, b: float, p: float) -> float:
        if self.anneal == "cos":
            return b + (a - b) * 0.5 * (math.cos(math.pi * p) + 1.0)
        return a + (b - a) * p

    def __call__(self, step: int) -> float:
        s = float(_check_step(step))
        if s <= self._peak:
            return self._interp(self.initial_lr, self.max_lr, s / self._peak)
        p = min((s - self._peak) / (self._end - self._peak), 1.0)
        return self._interp(self.max_lr, self.min_lr, p)


_REGISTRY: Registry[Schedule] = Registry(
    "schedule",
    Schedule,
    (Constant, StepDecay, ExponentialDecay, CosineDecay, OneCycle),
    sort_names=False,
)


def names() -> list[str]:
    """Registry names."""
    return _REGISTRY.names()


def serialize(schedule: Schedule) -> dict[str, Any]:
    """``{"class_name": name, "config": get_config()}``."""
    return _REGISTRY.serialize(schedule)


def deserialize(config: Mapping[str, Any]) -> Schedule:
    """Inverse of :func:`serialize`."""
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise ValueError(
            f"schedule: expected a dict with 'class_name' and 'config', got {config!r}"
        )
    cls = _REGISTRY.lookup(str(config["class_name"]))
    return cls.from_config(config.get("config") or {})


def get(identifier: Schedule | Mapping[str, Any] | float | None) -> Schedule | None:
    """A schedule from an instance, a dict, a number (constant rate) or ``None``."""
    if identifier is None or isinstance(identifier, Schedule):
        return identifier
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, (int, float)) and not isinstance(identifier, bool):
        return Constant(float(identifier))
    raise TypeError(
        "schedule: expected a Schedule, a {'class_name', 'config'} dict, a number or None, "
        f"got {type(identifier).__name__}"
    )

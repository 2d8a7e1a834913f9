"""The optimizers' shared bookkeeping: checks, gradient hooks, per-parameter state.

:class:`Optimizer` is what every update rule of
:mod:`nnscratch.training.optimizers` inherits: a step checks each gradient
against its parameter, runs the gradient hooks (:mod:`~nnscratch.training.hooks`),
then calls the subclass's ``_update(p, g, slots, buf)`` for each parameter
with that parameter's state buffers, allocated on the first step and reused
after (a step allocates no new arrays). ``state_dict`` / ``load_state_dict``
save and restore all of it, the hooks' state included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from nnscratch._validate import Real, check, fail
from nnscratch.training import hooks as _hooks
from nnscratch.training.hooks import Hook, WeightDecay

__all__ = ["Optimizer"]

Array = np.ndarray
POSITIVE = Real(0, None, low_open=True)
NON_NEGATIVE = Real(0)


def _grad_for(key: str, p: Any, grads: Mapping[str, Any], known: bool) -> Any:
    """``grads[key]``, checked against the parameter ``p`` (its type only when not ``known``).

    Run on every step: a (1, 2) gradient for a (3, 2) parameter would
    otherwise broadcast silently into the update.
    """
    if not known and (not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating)):
        raise TypeError(f"params[{key!r}]: expected a floating-point ndarray, got {p!r}")
    try:
        g = grads[key]
    except KeyError:
        raise ValueError(
            f"grads: expected a gradient for every parameter, missing {key!r}"
        ) from None
    shape = g.shape if g.__class__ is np.ndarray else np.shape(g)
    if shape != p.shape:
        raise ValueError(f"grads[{key!r}]: expected shape {p.shape} (the parameter's), got {shape}")
    return g


class Optimizer:
    """Base class: gradient hooks, per-parameter state, in-place updates, savable state.

    A step checks every gradient, runs the hooks (:mod:`~nnscratch.training.hooks`)
    and then the update rule of each parameter. Subclasses name their state
    buffers in ``slot_names`` and implement ``_update(p, g, slots, buf)``,
    where ``slots`` holds those buffers (same shape and dtype as ``p``) and
    ``buf`` is a scratch array of that shape; ``_prepare()`` computes the
    per-step scalars once per step.

    Attributes:
        lr: learning rate, settable at any time (schedules set it per step).
        weight_decay: L2 coefficient (coupled: a :class:`WeightDecay` hook run
            after the others), or the decoupled decay rate for ``AdamW``.
        hooks: the gradient hooks, run in order (:meth:`add_hook`).
        iterations: number of steps taken so far (``t`` in Adam's formulas).
    """

    name: ClassVar[str] = ""
    slot_names: ClassVar[tuple[str, ...]] = ()
    _decoupled: ClassVar[bool] = False

    def __init__(self, lr: float, *, weight_decay: float = 0.0, hooks: Iterable[Hook] = ()) -> None:
        self._lr = check("lr", lr, POSITIVE)
        self._decay: WeightDecay | None = None
        self.weight_decay = weight_decay
        self.hooks: list[Hook] = []
        for hook in hooks:
            self.add_hook(hook)
        self.iterations = 0
        # name -> (slot buffers..., scratch)
        self._state: dict[str, tuple[Array, ...]] = {}

    # -- learning rate and weight decay -----------------------------------
    @property
    def lr(self) -> float:
        """The learning rate used by the next step."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        # Schedules may legitimately reach 0 (end of a cosine decay).
        self._lr = check("lr", value, NON_NEGATIVE)

    @property
    def weight_decay(self) -> float:
        """The weight-decay coefficient (0: none)."""
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self._weight_decay = wd = check("weight_decay", value, NON_NEGATIVE)
        if wd == 0.0 or self._decoupled:
            self._decay = None
        elif self._decay is None:
            self._decay = WeightDecay(wd)
        else:
            self._decay.rate = wd

    def add_hook(self, hook: Hook) -> None:
        """Run ``hook(params, grads)`` on every step, after the hooks added before it."""
        if not isinstance(hook, Hook):
            raise fail(
                "hook", "a Hook (WeightDecay, ClipGradNorm, ...)", type(hook).__name__, TypeError
            )
        self.hooks.append(hook)

    # -- the update ----------------------------------------------------
    def step(self, params: Mapping[str, Array], grads: Mapping[str, Array]) -> None:
        """Update every array of ``params`` in place from ``grads`` (same keys).

        Args:
            params: name -> parameter array (the network's live arrays).
            grads: name -> gradient of the loss, same shapes as ``params``.
                Never written to.
        """
        # Validate every pair before touching anything: a bad key, shape or
        # type leaves the parameters, the state and ``iterations`` unchanged.
        state = self._state
        pairs = [(key, p, _grad_for(key, p, grads, key in state)) for key, p in params.items()]
        if self.hooks or self._decay is not None:
            pairs = self._run_hooks(params, pairs)
        self.iterations += 1
        self._prepare()
        update = self._update
        for key, p, g in pairs:
            entry = state.get(key)
            if entry is None:
                entry = self._create(key, p)
            *slots, buf = entry
            update(p, g, slots, buf)

    def _run_hooks(
        self, params: Mapping[str, Array], pairs: list[tuple[str, Array, Array]]
    ) -> list[tuple[str, Array, Array]]:
        """The hooks, then the coupled weight decay, on the step's own dict of gradients."""
        grads = {key: g for key, _, g in pairs}
        for hook in self.hooks:
            hook(params, grads)
        if self._decay is not None:
            self._decay(params, grads)
        return [(key, p, grads[key]) for key, p, _ in pairs if key in grads]

    def _prepare(self) -> None:
        """Compute the per-step scalars (bias corrections and the like)."""

    def _update(self, p: Array, g: Array, slots: list[Array], buf: Array) -> None:
        raise NotImplementedError

    def _create(self, key: str, p: Array) -> tuple[Array, ...]:
        entry = (*(np.zeros_like(p) for _ in self.slot_names), np.empty_like(p))
        self._state[key] = entry
        return entry

    # -- state ---------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain arrays and numbers (copies).

        Keys: ``"iterations"``, ``"lr"``, ``"<slot>/<param name>"`` (e.g.
        ``"m/0.W"``) for every state buffer and ``"hook/<i>/<key>"`` for the
        state of hook ``i``. The arrays can be stored in a safetensors file
        and the rest in its JSON metadata.
        """
        out: dict[str, Any] = {"iterations": self.iterations, "lr": self._lr}
        for key, entry in self._state.items():
            for slot, arr in zip(self.slot_names, entry, strict=False):
                out[f"{slot}/{key}"] = np.array(arr, copy=True)
        for i, hook in enumerate(self.hooks):
            for k, v in hook.state_dict().items():
                out[f"hook/{i}/{k}"] = v
        return out

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (arrays are copied)."""
        if not isinstance(state, Mapping):
            raise fail("state", "a mapping", type(state).__name__, TypeError)
        for required in ("iterations", "lr"):
            if required not in state:
                raise ValueError(f"state: missing {required!r}")
        slots: dict[str, dict[str, Array]] = {}
        hook_states: list[dict[str, Any]] = [{} for _ in self.hooks]
        for k, v in state.items():
            if k in ("iterations", "lr"):
                continue
            slot, sep, key = k.partition("/")
            if slot == "hook" and sep:
                index, _, name = key.partition("/")
                if not (index.isdigit() and int(index) < len(self.hooks)):
                    raise ValueError(
                        f"state: {k!r} is the state of a hook this optimizer does not have "
                        f"(hooks {self.hooks})"
                    )
                hook_states[int(index)][name] = v
                continue
            if not sep or slot not in self.slot_names:
                raise ValueError(
                    f"state: unexpected key {k!r} for {type(self).__name__} "
                    f"(slots {list(self.slot_names)})"
                )
            slots.setdefault(key, {})[slot] = np.asarray(v)
        new_state: dict[str, tuple[Array, ...]] = {}
        for key, arrays in slots.items():
            missing = [s for s in self.slot_names if s not in arrays]
            if missing:
                raise ValueError(f"state: parameter {key!r} lacks slots {missing}")
            bufs = [np.array(arrays[s], copy=True) for s in self.slot_names]
            if len({(b.shape, b.dtype) for b in bufs}) != 1:
                raise ValueError(f"state: slots of {key!r} differ in shape or dtype")
            new_state[key] = (*bufs, np.empty_like(bufs[0]))
        self.iterations = int(state["iterations"])
        self.lr = float(state["lr"])
        self._state = new_state
        for hook, hook_state in zip(self.hooks, hook_states, strict=True):
            if hook_state:
                hook.load_state_dict(hook_state)

    def reset(self) -> None:
        """Forget all state (as if freshly constructed), the hooks' state too."""
        self.iterations = 0
        self._state = {}
        for hook in self.hooks:
            hook.reset()

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments (JSON-able); ``hooks`` only when there are some."""
        config: dict[str, Any] = {"lr": self._lr, "weight_decay": self.weight_decay}
        if self.hooks:
            config["hooks"] = [_hooks.serialize(h) for h in self.hooks]
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        config = dict(config)
        hooks = [_hooks.deserialize(h) for h in config.pop("hooks", ())]
        return cls(**config, hooks=hooks)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

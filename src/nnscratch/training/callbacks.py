"""Training callbacks and the training history.

A callback is an object with any of these hooks, called by
:class:`nnscratch.training.Trainer` (the names and order are Keras's)::

    on_train_begin(logs)
      on_epoch_begin(epoch, logs)
        on_batch_end(step, logs)      # after every optimizer step
      on_epoch_end(epoch, logs)       # logs: loss, accuracy, val_loss, ...
    on_train_end(logs)

``epoch`` counts from 1; ``step`` is the global optimizer step (from 1 after
the first update). Before training the loop calls ``set_trainer(run)`` (as
Keras's ``Callback.set_model``): ``run`` is anything with the members of
:class:`TrainingRun` (the :class:`~nnscratch.training.loop.Trainer` is one),
so a callback reads ``run.net`` or stops the run with
``run.stop_training = True`` without knowing the loop. This module never
imports the loop. A callback with state that must survive a checkpoint
implements ``state_dict()`` / ``load_state_dict(d)`` (arrays and JSON-able
scalars), as :class:`EarlyStopping` does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from nnscratch._validate import Integer, Options, Real, check, check_bool, check_callable, fail
from nnscratch.network import Network

__all__ = ["Callback", "EarlyStopping", "History", "LambdaCallback", "TrainingRun"]

Logs = dict[str, Any]


class TrainingRun(Protocol):
    """What a callback may use of the run that calls it.

    - ``net``: the network being trained (:class:`~nnscratch.network.Network`).
    - ``epoch``: epochs completed; ``global_step``: optimizer steps taken.
    - ``stop_training``: set it to True to end the run after this epoch
      (or, from ``on_batch_end``, after this step).
    """

    net: Network
    epoch: int
    global_step: int
    stop_training: bool


class Callback:
    """Base class: every hook does nothing."""

    trainer: TrainingRun | None = None

    def set_trainer(self, trainer: TrainingRun) -> None:
        """Called by the loop before training: the run this callback serves."""
        self.trainer = trainer

    def on_train_begin(self, logs: Logs) -> None:
        """Called once before the first epoch of a ``fit`` call."""

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        """Called before each epoch (``epoch`` from 1)."""

    def on_batch_end(self, step: int, logs: Logs) -> None:
        """Called after each optimizer step; logs: ``loss``, ``lr``, ``size``."""

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        """Called after each epoch with that epoch's metrics."""

    def on_train_end(self, logs: Logs) -> None:
        """Called once when training ends (also after early stopping)."""

    def state_dict(self) -> dict[str, Any]:
        """State to store in a checkpoint (arrays and JSON-able scalars)."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=f)``."""

    _HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end")

    def __init__(self, **hooks: Callable[..., None]) -> None:
        for name, fn in hooks.items():
            if name not in self._HOOKS:
                raise fail("LambdaCallback", f"hooks from {self._HOOKS}", name)
            setattr(self, name, check_callable(name, fn))


class History:
    """Per-epoch metrics of a training run, as Keras's ``History``.

    ``history`` is a dict of lists, one entry per epoch: ``loss`` and
    ``accuracy`` (the training set's, as running means over the epoch's
    mini-batches), ``val_loss`` and ``val_accuracy`` (when validation data is
    given), ``lr`` (the learning rate of the epoch's last step) and
    ``seconds`` (wall time of the epoch, validation included). ``epoch``
    lists the epoch numbers (from 1).
    """

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def append(self, epoch: int, logs: Mapping[str, float]) -> None:
        """Record one epoch's metrics."""
        self.epoch.append(int(epoch))
        history = self.history
        for key, value in logs.items():
            if key in history:
                history[key].append(float(value))
            else:
                history[key] = [float(value)]

    def __len__(self) -> int:
        return len(self.epoch)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (for checkpoints)."""
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> History:
        h = cls()
        h.epoch = [int(e) for e in d.get("epoch", [])]
        h.history = {str(k): [float(x) for x in v] for k, v in d.get("history", {}).items()}
        return h

    def as_table(self, keys: list[str] | None = None) -> str:
        """A plain-text table, one row per epoch.

        >>> h = History(); h.append(1, {"loss": 0.25, "accuracy": 0.9})
        >>> print(h.as_table())
        epoch    loss  accuracy
            1  0.2500    0.9000
        """
        cols = keys if keys is not None else list(self.history)
        header = ["epoch", *cols]
        rows = [[str(e)] for e in self.epoch]
        for key in cols:
            values = self.history.get(key, [])
            for row, v in zip(rows, values, strict=False):
                row.append(_fmt(key, v))
        widths = [
            max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
            for i, h in enumerate(header)
        ]
        lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
        lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=False)) for r in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={list(self.history)})"


def _fmt(key: str, value: float) -> str:
    if key == "seconds":
        return f"{value:.2f}"
    if key == "lr":
        return f"{value:.3g}"
    return f"{value:.4f}"


def _weights_and_buffers(net: Network) -> dict[str, np.ndarray]:
    """The live parameters and buffers (BatchNorm running statistics), by name."""
    return {**net.parameters(), **net.buffers()}


class EarlyStopping(Callback):
    """Stop when a monitored metric has stopped improving.

    Args:
        monitor: a key of the epoch logs (``"val_loss"``, ``"val_accuracy"``,
            ``"loss"``, ...).
        patience: the number of epochs without improvement after which
            training stops (0 and 1 both stop at the first such epoch).
        min_delta: the smallest change that counts as an improvement.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for names containing
            "acc", min otherwise).
        restore_best: at the end, put back the weights of the best epoch
            (Keras's ``restore_best_weights``; default on here), and with them
            the network's buffers (``net.buffers()``: BatchNorm running
            statistics), so the restored network predicts as it did then.

    After training, ``best``, ``best_epoch`` and ``stopped_epoch`` (0 if it
    never stopped) describe what happened.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        *,
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best: bool = True,
    ) -> None:
        if not isinstance(monitor, str):
            raise fail("monitor", "the name of a metric such as 'val_loss'", monitor, TypeError)
        self.monitor = monitor
        self.patience = check("patience", patience, Integer(0))
        self.min_delta = check("min_delta", min_delta, Real(0))
        self.mode = check("mode", mode, Options("auto", "min", "max"))
        self.restore_best = check_bool("restore_best", restore_best)
        self._sign = -1.0 if (mode == "max" or (mode == "auto" and "acc" in monitor)) else 1.0
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf * self._sign
        self.best_epoch = 0
        self.wait = 0
        self.stopped_epoch = 0
        self._best_weights: dict[str, np.ndarray] | None = None

    def _improved(self, value: float) -> bool:
        # minimise sign * value
        return self._sign * (value - self.best) < -self.min_delta

    def on_train_begin(self, logs: Logs) -> None:
        if self.trainer is not None and self.trainer.epoch == 0:
            self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping: monitor {self.monitor!r} is not among the epoch's metrics "
                f"{sorted(logs)} (pass validation_data for 'val_*')"
            )
        value = float(logs[self.monitor])
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best and self.trainer is not None:
                live = _weights_and_buffers(self.trainer.net)
                best = self._best_weights
                if best is None or best.keys() != live.keys():
                    self._best_weights = {k: np.array(v, copy=True) for k, v in live.items()}
                else:
                    for k, v in live.items():
                        np.copyto(best[k], v)
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1) and self.trainer is not None:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self, logs: Logs) -> None:
        if self.restore_best and self._best_weights is not None and self.trainer is not None:
            best = self._best_weights
            for k, v in _weights_and_buffers(self.trainer.net).items():
                if k in best:  # a state saved before buffers were kept has none
                    np.copyto(v, best[k])

    def state_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
        }
        if self._best_weights is not None:
            out.update({f"best_weights/{k}": v.copy() for k, v in self._best_weights.items()})
        return out

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.wait = int(state["wait"])
        self.stopped_epoch = int(state["stopped_epoch"])
        weights = {
            k.partition("/")[2]: np.array(v, copy=True)
            for k, v in state.items()
            if k.startswith("best_weights/")
        }
        self._best_weights = weights or None

"""The training loop: :func:`fit` and the :class:`Trainer` that holds its state.

One epoch is one pass over the training set in shuffled mini-batches::

    for each epoch:
        order = rng.permutation(N)                  # a seeded Generator
        for each batch of ``batch_size`` indices:
            lr = schedule(step)                     # if a schedule is given
            loss, grads = net.value_and_grad(x[idx], t[idx])
            optimizer.step(net.parameters(), grads)

``batch_size=1`` is *standard* backpropagation (one update per sample) and
``batch_size=len(x)`` *accumulated* backpropagation (one update per pass over
the data, the gradient summed over all samples), as Zhou, "Machine
Learning", section 5.3 names them; anything in between is mini-batch SGD.

What the loop records (:class:`~nnscratch.callbacks.History`): per epoch the
training loss and accuracy as *running means over the epoch's mini-batches*
(each batch measured just before its update, as Keras reports them: free,
but taken while the weights move; a full pass over the training set would
cost one more forward pass per epoch), the validation loss and accuracy
(one forward pass over ``validation_data`` after the epoch), the learning
rate and the seconds the epoch took.

Speed. The loop allocates nothing per step besides what the layers do:
each batch is gathered with ``np.take(..., out=buffer)`` into arrays
allocated once, the optimizers update in place, and the progress bar is
refreshed at most every 0.1 s.

Divergence. A loss that becomes NaN or infinite stops training with
:class:`TrainingDivergedError` naming the epoch, the step and the learning
rate; the weights are reset to those at the start of that epoch (the last
ones known to give a finite loss).

Checkpoints (``checkpoint=path``): every ``checkpoint_every`` epochs the
trainer writes one safetensors file, atomically (a reader or a crash sees
the old file or the new one, never half of one): the weights and buffers,
the optimizer's state, the shuffling Generator's state and those of the
network's own Generators (dropout), the epoch and step counters, the history
and the callbacks' state. ``resume=True`` continues from it; the continued
run ends with weights identical, bit for bit, to a run never interrupted.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from nnscratch import optimizers as _optimizers
from nnscratch import schedules as _schedules
from nnscratch._atomic import atomic_write_bytes
from nnscratch.callbacks import Callback, History

__all__ = [
    "CHECKPOINT_FORMAT",
    "Trainer",
    "TrainingDivergedError",
    "fit",
    "read_checkpoint",
]

CHECKPOINT_FORMAT = "nnscratch.checkpoint"
_CHECKPOINT_VERSION = 1
_META_KEY = "nnscratch.checkpoint"
_EVAL_CHUNK = 8192
_REFRESH_SECONDS = 0.1


class TrainingDivergedError(FloatingPointError):
    """The loss became NaN or infinite; the weights were reset to the epoch's start.

    Restored: the parameters and the buffers (``net.buffers()``, e.g. the
    BatchNorm running statistics, which the diverging forward passes
    overwrite too). Not rolled back: the optimizer's state (momentum, Adam's
    moments and step count), the step counter and the random streams.

    Attributes: ``epoch`` (from 1), ``step`` (batch within the epoch, from 1),
    ``global_step`` (optimizer steps before this one), ``lr``, ``loss``.
    """

    def __init__(self, epoch: int, step: int, global_step: int, lr: float, loss: float) -> None:
        self.epoch, self.step, self.global_step, self.lr, self.loss = (
            epoch,
            step,
            global_step,
            lr,
            loss,
        )
        where = f"epoch {epoch}, step {step}" if step else f"the end of epoch {epoch}"
        what = f"the loss became {loss}" if step else "the weights became non-finite"
        super().__init__(
            f"training diverged: {what} at {where} (global step {global_step}) "
            f"with learning rate {lr:g}; the weights from the start of epoch {epoch} "
            "were restored. Try a smaller learning rate."
        )


# --------------------------------------------------------------------------- helpers


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}")
    return int(value)


def _as_data(x: Any, t: Any, dtype: np.dtype | None, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs cast once to the network's dtype; targets with as many rows."""
    x = np.asarray(x)
    t = np.asarray(t)
    if x.ndim < 1 or x.dtype.kind not in "fiub":
        raise ValueError(
            f"{what} x: expected a real-valued array (N, ...), got {x.dtype} {x.shape}"
        )
    if t.ndim < 1 or t.shape[0] != x.shape[0]:
        raise ValueError(f"{what} t: expected {x.shape[0]} rows (as x), got shape {t.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{what} x: expected at least one sample, got shape {x.shape}")
    if dtype is not None and x.dtype != dtype:
        x = x.astype(dtype)
    if dtype is not None and t.dtype.kind == "f" and t.dtype != dtype:
        t = t.astype(dtype)
    return np.ascontiguousarray(x), np.ascontiguousarray(t)


def _labels(t: np.ndarray, output_activation: str | None) -> tuple[np.ndarray | None, bool]:
    """Class labels for accuracy, and whether the output is one sigmoid unit.

    Integer labels (N,) give argmax accuracy; so do rows (N, K > 1) when the
    loss head turns outputs into class scores (``output_activation``
    "softmax" or "sigmoid") or the rows are exactly one-hot (the book's
    ``one_hot_label=True`` with its linear-head losses). A single column with
    a sigmoid head gives ``logit > 0``. Regression targets (any other float
    rows with a linear head, e.g. mean squared error) give no accuracy (None).
    """
    if t.ndim == 1 and t.dtype.kind in "iu":
        return t, False
    if t.ndim == 2 and t.shape[1] > 1:
        if output_activation in ("softmax", "sigmoid") or _is_one_hot(t):
            return np.argmax(t, axis=1), False
        return None, False
    if t.ndim == 2 and t.shape[1] == 1 and output_activation == "sigmoid":
        return t[:, 0] > 0.5, True
    return None, False


def _is_one_hot(t: np.ndarray) -> bool:
    """Every row holds only 0s and exactly one 1."""
    return bool(np.all((t == 0) | (t == 1)) and np.all(np.count_nonzero(t, axis=1) == 1))


def _count_correct(y: np.ndarray, labels: np.ndarray, single_sigmoid: bool) -> int:
    if single_sigmoid:
        return int(np.count_nonzero((y[:, 0] > 0) == labels))
    return int(np.count_nonzero(np.argmax(y, axis=1) == labels))


def _generators(net: Any) -> dict[str, np.random.Generator]:
    """The network's own random Generators (dropout masks) by name, e.g. "3.rng"."""
    generators = getattr(net, "generators", None)
    return dict(generators()) if callable(generators) else {}


def _current_name(name: str) -> str:
    """A generator name of a checkpoint written before ``generators()`` ("3._rng")."""
    return name[:-5] + ".rng" if name.endswith("._rng") else name


def _schedule_config(schedule: Any) -> dict[str, Any] | None:
    """A Schedule's serialized config as JSON gives it back; None for a plain callable."""
    if not isinstance(schedule, _schedules.Schedule):
        return None
    return json.loads(json.dumps(_schedules.serialize(schedule)))


def _describe_schedule(config: dict[str, Any] | None) -> str:
    return "no Schedule (None or a plain function)" if config is None else json.dumps(config)


def _buffers(net: Any) -> dict[str, np.ndarray]:
    buffers = getattr(net, "buffers", None)
    return dict(buffers()) if callable(buffers) else {}


# --------------------------------------------------------------------------- checkpoints


def read_checkpoint(path: str | PathLike[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and the decoded metadata of a checkpoint file.

    Raises ValueError if the file is not an nnscratch checkpoint.
    """
    from safetensors import safe_open

    p = Path(path)
    try:
        with safe_open(str(p), framework="np") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except FileNotFoundError:
        raise
    except Exception as err:  # safetensors raises its own error types
        raise ValueError(f"{p}: not a readable safetensors checkpoint ({err})") from err
    if meta.get("format") != CHECKPOINT_FORMAT or _META_KEY not in meta:
        raise ValueError(f"{p}: not an nnscratch checkpoint (format {meta.get('format')!r})")
    info = json.loads(meta[_META_KEY])
    if info.get("version") != _CHECKPOINT_VERSION:
        raise ValueError(
            f"{p}: checkpoint version {info.get('version')!r} is not supported "
            f"(this nnscratch reads {_CHECKPOINT_VERSION})"
        )
    return tensors, info


def _split(tensors: Mapping[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    n = len(prefix)
    return {k[n:]: v for k, v in tensors.items() if k.startswith(prefix)}


# --------------------------------------------------------------------------- the trainer


class Trainer:
    """Trains a network; holds everything a run needs to continue exactly.

    Args:
        net: the network (``nnscratch.network.Sequential`` or any object with
            ``parameters()``, ``value_and_grad(x, t)`` and ``predict(x)``).
        optimizer: a name (``"sgd"``, ``"adam"``, ...), a ``{"class_name",
            "config"}`` dict or an :class:`~nnscratch.optimizers.Optimizer`.
        batch_size: samples per update; 1 is standard BP, ``len(x)``
            accumulated BP. Larger than the data set means the whole set.
        schedule: a learning-rate schedule (``schedule(step) -> lr``, see
            :mod:`nnscratch.schedules`), applied before every step; None keeps
            the optimizer's ``lr``.
        callbacks: :class:`~nnscratch.callbacks.Callback` objects.
        seed: seed (or Generator) of the shuffling; the same seed, the same
            network initialisation and the same data give identical weights.
        shuffle: draw a new order each epoch (else the data's order).
        verbose: 0 silent, 1 a progress bar with the running loss and one
            line per epoch, 2 one line per epoch.
        checkpoint: a file to write checkpoints to (None: no checkpoints).
        checkpoint_every: write one every this many epochs (and at the end).

    Attributes: ``epoch`` (epochs completed), ``global_step`` (optimizer steps
    taken), ``history``, ``stop_training`` (set it from a callback to stop).
    """

    def __init__(
        self,
        net: Any,
        optimizer: str | Mapping[str, Any] | _optimizers.Optimizer = "sgd",
        *,
        batch_size: int = 100,
        schedule: _schedules.Schedule | Callable[[int], float] | Mapping[str, Any] | None = None,
        callbacks: Iterable[Callback] = (),
        seed: int | np.random.Generator | None = None,
        shuffle: bool = True,
        verbose: int = 1,
        checkpoint: str | PathLike[str] | None = None,
        checkpoint_every: int = 1,
    ) -> None:
        for method in ("parameters", "value_and_grad", "predict"):
            if not callable(getattr(net, method, None)):
                raise TypeError(
                    f"net: expected a network with {method}(), got {type(net).__name__}"
                )
        self.net = net
        self.optimizer = _optimizers.get(optimizer)
        self.batch_size = _check_int("batch_size", batch_size, 1)
        if isinstance(schedule, Mapping) or isinstance(schedule, (int, float)):
            schedule = _schedules.get(schedule)
        if schedule is not None and not callable(schedule):
            raise TypeError(
                f"schedule: expected a Schedule or callable, got {type(schedule).__name__}"
            )
        self.schedule = schedule
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks: expected Callback objects, got {type(cb).__name__}")
        if seed is not None and not isinstance(seed, np.random.Generator):
            _check_int("seed", seed, 0)
        self.rng = np.random.default_rng(seed)
        self.shuffle = bool(shuffle)
        if verbose not in (0, 1, 2):
            raise ValueError(f"verbose: expected 0, 1 or 2, got {verbose!r}")
        self.verbose = verbose
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.checkpoint_every = _check_int("checkpoint_every", checkpoint_every, 1)
        self.history = History()
        self.epoch = 0
        self.global_step = 0
        self.stop_training = False

    # -- public ------------------------------------------------------------------
    def fit(
        self,
        x: Any,
        t: Any,
        *,
        epochs: int = 1,
        validation_data: tuple[Any, Any] | None = None,
        resume: bool = False,
    ) -> History:
        """Train until ``epochs`` epochs are complete (counted from the first run).

        ``epochs`` is the total, as Keras's ``epochs`` with ``initial_epoch``:
        a run resumed from a checkpoint of epoch 3 with ``epochs=10`` trains
        epochs 4 to 10, and ``epochs=3`` trains nothing (an ``epochs`` below
        the checkpoint's, 2 here, raises ValueError). ``resume=True`` loads
        ``checkpoint`` if the file exists and starts afresh otherwise; the
        checkpoint must have been written with the same batch size, optimizer,
        callbacks and learning-rate schedule (as ``get_config`` says).

        Returns the :class:`~nnscratch.callbacks.History` (all epochs so far).
        """
        epochs = _check_int("epochs", epochs, 0)
        dtype = getattr(self.net, "dtype", None)
        x, t = _as_data(x, t, dtype, "training")
        val = None
        if validation_data is not None:
            if not (isinstance(validation_data, Sequence) and len(validation_data) == 2):
                raise ValueError("validation_data: expected a pair (x_val, t_val)")
            val = _as_data(*validation_data, dtype, "validation")
        if resume:
            if self.checkpoint is None:
                raise ValueError("resume: a checkpoint path is needed (checkpoint=...)")
            if self.checkpoint.exists():
                tensors, info = read_checkpoint(self.checkpoint)
                done = int(info["epoch"])
                if epochs < done:
                    raise ValueError(
                        f"epochs: the checkpoint has already completed {done} epochs; "
                        f"ask for more than {done} to train further, got {epochs}"
                    )
                self._restore(tensors, info, self.checkpoint)
        self.stop_training = False
        for cb in self.callbacks:
            cb.set_trainer(self)
        self._call("on_train_begin", {})
        # A diverging run overflows on its way to NaN; the loop reports that itself
        # (TrainingDivergedError), so NumPy's floating-point warnings are not raised.
        with np.errstate(over="ignore", invalid="ignore"):
            loop = _EpochLoop(self, x, t)
            while self.epoch < epochs and not self.stop_training:
                logs = loop.run(self.epoch + 1, epochs)
                if val is not None:
                    logs.update(self.evaluate(*val, prefix="val_"))
                logs["lr"] = self.optimizer.lr
                logs["seconds"] = time.perf_counter() - loop.started
                self.epoch += 1
                self.history.append(self.epoch, logs)
                self._call("on_epoch_end", self.epoch, logs)
                self._report(epochs, logs)
                if self.checkpoint is not None and (
                    self.epoch % self.checkpoint_every == 0
                    or self.epoch == epochs
                    or self.stop_training
                ):
                    self.save_checkpoint(self.checkpoint)
        self._call("on_train_end", {"epochs": self.epoch})
        return self.history

    def evaluate(self, x: Any, t: Any, *, prefix: str = "") -> dict[str, float]:
        """Mean loss (and accuracy, for classification targets) over ``(x, t)``.

        One forward pass in inference mode, in chunks of 8192 rows.
        """
        x, t = _as_data(x, t, getattr(self.net, "dtype", None), "evaluation")
        head = getattr(self.net, "head", None)
        act = getattr(head, "output_activation", None)
        labels, single = _labels(t, act)
        loss_fn = getattr(head, "loss", None)
        total, correct = 0.0, 0
        n = x.shape[0]
        for lo in range(0, n, _EVAL_CHUNK):
            hi = min(lo + _EVAL_CHUNK, n)
            y = self.net.predict(x[lo:hi])
            if loss_fn is not None:
                total += float(loss_fn(y, t[lo:hi])) * (hi - lo)
            else:
                total += float(self.net.loss(x[lo:hi], t[lo:hi])) * (hi - lo)
            if labels is not None:
                correct += _count_correct(y, labels[lo:hi], single)
        out = {f"{prefix}loss": total / n}
        if labels is not None:
            out[f"{prefix}accuracy"] = correct / n
        return out

    # -- checkpoints ---------------------------------------------------------------
    def save_checkpoint(self, path: str | PathLike[str]) -> Path:
        """Write the whole training state to ``path`` (safetensors, atomically)."""
        from safetensors.numpy import save

        tensors: dict[str, np.ndarray] = {}
        for k, v in self.net.parameters().items():
            tensors[f"param/{k}"] = v
        for k, v in _buffers(self.net).items():
            tensors[f"buffer/{k}"] = v
        opt_scalars: dict[str, Any] = {}
        for k, v in self.optimizer.state_dict().items():
            if isinstance(v, np.ndarray):
                tensors[f"optim/{k}"] = v
            else:
                opt_scalars[k] = v
        cb_scalars: list[dict[str, Any]] = []
        for i, cb in enumerate(self.callbacks):
            scalars: dict[str, Any] = {}
            for k, v in cb.state_dict().items():
                if isinstance(v, np.ndarray):
                    tensors[f"callback/{i}/{k}"] = v
                else:
                    scalars[k] = v
            cb_scalars.append({"class": type(cb).__name__, "state": scalars})
        config = getattr(self.net, "get_config", None)
        info = {
            "version": _CHECKPOINT_VERSION,
            "epoch": self.epoch,
            "global_step": self.global_step,
            "batch_size": self.batch_size,
            "shuffle": self.shuffle,
            "rng": self.rng.bit_generator.state,
            "layer_rngs": {k: g.bit_generator.state for k, g in _generators(self.net).items()},
            "history": self.history.to_dict(),
            "net": config() if callable(config) else None,
            "optimizer": _optimizers.serialize(self.optimizer),
            "optimizer_scalars": opt_scalars,
            "schedule": _schedule_config(self.schedule),
            "callbacks": cb_scalars,
        }
        tensors = {k: np.ascontiguousarray(v) for k, v in tensors.items()}
        metadata = {"format": CHECKPOINT_FORMAT, _META_KEY: json.dumps(info)}
        path = Path(path)
        # Serialised in memory, then written by Python: a full disk is then an
        # OSError naming the file (_atomic.WriteError), not a SafetensorError.
        atomic_write_bytes(path, save(tensors, metadata=metadata))
        return path

    def load_checkpoint(self, path: str | PathLike[str]) -> None:
        """Restore the state :meth:`save_checkpoint` wrote (checked against this trainer)."""
        tensors, info = read_checkpoint(path)
        self._restore(tensors, info, path)

    def _restore(
        self, tensors: Mapping[str, np.ndarray], info: Mapping[str, Any], path: Any
    ) -> None:
        """Check the checkpoint against this trainer, then load it (nothing changes on error)."""
        params = _split(tensors, "param/")
        buffers = _split(tensors, "buffer/")
        live = {**self.net.parameters(), **_buffers(self.net)}
        saved = {**params, **buffers}
        if {k: v.shape for k, v in live.items()} != {k: v.shape for k, v in saved.items()}:
            raise ValueError(
                f"{path}: the checkpoint's parameters "
                f"{ {k: v.shape for k, v in saved.items()} } do not match the network's "
                f"{ {k: v.shape for k, v in live.items()} }"
            )
        if info["batch_size"] != self.batch_size:
            raise ValueError(
                f"batch_size: the checkpoint was written with batch_size {info['batch_size']}; "
                f"resume with the same to continue exactly, got {self.batch_size}"
            )
        saved_opt = info["optimizer"]["class_name"]
        if saved_opt != self.optimizer.name:
            raise ValueError(
                f"optimizer: the checkpoint holds the state of {saved_opt!r}, got "
                f"{self.optimizer.name!r}"
            )
        if len(info["callbacks"]) != len(self.callbacks) or any(
            entry["class"] != type(cb).__name__
            for entry, cb in zip(info["callbacks"], self.callbacks, strict=False)
        ):
            raise ValueError(
                "callbacks: the checkpoint was written with callbacks "
                f"{[e['class'] for e in info['callbacks']]}, got "
                f"{[type(cb).__name__ for cb in self.callbacks]}"
            )
        saved_schedule, schedule = info.get("schedule"), _schedule_config(self.schedule)
        if saved_schedule != schedule:
            # A Schedule's config fixes its whole curve (a one-cycle's total steps, say).
            # A plain function has no config: it is saved, and compared, as None.
            raise ValueError(
                "schedule: the checkpoint was written with "
                f"{_describe_schedule(saved_schedule)}; resume with the same to follow "
                f"the same learning rates, got {_describe_schedule(schedule)}"
            )
        gens = _generators(self.net)
        saved_rngs = {_current_name(k): v for k, v in info["layer_rngs"].items()}
        if set(gens) != set(saved_rngs):
            raise ValueError(
                f"{path}: the checkpoint's layer generators {sorted(saved_rngs)} "
                f"do not match the network's {sorted(gens)}"
            )
        for name, arr in saved.items():
            np.copyto(live[name], arr)
        self.optimizer.load_state_dict({**info["optimizer_scalars"], **_split(tensors, "optim/")})
        for i, (entry, cb) in enumerate(zip(info["callbacks"], self.callbacks, strict=True)):
            state = {**entry["state"], **_split(tensors, f"callback/{i}/")}
            if state:
                cb.load_state_dict(state)
        self.rng.bit_generator.state = info["rng"]
        for name, g in gens.items():
            g.bit_generator.state = saved_rngs[name]
        self.history = History.from_dict(info["history"])
        self.epoch = int(info["epoch"])
        self.global_step = int(info["global_step"])
        self.shuffle = bool(info["shuffle"])

    # -- internals -------------------------------------------------------------------
    def _call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def _report(self, epochs: int, logs: Mapping[str, float]) -> None:
        if self.verbose == 0:
            return
        parts = [f"epoch {self.epoch}/{epochs}", f"{logs['seconds']:.2f}s"]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                parts.append(f"{key} {logs[key]:.4f}")
        parts.append(f"lr {logs['lr']:.3g}")
        print(" - ".join(parts), flush=True)


class _EpochLoop:
    """The inner loop, with its buffers allocated once per ``fit``."""

    def __init__(self, trainer: Trainer, x: np.ndarray, t: np.ndarray) -> None:
        self.trainer = trainer
        self.x, self.t = x, t
        n = x.shape[0]
        self.n = n
        self.bs = bs = min(trainer.batch_size, n)
        head = getattr(trainer.net, "head", None)
        labels, self.single = _labels(t, getattr(head, "output_activation", None))
        # The running accuracy scores the head's input of each step (``last_output``);
        # a network without that attribute gets no training accuracy.
        self.labels = labels if hasattr(trainer.net, "last_output") else None
        self.params = trainer.net.parameters()
        self.backup = {k: np.empty_like(v) for k, v in self.params.items()}
        self.buffer_backup: dict[str, np.ndarray] = {}
        rest = n % bs
        self.buffers = [self._alloc(bs)] + ([self._alloc(rest)] if rest else [])
        self.batch_callbacks = [cb for cb in trainer.callbacks if _overrides(cb, "on_batch_end")]
        self.started = 0.0

    def _alloc(self, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        x, t, lab = self.x, self.t, self.labels
        return (
            np.empty((rows, *x.shape[1:]), x.dtype),
            np.empty((rows, *t.shape[1:]), t.dtype),
            None if lab is None else np.empty(rows, lab.dtype),
        )

    def run(self, epoch: int, epochs: int) -> dict[str, float]:
        tr = self.trainer
        self.started = time.perf_counter()
        tr._call("on_epoch_begin", epoch, {})
        for k, v in self.params.items():
            np.copyto(self.backup[k], v)
        self.buffer_backup = {k: v.copy() for k, v in _buffers(tr.net).items()}
        x, t, labels, n, bs = self.x, self.t, self.labels, self.n, self.bs
        order = tr.rng.permutation(n) if tr.shuffle else None
        steps = -(-n // bs)
        opt, params, schedule = tr.optimizer, self.params, tr.schedule
        net = tr.net
        value_and_grad, opt_step = net.value_and_grad, opt.step
        single, batch_cbs = self.single, self.batch_callbacks
        isfinite, perf_counter = math.isfinite, time.perf_counter
        bar = _progress(epoch, epochs, steps) if tr.verbose == 1 else None
        refresh = perf_counter() + _REFRESH_SECONDS
        loss_sum, correct, seen, counted = 0.0, 0, 0, 0
        lb = None
        for b in range(steps):
            lo = b * bs
            hi = min(lo + bs, n)
            if order is None:
                xb, tb = x[lo:hi], t[lo:hi]
                if labels is not None:
                    lb = labels[lo:hi]
            else:
                idx = order[lo:hi]
                xbuf, tbuf, lbuf = self.buffers[0 if hi - lo == bs else 1]
                xb = np.take(x, idx, axis=0, out=xbuf, mode="clip")
                tb = np.take(t, idx, axis=0, out=tbuf, mode="clip")
                if labels is not None:
                    lb = np.take(labels, idx, out=lbuf, mode="clip")
            if schedule is not None:
                opt.lr = schedule(tr.global_step)
            loss, grads = value_and_grad(xb, tb)
            if not isfinite(loss):
                self._diverged(epoch, b + 1, loss, bar)
            opt_step(params, grads)
            tr.global_step += 1
            nb = hi - lo
            seen += nb
            loss_sum += loss * nb
            if lb is not None:
                y = net.last_output
                if y is not None:
                    correct += _count_correct(y, lb, single)
                    counted += nb
            if bar is not None and perf_counter() >= refresh:
                bar.set_postfix_str(f"loss {loss_sum / seen:.4f}", refresh=False)
                bar.update(b + 1 - bar.n)
                refresh = perf_counter() + _REFRESH_SECONDS
            if batch_cbs:
                logs = {"loss": loss, "lr": opt.lr, "size": nb, "epoch": epoch, "batch": b + 1}
                for cb in batch_cbs:
                    cb.on_batch_end(tr.global_step, logs)
                if tr.stop_training:
                    break
        if bar is not None:
            bar.close()
        for p in (*params.values(), *_buffers(net).values()):
            if not np.isfinite(p).all():
                self._diverged(epoch, 0, math.nan, None)
        out = {"loss": loss_sum / seen}
        if counted:
            out["accuracy"] = correct / counted
        return out

    def _diverged(self, epoch: int, step: int, loss: float, bar: Any) -> None:
        if bar is not None:
            bar.close()
        for k, v in self.params.items():
            np.copyto(v, self.backup[k])
        tr = self.trainer
        for k, v in _buffers(tr.net).items():  # the live arrays, looked up afresh
            if k in self.buffer_backup:
                np.copyto(v, self.buffer_backup[k])
        raise TrainingDivergedError(epoch, step, tr.global_step, tr.optimizer.lr, loss)


def _overrides(cb: Callback, hook: str) -> bool:
    return hook in vars(cb) or getattr(type(cb), hook) is not getattr(Callback, hook)


def _progress(epoch: int, epochs: int, steps: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=steps,
        desc=f"epoch {epoch}/{epochs}",
        unit="step",
        leave=False,
        mininterval=_REFRESH_SECONDS,
        file=sys.stderr,
        dynamic_ncols=True,
    )


def fit(
    net: Any,
    x: Any,
    t: Any,
    *,
    optimizer: str | Mapping[str, Any] | _optimizers.Optimizer = "sgd",
    epochs: int = 1,
    batch_size: int = 100,
    validation_data: tuple[Any, Any] | None = None,
    seed: int | np.random.Generator | None = None,
    verbose: int = 1,
    callbacks: Iterable[Callback] = (),
    schedule: _schedules.Schedule | Callable[[int], float] | Mapping[str, Any] | None = None,
    checkpoint: str | PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    shuffle: bool = True,
) -> History:
    """Train ``net`` on ``(x, t)`` in shuffled mini-batches; return the history.

    Shapes: ``x`` (N, ...) as the network takes it; ``t`` integer labels (N,)
    or target rows (N, K). Arguments as :class:`Trainer` and
    :meth:`Trainer.fit`.

    >>> from nnscratch.network import Sequential
    >>> from nnscratch.layers import Dense, Activation
    >>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    >>> t = np.array([0, 1, 1, 0])
    >>> net = Sequential([Dense(2, 8), Activation("tanh"), Dense(8, 2)], seed=0)
    >>> h = fit(net, x, t, optimizer="adam", epochs=300, batch_size=4, seed=0, verbose=0)
    >>> net.accuracy(x, t)
    1.0
    """
    trainer = Trainer(
        net,
        optimizer,
        batch_size=batch_size,
        schedule=schedule,
        callbacks=callbacks,
        seed=seed,
        shuffle=shuffle,
        verbose=verbose,
        checkpoint=checkpoint,
        checkpoint_every=checkpoint_every,
    )
    return trainer.fit(x, t, epochs=epochs, validation_data=validation_data, resume=resume)

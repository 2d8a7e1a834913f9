"""The training loop: :func:`fit` and the :class:`Trainer` that holds its state.

One epoch is one pass over the training set in shuffled mini-batches::

    for each epoch:
        order = rng.permutation(N)                  # a seeded Generator
        for each batch of ``batch_size`` indices:
            lr = schedule(step)                     # if a schedule is given
            loss, grads = net.value_and_grad(x[idx], t[idx])
            optimizer.step(net.trainable_parameters(), grads)   # hooks, then the rule

``batch_size=1`` is *standard* backpropagation (one update per sample) and
``batch_size=len(x)`` *accumulated* backpropagation (one update per pass over
the data, the gradient summed over all samples), as Zhou, "Machine
Learning", section 5.3 names them; anything in between is mini-batch SGD.

What the loop records (:class:`~nnscratch.training.callbacks.History`): per epoch the
training loss and accuracy as *running means over the epoch's mini-batches*
(each batch measured just before its update, as Keras reports them: free,
but taken while the weights move; a full pass over the training set would
cost one more forward pass per epoch), the validation loss and accuracy
(one forward pass over ``validation_data`` after the epoch), the learning
rate and the seconds the epoch took.

The network is used only through :class:`nnscratch.network.Network`; the
running accuracy follows :mod:`nnscratch.metrics`' one rule from outputs and
targets to labels. Data with NaN or infinite values is refused before
training, naming the first bad index.

Progress. ``verbose=1`` shows a bar per epoch that advances with the batches
and shows the running loss, when stderr is a terminal; otherwise (a log
file, a pipe) it prints only the line per epoch that ``verbose=2`` prints.

Speed. The loop allocates nothing per step besides what the layers do:
each batch is gathered with ``np.take(..., out=buffer)`` into arrays
allocated once (see docs/performance.md), and the optimizers update in place.

Divergence. A loss that becomes NaN or infinite stops training with
:class:`TrainingDivergedError` naming the epoch, the step and the learning
rate; the weights are reset to those at the start of that epoch (the last
ones known to give a finite loss).

Checkpoints (``checkpoint=path``, :mod:`~nnscratch.training.checkpoints`):
every ``checkpoint_every`` epochs the trainer writes the whole state of the
run to one file, atomically; ``resume=True`` continues from it, and the
continued run ends with weights identical, bit for bit, to a run never
interrupted.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from tqdm import tqdm

from nnscratch._validate import Integer, check, check_bool, check_seed, fail
from nnscratch.metrics import count_correct, target_labels
from nnscratch.network import Network
from nnscratch.training import optimizers as _optimizers
from nnscratch.training import schedules as _schedules
from nnscratch.training.callbacks import Callback, History
from nnscratch.training.checkpoints import read_checkpoint, restore_checkpoint, save_checkpoint
from nnscratch.training.evaluation import as_data, evaluate

__all__ = ["Trainer", "TrainingDivergedError", "check_network", "fit"]

# Rows per forward pass of evaluate: a convolutional network's im2col matrices
# grow with the batch (8,192 MNIST images: 1.3 GB for the default CNN, 1,024: 170 MB).
_REFRESH_SECONDS = 0.1

Schedule = _schedules.Schedule | Callable[[int], float] | Mapping[str, Any] | None
OptimizerLike = str | Mapping[str, Any] | _optimizers.Optimizer


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


def check_network(name: str, net: Any) -> Network:
    """``net`` if it has every member of :class:`nnscratch.network.Network`, else TypeError."""
    if not isinstance(net, Network):
        what = "a network with the members of nnscratch.network.Network (Sequential is one)"
        raise fail(name, what, type(net).__name__, TypeError)
    return net


class Trainer:
    """Trains a network; holds everything a run needs to continue exactly.

    Args:
        net: the network, any :class:`nnscratch.network.Network`
            (:class:`~nnscratch.network.Sequential` is one).
        optimizer: a name (``"sgd"``, ``"adam"``, ...), a ``{"class_name",
            "config"}`` dict or an :class:`~nnscratch.training.optimizers.Optimizer`
            (with its gradient hooks, if any).
        batch_size: samples per update; 1 is standard BP, ``len(x)``
            accumulated BP. Larger than the data set means the whole set.
        schedule: a learning-rate schedule (``schedule(step) -> lr``, see
            :mod:`nnscratch.training.schedules`), applied before every step;
            None keeps the optimizer's ``lr``.
        callbacks: :class:`~nnscratch.training.callbacks.Callback` objects.
        seed: seed (or Generator) of the shuffling; the same seed, the same
            network initialisation and the same data give identical weights.
        shuffle: draw a new order each epoch (else the data's order).
        verbose: 0 silent; 1 a progress bar per epoch (on a terminal) and one
            line per epoch; 2 one line per epoch.
        checkpoint: a file to write checkpoints to (None: no checkpoints).
        checkpoint_every: write one every this many epochs (and at the end).

    Attributes: ``epoch`` (epochs completed), ``global_step`` (optimizer steps
    taken), ``history``, ``stop_training`` (set it from a callback to stop).
    """

    def __init__(
        self,
        net: Network,
        optimizer: OptimizerLike = "sgd",
        *,
        batch_size: int = 100,
        schedule: Schedule = None,
        callbacks: Iterable[Callback] = (),
        seed: int | np.random.Generator | None = None,
        shuffle: bool = True,
        verbose: int = 1,
        checkpoint: str | PathLike[str] | None = None,
        checkpoint_every: int = 1,
    ) -> None:
        self.net = check_network("net", net)
        self.optimizer = _optimizers.get(optimizer)
        # As the run begins: a resumed run must start from the same hyperparameters.
        self.optimizer_config = _optimizers.serialize(self.optimizer)
        self.batch_size = check("batch_size", batch_size, Integer(1))
        if isinstance(schedule, Mapping | int | float):
            schedule = _schedules.get(schedule)
        if schedule is not None and not callable(schedule):
            raise fail("schedule", "a Schedule or a callable", type(schedule).__name__, TypeError)
        self.schedule = schedule
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise fail("callbacks", "Callback objects", type(cb).__name__, TypeError)
        self.rng = np.random.default_rng(check_seed("seed", seed, generator=True))
        self.shuffle = check_bool("shuffle", shuffle)
        self.verbose = check("verbose", verbose, Integer(0, 2))
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.checkpoint_every = check("checkpoint_every", checkpoint_every, Integer(1))
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
        checkpoint must have been written with the same batch size, optimizer
        and hyperparameters (``lr`` among them), callbacks and learning-rate
        schedule: the error names the one that differs.

        Returns the :class:`~nnscratch.training.callbacks.History` (all epochs so far).
        """
        epochs = check("epochs", epochs, Integer(0))
        dtype = self.net.dtype
        x, t = as_data(x, t, dtype, "training")
        val = None
        if validation_data is not None:
            if not (isinstance(validation_data, Sequence) and len(validation_data) == 2):
                raise fail(
                    "validation_data", "a pair (x_val, t_val)", type(validation_data).__name__
                )
            val = as_data(*validation_data, dtype, "validation")
        if resume:
            self._resume(epochs)
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
                    logs.update(evaluate(self.net, *val, prefix="val_"))
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

        In inference mode, in chunks of 1024 rows: ``net.loss`` for the loss
        and, for classification targets, ``net.predict`` for the accuracy.
        """
        return evaluate(self.net, *as_data(x, t, self.net.dtype, "evaluation"), prefix=prefix)

    # -- checkpoints ---------------------------------------------------------------
    def save_checkpoint(self, path: str | PathLike[str]) -> Path:
        """Write the whole training state to ``path`` (safetensors, atomically)."""
        return save_checkpoint(self, path)

    def load_checkpoint(self, path: str | PathLike[str]) -> None:
        """Restore the state :meth:`save_checkpoint` wrote (checked against this trainer)."""
        tensors, info = read_checkpoint(path)
        restore_checkpoint(self, tensors, info, path)

    def _resume(self, epochs: int) -> None:
        if self.checkpoint is None:
            raise fail("resume", "a checkpoint path (checkpoint=...)", "none")
        if not self.checkpoint.exists():
            return
        tensors, info = read_checkpoint(self.checkpoint)
        done = int(info["epoch"])
        if epochs < done:
            raise ValueError(
                f"epochs: the checkpoint has already completed {done} epochs; "
                f"ask for more than {done} to train further, got {epochs}"
            )
        restore_checkpoint(self, tensors, info, self.checkpoint)

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
        net = trainer.net
        self.x, self.t = x, t
        n = x.shape[0]
        self.n = n
        self.bs = bs = min(trainer.batch_size, n)
        self.act = net.output_activation
        self.labels = target_labels(t, self.act)
        self.params = net.parameters()
        self.trainable = net.trainable_parameters()
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
        self.buffer_backup = {k: v.copy() for k, v in tr.net.buffers().items()}
        x, t, labels, n, bs = self.x, self.t, self.labels, self.n, self.bs
        order = tr.rng.permutation(n) if tr.shuffle else None
        steps = -(-n // bs)
        opt, params, schedule = tr.optimizer, self.trainable, tr.schedule
        net = tr.net
        value_and_grad, opt_step = net.value_and_grad, opt.step
        act, batch_cbs = self.act, self.batch_callbacks
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
                xb = x.take(idx, axis=0, out=xbuf, mode="clip")
                tb = t.take(idx, axis=0, out=tbuf, mode="clip")
                if labels is not None:
                    lb = labels.take(idx, out=lbuf, mode="clip")
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
                    correct += count_correct(y, lb, act)
                    counted += nb
            if batch_cbs:
                logs = {"loss": loss, "lr": opt.lr, "size": nb, "epoch": epoch, "batch": b + 1}
                for cb in batch_cbs:
                    cb.on_batch_end(tr.global_step, logs)
                if tr.stop_training:
                    break
            if bar is not None:  # one more step; tqdm redraws at most every 0.1 s
                if perf_counter() >= refresh:
                    bar.set_postfix_str(f"loss {loss_sum / seen:.4f}", refresh=False)
                    refresh = perf_counter() + _REFRESH_SECONDS
                bar.update(1)
        if bar is not None:
            bar.close()
        # One sum per array: finite only when every entry is (a NaN or an infinity makes it
        # non-finite, and so may an overflow of finite values: only then look closer).
        for p in (*self.params.values(), *net.buffers().values()):
            if not isfinite(float(np.add.reduce(p, axis=None))) and not np.isfinite(p).all():
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
        for k, v in tr.net.buffers().items():  # the live arrays, looked up afresh
            if k in self.buffer_backup:
                np.copyto(v, self.buffer_backup[k])
        raise TrainingDivergedError(epoch, step, tr.global_step, tr.optimizer.lr, loss)


def _overrides(cb: Callback, hook: str) -> bool:
    return hook in vars(cb) or getattr(type(cb), hook) is not getattr(Callback, hook)


def _progress(epoch: int, epochs: int, steps: int, stream: TextIO | None = None) -> Any:
    """A bar over the epoch's steps on a terminal's stderr; None for a file or a pipe."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        return None
    return tqdm(
        total=steps,
        desc=f"epoch {epoch}/{epochs}",
        unit="step",
        leave=False,
        mininterval=_REFRESH_SECONDS,
        miniters=1,
        file=stream,
        dynamic_ncols=True,
    )


def fit(
    net: Network,
    x: Any,
    t: Any,
    *,
    optimizer: OptimizerLike = "sgd",
    epochs: int = 1,
    batch_size: int = 100,
    validation_data: tuple[Any, Any] | None = None,
    seed: int | np.random.Generator | None = None,
    verbose: int = 1,
    callbacks: Iterable[Callback] = (),
    schedule: Schedule = None,
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

"""Training: the one loop, its callbacks and checkpoints, optimizers, schedules, hooks.

Reading order: :mod:`~nnscratch.training.optimizers` (the update rules of the
book's chapter 6), :mod:`~nnscratch.training.hooks` (what changes a gradient
before the update: weight decay, clipping, noise, freezing),
:mod:`~nnscratch.training.schedules` (the learning rate over time),
:mod:`~nnscratch.training.loop` (``fit`` and ``Trainer``; the data checks and
the validation pass in :mod:`~nnscratch.training.evaluation`),
:mod:`~nnscratch.training.callbacks` and
:mod:`~nnscratch.training.checkpoints`. The bookkeeping every optimizer
shares is in :mod:`~nnscratch.training.optimizer_base`.
"""

from __future__ import annotations

from nnscratch.training import callbacks, checkpoints, hooks, optimizers, schedules
from nnscratch.training.checkpoints import CHECKPOINT_FORMAT, read_checkpoint
from nnscratch.training.loop import Trainer, TrainingDivergedError, fit

__all__ = [
    "CHECKPOINT_FORMAT",
    "Trainer",
    "TrainingDivergedError",
    "callbacks",
    "checkpoints",
    "fit",
    "hooks",
    "optimizers",
    "read_checkpoint",
    "schedules",
]

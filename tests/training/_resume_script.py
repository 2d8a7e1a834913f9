"""Helper for tests/training/test_training.py: a small seeded training run with checkpoints.

Run as ``python tests/training/_resume_script.py CHECKPOINT OUT [--resume] [--sleep S]``.
It trains a small network with dropout, Adam and a one-cycle schedule on a
seeded synthetic data set, writing a checkpoint every epoch, and finally saves
the weights and the history to OUT (safetensors). ``--sleep`` slows every
step so a test can kill the process in the middle of the run.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from safetensors.numpy import save_file

from nnscratch._atomic import atomic_path
from nnscratch.layers import Activation, Dense, Dropout
from nnscratch.network import Sequential
from nnscratch.training import Trainer
from nnscratch.training.callbacks import EarlyStopping, LambdaCallback
from nnscratch.training.optimizers import Adam
from nnscratch.training.schedules import OneCycle

EPOCHS = 6
BATCH = 16


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(123)
    centers = rng.normal(scale=2.0, size=(3, 10))
    t = rng.integers(0, 3, size=240)
    x = (centers[t] + rng.normal(size=(240, 10))).astype(np.float32)
    return x, t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--sleep", type=float, default=0.0)
    args = ap.parse_args()
    x, t = data()
    net = Sequential([Dense(10, 32), Activation("relu"), Dropout(0.2), Dense(32, 3)], seed=7)
    steps = EPOCHS * (len(x) // BATCH)
    # The same callbacks in every run (a checkpoint records them); the second one only
    # slows the steps down when asked to.
    callbacks = [
        EarlyStopping("loss", patience=EPOCHS),
        LambdaCallback(on_batch_end=lambda step, logs: time.sleep(args.sleep)),
    ]
    trainer = Trainer(
        net,
        Adam(lr=0.01),
        batch_size=BATCH,
        schedule=OneCycle(0.02, steps),
        callbacks=callbacks,
        seed=11,
        verbose=0,
        checkpoint=args.checkpoint,
    )
    history = trainer.fit(x, t, epochs=EPOCHS, resume=args.resume)
    meta = {"history": json.dumps(history.history), "steps": str(trainer.global_step)}
    with atomic_path(args.out) as tmp:
        save_file({k: np.ascontiguousarray(v) for k, v in net.parameters().items()}, str(tmp), meta)


if __name__ == "__main__":
    main()

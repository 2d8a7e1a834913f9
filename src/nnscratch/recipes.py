"""Training recipes: a plain dataclass of settings, and the code that turns it into a run.

``MLPConfig()`` holds the defaults of ``nnscratch train``: a 784-256-256-10
ReLU network trained with AdamW under a one-cycle learning rate, label
smoothing 0.1, batches of 256, four epochs. Those choices follow the recipes
that train small MNIST MLPs fast: AdamW (Loshchilov & Hutter, 2019), the
one-cycle policy (Smith & Topin, 2019) and label smoothing (Szegedy et al.,
2016). The CLI fills the dataclass; Python users can do the same::

    from nnscratch.recipes import MLPConfig, train_mnist
    net, history = train_mnist(MLPConfig(epochs=2, seed=1))
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np

from nnscratch import optimizers, schedules
from nnscratch.callbacks import Callback, History
from nnscratch.layers import Activation, Dense
from nnscratch.losses import SoftmaxCrossEntropy
from nnscratch.network import Sequential
from nnscratch.training import Trainer

__all__ = ["SCHEDULES", "MLPConfig", "build_mlp", "make_optimizer", "make_schedule", "train_mnist"]

SCHEDULES = ("one_cycle", "cosine", "step", "constant")


@dataclass
class MLPConfig:
    """Everything that defines an MLP training run on MNIST.

    ``lr`` is the peak learning rate (for ``one_cycle``), the starting one
    otherwise. ``hidden=()`` gives softmax regression.
    """

    hidden: tuple[int, ...] = (256, 256)
    activation: str = "relu"
    init: str = "he_normal"
    optimizer: str = "adamw"
    lr: float = 3e-3
    weight_decay: float = 1e-4
    schedule: str = "one_cycle"
    epochs: int = 4
    batch_size: int = 256
    label_smoothing: float = 0.1
    seed: int = 0
    dtype: str = "float32"

    def __post_init__(self) -> None:
        self.hidden = tuple(int(h) for h in self.hidden)
        if any(h <= 0 for h in self.hidden):
            raise ValueError(f"hidden: expected positive layer sizes, got {self.hidden}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule: expected one of {SCHEDULES}, got {self.schedule!r}")
        if not (isinstance(self.epochs, int) and self.epochs > 0):
            raise ValueError(f"epochs: expected a positive integer, got {self.epochs!r}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr: expected a positive finite number, got {self.lr!r}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(
                f"label_smoothing: expected a number in [0, 1), got {self.label_smoothing!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON-able dict (stored in the saved model's metadata)."""
        d = dataclasses.asdict(self)
        d["hidden"] = list(self.hidden)
        return d


def build_mlp(config: MLPConfig, inputs: int = 784, classes: int = 10) -> Sequential:
    """``inputs -> hidden... -> classes`` with ``config.activation`` between Dense layers."""
    sizes = (inputs, *config.hidden, classes)
    layers: list[Any] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(Dense(n_in, n_out, init=config.init))
        if i < len(sizes) - 2:
            layers.append(Activation(config.activation))
    loss = SoftmaxCrossEntropy(label_smoothing=config.label_smoothing)
    return Sequential(layers, loss=loss, seed=config.seed, dtype=config.dtype)


def make_optimizer(config: MLPConfig) -> optimizers.Optimizer:
    """The optimizer named by ``config.optimizer`` with its learning rate and weight decay."""
    return optimizers.get(
        {
            "class_name": config.optimizer,
            "config": {"lr": config.lr, "weight_decay": config.weight_decay},
        }
    )


def make_schedule(config: MLPConfig, steps_per_epoch: int) -> schedules.Schedule | None:
    """The learning-rate schedule over ``epochs * steps_per_epoch`` steps (None: constant)."""
    total = config.epochs * steps_per_epoch
    if config.schedule == "one_cycle":
        return schedules.OneCycle(config.lr, total)
    if config.schedule == "cosine":
        return schedules.CosineDecay(config.lr, total)
    if config.schedule == "step":
        return schedules.StepDecay(config.lr, max(1, total // 3), gamma=0.1)
    return None


def train_mnist(
    config: MLPConfig,
    data: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
    *,
    callbacks: Iterable[Callback] = (),
    verbose: int = 0,
    checkpoint: str | PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
) -> tuple[Sequential, History]:
    """Build the MLP of ``config``, train it on MNIST and return ``(net, history)``.

    ``data`` is ``load_mnist()``'s result (loaded when None). The test split is
    the validation data, so the history holds test accuracy per epoch.
    """
    if data is None:
        from nnscratch.datasets import load_mnist

        data = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    (x_train, t_train), (x_test, t_test) = data
    net = build_mlp(config, inputs=x_train.shape[1])
    steps = -(-len(x_train) // config.batch_size)
    trainer = Trainer(
        net,
        make_optimizer(config),
        batch_size=config.batch_size,
        schedule=make_schedule(config, steps),
        callbacks=callbacks,
        seed=config.seed,
        verbose=verbose,
        checkpoint=checkpoint,
        checkpoint_every=checkpoint_every,
    )
    history = trainer.fit(
        x_train, t_train, epochs=config.epochs, validation_data=(x_test, t_test), resume=resume
    )
    return net, history

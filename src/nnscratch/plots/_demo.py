"""Default data for the registry's MNIST figures: MNIST arrays and a quick model.

Both are memoised, so ``make_all`` loads MNIST once and trains the small
model once; the arrays handed out are read-only, so no figure can change
what the next one sees.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnscratch import io, recipes
from nnscratch.datasets.mnist import load_mnist
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.training import fit
from nnscratch.training.optimizers import Adam

__all__ = ["QuickRun", "cnn_model", "mnist_arrays", "quick_model"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a)
    a.setflags(write=False)
    return a


@functools.lru_cache(maxsize=2)
def _mnist(normalize: bool) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    train, test = load_mnist(normalize=normalize, flatten=True, one_hot_label=False, verbose=False)
    return {
        "train": (_frozen(train[0]), _frozen(train[1])),
        "test": (_frozen(test[0]), _frozen(test[1])),
    }


def mnist_arrays(split: str = "test", normalize: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images ``(N, 784)`` and labels ``(N,)`` of ``split`` ("train" or "test")."""
    if split not in ("train", "test"):
        raise ValueError(f"split: expected 'train' or 'test', got {split!r}")
    return _mnist(bool(normalize))[split]


@dataclass(frozen=True)
class QuickRun:
    """A trained small model's results: history, first weights, test predictions."""

    history: Any
    first_weights: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=1)
def quick_model(seed: int = 0, n_train: int = 8_000, epochs: int = 5) -> QuickRun:
    """Train a 784-64-10 ReLU MLP with Adam on ``n_train`` MNIST images (seconds).

    Mini-batches of 100, learning rate 1e-3, validation on the 10,000 test
    images after every epoch; the same seed gives the same model.
    """
    x_train, t_train = mnist_arrays("train")
    x_test, t_test = mnist_arrays("test")
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(x_train), size=n_train, replace=False)
    net = Sequential(
        [Dense(784, 64), Activation("relu"), Dense(64, 10)],
        loss="softmax_cross_entropy",
        seed=seed,
    )
    history = fit(
        net,
        x_train[pick],
        t_train[pick],
        optimizer=Adam(1e-3),
        epochs=epochs,
        batch_size=100,
        validation_data=(x_test, t_test),
        seed=seed,
        verbose=0,
    )
    y_test = np.argmax(net.predict(x_test), axis=1)
    return QuickRun(
        history=history,
        first_weights=_frozen(net.parameters()["0.W"]),
        x_test=x_test,
        t_test=t_test,
        y_test=_frozen(y_test),
    )


@functools.lru_cache(maxsize=1)
def cnn_model() -> tuple[Any, np.ndarray]:
    """``(trained CNN, its first-layer filters before training)``.

    The bundled "cnn" model (``scripts/train_cnn_model.py``: the default
    recipe, seed 0) when installed, else the same recipe trained for one
    epoch on 10,000 images; the filters before training are the recipe's
    initial weights for seed 0, those the bundled model started from.
    """
    config = recipes.CNNConfig(seed=0)
    before = _frozen(recipes.build_cnn(config).parameters()["1.W"])
    if "cnn" in io.bundled_models():
        return io.load("cnn"), before
    x, t = mnist_arrays("train")
    small = recipes.CNNConfig(seed=0, epochs=1)
    net, _ = recipes.train_mnist(small, ((x[:10_000], t[:10_000]), mnist_arrays("test")))
    return net, before

"""Default data for the registry's MNIST figures: the test set and a quick model.

Both are memoised (one entry each), so ``make_all`` loads MNIST and trains
the small model once; the arrays handed out are read-only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["QuickRun", "mnist_test", "quick_model"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a)
    a.setflags(write=False)
    return a


@functools.lru_cache(maxsize=2)
def mnist_test(normalize: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test images ``(10000, 784)`` and labels ``(10000,)``."""
    from nnscratch.datasets import load_mnist

    _, (x, t) = load_mnist(normalize=normalize, flatten=True, one_hot_label=False, verbose=False)
    return _frozen(x), _frozen(t)


@dataclass(frozen=True)
class QuickRun:
    """A trained small model's results: history, first weights, test predictions."""

    history: Any
    first_weights: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=1)
def quick_model(seed: int = 0, n_train: int = 10_000, epochs: int = 6) -> QuickRun:
    """Train a 784-64-10 ReLU MLP with Adam on ``n_train`` MNIST images (seconds).

    Validation on the full test set each epoch; about 0.94-0.95 test accuracy.
    """
    from nnscratch.datasets import load_mnist
    from nnscratch.layers import Activation, Dense
    from nnscratch.network import Sequential
    from nnscratch.optimizers import Adam
    from nnscratch.training import fit

    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=True, flatten=True, one_hot_label=False, verbose=False
    )
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
    )
    y_test = np.argmax(net.predict(x_test), axis=1)
    return QuickRun(
        history=history,
        first_weights=_frozen(net.parameters()["0.W"]),
        x_test=_frozen(x_test),
        t_test=_frozen(t_test),
        y_test=_frozen(y_test),
    )

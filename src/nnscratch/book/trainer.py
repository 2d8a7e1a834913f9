"""The book's ``common/trainer.py``: the training loop of chapters 6 to 8.

Each step draws a mini-batch with ``np.random.choice(train_size,
batch_size)`` (with replacement, the book's draw), takes
``network.gradient``, lets the optimizer ``update(network.params, grads)``
in place and records ``network.loss`` on the batch. At the first step of
every epoch (``iter_per_epoch = max(train_size / batch_size, 1)`` steps) it
records the accuracy on the training and test sets (or on their first
``evaluate_sample_num_per_epoch`` samples).

The library's own loop is ``nnscratch.fit`` (shuffled epochs without
replacement, callbacks, checkpoints); this one keeps the book's numbers.
"""

# ruff: noqa: NPY002  (the mini-batches are drawn from the global np.random, as the book does)

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from nnscratch._validate import Options, check
from nnscratch.book.optimizer import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

__all__ = ["Trainer"]

OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


class Trainer:
    """Train a book network (``params``, ``gradient``, ``loss``, ``accuracy``) as the book does.

    ``optimizer`` is a name (``"SGD"``, ``"Momentum"``, ``"Nesterov"``,
    ``"AdaGrad"``, ``"RMSprop"``, ``"Adam"``, any case) built with
    ``optimizer_param`` (default ``{"lr": 0.01}``). After :meth:`train`:
    ``train_loss_list`` (one loss per step), ``train_acc_list`` and
    ``test_acc_list`` (one accuracy per epoch).
    """

    def __init__(
        self,
        network: Any,
        x_train: np.ndarray,
        t_train: np.ndarray,
        x_test: np.ndarray,
        t_test: np.ndarray,
        epochs: int = 20,
        mini_batch_size: int = 100,
        optimizer: str = "SGD",
        optimizer_param: Mapping[str, Any] | None = None,
        evaluate_sample_num_per_epoch: int | None = None,
        verbose: bool = True,
    ) -> None:
        name = check("optimizer", str(optimizer).lower(), Options(*OPTIMIZERS))
        self.network = network
        self.verbose = verbose
        self.x_train, self.t_train = x_train, t_train
        self.x_test, self.t_test = x_test, t_test
        self.epochs = epochs
        self.batch_size = mini_batch_size
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        params = {"lr": 0.01} if optimizer_param is None else dict(optimizer_param)
        self.optimizer = OPTIMIZERS[name](**params)

        self.train_size = x_train.shape[0]
        self.iter_per_epoch = max(self.train_size / mini_batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list: list[float] = []
        self.train_acc_list: list[float] = []
        self.test_acc_list: list[float] = []

    def train_step(self) -> None:
        """One mini-batch step; at an epoch's first step, the two accuracies."""
        batch_mask = np.random.choice(self.train_size, self.batch_size)
        x_batch, t_batch = self.x_train[batch_mask], self.t_train[batch_mask]
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        loss = self.network.loss(x_batch, t_batch)
        self.train_loss_list.append(loss)
        if self.verbose:
            print(f"train loss:{loss}")

        if self.current_iter % self.iter_per_epoch == 0:
            self.current_epoch += 1
            n = self.evaluate_sample_num_per_epoch  # None: the whole sets
            train_acc = self.network.accuracy(self.x_train[:n], self.t_train[:n])
            test_acc = self.network.accuracy(self.x_test[:n], self.t_test[:n])
            self.train_acc_list.append(train_acc)
            self.test_acc_list.append(test_acc)
            if self.verbose:
                print(
                    f"=== epoch:{self.current_epoch}, train acc:{train_acc}, "
                    f"test acc:{test_acc} ==="
                )
        self.current_iter += 1

    def train(self) -> None:
        """``max_iter`` steps, then the accuracy on the whole test set (printed when verbose)."""
        for _ in range(self.max_iter):
            self.train_step()
        test_acc = self.network.accuracy(self.x_test, self.t_test)
        if self.verbose:
            print(f"final test acc:{test_acc}")

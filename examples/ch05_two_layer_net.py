"""The book's chapter-5 training run: a two-layer net learns MNIST by backpropagation.

Saitoh, "Deep Learning from Scratch", section 5.7.4 trains ``TwoLayerNet``
(784 -> 50 ReLU -> 10, softmax with cross entropy, weights drawn from
Normal(0, 0.01^2), zero biases) with plain SGD, learning rate 0.1, on
mini-batches of 100 images, for 10,000 iterations, and prints the accuracy
on the whole training set and on the whole test set once per "epoch" of 600
iterations. It reaches about 97 % on the test set, and the two accuracies
rise together (the book's figure 4-12 draws the curves for the same network
trained with numerical gradients; chapter 5 repeats the run with
backpropagation).

Two ways to run it here, both with ``nnscratch.network.Sequential`` and
``nnscratch.training.optimizers.SGD``:

* the book's loop, line by line (the default): each iteration draws 100
  indices at random *with replacement* (the book's
  ``np.random.choice(train_size, batch_size)``; here a seeded
  ``numpy.random.Generator``), then::

      grads = net.gradient(x_batch, t_batch)
      optimizer.step(net.parameters(), grads)

  and every 600 iterations (iteration 0, 600, ..., 9600: 17 lines) prints
  the two accuracies, as the book does;
* ``--fit``: :func:`nnscratch.training.fit`, which works in epochs of
  shuffled batches (every image once per epoch): 17 epochs of 600 batches,
  10,200 steps, the nearest whole number of epochs to the book's 16.67.

Measured (float32): final test accuracy 0.9694, 0.9691, 0.9717 with the
book's loop for seeds 0, 1, 2, and 0.9706, 0.9715 with ``--fit`` for seeds
0, 1; the book's own code gives 0.969 to 0.972 over seeds here. About 3 s per
run on an idle 2-core machine, evaluations included.

Run::

    NNSCRATCH_MNIST_DIR=/path/to/mnist python examples/ch05_two_layer_net.py [--seed 0] [--fit]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from nnscratch.datasets import load_mnist
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.training import fit
from nnscratch.training.callbacks import Callback
from nnscratch.training.optimizers import SGD

Data = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
Record = tuple[int, float, float]  # (iteration or epoch, train accuracy, test accuracy)

ITERS = 10_000
BATCH_SIZE = 100
LR = 0.1
WEIGHT_INIT_STD = 0.01
EPOCHS = 17  # --fit: 17 x 600 = 10,200 steps, the book's 10,000 rounded up to whole epochs


def two_layer_net(seed: int, dtype: str = "float32", hidden: int = 50) -> Sequential:
    """The book's ``TwoLayerNet(784, 50, 10)``: Normal(0, 0.01^2) weights, zero biases."""
    return Sequential(
        [
            Dense(784, hidden, init=WEIGHT_INIT_STD),
            Activation("relu"),
            Dense(hidden, 10, init=WEIGHT_INIT_STD),
        ],
        loss="softmax_cross_entropy",
        seed=seed,
        dtype=dtype,
    )


def _print_record(label: str, r: Record) -> None:
    print(f"{label} {r[0]:>5}: train acc {r[1]:.4f}, test acc {r[2]:.4f}", flush=True)


def train_book_loop(
    data: Data,
    *,
    seed: int = 0,
    iters: int = ITERS,
    batch_size: int = BATCH_SIZE,
    lr: float = LR,
    dtype: str = "float32",
    report: Callable[[Record], None] | None = None,
) -> tuple[Sequential, list[Record]]:
    """The book's section-5.7.4 loop; returns the net and one record per 'epoch'.

    ``seed`` fixes both the initial weights and the batches (two Generators
    made from it). A record is taken after the update of every iteration
    ``i`` with ``i % (train_size // batch_size) == 0``, as in the book.
    """
    (x_train, t_train), (x_test, t_test) = data
    x_train = x_train.astype(dtype, copy=False)  # cast once, not at every batch
    x_test = x_test.astype(dtype, copy=False)
    train_size = x_train.shape[0]
    iter_per_epoch = max(train_size // batch_size, 1)
    net = two_layer_net(seed, dtype)
    optimizer = SGD(lr)
    rng = np.random.default_rng(seed)
    records: list[Record] = []
    for i in range(iters):
        batch_mask = rng.integers(0, train_size, batch_size)  # with replacement
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]
        grads = net.gradient(x_batch, t_batch)
        optimizer.step(net.parameters(), grads)
        if i % iter_per_epoch == 0:
            r = (i, net.accuracy(x_train, t_train), net.accuracy(x_test, t_test))
            records.append(r)
            if report is not None:
                report(r)
    return net, records


class _FullPassAccuracy(Callback):
    """After each epoch, the accuracy on the whole training and test sets (the book's figures).

    ``fit``'s own ``accuracy`` is a running mean over the epoch's batches,
    taken while the weights move; the book measures the finished weights on
    all 60,000 images.
    """

    def __init__(self, net: Sequential, data: Data, report: Callable[[Record], None] | None):
        self.net, self.data, self.report = net, data, report
        self.records: list[Record] = []

    def on_epoch_end(self, epoch, logs):
        (x_train, t_train), (x_test, t_test) = self.data
        r = (epoch, self.net.accuracy(x_train, t_train), self.net.accuracy(x_test, t_test))
        self.records.append(r)
        if self.report is not None:
            self.report(r)


def train_with_fit(
    data: Data,
    *,
    seed: int = 0,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    lr: float = LR,
    dtype: str = "float32",
    report: Callable[[Record], None] | None = None,
) -> tuple[Sequential, list[Record]]:
    """The same network and SGD through :func:`nnscratch.training.fit`, epochs of shuffled batches.

    Returns the net and one record per epoch (accuracies on the full sets).
    """
    (x_train, t_train), (x_test, t_test) = data
    x_train = x_train.astype(dtype, copy=False)
    x_test = x_test.astype(dtype, copy=False)
    net = two_layer_net(seed, dtype)
    tracker = _FullPassAccuracy(net, ((x_train, t_train), (x_test, t_test)), report)
    fit(
        net,
        x_train,
        t_train,
        optimizer=SGD(lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        verbose=0,
        callbacks=[tracker],
    )
    return net, tracker.records


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument(
        "--fit", action="store_true", help="17 epochs of shuffled batches with nnscratch's fit"
    )
    args = parser.parse_args(argv)
    data = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    print(two_layer_net(args.seed, args.dtype).summary())
    start = time.perf_counter()
    if args.fit:
        print(f"fit: {EPOCHS} epochs of {BATCH_SIZE}-image shuffled batches, SGD lr {LR}")
        _, records = train_with_fit(
            data, seed=args.seed, dtype=args.dtype, report=lambda r: _print_record("epoch", r)
        )
    else:
        print(f"the book's loop: {ITERS} iterations of {BATCH_SIZE} random images, SGD lr {LR}")
        _, records = train_book_loop(
            data, seed=args.seed, dtype=args.dtype, report=lambda r: _print_record("iter", r)
        )
    seconds = time.perf_counter() - start
    print(f"final test accuracy {records[-1][2]:.4f} ({seconds:.1f} s with the evaluations)")


if __name__ == "__main__":
    main()

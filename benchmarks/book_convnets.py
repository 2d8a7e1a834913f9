"""The book's two MNIST convnets trained as the book trains them; test accuracy per epoch.

``simple``: :func:`nnscratch.convnets.simple_convnet` (the book's
SimpleConvNet, section 7.5) with the book's initial weights (every ``W`` drawn
as ``0.01 * N(0, 1)``, every ``b`` zero), Adam lr 0.001, batches of 100, 20
epochs: the book's ``ch07/train_convnet.py``, which reports about 98.9%.

``deep``: :func:`nnscratch.convnets.deep_convnet` (the book's DeepConvNet,
section 8.1) with He initial weights (``sqrt(2 / fan_in) * N(0, 1)``, as the
book's class draws them), Adam lr 0.001, batches of 100: the book's
``ch08/train_deepnet.py`` (20 epochs, about 99.4%).

Both run float32 through :func:`nnscratch.fit`, whose epochs are shuffled
passes without replacement (the book's ``Trainer`` draws every batch with
``np.random.choice``, with replacement); the same 600 steps per epoch. After
every epoch the whole 10,000-image test set is scored and one line is
appended to ``--log`` (so a run cut short keeps what it measured)::

    NNSCRATCH_MNIST_DIR=... OPENBLAS_NUM_THREADS=1 nice -n 10 \\
        python benchmarks/book_convnets.py simple --epochs 20 --log simpleconvnet.log
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import nnscratch as nn
from nnscratch.convnets import deep_convnet, simple_convnet
from nnscratch.datasets.mnist import load_mnist


def book_initial_weights(net: nn.Sequential, kind: str, seed: int) -> None:
    """Overwrite ``net``'s weights with the book's draw: 0.01 N(0, 1) or He, biases 0."""
    rng = np.random.default_rng(seed)
    values = {}
    for name, value in net.parameters().items():
        if name.endswith(".b"):
            values[name] = np.zeros_like(value)
            continue
        fan_in = int(np.prod(value.shape[1:])) if value.ndim == 4 else value.shape[0]
        std = 0.01 if kind == "simple" else np.sqrt(2.0 / fan_in)
        values[name] = std * rng.standard_normal(value.shape)
    net.set_parameters(values)


def test_accuracy(net: nn.Sequential, x: np.ndarray, t: np.ndarray, batch: int = 500) -> float:
    """Share of the test images classified right, scored in batches (dropout off)."""
    hits = sum(
        int(np.sum(np.argmax(net.predict(x[i : i + batch]), axis=1) == t[i : i + batch]))
        for i in range(0, len(x), batch)
    )
    return hits / len(x)


class EpochLog(nn.callbacks.Callback):
    """Append ``epoch, train loss, test accuracy, seconds`` after each epoch."""

    def __init__(self, path: Path, x: np.ndarray, t: np.ndarray) -> None:
        self.path, self.x, self.t = path, x, t
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        acc = test_accuracy(self.trainer.net, self.x, self.t)
        line = (
            f"epoch {epoch:2d}  train loss {logs['loss']:.4f}  test acc {acc:.4f}  "
            f"{time.perf_counter() - self.start:7.0f} s"
        )
        print(line, flush=True)
        with self.path.open("a") as log:
            log.write(line + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("net", choices=["simple", "deep"])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()

    (x, t), (x_test, t_test) = load_mnist(verbose=False)
    net = (simple_convnet if args.net == "simple" else deep_convnet)(seed=args.seed)
    book_initial_weights(net, args.net, args.seed)
    with args.log.open("a") as log:
        log.write(
            f"# {args.net}: Adam lr 0.001, batch 100, {args.epochs} epochs, seed {args.seed}\n"
        )
    nn.fit(
        net,
        x,
        t,
        optimizer=nn.optimizers.Adam(lr=0.001),
        epochs=args.epochs,
        batch_size=100,
        seed=args.seed,
        verbose=0,
        callbacks=[EpochLog(args.log, x_test, t_test)],
    )


if __name__ == "__main__":
    main()

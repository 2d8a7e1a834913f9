"""Softmax cross entropy: loss and gradient per training step, four ways.

Rows (each computes the batch-mean loss and dL/dlogits for integer labels):

* ``fused``: ``SoftmaxCrossEntropy().value_and_grad(z, t, out=buf)``, one
  softmax, gradient written into a preallocated buffer;
* ``separate``: ``softmax_cross_entropy(z, t)`` then
  ``softmax_cross_entropy_grad(z, t)`` (two softmaxes);
* ``book``: the book's ``SoftmaxWithLoss`` (ch. 5.6.3) written here after its
  formulas: ``softmax``, ``cross_entropy_error`` with 1e-7, ``(y - t) / N``
  with one-hot t;
* ``torch``: ``F.cross_entropy`` forward and ``torch.autograd.grad`` on the
  CPU, when PyTorch is importable.

``vs book`` is the book row's time divided by the row's time (> 1: faster).
Each figure is the median of ``--repeats`` runs of ``--inner`` calls after a
warm-up. Run: ``python benchmarks/losses.py [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from nnscratch.losses import (
    SoftmaxCrossEntropy,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)

try:
    import torch
except ImportError:  # no torch rows
    torch = None

SHAPES = ((100, 10), (1000, 10), (256, 1000))


def _book_step(z: np.ndarray, onehot: np.ndarray) -> tuple[float, np.ndarray]:
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    y = e / np.sum(e, axis=-1, keepdims=True)
    n = z.shape[0]
    loss = -np.sum(onehot * np.log(y + 1e-7)) / n
    return float(loss), (y - onehot) / n


def _time(fn: Callable[[], object], repeats: int, inner: int) -> float:
    fn()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        runs.append((time.perf_counter() - start) / inner)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--inner", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'shape':>12} {'dtype':>8} {'row':>9} {'time (us)':>10} {'vs book':>8}")
    for n, k in SHAPES:
        for dtype in (np.float32, np.float64):
            z = rng.normal(size=(n, k)).astype(dtype)
            labels = rng.integers(0, k, size=n)
            onehot = np.eye(k, dtype=dtype)[labels]
            buf = np.empty_like(z)
            loss = SoftmaxCrossEntropy()
            rows: dict[str, Callable[[], object]] = {
                "book": lambda z=z, onehot=onehot: _book_step(z, onehot),
                "fused": lambda z=z, t=labels, buf=buf, f=loss: f.value_and_grad(z, t, out=buf),
                "separate": lambda z=z, t=labels: (
                    softmax_cross_entropy(z, t),
                    softmax_cross_entropy_grad(z, t),
                ),
            }
            if torch is not None:
                zt = torch.tensor(z, requires_grad=True)
                tt = torch.tensor(labels)

                def torch_step(zt=zt, tt=tt):
                    value = torch.nn.functional.cross_entropy(zt, tt)
                    return value.item(), torch.autograd.grad(value, zt)[0]

                rows["torch"] = torch_step
            times = {name: _time(fn, args.repeats, args.inner) for name, fn in rows.items()}
            for name, sec in times.items():
                print(
                    f"{f'{n}x{k}':>12} {np.dtype(dtype).name:>8} {name:>9} "
                    f"{sec * 1e6:>10.1f} {times['book'] / sec:>8.2f}"
                )


if __name__ == "__main__":
    main()

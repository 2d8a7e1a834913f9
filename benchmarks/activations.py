"""Activation forward and backward passes: the out= path against the book's code.

For relu, sigmoid, tanh, leaky_relu and softmax on a (100, 1000) batch (the
size of a hidden layer in the book's chapter 5 training, times ten), in
float32 and float64, times one forward plus one backward pass three ways:

* ``book``: the book's formulas as plain NumPy (``Relu`` with a ``x <= 0``
  mask and ``dout[mask] = 0`` on a copy, ``1 / (1 + np.exp(-x))`` with
  ``dout * (1 - y) * y``, ...), written here after "Deep Learning from
  Scratch" ch. 5;
* ``nnscratch``: ``f(x)`` and ``f.vjp(x, y, dout)``, allocating results;
* ``nnscratch out=``: the same into preallocated buffers, as a layer does.

The ``vs book`` column is the book row's time divided by the row's time
(> 1: faster than the book's code). Each figure is the best of ``--repeats``
timings of ``--number`` calls, after a warm-up (the minimum, as ``timeit``
advises: the least disturbed by other load on the machine).

Run: ``python benchmarks/activations.py [--repeats 7] [--number 50]``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np

from nnscratch import activations as A


def _book(name: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Forward + backward as the book writes them (common/layers.py style)."""

    def relu(x, dout):
        mask = x <= 0
        out = x.copy()
        out[mask] = 0
        dx = dout.copy()  # the book writes into dout; we copy to keep it fair and correct
        dx[mask] = 0
        return dx

    def sigmoid(x, dout):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = 1 / (1 + np.exp(-x))
        return dout * (1.0 - y) * y

    def tanh(x, dout):
        y = np.tanh(x)
        return dout * (1.0 - y**2)

    def leaky_relu(x, dout):
        y = np.where(x > 0, x, 0.2 * x)
        del y
        return np.where(x > 0, dout, 0.2 * dout)

    def softmax(x, dout):
        c = np.max(x, axis=-1, keepdims=True)
        e = np.exp(x - c)
        y = e / np.sum(e, axis=-1, keepdims=True)
        return y * (dout - np.sum(dout * y, axis=-1, keepdims=True))

    return {
        "relu": relu,
        "sigmoid": sigmoid,
        "tanh": tanh,
        "leaky_relu": leaky_relu,
        "softmax": softmax,
    }[name]


def _ours(name: str):
    f = A.get(name)

    def run(x, dout):
        y = f(x)
        return f.vjp(x, y, dout)

    return run


def _ours_out(name: str, shape, dtype):
    f = A.get(name)
    y, dx = np.empty(shape, dtype), np.empty(shape, dtype)

    def run(x, dout):
        f(x, out=y)
        return f.vjp(x, y, dout, out=dx)

    return run


def _time(fn, x, dout, number: int, repeats: int) -> float:
    fn(x, dout)
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn(x, dout)
        runs.append((time.perf_counter() - t0) / number)
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--number", type=int, default=50)
    parser.add_argument("--shape", type=int, nargs=2, default=(100, 1000))
    args = parser.parse_args()
    shape = tuple(args.shape)
    rng = np.random.default_rng(0)
    print(f"shape {shape}, best of {args.repeats} x {args.number} forward+backward passes")
    print(f"{'function':<12} {'dtype':<8} {'row':<16} {'time (us)':>10} {'vs book':>8}")
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal(shape).astype(dtype)
        dout = rng.standard_normal(shape).astype(dtype)
        for name in ("relu", "sigmoid", "tanh", "leaky_relu", "softmax"):
            rows = {
                "book": _book(name),
                "nnscratch": _ours(name),
                "nnscratch out=": _ours_out(name, shape, dtype),
            }
            ref = rows["book"](x, dout)
            for fn in rows.values():  # the same gradient, or the timing means nothing
                np.testing.assert_allclose(fn(x, dout), ref, rtol=1e-5, atol=1e-6)
            times = {k: _time(fn, x, dout, args.number, args.repeats) for k, fn in rows.items()}
            for k, t in times.items():
                ratio = times["book"] / t
                dt = np.dtype(dtype).name
                print(f"{name:<12} {dt:<8} {k:<16} {t * 1e6:>10.1f} {ratio:>8.2f}")


if __name__ == "__main__":
    main()

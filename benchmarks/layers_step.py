"""Time training steps (forward + backward + SGD update) of nnscratch.Sequential.

Peers measured in the same run, on the same batches:
  * PyTorch (CPU, float32) when ``import torch`` works: nn.Sequential of Linear/ReLU,
    cross_entropy, torch.optim.SGD;
  * a naive book-style NumPy loop (the structure of "Deep Learning from Scratch",
    chapter 5: Affine/Relu/SoftmaxWithLoss layers allocating new arrays every step,
    float64 weights from randn, float32 inputs).

Two shapes: the book's chapter-5 run (784-50-10 ReLU, batch 100, lr 0.1) and a
bigger recipe (784-256-256-10 ReLU, batch 256). The data are random (the cost
of a step does not depend on the values); every contender sees the same index
batches. Prints a table of seconds and ratios (ours / peer).

Usage:
    python benchmarks/layers_step.py [--iters 10000] [--big-iters 2000] [--repeat 3]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/layers_step.py
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.optimizers import SGD

N_DATA = 10_000


def _data(d_in: int, n_out: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((N_DATA, d_in), dtype=np.float32)
    t = rng.integers(0, n_out, N_DATA)
    return x, t


def _batches(iters: int, batch: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, N_DATA, (iters, batch))


def run_nnscratch(sizes, x, t, idx, lr, dtype="float32") -> float:
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(Dense(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(Activation("relu"))
    net = Sequential(layers, seed=0, dtype=dtype)
    opt = SGD(lr)
    params = net.parameters()
    x = x.astype(dtype, copy=False)
    start = time.perf_counter()
    for b in idx:
        _, grads = net.value_and_grad(x[b], t[b])
        opt.step(params, grads)
    return time.perf_counter() - start


def run_torch(sizes, x, t, idx, lr) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    mods = []
    for i in range(len(sizes) - 1):
        mods.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)
    it = torch.from_numpy(idx)
    loss_fn = torch.nn.functional.cross_entropy
    start = time.perf_counter()
    for b in it:
        opt.zero_grad()
        loss = loss_fn(model(xt[b]), tt[b])
        loss.backward()
        opt.step()
    return time.perf_counter() - start


class _Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


class _Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0
        return dout


def _softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def run_book(sizes, x, t, idx, lr) -> float:
    """The book's chapter-5 structure: new arrays every step, float64 weights."""
    rng = np.random.default_rng(0)
    affines = [
        _Affine(0.01 * rng.standard_normal((sizes[i], sizes[i + 1])), np.zeros(sizes[i + 1]))
        for i in range(len(sizes) - 1)
    ]
    layers: list = []
    for i, a in enumerate(affines):
        layers.append(a)
        if i < len(affines) - 1:
            layers.append(_Relu())
    start = time.perf_counter()
    for b in idx:
        xb, tb = x[b], t[b]
        h = xb
        for layer in layers:
            h = layer.forward(h)
        y = _softmax(h)
        n = tb.shape[0]
        _ = -np.sum(np.log(y[np.arange(n), tb] + 1e-7)) / n
        d = y.copy()
        d[np.arange(n), tb] -= 1
        d = d / n
        for layer in reversed(layers):
            d = layer.backward(d)
        for a in affines:
            a.W -= lr * a.dW
            a.b -= lr * a.db
    return time.perf_counter() - start


def _best(fn, repeat: int, *args) -> float | None:
    times = [fn(*args) for _ in range(repeat)]
    return None if times[0] is None else min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", type=int, default=10_000, help="steps for 784-50-10")
    ap.add_argument("--big-iters", type=int, default=2_000, help="steps for 784-256-256-10")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = ap.parse_args()
    env = {k: os.environ.get(k, "-") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"numpy {np.__version__}; env {env}")
    cases = [
        ("784-50-10, batch 100", (784, 50, 10), 100, args.iters, 0.1),
        ("784-256-256-10, batch 256", (784, 256, 256, 10), 256, args.big_iters, 0.1),
    ]
    header = (
        f"{'network':28} {'steps':>6} {'nnscratch f32':>14} {'nnscratch f64':>14} "
        f"{'torch f32':>10} {'book numpy':>11} {'ours/torch':>11} {'ours/book':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, sizes, batch, iters, lr in cases:
        x, t = _data(sizes[0], sizes[-1])
        idx = _batches(iters, batch)
        run_nnscratch(sizes, x, t, idx[:50], lr)  # warm-up (buffers, BLAS threads)
        common = (sizes, x, t, idx, lr)
        ours = _best(run_nnscratch, args.repeat, *common)
        ours64 = _best(run_nnscratch, args.repeat, *common, "float64")
        torch_t = _best(run_torch, args.repeat, *common)
        book = _best(run_book, args.repeat, *common)
        tt = f"{torch_t:10.3f}" if torch_t else f"{'n/a':>10}"
        rt = f"{ours / torch_t:11.2f}" if torch_t else f"{'n/a':>11}"
        print(
            f"{name:28} {iters:6d} {ours:14.3f} {ours64:14.3f} {tt} {book:11.3f} "
            f"{rt} {ours / book:10.2f}"
        )
    print("seconds, best of", args.repeat, "runs; ratio < 1 means nnscratch (float32) is faster")


if __name__ == "__main__":
    main()

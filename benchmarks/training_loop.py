"""Time whole training runs of ``nnscratch.training.fit`` against a PyTorch loop.

Both contenders do the same work per step on real MNIST (float32): gather a
mini-batch from a fresh random permutation each epoch, forward, loss,
backward, optimizer update, and read the batch loss and the number of right
answers back as Python numbers (``fit`` needs them for its running loss and
accuracy and its divergence check; the PyTorch loop calls ``.item()`` for
the same figures). Times cover the training loop only (no data loading, no
evaluation).

Recipes:
  chapter5  the book's chapter-5 run: 784-50-10 ReLU, SGD lr 0.1, batch 100,
            10,000 iterations.
  default   ``nnscratch train``'s recipe: 784-256-256-10 ReLU, AdamW (weight
            decay 0.01) with a one-cycle schedule (max lr 5e-3, PyTorch's
            OneCycleLR defaults, momentum not cycled), label smoothing 0.1,
            batch 256, 4 epochs; test accuracy is reported.

Prints a table with the best of ``--repeat`` runs (the contenders alternate)
and the ratio nnscratch / PyTorch.

Threads. Both libraries use every core by default (NumPy through OpenBLAS,
PyTorch through OpenMP). On a busy machine OpenBLAS's two threads can wait
for each other for whole scheduler slices at every matrix product; compare
with one thread each (the environment variables are read at start-up)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/training_loop.py

Usage:
    NNSCRATCH_MNIST_DIR=../shared/datasets/mnist python benchmarks/training_loop.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from nnscratch.callbacks import Callback
from nnscratch.datasets.mnist import load_mnist
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.optimizers import SGD, AdamW
from nnscratch.schedules import OneCycle
from nnscratch.training import Trainer

CH5_ITERS = 10_000
DEFAULT = {"sizes": (784, 256, 256, 10), "max_lr": 5e-3, "wd": 0.01, "batch": 256, "epochs": 4}


class _StopAt(Callback):
    """Stop after a fixed number of optimizer steps (the book counts iterations)."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def on_batch_end(self, step, logs):
        if step >= self.steps:
            self.trainer.stop_training = True


def _mlp(sizes, seed, label_smoothing=0.0):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(Dense(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(Activation("relu"))
    loss = {"class_name": "softmax_cross_entropy", "config": {"label_smoothing": label_smoothing}}
    return Sequential(layers, loss=loss, seed=seed)


def ours_chapter5(x, t, seed):
    net = _mlp((784, 50, 10), seed)
    epochs = -(-CH5_ITERS * 100 // len(x))
    trainer = Trainer(
        net, SGD(0.1), batch_size=100, seed=seed, verbose=0, callbacks=[_StopAt(CH5_ITERS)]
    )
    start = time.perf_counter()
    trainer.fit(x, t, epochs=epochs)
    elapsed = time.perf_counter() - start
    assert trainer.global_step == CH5_ITERS
    return elapsed, net


def ours_default(x, t, seed):
    d = DEFAULT
    net = _mlp(d["sizes"], seed, label_smoothing=0.1)
    steps = d["epochs"] * -(-len(x) // d["batch"])
    trainer = Trainer(
        net,
        AdamW(d["max_lr"], weight_decay=d["wd"]),
        batch_size=d["batch"],
        schedule=OneCycle(d["max_lr"], steps),
        seed=seed,
        verbose=0,
    )
    start = time.perf_counter()
    trainer.fit(x, t, epochs=d["epochs"])
    return time.perf_counter() - start, net


def _torch_mlp(torch, sizes):
    mods = []
    for i in range(len(sizes) - 1):
        mods.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def _torch_loop(torch, model, opt, sched, loss_fn, x, t, batch, max_steps, epochs, seed):
    gen = torch.Generator().manual_seed(seed)
    n = x.shape[0]
    step = 0
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        loss_sum, correct = 0.0, 0
        for lo in range(0, n, batch):
            idx = perm[lo : lo + batch]
            xb, tb = x[idx], t[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, tb)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            loss_sum += loss.item()
            correct += int((out.argmax(1) == tb).sum())
            step += 1
            if step == max_steps:
                return


def torch_chapter5(torch, x, t, seed):
    torch.manual_seed(seed)
    model = _torch_mlp(torch, (784, 50, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    epochs = -(-CH5_ITERS * 100 // x.shape[0])
    start = time.perf_counter()
    _torch_loop(
        torch,
        model,
        opt,
        None,
        torch.nn.functional.cross_entropy,
        x,
        t,
        100,
        CH5_ITERS,
        epochs,
        seed,
    )
    return time.perf_counter() - start, model


def torch_default(torch, x, t, seed):
    d = DEFAULT
    torch.manual_seed(seed)
    model = _torch_mlp(torch, d["sizes"])
    opt = torch.optim.AdamW(model.parameters(), lr=d["max_lr"], weight_decay=d["wd"])
    steps = d["epochs"] * -(-x.shape[0] // d["batch"])
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=d["max_lr"], total_steps=steps, cycle_momentum=False
    )
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
    start = time.perf_counter()
    _torch_loop(torch, model, opt, sched, loss_fn, x, t, d["batch"], steps, d["epochs"], seed)
    return time.perf_counter() - start, model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()
    (x, t), (xt, tt) = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: nnscratch times only")
    if torch is not None:
        tx, tt_ = torch.from_numpy(x), torch.from_numpy(t.astype(np.int64))
        txt = torch.from_numpy(xt)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "unset (all cores)")
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={blas}, {os.cpu_count()} CPUs")

    rows = []
    for name, ours, theirs in [
        ("chapter5", ours_chapter5, torch_chapter5),
        ("default", ours_default, torch_default),
    ]:
        best_ours, best_torch = float("inf"), float("inf")
        acc_ours = acc_torch = float("nan")
        for r in range(args.repeat):
            sec, net = ours(x, t, seed=r)
            best_ours = min(best_ours, sec)
            acc_ours = net.accuracy(xt, tt)
            if torch is not None:
                sec, model = theirs(torch, tx, tt_, seed=r)
                best_torch = min(best_torch, sec)
                with torch.no_grad():
                    acc_torch = float((model(txt).argmax(1).numpy() == tt).mean())
        rows.append((name, best_ours, best_torch, acc_ours, acc_torch))

    print(
        f"{'recipe':<10} {'nnscratch s':>12} {'torch s':>9} {'ratio':>7} "
        f"{'acc ours':>9} {'acc torch':>10}"
    )
    for name, a, b, acc_a, acc_b in rows:
        ratio = a / b if np.isfinite(b) else float("nan")
        print(f"{name:<10} {a:>12.2f} {b:>9.2f} {ratio:>7.2f} {acc_a:>9.4f} {acc_b:>10.4f}")
    print(
        f"(best of {args.repeat}; ratio = nnscratch / torch, lower is faster; "
        "accuracy on the 10,000 test images, last run)"
    )


if __name__ == "__main__":
    main()

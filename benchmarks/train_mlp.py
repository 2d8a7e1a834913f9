"""Training speed on MNIST: nnscratch's training loop against PyTorch, same runs, same batches.

Two runs, each trained by every contender from the same initial weights on
the same mini-batches in the same order (``Trainer``'s: a fresh
``Generator(seed).permutation`` per epoch, the last batch smaller when the
batch size does not divide 60,000):

(a) the book's chapter-5 run (Saitoh, "Deep Learning from Scratch" 5.7.4):
    784-50-10 ReLU, softmax cross entropy, weights Normal(0, 0.01^2), SGD
    lr 0.1, batch 100; 17 epochs of shuffled batches = 10,200 steps (the
    book's 10,000 random iterations rounded up to whole epochs, as
    ``examples/ch05_two_layer_net.py --fit``).
(b) the ``nnscratch train`` default recipe (``nnscratch.recipes.MLPConfig()``):
    784-256-256-10 ReLU, He-normal weights, AdamW lr 3e-3 weight decay 1e-4,
    one-cycle schedule (PyTorch's OneCycleLR definition, cosine), label
    smoothing 0.1, batch 256, 4 epochs = 940 steps.

Contenders (rows):

* ``nnscratch fit``: :class:`nnscratch.training.Trainer` ``.fit`` (what
  ``fit`` and ``nnscratch train`` run), float32 and float64; the network,
  optimizer and schedule are built by ``nnscratch.recipes`` for (b);
* ``nnscratch bare loop`` (float32): the same steps written as a plain loop,
  ``value_and_grad`` then ``optimizer.step`` (and the schedule), without the
  Trainer's bookkeeping: the difference to ``fit`` is the Trainer's cost;
* ``torch``: ``nn.Sequential`` of ``nn.Linear`` / ``nn.ReLU`` with our initial
  weights copied in, ``nn.CrossEntropyLoss`` (``label_smoothing`` as the
  recipe), ``torch.optim.SGD`` or ``torch.optim.AdamW`` (eps 1e-8, betas
  0.9/0.999) + ``torch.optim.lr_scheduler.OneCycleLR`` with our OneCycle's
  parameters (pct_start 0.3, div_factor 25, final_div_factor 1e4, cosine,
  ``cycle_momentum=False``: our OneCycle leaves beta1 alone), float32 and
  float64, CPU, thread count as PyTorch chooses it. Per step it does what
  ``fit`` does: gather the batch, forward, loss, backward, update, and read
  the batch loss and the count of right answers back as Python numbers (the
  running loss and accuracy that ``fit`` reports);
* ``book-style NumPy`` (run (a) only): a plain two-layer net written here in
  the style of the book's chapter 5 (``Affine`` / ``Relu`` /
  ``SoftmaxWithLoss`` objects that allocate new arrays at every call, a
  ``params`` dict updated with ``params[k] -= lr * grads[k]``, one-hot
  targets, and the book loop's extra ``loss(x_batch, t_batch)`` after each
  update for the loss curve). As in the book, the weights are float64, so
  the computation is float64 although the images are float32.

Data are float32 arrays (float64 for the float64 rows) and torch tensors
prepared before timing; the time is the training loop only, median of
``--repeats`` runs, the contenders taking turns within each repeat so a burst
of load from elsewhere hits them alike. Test accuracy is measured after the
timed loop. ``agree`` is the share of the 10,000 test predictions equal to
PyTorch's of the same dtype: near 1 means both trained the same run.

The header names the OpenBLAS kernel NumPy uses (from threadpoolctl, when
installed): the environment variables ``OPENBLAS_CORETYPE`` and
``OPENBLAS_L2_SIZE`` can force an older one. Run it both ways::

    NNSCRATCH_MNIST_DIR=... python benchmarks/train_mlp.py [--only a|b] [--repeats 3] [--no-torch]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/train_mlp.py
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from _book_style import BookAffine, BookRelu

from nnscratch import recipes
from nnscratch.datasets.mnist import load_mnist
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.training import Trainer
from nnscratch.training.optimizers import SGD

try:
    import torch
except ImportError:  # the table simply has no torch rows
    torch = None

__all__ = ["RUNS", "Run", "main"]


@dataclass(frozen=True)
class Run:
    """One training run, as every contender performs it."""

    key: str
    title: str
    sizes: tuple[int, ...]
    optimizer: str  # "sgd" or "adamw"
    lr: float
    batch_size: int
    epochs: int
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    one_cycle: bool = False
    seed: int = 0


def _recipe_run() -> Run:
    c = recipes.MLPConfig()
    if c.optimizer != "adamw" or c.schedule != "one_cycle" or c.activation != "relu":
        raise RuntimeError(f"the torch side mirrors AdamW + one_cycle + ReLU; the recipe is {c}")
    return Run(
        "b",
        f"(b) nnscratch train's recipe: 784-{'-'.join(map(str, c.hidden))}-10 ReLU, "
        f"AdamW lr {c.lr:g} wd {c.weight_decay:g}, one-cycle, label smoothing "
        f"{c.label_smoothing:g}, batch {c.batch_size}, {c.epochs} epochs",
        (784, *c.hidden, 10),
        "adamw",
        c.lr,
        c.batch_size,
        c.epochs,
        weight_decay=c.weight_decay,
        label_smoothing=c.label_smoothing,
        one_cycle=True,
        seed=c.seed,
    )


RUNS = {
    "a": Run(
        "a",
        "(a) the book's chapter 5: 784-50-10 ReLU, init std 0.01, SGD lr 0.1, batch 100, 17 epochs",
        (784, 50, 10),
        "sgd",
        0.1,
        100,
        17,
    ),
    "b": _recipe_run(),
}


# --------------------------------------------------------------------------- shared


def _orders(run: Run, n: int) -> list[np.ndarray]:
    """The batch order of ``Trainer(seed=run.seed)``: one permutation per epoch."""
    rng = np.random.default_rng(run.seed)
    return [rng.permutation(n) for _ in range(run.epochs)]


def _steps_per_epoch(run: Run, n: int) -> int:
    return -(-n // run.batch_size)


def _nnscratch_parts(run: Run, n: int, dtype: str):
    """Network, optimizer and schedule as nnscratch builds them for ``run``."""
    if run.key == "b":
        config = replace(recipes.MLPConfig(), dtype=dtype)
        net = recipes.build_mlp(config)
        opt = recipes.make_optimizer(config)
        schedule = recipes.make_schedule(config, _steps_per_epoch(run, n))
        return net, opt, schedule
    layers: list = []
    for i in range(len(run.sizes) - 1):
        layers.append(Dense(run.sizes[i], run.sizes[i + 1], init=0.01))
        if i < len(run.sizes) - 2:
            layers.append(Activation("relu"))
    net = Sequential(layers, loss="softmax_cross_entropy", seed=run.seed, dtype=dtype)
    return net, SGD(run.lr), None


def initial_weights(run: Run) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per Dense layer of nnscratch's initial network, float64 copies."""
    net, _, _ = _nnscratch_parts(run, 60_000, "float64")
    p = net.parameters()
    dense = sorted({k.split(".")[0] for k in p}, key=int)
    return [(p[f"{i}.W"].astype(np.float64), p[f"{i}.b"].astype(np.float64)) for i in dense]


@dataclass
class Result:
    seconds: float
    accuracy: float
    predictions: np.ndarray


# --------------------------------------------------------------------------- nnscratch


def nnscratch_fit(run: Run, data, dtype: str) -> Result:
    """``Trainer.fit`` on the run's settings; times ``fit`` only."""
    (x, t), (x_test, t_test) = data
    net, opt, schedule = _nnscratch_parts(run, len(x), dtype)
    trainer = Trainer(
        net, opt, batch_size=run.batch_size, schedule=schedule, seed=run.seed, verbose=0
    )
    start = time.perf_counter()
    trainer.fit(x, t, epochs=run.epochs)
    seconds = time.perf_counter() - start
    pred = np.argmax(net.predict(x_test), axis=1)
    return Result(seconds, float(np.mean(pred == t_test)), pred)


def nnscratch_bare(run: Run, data, dtype: str) -> Result:
    """The same steps as a plain loop: gather, ``value_and_grad``, ``step``."""
    (x, t), (x_test, t_test) = data
    net, opt, schedule = _nnscratch_parts(run, len(x), dtype)
    orders, bs, n = _orders(run, len(x)), run.batch_size, len(x)
    params = net.parameters()
    step = 0
    start = time.perf_counter()
    for order in orders:
        for lo in range(0, n, bs):
            idx = order[lo : lo + bs]
            if schedule is not None:
                opt.lr = schedule(step)
            _, grads = net.value_and_grad(x[idx], t[idx])
            opt.step(params, grads)
            step += 1
    seconds = time.perf_counter() - start
    pred = np.argmax(net.predict(x_test), axis=1)
    return Result(seconds, float(np.mean(pred == t_test)), pred)


# --------------------------------------------------------------------------- torch


def _torch_model(weights, dtype):
    mods = []
    for i, (W, b) in enumerate(weights):
        lin = torch.nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if i < len(weights) - 1:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def torch_train(run: Run, tdata, dtype, weights) -> Result:
    """The idiomatic PyTorch loop on the same batches; times the loop only."""
    (x, t), (x_test, t_test) = tdata
    n, bs = x.shape[0], run.batch_size
    model = _torch_model(weights, dtype)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=run.label_smoothing)
    if run.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=run.lr)
    else:
        opt = torch.optim.AdamW(
            model.parameters(), lr=run.lr, weight_decay=run.weight_decay, eps=1e-8
        )
    sched = None
    if run.one_cycle:
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt,
            max_lr=run.lr,
            total_steps=run.epochs * _steps_per_epoch(run, n),
            pct_start=0.3,
            anneal_strategy="cos",
            cycle_momentum=False,
            div_factor=25.0,
            final_div_factor=1e4,
        )
    orders = [torch.from_numpy(o) for o in _orders(run, n)]
    loss_sum, correct = 0.0, 0
    start = time.perf_counter()
    for order in orders:
        for lo in range(0, n, bs):
            idx = order[lo : lo + bs]
            xb, tb = x[idx], t[idx]
            out = model(xb)
            loss = loss_fn(out, tb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            loss_sum += loss.item() * len(idx)
            correct += int((out.argmax(1) == tb).sum().item())
    seconds = time.perf_counter() - start
    with torch.inference_mode():
        pred = model(x_test).argmax(1).numpy()
    return Result(seconds, float(np.mean(pred == t_test.numpy())), pred)


# --------------------------------------------------------------------------- book style


class _SoftmaxWithLoss:
    def forward(self, x, t):
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        self.y = e / e.sum(axis=1, keepdims=True)
        self.t = t
        return -np.sum(t * np.log(self.y + 1e-7)) / x.shape[0]

    def backward(self):
        return (self.y - self.t) / self.t.shape[0]


class _BookTwoLayerNet:
    """Two layers in the book's chapter-5 style, on the weights given (float64 as the book)."""

    def __init__(self, weights):
        (W1, b1), (W2, b2) = weights
        self.params = {"W1": W1.copy(), "b1": b1.copy(), "W2": W2.copy(), "b2": b2.copy()}
        p = self.params
        self.layers = [BookAffine(p["W1"], p["b1"]), BookRelu(), BookAffine(p["W2"], p["b2"])]
        self.last = _SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        a1, a2 = self.layers[0], self.layers[2]
        return {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}


def book_train(run: Run, data, weights) -> Result:
    """The book's loop (its ``train_neuralnet.py`` structure) on the same batches."""
    (x, t), (x_test, t_test) = data
    t_onehot = np.eye(10, dtype=np.float32)[t]  # the book loads one-hot labels here
    net = _BookTwoLayerNet(weights)
    orders, bs, n = _orders(run, len(x)), run.batch_size, len(x)
    losses = []
    start = time.perf_counter()
    for order in orders:
        for lo in range(0, n, bs):
            batch_mask = order[lo : lo + bs]
            x_batch, t_batch = x[batch_mask], t_onehot[batch_mask]
            grad = net.gradient(x_batch, t_batch)
            for key in ("W1", "b1", "W2", "b2"):
                net.params[key] -= run.lr * grad[key]
            losses.append(net.loss(x_batch, t_batch))
    seconds = time.perf_counter() - start
    pred = np.argmax(net.predict(x_test), axis=1)
    return Result(seconds, float(np.mean(pred == t_test)), pred)


# --------------------------------------------------------------------------- the table


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "OpenBLAS kernel unknown (pip install threadpoolctl to name it)"
    libs = [
        f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')} "
        f"threads {i.get('num_threads')}"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return "; ".join(libs) or "no BLAS found by threadpoolctl"


def _environment() -> str:
    env = ", ".join(
        f"{k}={os.environ.get(k, '(unset)')}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    )
    lines = [
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, NumPy {np.__version__}",
        f"# NumPy BLAS: {_blas()}",
        f"# {env}",
    ]
    if torch is not None:
        lines.append(f"# PyTorch {torch.__version__}, {torch.get_num_threads()} threads")
    return "\n".join(lines)


def _load() -> str:
    try:
        return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "load average unknown"


def _contenders(run: Run, data, use_torch: bool) -> dict[tuple[str, str], Callable[[], Result]]:
    (x, t), (x_test, t_test) = data
    x64, x_test64 = x.astype(np.float64), x_test.astype(np.float64)
    d32 = ((x, t), (x_test, t_test))
    d64 = ((x64, t), (x_test64, t_test))
    out: dict[tuple[str, str], Callable[[], Result]] = {
        ("nnscratch fit", "float32"): lambda: nnscratch_fit(run, d32, "float32"),
        ("nnscratch fit", "float64"): lambda: nnscratch_fit(run, d64, "float64"),
        ("nnscratch bare loop", "float32"): lambda: nnscratch_bare(run, d32, "float32"),
    }
    weights = initial_weights(run)
    if use_torch:
        for name, tdt, xs, xts in (
            ("float32", torch.float32, x, x_test),
            ("float64", torch.float64, x64, x_test64),
        ):
            tdata = (
                (torch.from_numpy(xs), torch.from_numpy(t.astype(np.int64))),
                (torch.from_numpy(xts), torch.from_numpy(t_test.astype(np.int64))),
            )
            out[("torch", name)] = lambda tdata=tdata, tdt=tdt: torch_train(
                run, tdata, tdt, weights
            )
    if run.key == "a":
        out[("book-style NumPy", "float64")] = lambda: book_train(run, d32, weights)
    return out


def measure(run: Run, data, repeats: int, use_torch: bool) -> None:
    """Print one table for ``run``."""
    (x, t), test = data
    for f in _contenders(replace(run, epochs=1), ((x[:2000], t[:2000]), test), use_torch).values():
        f()  # warm-up: first calls, buffers, lazy initialisation
    contenders = _contenders(run, data, use_torch)
    times: dict[tuple[str, str], list[float]] = {k: [] for k in contenders}
    last: dict[tuple[str, str], Result] = {}
    steps = run.epochs * _steps_per_epoch(run, len(data[0][0]))
    print(f"\n{run.title} ({steps:,} steps)  [{_load()}]")
    for _ in range(repeats):
        for key, f in contenders.items():
            r = f()
            times[key].append(r.seconds)
            last[key] = r
    med = {k: statistics.median(v) for k, v in times.items()}
    head = f"{'contender':22} {'dtype':8} {'seconds':>8} {'ms/step':>8} {'test acc':>9}"
    if use_torch:
        head += f" {'agree':>6} {'/ torch f32':>11} {'/ torch same':>12}"
    print(head)
    for key, sec in med.items():
        name, dt = key
        r = last[key]
        row = f"{name:22} {dt:8} {sec:8.2f} {1e3 * sec / steps:8.3f} {r.accuracy:9.4f}"
        if use_torch:
            same = ("torch", dt)
            agree = float(np.mean(r.predictions == last[same].predictions))
            row += f" {agree:6.3f} {sec / med[('torch', 'float32')]:11.2f} {sec / med[same]:12.2f}"
        print(row)
    spread = max(max(v) / min(v) for v in times.values())
    print(f"# median of {repeats}; largest max/min spread over repeats {spread:.2f}  [{_load()}]")
    if use_torch:
        ratio = med[("nnscratch fit", "float32")] / med[("torch", "float32")]
        verdict = "meets" if ratio <= 0.75 else "misses"
        print(f"# nnscratch fit float32 / torch float32 = {ratio:.2f}: {verdict} the 0.75 target")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(RUNS), help="run only (a) or (b)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per row (median)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats: expected a positive integer, got {args.repeats}")
    use_torch = torch is not None and not args.no_torch
    print(_environment())
    if torch is None and not args.no_torch:
        print("# PyTorch is not importable: no torch rows")
    data = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    for key in [args.only] if args.only else sorted(RUNS):
        measure(RUNS[key], data, args.repeats, use_torch)


if __name__ == "__main__":
    main()

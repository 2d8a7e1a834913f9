"""Training a CNN on MNIST: nnscratch against PyTorch and the book's NumPy style, same run.

The run is ``nnscratch train --model cnn``'s default recipe
(``nnscratch.recipes.CNNConfig()``): (N, 784) -> (1, 28, 28) -> conv 5x5 16
-> max pool 2 -> ReLU -> conv 3x3 32 -> max pool 2 -> ReLU -> Dense 800 -> 128
-> ReLU -> Dense 128 -> 10, He-normal weights, AdamW (lr 3e-3, weight decay 0.01) under a one-cycle
schedule, label smoothing 0.1, batches of 128, 4 epochs. Every contender
starts from the same initial weights (nnscratch's, copied) and sees the same
batches in the same order (``Trainer``'s: ``Generator(seed).permutation``
per epoch).

Rows:

* ``nnscratch``: ``Trainer.fit`` (what ``nnscratch train`` runs), float32,
  ``nnscratch.set_num_threads`` = the CPU count (the conv and pooling layers
  cut each batch into that many parts, one thread each);
* ``torch``: ``nn.Sequential`` of ``Conv2d`` / ``ReLU`` / ``MaxPool2d`` /
  ``Linear`` with the same weights, ``CrossEntropyLoss(label_smoothing)``,
  ``AdamW`` + ``OneCycleLR`` (our OneCycle's parameters), float32, CPU,
  ``torch.set_num_threads`` = the CPU count; per step it gathers the batch,
  runs forward, loss, backward, update and reads the loss and the count of
  right answers back as Python numbers, as ``fit`` does;
* ``book-style NumPy``: the book's chapter-7 classes written here after its
  formulas (``im2col`` filling a (N, C, FH, FW, OH, OW) array with a loop over
  the filter's rows and columns, ``col2im`` adding back the same way,
  ``Convolution`` / ``Pooling`` / ``Relu`` / ``Affine`` / ``SoftmaxWithLoss``
  objects that allocate new arrays at every call, one-hot targets), float64
  weights as in the book, AdamW written as the book writes Adam.

Each run is a fresh subprocess, so ``peak RSS`` (``resource.getrusage``'s
``ru_maxrss``) is that run's own: data, network and training. ``ms/step`` is
the training time over the number of steps; inference is the trained model
on the 10,000 test images in batches of 1,000 (images per second, median of
three passes). Contenders take turns within each repeat; figures are medians.

    NNSCRATCH_MNIST_DIR=... python benchmarks/train_cnn.py [--repeats 3] [--epochs 4]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/train_cnn.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
from _book_style import BookAffine, BookRelu

from nnscratch import recipes, set_num_threads
from nnscratch.datasets.mnist import load_mnist
from nnscratch.training import Trainer
from nnscratch.training.schedules import OneCycle

CONTENDERS = ("nnscratch", "torch", "book-style NumPy")


LIMIT = int(os.environ.get("TRAIN_CNN_LIMIT", "0"))  # a quick check on the first images


def _data():
    (x, t), test = load_mnist(normalize=True, flatten=True, one_hot_label=False, verbose=False)
    if LIMIT:
        return (x[:LIMIT], t[:LIMIT]), (test[0][:1000], test[1][:1000])
    return (x, t), test


def _setup(epochs: int, seed: int):
    config = replace(recipes.CNNConfig(), epochs=epochs, seed=seed)
    net = recipes.build_cnn(config)
    return config, net


def _orders(config, n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(config.seed)
    return [rng.permutation(n) for _ in range(config.epochs)]


def _lrs(config, n: int) -> list[float]:
    steps = -(-n // config.batch_size)
    schedule = OneCycle(config.lr, config.epochs * steps)
    return [float(schedule(i)) for i in range(config.epochs * steps)]


def _throughput(predict, x) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for lo in range(0, len(x), 1000):
            predict(x[lo : lo + 1000])
        times.append(time.perf_counter() - start)
    return len(x) / statistics.median(times)


# ------------------------------------------------------------------ the contenders


def run_nnscratch(epochs: int, seed: int, threads: int) -> dict:
    set_num_threads(threads)
    (x, t), (xt, tt) = _data()
    config, net = _setup(epochs, seed)
    steps = -(-len(x) // config.batch_size)
    trainer = Trainer(
        net,
        recipes.make_optimizer(config),
        batch_size=config.batch_size,
        schedule=recipes.make_schedule(config, steps),
        seed=config.seed,
        verbose=0,
    )
    start = time.perf_counter()
    trainer.fit(x, t, epochs=config.epochs)
    seconds = time.perf_counter() - start
    acc = float(np.mean(np.concatenate([net.predict(xt[i : i + 1000]).argmax(1)
                                        for i in range(0, len(xt), 1000)]) == tt))  # fmt: skip
    return {"seconds": seconds, "steps": steps * epochs, "accuracy": acc,
            "images_per_s": _throughput(net.predict, xt)}  # fmt: skip


def _torch_model(net, torch):
    """The nnscratch network layer by layer in torch.nn, with the same weights."""
    tn, p, mods = torch.nn, net.parameters(), []
    for i, layer in enumerate(net.layers):
        kind = type(layer).__name__
        if kind == "Conv2D":
            mod = tn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size)
            weight, bias = p[f"{i}.W"], p[f"{i}.b"]
        elif kind == "Dense":
            mod = tn.Linear(*p[f"{i}.W"].shape)
            weight, bias = p[f"{i}.W"].T.copy(), p[f"{i}.b"]
        else:
            mods += {"MaxPool2D": [tn.MaxPool2d(2)], "Activation": [tn.ReLU()],
                     "Flatten": [tn.Flatten()], "Reshape": []}[kind]  # fmt: skip
            continue
        with torch.no_grad():
            mod.weight.copy_(torch.from_numpy(weight))
            mod.bias.copy_(torch.from_numpy(bias))
        mods.append(mod)
    return tn.Sequential(*mods)


def run_torch(epochs: int, seed: int, threads: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    (x, t), (xt, tt) = _data()
    config, net = _setup(epochs, seed)
    model = _torch_model(net, torch)
    n, bs = len(x), config.batch_size
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=config.lr, total_steps=config.epochs * -(-n // bs), pct_start=0.3,
        anneal_strategy="cos", cycle_momentum=False, div_factor=25.0, final_div_factor=1e4,
    )  # fmt: skip
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    X, T = torch.from_numpy(x).reshape(-1, 1, 28, 28), torch.from_numpy(t.astype(np.int64))
    Xt = torch.from_numpy(xt).reshape(-1, 1, 28, 28)
    orders = [torch.from_numpy(o) for o in _orders(config, n)]
    loss_sum, correct, steps = 0.0, 0, 0
    start = time.perf_counter()
    for order in orders:
        for lo in range(0, n, bs):
            idx = order[lo : lo + bs]
            xb, tb = X[idx], T[idx]
            out = model(xb)
            loss = loss_fn(out, tb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += int((out.argmax(1) == tb).sum().item())
            steps += 1
    seconds = time.perf_counter() - start
    model.eval()

    def predict(xb):
        with torch.inference_mode():
            return model(xb).numpy()

    acc = float(np.mean(np.concatenate([predict(Xt[i : i + 1000]).argmax(1)
                                        for i in range(0, len(xt), 1000)]) == tt))  # fmt: skip
    return {"seconds": seconds, "steps": steps, "accuracy": acc,
            "images_per_s": _throughput(predict, Xt)}  # fmt: skip


# ---- book style: written after the formulas of chapter 7, float64 as the book


def book_im2col(img, fh, fw, stride=1, pad=0):
    n, c, h, w = img.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(img, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, fh, fw, oh, ow))
    for y in range(fh):
        for x in range(fw):
            col[:, :, y, x, :, :] = img[
                :, :, y : y + stride * oh : stride, x : x + stride * ow : stride
            ]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def book_col2im(col, shape, fh, fw, stride=1, pad=0):
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(fh):
        for x in range(fw):
            img[:, :, y : y + stride * oh : stride, x : x + stride * ow : stride] += col[:, :, y, x]
    return img[:, :, pad : h + pad, pad : w + pad]


class BookConv:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        self.x, self.col = x, book_im2col(x, fh, fw)
        self.col_W = self.W.reshape(fn, -1).T
        out = np.dot(self.col, self.col_W) + self.b
        return out.reshape(n, h - fh + 1, w - fw + 1, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(fn, c, fh, fw)
        return book_col2im(np.dot(dout, self.col_W.T), self.x.shape, fh, fw)


class BookPool:  # 2x2, stride 2
    def forward(self, x):
        n, c, h, w = x.shape
        col = book_im2col(x, 2, 2, 2).reshape(-1, 4)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(n, h // 2, w // 2, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        dmax = np.zeros((dout.size, 4))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dcol = dmax.reshape(*dout.shape, 4).reshape(-1, 4 * dout.shape[3])
        return book_col2im(dcol, self.x.shape, 2, 2, 2)


def _book_layers(net):
    """The nnscratch network as book-style layers with float64 copies of its weights."""
    params = {k: v.astype(np.float64) for k, v in net.parameters().items()}
    layers, owners = [], {}
    for i, layer in enumerate(net.layers):
        kind = type(layer).__name__
        if kind in ("Conv2D", "Dense"):
            book = (BookConv if kind == "Conv2D" else BookAffine)(
                params[f"{i}.W"], params[f"{i}.b"]
            )
            owners[f"{i}.W"] = owners[f"{i}.b"] = book
            layers.append(book)
        elif kind in ("MaxPool2D", "Activation"):
            layers.append(BookPool() if kind == "MaxPool2D" else BookRelu())
    return params, layers, owners


def run_book(epochs: int, seed: int) -> dict:
    (x, t), (xt, tt) = _data()
    config, net = _setup(epochs, seed)
    params, layers, owners = _book_layers(net)

    def predict(xb):
        h = xb.reshape(-1, 1, 28, 28)
        for layer in layers:
            h = layer.forward(h)
        return h

    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(w) for k, w in params.items()}
    b1, b2, eps, wd, k_cls, ls = 0.9, 0.999, 1e-8, config.weight_decay, 10, config.label_smoothing
    lrs, n, bs, it = _lrs(config, len(x)), len(x), config.batch_size, 0
    start = time.perf_counter()
    for order in _orders(config, n):
        for lo in range(0, n, bs):
            idx = order[lo : lo + bs]
            xb, tb = x[idx].astype(np.float64), t[idx]
            y = predict(xb)  # SoftmaxWithLoss on smoothed one-hot targets
            onehot = np.full(y.shape, ls / k_cls)
            onehot[np.arange(len(tb)), tb] += 1.0 - ls
            e = np.exp(y - y.max(axis=1, keepdims=True))
            prob = e / e.sum(axis=1, keepdims=True)
            dout = (prob - onehot) / len(tb)
            for layer in reversed(layers):
                dout = layer.backward(dout)
            it += 1
            lr = lrs[it - 1]
            for key in params:
                layer = owners[key]
                g = layer.dW if key.endswith("W") else layer.db
                params[key] -= lr * wd * params[key]
                m[key] += (1 - b1) * (g - m[key])
                v[key] += (1 - b2) * (g**2 - v[key])
                mhat, vhat = m[key] / (1 - b1**it), v[key] / (1 - b2**it)
                params[key] -= lr * mhat / (np.sqrt(vhat) + eps)
    seconds = time.perf_counter() - start
    xt64 = xt.astype(np.float64)
    acc = float(np.mean(np.concatenate([predict(xt64[i : i + 1000]).argmax(1)
                                        for i in range(0, len(xt), 1000)]) == tt))  # fmt: skip
    return {"seconds": seconds, "steps": it, "accuracy": acc,
            "images_per_s": _throughput(predict, xt64)}  # fmt: skip


# ------------------------------------------------------------------ driver


def _child(name: str, epochs: int, seed: int, threads: int) -> None:
    if name == "nnscratch":
        result = run_nnscratch(epochs, seed, threads)
    elif name == "torch":
        result = run_torch(epochs, seed, threads)
    else:
        result = run_book(epochs, seed)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _environment() -> str:
    env = ", ".join(f"{k}={os.environ.get(k, '(unset)')}"
                    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"))  # fmt: skip
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    return f"# {os.cpu_count()} CPUs, NumPy {np.__version__}, {env}, load average {load}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=recipes.CNNConfig().epochs)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--only", choices=CONTENDERS, action="append")
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.epochs, args.seed, args.threads)
        return
    names = args.only or list(CONTENDERS)
    print(_environment(), flush=True)
    results: dict[str, list[dict]] = {name: [] for name in names}
    for r in range(args.repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            cmd = [sys.executable, __file__, "--child", name, "--epochs", str(args.epochs),
                   "--seed", str(args.seed), "--threads", str(args.threads)]  # fmt: skip
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            results[name].append(json.loads(out.strip().splitlines()[-1]))
    med = {n: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for n, rs in results.items()}
    ref = med.get("torch", {}).get("seconds")
    print(f"{'implementation':<18}{'seconds':>9}{'ms/step':>9}{'vs torch':>9}{'test acc':>9}"
          f"{'infer img/s':>12}{'peak RSS MB':>12}")  # fmt: skip
    for name, m in med.items():
        ratio = f"{m['seconds'] / ref:.2f}" if ref else "-"
        print(f"{name:<18}{m['seconds']:>9.1f}{1e3 * m['seconds'] / m['steps']:>9.1f}"
              f"{ratio:>9}{m['accuracy']:>9.4f}{m['images_per_s']:>12,.0f}"
              f"{m['peak_rss_mb']:>12,.0f}")  # fmt: skip
    if args.repeats > 1:  # every round, in the order run (the noise between rounds is large)
        for name, rs in results.items():
            print(f"# {name} seconds by round: " + " ".join(f"{r['seconds']:.1f}" for r in rs))
    print(_environment())


if __name__ == "__main__":
    main()

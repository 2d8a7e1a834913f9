"""Chapter-3 inference: the book's weights on the 10,000 MNIST test images.

Times the network of "Deep Learning from Scratch" section 3.6 (784 -> 50
sigmoid -> 100 sigmoid -> 10 softmax, the published ``sample_weight.pkl``)
three ways: image by image (10,000 calls, the book's first loop), in batches
of 100 (the book's batch loop) and as one batch of 10,000; in float32 (the
weights' own dtype) and float64. Every row computes the softmax probabilities,
as the book's ``predict`` does, and checks that 9,352 images are classified
correctly.

Rows:

* ``nnscratch``: ``nnscratch.io.load(sample_weight.pkl).predict_proba``;
* ``book``: the book's plain NumPy functions (``sigmoid``, ``softmax``,
  ``predict(network, x)``), written here after the book's formulas;
* ``torch``: the same network as ``torch.nn.Sequential`` on the CPU under
  ``torch.inference_mode()``, thread count left at its default, when PyTorch is
  importable.

The ``vs torch`` column is the row's throughput divided by PyTorch's for the
same mode and dtype (> 1: faster than PyTorch). Each figure is the median of
``--repeats`` timed runs after one warm-up run; the implementations take turns
within each repeat, so a burst of load from elsewhere hits them alike.

Run: ``NNSCRATCH_MNIST_DIR=... python benchmarks/inference.py [--repeats 7]``;
``--breakdown`` prints the CPU time of each step of the forward pass instead
(run it with ``OPENBLAS_NUM_THREADS=1``).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nnscratch.datasets.mnist import load_mnist
from nnscratch.io import from_book_weights, load

try:
    import torch
except ImportError:  # the table simply has no torch rows
    torch = None

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WEIGHTS = REPO.parent / "shared" / "reference" / "sample_weight.pkl"
EXPECTED_CORRECT = 9352
MODES = ("per image", "batch 100", "one batch")


# ----------------------------------------------------------------- the book's style


def _book_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _book_softmax(x: np.ndarray) -> np.ndarray:
    # The book's common/functions.py softmax: max subtracted, 1-D or 2-D input.
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def _book_predict(network: dict, x: np.ndarray) -> np.ndarray:
    w1, w2, w3 = network["W1"], network["W2"], network["W3"]
    b1, b2, b3 = network["b1"], network["b2"], network["b3"]
    z1 = _book_sigmoid(np.dot(x, w1) + b1)
    z2 = _book_sigmoid(np.dot(z1, w2) + b2)
    return _book_softmax(np.dot(z2, w3) + b3)


# ----------------------------------------------------------------- runners


def _run(predict: Callable, x, mode: str) -> np.ndarray:
    """Classify all of ``x`` with ``predict`` in ``mode``; return the predicted labels."""
    if mode == "per image":
        return np.array([int(np.argmax(_as_numpy(predict(x[i])))) for i in range(len(x))])
    if mode == "batch 100":
        out = [np.argmax(_as_numpy(predict(x[i : i + 100])), axis=1) for i in range(0, len(x), 100)]
        return np.concatenate(out)
    return np.argmax(_as_numpy(predict(x)), axis=1)


def _as_numpy(y) -> np.ndarray:
    return y.numpy() if torch is not None and isinstance(y, torch.Tensor) else y


_SETTLE_SECONDS = 0.3
_MIN_SECONDS = 0.2


def _measure(rows: dict, t: np.ndarray, mode: str, repeats: int) -> dict[str, float]:
    """Median images per second of each row; the rows take turns, so load hits all alike."""
    loops: dict[str, int] = {}
    for name, (predict, x) in rows.items():  # warm-up, the correctness check, the loop count
        start = time.perf_counter()
        correct = int(np.sum(_run(predict, x, mode) == t))
        if correct != EXPECTED_CORRECT:
            raise RuntimeError(f"{name}, {mode}: {correct} correct, expected {EXPECTED_CORRECT}")
        # A single pass over 10,000 images can take a few milliseconds: repeat it
        # until one timing spans at least _MIN_SECONDS, so timer and wake-up noise fade.
        loops[name] = max(1, math.ceil(_MIN_SECONDS / (time.perf_counter() - start)))
    times: dict[str, list[float]] = {name: [] for name in rows}
    names = list(rows)
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:  # each goes first in turn
            predict, x = rows[name]
            # PyTorch's OpenMP workers keep a core busy for a moment after their last
            # parallel region; on 2 cores that would slow whichever row came next. The pause
            # lets them settle, and one untimed pass wakes this row's own threads.
            time.sleep(_SETTLE_SECONDS)
            _run(predict, x[:1000], mode)
            start = time.perf_counter()
            for _ in range(loops[name]):
                _run(predict, x, mode)
            times[name].append((time.perf_counter() - start) / loops[name])
    return {name: len(t) / statistics.median(ts) for name, ts in times.items()}


def _torch_model(weights: dict, dtype: np.dtype):
    layers = []
    for i in (1, 2, 3):
        w = weights[f"W{i}"]
        linear = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T.astype(dtype))))
            linear.bias.copy_(torch.from_numpy(weights[f"b{i}"].astype(dtype)))
        layers += [linear, torch.nn.Sigmoid()]
    layers[-1] = torch.nn.Softmax(dim=-1)
    model = torch.nn.Sequential(*layers).to(torch.float32 if dtype == np.float32 else torch.float64)
    model.eval()

    def predict(x):
        with torch.inference_mode():
            return model(x)

    return predict


# ----------------------------------------------------------------- breakdown


def _cpu_us(f: Callable[[], object], number: int) -> float:
    """Minimum over 7 runs of the CPU time of one call, in microseconds.

    CPU time (``time.process_time``) is not inflated by other jobs waiting for
    the same cores, so the parts below add up even on a busy machine; run with
    one BLAS thread so that it also equals the time a caller waits.
    """
    best = float("inf")
    for _ in range(7):
        start = time.process_time()
        for _ in range(number):
            f()
        best = min(best, (time.process_time() - start) / number)
    return best * 1e6


def breakdown(net, weights: dict, x: np.ndarray, number: int) -> None:
    """CPU time of each step of one forward pass on the batch ``x`` (float32)."""
    from nnscratch import activations

    sigmoid, softmax = activations.get("sigmoid"), activations.get("softmax")
    w1, b1, w2, b2, w3 = (weights[k] for k in ("W1", "b1", "W2", "b2", "W3"))
    z1 = np.empty((len(x), w1.shape[1]), x.dtype)
    z2 = np.empty((len(x), w2.shape[1]), x.dtype)
    z3 = np.empty((len(x), w3.shape[1]), x.dtype)
    steps = {
        "x @ W1": lambda: np.matmul(x, w1, out=z1),
        "+ b1, sigmoid": lambda: sigmoid(np.add(z1, b1, out=z1), out=z1),
        "@ W2, + b2, sigmoid": lambda: sigmoid(
            np.add(np.matmul(z1, w2, out=z2), b2, out=z2), out=z2
        ),
        "@ W3": lambda: np.matmul(z2, w3, out=z3),
        "softmax": lambda: softmax(z3),
        "nnscratch predict_proba": lambda: net.predict_proba(x),
        "nnscratch predict (logits)": lambda: net.predict(x),
        "book predict": lambda: _book_predict(weights, x),
    }
    print(f"# CPU time per call, batch of {len(x)}, {x.dtype}")
    for name, f in steps.items():
        print(f"{name:28} {_cpu_us(f, number):10.1f} us")


# ----------------------------------------------------------------- table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="print the CPU time of each step (batches of 1, 100, 10000) instead of the table",
    )
    args = parser.parse_args()

    _, (x_test, t_test) = load_mnist(normalize=True, flatten=True, verbose=False)
    book_net = load(args.weights)  # the restricted unpickler: never pickle.load
    weights32 = {
        f"{p}{i}": book_net.parameters()[f"{2 * (i - 1)}.{p}"] for i in (1, 2, 3) for p in "Wb"
    }
    print(_environment())
    if args.breakdown:
        for size, number in ((1, 3000), (100, 500), (len(x_test), 10)):
            breakdown(book_net, weights32, x_test[:size], number)
        return
    print(f"{'dtype':8} {'mode':10} {'implementation':15} {'images/s':>12} {'vs torch':>9}")
    for dtype in (np.float32, np.float64):
        weights = {k: v.astype(dtype) for k, v in weights32.items()}
        x = x_test.astype(dtype)
        rows = {
            "nnscratch": (from_book_weights(weights).predict_proba, x),
            "book (NumPy)": (lambda xb, w=weights: _book_predict(w, xb), x),
        }
        if torch is not None:
            rows["torch"] = (_torch_model(weights, dtype), torch.from_numpy(x))
        for mode in MODES:
            speed = _measure(rows, t_test, mode, args.repeats)
            for name, ips in speed.items():
                ratio = f"{ips / speed['torch']:9.2f}" if "torch" in speed else f"{'-':>9}"
                print(f"{np.dtype(dtype).name:8} {mode:10} {name:15} {ips:12,.0f} {ratio}")
    print(_environment())


def _environment() -> str:
    blas = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    versions = f"numpy {np.__version__}" + (
        f", torch {torch.__version__}" if torch else ", no torch"
    )
    threads = f", torch threads {torch.get_num_threads()}" if torch else ""
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())
    return (
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {versions}"
        f"{threads}; OpenBLAS env: {blas or 'unset'}{load}"
    )


if __name__ == "__main__":
    main()

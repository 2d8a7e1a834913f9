"""``nnscratch demo NAME``: the books' worked examples, computed by the library, with numbers.

Each demo is a short function that prints what a reader would type into the
book's examples and what comes out; the numbers are computed, never stored.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from time import perf_counter

import numpy as np

from nnscratch import activations as act
from nnscratch import losses
from nnscratch.activations import softmax
from nnscratch.book import forward, init_network, simpleNet
from nnscratch.cli._common import CLIError, Progress, load_mnist
from nnscratch.cli._models import load_model
from nnscratch.features.compare import (
    features_experiment,
    features_table,
    preprocessing_experiment,
    preprocessing_table,
)
from nnscratch.layers import Activation, Dense
from nnscratch.minima import minima_experiment
from nnscratch.network import Sequential
from nnscratch.numerical import gradient_descent, numerical_diff, numerical_gradient
from nnscratch.sweep.seeds import minima_sweep

__all__ = ["DEMOS", "register"]


def _fmt(x: np.ndarray | float) -> str:
    return np.array2string(np.asarray(x), precision=8, separator=", ")


def demo_activations() -> None:
    """Step, sigmoid and ReLU on the book's inputs, and the extremes that must not overflow."""
    x = np.array([-1.0, 1.0, 2.0])
    print(f"x                   = {_fmt(x)}")
    for name in ("step", "sigmoid", "relu", "tanh", "gelu", "silu"):
        print(f"{name + '(x)':<20}= {_fmt(act.get(name)(x))}")
    print(f"sigmoid(-1000)      = {float(act.sigmoid(-1000.0))}   (no overflow warning)")
    print(f"softplus(1000)      = {float(act.softplus(1000.0))}   (no overflow warning)")
    print(
        f"max sigmoid'(x)     = {float(act.get('sigmoid').derivative(0.0, act.sigmoid(0.0)))}"
        "   (at x = 0; not 0.3)"
    )
    print(f"registered: {', '.join(act.names())}")


def demo_softmax() -> None:
    """Softmax of the book's examples, and why the maximum is subtracted first."""
    a = np.array([0.3, 2.9, 4.0])
    print(f"softmax({_fmt(a)}) = {_fmt(softmax(a))}, sum {float(softmax(a).sum()):.1f}")
    big = np.array([1010.0, 1000.0, 990.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(big) / np.sum(np.exp(big))
    print(f"naive exp(a)/sum(exp(a)) for a = {_fmt(big)}: {_fmt(naive)} (overflow)")
    print(f"softmax with the max subtracted:            {_fmt(softmax(big))}")


def demo_losses() -> None:
    """The book's sum of squares (its 'mean_squared_error') and cross entropy examples."""
    t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    good = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    bad = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])
    print("t = one-hot 2; y1 puts 0.6 on class 2, y2 puts 0.6 on class 7")
    for name, fn in (
        ("sum_squared_error", losses.sum_squared_error),
        ("cross_entropy_error", losses.cross_entropy_error),
    ):
        print(f"{name:<20} y1: {fn(good, t):.9f}   y2: {fn(bad, t):.9f}")
    print(
        "(the book calls the first one mean_squared_error; nnscratch's mean_squared_error "
        "is the usual mean)"
    )


def demo_gradient_descent() -> None:
    """Numerical derivatives and gradient descent on the book's functions (chapter 4)."""

    def f1(x: float) -> float:
        return 0.01 * x**2 + 0.1 * x

    print(
        f"f(x) = 0.01x^2 + 0.1x:  f'(5) ~ {numerical_diff(f1, 5.0)!r}, "
        f"f'(10) ~ {numerical_diff(f1, 10.0)!r}"
    )

    def f2(x: np.ndarray) -> float:
        return float(np.sum(x**2))

    print(
        f"f(x0, x1) = x0^2 + x1^2: grad at (3, 4) = "
        f"{_fmt(numerical_gradient(f2, np.array([3.0, 4.0])))}"
    )
    for lr in (0.1, 10.0, 1e-10):
        x, _ = gradient_descent(f2, np.array([-3.0, 4.0]), lr=lr, step_num=100)
        print(f"gradient descent from (-3, 4), lr {lr:g}, 100 steps -> {_fmt(x)}")
    # Section 4.4.2 as printed: the book's random W, x = [0.6, 0.9], t = [0, 0, 1].
    net = simpleNet(W=[[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]])
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    print(f"simpleNet: predict = {_fmt(net.predict(x))}, loss = {net.loss(x, t):.8f}")
    print(f"dL/dW =\n{_fmt(numerical_gradient(lambda _w: net.loss(x, t), net.W))}")


def demo_toy_network() -> None:
    """The book's three-layer network with hand-set weights (section 3.4.3)."""
    network = init_network()
    x = np.array([1.0, 0.5])
    print(f"forward(init_network(), {_fmt(x)}) = {_fmt(forward(network, x))}")


def demo_mnist_inference(model: str = "sample") -> None:
    """Classify the MNIST test set with a chapter-3 network (784-50-100-10, sigmoid)."""
    net = load_model(model)
    _, (x, t) = load_mnist(normalize=True, flatten=True)
    one_by_one = sum(int(np.argmax(net.predict(x[i])) == t[i]) for i in range(len(x)))
    batched = sum(
        int(np.sum(np.argmax(net.predict(x[i : i + 100]), axis=1) == t[i : i + 100]))
        for i in range(0, len(x), 100)
    )
    print(
        f"model {model}: {one_by_one} of {len(x)} right one image at a time, "
        f"{batched} in batches of 100: accuracy {batched / len(x):.4f}"
    )


def demo_gradient_check() -> None:
    """Chapter 5: backpropagation against numerical gradients on 3 MNIST samples."""
    (x, t), _ = load_mnist(normalize=True, one_hot_label=True)
    net = Sequential(
        [Dense(784, 50, init=0.01), Activation("relu"), Dense(50, 10, init=0.01)],
        loss="softmax_cross_entropy",
        seed=0,
        dtype="float64",
    )
    xb, tb = x[:3].astype(np.float64), t[:3]
    backprop = net.gradient(xb, tb)
    backprop = {k: v.copy() for k, v in backprop.items()}
    with Progress("gradient-check") as progress:
        progress.stage = f"numerical gradient of {net.num_params():,} weights, 2 passes each"
        numeric = net.numerical_gradient(xb, tb)
    print("784-50-10 ReLU network, float64, 3 training images; mean |backprop - numerical|:")
    for key, grad in backprop.items():
        print(f"  {key:<5} {float(np.mean(np.abs(grad - numeric[key]))):.3e}")


def demo_backprop_vs_numerical(hidden: int = 50, batch_size: int = 100) -> None:
    """Time one gradient of chapter 4's 784-50-10 net (batch 100) by backprop and numerically."""
    (x, t), _ = load_mnist(normalize=True, one_hot_label=True)
    net = Sequential(  # the book's TwoLayerNet: weight_init_std 0.01, sigmoid, softmax
        [Dense(784, hidden, init=0.01), Activation("sigmoid"), Dense(hidden, 10, init=0.01)],
        loss="softmax_cross_entropy", seed=0, dtype="float64",
    )  # fmt: skip
    xb, tb = x[:batch_size].astype(np.float64), t[:batch_size]
    start = perf_counter()
    backprop = {k: v.copy() for k, v in net.gradient(xb, tb).items()}
    t_backprop = perf_counter() - start
    start = perf_counter()
    numeric = net.numerical_gradient(xb, tb)  # h = 1e-4, as the book's numerical_gradient
    t_numeric = perf_counter() - start
    n = sum(p.size for p in net.trainable_parameters().values())
    diff = max(float(np.max(np.abs(backprop[k] - numeric[k]))) for k in backprop)
    iters = 10_000  # ch04/train_neuralnet.py's iters_num
    print(f"784-{hidden}-10 sigmoid net, float64, batch {batch_size}, {n} parameters")
    print(f"backprop gradient:     {t_backprop:12.6f} s")
    print(f"numerical gradient:    {t_numeric:12.6f} s   ({2 * n} forward passes)")
    print(f"ratio numerical/backprop: {t_numeric / t_backprop:,.0f}x")
    print(f"max |backprop - numerical|: {diff:.3e}")
    print(
        f"{iters:,} iterations (ch04/train_neuralnet.py): backprop "
        f"{iters * t_backprop:,.1f} s, numerical {iters * t_numeric / 3600:,.1f} h"
    )


def demo_minima() -> None:
    """How often plain descent, restarts, annealing and SGD find the global minimum."""
    with Progress("minima") as progress:
        progress.stage = "50 seeds x 4 strategies on Rastrigin and XOR"
        report = minima_experiment()
    print(report.as_table())


def demo_preprocessing() -> None:
    """The chapter-5 net on raw, /255, standardised, PCA- and ZCA-whitened MNIST pixels."""
    print("784-50-10 ReLU, init std 0.01, SGD lr 0.1, batches of 100, seed 0; whitening eps 0.1")
    print(preprocessing_table(preprocessing_experiment()))


def demo_features() -> None:
    """Hand-made features + kNN / linear SVM against end-to-end networks, MNIST test set."""
    rows = features_experiment(log=lambda msg: print(msg, flush=True))
    print(features_table(rows))


DEMOS: dict[str, Callable[[], None]] = {
    "activations": demo_activations,
    "softmax": demo_softmax,
    "losses": demo_losses,
    "gradient-descent": demo_gradient_descent,
    "toy-network": demo_toy_network,
    "mnist-inference": demo_mnist_inference,
    "gradient-check": demo_gradient_check,
    "backprop-vs-numerical": demo_backprop_vs_numerical,
    "minima": demo_minima,
    "preprocessing": demo_preprocessing,
    "features": demo_features,
}


def register(sub: argparse._SubParsersAction) -> None:
    lines = "\n".join(
        f"  {name:<22} {(fn.__doc__ or '').splitlines()[0]}" for name, fn in DEMOS.items()
    )
    p = sub.add_parser(
        "demo",
        help="print a worked example from the books",
        description=f"Print a worked example with its numbers.\n\ndemos:\n{lines}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", metavar="NAME", choices=sorted(DEMOS), help="which demo (see above)")
    p.add_argument(
        "--model",
        default="sample",
        metavar="MODEL",
        help="for mnist-inference: a model file or the book's sample_weight.pkl "
        "(default 'sample': the bundled model, when this install has one)",
    )
    g = p.add_argument_group("minima over many seeds (see 'nnscratch sweep')")
    g.add_argument("--seeds", type=int, metavar="N",
                   help="for minima: run N seeds in blocks, here or on Dask, and print 95%% "
                   "Wilson intervals (default: 50 seeds in this process)")  # fmt: skip
    g.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, tcp://host:8786")
    g.add_argument("--workers", type=int, metavar="N",
                   help="0: here; N: a local Dask cluster of N processes")  # fmt: skip
    g.add_argument("--results", metavar="CSV", help="append one row per seed to this file")
    g.add_argument("--resume", action="store_true", help="continue --results")
    p.set_defaults(run=run)


def demo_minima_sweep(args: argparse.Namespace) -> None:
    """The minima table over ``--seeds`` seeds with 95% Wilson intervals, on the sweep runners."""
    report = minima_sweep(
        50 if args.seeds is None else args.seeds,
        results=args.results,
        resume=args.resume,
        scheduler=args.scheduler,
        workers=args.workers,
    )
    print(report.as_table())
    print(f"\n{report.ran} seeds run now in {report.seconds:.1f} s")


def run(args: argparse.Namespace) -> int:
    many = (args.seeds, args.scheduler, args.workers, args.results)
    if args.name != "minima" and any(v is not None for v in many):
        raise CLIError("--seeds, --scheduler, --workers and --results are for the minima demo")
    if args.name == "minima" and any(v is not None for v in many):
        demo_minima_sweep(args)
    elif args.name == "mnist-inference":
        demo_mnist_inference(args.model)
    else:
        DEMOS[args.name]()
    return 0

"""Figures the study notes draw: an error surface, a tangent, a network, dying ReLUs.

- :func:`plot_error_surface`: the error of a real network over two of its
  weights, as a surface and as contours, with gradient-descent paths (Zhou,
  "Machine Learning", figure 5.10: local and global minima).
- :func:`plot_numerical_tangent`: ``f(x) = 0.01 x^2 + 0.1 x`` with its tangents
  at x = 5 and 10, slopes by numerical differentiation (Saitoh, figure 4-7).
- :func:`plot_network`: a ``Sequential`` of ``Dense`` layers drawn as units and
  edges, each edge as wide as its weight is large, coloured by its sign.
- :func:`plot_dying_relu`: the fraction of ReLU units that no training sample
  activates, over training with a good and a too-large learning rate, and the
  pre-activations at the end. The fraction is the quantity that matters (a dead
  unit is capacity lost for good, and it shows when it happens); the histogram
  beside it shows why (the mass pushed below 0).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nnscratch._validate import Integer, Real, check
from nnscratch.datasets.toy import spirals
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.numerical import numerical_diff
from nnscratch.plots._base import axes_grid, new_figure, one_axes
from nnscratch.training.optimizers import SGD

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "dead_unit_fraction",
    "descent_path",
    "error_surface",
    "plot_dying_relu",
    "plot_error_surface",
    "plot_network",
    "plot_numerical_tangent",
    "two_weight_problem",
]

# -- the error surface over two weights -------------------------------------------

# A 1-2-1 tanh network y = tanh(a x) + 0.5 tanh(b x) whose output weights are frozen:
# only a and b learn. Its targets come from a = 1.5, b = -2.5, so the error is 0 there;
# two local minima lie near (0.77, -0.56) (E = 1.65e-4) and (0.02, 0.97) (E = 2.03e-4).
TEACHER = (1.5, -2.5)
OUTPUT_WEIGHTS = (1.0, 0.5)
DESCENT_STARTS: tuple[tuple[float, float], ...] = ((0.3, 0.2), (-1.0, 3.0), (3.0, -1.0))


def two_weight_problem() -> tuple[Sequential, np.ndarray, np.ndarray]:
    """``(net, x, t)``: a network with exactly two trainable weights, and its data.

    ``net`` is Dense(1, 2, no bias) -> tanh -> Dense(2, 1, no bias) with the
    output weights fixed at (1, 0.5) (frozen), loss ``sum_squared_error``, float64;
    ``x`` is 21 points on [-2, 2] (shape (21, 1)), ``t = tanh(1.5 x) + 0.5 tanh(-2.5 x)``.
    Its two trainable weights are ``net.parameters()["0.W"][0]``.
    """
    hidden = Dense.from_weights(np.array([TEACHER]), dtype="float64")
    output = Dense.from_weights(np.array(OUTPUT_WEIGHTS)[:, None], dtype="float64")
    output.freeze("W")
    layers = [hidden, Activation("tanh"), output]
    net = Sequential(layers, loss="sum_squared_error", dtype="float64")
    x = np.linspace(-2.0, 2.0, 21)[:, None]
    t = net.predict(x).copy()
    return net, x, t


def error_surface(
    net: Sequential, x: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """``E[i, j] = net.loss(x, t)`` with the two weights ``"0.W"[0]`` set to ``(a[j], b[i])``.

    ``a`` (n,), ``b`` (m,) -> E (m, n); the network's weights are restored after.
    """
    w = net.parameters()["0.W"]
    saved = w.copy()
    surface = np.empty((len(b), len(a)))
    try:
        for i, bi in enumerate(b):
            for j, aj in enumerate(a):
                w[0] = (aj, bi)
                surface[i, j] = net.loss(x, t)
    finally:
        w[...] = saved
    return surface


def descent_path(
    net: Sequential,
    x: np.ndarray,
    t: np.ndarray,
    start: Sequence[float],
    lr: float,
    steps: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent on the two weights: positions (steps+1, 2) and errors.

    ``w <- w - lr dE/dw`` by ``value_and_grad`` and ``SGD``; ``errors[k]`` is E at
    ``positions[k]``. The network is left at the last position.
    """
    w = net.parameters()["0.W"]
    w[0] = start
    optimizer = SGD(lr=lr)
    positions, errors = [w[0].copy()], []
    for _ in range(steps):
        loss, grads = net.value_and_grad(x, t)
        errors.append(loss)
        optimizer.step(net.trainable_parameters(), grads)
        positions.append(w[0].copy())
    errors.append(net.loss(x, t))
    return np.array(positions), np.array(errors)


def plot_error_surface(
    axes: Sequence[Axes] | None = None,
    *,
    starts: Sequence[Sequence[float]] = DESCENT_STARTS,
    lr: float = 1.0,
    steps: int = 1000,
    span: float = 4.0,
    resolution: int = 61,
) -> Figure:
    """Error of a two-weight tanh network as a surface and as contours, with descent paths.

    ``E(a, b) = 1/N sum_n 1/2 (tanh(a x_n) + 0.5 tanh(b x_n) - t_n)^2`` over
    ``[-span, span]^2`` (``resolution`` points a side) for the problem of
    :func:`two_weight_problem`. From each start, ``steps`` steps of gradient
    descent with ``lr``: from (0.3, 0.2) descent ends in the local minimum near
    (0.77, -0.56), from (-1, 3) in the one near (0.02, 0.97), from (3, -1) it
    heads for the global minimum (1.5, -2.5). Left: 3-D surface (one line per
    path); right: filled contours of log10 E, the paths (one line each), then
    a '*' at the global minimum.
    """
    lr = check("lr", lr, Real(0, None, low_open=True))
    steps = check("steps", steps, Integer(1))
    resolution = check("resolution", resolution, Integer(3))
    span = check("span", span, Real(0, None, low_open=True))
    if axes is None:
        fig = new_figure((10.0, 4.5))
        axes = [fig.add_subplot(1, 2, 1, projection="3d"), fig.add_subplot(1, 2, 2)]
    fig, (ax3d, ax) = axes_grid(axes, 2, 2, (5.0, 4.5))
    net, x, t = two_weight_problem()
    grid = np.linspace(-span, span, resolution)
    surface = error_surface(net, x, t, grid, grid)
    a, b = np.meshgrid(grid, grid)
    ax3d.plot_surface(a, b, surface, cmap="viridis", linewidth=0, alpha=0.8)
    floor = np.log10(surface.max()) - 5
    ax.contourf(a, b, np.maximum(np.log10(surface + 1e-12), floor), levels=20, cmap="viridis")
    colors = ("tab:red", "white", "tab:orange", "tab:pink")
    for k, start in enumerate(starts):
        path, errors = descent_path(net, x, t, start, lr, steps)
        color = colors[k % len(colors)]
        ax3d.plot(path[:, 0], path[:, 1], errors, color=color, linewidth=2, zorder=10)
        label = f"from ({start[0]:g}, {start[1]:g}): E = {errors[-1]:.2g}"
        ax.plot(path[:, 0], path[:, 1], ".-", color=color, markersize=3, label=label)
    ax.plot([TEACHER[0]], [TEACHER[1]], "*", color="k", markersize=12)
    ax3d.set_xlabel("a (weight 1)")
    ax3d.set_ylabel("b (weight 2)")
    ax3d.set_zlabel("E")
    ax3d.set_title("Error surface over two weights")
    ax.set_xlabel("a (weight 1)")
    ax.set_ylabel("b (weight 2)")
    ax.set_title(f"log10 E, gradient descent (lr {lr:g}, {steps} steps)")
    ax.set_aspect("equal")
    ax.legend(loc="lower left", fontsize=8)
    return fig


# -- the tangent of the numerical derivative ----------------------------------------


def _book_function(x: Any) -> Any:
    """The book's ``function_1``: ``f(x) = 0.01 x^2 + 0.1 x`` (section 4.3.2)."""
    return 0.01 * x**2 + 0.1 * x


def plot_numerical_tangent(
    axes: Sequence[Axes] | None = None, *, points: Sequence[float] = (5.0, 10.0)
) -> Figure:
    """``f(x) = 0.01 x^2 + 0.1 x`` and its tangent at each point (book figure 4-7).

    The slope is ``numerical_diff(f, x0)`` (central difference, h = 1e-4):
    0.1999999999990898 at 5 and 0.2999999999986347 at 10, the book's numbers
    (the exact derivative ``0.02 x + 0.1`` gives 0.2 and 0.3). Each panel: the
    curve over [0, 20], the tangent ``f(x0) + slope (x - x0)``, the point.
    """
    points = [float(check("points", p, Real())) for p in points]
    fig, axes = axes_grid(axes, len(points), len(points), (4.0, 3.2))
    x = np.arange(0.0, 20.0, 0.1)
    for ax, x0 in zip(axes, points, strict=True):
        slope = numerical_diff(_book_function, x0)
        ax.plot(x, _book_function(x), color="tab:blue", label="f(x)")
        tangent = _book_function(x0) + slope * (x - x0)
        ax.plot(x, tangent, "--", color="tab:red", label=f"slope {slope:.13f}")
        ax.plot([x0], [_book_function(x0)], "o", color="k")
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.set_title(f"tangent at x = {x0:g}")
        ax.legend(loc="upper left", fontsize=8)
    return fig


# -- a network drawn with its weights ------------------------------------------------


def _dense_weights(net: Sequential, max_units: int) -> list[np.ndarray]:
    """The W of each Dense layer in order, checked to chain and to be small enough."""
    if not isinstance(net, Sequential):
        raise TypeError(f"net: expected a Sequential, got {type(net).__name__}")
    weights = [layer.params["W"] for layer in net.layers if isinstance(layer, Dense)]
    if not weights:
        raise ValueError("net: expected at least one Dense layer, got none")
    for before, after in itertools.pairwise(weights):
        if before.shape[1] != after.shape[0]:
            raise ValueError(
                f"net: expected Dense layers that chain, got {before.shape} then {after.shape}"
            )
    widest = max(max(w.shape) for w in weights)
    if widest > max_units:
        raise ValueError(f"net: expected at most {max_units} units a layer, got {widest}")
    return weights


_RED, _BLUE = (0.84, 0.15, 0.16, 0.7), (0.12, 0.47, 0.71, 0.7)  # positive, negative weights


def _trained_spiral_net() -> Sequential:
    """A 2-6-6-3 tanh network trained 200 epochs on 3 spirals (seeded): the default drawing."""
    x, t = spirals(60, 3, seed=0)
    net = Sequential(
        [Dense(2, 6, "glorot_normal"), Activation("tanh"), Dense(6, 6, "glorot_normal"),
         Activation("tanh"), Dense(6, 3, "glorot_normal")],
        seed=0, dtype="float64",
    )  # fmt: skip
    optimizer = SGD(lr=0.5)
    for _ in range(200):
        optimizer.step(net.trainable_parameters(), net.value_and_grad(x, t)[1])
    return net


def plot_network(
    net: Sequential | None = None, ax: Axes | None = None, *, max_units: int = 48
) -> Figure:
    """A network of Dense layers as units in columns and edges as wide as ``|W|``.

    Edge ``i -> j`` of a Dense layer has width ``0.3 + 4.7 |W_ij| / max |W|`` and is
    red for a positive weight, blue for a negative one (one LineCollection per
    layer, edges in the order of ``W.ravel()``); units are circles, one scatter
    per column. Other layers (activations) are not drawn. ``net`` defaults to a
    2-6-6-3 tanh network trained on spirals.
    """
    max_units = check("max_units", max_units, Integer(1))
    if net is None:
        net = _trained_spiral_net()
    weights = _dense_weights(net, max_units)
    from matplotlib.collections import LineCollection  # matplotlib is optional: deferred

    fig, ax = one_axes(ax, (6.0, 4.0))
    sizes = [weights[0].shape[0]] + [w.shape[1] for w in weights]
    ys = [np.linspace(0.5, -0.5, n) if n > 1 else np.zeros(1) for n in sizes]
    largest = max(float(np.abs(w).max()) for w in weights) or 1.0
    for k, w in enumerate(weights):
        src, dst = np.meshgrid(ys[k], ys[k + 1], indexing="ij")
        segments = np.stack(
            [np.stack([np.full(src.size, k), src.ravel()], 1),
             np.stack([np.full(dst.size, k + 1), dst.ravel()], 1)], axis=1,
        )  # fmt: skip
        flat = w.ravel()
        ax.add_collection(
            LineCollection(
                segments,
                linewidths=0.3 + 4.7 * np.abs(flat) / largest,
                colors=np.where(flat[:, None] > 0, _RED, _BLUE),
            )
        )
    for k, y in enumerate(ys):
        ax.scatter(np.full(len(y), k), y, s=120, c="white", edgecolors="k", zorder=3)
    ax.set_xlim(-0.3, len(sizes) - 0.7)
    ax.set_ylim(-0.6, 0.6)
    ax.set_xticks(range(len(sizes)), ["input"] + [f"Dense {i + 1}" for i in range(len(weights))])
    ax.set_yticks([])
    ax.set_title(f"{'-'.join(map(str, sizes))} network: width ∝ |W|, red > 0, blue < 0")
    return fig


# -- dying ReLU -------------------------------------------------------------------


def dead_unit_fraction(net: Sequential, x: np.ndarray) -> float:
    """The fraction of ReLU units whose pre-activation is <= 0 for every row of ``x``.

    Such a unit outputs 0 and passes no gradient for any sample, so plain
    gradient descent on this data can never revive it (it is *dead*). The
    pre-activation of a unit is the output of the Dense layer before
    ``Activation("relu")``.
    """
    return float(np.mean(np.concatenate([np.all(z <= 0, axis=0) for z in _relu_inputs(net, x)])))


def _relu_inputs(net: Sequential, x: np.ndarray) -> list[np.ndarray]:
    """Copies of the inputs of every ReLU activation for the batch ``x``."""
    found, z = [], np.asarray(x, dtype=net.dtype)
    for layer in net.layers:
        if isinstance(layer, Activation) and layer.fn.name == "relu":
            found.append(z.copy())
        z = layer.forward(z)
    if not found:
        raise ValueError("net: expected a network with Activation('relu') layers, got none")
    return found


def _relu_net(seed: int) -> Sequential:
    layers: list[Any] = [Dense(2, 32), Activation("relu")]
    for _ in range(2):
        layers += [Dense(32, 32), Activation("relu")]
    return Sequential([*layers, Dense(32, 3)], seed=seed, dtype="float64")


def dying_relu_run(lr: float, epochs: int = 20, seed: int = 0) -> tuple[np.ndarray, Sequential]:
    """Train a 2-32-32-32-3 ReLU net (He init) on 3 spirals with SGD at ``lr``, batch 30.

    Returns the dead-unit fraction before training and after each epoch
    (shape (epochs + 1,)) and the trained network.
    """
    x, t = spirals(100, 3, seed=0)
    net = _relu_net(seed)
    optimizer, rng = SGD(lr=lr), np.random.default_rng(seed)
    dead = [dead_unit_fraction(net, x)]
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 30):
            batch = order[start : start + 30]
            optimizer.step(net.trainable_parameters(), net.value_and_grad(x[batch], t[batch])[1])
        dead.append(dead_unit_fraction(net, x))
    return np.array(dead), net


def plot_dying_relu(
    axes: Sequence[Axes] | None = None,
    *,
    lrs: Sequence[float] = (0.1, 1.0, 3.0),
    epochs: int = 20,
) -> Figure:
    """Dead ReLU units over training for each learning rate, and the last pre-activations.

    Left: :func:`dead_unit_fraction` per epoch of :func:`dying_relu_run` (one
    line per ``lr``). With lr 0.1 about a tenth of the units are dead from the
    initialisation on, and it stays so; with lr 3 the first epochs' large steps
    push 60% of the units' pre-activations below 0 for all data. Such units get
    no gradient: in the first hidden layer they never come back, deeper ones
    only if the layers below them change. Right: histogram of the last
    hidden layer's pre-activations after training (one step histogram per lr).
    """
    epochs = check("epochs", epochs, Integer(1))
    fig, (ax, hist) = axes_grid(axes, 2, 2, (4.6, 3.6))
    x, _ = spirals(100, 3, seed=0)
    for lr in lrs:
        lr = check("lrs", lr, Real(0, None, low_open=True))
        dead, net = dying_relu_run(lr, epochs)
        ax.plot(np.arange(epochs + 1), dead, "o-", markersize=3, label=f"lr {lr:g}")
        hist.hist(_relu_inputs(net, x)[-1].ravel(), bins=40, histtype="step", label=f"lr {lr:g}")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("epoch")
    ax.set_ylabel("fraction of dead ReLU units")
    ax.set_title("Dying ReLU: 2-32-32-32-3 on spirals, SGD")
    ax.legend(fontsize=8)
    hist.axvline(0.0, color="k", linewidth=0.8)
    hist.set_xlabel("pre-activation of the last hidden layer")
    hist.set_ylabel("count (300 samples × 32 units)")
    hist.set_title("After training")
    hist.legend(fontsize=8)
    return fig

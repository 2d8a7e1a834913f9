"""Figures for the pure-math ideas: activation functions, softmax and losses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from nnscratch.activations import get, names
from nnscratch.losses import cross_entropy_error, sum_squared_error
from nnscratch.plots._base import axes_grid, label_axes, one_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_activation_grid",
    "plot_activations",
    "plot_log",
    "plot_loss_vs_probability",
    "plot_sigmoid_tanh_derivatives",
    "plot_softmax",
]


def plot_activations(ax: Axes | None = None, *, lim: float = 5.0) -> Figure:
    """Step, sigmoid and ReLU on one axis: the book's comparison (ch. 3.2).

    ``step(x) = 1 if x > 0 else 0``, ``sigmoid(x) = 1 / (1 + exp(-x))``,
    ``relu(x) = max(0, x)``, drawn on ``[-lim, lim]`` with the y axis cut at
    ``[-0.1, 1.1]`` as in the book's figure 3-8, so ReLU leaves the frame
    above 1. Three lines.

    Reference: Saitoh, "Deep Learning from Scratch", figures 3-6 to 3-9.
    """

    fig, ax = one_axes(ax, (6.0, 4.0))
    x = np.arange(-lim, lim + 0.05, 0.1)
    ax.plot(x, get("step")(x), linestyle="--", label="step")
    ax.plot(x, get("sigmoid")(x), label="sigmoid")
    ax.plot(x, get("relu")(x), linestyle=":", label="ReLU")
    ax.set_ylim(-0.1, 1.1)
    label_axes(ax, "x", "h(x)", "Step, sigmoid and ReLU", legend="upper left")
    return fig


def _elementwise_names() -> list[str]:
    return [n for n in names() if getattr(get(n), "elementwise", False)]


def plot_activation_grid(
    names: Sequence[str] | None = None,
    axes: Sequence[Axes] | None = None,
    *,
    lim: float = 4.0,
    ncols: int = 4,
) -> Figure:
    """Every elementwise activation with its derivative, one panel each.

    ``names`` defaults to every registered elementwise activation
    (``activations.names()``); each panel has two lines: ``f(x)`` and
    ``f'(x)`` from the object's ``derivative(x, y)``, on ``[-lim, lim]``.
    """

    chosen = list(_elementwise_names() if names is None else names)
    if not chosen:
        raise ValueError("names: expected at least one activation name, got none")
    funcs = [get(n) for n in chosen]
    for n, func in zip(chosen, funcs, strict=True):
        if not getattr(func, "elementwise", False):
            raise ValueError(f"names: {n!r} is not elementwise, so it has no derivative curve")
    fig, axes = axes_grid(axes, len(funcs), ncols, (2.4, 2.0))
    x = np.linspace(-lim, lim, 401)
    for ax, n, func in zip(axes, chosen, funcs, strict=True):
        y = func(x)
        ax.plot(x, y, label="f(x)")
        ax.plot(x, func.derivative(x, y), linestyle="--", label="f'(x)")
        ax.set_title(n, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="upper left")
    return fig


def plot_sigmoid_tanh_derivatives(ax: Axes | None = None, *, lim: float = 5.0) -> Figure:
    """The derivatives of sigmoid and tanh, with their maxima marked.

    ``sigmoid'(x) = s(x)(1 - s(x))`` peaks at ``0.25`` and ``tanh'(x) = 1 -
    tanh(x)^2`` at ``1``, both at ``x = 0``. (A common summary gives 0.3 for
    sigmoid; it is 0.25.) The maxima are measured from the curves and
    written on the plot. Four lines: two curves and two markers.

    Reference: LeCun et al., "Efficient BackProp" (1998), section 4.4;
    Saitoh, "Deep Learning from Scratch", ch. 5.5.2.
    """

    fig, ax = one_axes(ax, (6.0, 4.0))
    x = np.linspace(-lim, lim, 1001)  # odd count: x = 0 is a sample
    for name, offset in (("sigmoid", (25, 10)), ("tanh", (25, -10))):
        func = get(name)
        dy = func.derivative(x, func(x))
        (line,) = ax.plot(x, dy, label=f"{name}'(x)")
        i = int(np.argmax(dy))
        ax.plot([x[i]], [dy[i]], "o", color=line.get_color())
        ax.annotate(
            f"max {dy[i]:.2f} at x = {x[i]:g}",
            xy=(x[i], dy[i]),
            xytext=offset,
            textcoords="offset points",
            arrowprops={"arrowstyle": "->", "color": line.get_color()},
        )
    ax.set_ylim(-0.05, 1.2)
    label_axes(ax, "x", "derivative", "Derivatives of sigmoid and tanh", legend="upper left")
    return fig


def plot_softmax(
    logits: Sequence[float] = (0.3, 2.9, 4.0),
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Softmax as two bar charts: the scores before, the probabilities after.

    ``softmax(a)_k = exp(a_k - max a) / sum_i exp(a_i - max a)``; the default
    scores are the book's ``[0.3, 2.9, 4.0]``, which become about
    ``[0.018, 0.245, 0.737]`` (ch. 3.5.1). Two axes, one bar per score.
    """

    a = np.asarray(logits, dtype=np.float64)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"logits: expected a non-empty 1-D sequence, got shape {a.shape}")
    p = get("softmax")(a)
    fig, axes = axes_grid(axes, 2, 2, (3.2, 3.0))
    k = np.arange(a.size)
    for ax, values, title in ((axes[0], a, "scores a"), (axes[1], p, "softmax(a)")):
        bars = ax.bar(k, values, color="tab:blue" if values is a else "tab:orange")
        ax.bar_label(bars, fmt="%.3g", fontsize=8)
        ax.set_xticks(k)
        ax.set_xlabel("class k")
        ax.set_title(title)
        ax.margins(y=0.15)
    axes[1].set_ylim(0, 1.1)
    return fig


def plot_log(ax: Axes | None = None) -> Figure:
    """``y = ln(x)`` on ``(0, 1]``: the curve behind cross entropy (book fig. 4-3).

    The loss of the true class is ``-ln(y_k)``: 0 when ``y_k = 1``, growing
    without bound as ``y_k -> 0``. One line.
    """
    fig, ax = one_axes(ax, (5.0, 4.0))
    x = np.linspace(0.001, 1.0, 1000)
    ax.plot(x, np.log(x))
    ax.set_xlim(0, 1.05)
    ax.set_ylim(-5.0, 0.5)
    label_axes(ax, "x", "y = ln x", "Natural logarithm on (0, 1]")
    return fig


def plot_loss_vs_probability(ax: Axes | None = None, *, num_classes: int = 10) -> Figure:
    """Cross entropy and squared error against the probability of the true class.

    The prediction gives ``p`` to the true class and spreads ``1 - p`` evenly
    over the other ``num_classes - 1``; the target is one-hot. Cross entropy
    ``-ln p`` (the book's, with its ``1e-7``) punishes a confident mistake
    without bound; the sum of squares ``0.5 * sum (y - t)^2`` stays below 1.
    Two lines.

    Reference: Saitoh, "Deep Learning from Scratch", ch. 4.2.1-4.2.2.
    """

    if num_classes < 2:
        raise ValueError(f"num_classes: expected an integer >= 2, got {num_classes!r}")
    fig, ax = one_axes(ax, (5.5, 4.0))
    p = np.linspace(0.01, 1.0, 100)
    t = np.zeros(num_classes)
    t[0] = 1.0
    ce, sse = [], []
    for pk in p:
        y = np.full(num_classes, (1.0 - pk) / (num_classes - 1))
        y[0] = pk
        ce.append(cross_entropy_error(y, t))
        sse.append(sum_squared_error(y, t))
    ax.plot(p, ce, label="cross entropy  -ln p")
    ax.plot(p, sse, linestyle="--", label="sum of squares  0.5 Σ (y - t)²")
    label_axes(
        ax,
        "predicted probability p of the true class",
        "loss",
        f"Loss against p ({num_classes} classes)",
        legend=True,
    )
    return fig

"""Figures for gradients: the gradient field, gradient descent, optimizer paths.

Reference: Saitoh, "Deep Learning from Scratch", figures 4-9, 4-10 and 6-8.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from nnscratch import optimizers
from nnscratch.numerical import gradient_descent, numerical_gradient
from nnscratch.plots._base import axes_grid, label_axes, one_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["OPTIMIZER_RACE", "plot_gradient_descent", "plot_gradient_field", "plot_optimizer_paths"]

# The book's race on f(x, y) = x^2 / 20 + y^2 (ch. 6.1.7, ch06/optimizer_compare_naive.py).
OPTIMIZER_RACE: tuple[tuple[str, float], ...] = (
    ("SGD", 0.95),
    ("Momentum", 0.1),
    ("AdaGrad", 1.5),
    ("Adam", 0.3),
)


def _square_sum(x: np.ndarray) -> float:
    """The book's ``function_2``: ``f(x0, x1) = x0^2 + x1^2``."""
    return float(np.sum(x**2))


def plot_gradient_field(ax: Axes | None = None, *, lim: float = 2.0, step: float = 0.25) -> Figure:
    """Arrows of the negative gradient of ``f(x0, x1) = x0^2 + x1^2`` (book fig. 4-9).

    Every arrow is ``-numerical_gradient(f, p)`` at a grid point ``p`` of
    ``[-lim, lim]^2`` with spacing ``step``; they all point to the minimum at
    the origin and grow with the distance from it. One quiver collection.
    """

    if not step > 0:
        raise ValueError(f"step: expected a spacing > 0, got {step!r}")
    fig, ax = one_axes(ax, (5.0, 5.0))
    ticks = np.arange(-lim, lim + step / 2, step)
    x0, x1 = np.meshgrid(ticks, ticks)
    points = np.stack([x0.ravel(), x1.ravel()], axis=1)
    grad = np.array([numerical_gradient(_square_sum, p.copy()) for p in points])
    ax.quiver(points[:, 0], points[:, 1], -grad[:, 0], -grad[:, 1], angles="xy", color="#666666")
    ax.set_xlim(-lim - step, lim + step)
    ax.set_ylim(-lim - step, lim + step)
    ax.set_aspect("equal")
    label_axes(ax, "x0", "x1", "−∇f for f = x0² + x1²")
    return fig


def plot_gradient_descent(
    ax: Axes | None = None,
    *,
    init_x: Sequence[float] = (-3.0, 4.0),
    lr: float = 0.1,
    step_num: int = 20,
) -> Figure:
    """The path of gradient descent on ``x0^2 + x1^2`` over its contour (book fig. 4-10).

    Runs ``numerical.gradient_descent(f, init_x, lr, step_num)`` from the
    book's start ``(-3, 4)`` with ``lr = 0.1`` and draws every point visited.
    Lines: the path and the two dashed axes; one contour set.
    """

    fig, ax = one_axes(ax, (5.0, 5.0))
    _, history = gradient_descent(
        _square_sum, np.asarray(init_x, dtype=np.float64), lr=lr, step_num=step_num
    )
    history = np.asarray(history).reshape(len(history), -1)
    grid = np.linspace(-5, 5, 201)
    x0, x1 = np.meshgrid(grid, grid)
    ax.contour(x0, x1, x0**2 + x1**2, levels=[1, 4, 9, 16, 25], colors="0.75", linewidths=0.8)
    ax.plot([-5, 5], [0, 0], "--b", linewidth=0.8)
    ax.plot([0, 0], [-5, 5], "--b", linewidth=0.8)
    ax.plot(history[:, 0], history[:, 1], "o-", color="tab:red", markersize=4)
    ax.set_xlim(-3.5, 3.5)
    ax.set_ylim(-4.5, 4.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.set_title(f"Gradient descent, lr = {lr:g}, {step_num} steps")
    return fig


def _race_path(name: str, lr: float, init: tuple[float, float], steps: int) -> np.ndarray:
    """Positions of optimizer ``name`` on ``x^2/20 + y^2``: shape ``(steps + 1, 2)``."""

    optimizer = getattr(optimizers, name)(lr=lr)
    params = {"x": np.array([init[0]]), "y": np.array([init[1]])}
    path = [(init[0], init[1])]
    for _ in range(steps):
        grads = {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}
        optimizer.step(params, grads)
        path.append((float(params["x"][0]), float(params["y"][0])))
    return np.array(path)


def plot_optimizer_paths(
    axes: Sequence[Axes] | None = None,
    *,
    race: Sequence[tuple[str, float]] = OPTIMIZER_RACE,
    init: tuple[float, float] = (-7.0, 2.0),
    steps: int = 30,
) -> Figure:
    """SGD, Momentum, AdaGrad and Adam on ``f(x, y) = x^2 / 20 + y^2`` (book fig. 6-8).

    Each panel runs one optimizer ``steps`` times from ``init`` with the
    analytic gradient ``(x / 10, 2 y)`` and the book's learning rates
    (0.95, 0.1, 1.5, 0.3). Per panel: a contour set, the path and a '+' at
    the minimum (two lines).
    """
    if steps < 0:
        raise ValueError(f"steps: expected an integer >= 0, got {steps!r}")
    race = list(race)
    fig, axes = axes_grid(axes, len(race), 2, (3.6, 2.6))
    x, y = np.meshgrid(np.linspace(-10, 10, 241), np.linspace(-5, 5, 121))
    z = x**2 / 20.0 + y**2
    for ax, (name, lr) in zip(axes, race, strict=True):
        path = _race_path(name, lr, init, steps)
        ax.contour(x, y, z, levels=[0.25, 1, 2, 3.5, 5, 7], colors="0.75", linewidths=0.7)
        ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", markersize=3, linewidth=1)
        ax.plot(0, 0, "+", color="k", markersize=10)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
        ax.set_title(f"{name} (lr = {lr:g})", fontsize=10)
        ax.tick_params(labelsize=7)
    return fig

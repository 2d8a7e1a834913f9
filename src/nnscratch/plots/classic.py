"""Figures for the classic networks: perceptrons, XOR, RBF, SOM, annealing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from nnscratch.classic import SOM, XOR, Perceptron, RBFNetwork
from nnscratch.datasets.toy import GATES, blobs, logic_gate, sine, xor
from nnscratch.layers import Activation, Dense
from nnscratch.minima import strategies
from nnscratch.minima.problems import rastrigin, rastrigin_grad
from nnscratch.network import Sequential
from nnscratch.plots._base import axes_grid, one_axes
from nnscratch.training import fit
from nnscratch.training.optimizers import Adam

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "SOM_COLORS",
    "plot_annealing",
    "plot_perceptron_gates",
    "plot_rbf_fit",
    "plot_som",
    "plot_xor_regions",
]

_LO, _HI = -0.5, 1.5


def _grid(n: int = 201) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = np.linspace(_LO, _HI, n)
    x1, x2 = np.meshgrid(g, g)
    return x1, x2, np.stack([x1.ravel(), x2.ravel()], axis=1)


def _boundary(ax: Axes, w: np.ndarray, theta: float) -> None:
    """Draw the line ``w1 x1 + w2 x2 = theta`` across the panel (one line)."""
    ends = np.array([_LO, _HI])
    if abs(w[1]) >= abs(w[0]) and w[1] != 0:
        ax.plot(ends, (theta - w[0] * ends) / w[1], color="k", linewidth=1.5)
    elif w[0] != 0:
        ax.plot((theta - w[1] * ends) / w[0], ends, color="k", linewidth=1.5)
    else:  # w = 0: no boundary, everything on one side
        ax.plot([], [], color="k")


def _points(ax: Axes, x: np.ndarray, y: np.ndarray) -> None:
    """The samples: class 0 as circles, class 1 as triangles (two lines)."""
    for label, marker in ((0, "o"), (1, "^")):
        pts = x[y == label]
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            marker,
            markersize=10,
            linestyle="none",
            markeredgecolor="k",
            color="white" if label == 0 else "k",
            label=f"y = {label}",
        )


def plot_perceptron_gates(
    axes: Sequence[Axes] | None = None,
    *,
    gates: Sequence[str] = ("AND", "OR", "NAND", "XOR"),
    lr: float = 0.1,
    max_epochs: int = 100,
) -> Figure:
    """Decision lines a perceptron learns for AND, OR, NAND, and its failure on XOR.

    Each panel trains ``classic.Perceptron(2, lr)`` with Rosenblatt's
    rule on the gate's truth table and shades where it outputs 1; the line is
    ``w1 x1 + w2 x2 = theta``. AND, OR and NAND converge in a few epochs;
    XOR is not linearly separable, so training stops after ``max_epochs``
    with samples still on the wrong side (Saitoh, sec. 2.4; Zhou, fig. 5.4).
    Per panel: a filled contour and three lines (the boundary, the 0s and the 1s).
    """
    unknown = [g for g in gates if g not in GATES]
    if unknown:
        raise ValueError(f"gates: expected names from {sorted(GATES)}, got {unknown}")
    fig, axes = axes_grid(axes, len(gates), 4, (2.6, 2.8))
    x1, x2, grid = _grid()
    for ax, name in zip(axes, gates, strict=True):
        x, y = logic_gate(name)
        p = Perceptron(2, lr=lr, max_epochs=max_epochs).fit(x, y)
        ax.contourf(
            x1,
            x2,
            p.predict(grid).reshape(x1.shape),
            levels=[-0.5, 0.5, 1.5],
            colors=["#f3f3f3", "#c6dbef"],
        )
        _boundary(ax, p.weights_, p.threshold_)
        _points(ax, x, y)
        wrong = int(np.sum(p.predict(x) != y))
        status = (
            f"converged, {p.n_iter_} epochs"
            if p.converged_
            else f"{wrong} of 4 wrong after {p.n_iter_}"
        )
        ax.set_title(f"{name}: {status}", fontsize=9)
        ax.set_xlim(_LO, _HI)
        ax.set_ylim(_LO, _HI)
        ax.set_aspect("equal")
        ax.set_xlabel("x1", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("x2", fontsize=8)
    return fig


def plot_xor_regions(
    axes: Sequence[Axes] | None = None,
    *,
    hidden: int = 8,
    epochs: int = 300,
    seed: int = 0,
) -> Figure:
    """XOR solved twice: the book's two-layer perceptron and a trained MLP.

    Left: ``classic.XOR = AND(NAND(x1, x2), OR(x1, x2))``; it outputs 1 in
    the band between the NAND line ``-0.5 x1 - 0.5 x2 + 0.7 = 0`` and the OR
    line ``0.5 x1 + 0.5 x2 - 0.2 = 0`` (Saitoh, sec. 2.5, fig. 2-8): two
    straight lines where one cannot do. Four lines (the two boundaries, the
    0s and the 1s) over a filled contour.

    Right: a ``2-hidden-2`` tanh network (``Sequential``, softmax cross
    entropy, Adam lr 0.05, full batch, ``epochs`` epochs) trained by
    backpropagation on ``datasets.toy.xor()``; shaded by the probability of
    class 1, with the 0.5 contour as its decision boundary. Two lines (the 0s
    and the 1s) over the filled contour.
    """

    fig, (left, right) = axes_grid(axes, 2, 2, (4.0, 4.0))
    x1, x2, grid = _grid()
    left.contourf(x1, x2, XOR(x1, x2), levels=[-0.5, 0.5, 1.5], colors=["#f3f3f3", "#c6dbef"])
    ends = np.array([_LO, _HI])
    left.plot(ends, (0.7 - 0.5 * ends) / 0.5, "--", color="tab:red", label="NAND boundary")
    left.plot(ends, (0.2 - 0.5 * ends) / 0.5, ":", color="tab:green", label="OR boundary")
    _points(left, *logic_gate("XOR"))
    left.set_title("AND(NAND, OR): the band is 1", fontsize=10)
    left.legend(fontsize=7, loc="upper right")

    x, t = xor()
    net = Sequential(
        [Dense(2, hidden), Activation("tanh"), Dense(hidden, 2)], seed=seed, dtype="float64"
    )
    history = fit(
        net, x, t, optimizer=Adam(0.05), epochs=epochs, batch_size=len(x), seed=seed, verbose=0
    )
    p1 = net.predict_proba(grid)[:, 1].reshape(x1.shape)
    right.contourf(x1, x2, p1, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    right.contour(x1, x2, p1, levels=[0.5], colors="k", linewidths=1.5)
    _points(right, x, t)
    loss = history.history["loss"][-1]
    right.set_title(f"MLP 2-{hidden}-2 (tanh), loss {loss:.1e}", fontsize=10)
    for ax in (left, right):
        ax.set_xlim(_LO, _HI)
        ax.set_ylim(_LO, _HI)
        ax.set_aspect("equal")
        ax.set_xlabel("x1")
    left.set_ylabel("x2")
    return fig


def plot_rbf_fit(
    ax: Axes | None = None,
    *,
    n_centers: int = 8,
    n_samples: int = 60,
    noise: float = 0.1,
    seed: int = 0,
) -> Figure:
    """An RBF network fitted to noisy samples of ``sin x`` on ``[0, 2 pi]``.

    ``classic.RBFNetwork(n_centers)`` places its centres by k-means and solves
    the output weights by least squares (Zhou, sec. 5.5.1, eq. 5.18):
    ``phi(x) = sum_i w_i exp(-beta_i (x - c_i)^2) + b``. Drawn: the samples,
    ``sin x``, the fit, the centres, and each weighted Gaussian
    ``w_i rho(x, c_i)`` thin and grey, so ``4 + n_centers`` lines.
    """

    x2, t2 = sine(n_samples, noise=noise, seed=seed)
    x, t = x2[:, 0], t2[:, 0]
    net = RBFNetwork(n_centers, seed=seed).fit(x2, t)
    fig, ax = one_axes(ax, (6.0, 4.0))
    grid = np.linspace(0.0, 2 * np.pi, 400)
    hidden = net.transform(grid[:, None]) * net.weights_[:, 0]
    for i in range(hidden.shape[1]):
        ax.plot(grid, hidden[:, i], color="0.6", linewidth=0.8)
    ax.plot(x, t, "o", color="tab:blue", markersize=4, label="samples")
    ax.plot(grid, np.sin(grid), "--", color="k", linewidth=1, label="sin x")
    ax.plot(grid, net.predict(grid[:, None]), color="tab:red", linewidth=2, label="RBF fit")
    centres = net.centers_[:, 0]
    ax.plot(centres, np.zeros_like(centres), "|", color="tab:red", markersize=14, label="centres")
    mse = net.mse(x[:, None], t)
    ax.set_title(f"RBF network, {n_centers} Gaussians (training MSE {mse:.4f})")
    ax.set_xlabel("x")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    return fig


# Six pure colours: the classic demonstration of a SOM ordering RGB space.
SOM_COLORS: dict[str, tuple[float, float, float]] = {
    "red": (1, 0, 0),
    "green": (0, 1, 0),
    "blue": (0, 0, 1),
    "yellow": (1, 1, 0),
    "cyan": (0, 1, 1),
    "magenta": (1, 0, 1),
}


def plot_som(
    axes: Sequence[Axes] | None = None,
    *,
    size: int = 12,
    iterations: int = 3000,
    seed: int = 0,
) -> Figure:
    """A SOM trained on noisy colours: its U-matrix and its three component planes.

    Data: 40 samples around each of six pure colours (``datasets.toy.blobs``,
    std 0.08, clipped to [0, 1]). ``classic.SOM(size, size, 3)`` (Gaussian
    neighbourhood, sigma 3, lr 0.5) starts from random samples
    (``init="sample"``) and trains ``iterations`` online steps. Panel 1 is the
    U-matrix (Ultsch 1990, ``SOM.distance_map``): light valleys are clusters,
    dark ridges the borders between them, with each colour's initial (R, G, B,
    Y, C, M) at its centre's best matching unit.
    Panels 2-4 are the component planes: the red, green and blue weight of
    every unit. Four axes, one image each.

    Reference: Kohonen (1982); Zhou, "Machine Learning", sec. 5.5.3.
    """

    centres = np.array(list(SOM_COLORS.values()), dtype=np.float64)
    x, _ = blobs(40, centres, std=0.08, seed=seed)
    x = np.clip(x, 0.0, 1.0)
    som = SOM(size, size, 3, sigma=3.0, lr=0.5, n_iter=iterations, init="sample", seed=seed)
    som.fit(x)
    fig, axes = axes_grid(axes, 4, 4, (2.6, 2.8))
    axes[0].imshow(som.distance_map(), cmap="bone_r")
    for name, (r, c) in zip(SOM_COLORS, som.winners(centres), strict=True):
        axes[0].text(
            c,
            r,
            name[0].upper(),
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
            color="tab:red",
        )
    qe = som.quantization_error(x)
    axes[0].set_title(f"U-matrix (QE {qe:.3f})", fontsize=9)
    weights = som.weights_
    for k, (ax, channel) in enumerate(zip(axes[1:], ("Reds", "Greens", "Blues"), strict=True)):
        ax.imshow(weights[:, :, k], cmap=channel, vmin=0.0, vmax=1.0)
        ax.set_title(f"component plane: {channel[:-1].lower()}", fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def plot_annealing(
    axes: Sequence[Axes] | None = None,
    *,
    start: tuple[float, float] = (2.7, -2.2),
    seeds: Sequence[int] = (0, 1, 2, 3),
    steps: int = 3000,
    t0: float = 10.0,
    alpha: float = 0.998,
    step_size: float = 0.3,
) -> Figure:
    """Escaping local minima on the Rastrigin function: descent, annealing, restarts.

    ``f(x) = 20 + sum_i (x_i^2 - 10 cos(2 pi x_i))`` has a local minimum near
    every integer point and the global one, 0, at the origin. From ``start``:

    * gradient descent (``strategies.noisy_gradient_descent`` without noise,
      lr 0.002) slides into the nearest basin and stays (about 12.9 at (3, -2));
    * simulated annealing (``strategies.simulated_annealing``, Gaussian
      proposals of std ``step_size``, ``T_k = t0 alpha^k``), one path per
      seed: uphill moves accepted with probability ``exp(-dE / T)`` carry it
      across ridges while hot; it settles in a low basin, not always the
      global one;
    * random restarts (``strategies.random_restarts``, 10 uniform starts on
      ``[-5.12, 5.12]^2``, the same descent): the best end point, a star.

    Left: the paths over the contour (lines: one per seed, descent, the start,
    the best restart). Right: the energy of the current state per step (lines:
    one per seed, descent). Reference: Kirkpatrick, Gelatt & Vecchi (1983);
    Zhou, "Machine Learning", sec. 5.4.
    """

    x0 = np.asarray(start, dtype=np.float64)
    fig, (left, right) = axes_grid(axes, 2, 2, (4.4, 4.0))
    g = np.linspace(-4.0, 4.0, 241)
    gx, gy = np.meshgrid(g, g)
    energy = 20 + gx**2 - 10 * np.cos(2 * np.pi * gx) + gy**2 - 10 * np.cos(2 * np.pi * gy)
    left.contourf(gx, gy, energy, levels=12, cmap="Greys", alpha=0.5)

    gd = strategies.noisy_gradient_descent(
        rastrigin, x0, grad=rastrigin_grad, lr=0.002, steps=steps
    )
    for i, seed in enumerate(seeds):
        sa = strategies.simulated_annealing(
            rastrigin,
            x0,
            steps=steps,
            t0=t0,
            alpha=alpha,
            step_size=step_size,
            seed=seed,
        )
        color = f"C{i + 1}"
        left.plot(sa.trajectory[:, 0], sa.trajectory[:, 1], color=color, linewidth=0.6, alpha=0.8)
        right.plot(
            sa.history,
            color=color,
            linewidth=0.8,
            label=f"annealing, seed {seed}: ends at {sa.energy:.2f}",
        )
    left.plot(
        gd.trajectory[:, 0],
        gd.trajectory[:, 1],
        color="tab:blue",
        linewidth=3,
        zorder=5,
        label="descent",
    )
    right.plot(
        gd.history,
        color="tab:blue",
        linewidth=2,
        zorder=5,
        label=f"descent: ends at {gd.energy:.1f}",
    )
    left.plot(*x0, "o", color="k", markersize=7, zorder=6, label="start")
    rr = strategies.random_restarts(
        rastrigin,
        (np.full(2, -5.12), np.full(2, 5.12)),
        n=10,
        grad=rastrigin_grad,
        lr=0.002,
        steps=1500,
        seed=0,
    )
    left.plot(
        *rr.best_params,
        "*",
        color="gold",
        markeredgecolor="k",
        markersize=14,
        zorder=6,
        label=f"best of 10 restarts ({rr.best_energy:.2f})",
    )
    left.legend(fontsize=7, loc="upper left", framealpha=0.9)
    right.legend(fontsize=7, loc="upper right", framealpha=0.9)
    left.set_xlim(-4, 4)
    left.set_ylim(-4, 4)
    left.set_aspect("equal")
    left.set_title("Rastrigin: paths from one start", fontsize=10)
    right.set_yscale("symlog", linthresh=1.0)
    right.set_xlabel("step")
    right.set_ylabel("energy f(x)")
    right.set_title(f"energy per step (T0 {t0:g}, alpha {alpha:g})", fontsize=10)
    right.grid(alpha=0.3)
    return fig

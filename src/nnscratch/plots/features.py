"""Figures for preprocessing and hand-made features: loss curves, whitened digits, HOG cells."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nnscratch.plots._base import axes_grid, one_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_hog_cells", "plot_preprocessing_losses", "plot_whitened_digits"]


def plot_preprocessing_losses(
    runs: Sequence[Any], ax: Axes | None = None, *, smooth: int = 20
) -> Figure:
    """Batch loss against step for each run of ``preprocessing_experiment`` (one line each).

    ``smooth``: the losses are averaged over windows of that many steps.
    """
    fig, ax = one_axes(ax, (6.0, 3.6))
    for run in runs:
        losses = np.asarray(run.losses, dtype=np.float64)
        if len(losses) >= smooth:
            losses = np.convolve(losses, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(len(losses)) + smooth, losses, label=run.name, linewidth=1.2)
    ax.set_xlabel("step (batches of 100)")
    ax.set_ylabel(f"training loss (mean of {smooth} steps)")
    ax.set_yscale("log")
    ax.set_title("The same network on differently preprocessed pixels")
    ax.legend(fontsize=8)
    return fig


def plot_whitened_digits(
    views: dict[str, np.ndarray], axes: Sequence[Axes] | None = None, *, count: int = 6
) -> Figure:
    """``count`` digits per view (rows: name -> (N, 784) array), each scaled to its own range."""
    names = list(views)
    fig, axs = axes_grid(axes, len(names) * count, count, (1.1, 1.1))
    for r, name in enumerate(names):
        for c in range(count):
            ax = axs[r * count + c]
            img = np.asarray(views[name][c], dtype=np.float64).reshape(28, 28)
            ax.imshow(img, cmap="gray")
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(name, fontsize=8)
    return fig


def plot_hog_cells(
    image: np.ndarray,
    cells: np.ndarray,
    axes: Sequence[Axes] | None = None,
    *,
    label: int | None = None,
) -> Figure:
    """A digit (28 x 28) beside its HOG cells: one line per orientation bin, length ~ its vote.

    ``cells`` (rows, cols, bins) is ``cell_histograms`` of the image. Each
    bin is drawn as a segment through the cell centre along the *edge*
    direction (perpendicular to the gradient), so the glyph traces strokes.
    """
    fig, axs = axes_grid(axes, 2, 2, (3.0, 3.0))
    img = np.asarray(image, dtype=np.float64).reshape(28, 28)
    axs[0].imshow(img, cmap="gray")
    axs[0].set_title("digit" if label is None else f"digit {label}")
    rows, cols, bins = cells.shape
    ch, cw = 28 / rows, 28 / cols
    peak = float(cells.max()) or 1.0
    axs[1].set_facecolor("black")
    for r in range(rows):
        for c in range(cols):
            cy, cx = (r + 0.5) * ch, (c + 0.5) * cw
            for b in range(bins):
                angle = np.pi * (b + 0.5) / bins + np.pi / 2  # the edge, across the gradient
                half = 0.45 * min(ch, cw)
                dx, dy = half * np.cos(angle), half * np.sin(angle)
                axs[1].plot([cx - dx, cx + dx], [cy + dy, cy - dy], color="white",
                            alpha=float(cells[r, c, b] / peak), linewidth=1.5)  # fmt: skip
    axs[1].set_xlim(0, 28)
    axs[1].set_ylim(28, 0)
    axs[1].set_aspect("equal")
    axs[1].set_title(f"HOG: {rows} x {cols} cells, {bins} bins")
    for ax in axs:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig

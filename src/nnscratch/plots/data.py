"""Figures for the data: a grid of labelled digits, one digit as the book shows it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nnscratch.plots._base import axes_grid, one_axes
from nnscratch.plots.training import _as_images

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_digit", "plot_digits"]


def plot_digits(
    x: Any,
    t: Any | None = None,
    axes: Sequence[Axes] | None = None,
    *,
    count: int = 40,
    ncols: int = 10,
) -> Figure:
    """The first ``count`` images of ``x`` in a grid, each titled with its label.

    Shapes: ``x`` is ``(N, 784)``, ``(N, 28, 28)`` or ``(N, 1, 28, 28)``;
    ``t`` integer labels ``(N,)`` or one-hot rows ``(N, K)`` (optional).
    One image per panel, ``min(count, N)`` panels.
    """
    images = _as_images(x, "x")[:count]
    if len(images) == 0:
        raise ValueError("x: expected at least one image, got none")
    labels = None
    if t is not None:
        labels = np.asarray(t)
        if labels.ndim == 2:
            labels = labels.argmax(axis=1)
        if labels.ndim != 1 or len(labels) < len(images):
            raise ValueError(f"t: expected labels (N,) or one-hot (N, K), got shape {labels.shape}")
    fig, axes = axes_grid(axes, len(images), ncols, (0.9, 1.05))
    for i, (ax, img) in enumerate(zip(axes, images, strict=True)):
        ax.imshow(img, cmap="gray_r")
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
        ax.set_axis_off()
    return fig


def plot_digit(image: Any, label: int | None = None, ax: Axes | None = None) -> Figure:
    """One digit as the book's ``img_show`` shows it: white on black, 28 x 28.

    ``image`` is a flat 784-vector or a 28 x 28 array, pixel values 0..255
    or 0..1; it is reshaped as ``img.reshape(28, 28)`` (book ch. 3.6.1).
    One image, axes in pixels.
    """
    img = np.asarray(image)
    if img.ndim == 1:
        img = _as_images(img[None, :], "image")[0]
    if img.ndim != 2:
        raise ValueError(f"image: expected (784,) or (28, 28), got shape {np.shape(image)}")
    fig, ax = one_axes(ax, (3.0, 3.2))
    ax.imshow(img, cmap="gray", interpolation="nearest")
    ax.set_title("MNIST image" if label is None else f"label {label}")
    return fig

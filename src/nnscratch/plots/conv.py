"""Figures of convolutional networks: filters, feature maps, the digits still missed.

* :func:`plot_conv_filters`: first-layer filters before and after training
  (the book's figure 7-24: random noise becomes edge and blob detectors);
* :func:`plot_feature_maps`: one digit through the layers, each channel an image;
* the digits the CNN gets wrong reuse :func:`nnscratch.plots.training.plot_misclassified`
  (the book's figure 8-2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nnscratch.plots._base import axes_grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["feature_maps", "plot_conv_filters", "plot_feature_maps"]


def plot_conv_filters(
    before: Any,
    after: Any,
    axes: Sequence[Axes] | None = None,
    *,
    max_filters: int = 16,
) -> Figure:
    """First-layer filters (FN, 1, KH, KW) before (top row) and after (bottom row) training.

    Each filter is scaled to its own range, black low and white high, as the
    book draws them.
    """
    before, after = np.asarray(before), np.asarray(after)
    if before.ndim != 4 or before.shape != after.shape:
        raise ValueError(
            f"before, after: expected two arrays of one shape (FN, C, KH, KW), "
            f"got {before.shape} and {after.shape}"
        )
    n = min(max_filters, before.shape[0])
    fig, axes = axes_grid(axes, 2 * n, n, (0.8, 0.95))
    for row, (w, label) in enumerate(((before, "before"), (after, "after"))):
        for i in range(n):
            ax = axes[row * n + i]
            ax.imshow(w[i, 0], cmap="gray", interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_ylabel(label, fontsize=9)
    return fig


def feature_maps(net: Any, x: Any) -> list[tuple[str, np.ndarray]]:
    """The (C, H, W) output of every layer with image output, for one sample ``x``.

    ``net`` is a ``Sequential``; returns ``[(layer name, maps), ...]`` in order.
    """
    h = np.asarray(x, dtype=net.dtype)[None]
    out = []
    for i, layer in enumerate(net.layers):
        h = layer.forward(h, False)
        if h.ndim == 4 and i > 0:
            out.append((f"{i}: {layer!r}", np.array(h[0])))
    return out


def plot_feature_maps(
    net: Any,
    x: Any,
    axes: Sequence[Axes] | None = None,
    *,
    max_channels: int = 16,
) -> Figure:
    """One image and its feature maps: a row per layer with image output, a panel per channel."""
    maps = feature_maps(net, x)
    if not maps:
        raise ValueError("net: expected a network with (N, C, H, W) layer outputs")
    ncols = 1 + max_channels
    fig, axes = axes_grid(axes, ncols * len(maps), ncols, (0.7, 0.75))
    side = round(np.sqrt(np.size(x)))
    for row, (name, m) in enumerate(maps):
        first = axes[row * ncols]
        first.set_axis_off()
        if row == 0 and side * side == np.size(x):
            first.imshow(np.asarray(x).reshape(side, side), cmap="gray_r")
        first.set_title(name.split(" ")[1].split("(")[0], fontsize=7)
        for c in range(max_channels):
            ax = axes[row * ncols + 1 + c]
            ax.set_axis_off()
            if c < m.shape[0]:
                ax.imshow(m[c], cmap="viridis", interpolation="nearest")
    return fig

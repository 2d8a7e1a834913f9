"""Figures for training and its results: curves, confusion, mistakes, weights.

Each function draws into the ``ax`` (or ``axes``) it is given, or into a new
Figure, and returns the Figure. They take plain arrays, so they work for any
model; :mod:`nnscratch.plots.registry` supplies defaults from a small MNIST
model trained in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nnscratch.activations import get
from nnscratch.metrics import confusion_matrix
from nnscratch.plots._base import axes_grid, one_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "INIT_EXPERIMENTS",
    "confusion_matrix",
    "layer_activations",
    "plot_activation_histograms",
    "plot_confusion_matrix",
    "plot_first_layer_weights",
    "plot_history",
    "plot_misclassified",
]


def _history_dict(history: Any) -> Mapping[str, Sequence[float]]:
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping):
        raise TypeError(
            "history: expected a History (with a .history dict) or a dict of lists, "
            f"got {type(history).__name__}"
        )
    return data


def plot_history(history: Any, axes: Sequence[Axes] | None = None) -> Figure:
    """Loss and accuracy per epoch from a training history, two panels.

    ``history`` is the History that ``training.fit`` returns, or its
    ``.history`` dict: keys ``"loss"``, ``"accuracy"``, ``"val_loss"``,
    ``"val_accuracy"`` (the validation ones optional), one value per epoch.
    Each panel has one line per key present (train solid, validation dashed).
    """
    data = _history_dict(history)
    if not data.get("loss"):
        raise ValueError(f"history: expected a non-empty 'loss' entry, got keys {sorted(data)}")
    fig, axes = axes_grid(axes, 2, 2, (3.6, 3.0))
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        for key, style, label in ((metric, "-", "train"), (f"val_{metric}", "--", "validation")):
            values = data.get(key)
            if values is None or len(values) == 0:
                continue
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, style, marker="o", markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    return fig


def plot_confusion_matrix(
    t: Any, y: Any, ax: Axes | None = None, *, num_classes: int | None = None
) -> Figure:
    """The confusion matrix of labels ``t`` against predictions ``y`` as an image.

    Rows are the true class, columns the prediction; every cell carries its
    count. One image; the title gives the accuracy (the trace over N).
    """
    cm = confusion_matrix(t, y, num_classes)
    k = cm.shape[0]
    fig, ax = one_axes(ax, (5.0, 4.6))
    ax.imshow(cm, cmap="Blues")
    threshold = cm.max() / 2 if cm.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if cm[i, j] > threshold else "black",
            )
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    total = cm.sum()
    accuracy = np.trace(cm) / total if total else float("nan")
    ax.set_title(f"Confusion matrix (accuracy {accuracy:.4f}, N = {total})")
    return fig


def _as_images(x: Any, name: str) -> np.ndarray:
    """``x`` as ``(N, H, W)``: flat 784-vectors become 28 x 28 images."""
    x = np.asarray(x)
    if x.ndim == 2:
        side = math.isqrt(x.shape[1])
        if side * side != x.shape[1]:
            raise ValueError(f"{name}: expected flat square images (N, H*W), got {x.shape}")
        return x.reshape(-1, side, side)
    if x.ndim == 4 and x.shape[1] == 1:
        return x[:, 0]
    if x.ndim == 3:
        return x
    raise ValueError(
        f"{name}: expected images (N, 784), (N, 28, 28) or (N, 1, 28, 28), got {x.shape}"
    )


def plot_misclassified(
    x: Any,
    t: Any,
    y: Any,
    axes: Sequence[Axes] | None = None,
    *,
    max_images: int = 20,
    ncols: int = 10,
) -> Figure:
    """A grid of the first misclassified images, titled "true→predicted".

    Shapes: ``x`` images (``(N, 784)``, ``(N, 28, 28)`` or ``(N, 1, 28, 28)``),
    ``t`` and ``y`` labels ``(N,)``. Shows ``min(max_images, #errors)``
    panels (at least one: with no error it says so), one image each.
    """
    images = _as_images(x, "x")
    t = np.asarray(t)
    y = np.asarray(y)
    if t.shape != (len(images),) or y.shape != t.shape:
        raise ValueError(
            f"t, y: expected labels of shape ({len(images)},), got {t.shape}, {y.shape}"
        )
    wrong = np.flatnonzero(t != y)[:max_images]
    fig, axes = axes_grid(axes, max(len(wrong), 1), ncols, (1.0, 1.15))
    if len(wrong) == 0:
        axes[0].text(0.5, 0.5, "no mistakes", ha="center", va="center")
        axes[0].set_axis_off()
        return fig
    for ax, i in zip(axes, wrong, strict=True):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(f"{t[i]}→{y[i]}", fontsize=9, color="tab:red")
        ax.set_axis_off()
    return fig


def plot_first_layer_weights(
    weights: Any,
    axes: Sequence[Axes] | None = None,
    *,
    max_units: int = 50,
    ncols: int = 10,
) -> Figure:
    """Each first-layer unit's incoming weights as an image (784 -> 28 x 28).

    Shape: ``weights`` is ``(784, H)`` as in a ``Dense(784, H)`` layer
    (``x @ W``); column ``j`` is drawn as a 28 x 28 image for the first
    ``min(H, max_units)`` units, with a symmetric colour scale around 0
    (red positive, blue negative). One image per panel.
    """
    w = np.asarray(weights)
    if w.ndim != 2:
        raise ValueError(f"weights: expected a matrix (784, H), got shape {w.shape}")
    images = _as_images(w.T[:max_units], "weights")
    fig, axes = axes_grid(axes, len(images), ncols, (0.8, 0.8))
    for ax, img in zip(axes, images, strict=True):
        bound = float(np.abs(img).max()) or 1.0
        ax.imshow(img, cmap="bwr", vmin=-bound, vmax=bound, interpolation="nearest")
        ax.set_axis_off()
    return fig


# The book's weight-initialisation experiment (ch. 6.2, figures 6-10 to 6-14):
# (label, activation, weight std as a function of the fan-in n).
INIT_EXPERIMENTS: tuple[tuple[str, str, str], ...] = (
    ("sigmoid, std 1", "sigmoid", "1"),
    ("sigmoid, std 0.01", "sigmoid", "0.01"),
    ("sigmoid, Xavier 1/√n", "sigmoid", "xavier"),
    ("ReLU, He √(2/n)", "relu", "he"),
)


def _init_std(rule: str, fan_in: int) -> float:
    if rule == "xavier":
        return 1.0 / np.sqrt(fan_in)
    if rule == "he":
        return np.sqrt(2.0 / fan_in)
    return float(rule)


def layer_activations(
    activation: str,
    std_rule: str,
    *,
    layers: int = 5,
    units: int = 100,
    samples: int = 1000,
    seed: int = 0,
) -> list[np.ndarray]:
    """Outputs of each layer of a deep net of ``layers`` x ``units`` at initialisation.

    Input ``x ~ N(0, 1)`` of shape ``(samples, units)``; layer ``i`` computes
    ``a_i = f(a_{i-1} @ W_i)`` with ``W_i ~ N(0, std^2)``, no bias, as the
    book's ``weight_init_activation_histogram.py`` (ch. 6.2.2).
    """

    f = get(activation)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((samples, units))
    outputs = []
    for _ in range(layers):
        w = rng.standard_normal((units, units)) * _init_std(std_rule, units)
        a = f(a @ w)
        outputs.append(a)
    return outputs


def plot_activation_histograms(
    axes: Sequence[Axes] | None = None,
    *,
    experiments: Sequence[tuple[str, str, str]] = INIT_EXPERIMENTS,
    layers: int = 5,
    seed: int = 0,
) -> Figure:
    """Histograms of each layer's activations for several initialisations.

    One row per experiment (default: sigmoid with std 1, 0.01 and Xavier,
    ReLU with He), one column per layer of 100 units, 1000 random inputs,
    30 bins on ``[0, 1]`` as the book. Std 1 saturates sigmoid at 0 and 1
    (vanishing gradients); std 0.01 collapses everything near 0.5 (no
    expressiveness); Xavier keeps a spread through all five layers; He does
    the same for ReLU (its spike at 0, half the units, is cut at 7000, as the
    book's figure cuts it). ``len(experiments) * layers`` axes.

    Reference: Saitoh, "Deep Learning from Scratch", figures 6-10 to 6-14;
    Glorot & Bengio (2010); He et al. (2015).
    """
    experiments = list(experiments)
    fig, axes = axes_grid(axes, len(experiments) * layers, layers, (1.6, 1.3))
    for row, (label, activation, rule) in enumerate(experiments):
        outputs = layer_activations(activation, rule, layers=layers, seed=seed + row)
        for col, a in enumerate(outputs):
            ax = axes[row * layers + col]
            ax.hist(a.ravel(), bins=30, range=(0.0, 1.0), color=f"C{row}")
            if activation == "relu":
                ax.set_ylim(0, 7000)  # the spike of zeros (half the units) is cut
            ax.set_yticks([])
            ax.tick_params(labelsize=6)
            if row == 0:
                ax.set_title(f"layer {col + 1}", fontsize=8)
            if col == 0:
                ax.set_ylabel(label, fontsize=7)
    return fig

"""Figures of a hyperparameter sweep, drawn from its results rows.

:func:`plot_sweep_curves` is the book's figure 6-24 (Saitoh, "Deep Learning
from Scratch", section 6.5.3): the validation accuracy per epoch of the best
trials, one small panel each, training accuracy dashed. :func:`plot_sweep_scatter`
shows where the good trials lie: final validation accuracy as colour over
learning rate and weight decay, both on log axes.

Both take the rows of :func:`nnscratch.sweep.read_results` (or a path to a
results file).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nnscratch.plots._base import axes_grid, one_axes
from nnscratch.sweep import BOOK_SETTINGS, MLPTrial, run_sweep
from nnscratch.sweep.results import read_results

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["demo_rows", "plot_sweep_curves", "plot_sweep_scatter"]

Rows = Sequence[Mapping[str, Any]] | str | os.PathLike[str]


def _rows(rows: Rows) -> list[Mapping[str, Any]]:
    if isinstance(rows, str | os.PathLike):
        return read_results(rows)
    return list(rows)


def _best(rows: list[Mapping[str, Any]], k: int) -> list[Mapping[str, Any]]:
    done = [r for r in rows if r.get("status") == "ok"]
    return sorted(done, key=lambda r: (-float(r["val_accuracy"]), r["trial"]))[:k]


def plot_sweep_curves(rows: Rows, k: int = 20, axes: Sequence[Axes] | None = None) -> Figure:
    """Validation accuracy per epoch of the ``k`` best trials (the book's figure 6-24).

    One panel per trial, best first, titled with its rank and final
    validation accuracy; solid: validation accuracy, dashed: running training
    accuracy; the y axis spans [0, 1] as in the book.
    """
    best = _best(_rows(rows), k)
    if not best:
        raise ValueError("rows: expected at least one finished ('ok') trial, got none")
    fig, axes = axes_grid(axes, len(best), 5, (1.8, 1.5))
    for i, (ax, r) in enumerate(zip(axes, best, strict=True)):
        val = np.asarray(r["val_accuracy_curve"], dtype=float)
        epochs = np.arange(1, val.size + 1)
        ax.plot(epochs, val, color="C0")
        train = r.get("train_accuracy_curve")
        if train:
            ax.plot(epochs, np.asarray(train, dtype=float), "--", color="C1")
        ax.set_ylim(0.0, 1.0)
        ax.set_title(f"Best-{i + 1} ({float(r['val_accuracy']):.2f})", fontsize=8)
        ax.tick_params(labelsize=6)
        if i % 5:
            ax.set_yticklabels([])
    fig.suptitle("validation (solid) and training (dashed) accuracy per epoch", fontsize=9)
    return fig


def plot_sweep_scatter(
    rows: Rows, x: str = "lr", y: str = "weight_decay", ax: Axes | None = None
) -> Figure:
    """Final validation accuracy (colour) of every finished trial over ``x`` and ``y``.

    Both axes are logarithmic (the book's ranges span decades); pruned and
    failed trials are grey crosses.
    """
    data = _rows(rows)
    for name in (x, y):
        if not data or name not in data[0]:
            raise ValueError(f"{name}: expected a column of the results, got none named so")
    fig, ax = one_axes(ax, (5.2, 4.0))
    ok = [r for r in data if r.get("status") == "ok"]
    other = [r for r in data if r.get("status") != "ok"]
    if other:
        ax.scatter([r[x] for r in other], [r[y] for r in other], marker="x", color="0.6",
                   label="pruned or failed")  # fmt: skip
        ax.legend(loc="lower left", fontsize=7)
    points = ax.scatter(
        [r[x] for r in ok],
        [r[y] for r in ok],
        c=[float(r["val_accuracy"]) for r in ok],
        cmap="viridis",
        vmin=0.0,
        vmax=1.0,
        edgecolors="k",
        linewidths=0.3,
    )
    fig.colorbar(points, ax=ax, label="validation accuracy")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{len(ok)} finished trials of {len(data)}")
    return fig


@functools.lru_cache(maxsize=1)
def demo_rows(trials: int = 20, epochs: int = 20, seed: int = 0) -> tuple[dict[str, Any], ...]:
    """The rows of a small run of the book's search (``trials`` trials of ``epochs`` epochs).

    The registry's figures draw these when no results file is given; about
    one second per trial, in this process.
    """
    trial = MLPTrial(base={**BOOK_SETTINGS, "epochs": epochs})
    result = run_sweep(trial=trial, trials=trials, seed=seed, workers=0, progress=False)
    return tuple(result.rows)

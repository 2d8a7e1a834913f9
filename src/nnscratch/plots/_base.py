"""Shared plumbing for the figures: lazy matplotlib, new figures, saving.

No pyplot anywhere: figures are plain ``matplotlib.figure.Figure`` objects,
which need no backend, never open a window and are safe on a headless server.
Saving renders through the Agg canvas for PNG and the SVG canvas for SVG.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnscratch._atomic import atomic_write_bytes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["save"]

_INSTALL_HINT = 'nnscratch.plots needs matplotlib and Pillow: pip install "nnscratch[plot]"'
_FORMATS = {".png": "png", ".svg": "svg"}
# A fixed salt makes the ids in SVG output depend on the figure only.
_SVG_HASHSALT = "nnscratch"


def require_matplotlib() -> Any:
    """Import matplotlib or raise ImportError with the install command."""
    try:
        import matplotlib
        import matplotlib.figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc
    return matplotlib


def new_figure(figsize: tuple[float, float], dpi: float = 100) -> Figure:
    """A fresh Figure with constrained layout (no tight_layout warnings)."""
    require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=dpi, layout="constrained")


def one_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """Return ``(figure, ax)``: the given axes and its figure, or a new pair."""
    if ax is None:
        fig = new_figure(figsize)
        return fig, fig.add_subplot()
    _check_axes(ax, "ax")
    return root_figure(ax), ax


def axes_grid(
    axes: Sequence[Axes] | None,
    count: int,
    ncols: int,
    panel: tuple[float, float],
) -> tuple[Figure, list[Axes]]:
    """Return ``(figure, axes)`` with ``count`` axes, new or given.

    New axes are laid out ``ncols`` to a row, each panel ``panel`` inches;
    the cells of the last row beyond ``count`` are left out.
    """
    if axes is not None:
        axes = list(axes)
        if len(axes) != count:
            raise ValueError(f"axes: expected {count} Axes, got {len(axes)}")
        for a in axes:
            _check_axes(a, "axes")
        return root_figure(axes[0]), axes
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    fig = new_figure((panel[0] * ncols, panel[1] * nrows))
    grid = fig.add_gridspec(nrows, ncols)
    made = [fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(count)]
    return fig, made


def label_axes(
    ax: Axes, xlabel: str, ylabel: str, title: str, *, legend: str | bool = False
) -> None:
    """Axis labels, title, a light grid and, if ``legend`` (True or a ``loc``), a legend."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if legend is True:
        ax.legend()
    elif legend:
        ax.legend(loc=legend)
    ax.grid(alpha=0.3)


def root_figure(ax: Axes) -> Figure:
    """The top-level Figure holding ``ax`` (also when ``ax`` is in a SubFigure)."""
    fig = ax.figure
    while getattr(fig, "figure", fig) is not fig:  # a SubFigure's parent chain
        fig = fig.figure
    return fig


def _check_axes(ax: Any, name: str) -> None:
    require_matplotlib()
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"{name}: expected a matplotlib Axes, got {type(ax).__name__}")


def save(fig: Figure, path: str | os.PathLike[str], *, dpi: float | None = None) -> Path:
    """Write ``fig`` to ``path`` atomically as PNG or SVG (chosen by the suffix).

    The bytes depend only on the figure: the PNG carries no "Software" entry
    and the SVG no date, and its element ids use a fixed hash salt, so the
    same seed gives the same file. ``dpi`` defaults to the figure's own, so a
    figure of ``w x h`` inches at 100 dpi gives ``100w x 100h`` pixels.
    """
    matplotlib = require_matplotlib()
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig: expected a matplotlib Figure, got {type(fig).__name__}")
    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ValueError(f"path: expected a .png or .svg file name, got {str(path)!r}")
    buffer = io.BytesIO()
    dpi = fig.dpi if dpi is None else dpi
    if fmt == "png":
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    else:
        with matplotlib.rc_context({"svg.hashsalt": _SVG_HASHSALT}):
            fig.savefig(buffer, format="svg", dpi=dpi, metadata={"Date": None, "Creator": None})
    return atomic_write_bytes(target, buffer.getvalue())

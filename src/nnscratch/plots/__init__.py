"""Figures for every idea in nnscratch, drawn with matplotlib without a window.

Figures are plain ``matplotlib.figure.Figure`` objects (no pyplot, no
backend, safe on a server); :func:`save` writes PNG or SVG atomically with
reproducible bytes. Every drawing function takes an optional ``ax`` (or
``axes``) to draw into and returns the Figure. The registry names each
figure with defaults::

    from nnscratch import plots
    plots.names()                          # ['activations', 'activation-grid', ...]
    plots.save(plots.make("optimizers"), "optimizers.png")
    plots.make_all("docs/img")             # every figure, as NAME.png

matplotlib and Pillow are the optional extra ``plot``:
``pip install "nnscratch[plot]"``. ``import nnscratch`` never imports them.
"""

from __future__ import annotations

from nnscratch.plots._base import require_matplotlib, save

require_matplotlib()

from nnscratch.plots.book_figures import (  # noqa: E402
    plot_dying_relu,
    plot_error_surface,
    plot_network,
    plot_numerical_tangent,
)
from nnscratch.plots.classic import (  # noqa: E402
    plot_annealing,
    plot_perceptron_gates,
    plot_rbf_fit,
    plot_som,
    plot_xor_regions,
)
from nnscratch.plots.concepts import (  # noqa: E402
    plot_activation_grid,
    plot_activations,
    plot_log,
    plot_loss_vs_probability,
    plot_sigmoid_tanh_derivatives,
    plot_softmax,
)
from nnscratch.plots.data import plot_digit, plot_digits  # noqa: E402
from nnscratch.plots.gradients import (  # noqa: E402
    plot_gradient_descent,
    plot_gradient_field,
    plot_optimizer_paths,
)
from nnscratch.plots.registry import (  # noqa: E402
    FIGURES,
    RESULTS_FIGURES,
    FigureSpec,
    make,
    make_all,
    names,
)
from nnscratch.plots.sweep import plot_sweep_curves, plot_sweep_scatter  # noqa: E402
from nnscratch.plots.training import (  # noqa: E402
    confusion_matrix,
    plot_activation_histograms,
    plot_confusion_matrix,
    plot_first_layer_weights,
    plot_history,
    plot_misclassified,
)

__all__ = [
    "FIGURES",
    "RESULTS_FIGURES",
    "FigureSpec",
    "confusion_matrix",
    "make",
    "make_all",
    "names",
    "plot_activation_grid",
    "plot_activation_histograms",
    "plot_activations",
    "plot_annealing",
    "plot_confusion_matrix",
    "plot_digit",
    "plot_digits",
    "plot_dying_relu",
    "plot_error_surface",
    "plot_first_layer_weights",
    "plot_gradient_descent",
    "plot_gradient_field",
    "plot_history",
    "plot_log",
    "plot_loss_vs_probability",
    "plot_misclassified",
    "plot_network",
    "plot_numerical_tangent",
    "plot_optimizer_paths",
    "plot_perceptron_gates",
    "plot_rbf_fit",
    "plot_sigmoid_tanh_derivatives",
    "plot_softmax",
    "plot_som",
    "plot_sweep_curves",
    "plot_sweep_scatter",
    "plot_xor_regions",
    "save",
]

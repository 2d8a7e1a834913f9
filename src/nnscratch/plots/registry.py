"""The registry of named figures: ``names()``, ``make(name)``, ``make_all(out_dir)``.

Every entry draws a complete figure with no arguments (sensible defaults,
fixed seeds), so ``nnscratch plot NAME`` and the docs gallery can make them
all; keyword arguments are passed on to the drawing function.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nnscratch.features import cell_histograms, image_gradients
from nnscratch.features.compare import (
    HOG_MNIST,
    preprocessing_experiment,
    preprocessings,
)
from nnscratch.plots import (
    _demo,
    book_figures,
    classic,
    concepts,
    conv,
    data,
    features,
    gradients,
    sweep,
    training,
)
from nnscratch.plots._base import save

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURES", "RESULTS_FIGURES", "FigureSpec", "make", "make_all", "names"]


@dataclass(frozen=True)
class FigureSpec:
    """A named figure: ``draw(**kwargs) -> Figure`` and a one-line description.

    ``needs`` lists what drawing it requires beyond NumPy and matplotlib
    (``"mnist"``: the MNIST files, via ``load_mnist``), so a caller can skip
    figures it cannot make.
    """

    name: str
    draw: Callable[..., Figure]
    description: str
    needs: tuple[str, ...] = ()

    def __call__(self, **kwargs: Any) -> Figure:
        return self.draw(**kwargs)


def _history(**kwargs: Any) -> Figure:
    return training.plot_history(_demo.quick_model().history, **kwargs)


def _confusion(**kwargs: Any) -> Figure:
    run = _demo.quick_model()
    return training.plot_confusion_matrix(run.t_test, run.y_test, **kwargs)


def _misclassified(**kwargs: Any) -> Figure:
    run = _demo.quick_model()
    return training.plot_misclassified(run.x_test, run.t_test, run.y_test, **kwargs)


def _first_layer(**kwargs: Any) -> Figure:
    return training.plot_first_layer_weights(_demo.quick_model().first_weights, **kwargs)


def _digits(**kwargs: Any) -> Figure:
    x, t = _demo.mnist_arrays("test")
    return data.plot_digits(x, t, **kwargs)


def _digit(index: int = 0, **kwargs: Any) -> Figure:
    x, t = _demo.mnist_arrays("train", normalize=False)  # the book shows x_train[0], a 5
    return data.plot_digit(x[index], int(t[index]), **kwargs)


def _sweep_rows(results: str | os.PathLike[str] | None) -> Any:
    return sweep.demo_rows() if results is None else results


def _sweep_curves(results: str | os.PathLike[str] | None = None, **kwargs: Any) -> Figure:
    return sweep.plot_sweep_curves(_sweep_rows(results), **kwargs)


def _sweep_scatter(results: str | os.PathLike[str] | None = None, **kwargs: Any) -> Figure:
    return sweep.plot_sweep_scatter(_sweep_rows(results), **kwargs)


#: Figures drawn from a sweep's results file (``nnscratch plot NAME --results CSV``).
RESULTS_FIGURES = ("sweep-curves", "sweep-scatter")


def _preprocessing_losses(**kwargs: Any) -> Figure:
    x_train, t_train = _demo.mnist_arrays("train", normalize=False)
    x_test, t_test = _demo.mnist_arrays("test", normalize=False)
    runs = preprocessing_experiment(((x_train, t_train), (x_test, t_test)), epochs=1)
    return features.plot_preprocessing_losses(runs, **kwargs)


def _whitened_digits(**kwargs: Any) -> Figure:
    x_train, _ = _demo.mnist_arrays("train", normalize=False)
    x_test, _ = _demo.mnist_arrays("test", normalize=False)
    views = {name: f(x_test[:6]) for name, f in preprocessings(x_train).items()}
    return features.plot_whitened_digits(views, **kwargs)


def _hog_cells(index: int = 0, **kwargs: Any) -> Figure:
    x, t = _demo.mnist_arrays("test")
    g_row, g_col = image_gradients(x[index].reshape(1, 28, 28).astype(np.float64))
    cells = cell_histograms(g_row, g_col, HOG_MNIST["pixels_per_cell"], HOG_MNIST["orientations"])
    return features.plot_hog_cells(x[index], cells[0], label=int(t[index]), **kwargs)


def _cnn_filters(**kwargs: Any) -> Figure:
    net, before = _demo.cnn_model()
    return conv.plot_conv_filters(before, net.parameters()["1.W"], **kwargs)


def _cnn_feature_maps(index: int = 0, **kwargs: Any) -> Figure:
    net, _ = _demo.cnn_model()
    x, _ = _demo.mnist_arrays("test")
    return conv.plot_feature_maps(net, x[index], **kwargs)


def _cnn_misclassified(**kwargs: Any) -> Figure:
    net, _ = _demo.cnn_model()
    x, t = _demo.mnist_arrays("test")
    y = np.concatenate([net.predict(x[i : i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    kwargs.setdefault("max_images", 40)
    return training.plot_misclassified(x, t, y, **kwargs)


_SPECS = (
    FigureSpec("activations", concepts.plot_activations,
               "Step, sigmoid and ReLU compared (book figs. 3-6 to 3-9)."),
    FigureSpec("activation-grid", concepts.plot_activation_grid,
               "Every registered elementwise activation with its derivative."),
    FigureSpec("activation-derivatives", concepts.plot_sigmoid_tanh_derivatives,
               "Derivatives of sigmoid and tanh with their maxima 0.25 and 1 marked."),
    FigureSpec("softmax", concepts.plot_softmax,
               "Softmax of the book's scores (0.3, 2.9, 4.0) as bars, before and after."),
    FigureSpec("log", concepts.plot_log,
               "y = ln x on (0, 1], the curve behind cross entropy (book fig. 4-3)."),
    FigureSpec("loss-vs-probability", concepts.plot_loss_vs_probability,
               "Cross entropy and squared error against the true class's probability."),
    FigureSpec("gradient-field", gradients.plot_gradient_field,
               "Negative gradient of x0^2 + x1^2 as arrows (book fig. 4-9)."),
    FigureSpec("gradient-descent", gradients.plot_gradient_descent,
               "Gradient descent from (-3, 4) with lr 0.1 over the contour (book fig. 4-10)."),
    FigureSpec("optimizers", gradients.plot_optimizer_paths,
               "SGD, Momentum, AdaGrad and Adam on x^2/20 + y^2 (book fig. 6-8)."),
    FigureSpec("weight-init-histograms", training.plot_activation_histograms,
               "Activations of 5 layers for std 1, 0.01, Xavier and He (book figs. 6-10 to 6-14)."),
    FigureSpec("training-curves", _history,
               "Loss and accuracy per epoch of a small MNIST MLP.", ("mnist",)),
    FigureSpec("confusion-matrix", _confusion,
               "Confusion matrix of a small MNIST MLP on the 10,000 test images.", ("mnist",)),
    FigureSpec("misclassified", _misclassified,
               "Test digits a small MNIST MLP gets wrong, true→predicted.", ("mnist",)),
    FigureSpec("first-layer-weights", _first_layer,
               "First-layer weights of a small MNIST MLP as 28 x 28 images.", ("mnist",)),
    FigureSpec("mnist-digits", _digits,
               "The first 40 MNIST test digits with their labels.", ("mnist",)),
    FigureSpec("mnist-digit", _digit,
               "The first training digit (a 5) as the book's img_show shows it.", ("mnist",)),
    FigureSpec("cnn-filters", _cnn_filters,
               "First-layer 5x5 filters of the default CNN before and after training "
               "(book fig. 7-24).", ("mnist",)),
    FigureSpec("cnn-feature-maps", _cnn_feature_maps,
               "A test digit through the default CNN: every channel after each layer.", ("mnist",)),
    FigureSpec("cnn-misclassified", _cnn_misclassified,
               "Test digits the default CNN still gets wrong, true→predicted (book fig. 8-2).",
               ("mnist",)),
    FigureSpec("perceptron-gates", classic.plot_perceptron_gates,
               "Perceptron decision lines for AND, OR, NAND and the XOR failure."),
    FigureSpec("xor-regions", classic.plot_xor_regions,
               "XOR by the book's AND(NAND, OR) perceptrons and by a trained 2-8-2 MLP."),
    FigureSpec("rbf-fit", classic.plot_rbf_fit,
               "An RBF network (k-means centres, least squares) fitted to noisy sin x."),
    FigureSpec("som", classic.plot_som,
               "A SOM trained on noisy colours: U-matrix and red, green, blue component planes."),
    FigureSpec("annealing", classic.plot_annealing,
               "Gradient descent, simulated annealing and random restarts on Rastrigin."),
    FigureSpec("sweep-curves", _sweep_curves,
               "Validation accuracy per epoch of a sweep's 20 best trials (book fig. 6-24).",
               ("mnist",)),
    FigureSpec("sweep-scatter", _sweep_scatter,
               "Validation accuracy of every sweep trial over learning rate and weight decay.",
               ("mnist",)),
    FigureSpec("preprocessing-losses", _preprocessing_losses,
               "Loss curves of the chapter-5 net on raw, /255, standardised, PCA- and "
               "ZCA-whitened pixels.", ("mnist",)),
    FigureSpec("whitened-digits", _whitened_digits,
               "Six test digits raw, /255, standardised, PCA- and ZCA-whitened.", ("mnist",)),
    FigureSpec("hog-cells", _hog_cells,
               "A test digit beside its HOG cells (7 x 7 cells of 4 x 4 pixels, 9 bins).",
               ("mnist",)),
    FigureSpec("error-surface", book_figures.plot_error_surface,
               "Error of a tanh net over two weights: local minima, descent paths (Zhou 5.10)."),
    FigureSpec("numerical-tangent", book_figures.plot_numerical_tangent,
               "Tangents of 0.01x^2 + 0.1x at x = 5 and 10, numerical slopes (book fig. 4-7)."),
    FigureSpec("network-weights", book_figures.plot_network,
               "A small trained network drawn with edge widths |W| and colours by sign."),
    FigureSpec("dying-relu", book_figures.plot_dying_relu,
               "Fraction of dead ReLU units over training with a good and too large lr."),
)  # fmt: skip

FIGURES: dict[str, FigureSpec] = {spec.name: spec for spec in _SPECS}


def names() -> list[str]:
    """The names of every registered figure, in gallery order."""
    return list(FIGURES)


def _spec(name: str) -> FigureSpec:
    if not isinstance(name, str):
        raise TypeError(f"name: expected a figure name (str), got {type(name).__name__}")
    try:
        return FIGURES[name]
    except KeyError:
        raise ValueError(f"name: unknown figure {name!r}; expected one of {names()}") from None


def make(name: str, **kwargs: Any) -> Figure:
    """Draw the registered figure ``name``; ``kwargs`` go to its drawing function."""
    return _spec(name)(**kwargs)


def make_all(
    out_dir: str | os.PathLike[str],
    *,
    only: Sequence[str] | None = None,
    suffix: str = ".png",
) -> list[Path]:
    """Draw every registered figure (or those in ``only``) into ``out_dir/NAME.png``.

    ``suffix`` is ``".png"`` or ``".svg"``. Returns the paths written, in
    registry order; each file is written atomically.
    """
    if suffix not in (".png", ".svg"):
        raise ValueError(f"suffix: expected '.png' or '.svg', got {suffix!r}")
    chosen = names() if only is None else [_spec(n).name for n in only]
    out = Path(out_dir)
    return [save(make(n), out / f"{n}{suffix}") for n in chosen]

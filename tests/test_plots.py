"""Tests for nnscratch.plots: every registered figure is drawn, saved and inspected.

For each figure: the PNG exists, has the expected size in pixels, is not
blank, has the expected axes and artists, and the same seed gives the same
bytes. Then the numbers a reader would check on the figures themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

plots = pytest.importorskip("nnscratch.plots")
Image = pytest.importorskip("PIL.Image")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402


@dataclass(frozen=True)
class Expect:
    """What a default figure must look like."""

    size: tuple[int, int] | None  # (width, height) in pixels; None: see _grid_size
    axes: int
    check: Callable[[Figure], None] = lambda fig: None


def _lines(*counts: int) -> Callable[[Figure], None]:
    def check(fig: Figure) -> None:
        assert [len(ax.lines) for ax in fig.axes] == list(counts)

    return check


def _images_each(n_axes: int) -> Callable[[Figure], None]:
    def check(fig: Figure) -> None:
        assert [len(ax.images) for ax in fig.axes] == [1] * n_axes

    return check


def _feature_maps(fig: Figure) -> None:
    # the input digit, then per row the channels of one layer (16, or fewer, of each)
    counts = [len(ax.images) for ax in fig.axes]
    assert len(counts) == 6 * 17 and counts[0] == 1
    assert [sum(counts[r * 17 + 1 : r * 17 + 17]) for r in range(6)] == [16] * 6


def _quiver(fig: Figure) -> None:
    (ax,) = fig.axes
    assert [type(c) for c in ax.collections] == [Quiver]
    assert ax.collections[0].N == 17 * 17


def _bars(fig: Figure) -> None:
    assert [len(ax.patches) for ax in fig.axes] == [3, 3]


def _optimizers(fig: Figure) -> None:
    assert [len(ax.lines) for ax in fig.axes] == [2, 2, 2, 2]
    for ax in fig.axes:
        assert len(ax.lines[0].get_xdata()) == 31  # start + 30 steps


def _histograms(fig: Figure) -> None:
    assert [len(ax.patches) for ax in fig.axes] == [30] * 20


def _gates(fig: Figure) -> None:
    assert [len(ax.lines) for ax in fig.axes] == [3, 3, 3, 3]
    assert all(len(ax.collections) >= 1 for ax in fig.axes)  # the shaded region


def _scatter(fig: Figure) -> None:
    assert len(fig.axes[0].collections[-1].get_offsets()) >= 1  # plus the colour bar's axes


EXPECTED: dict[str, Expect] = {
    "activations": Expect((600, 400), 1, _lines(3)),
    "activation-grid": Expect(None, 0, lambda fig: None),
    "activation-derivatives": Expect(
        (600, 400),
        1,
        _lines(
            4,
        ),
    ),
    "softmax": Expect((640, 300), 2, _bars),
    "log": Expect((500, 400), 1, _lines(1)),
    "loss-vs-probability": Expect((550, 400), 1, _lines(2)),
    "gradient-field": Expect((500, 500), 1, _quiver),
    "gradient-descent": Expect((500, 500), 1, _lines(3)),
    "optimizers": Expect((720, 520), 4, _optimizers),
    "weight-init-histograms": Expect((800, 520), 20, _histograms),
    "perceptron-gates": Expect((1040, 280), 4, _gates),
    "xor-regions": Expect((800, 400), 2, _lines(4, 2)),
    "rbf-fit": Expect((600, 400), 1, _lines(12)),
    "som": Expect((1040, 280), 4, _images_each(4)),
    "annealing": Expect((880, 400), 2, _lines(7, 5)),
    "error-surface": Expect((1000, 450), 2, _lines(3, 4)),
    "numerical-tangent": Expect((800, 320), 2, _lines(3, 3)),
    "network-weights": Expect((600, 400), 1, _lines(0)),
    "dying-relu": Expect((920, 360), 2, _lines(3, 1)),
    "mnist-digits": Expect((900, 420), 40, _images_each(40)),
    "mnist-digit": Expect((300, 320), 1, _images_each(1)),
    "training-curves": Expect((720, 300), 2, _lines(2, 2)),
    "confusion-matrix": Expect((500, 460), 1, _images_each(1)),
    "misclassified": Expect((1000, 230), 20, _images_each(20)),
    "first-layer-weights": Expect((800, 400), 50, _images_each(50)),
    "sweep-curves": Expect((900, 600), 20, _lines(*[2] * 20)),
    "sweep-scatter": Expect((520, 400), 2, _scatter),
    "preprocessing-losses": Expect((600, 360), 1, _lines(5)),
    "whitened-digits": Expect((660, 550), 30, _images_each(30)),
    "hog-cells": Expect((600, 300), 2, _lines(0, 7 * 7 * 9)),
    "cnn-filters": Expect((1280, 190), 32, _images_each(32)),
    "cnn-feature-maps": Expect((1190, 450), 102, _feature_maps),
    "cnn-misclassified": Expect((1000, 460), 40, _images_each(40)),
}
MNIST_FIGURES = {n for n, spec in plots.FIGURES.items() if "mnist" in spec.needs}


def _params(names):
    return [pytest.param(n, marks=pytest.mark.slow) if n in MNIST_FIGURES else n for n in names]


@pytest.fixture()
def mnist_env(monkeypatch):
    """Point load_mnist at the local IDX files when the shared folder is present."""
    local = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"
    if "NNSCRATCH_MNIST_DIR" not in os.environ and local.is_dir():
        monkeypatch.setenv("NNSCRATCH_MNIST_DIR", str(local))


def test_every_registered_figure_has_an_expectation():
    assert sorted(plots.names()) == sorted(EXPECTED)
    for name, spec in plots.FIGURES.items():
        assert spec.name == name
        assert spec.description and "\n" not in spec.description


@pytest.mark.parametrize("name", _params(EXPECTED))
def test_figure_draws_saves_and_repeats(name, tmp_path, mnist_env):
    expect = EXPECTED[name]
    fig = plots.make(name)
    assert isinstance(fig, Figure)
    size = expect.size
    if name == "activation-grid":  # one panel per registered elementwise activation
        count = len(plots.concepts._elementwise_names())
        assert len(fig.axes) == count >= 5
        assert [len(ax.lines) for ax in fig.axes] == [2] * count
        cols = min(4, count)
        size = (240 * cols, 200 * -(-count // cols))
    else:
        assert len(fig.axes) == expect.axes
        expect.check(fig)

    first = plots.save(fig, tmp_path / f"{name}.png")
    assert first.is_file()
    with Image.open(first) as img:
        assert img.format == "PNG"
        assert img.size == size
        pixels = np.asarray(img.convert("L"), dtype=np.float64)
    assert pixels.var() > 0, "the figure is blank"

    if name == "training-curves":  # retrain: the same seed must give the same model
        plots._demo.quick_model.cache_clear()
    again = plots.save(plots.make(name), tmp_path / f"{name}-again.png")
    assert first.read_bytes() == again.read_bytes()


# -- saving --------------------------------------------------------------------------


def test_save_svg_is_reproducible_and_png_has_no_software_tag(tmp_path):
    a = plots.save(plots.make("log"), tmp_path / "a.svg")
    b = plots.save(plots.make("log"), tmp_path / "b.svg")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().lstrip().startswith(b"<?xml")
    png = plots.save(plots.make("log"), tmp_path / "c.png").read_bytes()
    assert b"matplotlib" not in png.lower()


def test_save_rejects_unknown_suffix_and_non_figures(tmp_path):
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plots.save(plots.make("log"), tmp_path / "x.jpg")
    with pytest.raises(TypeError, match="Figure"):
        plots.save("not a figure", tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_save_dpi_scales_the_pixels(tmp_path):
    path = plots.save(plots.make("log"), tmp_path / "small.png", dpi=50)
    with Image.open(path) as img:
        assert img.size == (250, 200)


# -- registry ------------------------------------------------------------------------


def test_make_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown figure 'nope'.*gradient-field"):
        plots.make("nope")
    with pytest.raises(TypeError, match="name"):
        plots.make(3)


def test_make_passes_keyword_arguments():
    fig = plots.make("gradient-descent", lr=0.01, step_num=5)
    path = fig.axes[0].lines[-1]
    assert len(path.get_xdata()) == 6


def test_make_all_writes_each_named_file(tmp_path):
    wanted = ["log", "optimizers", "gradient-field"]
    paths = plots.make_all(tmp_path / "out", only=wanted)
    assert paths == [tmp_path / "out" / f"{n}.png" for n in wanted]
    assert all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(ValueError, match="suffix"):
        plots.make_all(tmp_path, suffix=".gif")
    (svg,) = plots.make_all(tmp_path / "svg", only=["log"], suffix=".svg")
    assert svg.name == "log.svg" and b"<svg" in svg.read_bytes()
    with pytest.raises(ValueError, match="unknown figure"):
        plots.make_all(tmp_path, only=["log", "nope"])


@pytest.mark.slow
def test_importing_nnscratch_does_not_import_matplotlib():
    code = "import sys, nnscratch; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_without_matplotlib_the_error_says_what_to_install():
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "try:\n    import nnscratch.plots\n"
        "except ImportError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "nnscratch[plot]"' in out.stdout


# -- drawing into given axes ---------------------------------------------------------


def test_drawing_into_a_given_axes_returns_its_figure():
    fig = Figure(figsize=(8, 3), layout="constrained")
    left, right = fig.subplots(1, 2)
    assert plots.plot_log(ax=left) is fig
    assert plots.plot_gradient_field(ax=right) is fig
    assert len(left.lines) == 1 and len(right.collections) == 1
    assert len(fig.axes) == 2


def test_axes_of_the_wrong_count_or_kind_are_refused():
    fig = Figure()
    with pytest.raises(ValueError, match="expected 4 Axes, got 1"):
        plots.plot_optimizer_paths(axes=[fig.add_subplot()])
    with pytest.raises(TypeError, match="Axes"):
        plots.plot_log(ax="axes")


# -- the numbers on the figures --------------------------------------------------------


def test_sigmoid_and_tanh_derivative_maxima_are_annotated_as_0_25_and_1():
    ax = plots.plot_sigmoid_tanh_derivatives().axes[0]
    sig, sig_max, _tanh, tanh_max = ax.lines
    assert sig_max.get_ydata()[0] == pytest.approx(0.25, abs=1e-12)
    assert tanh_max.get_ydata()[0] == pytest.approx(1.0, abs=1e-12)
    assert sig_max.get_xdata()[0] == 0 and tanh_max.get_xdata()[0] == 0
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["max 0.25 at x = 0", "max 1.00 at x = 0"]
    assert max(sig.get_ydata()) < 0.3  # the "0.3" of a common summary is wrong


def test_softmax_bars_show_the_books_probabilities():
    before, after = plots.plot_softmax().axes
    assert [p.get_height() for p in before.patches] == pytest.approx([0.3, 2.9, 4.0])
    heights = [p.get_height() for p in after.patches]
    assert heights == pytest.approx([0.01821127, 0.24519181, 0.73659691], rel=1e-6)
    assert sum(heights) == pytest.approx(1.0)


def test_activation_comparison_curves():
    step, sigmoid, relu = plots.plot_activations().axes[0].lines
    x = step.get_xdata()
    assert np.array_equal(step.get_ydata(), (x > 0).astype(float))
    np.testing.assert_allclose(sigmoid.get_ydata(), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_array_equal(relu.get_ydata(), np.maximum(0, x))


def test_activation_grid_derivatives_match_finite_differences():
    fig = plots.plot_activation_grid()
    assert len(fig.axes) >= 5
    for ax in fig.axes:
        f, df = ax.lines
        x, y = f.get_xdata(), f.get_ydata()
        slope = np.gradient(y, x)
        inner = slice(2, -2)  # away from the ends, where np.gradient is one-sided
        # central differences on a 0.02 grid; kinks (ReLU at 0) differ on one point at most
        close = np.isclose(slope[inner], df.get_ydata()[inner], atol=2e-2)
        assert close.mean() > 0.99, ax.get_title()


def test_loss_curves_are_minus_log_p_and_the_squared_error():
    ce, sse = plots.plot_loss_vs_probability(num_classes=10).axes[0].lines
    p = ce.get_xdata()
    np.testing.assert_allclose(ce.get_ydata(), -np.log(p + 1e-7), rtol=1e-9)
    expected_sse = 0.5 * ((1 - p) ** 2 + 9 * ((1 - p) / 9) ** 2)
    np.testing.assert_allclose(sse.get_ydata(), expected_sse, rtol=1e-9)


def test_gradient_field_arrows_are_minus_two_x():
    quiver = plots.plot_gradient_field().axes[0].collections[0]
    xy = quiver.XY if hasattr(quiver, "XY") else np.column_stack([quiver.X, quiver.Y])
    np.testing.assert_allclose(quiver.U, -2 * xy[:, 0], atol=1e-6)
    np.testing.assert_allclose(quiver.V, -2 * xy[:, 1], atol=1e-6)


def test_gradient_descent_path_shrinks_by_0_8_each_step():
    path = plots.plot_gradient_descent().axes[0].lines[-1]
    xs, ys = path.get_xdata(), path.get_ydata()
    assert (xs[0], ys[0]) == (-3.0, 4.0)
    # x <- x - 0.1 * 2x = 0.8 x for f = x0^2 + x1^2
    np.testing.assert_allclose(xs, -3.0 * 0.8 ** np.arange(21), rtol=1e-6)
    np.testing.assert_allclose(ys, 4.0 * 0.8 ** np.arange(21), rtol=1e-6)


def test_optimizer_paths_first_steps_by_hand():
    sgd, momentum, adagrad, adam = (ax.lines[0] for ax in plots.plot_optimizer_paths().axes)
    # SGD, lr 0.95, grad (x/10, 2y) at (-7, 2) = (-0.7, 4): (-7 + 0.665, 2 - 3.8)
    assert sgd.get_xdata()[1] == pytest.approx(-6.335)
    assert sgd.get_ydata()[1] == pytest.approx(-1.8)
    # Momentum, lr 0.1: v = -lr g = (0.07, -0.4)
    assert momentum.get_xdata()[1] == pytest.approx(-6.93)
    assert momentum.get_ydata()[1] == pytest.approx(1.6)
    # AdaGrad, lr 1.5: h = g^2, step = lr g / sqrt(h) = lr sign(g)
    assert adagrad.get_xdata()[1] == pytest.approx(-5.5, abs=1e-5)
    assert adagrad.get_ydata()[1] == pytest.approx(0.5, abs=1e-5)
    # Adam's first bias-corrected step is lr sign(g)
    assert adam.get_xdata()[1] == pytest.approx(-6.7, abs=1e-5)
    assert adam.get_ydata()[1] == pytest.approx(1.7, abs=1e-5)
    for line in (sgd, momentum, adagrad, adam):
        end = np.hypot(line.get_xdata()[-1], line.get_ydata()[-1])
        assert end < np.hypot(-7, 2)  # every one gets closer to the minimum


def test_weight_init_histograms_show_saturation_collapse_and_spread():
    outputs = {
        rule: plots.training.layer_activations(act, rule)
        for _, act, rule in plots.training.INIT_EXPERIMENTS
    }
    last = {rule: a[-1] for rule, a in outputs.items()}
    # std 1: sigmoid saturates, most outputs near 0 or 1
    assert np.mean((last["1"] < 0.1) | (last["1"] > 0.9)) > 0.5
    # std 0.01: everything collapses onto 0.5
    assert abs(last["0.01"].mean() - 0.5) < 0.01 and last["0.01"].std() < 0.02
    # Xavier keeps a spread through five layers
    assert last["xavier"].std() > 0.05
    # He keeps ReLU's variance of order one: half the units active
    assert 0.3 < np.mean(last["he"] > 0) < 0.7
    assert 0.2 < last["he"].std() < 5


def test_perceptron_gates_learn_and_and_fail_on_xor():
    axes = plots.plot_perceptron_gates().axes
    titles = [ax.get_title() for ax in axes]
    assert all("converged" in t for t in titles[:3])
    assert titles[3].startswith("XOR:") and "wrong" in titles[3]


def test_xor_band_lies_between_the_nand_and_or_lines():
    ax, mlp = plots.plot_xor_regions().axes
    nand, or_line = ax.lines[:2]
    # NAND: x1 + x2 = 1.4, OR: x1 + x2 = 0.4
    np.testing.assert_allclose(nand.get_xdata() + nand.get_ydata(), 1.4)
    np.testing.assert_allclose(or_line.get_xdata() + or_line.get_ydata(), 0.4)
    # the trained MLP's panel: the four XOR points over its probability shading
    zeros, ones = mlp.lines
    assert sorted(zip(zeros.get_xdata(), zeros.get_ydata(), strict=True)) == [(0, 0), (1, 1)]
    assert sorted(zip(ones.get_xdata(), ones.get_ydata(), strict=True)) == [(0, 1), (1, 0)]
    assert mlp.collections  # the filled contour and its 0.5 boundary
    assert float(mlp.get_title().rsplit("loss ", 1)[1]) < 0.01  # XOR learned


def test_rbf_fit_follows_sin():
    ax = plots.plot_rbf_fit().axes[0]
    fit = next(line for line in ax.lines if line.get_label() == "RBF fit")
    x = fit.get_xdata()
    assert np.abs(fit.get_ydata() - np.sin(x)).max() < 0.25


def test_confusion_matrix_counts_by_hand():
    t = np.array([0, 0, 1, 2, 2, 2])
    y = np.array([0, 1, 1, 2, 0, 2])
    cm = plots.confusion_matrix(t, y)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert plots.confusion_matrix(t, y, num_classes=4).shape == (4, 4)
    ax = plots.plot_confusion_matrix(t, y).axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), cm)
    assert "accuracy 0.6667" in ax.get_title()
    with pytest.raises(ValueError, match="num_classes"):
        plots.confusion_matrix(t, y, num_classes=2)
    with pytest.raises(ValueError, match="shape of t"):
        plots.confusion_matrix(t, y[:-1])
    with pytest.raises(ValueError, match="integer labels"):
        plots.confusion_matrix(t, y.astype(float))
    # MNIST's labels are uint8: 9 * 10 + 9 must not wrap around
    u8 = np.array([9, 9, 0], dtype=np.uint8)
    assert plots.confusion_matrix(u8, u8)[9, 9] == 2


def test_history_plot_takes_a_dict_or_a_history_object():
    data = {"loss": [1.0, 0.5, 0.3], "accuracy": [0.7, 0.8, 0.9], "val_loss": [1.1, 0.7, 0.5]}

    class History:
        history = data

    for source in (data, History()):
        loss_ax, acc_ax = plots.plot_history(source).axes
        assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 1
        assert list(loss_ax.lines[0].get_ydata()) == [1.0, 0.5, 0.3]
        assert list(loss_ax.lines[0].get_xdata()) == [1, 2, 3]
    with pytest.raises(TypeError, match="history"):
        plots.plot_history([1, 2])
    with pytest.raises(ValueError, match="loss"):
        plots.plot_history({"accuracy": [0.5]})


def test_misclassified_and_weights_on_synthetic_arrays():
    rng = np.random.default_rng(0)
    x = rng.random((30, 784))
    t = np.arange(30) % 10
    y = t.copy()
    y[[3, 7, 20]] = (y[[3, 7, 20]] + 1) % 10
    axes = plots.plot_misclassified(x, t, y).axes
    assert [ax.get_title() for ax in axes] == ["3→4", "7→8", "0→1"]
    np.testing.assert_array_equal(axes[0].images[0].get_array(), x[3].reshape(28, 28))
    assert len(plots.plot_misclassified(x, t, t).axes) == 1  # "no mistakes"

    w = rng.standard_normal((784, 12))
    axes = plots.plot_first_layer_weights(w).axes
    assert len(axes) == 12
    np.testing.assert_array_equal(axes[5].images[0].get_array(), w[:, 5].reshape(28, 28))
    with pytest.raises(ValueError, match="weights"):
        plots.plot_first_layer_weights(rng.random((783, 3)))


def test_digit_plots_on_synthetic_images():
    x = np.arange(3 * 784, dtype=np.float64).reshape(3, 784)
    axes = plots.plot_digits(x, np.eye(10)[[4, 1, 7]]).axes
    assert [ax.get_title() for ax in axes] == ["4", "1", "7"]
    ax = plots.plot_digit(x[1], 1).axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), x[1].reshape(28, 28))
    assert ax.get_title() == "label 1"
    with pytest.raises(ValueError, match="image"):
        plots.plot_digit(np.zeros((2, 3, 4)))


def test_som_u_matrix_separates_the_six_colours():
    fig = plots.plot_som()
    u_matrix = fig.axes[0].images[0].get_array()
    assert u_matrix.shape == (12, 12) and u_matrix.max() == pytest.approx(1.0)
    marks = {t.get_text(): t.get_position() for t in fig.axes[0].texts}
    assert sorted(marks) == sorted("RGBYCM")
    units = {(round(r), round(c)) for c, r in marks.values()}
    assert len(units) == 6  # every colour has its own best matching unit
    red = fig.axes[1].images[0].get_array()
    c, r = marks["R"]
    assert red[round(r), round(c)] > 0.8  # the red centre's unit holds red
    c, r = marks["B"]
    assert red[round(r), round(c)] < 0.2


def test_annealing_escapes_the_basin_that_traps_descent():
    paths, energies = plots.plot_annealing().axes
    *annealed, descent = energies.lines
    # descent stays in the basin of (3, -2): f near 9 + 4 = 13 minus the cosine dip
    assert descent.get_ydata()[-1] == pytest.approx(12.93, abs=0.01)
    end = paths.lines[4]  # seeds 0-3, then descent
    assert (end.get_xdata()[-1], end.get_ydata()[-1]) == pytest.approx((2.985, -1.990), abs=1e-3)
    finals = [line.get_ydata()[-1] for line in annealed]
    assert len(finals) == 4 and max(finals) < 3.0  # every annealed run ends lower
    assert min(finals) < 0.05  # and one finds the global minimum 0
    best = paths.lines[-1]  # the best of 10 restarts: a lower basin than descent's
    assert best.get_label() == "best of 10 restarts (4.97)"
    assert (best.get_xdata()[0], best.get_ydata()[0]) == pytest.approx((0.995, -1.990), abs=1e-3)

"""The figures the study notes draw (nnscratch.plots.book_figures): the data on them, not pixels."""

from __future__ import annotations

import numpy as np
import pytest

plots = pytest.importorskip("nnscratch.plots")

from matplotlib.collections import LineCollection  # noqa: E402

import nnscratch as nn  # noqa: E402
from nnscratch.numerical import numerical_diff  # noqa: E402
from nnscratch.plots import book_figures as bf  # noqa: E402

# -- error surface -------------------------------------------------------------------


def test_two_weight_problem_has_two_trainable_weights_and_zero_error_at_the_teacher():
    net, x, t = bf.two_weight_problem()
    assert list(net.trainable_parameters()) == ["0.W"]
    np.testing.assert_array_equal(net.parameters()["0.W"], [bf.TEACHER])
    assert net.loss(x, t) == 0.0
    np.testing.assert_allclose(t[:, 0], np.tanh(1.5 * x[:, 0]) + 0.5 * np.tanh(-2.5 * x[:, 0]))


def test_error_surface_is_the_loss_at_each_grid_point_and_restores_the_weights():
    net, x, t = bf.two_weight_problem()
    a, b = np.array([-1.0, 0.5, 2.0]), np.array([0.0, -2.5])
    surface = bf.error_surface(net, x, t, a, b)
    assert surface.shape == (2, 3)
    for i, bi in enumerate(b):
        for j, aj in enumerate(a):
            y = np.tanh(aj * x) + 0.5 * np.tanh(bi * x)
            assert surface[i, j] == pytest.approx(0.5 * np.mean((y - t) ** 2), rel=1e-12)
    np.testing.assert_array_equal(net.parameters()["0.W"], [bf.TEACHER])


def _hessian(net, x, t, w, h=1e-4):
    """Central-difference Hessian of E at w from value_and_grad's gradients."""
    params = net.parameters()["0.W"]
    rows = []
    for k in range(2):
        step = np.eye(2)[k] * h
        params[0] = w + step
        g_plus = net.value_and_grad(x, t)[1]["0.W"][0].copy()
        params[0] = w - step
        g_minus = net.value_and_grad(x, t)[1]["0.W"][0].copy()
        rows.append((g_plus - g_minus) / (2 * h))
    params[0] = w
    return np.array(rows)


@pytest.mark.slow
def test_descent_from_the_default_starts_ends_in_two_local_minima_and_near_the_global_one():
    net, x, t = bf.two_weight_problem()
    finals = []
    for start in bf.DESCENT_STARTS:
        path, errors = bf.descent_path(net, x, t, start, lr=1.0, steps=1000)
        assert path.shape == (1001, 2) and errors.shape == (1001,)
        np.testing.assert_array_equal(path[0], start)
        assert np.all(np.diff(errors) <= 1e-15)  # descent never goes up here
        finals.append((path[-1], errors[-1]))
    (w1, e1), (w2, e2), (_, e3) = finals
    np.testing.assert_allclose(w1, [0.77, -0.56], atol=0.02)
    np.testing.assert_allclose(w2, [0.02, 0.97], atol=0.02)
    assert 1.6e-4 < e1 < 1.7e-4 and 2.0e-4 < e2 < 2.1e-4
    assert e3 < 1e-5  # heading for the global minimum, E = 0 at (1.5, -2.5)
    for w, e in ((w1, e1), (w2, e2)):  # true local minima: descent stays, Hessian pos. def.
        path, errors = bf.descent_path(net, x, t, w, lr=1.0, steps=5000)
        assert np.abs(path[-1] - w).max() < 0.03 and errors[-1] > 0.99 * e
        net.parameters()["0.W"][0] = path[-1]
        assert np.abs(net.value_and_grad(x, t)[1]["0.W"]).max() < 1e-6
        assert np.linalg.eigvalsh(_hessian(net, x, t, path[-1])).min() > 1e-3


def test_error_surface_figure_plots_the_paths_it_computed():
    fig = bf.plot_error_surface(steps=50, resolution=11)
    ax3d, ax = fig.axes
    net, x, t = bf.two_weight_problem()
    for k, start in enumerate(bf.DESCENT_STARTS):
        path, errors = bf.descent_path(net, x, t, start, 1.0, 50)
        np.testing.assert_allclose(ax.lines[k].get_xdata(), path[:, 0])
        np.testing.assert_allclose(ax.lines[k].get_ydata(), path[:, 1])
        _, _, zs = ax3d.lines[k].get_data_3d()
        np.testing.assert_allclose(zs, errors)
    star = ax.lines[-1]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == bf.TEACHER
    assert len(ax.get_legend().get_texts()) == 3


def test_error_surface_arguments_are_checked():
    with pytest.raises(ValueError, match="lr"):
        bf.plot_error_surface(lr=0)
    with pytest.raises(ValueError, match="resolution"):
        bf.plot_error_surface(resolution=2)


# -- tangent ---------------------------------------------------------------------------


SLOPES = (0.1999999999990898, 0.2999999999986347)  # the book's printed values


def test_tangents_have_the_books_numerical_slopes_and_touch_the_curve():
    fig = bf.plot_numerical_tangent()
    assert len(fig.axes) == 2
    for ax, x0, printed in zip(fig.axes, (5.0, 10.0), SLOPES, strict=True):
        curve, tangent, point = ax.lines
        xs, ys = tangent.get_xdata(), tangent.get_ydata()
        slope = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
        assert slope == pytest.approx(printed, rel=1e-12)
        assert numerical_diff(lambda v: 0.01 * v**2 + 0.1 * v, x0) == printed
        f0 = 0.01 * x0**2 + 0.1 * x0
        assert (point.get_xdata()[0], point.get_ydata()[0]) == (x0, f0)
        np.testing.assert_allclose(np.interp(x0, xs, ys), f0, atol=1e-9)
        np.testing.assert_allclose(curve.get_ydata(), 0.01 * xs**2 + 0.1 * xs)
        assert (curve.get_ydata() >= ys - 1e-9).all()  # a convex curve lies above its tangent


# -- network drawing ---------------------------------------------------------------------


def test_network_edges_are_as_wide_as_the_weights_and_coloured_by_sign():
    w1 = np.array([[1.0, -2.0, 0.5], [0.0, 4.0, -1.0]])
    w2 = np.array([[2.0], [-4.0], [1.0]])
    net = nn.Sequential(
        [nn.Dense.from_weights(w1, np.zeros(3)), nn.Activation("relu"), nn.Dense.from_weights(w2)],
        loss="sum_squared_error",
        dtype="float64",
    )
    (ax,) = bf.plot_network(net).axes
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert [len(c.get_segments()) for c in edges] == [6, 3]
    for c, w in zip(edges, (w1, w2), strict=True):
        np.testing.assert_allclose(c.get_linewidths(), 0.3 + 4.7 * np.abs(w.ravel()) / 4.0)
        red = c.get_colors()[:, 0] > 0.5
        np.testing.assert_array_equal(red, w.ravel() > 0)
    units = [c for c in ax.collections if not isinstance(c, LineCollection)]
    assert [len(c.get_offsets()) for c in units] == [2, 3, 1]
    assert ax.get_title().startswith("2-3-1 network")


def test_network_default_is_a_trained_2_6_6_3_net_and_bad_nets_are_refused():
    (ax,) = bf.plot_network().axes
    assert [len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection)] == [
        12,
        36,
        18,
    ]
    with pytest.raises(TypeError, match="net: expected a Sequential"):
        bf.plot_network("net")
    big = nn.Sequential([nn.Dense(2, 100), nn.Activation("relu"), nn.Dense(100, 2)], seed=0)
    with pytest.raises(ValueError, match="at most 48 units a layer, got 100"):
        bf.plot_network(big)
    no_dense = nn.Sequential([nn.Activation("relu")], loss="sum_squared_error")
    with pytest.raises(ValueError, match="at least one Dense"):
        bf.plot_network(no_dense)


# -- dying ReLU ---------------------------------------------------------------------------


def test_dead_unit_fraction_counts_units_that_no_sample_activates():
    # unit 0: x0 + x1 > 0 for some rows; unit 1: always -1 (dead); unit 2: -x0 > 0 for none
    dense = nn.Dense.from_weights([[1.0, 0.0, -1.0], [1.0, 0.0, 0.0]], [0.0, -1.0, 0.0])
    net = nn.Sequential([dense, nn.Activation("relu"), nn.Dense(3, 2, seed=0)], dtype="float64")
    x = np.array([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]])
    assert bf.dead_unit_fraction(net, x) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="relu"):
        bf.dead_unit_fraction(nn.Sequential([nn.Dense(2, 2)], seed=0), x)


def test_too_large_a_learning_rate_kills_relu_units_and_a_good_one_does_not():
    good, _ = bf.dying_relu_run(0.1, epochs=3)
    large, net = bf.dying_relu_run(3.0, epochs=3)
    assert good[0] == large[0]  # same initialisation
    assert good[-1] < 0.2
    assert large[-1] > 0.4
    assert bf.dead_unit_fraction(net, bf.spirals(100, 3, seed=0)[0]) == large[-1]


def test_dying_relu_figure_plots_the_runs():
    fig = bf.plot_dying_relu(lrs=(0.1, 3.0), epochs=2)
    ax, hist = fig.axes
    for line, lr in zip(ax.lines, (0.1, 3.0), strict=True):
        dead, _ = bf.dying_relu_run(lr, epochs=2)
        np.testing.assert_array_equal(line.get_ydata(), dead)
    assert len(hist.patches) == 2  # one step histogram per learning rate
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr 0.1", "lr 3"]

"""Tests for nnscratch.numerical: the book's printed numbers and the in-place contract."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.numerical import (
    gradient_check,
    gradient_descent,
    numerical_diff,
    numerical_gradient,
)


def function_1(x):
    """The book's ch. 4.3.2 example, 0.01 x^2 + 0.1 x."""
    return 0.01 * x**2 + 0.1 * x


def function_2(x):
    """The book's ch. 4.3.3 example, x0^2 + x1^2."""
    return x[0] ** 2 + x[1] ** 2


# --- numerical_diff ---------------------------------------------------------


def test_numerical_diff_book_values():
    # The book prints 0.1999999999990898 and 0.2999999999986347.
    assert numerical_diff(function_1, 5) == pytest.approx(0.1999999999990898, abs=1e-10)
    assert numerical_diff(function_1, 10) == pytest.approx(0.2999999999986347, abs=1e-10)
    # ... and both are close to the exact derivative 0.02 x + 0.1.
    assert numerical_diff(function_1, 5) == pytest.approx(0.2, abs=1e-9)


def test_numerical_diff_rejects_bad_h_and_vector_f():
    with pytest.raises(ValueError, match="h: expected"):
        numerical_diff(function_1, 1.0, h=0.0)
    with pytest.raises(ValueError, match="scalar"):
        numerical_diff(lambda x: np.array([x, x]), 1.0)


# --- numerical_gradient ----------------------------------------------------


def test_numerical_gradient_book_values():
    # The book, ch. 4.4: [6. 8.], [0. 4.], [6. 0.].
    for point, expected in [([3.0, 4.0], [6, 8]), ([0.0, 2.0], [0, 4]), ([3.0, 0.0], [6, 0])]:
        g = numerical_gradient(function_2, np.array(point))
        np.testing.assert_allclose(g, expected, atol=1e-7)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 3, 4)])
def test_numerical_gradient_any_shape(shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    w = rng.normal(size=shape)
    before = x.copy()
    g = numerical_gradient(lambda a: np.sum(w * np.sin(a)), x)
    assert g.shape == x.shape and g.dtype == x.dtype
    np.testing.assert_allclose(g, w * np.cos(before), rtol=1e-7, atol=1e-9)
    assert np.array_equal(x, before)


def test_numerical_gradient_non_contiguous_view_is_perturbed_in_place():
    base = np.arange(12, dtype=np.float64).reshape(3, 4)
    view = base[:, ::2]  # not contiguous: perturbation must reach base
    seen = []

    def f(a):
        seen.append(base.copy())
        return float(np.sum(a**2))

    g = numerical_gradient(f, view)
    np.testing.assert_allclose(g, 2 * view, rtol=1e-9)
    assert seen[0][0, 0] == pytest.approx(1e-4)  # first call saw base[0, 0] + h
    assert np.array_equal(base, np.arange(12, dtype=np.float64).reshape(3, 4))


def test_numerical_gradient_restores_exact_bits():
    # Values whose +h / -h round trip would not restore them by arithmetic.
    x = np.array([0.1, 1e-300, -0.0, 1e20, np.pi], dtype=np.float64)
    bits = x.view(np.uint64).copy()
    numerical_gradient(lambda a: float(np.sum(a)), x)
    assert np.array_equal(x.view(np.uint64), bits)


def test_numerical_gradient_restores_when_f_raises():
    x = np.array([0.1, 0.2, 0.3], dtype=np.float64)
    bits = x.view(np.uint64).copy()
    calls = {"n": 0}

    def f(a):
        calls["n"] += 1
        if calls["n"] == 3:  # the +h call of the second entry
            assert a[1] != 0.2  # it is perturbed right now
            raise RuntimeError("boom")
        return float(np.sum(a))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert calls["n"] == 3
    assert np.array_equal(x.view(np.uint64), bits)


def test_numerical_gradient_rejects_integer_and_non_arrays():
    with pytest.raises(TypeError, match="floating"):
        numerical_gradient(function_2, np.array([3, 4]))
    with pytest.raises(TypeError, match="NumPy array"):
        numerical_gradient(function_2, [3.0, 4.0])
    with pytest.raises(ValueError, match="scalar"):
        numerical_gradient(lambda a: a * 2, np.array([1.0, 2.0]))


def test_numerical_gradient_float32_works_but_is_coarse():
    x = np.array([3.0, 4.0], dtype=np.float32)
    g = numerical_gradient(function_2, x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [6, 8], rtol=1e-2)  # float32: only ~3 digits


# --- gradient_descent --------------------------------------------------------


def test_gradient_descent_book_lr_0_1():
    init = np.array([-3.0, 4.0])
    x, history = gradient_descent(function_2, init, lr=0.1, step_num=100)
    # The book prints [-6.11110793e-10  8.14814391e-10].
    np.testing.assert_allclose(x, [0.0, 0.0], atol=1e-8)
    np.testing.assert_allclose(x, [-6.11110793e-10, 8.14814391e-10], rtol=1e-6)
    assert np.array_equal(init, [-3.0, 4.0])  # init_x is not modified
    assert history.shape == (101, 2)
    assert np.array_equal(history[0], init) and np.array_equal(history[-1], x)
    # Each step of lr 0.1 on x^2 multiplies x by 0.8.
    np.testing.assert_allclose(history[1], [-2.4, 3.2], rtol=1e-9)


def test_gradient_descent_book_lr_too_large_diverges():
    with np.errstate(all="raise"):  # no overflow or invalid value on the way
        x, _ = gradient_descent(function_2, np.array([-3.0, 4.0]), lr=10.0, step_num=100)
    np.testing.assert_allclose(x, [-2.58983747e13, -1.29524862e12], rtol=1e-6)


def test_gradient_descent_book_lr_too_small_barely_moves():
    x, _ = gradient_descent(function_2, np.array([-3.0, 4.0]), lr=1e-10, step_num=100)
    np.testing.assert_allclose(x, [-2.99999994, 3.99999992], rtol=1e-8)


def test_gradient_descent_integer_start_and_validation():
    init = np.array([-3, 4])
    x, history = gradient_descent(function_2, init, lr=0.1, step_num=0)
    assert x.dtype == np.float64 and history.shape == (1, 2)
    assert np.array_equal(init, [-3, 4])
    with pytest.raises(ValueError, match="lr"):
        gradient_descent(function_2, init, lr=-1.0)
    with pytest.raises(TypeError, match="step_num: expected an integer >= 0"):
        gradient_descent(function_2, init, step_num=2.5)


# --- gradient_check ----------------------------------------------------------


def test_gradient_check_right_and_wrong_gradients():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4))
    before = x.copy()
    f = lambda a: float(np.sum(np.tanh(a) ** 2))  # noqa: E731
    right = 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)
    assert gradient_check(f, x, right) < 1e-7
    assert np.array_equal(x, before)
    wrong = right.copy()
    wrong[1, 2] *= 1.01
    err = gradient_check(f, x, wrong)
    assert 1e-3 < err < 1e-2  # |0.01 a| / (2.01 |a|) ~ 0.005


def test_gradient_check_zero_gradient_and_floor():
    x = np.array([1.0, 2.0])
    # f does not depend on x[1]: numerical gradient is exactly 0, so 0/0 -> 0.
    assert gradient_check(lambda a: a[0] ** 3, x, np.array([3.0, 0.0])) < 1e-8
    # True gradient 0 at a0 = 0 but f depends on a0: the central difference of
    # a0^3 gives h^2 = 1e-10, a 100 % relative error unless a floor is set.
    f = lambda a: a[0] ** 3 + a[1] ** 2  # noqa: E731
    x0 = np.array([0.0, 1.0])
    assert gradient_check(f, x0, np.array([0.0, 2.0])) == pytest.approx(1.0)
    assert gradient_check(f, x0, np.array([0.0, 2.0]), floor=1e-4) < 1e-5
    with pytest.raises(ValueError, match="floor"):
        gradient_check(f, x0, np.array([0.0, 2.0]), floor=0.0)
    # NaN in the analytic gradient gives NaN (fails any tolerance).
    assert np.isnan(gradient_check(lambda a: a[0] ** 3, x, np.array([np.nan, 0.0])))


def test_gradient_check_validation():
    with pytest.raises(TypeError, match="float64"):
        gradient_check(function_2, np.array([1.0, 2.0], np.float32), np.zeros(2))
    with pytest.raises(ValueError, match="analytic: expected shape"):
        gradient_check(function_2, np.array([1.0, 2.0]), np.zeros(3))
    assert gradient_check(lambda a: 0.0, np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


# --- the book's simpleNet (ch. 4.4.2) -------------------------------------------
# A 2x3 weight matrix, no bias, softmax + the book's cross_entropy_error.
# With the W below, the numbers loss 0.2084985 and the gradient's negative first
# column belong to the true class 0, t = [1, 0, 0]. (The book's own run uses
# t = [0, 0, 1] with a random W and prints 0.92806853663411326.)

SIMPLE_W = np.array([[-0.48896906, -0.43767281, 0.94069236], [1.56181584, -0.6269286, -2.09184833]])
SIMPLE_X = np.array([0.6, 0.9])
SIMPLE_GRAD = np.array(
    [[-0.1129187, 0.07005907, 0.04285962], [-0.16937804, 0.10508861, 0.06428943]]
)


def test_simple_net_predict_and_loss():
    from scipy.special import softmax

    from nnscratch.losses import cross_entropy_error, softmax_cross_entropy

    z = SIMPLE_X @ SIMPLE_W
    np.testing.assert_allclose(z, [1.11225282, -0.82683942, -1.31824808], atol=1e-7)
    t = np.array([1, 0, 0])
    assert cross_entropy_error(softmax(z), t) == pytest.approx(0.2084985, abs=1e-6)
    assert softmax_cross_entropy(z, t) == pytest.approx(0.2084985, abs=1e-6)
    assert cross_entropy_error(softmax(z), 0) == pytest.approx(0.2084985, abs=1e-6)
    # the other targets give other losses: 0.2084985 identifies t = [1, 0, 0]
    assert cross_entropy_error(softmax(z), np.array([0, 1, 0])) == pytest.approx(2.14759, abs=1e-5)
    assert cross_entropy_error(softmax(z), np.array([0, 0, 1])) == pytest.approx(2.63900, abs=1e-5)


def test_simple_net_numerical_gradient_book_style():
    from scipy.special import softmax

    from nnscratch.losses import cross_entropy_error

    W = SIMPLE_W.copy()
    t = np.array([1, 0, 0])

    def f(_):  # the book's `f = lambda w: net.loss(x, t)`: reads W, perturbed in place
        return cross_entropy_error(softmax(SIMPLE_X @ W), t)

    dW = numerical_gradient(f, W)
    np.testing.assert_allclose(dW, SIMPLE_GRAD, atol=1e-7)
    assert np.array_equal(W, SIMPLE_W)


def test_simple_net_analytic_gradient_checks():
    from nnscratch.losses import softmax_cross_entropy, softmax_cross_entropy_grad

    t = np.array([1, 0, 0])
    W = SIMPLE_W.copy()
    analytic = np.outer(SIMPLE_X, softmax_cross_entropy_grad(SIMPLE_X @ W, t))
    # the numbers are this exact gradient, to their 8 printed digits
    np.testing.assert_allclose(analytic, SIMPLE_GRAD, atol=1e-8)
    err = gradient_check(lambda w: softmax_cross_entropy(SIMPLE_X @ w, t), W, analytic)
    assert err < 1e-8

"""Tests for nnscratch.losses: the book's values, SciPy / PyTorch oracles, gradients."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import special

from nnscratch import losses as L
from nnscratch.numerical import gradient_check

# The book's ch. 4.2 example: "2" is the answer; y puts 0.6 on it, y2 puts 0.6 on "7".
T_BOOK = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
Y_BOOK = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
Y2_BOOK = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])

FLOATS = [np.float32, np.float64]


def _batch(rng, n=5, k=4, dtype=np.float64):
    z = rng.normal(scale=2.0, size=(n, k)).astype(dtype)
    labels = rng.integers(0, k, size=n)
    return z, labels, np.eye(k, dtype=dtype)[labels]


# --- the book's printed values --------------------------------------------------


def test_sum_squared_error_book_values():
    assert L.sum_squared_error(Y_BOOK, T_BOOK) == pytest.approx(0.0975, abs=1e-12)
    assert L.sum_squared_error(Y2_BOOK, T_BOOK) == pytest.approx(0.5975, abs=1e-12)
    # labels work too (converted to one-hot), for one sample and a batch (mean of rows)
    assert L.sum_squared_error(Y_BOOK, 2) == pytest.approx(0.0975, abs=1e-12)
    batch = np.stack([Y_BOOK, Y2_BOOK])
    assert L.sum_squared_error(batch, np.array([2, 2])) == pytest.approx(0.3475, abs=1e-12)


def test_mean_squared_error_is_the_usual_mean():
    # mean over every element: 2 / K times the book's per-sample half sum
    assert L.mean_squared_error(Y_BOOK, T_BOOK) == pytest.approx(0.0975 * 2 / 10, abs=1e-12)
    y = np.array([[1.0, 2.0], [3.0, 5.0]])
    t = np.array([[0.0, 2.0], [3.0, 2.0]])
    assert L.mean_squared_error(y, t) == pytest.approx((1 + 0 + 0 + 9) / 4)
    assert L.sum_squared_error(y, t) == pytest.approx((0.5 * 1 + 0.5 * 9) / 2)


def test_cross_entropy_error_book_values():
    # The book prints 0.510825457099338 and 2.302584092994546.
    assert L.cross_entropy_error(Y_BOOK, T_BOOK) == pytest.approx(0.510825457099338, abs=1e-9)
    assert L.cross_entropy_error(Y2_BOOK, T_BOOK) == pytest.approx(2.302584092994546, abs=1e-9)
    assert L.cross_entropy_error(Y_BOOK, 2) == pytest.approx(0.510825457099338, abs=1e-9)
    batch = np.stack([Y_BOOK, Y2_BOOK])
    mean = (0.510825457099338 + 2.302584092994546) / 2
    assert L.cross_entropy_error(batch, np.array([2, 2])) == pytest.approx(mean, abs=1e-9)
    assert L.cross_entropy_error(batch, np.stack([T_BOOK, T_BOOK])) == pytest.approx(mean)
    # y = 0 on the answer: the 1e-7 keeps it finite, -log(1e-7) = 16.118...
    assert L.cross_entropy_error(Y_BOOK, 3) == pytest.approx(-np.log(1e-7))


# --- oracles ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_cross_entropy_matches_scipy(dtype):
    rng = np.random.default_rng(0)
    z, labels, onehot = _batch(rng, n=7, k=5, dtype=dtype)
    expected = -np.mean(special.log_softmax(z.astype(np.float64), axis=-1)[np.arange(7), labels])
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    assert L.softmax_cross_entropy(z, labels) == pytest.approx(expected, rel=rtol)
    assert L.softmax_cross_entropy(z, onehot) == pytest.approx(expected, rel=rtol)
    grad = L.softmax_cross_entropy_grad(z, labels)
    assert grad.dtype == dtype and grad.shape == z.shape
    p = special.softmax(z.astype(np.float64), axis=-1)
    np.testing.assert_allclose(grad, (p - np.eye(5)[labels]) / 7, rtol=rtol, atol=rtol * 1e-2)


def test_softmax_cross_entropy_leading_axes_are_samples():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(2, 3, 4))
    labels = rng.integers(0, 4, size=(2, 3))
    flat = L.softmax_cross_entropy(z.reshape(6, 4), labels.reshape(6))
    assert L.softmax_cross_entropy(z, labels) == pytest.approx(flat, rel=1e-14)
    # one sample: a scalar label or a 1-D one-hot
    one = L.softmax_cross_entropy(z[0, 0], int(labels[0, 0]))
    assert one == pytest.approx(-special.log_softmax(z[0, 0])[labels[0, 0]], rel=1e-14)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_cross_entropy_is_stable_for_huge_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = L.softmax_cross_entropy(z, np.array([1, 0]))
        grad = L.softmax_cross_entropy_grad(z, np.array([1, 0]))
        value, fused = L.SoftmaxCrossEntropy().value_and_grad(z, np.array([1, 0]))
    # row 0: -log_softmax = 2e4 for class 1; row 1: uniform, log 3
    assert loss == pytest.approx((2e4 + np.log(3)) / 2, rel=1e-6)
    assert value == pytest.approx(loss, rel=1e-6)
    assert grad.dtype == dtype and fused.dtype == dtype
    np.testing.assert_allclose(grad, [[0.5, -0.5, 0.0], [(1 / 3 - 1) / 2, 1 / 6, 1 / 6]], atol=1e-7)
    np.testing.assert_allclose(fused, grad, atol=1e-7)


def test_label_smoothing_formula():
    rng = np.random.default_rng(2)
    z, labels, onehot = _batch(rng, n=6, k=4)
    eps = 0.1
    q = (1 - eps) * onehot + eps / 4
    expected = -np.mean(np.sum(q * special.log_softmax(z, axis=-1), axis=-1))
    assert L.softmax_cross_entropy(z, labels, eps) == pytest.approx(expected, rel=1e-13)
    assert L.softmax_cross_entropy(z, onehot, eps) == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(
        L.softmax_cross_entropy_grad(z, labels, eps), (special.softmax(z, -1) - q) / 6, atol=1e-15
    )
    with pytest.raises(ValueError, match="label_smoothing"):
        L.softmax_cross_entropy(z, labels, 1.5)


def test_label_smoothing_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    z, labels, _ = _batch(rng, n=8, k=5)
    soft = rng.dirichlet(np.ones(5), size=8)
    zt = torch.tensor(z, requires_grad=True)
    for t_np, t_torch in [(labels, torch.tensor(labels)), (soft, torch.tensor(soft))]:
        for eps in (0.0, 0.2, 1.0):
            zt.grad = None
            ref = torch.nn.functional.cross_entropy(zt, t_torch, label_smoothing=eps)
            ref.backward()
            assert L.softmax_cross_entropy(z, t_np, eps) == pytest.approx(ref.item(), rel=1e-12)
            value, grad = L.SoftmaxCrossEntropy(eps).value_and_grad(z, t_np)
            assert value == pytest.approx(ref.item(), rel=1e-12)
            np.testing.assert_allclose(grad, zt.grad.numpy(), atol=1e-15)


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_cross_entropy_matches_scipy(dtype):
    rng = np.random.default_rng(4)
    p = rng.uniform(0.01, 0.99, size=(6, 3)).astype(dtype)
    t = rng.uniform(0, 1, size=(6, 3)).astype(dtype)  # soft targets are allowed
    p64, t64 = p.astype(np.float64), t.astype(np.float64)
    expected = -np.mean(special.xlogy(t64, p64) + special.xlogy(1 - t64, 1 - p64))
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert L.binary_cross_entropy(p, t) == pytest.approx(expected, rel=rtol)
    assert L.binary_cross_entropy_grad(p, t).dtype == dtype


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_cross_entropy_clips_with_the_dtype_epsilon(dtype):
    eps = np.finfo(dtype).eps
    p = np.array([[0.0], [1.0]], dtype=dtype)
    t = np.array([[1.0], [0.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = L.binary_cross_entropy(p, t)
        grad = L.binary_cross_entropy_grad(p, t)
    assert loss == pytest.approx(-np.log(eps), rel=1e-4)  # 36.04 in float64, 15.94 in float32
    np.testing.assert_array_equal(grad, 0.0)  # flat outside the clip
    # right answers cost (almost) nothing
    assert L.binary_cross_entropy(p, 1 - t) < 1e-6


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_binary_cross_entropy_matches_scipy_and_is_stable(dtype):
    rng = np.random.default_rng(5)
    z = rng.normal(scale=3, size=(5, 2)).astype(dtype)
    t = rng.uniform(0, 1, size=(5, 2)).astype(dtype)
    z64, t64 = z.astype(np.float64), t.astype(np.float64)
    expected = -np.mean(t64 * special.log_expit(z64) + (1 - t64) * special.log_expit(-z64))
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert L.sigmoid_binary_cross_entropy(z, t) == pytest.approx(expected, rel=rtol)
    grad = L.sigmoid_binary_cross_entropy_grad(z, t)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, (special.expit(z64) - t64) / 10, rtol=rtol, atol=1e-7)
    big = np.array([1e4, -1e4, 1e4, -1e4], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = L.sigmoid_binary_cross_entropy(big, np.array([1, 0, 0, 1]))
        g = L.sigmoid_binary_cross_entropy_grad(big, np.array([1, 0, 0, 1]))
    assert value == pytest.approx((0 + 0 + 1e4 + 1e4) / 4)
    np.testing.assert_allclose(g, [0, 0, 0.25, -0.25])


# --- gradients against central differences -------------------------------------


def _losses_with_targets(rng):
    z, labels, onehot = _batch(rng, n=4, k=3)
    p = rng.uniform(0.2, 1.0, size=(4, 3))  # probabilities well away from 0, where
    p /= p.sum(axis=1, keepdims=True)  # log's curvature would swamp h = 1e-5
    soft = rng.dirichlet(np.ones(3), size=4)
    reg = rng.normal(size=(4, 3))
    prob = rng.uniform(0.05, 0.95, size=(4, 3))
    bin_t = rng.uniform(0, 1, size=(4, 3))
    return [
        ("sum_squared_error", z, reg),
        ("sum_squared_error", z, labels),
        ("mean_squared_error", z, reg),
        ("mean_squared_error", z, onehot),
        ("cross_entropy_error", p, labels),
        ("cross_entropy_error", p, onehot),
        ("cross_entropy_error", p, soft),
        ("softmax_cross_entropy", z, labels),
        ("softmax_cross_entropy", z, soft),
        ("binary_cross_entropy", prob, bin_t),
        ("sigmoid_binary_cross_entropy", z, bin_t),
    ]


@pytest.mark.parametrize("case", range(11))
def test_gradients_agree_with_numerical(case):
    name, y, t = _losses_with_targets(np.random.default_rng(6))[case]
    f = getattr(L, name)
    grad = getattr(L, name + "_grad")(y, t)
    assert gradient_check(lambda a: f(a, t), y.copy(), grad) <= 1e-6
    # one sample (1-D y) too
    assert (
        gradient_check(lambda a: f(a, t[0]), y[0].copy(), getattr(L, name + "_grad")(y[0], t[0]))
        <= 1e-6
    )


@pytest.mark.parametrize("eps", [0.1, 1.0])
def test_label_smoothing_gradient_agrees_with_numerical(eps):
    z, labels, _ = _batch(np.random.default_rng(7), n=4, k=3)
    grad = L.softmax_cross_entropy_grad(z, labels, eps)
    f = lambda a: L.softmax_cross_entropy(a, labels, eps)  # noqa: E731
    assert gradient_check(f, z.copy(), grad) <= 1e-6


@pytest.mark.parametrize("t", [[[1.0, 1.0, 0.0]], [[0.0, 0.0, 0.0]], [[0.5, 0.2, 0.2]]])
def test_softmax_cross_entropy_refuses_rows_that_do_not_sum_to_one(t):
    # for such rows softmax(z) - t is not the loss's gradient ((sum t) softmax(z) - t is):
    # z = [0.5, -1, 2], t = [1, 1, 0] would train on a gradient that disagrees with the loss
    z, t = np.array([[0.5, -1.0, 2.0]]), np.array(t)
    total = f"{float(t.sum()):g}"
    for call in (
        lambda: L.softmax_cross_entropy(z, t),
        lambda: L.softmax_cross_entropy_grad(z, t, 0.1),
        lambda: L.SoftmaxCrossEntropy().value_and_grad(z, t),
    ):
        with pytest.raises(
            ValueError, match=rf"^t: expected rows that sum to 1 .* summing to {total}$"
        ):
            call()
    # the logits are untouched when they were to be the output buffer
    z2 = z.copy()
    with pytest.raises(ValueError):
        L.SoftmaxCrossEntropy().value_and_grad(z2, t, out=z2)
    np.testing.assert_array_equal(z2, z)
    # the book's cross entropy is a plain formula on probabilities: any rows in [0, 1] work
    p = np.array([[0.3, 0.2, 0.5]])
    assert L.cross_entropy_error(p, t) == pytest.approx(-np.sum(t * np.log(p + 1e-7)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_cross_entropy_accepts_rows_within_rounding_of_one(dtype):
    rng = np.random.default_rng(12)
    z = rng.normal(size=(64, 10)).astype(dtype)
    t = special.softmax(rng.normal(size=(64, 10)), -1).astype(dtype)  # sums 1 +- a few ulp
    t[0] = 0
    t[0, 3] = 1 - (1e-7 if dtype == np.float64 else 1e-4)  # inside 1e-6 / 3.5e-4
    value, grad = L.SoftmaxCrossEntropy().value_and_grad(z, t)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    t[0, 3] = 1 - (1e-5 if dtype == np.float64 else 1e-3)  # outside
    with pytest.raises(ValueError, match=r"summing to 0\.99"):
        L.softmax_cross_entropy(z, t)


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_softmax_cross_entropy_gradient_on_probability_rows(eps):
    rng = np.random.default_rng(13)
    z = rng.normal(scale=2.0, size=(5, 4))
    t = rng.dirichlet(np.ones(4), size=5)
    t[0] = [0.0, 1.0, 0.0, 0.0]
    f = lambda a: L.softmax_cross_entropy(a, t, eps)  # noqa: E731
    assert gradient_check(f, z.copy(), L.softmax_cross_entropy_grad(z, t, eps)) <= 1e-6
    assert gradient_check(f, z.copy(), L.SoftmaxCrossEntropy(eps).value_and_grad(z, t)[1]) <= 1e-6


# --- the fused training path -----------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("eps", [0.0, 0.1])
@pytest.mark.parametrize("target", ["labels", "onehot", "soft"])
def test_value_and_grad_writes_into_out(dtype, eps, target):
    rng = np.random.default_rng(8)
    z, labels, onehot = _batch(rng, n=6, k=4, dtype=dtype)
    t = {"labels": labels, "onehot": onehot, "soft": rng.dirichlet(np.ones(4), 6)}[target]
    loss = L.SoftmaxCrossEntropy(eps)
    out = np.full_like(z, np.nan)
    value, grad = loss.value_and_grad(z, t, out=out)
    assert grad is out
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert value == pytest.approx(loss(z, t), rel=rtol)
    dense = onehot if target == "labels" else t
    expected = (special.softmax(z.astype(np.float64), -1) - ((1 - eps) * dense + eps / 4)) / 6
    np.testing.assert_allclose(out, expected, atol=10 * rtol * np.abs(expected).max())
    # out may be the logits themselves
    z2 = z.copy()
    value2, grad2 = loss.value_and_grad(z2, t, out=z2)
    assert grad2 is z2 and value2 == pytest.approx(value, rel=rtol)
    np.testing.assert_allclose(z2, out, atol=1e-6 if dtype == np.float32 else 1e-15)


def test_value_and_grad_layouts():
    rng = np.random.default_rng(11)
    z = np.asfortranarray(rng.normal(size=(5, 3)))  # not C-contiguous: read as it is
    labels = rng.integers(0, 3, size=5)
    value, grad = L.SoftmaxCrossEntropy().value_and_grad(z, labels)
    assert value == pytest.approx(L.softmax_cross_entropy(z, labels), rel=1e-14)
    np.testing.assert_allclose(grad, L.softmax_cross_entropy_grad(z, labels), atol=1e-16)
    z3 = rng.normal(size=(2, 3, 4))  # leading axes are samples
    t3 = rng.integers(0, 4, size=(2, 3))
    value3, grad3 = L.SoftmaxCrossEntropy().value_and_grad(z3, t3)
    assert value3 == pytest.approx(L.softmax_cross_entropy(z3, t3), rel=1e-14)
    assert grad3.shape == z3.shape
    out_f = np.empty((3, 5)).T  # a non-contiguous out still receives the gradient
    value_f, grad_f = L.SoftmaxCrossEntropy().value_and_grad(z, labels, out=out_f)
    assert grad_f is out_f and value_f == pytest.approx(value, rel=1e-14)
    np.testing.assert_array_equal(out_f, grad)
    with pytest.raises(TypeError, match="out: expected a NumPy array"):
        L.SoftmaxCrossEntropy().value_and_grad(z, labels, out=[0.0] * 15)


def test_value_and_grad_allocates_no_batch_sized_temporaries():
    rng = np.random.default_rng(9)
    n, k = 2000, 100
    z = rng.normal(size=(n, k))
    labels = rng.integers(0, k, size=n)
    out = np.empty_like(z)
    loss = L.SoftmaxCrossEntropy(0.1)
    loss.value_and_grad(z, labels, out=out)
    tracemalloc.start()
    try:
        loss.value_and_grad(z, labels, out=out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # an (n, k) float64 temporary alone would be 1.6 MB; per-row vectors are 16 kB each
    assert peak < z.nbytes / 4


@pytest.mark.parametrize("name", L.names())
def test_every_loss_object_value_and_grad(name):
    loss = L.get(name)
    rng = np.random.default_rng(10)
    z = rng.uniform(0.1, 0.9, size=(3, 2))
    t = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    out = np.empty_like(z)
    value, grad = loss.value_and_grad(z, t, out=out)
    assert grad is out
    assert value == pytest.approx(loss(z, t))
    np.testing.assert_allclose(grad, loss.gradient(z, t), rtol=1e-12)
    with pytest.raises(ValueError, match="out: expected a float64 array of shape"):
        loss.value_and_grad(z, t, out=np.empty((3, 3)))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(set(L.names()) - {"mse", "sse"}))
def test_gradients_keep_the_dtype(name, dtype):
    y = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], dtype=dtype)
    t = np.array([[0, 1, 0], [1, 0, 0]])
    value = getattr(L, name)(y, t)
    grad = getattr(L, name + "_grad")(y, t)
    assert isinstance(value, float) and np.isfinite(value)
    assert grad.dtype == dtype and grad.shape == y.shape
    ref = getattr(L, name + "_grad")(y.astype(np.float64), t)
    np.testing.assert_allclose(grad, ref, rtol=1e-5 if dtype == np.float32 else 1e-15)
    assert getattr(L, name + "_grad")(np.array([[1, 0, 0]]), t[:1]).dtype == np.float64  # int y


# --- targets: checked, never guessed --------------------------------------------


def test_target_errors_say_what_came():
    y = np.zeros((100, 10))
    msg = (
        r"t: expected integer labels of shape \(100,\) in \[0, 10\) or one-hot "
        r"\(or probability\) rows of shape \(100, 10\); got float64 array of shape \(100,\)"
    )
    with pytest.raises(ValueError, match=msg):
        L.softmax_cross_entropy(y, np.zeros(100))
    with pytest.raises(ValueError, match="got bool array"):
        L.cross_entropy_error(y, np.zeros(100, dtype=bool))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\); got min 0, max 10"):
        L.softmax_cross_entropy(y, np.arange(100) % 11)
    with pytest.raises(ValueError, match="got min -1"):
        L.softmax_cross_entropy(y, np.full(100, -1, dtype=np.int8))
    with pytest.raises(ValueError, match=r"shape \(100, 1\)"):
        L.softmax_cross_entropy(y, np.zeros((100, 1), dtype=int))  # wrong ndim
    with pytest.raises(ValueError, match="NaN"):
        L.softmax_cross_entropy(y, np.full((100, 10), np.nan))
    with pytest.raises(ValueError, match="only 0 and 1"):
        L.cross_entropy_error(y, np.full((100, 10), 2))
    with pytest.raises(ValueError, match=r"values in \[2, 2\]"):
        L.cross_entropy_error(y, np.full((100, 10), 2.0))
    with pytest.raises(ValueError, match=r"targets in \[0, 1\] of shape \(100, 10\)"):
        L.binary_cross_entropy(y + 0.5, np.zeros(100, dtype=int))  # labels not accepted
    with pytest.raises(ValueError, match="scalar"):
        L.mean_squared_error(np.float64(1.0), 1.0)
    with pytest.raises(TypeError, match="y: expected a real floating array"):
        L.sum_squared_error(np.array(["a", "b"]), np.array([0.0, 1.0]))


def test_targets_any_integer_dtype_and_regression_values():
    y = np.full((4, 3), 1 / 3)
    for dtype in (np.uint8, np.int16, np.int32, np.int64):
        assert L.cross_entropy_error(y, np.array([0, 1, 2, 0], dtype=dtype)) == pytest.approx(
            -np.log(1 / 3 + 1e-7)
        )
    # squared errors take any finite targets of y's shape
    assert L.sum_squared_error(y, np.full((4, 3), 7)) > 0


def test_to_labels_and_to_one_hot():
    y = np.zeros((3, 4), dtype=np.float32)
    labels = np.array([3, 0, 2])
    onehot = L.to_one_hot(y, labels)
    assert onehot.dtype == np.float32
    np.testing.assert_array_equal(onehot, np.eye(4)[labels])
    np.testing.assert_array_equal(L.to_labels(y, onehot), labels)
    np.testing.assert_array_equal(L.to_labels(y, labels), labels)
    np.testing.assert_array_equal(L.to_labels(y, np.eye(4)[labels] * 0.7), labels)
    assert L.to_labels(y[0], 2) == 2
    with pytest.raises(ValueError, match="t: expected"):
        L.to_one_hot(y, np.array([1.0, 2.0, 0.0]))


# --- registry ---------------------------------------------------------------------


def test_registry_names_and_output_activations():
    expected = {
        "sum_squared_error": "linear",
        "mean_squared_error": "linear",
        "cross_entropy_error": "linear",
        "softmax_cross_entropy": "softmax",
        "binary_cross_entropy": "linear",
        "sigmoid_binary_cross_entropy": "sigmoid",
    }
    for name, act in expected.items():
        loss = L.get(name)
        assert isinstance(loss, L.Loss) and loss.name == name
        assert loss.output_activation == act
    assert set(expected) <= set(L.names())
    assert L.get("MSE") == L.MeanSquaredError()
    with pytest.raises(ValueError, match="softmax_cross_entropy") as info:
        L.get("crossentropy")
    assert "unknown name 'crossentropy'" in str(info.value)
    with pytest.raises(TypeError, match="loss: expected"):
        L.get(None)


def test_serialize_round_trip_with_label_smoothing():
    loss = L.SoftmaxCrossEntropy(label_smoothing=0.1)
    config = L.serialize(loss)
    assert config == {"class_name": "softmax_cross_entropy", "config": {"label_smoothing": 0.1}}
    back = L.deserialize(json.loads(json.dumps(config)))
    assert back == loss and back.label_smoothing == 0.1
    assert L.get(config) == loss and L.get(loss) is loss
    assert back != L.SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match="bad config"):
        L.deserialize({"class_name": "mean_squared_error", "config": {"label_smoothing": 0.1}})
    with pytest.raises(ValueError, match="label_smoothing"):
        L.SoftmaxCrossEntropy(-0.1)


# --- properties ---------------------------------------------------------------------


@st.composite
def _logits_and_labels(draw):
    n = draw(st.integers(1, 6))
    k = draw(st.integers(2, 10))
    z = draw(hnp.arrays(np.float64, (n, k), elements=st.floats(-5, 5)))
    labels = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    return z, labels


@settings(max_examples=60, deadline=None)
@given(_logits_and_labels())
def test_softmax_cross_entropy_versus_the_books_form(data):
    # -log(p) >= -log(p + d) >= -log(p) - d / p: the book's 1e-7 only lowers the loss,
    # by at most mean(1e-7 / p) on the answers.
    z, labels = data
    p = special.softmax(z, axis=-1)
    exact = L.softmax_cross_entropy(z, labels)
    book = L.cross_entropy_error(p, labels)
    bound = np.mean(1e-7 / p[np.arange(len(labels)), labels])
    assert -1e-12 <= exact - book <= bound * (1 + 1e-6) + 1e-12
    assert exact == pytest.approx(
        -np.mean(special.log_softmax(z, -1)[np.arange(len(labels)), labels])
    )


@settings(max_examples=60, deadline=None)
@given(_logits_and_labels(), st.floats(0, 1))
def test_losses_are_non_negative(data, eps):
    z, labels = data
    p = special.softmax(z, axis=-1)
    onehot = np.eye(z.shape[1])[labels]
    assert L.softmax_cross_entropy(z, labels, eps) >= 0
    assert L.cross_entropy_error(p, labels) >= 0
    assert L.sum_squared_error(z, labels) >= 0
    assert L.mean_squared_error(z, onehot) >= 0
    assert L.binary_cross_entropy(p, onehot) >= 0
    assert L.sigmoid_binary_cross_entropy(z, onehot) >= 0

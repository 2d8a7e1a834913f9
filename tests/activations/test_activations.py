"""Tests for nnscratch.activations: book values, SciPy/PyTorch oracles, gradient checks.

Every gradient is checked against central differences (``numerical.gradient_check``,
float64) through the vjp with a random ``dout``; values against SciPy and hand
formulas; kinks against the documented conventions; the registry round trip for
every name; float32 extremes for warnings (pytest turns warnings into errors).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.special as sps
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnscratch import activations as A
from nnscratch.numerical import gradient_check

RNG_SEED = 20240611

ALL_NAMES = [
    "elu",
    "exponential",
    "gelu",
    "hard_sigmoid",
    "hard_silu",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "sign",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "step",
    "tanh",
]
ELEMENTWISE = [n for n in ALL_NAMES if n not in ("softmax", "log_softmax")]

# Non-default configurations (dicts as serialize() writes them).
NON_DEFAULT = [
    {"class_name": "relu", "config": {"negative_slope": 0.1}},
    {"class_name": "relu", "config": {"max_value": 6.0}},
    {"class_name": "relu", "config": {"threshold": 0.5}},
    {"class_name": "relu", "config": {"negative_slope": 0.3, "max_value": 2.5, "threshold": 0.5}},
    {"class_name": "leaky_relu", "config": {"negative_slope": 0.05}},
    {"class_name": "leaky_relu", "config": {"negative_slope": 1.5}},
    {"class_name": "elu", "config": {"alpha": 0.5}},
    {"class_name": "gelu", "config": {"approximate": True}},
    {"class_name": "softmax", "config": {"axis": 0}},
    {"class_name": "log_softmax", "config": {"axis": 0}},
]
ALL_FUNCS = [*ALL_NAMES, *NON_DEFAULT]


def _id(spec):
    if isinstance(spec, str):
        return spec
    return spec["class_name"] + "-" + "-".join(f"{k}={v}" for k, v in spec["config"].items())


def _kinks(f) -> list[float]:
    """Points where f is not differentiable (gradient checks stay away from them)."""
    name = f.name
    if name in ("step", "sign", "leaky_relu", "elu", "selu"):
        return [0.0]
    if name == "relu":
        return [f.threshold] + ([] if f.max_value is None else [f.max_value])
    if name == "relu6":
        return [0.0, 6.0]
    if name in ("hard_sigmoid", "hard_silu"):
        return [-3.0, 3.0]
    return []


def _points(f, shape, rng, lim=4.0, gap=1e-3):
    """Uniform points in [-lim, lim] (and [0, 7] for capped rectifiers), away from kinks."""
    hi = max([lim, *(k + 1 for k in _kinks(f))])
    x = rng.uniform(-lim, hi, size=shape)
    for k in _kinks(f):
        near = np.abs(x - k) < gap
        x[near] = k + np.where(x[near] >= k, 2 * gap, -2 * gap)
    return x


# ----------------------------------------------------------------------------- book values


def test_softmax_book_values():
    # Book 3.5.2: the naive form gives nan for [1010, 1000, 990]; with the max
    # subtracted the book prints these.
    y = A.softmax(np.array([1010, 1000, 990]))
    np.testing.assert_allclose(y, [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-8)
    y = A.softmax(np.array([0.3, 2.9, 4.0]))
    np.testing.assert_allclose(y, [0.01821127, 0.24519181, 0.73659691], rtol=1e-6)
    assert y.sum() == pytest.approx(1.0, abs=1e-15)


def test_book_step_sigmoid_relu_values():
    x = np.array([-1.0, 1.0, 2.0])
    np.testing.assert_array_equal(A.step(x), [0.0, 1.0, 1.0])  # book 3.2.3
    np.testing.assert_allclose(A.sigmoid(x), [0.26894142, 0.73105858, 0.88079708], rtol=1e-7)
    np.testing.assert_array_equal(A.relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


def test_extreme_book_values_without_warnings():
    assert A.sigmoid(-1000.0) == 0.0
    assert A.sigmoid(1000.0) == 1.0
    assert A.softplus(1000.0) == 1000.0
    assert A.softplus(-1000.0) == 0.0
    assert A.sigmoid(np.float32(-1000)) == 0.0


# ----------------------------------------------------------------------------- erf


def test_erf_matches_scipy_to_double_precision():
    x = np.concatenate(
        [
            np.linspace(-8, 8, 40001),
            np.logspace(-300, 1, 2000),
            -np.logspace(-300, 1, 2000),
            [0.0, -0.0, 0.46875, 4.0, 30.0, -30.0, 1e300, -1e300],
        ]
    )
    ours, ref = A.erf(x), sps.erf(x)
    np.testing.assert_allclose(ours, ref, rtol=2e-15, atol=0)
    assert ours.dtype == np.float64


def test_erfc_keeps_relative_accuracy_on_the_tail():
    x = np.linspace(-6, 26, 32001)
    ours = A.erfc(x)
    libm = np.array([math.erfc(v) for v in x])  # correctly rounded to ~1 ulp
    np.testing.assert_allclose(ours, libm, rtol=3e-15, atol=0)
    # SciPy's own erfc is only good to ~6e-14 relative near x = 26.
    np.testing.assert_allclose(ours, sps.erfc(x), rtol=1e-13, atol=0)
    assert A.erfc(27.0) == 0.0 and A.erfc(-1e308) == 2.0


def test_erf_dtype_and_scalar():
    assert A.erf(np.float32(0.5)).dtype == np.float32
    assert A.erf(1).dtype == np.float64
    assert np.ndim(A.erf(0.3)) == 0
    assert A.erf(0.3) == pytest.approx(math.erf(0.3), rel=1e-15)


# ----------------------------------------------------------------------------- values


def _formula(name, x, **cfg):
    """Hand formulas, written the naive way (in float64 on moderate x)."""
    s = 1 / (1 + np.exp(-x))
    sp = np.log1p(np.exp(x))
    forms = {
        "step": lambda: (x > 0).astype(float),
        "sign": lambda: np.sign(x),
        "linear": lambda: x,
        "sigmoid": lambda: s,
        "hard_sigmoid": lambda: np.minimum(np.maximum(x + 3, 0), 6) / 6,
        "hard_silu": lambda: x * np.minimum(np.maximum(x + 3, 0), 6) / 6,
        "tanh": lambda: np.tanh(x),
        "relu": lambda: np.maximum(x, 0),
        "relu6": lambda: np.minimum(np.maximum(x, 0), 6),
        "leaky_relu": lambda: np.where(x > 0, x, cfg.get("negative_slope", 0.2) * x),
        "elu": lambda: np.where(x > 0, x, cfg.get("alpha", 1.0) * (np.exp(x) - 1)),
        "selu": lambda: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
        "gelu": lambda: (
            0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
            if cfg.get("approximate")
            else 0.5 * x * (1 + sps.erf(x / np.sqrt(2)))
        ),
        "softplus": lambda: sp,
        "softsign": lambda: x / (1 + np.abs(x)),
        "silu": lambda: x * s,
        "mish": lambda: x * np.tanh(sp),
        "exponential": lambda: np.exp(x),
    }
    return forms[name]()


@pytest.mark.parametrize("spec", [*ELEMENTWISE, *NON_DEFAULT[4:8]], ids=_id)
def test_values_match_hand_formulas(spec):
    f = A.get(spec)
    cfg = f.get_config()
    x = np.linspace(-7, 7, 1401)
    np.testing.assert_allclose(f(x), _formula(f.name, x, **cfg), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_match_scipy(dtype):
    rng = np.random.default_rng(RNG_SEED)
    x = (rng.standard_normal((7, 11)) * 20).astype(dtype)
    rtol = 2e-6 if dtype == np.float32 else 1e-14
    tiny = np.finfo(dtype).tiny
    np.testing.assert_allclose(A.sigmoid(x), sps.expit(x), rtol=rtol, atol=tiny)
    np.testing.assert_allclose(A.softmax(x), sps.softmax(x, axis=-1), rtol=rtol, atol=tiny)
    np.testing.assert_allclose(A.softmax(x, axis=0), sps.softmax(x, axis=0), rtol=rtol, atol=tiny)
    np.testing.assert_allclose(A.log_softmax(x), sps.log_softmax(x, axis=-1), rtol=rtol, atol=tiny)
    x64 = x.astype(np.float64)
    # SciPy's ndtr/erfc tail is itself only good to ~6e-14 relative (see the erfc test)
    gelu_rtol = max(rtol, 1e-13)
    np.testing.assert_allclose(A.gelu(x), x64 * sps.ndtr(x64), rtol=gelu_rtol, atol=tiny)
    for f in (A.sigmoid, A.softmax, A.log_softmax, A.gelu):
        assert f(x).dtype == dtype


def test_sigmoid_tails_match_expit():
    x = np.linspace(-745, 745, 30001)
    np.testing.assert_allclose(A.sigmoid(x), sps.expit(x), rtol=1e-14, atol=1e-300)


def test_keras_relu_argument_examples():
    # The examples of keras.activations.relu's documentation.
    x = np.array([-10, -5, 0.0, 5, 10])
    np.testing.assert_array_equal(A.relu(x), [0, 0, 0, 5, 10])
    np.testing.assert_array_equal(A.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    np.testing.assert_array_equal(A.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_array_equal(A.relu(x, threshold=5.0), [0, 0, 0, 0, 10])
    y = A.relu(x, negative_slope=0.5, max_value=8.0, threshold=1.0)
    np.testing.assert_array_equal(y, [-5.5, -3.0, -0.5, 5, 8])


def test_relu6_and_relu_max_value_agree():
    x = np.linspace(-10, 10, 201)
    np.testing.assert_array_equal(A.relu6(x), A.relu(x, max_value=6))


def test_selu_constants_full_precision():
    assert A.SELU.ALPHA == float("1.6732632423543772848170429916717")
    assert A.SELU.SCALE == float("1.0507009873554804934193349852946")
    assert A.selu(1.0) == A.SELU.SCALE
    assert A.selu(-1000.0) == pytest.approx(-A.SELU.SCALE * A.SELU.ALPHA, rel=1e-15)


def test_gelu_forms():
    x = np.linspace(-6, 6, 121)
    exact, approx = A.gelu(x), A.gelu(x, approximate=True)
    assert np.max(np.abs(exact - approx)) < 1e-3  # the tanh form is a close fit
    assert A.gelu(-40.0) == pytest.approx(-40 * sps.ndtr(-40.0), rel=1e-12)
    assert A.gelu(1e300) == 1e300 and A.gelu(-1e300) == 0.0


def test_softmax_axis_and_tuple_axis():
    x = np.random.default_rng(RNG_SEED).standard_normal((3, 4, 5))
    np.testing.assert_allclose(A.softmax(x, axis=1), sps.softmax(x, axis=1), rtol=1e-14)
    np.testing.assert_allclose(A.softmax(x, axis=(1, 2)), sps.softmax(x, axis=(1, 2)), rtol=1e-14)
    np.testing.assert_allclose(A.log_softmax(x, axis=0), sps.log_softmax(x, axis=0), rtol=1e-14)


def test_softmax_of_a_float32_spread_beyond_the_range():
    x = np.array([3e38, -3e38], dtype=np.float32)
    np.testing.assert_array_equal(A.softmax(x), [1.0, 0.0])
    y = A.log_softmax(x)
    assert y[0] == 0 and y[1] == -np.inf  # -6e38 rounds to -inf in float32
    x = np.array([3e38, 1e30], dtype=np.float32)
    assert np.isfinite(A.log_softmax(x)).all()


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("spec", ALL_FUNCS, ids=_id)
def test_vjp_matches_numerical_gradient(spec):
    f = A.get(spec)
    rng = np.random.default_rng(RNG_SEED)
    x = _points(f, (4, 5), rng)
    dout = rng.standard_normal(x.shape)
    y = f(x)
    analytic = f.vjp(x, y, dout)
    err = gradient_check(lambda v: float(np.sum(f(v) * dout)), x, analytic)
    assert err <= 1e-6, f"{f!r}: relative error {err:.2e}"
    np.testing.assert_array_equal(f.vjp(x, None, dout), analytic)  # y recomputed


@pytest.mark.parametrize("spec", [s for s in ALL_FUNCS if A.get(s).elementwise], ids=_id)
def test_derivative_matches_numerical_and_vjp(spec):
    f = A.get(spec)
    rng = np.random.default_rng(RNG_SEED + 1)
    x = _points(f, (30,), rng)
    d = f.derivative(x, f(x))
    err = gradient_check(lambda v: float(np.sum(f(v))), x, d)
    assert err <= 1e-6, f"{f!r}: relative error {err:.2e}"
    dout = rng.standard_normal(x.shape)
    np.testing.assert_allclose(f.vjp(x, f(x), dout), d * dout, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(f.derivative(x), d)


def test_softmax_vjp_is_jacobian_transpose_product():
    rng = np.random.default_rng(RNG_SEED)
    x, dout = rng.standard_normal(6), rng.standard_normal(6)
    y = A.softmax(x)
    jac = np.diag(y) - np.outer(y, y)
    np.testing.assert_allclose(A.Softmax().vjp(x, y, dout), jac.T @ dout, rtol=1e-13)
    ly = A.log_softmax(x)
    ljac = np.eye(6) - y[None, :]  # d log y_i / d x_j = delta_ij - y_j
    np.testing.assert_allclose(A.LogSoftmax().vjp(x, ly, dout), ljac.T @ dout, rtol=1e-13)


KINKS = [
    # (spec, x, value there, derivative there, the side whose slope that is:
    #  -1 left, +1 right, 0 for a jump where neither one-sided slope is finite)
    ("relu", 0.0, 0.0, 0.0, -1),
    ("step", 0.0, 0.0, 0.0, 0),
    ("sign", 0.0, 0.0, 0.0, 0),
    ("relu6", 0.0, 0.0, 0.0, -1),
    ("relu6", 6.0, 6.0, 0.0, 1),
    ("hard_sigmoid", -3.0, 0.0, 0.0, -1),
    ("hard_sigmoid", 3.0, 1.0, 0.0, 1),
    ("hard_silu", -3.0, 0.0, 0.0, -1),
    ("hard_silu", 3.0, 3.0, 1.0, 1),
    ("leaky_relu", 0.0, 0.0, 0.2, -1),
    ("elu", 0.0, 0.0, 1.0, -1),
    ({"class_name": "elu", "config": {"alpha": 0.5}}, 0.0, 0.0, 0.5, -1),
    ("selu", 0.0, 0.0, A.SELU.SCALE * A.SELU.ALPHA, -1),
    (
        {"class_name": "relu", "config": {"negative_slope": 0.3, "threshold": 1.0}},
        1.0,
        0.0,
        0.3,
        -1,
    ),
    ({"class_name": "relu", "config": {"max_value": 2.0}}, 2.0, 2.0, 0.0, 1),
]


@pytest.mark.parametrize(
    ("spec", "x", "value", "slope", "side"), KINKS, ids=[f"{_id(k[0])}@{k[1]}" for k in KINKS]
)
def test_kink_conventions_same_in_value_derivative_and_vjp(spec, x, value, slope, side):
    f = A.get(spec)
    assert f(x) == value
    assert f.derivative(x) == slope
    assert f.vjp(np.array([x]), None, np.array([2.0]))[0] == 2.0 * slope
    if side:  # the convention is the one-sided slope of the outer piece
        h = 1e-6 * side
        assert (f(x + h) - f(x)) / h == pytest.approx(slope, abs=1e-5)


# ----------------------------------------------------------------------------- shapes, dtypes


@pytest.mark.parametrize("name", ALL_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_preserved(name, dtype):
    f = A.get(name)
    x = np.random.default_rng(RNG_SEED).standard_normal((2, 3, 4)).astype(dtype)
    y = f(x)
    assert y.shape == x.shape and y.dtype == dtype
    g = f.vjp(x, y, np.ones_like(x))
    assert g.shape == x.shape and g.dtype == dtype
    if f.elementwise:
        assert f.derivative(x, y).dtype == dtype


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_scalars_and_integers(name):
    f = A.get(name)
    y = f(0.5)
    assert np.ndim(y) == 0 and y.dtype == np.float64
    y32 = f(np.float32(0.5))
    assert np.ndim(y32) == 0 and y32.dtype == np.float32
    assert f(np.array([1, 2, -3])).dtype == np.float64
    np.testing.assert_array_equal(f(np.array([1, 2, -3])), f(np.array([1.0, 2.0, -3.0])))
    assert np.ndim(f.derivative(0.5)) == 0 and np.ndim(f.vjp(0.5, None, 1.0)) == 0
    assert f(np.zeros((0, 3))).shape == (0, 3)


def test_softmax_needs_an_axis():
    with pytest.raises(ValueError, match="axis -1 is out of range"):
        A.softmax(1.0)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        A.log_softmax(np.ones((2, 2)), axis=2)
    with pytest.raises(TypeError, match="not elementwise"):
        A.Softmax().derivative(np.ones(3))


def test_bad_input_types():
    with pytest.raises(TypeError, match="x: expected a real numeric array"):
        A.relu(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="x: expected a real numeric array"):
        A.sigmoid(np.array([1 + 2j]))
    with pytest.raises(ValueError, match="dout: expected the shape of x"):
        A.ReLU().vjp(np.ones(3), None, np.ones(4))


# ----------------------------------------------------------------------------- out=


@pytest.mark.parametrize("spec", ALL_FUNCS, ids=_id)
def test_out_argument(spec):
    f = A.get(spec)
    rng = np.random.default_rng(RNG_SEED)
    x = _points(f, (3, 4), rng)
    dout = rng.standard_normal(x.shape)
    y = f(x)
    buf = np.empty_like(x)
    assert f(x, out=buf) is buf
    np.testing.assert_array_equal(buf, y)
    xc = x.copy()
    assert f(xc, out=xc) is xc  # in place over the input
    np.testing.assert_array_equal(xc, y)
    g = f.vjp(x, y, dout)
    dout_before = dout.copy()
    gbuf = np.empty_like(x)
    assert f.vjp(x, y, dout, out=gbuf) is gbuf
    np.testing.assert_array_equal(gbuf, g)
    np.testing.assert_array_equal(dout, dout_before)  # dout never written
    with pytest.raises(ValueError, match="out: expected an array of its own"):
        f.vjp(x, y, dout, out=dout)
    with pytest.raises(ValueError, match=r"out: expected shape \(3, 4\)"):
        f(x, out=np.empty((4, 3)))
    with pytest.raises(TypeError, match="out: expected a floating NumPy array"):
        f(x, out=np.empty((3, 4), dtype=np.int64))


def test_out_float32_training_step_keeps_dtype():
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    for name in ("relu", "sigmoid", "tanh", "leaky_relu", "linear"):
        f = A.get(name)
        y = np.empty_like(x)
        f(x, out=y)
        dx = np.empty_like(x)
        f.vjp(x, y, np.ones_like(x), out=dx)
        assert y.dtype == dx.dtype == np.float32
        # y (1 - y) and 1 - y^2 in float32 lose ~eps32 / (1 - y) relative: 1e-5 here
        np.testing.assert_allclose(dx, f.derivative(x.astype(np.float64)), rtol=1e-5)


class _Sub(np.ndarray):
    """An ndarray subclass: takes the general (checked) path of ``__call__`` and ``vjp``."""


@pytest.mark.parametrize("spec", ALL_FUNCS, ids=_id)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_path_equals_general_path(spec, dtype):
    # Plain floating ndarrays skip the input checks; a subclass, a list or a
    # 0-d array goes through them: values and dtypes must be the same bits.
    f = A.get(spec)
    rng = np.random.default_rng(RNG_SEED)
    x = _points(f, (3, 4), rng).astype(dtype)
    dout = rng.standard_normal(x.shape).astype(dtype)
    y = f(x)
    assert type(y) is np.ndarray and y.dtype == dtype
    np.testing.assert_array_equal(f(x.view(_Sub)), y)
    if dtype == np.float64:
        np.testing.assert_array_equal(f(x.tolist()), y)
    strided = np.repeat(x, 2, axis=1)[:, ::2]  # a non-contiguous view
    np.testing.assert_array_equal(f(strided), y)
    out64 = np.empty(x.shape, np.float64)  # another floating dtype for out
    f(x, out=out64)
    np.testing.assert_array_equal(out64, f(x.view(_Sub), out=np.empty(x.shape)))
    g = np.empty_like(x)
    assert f.vjp(x, y, dout, out=g) is g
    assert g.dtype == dtype
    np.testing.assert_array_equal(g, f.vjp(x.view(_Sub), y, dout, out=np.empty_like(x)))
    np.testing.assert_array_equal(g, f.vjp(x, None, dout))
    if f.elementwise:
        assert f(x[0, 0]) == y[0, 0] and np.ndim(f(x[0, 0])) == 0


def test_fast_path_keeps_every_error():
    f, x = A.Sigmoid(), np.ones((2, 3))
    y, dout = f(x), np.ones((2, 3))
    with pytest.raises(ValueError, match=r"out: expected shape \(2, 3\), got \(3, 2\)"):
        f(x, out=np.empty((3, 2)))
    with pytest.raises(TypeError, match="out: expected a floating NumPy array, got int64"):
        f(x, out=np.empty((2, 3), np.int64))
    with pytest.raises(TypeError, match="out: expected a floating NumPy array, got list"):
        f(x, out=[[0.0] * 3] * 2)
    for same in (x, y, dout):
        with pytest.raises(ValueError, match="out: expected an array of its own"):
            f.vjp(x, y, dout, out=same)
    with pytest.raises(ValueError, match="y: expected the shape of x"):
        f.vjp(x, np.ones((3, 2)), dout, out=np.empty((2, 3)))
    with pytest.raises(ValueError, match="dout: expected the shape of x"):
        f.vjp(x, y, np.ones((3, 2)), out=np.empty((2, 3)))
    with pytest.raises(TypeError, match="out: expected a floating NumPy array"):
        f.vjp(x, y, dout, out=np.empty((2, 3), np.int32))
    with pytest.raises(TypeError, match="dout: expected a real numeric array"):
        f.vjp(x, y, np.array([["a"] * 3] * 2), out=np.empty((2, 3)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_bit_identical_across_the_overflow_of_exp(dtype):
    # Just above the overflow the naive formula's value (subnormal, not 0) is
    # kept bit for bit; below it the result is exactly 0, with no warning.
    edge = -float(np.log(np.finfo(dtype).max))  # -88.72 (float32), -709.78 (float64)
    x = np.array(edge, dtype)
    for _ in range(40):  # walk a few ulp either side of the edge
        x = np.nextafter(x, dtype(-np.inf))
    xs = [x]
    for _ in range(80):
        xs.append(np.nextafter(xs[-1], dtype(np.inf)))
    x = np.concatenate([np.array(xs, dtype), np.linspace(edge - 5, edge + 5, 1001, dtype=dtype)])
    with np.errstate(over="ignore"):
        naive = 1 / (1 + np.exp(-x))
    y = A.sigmoid(x)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, naive)
    assert (y == 0).any() and (y[y > 0] < np.finfo(dtype).tiny).any()  # both sides seen
    out = np.empty_like(x)
    np.testing.assert_array_equal(A.Sigmoid()(x, out=out), naive)
    xc = x.copy()
    np.testing.assert_array_equal(A.Sigmoid()(xc, out=xc), naive)


def test_error_state_is_local_and_restored():
    before = np.geterr()
    with np.errstate(over="raise", under="ignore"):
        assert A.sigmoid(-1000.0) == 0.0  # the sigmoid's own overflow stays silent
        assert A.softmax(np.array([3e38, -3e38], np.float32))[1] == 0.0
        with pytest.raises(FloatingPointError):
            np.exp(np.float64(1000))  # the caller's setting is back after the call
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning, match="overflow"):
        np.exp(np.float32(100))


def test_sigmoid_from_threads_without_warnings():
    from concurrent.futures import ThreadPoolExecutor

    f = A.Sigmoid()
    x = np.linspace(-2000, 2000, 4001)
    expected = f(x)

    def run(_):
        out = np.empty_like(x)
        for _ in range(200):
            f(x, out=out)
        return out

    with ThreadPoolExecutor(4) as pool:
        for out in pool.map(run, range(8)):
            np.testing.assert_array_equal(out, expected)


# ----------------------------------------------------------------------------- warnings, finiteness

EXTREMES = {
    np.float32: [1e30, -1e30, 3e38, -3e38, 3.4e38, -3.4e38, 1e-45, -1e-45, 0.0, 88.8, -88.8],
    np.float64: [1e300, -1e300, 1.7e308, -1.7e308, 5e-324, -5e-324, 0.0, 709.9, -745.2, 27.0],
}


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if n not in ("exponential", "selu")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extremes_finite_without_warnings(name, dtype):
    f = A.get(name)
    x = np.array(EXTREMES[dtype], dtype=dtype)
    y = f(x)
    d = f.derivative(x, y)
    g = f.vjp(x, y, np.ones_like(x))
    for arr in (y, d, g):
        assert arr.dtype == dtype and np.isfinite(arr).all(), (name, arr)


def test_selu_extremes():
    # selu(x) = 1.0507 x overflows genuinely beyond max/1.0507; up to there it is finite.
    for dtype, big in ((np.float32, 3e38), (np.float64, 1.7e308)):
        x = np.array([big, -big, 1e30, -1e30], dtype=dtype)
        assert np.isfinite(A.selu(x)).all() and np.isfinite(A.SELU().derivative(x)).all()


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_extremes_finite(name):
    f = A.get(name)
    x = np.array([[1e30, -1e30, 3e37], [3e38, 1e30, -1e30]], dtype=np.float32)
    y = f(x)
    g = f.vjp(x, y, np.ones_like(x))
    assert np.isfinite(y).all() and np.isfinite(g).all() and y.dtype == np.float32


def test_exponential_overflows_by_definition():
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert A.exponential(np.float32(100)) == np.inf


_F32_HALF = float(np.float32(1.7e38))
finite32 = st.floats(-_F32_HALF, _F32_HALF, width=32)


@pytest.mark.parametrize("name", [n for n in ALL_NAMES if n != "exponential"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_property_finite_for_finite_inputs(name, data):
    f = A.get(name)
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    elements = finite32 if dtype == np.float32 else st.floats(-8e307, 8e307)
    x = data.draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=3), elements=elements))
    if not f.elementwise:
        # keep each row's spread representable (else log_softmax is -inf, exactly)
        x = x / 4
    y = f(x)
    assert y.dtype == dtype and y.shape == x.shape
    assert np.isfinite(y).all()
    assert np.isfinite(f.vjp(x, y, np.ones_like(x))).all()


@settings(max_examples=60, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1),
        elements=st.floats(-1e3, 1e3),
    ),
    c=st.floats(-1e3, 1e3),
)
def test_property_softmax_rows_sum_to_one_and_shift_invariant(x, c):
    y = A.softmax(x)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)
    assert (y >= 0).all()
    np.testing.assert_allclose(A.softmax(x + c), y, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(np.exp(A.log_softmax(x)), y, rtol=1e-9, atol=1e-300)


# ----------------------------------------------------------------------------- registry


def test_names_and_aliases():
    assert A.names() == sorted(ALL_NAMES)
    assert set(A.names(include_aliases=True)) == {*ALL_NAMES, "identity", "swish", "hard_swish"}
    assert A.get("swish") == A.SiLU() and A.get("hard_swish") == A.HardSiLU()
    assert A.get("identity") == A.Linear()
    assert A.swish is A.silu and A.hard_swish is A.hard_silu and A.identity is A.linear
    for name in ALL_NAMES:
        f = A.get(name)
        assert f.name == name and callable(getattr(A, name))


def test_get_forms():
    assert A.get(None) == A.Linear()
    obj = A.LeakyReLU(0.1)
    assert A.get(obj) is obj
    assert A.get(A.ReLU) == A.ReLU()
    assert A.get({"class_name": "elu", "config": {"alpha": 2.0}}) == A.ELU(2.0)

    def plain(x):
        return x

    assert A.get(plain) is plain  # plain callables are returned as Keras does
    with pytest.raises(TypeError, match="expected None, a name, a dict or a callable"):
        A.get(3)


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown name 'rellu'") as info:
        A.get("rellu")
    for name in [*ALL_NAMES, "swish", "identity"]:
        assert repr(name) in str(info.value)


@pytest.mark.parametrize("spec", ALL_FUNCS, ids=_id)
def test_serialize_round_trip(spec):
    f = A.deserialize(spec)
    s = A.serialize(f)
    if isinstance(spec, str):
        assert s == spec  # the bare name for a default instance
    else:  # Keras's dict, with every argument
        assert s == {"class_name": spec["class_name"], "config": f.get_config()}
        assert spec["config"].items() <= f.get_config().items()
    assert A.deserialize(json.loads(json.dumps(s))) == f
    assert hash(A.deserialize(s)) == hash(f)


def test_serialize_forms():
    assert A.serialize(A.LeakyReLU(0.05)) == {
        "class_name": "leaky_relu",
        "config": {"negative_slope": 0.05},
    }
    assert A.serialize(A.LeakyReLU()) == "leaky_relu"
    assert A.serialize("swish") == "silu"
    assert A.serialize(A.ReLU(max_value=6)) == {
        "class_name": "relu",
        "config": {"negative_slope": 0.0, "max_value": 6.0, "threshold": 0.0},
    }
    # Keras 3 writes built-in activations like this
    keras3 = {"module": "keras.activations", "class_name": "function", "config": "relu"}
    assert A.deserialize(keras3) == A.ReLU()
    with pytest.raises(TypeError, match="can only serialize"):
        A.serialize(lambda x: x)


def test_bad_configs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"alpha: expected a non-negative finite number, got -1.0"):
        A.ELU(-1.0)
    with pytest.raises(ValueError, match="negative_slope: expected a non-negative finite number"):
        A.leaky_relu(np.ones(2), negative_slope=-0.1)
    with pytest.raises(ValueError, match="max_value: expected a non-negative finite number"):
        A.relu(np.ones(2), max_value=-1)
    with pytest.raises(ValueError, match="finite"):
        A.ELU(float("nan"))
    with pytest.raises(TypeError, match="alpha: expected a non-negative finite number"):
        A.ELU("1")
    with pytest.raises(TypeError, match="approximate: expected True or False"):
        A.GELU("tanh")
    with pytest.raises(TypeError, match="axis: expected an int"):
        A.Softmax(axis=True)
    with pytest.raises(ValueError, match=r"unknown config keys \['slope'\]"):
        A.deserialize({"class_name": "leaky_relu", "config": {"slope": 0.1}})
    with pytest.raises(ValueError, match="unknown config keys"):
        A.deserialize({"class_name": "selu", "config": {"alpha": 1.0}})
    with pytest.raises(ValueError, match="needs 'class_name'"):
        A.deserialize({"name": "relu"})
    with pytest.raises(TypeError, match="config expected a dict"):
        A.deserialize({"class_name": "elu", "config": [1.0]})


def test_repr_eq_hash():
    assert repr(A.ReLU()) == "ReLU()"
    assert repr(A.LeakyReLU(0.05)) == "LeakyReLU(negative_slope=0.05)"
    assert repr(A.Softmax(axis=0)) == "Softmax(axis=0)"
    assert A.ReLU(max_value=6) == A.ReLU(max_value=6.0)
    assert A.ReLU() != A.ReLU6() and A.ELU() != A.SELU()
    assert len({A.ReLU(), A.ReLU(), A.LeakyReLU(), A.LeakyReLU(0.1)}) == 3
    assert A.ReLU().get_config() == {"negative_slope": 0.0, "max_value": None, "threshold": 0.0}


def test_module_functions_take_keras_arguments():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_array_equal(A.leaky_relu(x, negative_slope=0.05), A.LeakyReLU(0.05)(x))
    np.testing.assert_array_equal(A.leaky_relu(x), np.where(x > 0, x, 0.2 * x))
    np.testing.assert_array_equal(A.gelu(x, approximate=True), A.GELU(True)(x))
    np.testing.assert_array_equal(A.elu(x, alpha=0.5), A.ELU(0.5)(x))
    np.testing.assert_array_equal(A.relu(x, 0.1, 2.0, 0.5), A.ReLU(0.1, 2.0, 0.5)(x))
    np.testing.assert_array_equal(A.softmax(x.reshape(13, 1), axis=0), A.Softmax(0)(x[:, None]))
    assert A.log_softmax(x, axis=-1).shape == (13,)


# ----------------------------------------------------------------------------- PyTorch oracle

TORCH_CASES = [
    ("sigmoid", "sigmoid", {}),
    ("tanh", "tanh", {}),
    ("relu", "relu", {}),
    ("relu6", "relu6", {}),
    ("leaky_relu", "leaky_relu", {"negative_slope": 0.01}),
    ("elu", "elu", {"alpha": 0.7}),
    ("selu", "selu", {}),
    ("gelu", "gelu", {}),
    ("gelu_tanh", "gelu", {"approximate": True}),
    ("softplus", "softplus", {}),
    ("softsign", "softsign", {}),
    ("silu", "silu", {}),
    ("mish", "mish", {}),
    ("hardsigmoid", "hard_sigmoid", {}),
    ("hardswish", "hard_silu", {}),
    ("softmax", "softmax", {}),
    ("log_softmax", "log_softmax", {}),
]


@pytest.mark.parametrize(("tname", "name", "cfg"), TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_against_pytorch(tname, name, cfg):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    fns = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": tf.relu,
        "relu6": tf.relu6,
        "leaky_relu": lambda t: tf.leaky_relu(t, 0.01),
        "elu": lambda t: tf.elu(t, alpha=0.7),
        "selu": tf.selu,
        "gelu": tf.gelu,
        "gelu_tanh": lambda t: tf.gelu(t, approximate="tanh"),
        "softplus": lambda t: tf.softplus(t, beta=1.0, threshold=1e9),
        "softsign": tf.softsign,
        "silu": tf.silu,
        "mish": tf.mish,
        "hardsigmoid": tf.hardsigmoid,
        "hardswish": tf.hardswish,
        "softmax": lambda t: tf.softmax(t, dim=-1),
        "log_softmax": lambda t: tf.log_softmax(t, dim=-1),
    }
    f = A.get({"class_name": name, "config": cfg})
    rng = np.random.default_rng(RNG_SEED)
    x = _points(f, (5, 8), rng, lim=6.0)
    dout = rng.standard_normal(x.shape)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = fns[tname](xt)
    yt.backward(torch.tensor(dout))
    y = f(x)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-13, atol=1e-15)
    # PyTorch's hardsigmoid backward multiplies by a float32 1/6 (3e-8 off)
    rtol = 1e-7 if tname == "hardsigmoid" else 1e-12
    np.testing.assert_allclose(f.vjp(x, y, dout), xt.grad.numpy(), rtol=rtol, atol=1e-15)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "leaky_relu", "linear"])
def test_training_path_allocates_no_temporaries(name):
    # NumPy reports its data buffers to tracemalloc: with out= given, the lean
    # functions must not allocate anything the size of x (4 MB here).
    import tracemalloc

    f = A.get(name)
    x = np.linspace(-3, 3, 1_000_000, dtype=np.float32)
    y, dx, dout = np.empty_like(x), np.empty_like(x), np.ones_like(x)
    f(x, out=y)  # warm up
    f.vjp(x, y, dout, out=dx)
    tracemalloc.start()
    try:
        f(x, out=y)
        f.vjp(x, y, dout, out=dx)
        if name != "leaky_relu":  # leaky_relu in place over x needs one scaled copy
            f(y, out=y)  # in place over the input
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000, f"{name}: {peak} bytes allocated"

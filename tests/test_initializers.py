"""Tests for nnscratch.initializers: shapes, dtypes, variances, seeds, registry."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nnscratch import initializers as init

# (name, shape, expected variance, expected bound for uniform or None)
FAN_IN, FAN_OUT = 400, 200
CASES = [
    ("glorot_normal", 2 / (FAN_IN + FAN_OUT), None),
    ("glorot_uniform", 2 / (FAN_IN + FAN_OUT), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("xavier_normal", 2 / (FAN_IN + FAN_OUT), None),
    ("xavier_uniform", 2 / (FAN_IN + FAN_OUT), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("he_normal", 2 / FAN_IN, None),
    ("he_uniform", 2 / FAN_IN, math.sqrt(6 / FAN_IN)),
    ("lecun_normal", 1 / FAN_IN, None),
    ("lecun_uniform", 1 / FAN_IN, math.sqrt(3 / FAN_IN)),
]


@pytest.mark.parametrize(("name", "variance", "bound"), CASES)
def test_variance_statistics(name, variance, bound):
    # 80,000 draws: the sample variance of a normal has relative standard error
    # sqrt(2/n) = 0.5 %, of a uniform sqrt(0.8/n) = 0.3 %; 3 % is > 6 sigma.
    w = init.get(name)((FAN_IN, FAN_OUT), np.random.default_rng(0), "float64")
    assert w.shape == (FAN_IN, FAN_OUT)
    assert w.dtype == np.float64
    assert abs(w.mean()) < 5 * math.sqrt(variance / w.size)
    assert w.var() == pytest.approx(variance, rel=0.03)
    if bound is not None:
        assert np.abs(w).max() <= bound
        assert np.abs(w).max() > 0.99 * bound
    else:  # a normal reaches beyond 4 sigma in 80,000 draws (p ~ 0.99)
        assert np.abs(w).max() > 4 * math.sqrt(variance)


def test_normal_std_is_the_books_001():
    w = init.normal((500, 200), np.random.default_rng(1), "float64")
    assert w.std() == pytest.approx(0.01, rel=0.02)
    w = init.Normal(std=0.5)((500, 200), np.random.default_rng(1), "float64")
    assert w.std() == pytest.approx(0.5, rel=0.02)


def test_zeros_and_constant():
    np.testing.assert_array_equal(init.zeros((3, 2)), np.zeros((3, 2), np.float32))
    c = init.constant((4,), None, "float64", value=0.25)
    assert c.dtype == np.float64
    np.testing.assert_array_equal(c, [0.25] * 4)


@pytest.mark.parametrize("dtype", ["float32", "float64", np.float16])
@pytest.mark.parametrize("name", ["normal", "glorot_uniform", "he_normal", "zeros"])
def test_shape_and_dtype(name, dtype):
    w = init.get(name)((7, 3), np.random.default_rng(0), dtype)
    assert w.shape == (7, 3)
    assert w.dtype == np.dtype(dtype)
    assert init.get(name)(5, np.random.default_rng(0), dtype).shape == (5,)


@pytest.mark.parametrize("name", [c[0] for c in CASES] + ["normal"])
def test_same_seed_same_values(name):
    a = init.get(name)((30, 20), np.random.default_rng(42))
    b = init.get(name)((30, 20), np.random.default_rng(42))
    c = init.get(name)((30, 20), np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_float32_is_the_float64_draw_rounded():
    a = init.he_normal((10, 10), np.random.default_rng(3), "float64")
    b = init.he_normal((10, 10), np.random.default_rng(3), "float32")
    np.testing.assert_array_equal(a.astype(np.float32), b)


def test_fans():
    assert init.compute_fans((784, 50)) == (784, 50)
    assert init.compute_fans((10,)) == (10, 10)
    assert init.compute_fans((30, 1, 5, 5)) == (25, 750)  # the book's (FN, C, FH, FW)
    w = init.he_normal((64, 16, 3, 3), np.random.default_rng(0), "float64")
    assert w.var() == pytest.approx(2 / (16 * 9), rel=0.05)


def test_registry_round_trip():
    for name in init.names():
        obj = init.get(name)
        cfg = init.serialize(obj)
        assert json.loads(json.dumps(cfg)) == cfg
        assert init.deserialize(cfg) == obj
    obj = init.get({"class_name": "normal", "config": {"std": 0.01}})
    assert isinstance(obj, init.Normal) and obj.std == 0.01
    assert init.get({"class_name": "RandomNormal", "config": {"stddev": 0.05}}).std == 0.05
    assert isinstance(init.get("GlorotUniform"), init.GlorotUniform)
    assert isinstance(init.get("xavier_uniform"), init.GlorotUniform)
    assert init.get(0.01) == init.Normal(0.01)  # the book's weight_init_std
    he = init.HeNormal()
    assert init.get(he) is he
    expected = {"class_name": "constant", "config": {"value": 0.5}}
    assert init.serialize(init.Constant(0.5)) == expected


def test_registry_errors():
    with pytest.raises(ValueError, match="he_normal"):  # lists the valid names
        init.get("he_nromal")
    with pytest.raises(ValueError, match="class_name"):
        init.get({"config": {}})
    with pytest.raises(ValueError, match="bad config"):
        init.get({"class_name": "normal", "config": {"sigma": 1}})
    with pytest.raises(TypeError):
        init.get(None)
    with pytest.raises(ValueError, match="std"):
        init.Normal(-1.0)


def test_bad_arguments():
    with pytest.raises(TypeError, match="rng"):
        init.he_normal((3, 3), 0)  # a seed is not a Generator
    with pytest.raises(TypeError, match="dtype"):
        init.he_normal((3, 3), np.random.default_rng(0), "int32")
    with pytest.raises(ValueError, match="shape"):
        init.he_normal((3, -1), np.random.default_rng(0))

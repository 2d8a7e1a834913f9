"""The one argument checker: wording, error types, normalisation."""

import numpy as np
import pytest

from nnscratch._validate import (
    Integer,
    Options,
    Real,
    check,
    check_array,
    check_bool,
    check_callable,
    check_float_dtype,
    check_seed,
)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (Real(0, None, low_open=True), "a positive finite number"),
        (Real(0), "a non-negative finite number"),
        (Real(0, 1, high_open=True), "a number in [0, 1)"),
        (Real(-1.5), "a finite number >= -1.5"),
        (Real(None, 2, high_open=True), "a finite number < 2"),
        (Integer(1), "an integer >= 1"),
        (Integer(0, 9), "an integer in [0, 9]"),
        (Options("min", "max"), "one of 'min', 'max'"),
    ],
)
def test_descriptions(spec, text):
    assert spec.describe() == text


def test_real_accepts_and_normalises():
    assert check("lr", np.float32(0.5), Real(0, None, low_open=True)) == 0.5
    assert isinstance(check("lr", 3, Real(0)), float)
    assert check("x", None, Real(0), none=True) is None


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_real_range_errors_are_value_errors(bad):
    with pytest.raises(ValueError, match=r"^lr: expected a positive finite number, got "):
        check("lr", bad, Real(0, None, low_open=True))


@pytest.mark.parametrize("bad", [True, "0.1", None, [1.0]])
def test_real_type_errors(bad):
    with pytest.raises(TypeError, match=r"^lr: expected a positive finite number, got "):
        check("lr", bad, Real(0, None, low_open=True))


def test_open_and_closed_bounds():
    spec = Real(0, 1, high_open=True)
    assert check("p", 0, spec) == 0.0
    with pytest.raises(ValueError, match=r"got 1"):
        check("p", 1, spec)
    assert Real(0, None, finite=False)("x", float("inf")) == float("inf")


def test_integer():
    assert check("epochs", np.int64(3), Integer(1)) == 3
    with pytest.raises(ValueError, match=r"^epochs: expected an integer >= 1, got 0$"):
        check("epochs", 0, Integer(1))
    with pytest.raises(TypeError, match=r"^epochs: expected an integer >= 1, got 2.0$"):
        check("epochs", 2.0, Integer(1))
    with pytest.raises(TypeError, match=r"got True"):
        check("epochs", True, Integer(1))


def test_options():
    assert check("mode", "min", Options("min", "max")) == "min"
    with pytest.raises(ValueError, match=r"^mode: expected one of 'min', 'max', got 'MIN'$"):
        check("mode", "MIN", Options("min", "max"))
    with pytest.raises(TypeError):
        check("mode", 1, Options("min", "max"))


def test_bool_seed_callable_dtype():
    assert check_bool("shuffle", np.bool_(True)) is True
    with pytest.raises(TypeError, match=r"^shuffle: expected True or False, got 1$"):
        check_bool("shuffle", 1)
    assert check_seed("seed", None) is None
    assert check_seed("seed", np.int32(4)) == 4
    rng = np.random.default_rng(0)
    assert check_seed("seed", rng, generator=True) is rng
    with pytest.raises(TypeError):
        check_seed("seed", rng)
    with pytest.raises(ValueError, match=r"^seed: expected None, an integer >= 0, got -1$"):
        check_seed("seed", -1)
    with pytest.raises(TypeError, match=r"^f: expected a callable, got int$"):
        check_callable("f", 3)
    assert check_callable("f", None, optional=True) is None
    assert check_float_dtype("dtype", "float32") == np.float32
    with pytest.raises(
        TypeError, match=r"^dtype: expected a floating dtype such as 'float32', got int64$"
    ):
        check_float_dtype("dtype", "int64")


def test_check_array():
    x = np.zeros((2, 3))
    assert check_array("x", x, ndim=2) is x
    with pytest.raises(
        ValueError, match=r"^x: expected a 1-D or 2-D array, got shape \(1, 1, 1\)$"
    ):
        check_array("x", np.zeros((1, 1, 1)), ndim=(1, 2))
    with pytest.raises(TypeError, match=r"^x: expected a real-valued array, got dtype <U1$"):
        check_array("x", ["a"])
    y = np.array([[0.0, np.nan]])
    with pytest.raises(ValueError, match=r"^x: expected finite values, got nan at index \(0, 1\)$"):
        check_array("x", y, finite=True)
    with pytest.raises(ValueError, match=r"non-empty"):
        check_array("x", np.zeros((0, 3)), nonempty=True)

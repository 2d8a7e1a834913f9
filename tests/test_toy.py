"""nnscratch.datasets.toy: truth tables and seeded toy sets."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.datasets.toy import GATES, blobs, logic_gate, moons, sine, spirals, xor

# The book's tables (section 2.2): inputs 00, 10, 01, 11.
BOOK_TABLES = {
    "AND": [0, 0, 0, 1],
    "NAND": [1, 1, 1, 0],
    "OR": [0, 1, 1, 1],
    "XOR": [0, 1, 1, 0],
}


@pytest.mark.parametrize("name", sorted(GATES))
def test_gates_are_the_boolean_functions(name):
    x, t = logic_gate(name)
    assert x.shape == (4, 2)
    assert x.dtype == np.float64
    assert t.shape == (4,)
    assert t.dtype == np.int64
    a, b = x[:, 0].astype(bool), x[:, 1].astype(bool)
    truth = {
        "AND": a & b,
        "OR": a | b,
        "NAND": ~(a & b),
        "NOR": ~(a | b),
        "XOR": a ^ b,
        "XNOR": ~(a ^ b),
    }[name]
    np.testing.assert_array_equal(t, truth.astype(np.int64))


@pytest.mark.parametrize("name", sorted(BOOK_TABLES))
def test_gates_match_the_books_tables(name):
    x, t = logic_gate(name.lower())
    np.testing.assert_array_equal(x, [[0, 0], [1, 0], [0, 1], [1, 1]])
    assert t.tolist() == BOOK_TABLES[name]


def test_xor_and_fresh_copies():
    x, t = xor()
    assert t.tolist() == [0, 1, 1, 0]
    x[0, 0] = 9
    assert logic_gate("XOR")[0][0, 0] == 0


def test_gate_errors():
    with pytest.raises(
        ValueError, match="name: expected one of AND, OR, NAND, NOR, XOR, XNOR, got 'IMPLY'"
    ):
        logic_gate("IMPLY")
    with pytest.raises(TypeError, match="name: expected a gate name"):
        logic_gate(1)


def test_spirals_shape_labels_and_geometry():
    x, t = spirals(50, 3, noise=0.0, seed=0)
    assert x.shape == (150, 2)
    assert t.shape == (150,)
    assert np.bincount(t).tolist() == [50, 50, 50]
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[:50], np.arange(50) / 50)
    # Without noise, point i of arm k is at angle 4 (k + i/n).
    angle = np.arctan2(x[:, 0], x[:, 1])
    expected = 4.0 * (t + np.tile(np.arange(50) / 50, 3))
    np.testing.assert_allclose(np.cos(angle[1:50]), np.cos(expected[1:50]), atol=1e-12)


def test_moons_geometry_without_noise():
    x, t = moons(101, noise=0.0, seed=0)
    assert x.shape == (101, 2)
    assert np.bincount(t).tolist() == [51, 50]
    np.testing.assert_allclose(np.hypot(*x[t == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(x[t == 1, 0] - 1.0, x[t == 1, 1] - 0.5), 1.0)
    assert x[t == 0, 1].min() >= -1e-12  # upper half circle
    assert x[t == 1, 1].max() <= 0.5 + 1e-12  # lower half circle


def test_blobs_with_given_centers():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, -10.0]])
    x, t = blobs(2000, centers, std=0.5, seed=1)
    assert x.shape == (6000, 2)
    for k in range(3):
        cluster = x[t == k]
        np.testing.assert_allclose(cluster.mean(axis=0), centers[k], atol=0.05)
        np.testing.assert_allclose(cluster.std(axis=0), 0.5, rtol=0.05)


def test_blobs_random_centers_in_box():
    x, t = blobs(10, 4, std=0.0, features=3, seed=2)
    assert x.shape == (40, 3)
    means = np.array([x[t == k][0] for k in range(4)])
    assert np.abs(means).max() <= 10
    np.testing.assert_array_equal(x, means[t])


def test_sine_without_noise_is_the_sine():
    x, y = sine(64, noise=0.0, seed=3)
    assert x.shape == y.shape == (64, 1)
    assert np.all(np.diff(x[:, 0]) >= 0)
    assert 0 <= x.min() and x.max() < 2 * np.pi
    np.testing.assert_allclose(y, np.sin(x))


@pytest.mark.parametrize(
    "make",
    [
        lambda s: spirals(20, seed=s),
        lambda s: moons(30, seed=s),
        lambda s: blobs(10, 3, seed=s),
        lambda s: sine(30, seed=s),
    ],
)
def test_same_seed_same_data_other_seed_other_data(make):
    a, b, c = make(5), make(5), make(6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    gen1, gen2 = np.random.default_rng(9), np.random.default_rng(9)
    np.testing.assert_array_equal(make(gen1)[0], make(gen2)[0])


def test_no_global_random_state_is_used():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it stays untouched)
    spirals(5, seed=None)
    moons(5, seed=None)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: spirals(0), ValueError, "n_per_class: expected a positive int, got 0"),
        (lambda: spirals(10, 2.5), TypeError, "classes: expected a positive int, got float"),
        (lambda: moons(10, noise=-1), ValueError, "noise: expected a finite number >= 0, got -1"),
        (lambda: moons(True), TypeError, "n: expected a positive int, got bool"),
        (lambda: sine(5, noise="x"), TypeError, "noise: expected a number >= 0, got str"),
        (lambda: blobs(5, np.zeros(3)), ValueError, r"centers: expected an int or an array"),
        (lambda: blobs(5, std=float("nan")), ValueError, "std: expected a finite number"),
    ],
)
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()

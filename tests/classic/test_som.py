"""Tests for nnscratch.classic.som: Kohonen's self-organizing map."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from nnscratch.classic.som import SOM


def _square(n=400, seed=0):
    return np.random.default_rng(seed).random((n, 2))


def test_winner_is_the_closest_unit():
    som = SOM(3, 4, 2, seed=0)
    w = np.arange(24, dtype=float).reshape(3, 4, 2)
    som.set_weights(w)
    # unit (1, 2) has weights (12, 13); (12.2, 12.9) is closest to it
    assert som.winner([12.2, 12.9]) == (1, 2)
    rng = np.random.default_rng(1)
    som.set_weights(rng.normal(size=(3, 4, 2)))
    for x in rng.normal(size=(50, 2)):
        d = np.linalg.norm(som.get_weights() - x, axis=2)
        assert som.winner(x) == np.unravel_index(np.argmin(d), d.shape)
    np.testing.assert_array_equal(
        som.winners(np.array([[0.0, 0.0], [1.0, 1.0]])),
        [som.winner([0.0, 0.0]), som.winner([1.0, 1.0])],
    )


def test_one_update_by_hand():
    # 1x3 map, weights 0, 1, 2 (1-D inputs), sigma 1, eta 0.5, a single step
    # with x = 0: the BMU is unit 0; at t = 0 the decays are 1, so
    # h = exp(-d^2 / 2) for grid distances 0, 1, 2 and w += 0.5 h (x - w):
    # w0 = 0, w1 = 1 - 0.5 e^-0.5, w2 = 2 - 1.0 e^-2.
    som = SOM(1, 3, 1, sigma=1.0, lr=0.5, seed=0)
    som.set_weights(np.array([[[0.0], [1.0], [2.0]]]))
    som.train(np.array([[0.0]]), 1)
    expected = [0.0, 1 - 0.5 * np.exp(-0.5), 2 - np.exp(-2.0)]
    np.testing.assert_allclose(som.get_weights()[0, :, 0], expected, rtol=1e-14)


def test_bubble_and_mexican_hat_by_hand():
    som = SOM(1, 3, 1, sigma=1.0, lr=0.5, neighborhood="bubble", seed=0)
    som.set_weights(np.array([[[0.0], [1.0], [2.0]]]))
    som.train(np.array([[0.0]]), 1)  # bubble radius 1: units 0 and 1 move halfway
    np.testing.assert_allclose(som.get_weights()[0, :, 0], [0.0, 0.5, 2.0])
    hat = SOM(1, 3, 1, sigma=1.0, lr=0.5, neighborhood="mexican_hat", seed=0)
    hat.set_weights(np.array([[[0.0], [1.0], [2.0]]]))
    hat.train(np.array([[0.0]]), 1)  # h(1) = 0, h(2) = (1 - 4) e^-2 < 0: pushed away
    np.testing.assert_allclose(hat.get_weights()[0, :, 0], [0.0, 1.0, 2 + 3 * np.exp(-2.0)])


def test_training_reduces_quantization_error():
    data = _square()
    som = SOM(8, 8, 2, sigma=2.0, lr=0.5, seed=3)  # uniform [-1, 1) start
    before = som.quantization_error(data)
    som.train(data, 4000)
    after = som.quantization_error(data)
    assert after < 0.5 * before
    # 64 units spread over the unit square: a sample lies about 0.4 cell widths
    # (1/8) from its unit, ~0.05 (measured 0.0499; 0.112 before training)
    assert after < 0.06


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_topographic_error_in_range_and_low_on_smooth_data(topology):
    data = _square(600)
    som = SOM(8, 8, 2, sigma=2.0, lr=0.5, topology=topology, seed=0)
    som.pca_weights_init(data)
    som.train(data, 6000)
    te = som.topographic_error(data)
    assert 0.0 <= te <= 0.1
    assert 0.0 <= som.topographic_error(data, diagonals=True) <= te
    # a scrambled map of the same weights is not topology preserving
    rng = np.random.default_rng(0)
    w = som.get_weights().reshape(64, 2)[rng.permutation(64)].reshape(8, 8, 2)
    som.set_weights(w)
    assert som.topographic_error(data) > 0.5


def test_topographic_error_by_hand():
    # 1x3 map with weights 0, 10, 1: x = 0.4 has best unit 0, second unit 2
    # (distance 0.6 against 9.6): not adjacent. x = 9 -> units 1, 2: adjacent.
    som = SOM(1, 3, 1, seed=0)
    som.set_weights(np.array([[[0.0], [10.0], [1.0]]]))
    assert som.topographic_error([[0.4], [9.0]]) == 0.5


def test_hexagonal_neighbours():
    som = SOM(5, 6, 2, topology="hexagonal", seed=0)
    pos = som.grid_positions()
    for r in range(1, 4):
        for c in range(1, 5):
            nb = som.neighbors((r, c))
            assert len(nb) == 6
            for rr, cc in nb:  # every neighbour at grid distance exactly 1
                assert np.linalg.norm(pos[r, c] - pos[rr, cc]) == pytest.approx(1.0)
    assert sorted(som.neighbors((0, 0))) == [(0, 1), (1, 0)]
    # an odd row sits half a unit to the right: (1, 0) touches (0, 0), (0, 1), (2, 0), (2, 1)
    assert sorted(som.neighbors((1, 0))) == [(0, 0), (0, 1), (1, 1), (2, 0), (2, 1)]
    rect = SOM(5, 6, 2, seed=0)
    assert len(rect.neighbors((2, 2))) == 4
    assert len(rect.neighbors((2, 2), diagonals=True)) == 8


def test_same_seed_same_weights_and_two_objects_stay_equal():
    data = _square(200, seed=5)
    a = SOM(6, 7, 2, sigma=1.5, seed=42)
    b = SOM(6, 7, 2, sigma=1.5, seed=42)
    np.testing.assert_array_equal(a.get_weights(), b.get_weights())
    for som in (a, b):
        som.random_weights_init(data)
        som.train(data, 1000, random_order=True)
    np.testing.assert_array_equal(a.get_weights(), b.get_weights())
    a.train(data, 500)
    b.train(data, 500)
    np.testing.assert_array_equal(a.get_weights(), b.get_weights())
    c = SOM(6, 7, 2, sigma=1.5, seed=43)
    c.random_weights_init(data)
    c.train(data, 1000)
    assert not np.array_equal(a.get_weights(), c.get_weights())


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_distance_map_shape_range_and_boundary(topology):
    # two far-apart clusters: the units between them light up in the U-matrix
    rng = np.random.default_rng(0)
    data = np.vstack([rng.normal(0, 0.1, (100, 3)), rng.normal(5, 0.1, (100, 3))])
    som = SOM(6, 6, 3, sigma=1.5, topology=topology, seed=0)
    som.pca_weights_init(data)
    som.train(data, 3000)
    u = som.distance_map()
    assert u.shape == (6, 6)
    assert u.max() == pytest.approx(1.0) and u.min() >= 0.0
    hits = som.activation_response(data)
    # units that win samples sit inside a cluster: lower U than the empty ones
    assert u[hits > 0].mean() < u[hits == 0].mean()
    assert som.distance_map(scaling="sum").shape == (6, 6)


def test_distance_map_by_hand():
    # 1x3 rectangular map, weights 0, 1, 3: neighbour distances (0-1) = 1,
    # (1-3) = 2. Means: unit0 1, unit1 1.5, unit2 2 -> /2 = 0.5, 0.75, 1.
    som = SOM(1, 3, 1, seed=0)
    som.set_weights(np.array([[[0.0], [1.0], [3.0]]]))
    np.testing.assert_allclose(som.distance_map(), [[0.5, 0.75, 1.0]])
    np.testing.assert_allclose(som.distance_map(scaling="sum"), [[1 / 3, 1.0, 2 / 3]])


def test_activation_response_win_map_labels_map():
    som = SOM(1, 3, 1, seed=0)
    som.set_weights(np.array([[[0.0], [1.0], [2.0]]]))
    data = np.array([[0.1], [0.9], [1.2], [2.5], [-1.0]])
    np.testing.assert_array_equal(som.activation_response(data), [[2, 2, 1]])
    wm = som.win_map(data, return_indices=True)
    assert wm == {(0, 0): [0, 4], (0, 1): [1, 2], (0, 2): [3]}
    samples = som.win_map(data)
    np.testing.assert_array_equal(samples[(0, 2)][0], [2.5])
    lm = som.labels_map(data, np.array(["a", "b", "b", "c", "a"]))
    assert lm == {(0, 0): Counter({"a": 2}), (0, 1): Counter({"b": 2}), (0, 2): Counter({"c": 1})}
    with pytest.raises(ValueError, match="labels"):
        som.labels_map(data, ["a"])


def test_pca_init_spans_the_principal_plane():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(500, 3)) * [3.0, 1.0, 0.1] + [1.0, 2.0, 3.0]
    som = SOM(10, 5, 3, seed=0)
    som.pca_weights_init(data)
    w = som.get_weights()
    np.testing.assert_allclose(w.reshape(-1, 3).mean(axis=0), data.mean(axis=0), atol=1e-12)
    # the longer side (rows) follows the largest component (the first axis)
    span_rows = w[-1, 0] - w[0, 0]
    assert abs(span_rows[0]) == pytest.approx(
        2 * np.sqrt(np.cov(data, rowvar=False)[0, 0]), rel=0.05
    )


def test_batch_training_is_deterministic_and_reduces_error():
    data = _square(300)
    a = SOM(6, 6, 2, sigma=2.0, seed=1)
    w0 = a.get_weights()
    before = a.quantization_error(data)
    a.train_batch(data, 20)
    assert a.quantization_error(data) < 0.5 * before
    b = SOM(6, 6, 2, sigma=2.0, seed=1)
    b.set_weights(w0)
    b.train_batch(data, 20)
    np.testing.assert_array_equal(a.get_weights(), b.get_weights())
    with pytest.raises(ValueError, match="train_batch"):
        SOM(2, 2, 2, neighborhood="mexican_hat").train_batch(data, 1)


def test_exponential_decay_trains_too():
    data = _square(300)
    som = SOM(6, 6, 2, sigma=2.0, decay="exponential", seed=0)
    before = som.quantization_error(data)
    som.train(data, 2000)
    assert som.quantization_error(data) < 0.6 * before


def test_input_validation():
    som = SOM(3, 3, 4, seed=0)
    with pytest.raises(
        ValueError, match=r"^x: expected shape \(N, 4\) or \(4,\), got shape \(3,\)$"
    ):
        som.winner([1.0, 2.0, 3.0])
    with pytest.raises(
        ValueError, match=r"data: expected shape \(N, 4\) or \(4,\), got shape \(5, 3\)"
    ):
        som.train(np.zeros((5, 3)), 10)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 4\)"):
        SOM(3, 3, 4, seed=0).fit(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="finite"):
        som.quantization_error(np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="num_iteration"):
        som.train(np.zeros((5, 4)), 0)
    with pytest.raises(ValueError, match="neighborhood"):
        SOM(3, 3, 4, neighborhood="triangle")
    with pytest.raises(ValueError, match="topology"):
        SOM(3, 3, 4, topology="toroidal")
    with pytest.raises(ValueError, match="sigma"):
        SOM(3, 3, 4, sigma=0)
    with pytest.raises(ValueError, match=r"weights: expected shape \(3, 3, 4\)"):
        som.set_weights(np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match=r"position\[0\]: expected an integer in \[0, 2\], got 3"):
        som.neighbors((3, 0))
    with pytest.raises(ValueError, match="position"):
        som.neighbors((1, 2, 3))
    with pytest.raises(ValueError, match="init"):
        SOM(3, 3, 4, init="zeros")
    with pytest.raises(ValueError, match="n_iter"):
        SOM(3, 3, 4, n_iter=0)
    with pytest.raises(ValueError, match="scaling"):
        som.distance_map(scaling="max")
    with pytest.raises(TypeError, match="rows"):
        SOM(2.5, 3, 4)

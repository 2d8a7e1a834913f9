"""Tests for nnscratch.classic.kmeans: squared distances, k-means++ and Lloyd's k-means."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.classic.kmeans import kmeans, kmeans_plus_plus, pairwise_sq_distances, segment_sum

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def test_pairwise_sq_distances_match_direct_formula():
    rng = np.random.default_rng(0)
    x, c = rng.normal(size=(7, 5)), rng.normal(size=(3, 5))
    direct = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    np.testing.assert_allclose(pairwise_sq_distances(x, c), direct, rtol=1e-12, atol=1e-12)
    # a point with itself: exactly 0 after the clip, never a tiny negative
    d = pairwise_sq_distances(x * 1e4, x * 1e4)
    assert np.all(d >= 0)
    with pytest.raises(ValueError, match=r"c: expected a \(k, d\) array beside x's"):
        pairwise_sq_distances(x, c[:, :4])


def test_kmeans_finds_separated_blobs_and_is_seeded():
    rng = np.random.default_rng(1)
    means = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    x = np.vstack([m + rng.normal(scale=0.5, size=(50, 2)) for m in means])
    r = kmeans(x, 3, seed=3)
    assert r.converged
    found = r.centers[np.argsort(r.centers[:, 0] + 2 * r.centers[:, 1])]
    np.testing.assert_allclose(found, means, atol=0.3)
    for j in range(3):  # each centre is the mean of its points
        np.testing.assert_allclose(r.centers[j], x[r.labels == j].mean(axis=0), atol=1e-9)
    assert np.bincount(r.labels).tolist() == [50, 50, 50]
    r2 = kmeans(x, 3, seed=3)
    np.testing.assert_array_equal(r.centers, r2.centers)


def test_kmeans_plus_plus_picks_distinct_points():
    x = np.array([[0.0], [0.0], [5.0], [9.0]])
    c = kmeans_plus_plus(x, 3, np.random.default_rng(0))
    # after one point at 0, any point at 0 has probability 0: the three are 0, 5, 9
    assert sorted(c[:, 0].tolist()) == [0.0, 5.0, 9.0]


def test_kmeans_validates_k():
    with pytest.raises(ValueError, match=r"k: expected an integer in \[1, 4\], got 5"):
        kmeans(XOR_X, 5)
    with pytest.raises(TypeError, match="k: expected an integer"):
        kmeans(XOR_X, 2.0)
    with pytest.raises(ValueError, match="max_iter"):
        kmeans(XOR_X, 2, max_iter=0)


def test_segment_sum_by_hand():
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    out = segment_sum(x, np.array([2, 0, 2, 2]), 4)
    np.testing.assert_array_equal(out, [[3, 4], [0, 0], [13, 16], [0, 0]])

"""HOG vs scikit-image, kNN vs scikit-learn (equal predictions), Pegasos SVM vs LinearSVC."""

import warnings

import numpy as np
import pytest

from nnscratch.features import (
    KNeighborsClassifier,
    LinearSVM,
    cell_histograms,
    hog,
    image_gradients,
)
from nnscratch.features.compare import HOG_MNIST
from nnscratch.features.knn import nearest, squared_distances
from nnscratch.features.svm import hinge_loss
from nnscratch.preprocessing import NotFittedError

# skimage sums a cell's votes in single precision, so its HOG differs from an
# exact float64 sum by ~1e-8; 2e-7 absolute (on values in [0, 0.2]) is the
# tolerance reached on every MNIST digit and parameter set tried.
HOG_TOL = 2e-7


def _raw(x):
    """The 0-255 integer pixels (float64) behind load_mnist's x / 255."""
    return np.rint(np.asarray(x, np.float64) * 255)


@pytest.mark.parametrize(
    ("orientations", "ppc", "cpb", "norm"),
    [
        (9, (4, 4), (2, 2), "L2-Hys"),
        (9, (8, 8), (3, 3), "L2-Hys"),
        (12, (7, 7), (2, 2), "L1"),
        (8, (3, 5), (2, 3), "L1-sqrt"),
        (6, (4, 4), (3, 3), "L2"),
    ],
)
def test_hog_matches_scikit_image_on_mnist_digits(mnist, orientations, ppc, cpb, norm):
    skimage_feature = pytest.importorskip("skimage.feature")
    x = np.asarray(mnist[1][0][:60], np.float64).reshape(-1, 28, 28)
    ours = hog(x, orientations, ppc, cpb, norm)
    theirs = np.stack([skimage_feature.hog(im, orientations, ppc, cpb, norm) for im in x])
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=HOG_TOL)
    # (N, 784) rows are read as 28 x 28 images; float32 stays float32
    flat = hog(x.reshape(60, 784).astype(np.float32), orientations, ppc, cpb, norm)
    assert flat.dtype == np.float32
    np.testing.assert_allclose(flat, theirs, atol=1e-5)


def test_hog_cells_by_hand():
    # A vertical edge: g_col = 1 - 0 on the two middle columns, g_row = 0: direction 0 deg.
    img = np.zeros((1, 4, 4))
    img[:, :, 2:] = 1.0
    g_row, g_col = image_gradients(img)
    assert np.all(g_row == 0) and g_col[0, 0].tolist() == [0, 1, 1, 0]
    cells = cell_histograms(g_row, g_col, (4, 4), 9)
    assert cells.shape == (1, 1, 1, 9)
    expected = np.zeros(9)
    expected[0] = 8 / 16  # 8 pixels of magnitude 1, over the cell's 16 pixels
    np.testing.assert_allclose(cells[0, 0, 0], expected)
    # Interpolated: 0 deg lies half-way between the centres of bins 8 (170) and 0 (10).
    soft = cell_histograms(g_row, g_col, (4, 4), 9, interpolate=True)[0, 0, 0]
    np.testing.assert_allclose(soft[[0, 8]], [0.25, 0.25])
    assert soft.sum() == pytest.approx(0.5)


def test_hog_errors():
    with pytest.raises(ValueError, match=r"images: expected images of at least 16 x 16"):
        hog(np.zeros((1, 8, 8)), pixels_per_cell=(8, 8), cells_per_block=(2, 2))
    with pytest.raises(ValueError, match="block_norm"):
        hog(np.zeros((1, 28, 28)), block_norm="L3")
    with pytest.raises(ValueError, match="square images"):
        hog(np.zeros((2, 10)))


def test_nearest_breaks_distance_ties_by_the_lower_index():
    d2 = np.array([[3.0, 1.0, 1.0, 0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(nearest(d2, 1), [[3]])
    np.testing.assert_array_equal(nearest(d2, 3), [[3, 1, 2]])
    np.testing.assert_array_equal(nearest(d2, 5), [[3, 1, 2, 4, 5]])


def test_squared_distances_is_the_formula():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(5, 3)), rng.normal(size=(7, 3))
    by_hand = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_allclose(squared_distances(a, b), by_hand, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_knn_tiles_give_the_float64_nearest_rows_despite_float32_near_ties(dtype):
    # Training rows in pairs 1e-6 apart: float32 products cannot tell a pair apart
    # (their float32 error is ~1e-5 here), float64 can; small max_memory forces many
    # query tiles and training tiles, so the running k best is merged across tiles.
    rng = np.random.default_rng(3)
    base = rng.random((700, 40))
    x = np.concatenate([base, base + 1e-6 * rng.standard_normal(base.shape)]).astype(dtype)
    x[::7] = x[5]  # exact duplicates too: ties broken by the lower index
    q = np.concatenate([base[:150] + 0.01 * rng.random((150, 40)), x[:50]]).astype(dtype)
    t = rng.integers(0, 4, len(x))
    reference_d2 = squared_distances(q.astype(np.float64), x.astype(np.float64))
    for k in (1, 3, 8, 300):
        knn = KNeighborsClassifier(k, max_memory=40_000).fit(x, t)
        if k <= 3:  # several training tiles (a tile holds at least k segments)
            assert knn._search.tiles(len(q))[1] < len(x)
        dist, index = knn.kneighbors(q)
        np.testing.assert_array_equal(index, nearest(reference_d2, k))
        assert dist.dtype == dtype and index.shape == (len(q), k)
        # Squared, as both come from the formula (near 0 it cancels to ~1e-14 either way).
        tol = 3e-7 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(dist.astype(np.float64) ** 2,
                                   np.take_along_axis(reference_d2, index, 1), rtol=tol,
                                   atol=1e-12)  # fmt: skip


def test_knn_equals_sklearn_with_many_ties_and_small_chunks():
    sk = pytest.importorskip("sklearn.neighbors")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, (3000, 4)).astype(np.float64)  # 81 points, each ~37 times
    t = rng.integers(0, 10, 3000)
    q = rng.integers(0, 3, (400, 4)).astype(np.float64)
    for k in (1, 3, 4, 7):
        ours = KNeighborsClassifier(k, max_memory=3000 * 8 * 37).fit(x, t)  # many small blocks
        theirs = sk.KNeighborsClassifier(k, algorithm="brute").fit(x, t)
        np.testing.assert_array_equal(ours.predict(q), theirs.predict(q))
        d_ours, i_ours = ours.kneighbors(q)
        d_theirs, i_theirs = theirs.kneighbors(q)
        np.testing.assert_allclose(d_ours, d_theirs, atol=1e-12)
        np.testing.assert_array_equal(np.sort(i_ours, 1), np.sort(i_theirs, 1))


def test_knn_equals_sklearn_on_mnist_subset(mnist):
    sk = pytest.importorskip("sklearn.neighbors")
    (x, t), (xs, ts) = mnist
    x, xs = _raw(x[:3000]), _raw(xs[:500])
    for k in (1, 3):
        ours = KNeighborsClassifier(k).fit(x, t[:3000]).predict(xs)
        theirs = sk.KNeighborsClassifier(k, algorithm="brute").fit(x, t[:3000]).predict(xs)
        np.testing.assert_array_equal(ours, theirs)
        assert np.mean(ours == ts[:500]) > 0.85


@pytest.mark.slow
def test_knn_equals_sklearn_on_the_full_mnist_test_set(mnist):
    sk = pytest.importorskip("sklearn.neighbors")
    (x, t), (xs, ts) = mnist
    x, xs = _raw(x), _raw(xs)  # integers in float64: every distance is exact
    ours = KNeighborsClassifier(3).fit(x, t)
    _, index = ours.kneighbors(xs)
    for k in (1, 3):
        theirs = sk.KNeighborsClassifier(k, algorithm="brute").fit(x, t).predict(xs)
        mine = ours.vote(index[:, :k])
        np.testing.assert_array_equal(mine, theirs)
    assert np.mean(ours.vote(index[:, :1]) == ts) == pytest.approx(1 - 0.0309, abs=0.002)  # LeCun


def test_linear_svm_separates_blobs_and_is_seeded():
    rng = np.random.default_rng(1)
    centres = np.array([[0, 4], [4, 0], [-4, -4]])
    t = np.repeat([0, 1, 2], 100)
    x = centres[t] + rng.normal(size=(300, 2))
    svm = LinearSVM(1e-3, epochs=20, batch_size=16, seed=3).fit(x, t)
    assert svm.score(x, t) >= 0.99
    assert svm.coef_.shape == (3, 2) and svm.intercept_.shape == (3,)
    again = LinearSVM(1e-3, epochs=20, batch_size=16, seed=3).fit(x, t)
    np.testing.assert_array_equal(svm.coef_, again.coef_)
    # The objective is lambda/2 ||w||^2 + mean hinge, per class, and training lowered it.
    y = np.where(t[:, None] == np.arange(3), 1.0, -1.0)
    zero = hinge_loss(np.zeros((300, 3)), y)
    assert np.all(svm.loss_ < zero) and np.all(zero == 1.0)


def test_classifier_errors():
    with pytest.raises(NotFittedError, match=r"call fit\(x_train, t_train\)"):
        KNeighborsClassifier().predict(np.zeros((1, 2)))
    with pytest.raises(NotFittedError, match="LinearSVM is not fitted"):
        LinearSVM().predict(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="n_neighbors: expected at most the 2 training rows"):
        KNeighborsClassifier(3).fit(np.zeros((2, 2)), [0, 1])
    with pytest.raises(ValueError, match="t: expected 2 labels"):
        LinearSVM().fit(np.zeros((2, 2)), [0, 1, 1])
    knn = KNeighborsClassifier(1).fit(np.zeros((2, 3)), [0, 1])
    with pytest.raises(ValueError, match=r"x: expected 3 features per row"):
        knn.predict(np.zeros((1, 4)))


@pytest.mark.slow
def test_linear_svm_within_half_a_point_of_liblinear_on_hog(mnist):
    sk_svm = pytest.importorskip("sklearn.svm")
    (x, t), (xs, ts) = mnist
    f, fs = hog(x[:20000], **HOG_MNIST), hog(xs, **HOG_MNIST)
    ours = LinearSVM().fit(f, t[:20000]).score(fs, ts)
    with warnings.catch_warnings():  # liblinear may stop at max_iter; its accuracy still counts
        warnings.simplefilter("ignore")
        theirs = sk_svm.LinearSVC().fit(f, t[:20000]).score(fs, ts)
    assert abs(ours - theirs) <= 0.005, (ours, theirs)
    assert ours > 0.96

"""Tests for nnscratch.classic.rbf: the RBF network on XOR, sin and MNIST."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.classic.rbf import RBFClassifier, RBFNetwork

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_T = np.array([0.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("beta", [1.0, "nearest", "max"])
def test_xor_with_four_gaussian_units_is_exact(beta):
    # Zhou exercise 5.7: centres at the four inputs. The 4x4 Gaussian matrix
    # G_ij = exp(-beta ||c_i - c_j||^2) is positive definite, so least squares
    # interpolates the four targets exactly.
    net = RBFNetwork(4, centers=XOR_X, beta=beta).fit(XOR_X, XOR_T)
    np.testing.assert_allclose(net.predict(XOR_X), XOR_T, atol=1e-10)
    np.testing.assert_array_equal(net.predict_classes(XOR_X), [0, 1, 1, 0])
    assert net.score(XOR_X, [0, 1, 1, 0]) == 1.0


def test_width_heuristics_by_hand_on_xor_centres():
    # nearest other centre is at distance 1 for each corner -> sigma 1, beta 1/2.
    # d_max = sqrt(2), k = 4 -> sigma = sqrt(2)/sqrt(8) = 1/2, beta = k/d_max^2 = 2.
    assert RBFNetwork(4, centers=XOR_X).fit(XOR_X, XOR_T).betas_.tolist() == [0.5] * 4
    np.testing.assert_allclose(
        RBFNetwork(4, centers=XOR_X, beta="max").fit(XOR_X, XOR_T).betas_, [2.0] * 4
    )


def test_xor_hidden_layer_values():
    net = RBFNetwork(4, centers=XOR_X, beta=1.0).fit(XOR_X, XOR_T)
    h = net.transform(XOR_X)
    e1, e2 = np.exp(-1.0), np.exp(-2.0)  # squared distances 1 (edge) and 2 (diagonal)
    expected = np.array([[1, e1, e1, e2], [e1, 1, e2, e1], [e1, e2, 1, e1], [e2, e1, e1, 1]])
    np.testing.assert_allclose(h, expected, rtol=1e-12)


def test_xor_with_kmeans_centres():
    net = RBFNetwork(4, centers="kmeans", seed=0).fit(XOR_X, XOR_T)
    assert sorted(map(tuple, net.centers_.tolist())) == sorted(map(tuple, XOR_X.tolist()))
    np.testing.assert_array_equal(net.predict_classes(XOR_X), [0, 1, 1, 0])


def test_xor_by_gradient_descent_with_trained_betas():
    net = RBFNetwork(
        4, centers=XOR_X, beta=1.0, solver="gd", lr=0.5, epochs=2000, train_betas=True
    ).fit(XOR_X, XOR_T)
    hist = np.array(net.history_)
    assert hist.shape == (2001,)
    assert hist[0] == pytest.approx(0.25)  # w = 0, b = 0: (1/2N) * 2 = 1/4
    assert hist[-1] < 1e-4
    assert np.all(np.diff(hist) <= 1e-12)  # small steps: the loss never goes up
    np.testing.assert_array_equal(net.predict_classes(XOR_X), [0, 1, 1, 0])


def test_gradients_agree_with_central_differences():
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=(9, 3)), rng.normal(size=(9, 2))
    net = RBFNetwork(3, centers="random", beta=0.3, seed=1).fit(x, t)
    net.weights_ = rng.normal(size=net.weights_.shape)
    net.bias_ = rng.normal(size=net.bias_.shape)
    _, gw, gb, gbeta = net._loss_and_grads(x, t)
    h = 1e-6
    for arr, grad in ((net.weights_, gw), (net.bias_, gb), (net.betas_, gbeta)):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + h
            fp = net._loss_and_grads(x, t)[0]
            arr[idx] = old - h
            fm = net._loss_and_grads(x, t)[0]
            arr[idx] = old
            num[idx] = (fp - fm) / (2 * h)
        np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-9)


def test_sin_regression_error_bound():
    # 10 k-means centres, Haykin widths, least squares on 100 points of [0, 2 pi].
    # Measured: max |error| 9.9e-4 on the training points and on a 1001-point grid.
    x = np.linspace(0, 2 * np.pi, 100)
    net = RBFNetwork(10, centers="kmeans", beta="max", seed=0).fit(x, np.sin(x))
    assert np.max(np.abs(net.predict(x) - np.sin(x))) < 2e-3
    grid = np.linspace(0, 2 * np.pi, 1001)
    assert np.max(np.abs(net.predict(grid) - np.sin(grid))) < 2e-3
    assert net.predict(x).shape == (100,)
    # the same with the default 'nearest' widths is far worse (5e-2): narrower units
    coarse = RBFNetwork(10, centers="kmeans", seed=0).fit(x, np.sin(x))
    assert np.max(np.abs(coarse.predict(x) - np.sin(x))) > 1e-2


def test_multi_output_and_classifier():
    rng = np.random.default_rng(2)
    means = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    labels = np.repeat(["a", "b", "c"], 40)
    x = np.vstack([m + rng.normal(scale=0.6, size=(40, 2)) for m in means])
    clf = RBFClassifier(9, seed=0, ridge=1e-6).fit(x, labels)
    assert clf.classes_.tolist() == ["a", "b", "c"]
    assert clf.decision_function(x).shape == (120, 3)
    assert clf.score(x, labels) >= 0.97
    assert clf.predict(means + 0.1).tolist() == ["a", "b", "c"]
    onehot = np.eye(3)[np.repeat([0, 1, 2], 40)]
    net = RBFNetwork(9, seed=0, ridge=1e-6).fit(x, onehot)
    assert net.predict(x).shape == (120, 3)
    assert net.score(x, onehot) == clf.score(x, labels)


def test_same_seed_same_network():
    rng = np.random.default_rng(5)
    x, t = rng.normal(size=(50, 2)), rng.normal(size=50)
    a = RBFNetwork(6, centers="random", seed=11).fit(x, t)
    b = RBFNetwork(6, centers="random", seed=11).fit(x, t)
    np.testing.assert_array_equal(a.centers_, b.centers_)
    np.testing.assert_array_equal(a.predict(x), b.predict(x))


def test_ridge_shrinks_weights():
    x = np.linspace(0, 1, 30)
    t = np.cos(3 * x)
    free = RBFNetwork(8, centers="kmeans", beta="max", seed=0).fit(x, t)
    tied = RBFNetwork(8, centers="kmeans", beta="max", seed=0, ridge=1.0).fit(x, t)
    assert np.linalg.norm(tied.weights_) < np.linalg.norm(free.weights_)


def test_input_validation():
    with pytest.raises(ValueError, match="centers: expected 4 rows"):
        RBFNetwork(4, centers=XOR_X[:3])
    with pytest.raises(ValueError, match="beta"):
        RBFNetwork(4, beta=-1.0)
    with pytest.raises(ValueError, match="beta"):
        RBFNetwork(4, beta="mean")
    with pytest.raises(ValueError, match="solver"):
        RBFNetwork(4, solver="svd")
    with pytest.raises(ValueError, match="train_betas"):
        RBFNetwork(4, train_betas=True)
    with pytest.raises(ValueError, match=r"beta: expected 4 numbers > 0"):
        RBFNetwork(4, beta=[1.0, 2.0])
    with pytest.raises(TypeError, match="lr"):
        RBFNetwork(4, lr="fast")
    with pytest.raises(ValueError, match=r"kmeans_sample: expected an integer >= 4"):
        RBFNetwork(4, kmeans_sample=3)
    with pytest.raises(
        ValueError, match=r"n_centers: expected at most the number of samples \(4\), got 5"
    ):
        RBFNetwork(5).fit(XOR_X, XOR_T)
    with pytest.raises(ValueError, match=r"t: expected shape \(4,\)"):
        RBFNetwork(4).fit(XOR_X, XOR_T[:3])
    net = RBFNetwork(4, centers=XOR_X).fit(XOR_X, XOR_T)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 2\)"):
        net.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        net.predict([[np.nan, 0.0]])
    with pytest.raises(RuntimeError, match="RBFNetwork: call fit before predict"):
        RBFNetwork(4).predict(XOR_X)
    with pytest.raises(ValueError, match=r"t: expected class labels.*use mse"):
        net.score(XOR_X, np.linspace(0.0, 1.0, 4)[:, None] * [1.0, 2.0])


@pytest.mark.slow
def test_mnist_1000_kmeans_centres_least_squares(mnist):
    # 1000 k-means centres (k-means on 10,000 training images), 'nearest'
    # widths, ridge least squares on all 60,000. LeCun et al. (1998) list
    # 1000 RBF units + linear classifier at 3.6% test error; measured: 3.25%
    # (fit about 9 s on 2 cores).
    (x_train, t_train), (x_test, t_test) = mnist
    clf = RBFClassifier(1000, kmeans_sample=10_000, kmeans_max_iter=20, ridge=1e-3, seed=0)
    clf.fit(x_train, t_train)
    err = 1.0 - clf.score(x_test, t_test)
    assert err < 0.036

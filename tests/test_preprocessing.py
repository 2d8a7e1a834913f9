"""Scalers, PCA and ZCA against scikit-learn as the oracle; whitening checked by its covariance."""

import numpy as np
import pytest

from nnscratch.preprocessing import PCA, ZCA, MinMaxScaler, NotFittedError, StandardScaler

sk_pre = pytest.importorskip("sklearn.preprocessing")
sk_dec = pytest.importorskip("sklearn.decomposition")


def _data(n=400, d=10, seed=0):
    """Correlated features of very different scales, with distinct covariance eigenvalues."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) * np.arange(1, d + 1) + 5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_standard_scaler_matches_sklearn(dtype):
    x = _data().astype(dtype)
    ours = StandardScaler().fit(x)
    theirs = sk_pre.StandardScaler().fit(x.astype(np.float64))
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-6)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-6)
    z = ours.transform(x)
    assert z.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(z, theirs.transform(x.astype(np.float64)), atol=tol)
    np.testing.assert_allclose(ours.inverse_transform(z), x, rtol=tol, atol=tol * 100)


def test_standard_scaler_over_the_whole_set():
    x = _data()
    z = StandardScaler(per_feature=False).fit_transform(x)
    np.testing.assert_allclose(z, (x - x.mean()) / x.std())
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std() == pytest.approx(1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_min_max_scaler_matches_sklearn(dtype):
    x = _data().astype(dtype)
    x[:, 3] = 7.0  # a constant feature: range 1, as scikit-learn
    ours = MinMaxScaler((-1, 2)).fit(x)
    theirs = sk_pre.MinMaxScaler((-1, 2)).fit(x.astype(np.float64))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours.transform(x), theirs.transform(x.astype(np.float64)), atol=tol)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-6)
    u = MinMaxScaler(per_feature=False).fit_transform(np.array([[0, 255], [51, 102]], np.uint8))
    np.testing.assert_allclose(u, [[0, 1], [0.2, 0.4]])
    assert u.dtype == np.float64


@pytest.mark.parametrize("k", [3, None])
def test_pca_whitened_matches_sklearn_up_to_sign(k):
    x = _data()
    ours = PCA(k, whiten=True).fit(x)
    theirs = sk_dec.PCA(k, whiten=True, svd_solver="full").fit(x)
    sign = np.sign(np.sum(ours.components_ * theirs.components_, axis=1))
    assert np.all(np.abs(sign) == 1)
    np.testing.assert_allclose(ours.components_ * sign[:, None], theirs.components_, atol=1e-9)
    np.testing.assert_allclose(ours.explained_variance_, theirs.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, theirs.explained_variance_ratio_, rtol=1e-9
    )
    np.testing.assert_allclose(ours.mean_, theirs.mean_)
    z = ours.transform(x)
    np.testing.assert_allclose(z * sign, theirs.transform(x), atol=1e-9)
    np.testing.assert_allclose(np.cov(z.T), np.eye(z.shape[1]), atol=1e-9)
    if k is None:  # every component kept: the inverse gives x back
        np.testing.assert_allclose(ours.inverse_transform(z), x, atol=1e-9)


def test_pca_float32_kept_and_unwhitened_inverse_is_the_projection():
    x = _data().astype(np.float32)
    pca = PCA(4).fit(x)
    z = pca.transform(x)
    assert z.dtype == np.float32 and z.shape == (400, 4)
    back = pca.inverse_transform(z)
    assert back.dtype == np.float32
    # The reconstruction error is the variance left out (sum of the dropped eigenvalues).
    full = PCA().fit(x)
    err = np.sum((back.astype(np.float64) - x) ** 2) / (len(x) - 1)
    assert err == pytest.approx(full.explained_variance_[4:].sum(), rel=1e-3)


@pytest.mark.parametrize("eps", [1e-5, 1e-2])
def test_zca_whitened_training_data_have_identity_covariance(eps):
    x = _data()
    zca = ZCA(eps).fit(x)
    cov = np.cov(zca.transform(x).T)
    lam = zca.explained_variance_
    # Exactly U diag(lambda / (lambda + eps)) U^T: within eps / lambda_min of the identity.
    assert np.abs(cov - np.eye(10)).max() <= eps / lam.min() + 1e-9
    assert np.abs(cov - np.eye(10)).max() >= 0.5 * eps / lam.max()  # epsilon really acts
    np.testing.assert_allclose(zca.whitening_, zca.whitening_.T, atol=1e-12)  # symmetric
    np.testing.assert_allclose(zca.inverse_transform(zca.transform(x)), x, atol=1e-8)


def test_errors_name_fit_and_shapes():
    for t in (StandardScaler(), MinMaxScaler(), PCA(2), ZCA()):
        with pytest.raises(NotFittedError, match=r"call fit\(x_train\) before transform"):
            t.transform(np.zeros((2, 3)))
    s = StandardScaler().fit(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"x: expected 3 features per row .*shape \(2, 4\)"):
        s.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"x: expected a 2-D array, got shape \(3,\)"):
        StandardScaler().fit(np.zeros(3))
    with pytest.raises(ValueError, match=r"n_components: expected at most min\(N, D\) = 3"):
        PCA(4).fit(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="epsilon"):
        ZCA(0.0)
    with pytest.raises(TypeError, match="per_feature"):
        StandardScaler(per_feature=1)
    with pytest.raises(ValueError, match="finite"):
        StandardScaler().fit(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler((1, 0))

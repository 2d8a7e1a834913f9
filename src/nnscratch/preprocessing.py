"""Preprocessing: scaling, PCA and whitening, in the scikit-learn convention.

Chapter 3 divides pixels by 255 (``normalize=True``); in practice data are
centred and scaled with the statistics of the training set, or *whitened* so
that every direction has the same spread. Each transformer here learns its
statistics from the training set only::

    scaler = StandardScaler().fit(x_train)       # fit returns self
    x_train_s = scaler.transform(x_train)         # learned: mean_, scale_
    x_test_s = scaler.transform(x_test)           # the same statistics

``fit(x)`` takes ``x`` of shape (N, D) and returns the transformer; learned
attributes end in ``_`` (float64); ``transform`` and ``inverse_transform``
keep a float32 or float64 input's dtype and turn other inputs (``uint8``
pixels) into float64. Transforming before fitting, or data with another
number of features, raises ``ValueError`` that says so.

Formulas (x a row, mu the mean, Sigma = U diag(lambda) U^T the covariance):

- min-max: ``x' = (x - min) / (max - min) * (hi - lo) + lo``
- standard: ``x' = (x - mu) / sigma``
- PCA: ``z = (x - mu) U_k`` (the k leading eigenvectors); whitened
  ``z = (x - mu) U_k diag(1 / sqrt(lambda_k + eps))``
- ZCA: ``x' = (x - mu) U diag(1 / sqrt(lambda + eps)) U^T`` (Bell &
  Sejnowski, 1997): whitened, and rotated back so it still looks like ``x``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch._validate import Integer, Real, check, check_array, check_bool, fail

__all__ = ["PCA", "ZCA", "MinMaxScaler", "NotFittedError", "StandardScaler"]


class NotFittedError(ValueError, AttributeError):
    """``transform`` (or another method needing learned attributes) before ``fit``."""


class _Transformer:
    """The bookkeeping every transformer shares: checks, dtypes, fit_transform."""

    n_features_in_: int

    def fit(self, x: Any) -> _Transformer:
        """Learn the statistics of ``x`` (N, D); return ``self``."""
        x64 = self._check_fit_input(x)
        self._fit(x64)
        self.n_features_in_ = x64.shape[1]
        return self

    def transform(self, x: Any) -> np.ndarray:
        """``x`` (N, D) transformed with the learned statistics."""
        x = self._check_input(x, "transform")
        return self._transform(x).astype(x.dtype, copy=False)

    def fit_transform(self, x: Any) -> np.ndarray:
        """``fit(x).transform(x)``."""
        return self.fit(x).transform(x)

    def inverse_transform(self, z: Any) -> np.ndarray:
        """Map transformed rows back to the input space."""
        z = self._check_input(z, "inverse_transform", width=self._output_width())
        return self._inverse(z).astype(z.dtype, copy=False)

    # ---------------------------------------------------------------- overridden
    def _fit(self, x: np.ndarray) -> None:
        raise NotImplementedError

    def _transform(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _inverse(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _output_width(self) -> int:
        return self.n_features_in_

    # ---------------------------------------------------------------- checks
    def _check_fit_input(self, x: Any) -> np.ndarray:
        x = check_array("x", x, ndim=2, finite=True)
        if x.shape[0] < 1 or x.shape[1] < 1:
            raise fail("x", "at least one sample and one feature", f"shape {x.shape}")
        return x.astype(np.float64, copy=False)

    def _check_input(self, x: Any, method: str, width: int | None = None) -> np.ndarray:
        name = type(self).__name__
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"This {name} is not fitted yet: call fit(x_train) before {method}(x)"
            )
        arr = check_array("x", x, ndim=2, finite=True)
        want = self.n_features_in_ if width is None else width
        if arr.shape[1] != want:
            raise fail("x", f"{want} features per row (as in fit)", f"shape {arr.shape}")
        if arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
        return arr


def _safe_scale(scale: np.ndarray) -> np.ndarray:
    """Scales of 0 (constant features) become 1, as scikit-learn does."""
    return np.where(scale == 0.0, 1.0, scale)


class MinMaxScaler(_Transformer):
    """``x' = (x - min) / (max - min) * (hi - lo) + lo``, per feature or over the whole set.

    Learned: ``data_min_``, ``data_max_``, ``data_range_`` (D,) (one value
    repeated when ``per_feature=False``), and ``scale_``, ``min_`` so that
    ``x' = x * scale_ + min_``. A constant feature keeps range 1.
    """

    def __init__(
        self, feature_range: tuple[float, float] = (0.0, 1.0), *, per_feature: bool = True
    ) -> None:
        if not isinstance(feature_range, tuple | list) or len(feature_range) != 2:
            raise fail("feature_range", "a pair (low, high)", feature_range, TypeError)
        lo = check("feature_range[0]", feature_range[0], Real())
        hi = check("feature_range[1]", feature_range[1], Real())
        if not lo < hi:
            raise fail("feature_range", "low < high", feature_range)
        self.feature_range = (lo, hi)
        self.per_feature = check_bool("per_feature", per_feature)

    def _fit(self, x: np.ndarray) -> None:
        axis = 0 if self.per_feature else None
        lo, hi = self.feature_range
        d = x.shape[1]
        self.data_min_ = np.broadcast_to(x.min(axis=axis), (d,)).copy()
        self.data_max_ = np.broadcast_to(x.max(axis=axis), (d,)).copy()
        self.data_range_ = self.data_max_ - self.data_min_
        self.scale_ = (hi - lo) / _safe_scale(self.data_range_)
        self.min_ = lo - self.data_min_ * self.scale_

    def _transform(self, x: np.ndarray) -> np.ndarray:
        return x * self.scale_.astype(x.dtype) + self.min_.astype(x.dtype)

    def _inverse(self, z: np.ndarray) -> np.ndarray:
        return (z - self.min_.astype(z.dtype)) / self.scale_.astype(z.dtype)


class StandardScaler(_Transformer):
    """``x' = (x - mu) / sigma``, per feature or with one mu and sigma over the whole set.

    Learned: ``mean_``, ``var_`` (population variance, ddof 0) and ``scale_``
    = sqrt(var_) (1 where the variance is 0), each (D,); with
    ``per_feature=False`` one value over every entry, repeated D times.
    """

    def __init__(self, *, per_feature: bool = True) -> None:
        self.per_feature = check_bool("per_feature", per_feature)

    def _fit(self, x: np.ndarray) -> None:
        axis = 0 if self.per_feature else None
        d = x.shape[1]
        self.mean_ = np.broadcast_to(x.mean(axis=axis), (d,)).copy()
        self.var_ = np.broadcast_to(x.var(axis=axis), (d,)).copy()
        self.scale_ = _safe_scale(np.sqrt(self.var_))

    def _transform(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean_.astype(x.dtype)) / self.scale_.astype(x.dtype)

    def _inverse(self, z: np.ndarray) -> np.ndarray:
        return z * self.scale_.astype(z.dtype) + self.mean_.astype(z.dtype)


def _eigen(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean (D,), eigenvalues (D,) descending and eigenvectors (D, D) of the covariance.

    Sigma = (x - mu)^T (x - mu) / (N - 1), the sample covariance (N - 1 as
    scikit-learn's ``explained_variance_``). Each eigenvector's largest entry
    in absolute value is made positive, so the signs are reproducible.
    """
    mean = x.mean(axis=0)
    xc = x - mean
    cov = (xc.T @ xc) / max(x.shape[0] - 1, 1)
    lam, u = np.linalg.eigh(cov)
    lam, u = np.clip(lam[::-1], 0.0, None), u[:, ::-1]
    flip = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(u.shape[1])])
    return mean, lam, u * np.where(flip == 0, 1.0, flip)


class PCA(_Transformer):
    """Principal component analysis: ``z = (x - mu) U_k``, optionally whitened.

    ``n_components``: k, the number of leading directions kept (None: all D;
    must be <= min(N, D)). ``whiten=True`` divides each component by
    ``sqrt(lambda + epsilon)`` so the training set's components have variance
    ~1 (``epsilon=0``: exactly scikit-learn's ``PCA(whiten=True)``).

    Learned: ``mean_`` (D,), ``components_`` (k, D) (rows are directions,
    largest variance first), ``explained_variance_`` (k,) (the lambdas,
    ddof 1), ``explained_variance_ratio_`` (k,) (share of the total variance).
    """

    def __init__(
        self, n_components: int | None = None, *, whiten: bool = False, epsilon: float = 0.0
    ) -> None:
        self.n_components = check("n_components", n_components, Integer(1), none=True)
        self.whiten = check_bool("whiten", whiten)
        self.epsilon = check("epsilon", epsilon, Real(0))

    def _fit(self, x: np.ndarray) -> None:
        n, d = x.shape
        k = min(n, d) if self.n_components is None else self.n_components
        if k > min(n, d):
            raise fail("n_components", f"at most min(N, D) = {min(n, d)}", k)
        self.mean_, lam, u = _eigen(x)
        self.components_ = np.ascontiguousarray(u[:, :k].T)
        self.explained_variance_ = lam[:k]
        total = lam.sum()
        self.explained_variance_ratio_ = lam[:k] / total if total > 0 else np.zeros(k)
        self.n_components_ = k

    def _factor(self, dtype: np.dtype) -> np.ndarray:
        """(k,) the divisor of each component: sqrt(lambda + eps) when whitening, else 1."""
        if not self.whiten:
            return np.ones(self.n_components_, dtype)
        return _safe_scale(np.sqrt(self.explained_variance_ + self.epsilon)).astype(dtype)

    def _transform(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mean_.astype(x.dtype)) @ self.components_.T.astype(x.dtype)
        return z / self._factor(x.dtype)

    def _inverse(self, z: np.ndarray) -> np.ndarray:
        z = z * self._factor(z.dtype)
        return z @ self.components_.astype(z.dtype) + self.mean_.astype(z.dtype)

    def _output_width(self) -> int:
        return self.n_components_


class ZCA(_Transformer):
    """ZCA whitening: ``x' = (x - mu) W`` with ``W = U diag(1/sqrt(lambda + eps)) U^T``.

    The whitened training set has covariance ``U diag(lambda / (lambda +
    eps)) U^T``: the identity up to ``eps / lambda`` in every direction whose
    variance lambda is well above ``epsilon``. Unlike PCA whitening it is the
    symmetric whitening matrix, the one closest to the identity, so whitened
    digits still look like digits (with their edges sharpened).

    Learned: ``mean_`` (D,), ``whitening_`` W (D, D), ``coloring_`` W^-1
    (D, D), ``explained_variance_`` (D,) the lambdas, ``components_`` U^T.
    """

    def __init__(self, epsilon: float = 1e-2) -> None:
        self.epsilon = check("epsilon", epsilon, Real(0, None, low_open=True))

    def _fit(self, x: np.ndarray) -> None:
        self.mean_, lam, u = _eigen(x)
        self.explained_variance_, self.components_ = lam, np.ascontiguousarray(u.T)
        root = np.sqrt(lam + self.epsilon)
        self.whitening_ = (u / root) @ u.T
        self.coloring_ = (u * root) @ u.T

    def _transform(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean_.astype(x.dtype)) @ self.whitening_.astype(x.dtype)

    def _inverse(self, z: np.ndarray) -> np.ndarray:
        return z @ self.coloring_.astype(z.dtype) + self.mean_.astype(z.dtype)

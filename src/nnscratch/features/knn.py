"""k-nearest neighbours: a classifier that learns nothing and remembers everything.

``fit`` stores the training set; ``predict`` gives each query the label most
common among its k nearest training rows (Euclidean distance). The math is
two short functions at the top of this module::

    ||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2        # squared_distances: (M, N) at once
    the k smallest of each row, ties by index      # nearest

``KNeighborsClassifier`` gives exactly ``nearest(squared_distances(x,
x_train), k)`` (distances in float64), without ever holding the whole (M, N)
matrix or sorting its rows: ``nnscratch.features._knn_search`` computes the
products in float32 tile by tile, bounds each row's k-th smallest cheaply and
re-checks the few candidates near it in float64 (memory: see
``KNeighborsClassifier``). Ties are broken as scikit-learn's
``KNeighborsClassifier(algorithm="brute")`` breaks them: among training rows
at the same distance the lower index comes first, and among classes with the
same number of votes the smallest class wins; tests check that the
predictions equal scikit-learn's on the whole MNIST test set for k = 1 and 3.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch._validate import Integer, check, check_array, fail
from nnscratch.features._knn_search import NearestSearch
from nnscratch.preprocessing import NotFittedError

__all__ = ["KNeighborsClassifier", "nearest", "squared_distances"]


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``||a_i - b_j||^2 = ||a_i||^2 - 2 a_i.b_j + ||b_j||^2`` for rows a (M, D), b (N, D): (M, N).

    One matrix product instead of M * N differences.
    """
    a2 = np.einsum("ij,ij->i", a, a)[:, None]  # (M, 1)
    b2 = np.einsum("ij,ij->i", b, b)[None, :]  # (1, N)
    return a2 - 2 * a @ b.T + b2


def nearest(d2: np.ndarray, k: int) -> np.ndarray:
    """The k smallest entries of each row of ``d2`` (M, N) as column indices (M, k).

    Sorted by distance, ties by the lower index. ``argpartition`` finds the
    k + 1 smallest of each row; only a row whose (k+1)-th smallest value
    ties with its k-th needs the full comparison of the row.
    """
    rows = np.arange(len(d2))[:, None]
    if k < d2.shape[1]:
        part = np.argpartition(d2, k, axis=1)[:, : k + 1]  # the k-th smallest at column k
        values = d2[rows, part]
        kth = values[:, :k].max(axis=1)
        crowded = np.flatnonzero(values[:, k] <= kth)
        part = part[:, :k]
        for r in crowded:  # ties across the k-th distance: the lowest indices win
            part[r] = _lowest(d2[r], kth[r], k)
    else:
        part = np.broadcast_to(np.arange(k), (len(d2), k)).copy()
    order = np.lexsort((part, d2[rows, part]), axis=1)
    return np.take_along_axis(part, order, axis=1)


def _lowest(row: np.ndarray, kth: float, k: int) -> np.ndarray:
    """The k entries of ``row`` <= ``kth`` that come first by (distance, index)."""
    idx = np.flatnonzero(row <= kth)
    return idx[np.lexsort((idx, row[idx]))[:k]]


class KNeighborsClassifier:
    """Majority vote of the ``n_neighbors`` nearest training rows (Euclidean).

    The neighbours are ``nearest(squared_distances(x, x_train), k)`` with the
    distances in float64, whatever the dtype: float32 products find the few
    candidates, float64 decides between them (``_knn_search``).

    Args:
        n_neighbors: k, an integer >= 1.
        max_memory: bytes one block of distances may take (default 256 MiB);
            the float64 re-check of the candidates takes at most as much again.
            Besides, ``fit`` keeps the training set as float32 with one more
            column, 4 (D + 1) bytes a row (plus the float64 rows for float64
            input). A block holds at least ``k * 256`` distances per query.

    Learned by ``fit(x, t)``: ``classes_`` (C,) the sorted labels,
    ``n_features_in_``. ``x`` (N, D) is kept as float32 if it is float32,
    else as float64; queries are cast to the same dtype.
    """

    def __init__(self, n_neighbors: int = 5, *, max_memory: int = 256 * 2**20) -> None:
        self.n_neighbors = check("n_neighbors", n_neighbors, Integer(1))
        self.max_memory = check("max_memory", max_memory, Integer(1))

    def fit(self, x: Any, t: Any) -> KNeighborsClassifier:
        """Remember ``x`` (N, D) and integer labels ``t`` (N,); return self."""
        x = check_array("x", x, ndim=2, finite=True, nonempty=True)
        t = check_array("t", t, ndim=1, kinds="iub")
        if len(t) != len(x):
            raise fail("t", f"{len(x)} labels (one per row of x)", f"{len(t)}")
        if self.n_neighbors > len(x):
            raise fail("n_neighbors", f"at most the {len(x)} training rows", self.n_neighbors)
        dtype = np.float32 if x.dtype == np.float32 else np.float64
        self._search = NearestSearch(np.asarray(x, dtype), self.n_neighbors, self.max_memory)
        self._x = self._search.x
        self.classes_, self._codes = np.unique(t, return_inverse=True)
        self.n_features_in_ = x.shape[1]
        return self

    def kneighbors(self, x: Any) -> tuple[np.ndarray, np.ndarray]:
        """Distances (M, k) and training indices (M, k) of each query's k nearest rows.

        Sorted by distance, ties by the lower index; distances in the training dtype.
        """
        x = self._check(x)
        d2, index = self._search.kneighbors(x)
        return np.sqrt(np.maximum(d2, 0)).astype(self._x.dtype), index

    def predict(self, x: Any) -> np.ndarray:
        """The majority label among each query's k nearest rows (M,); ties: smallest label."""
        _, index = self.kneighbors(x)
        return self.vote(index)

    def vote(self, index: Any) -> np.ndarray:
        """The majority label of each row of training indices ``index`` (M, j), j <= k.

        ``vote(kneighbors(x)[1][:, :j])`` is the prediction with ``j``
        neighbours, because the neighbours come sorted by distance and index.
        """
        index = check_array("index", index, ndim=2, kinds="iu")
        votes = self._codes[index]  # (M, j) class codes
        counts = np.zeros((len(votes), len(self.classes_)), np.intp)
        np.add.at(counts, (np.arange(len(votes))[:, None], votes), 1)
        return self.classes_[np.argmax(counts, axis=1)]

    def score(self, x: Any, t: Any) -> float:
        """Accuracy of ``predict(x)`` against labels ``t``."""
        t = check_array("t", t, ndim=1, kinds="iub")
        return float(np.mean(self.predict(x) == t))

    # ---------------------------------------------------------------- bookkeeping
    def _check(self, x: Any) -> np.ndarray:
        if not hasattr(self, "_search"):
            raise NotFittedError(
                "This KNeighborsClassifier is not fitted yet: call fit(x_train, t_train) "
                "before kneighbors(x) or predict(x)"
            )
        x = check_array("x", x, ndim=2, finite=True)
        if x.shape[1] != self.n_features_in_:
            raise fail("x", f"{self.n_features_in_} features per row (as in fit)", x.shape)
        return np.ascontiguousarray(x, dtype=self._x.dtype)

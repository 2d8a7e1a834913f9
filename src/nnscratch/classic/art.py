"""ART1: adaptive resonance theory for binary inputs (Carpenter & Grossberg 1987).

Zhou, "Machine Learning", sec. 5.5.2 describes ART as competitive learning with
a comparison layer (F1), a recognition layer (F2), a vigilance threshold
``rho`` and a reset; it solves the stability-plasticity dilemma by creating a
new category when no old one matches well enough. This module implements the
fast-learning ART1 algorithm of G. A. Carpenter and S. Grossberg, "A massively
parallel architecture for a self-organizing neural pattern recognition
machine", Computer Vision, Graphics, and Image Processing 37 (1987) 54-115, in
its usual algorithmic form (with the choice function written as in Carpenter,
Grossberg & Rosen, "Fuzzy ART", Neural Networks 4 (1991) 759-771, where the
fuzzy AND becomes the bitwise AND for binary inputs).

For a binary input ``I`` (at least one 1) and category prototypes ``w_j``
(the top-down F2 -> F1 weights):

1. Choice (F2 activity, bottom-up)::

       T_j = |I AND w_j| / (beta + |w_j|)

   ``|.|`` counts ones. This is Carpenter & Grossberg's bottom-up weight
   ``z_ij = L / (L - 1 + |w_j|)`` after fast learning, with ``beta = L - 1``
   (the factor ``L`` does not change the ranking). An uncommitted F2 node has
   the all-ones prototype, so ``T_u = |I| / (beta + M)`` (``M`` input bits);
   a committed node wins ties against it, as the 1987 paper's strict bound on
   the initial bottom-up weights ensures.
2. Match (F1 comparison, vigilance test)::

       |I AND w_j| / |I| >= rho

   If it fails, node ``j`` is reset (inhibited for this input) and the next
   best node is tried. An uncommitted node always passes (ratio 1).
3. Resonance with fast learning: ``w_j <- I AND w_j``; a newly committed node
   takes ``w_j = I``.

Prototypes only lose ones, so with fast learning the categories stabilise
after finitely many presentations of a fixed list (Carpenter & Grossberg 1987,
Theorem 1: at most ``M`` list presentations). :meth:`ART1.fit` presents the
list until a pass changes nothing.

ART2 (Carpenter & Grossberg 1987b) extends this to analog inputs with a
normalising, noise-suppressing F1; Fuzzy ART replaces AND by the fuzzy
minimum and uses complement coding ``(a, 1 - a)`` so that prototypes are
hyper-boxes; ARTMAP pairs two ART modules for supervised learning.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["ART1"]


class ART1:
    """ART1 network with fast learning, categories created on demand.

    Args:
        rho: vigilance in ``[0, 1]``; higher means finer categories.
        beta: choice parameter ``> 0`` (``L - 1`` in Carpenter & Grossberg);
            small values prefer prototypes that are subsets of the input.
        max_categories: cap on committed F2 nodes (``None``: unbounded). When
            reached, an input that resonates with no category gets label -1.

    Attributes:
        categories_: prototypes, shape ``(K, M)`` (``uint8``, a copy).
        labels_: categories of the last pass of ``fit`` / ``partial_fit``.
        n_epochs_, converged_: set by :meth:`fit`.

    Example:
        >>> X = [[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]]
        >>> net = ART1(rho=0.6).fit(X)
        >>> net.categories_.tolist(), net.labels_.tolist()
        ([[1, 1, 0, 0, 0], [0, 0, 0, 1, 1]], [0, 0, 1, 1])
    """

    def __init__(
        self, rho: float = 0.7, beta: float = 1.0, max_categories: int | None = None
    ) -> None:
        if not np.isfinite(rho) or not 0.0 <= rho <= 1.0:
            raise ValueError(f"rho: expected a vigilance in [0, 1], got {rho}")
        if not np.isfinite(beta) or beta <= 0:
            raise ValueError(f"beta: expected a finite number > 0, got {beta}")
        if max_categories is not None:
            if isinstance(max_categories, bool) or not isinstance(
                max_categories, (int, np.integer)
            ):
                raise TypeError(
                    f"max_categories: expected an int or None, got {type(max_categories).__name__}"
                )
            if max_categories < 1:
                raise ValueError(f"max_categories: expected >= 1, got {max_categories}")
        self.rho = float(rho)
        self.beta = float(beta)
        self.max_categories = None if max_categories is None else int(max_categories)
        self._w: np.ndarray | None = None  # (K, M) bool
        self._n_features: int | None = None

    # -- input ---------------------------------------------------------------------
    def _check_x(self, x: ArrayLike) -> np.ndarray:
        a = np.asarray(x)
        if a.dtype == object or not (
            np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.bool_)
        ):
            raise TypeError(f"X: expected a numeric 0/1 array, got dtype {a.dtype}")
        if a.ndim == 1:
            a = a[None, :]
        if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
            raise ValueError(f"X: expected shape (N, M) with N, M >= 1, got {np.shape(x)}")
        if not np.all((a == 0) | (a == 1)):
            bad = np.unique(a[(a != 0) & (a != 1)])[:5]
            raise ValueError(
                f"X: ART1 needs binary inputs (0/1), got values such as {bad.tolist()}"
            )
        b = a.astype(bool)
        empty = np.flatnonzero(~b.any(axis=1))
        if empty.size:
            raise ValueError(
                f"X: ART1 needs at least one 1 in every input; rows {empty[:5].tolist()} are all 0"
            )
        if self._n_features is not None and b.shape[1] != self._n_features:
            raise ValueError(f"X: expected {self._n_features} features, got {b.shape[1]}")
        return b

    @property
    def categories_(self) -> np.ndarray:
        """Prototypes ``w_j``, shape ``(K, M)``, ``uint8`` (a copy)."""
        if self._w is None:
            raise RuntimeError("ART1: call fit or partial_fit first")
        return self._w.astype(np.uint8)

    @property
    def n_categories(self) -> int:
        """Number of committed categories ``K``."""
        return 0 if self._w is None else int(self._w.shape[0])

    # -- one input -----------------------------------------------------------------
    def _choice_and_match(self, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        overlap = (self._w & i).sum(axis=1)  # |I AND w_j|
        choice = overlap / (self.beta + self._w.sum(axis=1))
        return choice, overlap / i.sum()

    def _search(self, i: np.ndarray) -> int:
        """Index of the resonating committed category, ``-2`` for a new one, ``-1`` for none."""
        can_grow = self.max_categories is None or self.n_categories < self.max_categories
        if self.n_categories == 0:
            return -2 if can_grow else -1
        choice, match = self._choice_and_match(i)
        t_new = i.sum() / (self.beta + i.shape[0])
        for j in np.argsort(-choice, kind="stable"):  # ties: lowest index first
            if can_grow and choice[j] < t_new:
                return -2  # the uncommitted node is chosen first; it always resonates
            if match[j] >= self.rho:
                return int(j)
            # reset: node j is inhibited, search goes on
        return -2 if can_grow else -1

    def _learn_one(self, i: np.ndarray) -> tuple[int, bool]:
        j = self._search(i)
        if j == -2:
            self._w = np.vstack([self._w, i[None, :]])
            return self._w.shape[0] - 1, True
        if j == -1:
            return -1, False
        new = self._w[j] & i
        changed = not np.array_equal(new, self._w[j])
        self._w[j] = new
        return j, changed

    # -- public --------------------------------------------------------------------
    def partial_fit(self, X: ArrayLike) -> ART1:
        """Present the rows of ``X`` once, in order, learning as they come.

        ``X``: binary array ``(N, M)``. Keeps earlier categories. Sets ``labels_``.
        """
        b = self._check_x(X)
        if self._w is None:
            self._n_features = b.shape[1]
            self._w = np.zeros((0, b.shape[1]), dtype=bool)
        labels = np.empty(b.shape[0], dtype=np.int64)
        self._changed = False
        for n, i in enumerate(b):
            labels[n], changed = self._learn_one(i)
            self._changed |= changed
        self.labels_ = labels
        return self

    def fit(self, X: ArrayLike, max_epochs: int = 100) -> ART1:
        """Start afresh and present ``X`` repeatedly until a whole pass changes nothing.

        "Nothing" means: no new category, no prototype changed, every input
        coded by the same category as in the previous pass. ``converged_`` is
        False if ``max_epochs`` passes did not get there.
        """
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, (int, np.integer)):
            raise TypeError(f"max_epochs: expected an int, got {type(max_epochs).__name__}")
        if max_epochs < 1:
            raise ValueError(f"max_epochs: expected >= 1, got {max_epochs}")
        self._w = None
        self._n_features = None
        b = self._check_x(X)
        previous = None
        self.converged_ = False
        for epoch in range(1, max_epochs + 1):
            self.partial_fit(b)
            self.n_epochs_ = epoch
            if (
                not self._changed
                and previous is not None
                and np.array_equal(previous, self.labels_)
            ):
                self.converged_ = True
                break
            previous = self.labels_.copy()
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Category of each row without learning; ``-1`` when none passes vigilance
        (or the uncommitted node would win, i.e. learning would create a new one).
        """
        if self._w is None:
            raise RuntimeError("ART1: call fit or partial_fit first")
        b = self._check_x(X)
        out = np.empty(b.shape[0], dtype=np.int64)
        for n, i in enumerate(b):
            j = self._search(i)
            out[n] = j if j >= 0 else -1
        return out

    def __repr__(self) -> str:
        return f"ART1(rho={self.rho}, beta={self.beta}, max_categories={self.max_categories})"

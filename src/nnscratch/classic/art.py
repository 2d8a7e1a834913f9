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
list until a pass changes nothing (or ``max_epochs`` passes).

ART2 (Carpenter & Grossberg 1987b) extends this to analog inputs with a
normalising, noise-suppressing F1; Fuzzy ART replaces AND by the fuzzy
minimum and uses complement coding ``(a, 1 - a)`` so that prototypes are
hyper-boxes; ARTMAP pairs two ART modules for supervised learning.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike

from nnscratch._validate import Integer, Real, fail
from nnscratch.classic._base import POSITIVE, Estimator, Spec, optional, samples

__all__ = ["ART1"]


class ART1(Estimator):
    """ART1 network with fast learning, categories created on demand.

    Args:
        rho: vigilance in ``[0, 1]``; higher means finer categories.
        beta: choice parameter ``> 0`` (``L - 1`` in Carpenter & Grossberg);
            small values prefer prototypes that are subsets of the input.
        max_categories: cap on committed F2 nodes (``None``: unbounded). When
            reached, an input that resonates with no category gets label -1.
        max_epochs: most presentations of the list in :meth:`fit`.

    Attributes (after ``fit`` or ``partial_fit``):
        categories_: prototypes ``w_j``, shape ``(K, M)``, ``uint8``.
        n_categories_: ``K``.
        labels_: category of each input in the last pass (-1: none).
        n_iter_, converged_: passes made by :meth:`fit`, and whether the
            last one changed nothing.

    Example:
        >>> x = [[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]]
        >>> net = ART1(rho=0.6).fit(x)
        >>> net.categories_.tolist(), net.labels_.tolist()
        ([[1, 1, 0, 0, 0], [0, 0, 0, 1, 1]], [0, 0, 1, 1])
    """

    _constraints: ClassVar[dict[str, Spec]] = {
        "rho": Real(0, 1),
        "beta": POSITIVE,
        "max_categories": optional(Integer(1)),
        "max_epochs": Integer(1),
    }

    def __init__(
        self,
        rho: float = 0.7,
        beta: float = 1.0,
        max_categories: int | None = None,
        max_epochs: int = 100,
    ) -> None:
        self._set_params(locals())
        self._w: np.ndarray | None = None  # (K, M) bool, made by the first pass

    # -- input ---------------------------------------------------------------------
    def _binary(self, x: ArrayLike, fresh: bool = False) -> np.ndarray:
        """``x`` (N, M) or one input (M,) as a bool array: 0/1 only, at least one 1 per row.

        ``M`` must be the learned one unless ``fresh``.
        """
        m = None if (fresh or self._w is None) else self._w.shape[1]
        a = samples("x", x, m, vector="row", float64=False)
        if not np.all((a == 0) | (a == 1)):
            bad = np.unique(a[(a != 0) & (a != 1)])[:5]
            raise fail("x", "binary inputs (0/1)", f"values such as {bad.tolist()}")
        b = a.astype(bool)
        empty = np.flatnonzero(~b.any(axis=1))
        if empty.size:
            raise fail("x", "at least one 1 in every row", f"rows {empty[:5].tolist()} all 0")
        return b

    # -- one input -----------------------------------------------------------------
    def _choice_and_match(self, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        overlap = (self._w & i).sum(axis=1)  # |I AND w_j|
        choice = overlap / (self.beta + self._w.sum(axis=1))
        return choice, overlap / i.sum()

    def _search(self, i: np.ndarray) -> int:
        """Index of the resonating committed category, ``-2`` for a new one, ``-1`` for none."""
        k = self._w.shape[0]
        can_grow = self.max_categories is None or k < self.max_categories
        if k == 0:
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
    def partial_fit(self, x: ArrayLike, t: ArrayLike | None = None) -> ART1:
        """Present the rows of ``x`` (binary, ``(N, M)``) once, in order, learning as they come.

        Keeps earlier categories. ``t`` is ignored (scikit-learn's convention
        for unsupervised models). Returns ``self``.
        """
        b = self._binary(x)
        if self._w is None:
            self._w = np.zeros((0, b.shape[1]), dtype=bool)
        labels = np.empty(b.shape[0], dtype=np.int64)
        self._changed = False
        for n, i in enumerate(b):
            labels[n], changed = self._learn_one(i)
            self._changed |= changed
        self.labels_ = labels
        self.categories_ = self._w.astype(np.uint8)
        self.n_categories_ = int(self._w.shape[0])
        return self

    def fit(self, x: ArrayLike, t: ArrayLike | None = None) -> ART1:
        """Start afresh and present ``x`` repeatedly until a whole pass changes nothing.

        "Nothing" means: no new category, no prototype changed, every input
        coded by the same category as in the previous pass. ``converged_`` is
        False if ``max_epochs`` passes did not get there. ``t`` is ignored
        (scikit-learn's convention for unsupervised models). Returns ``self``.
        """
        b = self._binary(x, fresh=True)
        self._w = None
        previous = None
        self.converged_ = False
        for epoch in range(1, self.max_epochs + 1):
            self.partial_fit(b)
            self.n_iter_ = epoch
            if (
                not self._changed
                and previous is not None
                and np.array_equal(previous, self.labels_)
            ):
                self.converged_ = True
                break
            previous = self.labels_.copy()
        return self

    def _categories_of(self, b: np.ndarray) -> np.ndarray:
        out = np.empty(b.shape[0], dtype=np.int64)
        for n, i in enumerate(b):
            j = self._search(i)
            out[n] = j if j >= 0 else -1
        return out

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Category of each row without learning; ``-1`` when none passes vigilance
        (or the uncommitted node would win, i.e. learning would create a new one).
        """
        self._check_fitted("categories_")
        return self._categories_of(self._binary(x))

    def score(self, x: ArrayLike, t: ArrayLike | None = None) -> float:
        """Mean match ``|I AND w_j| / |I|`` of each input with its predicted category, in [0, 1].

        The quantity vigilance tests: 1 when every input equals its category's
        prototype; an input no category codes (-1) counts 0. ``t`` is ignored
        (scikit-learn's convention for unsupervised models).
        """
        self._check_fitted("categories_", "score")
        b = self._binary(x)
        j = self._categories_of(b)
        coded = j >= 0
        match = np.zeros(b.shape[0])
        match[coded] = (self._w[j[coded]] & b[coded]).sum(axis=1) / b[coded].sum(axis=1)
        return float(match.mean())

"""Self-organizing map (Kohonen 1982; Zhou, "Machine Learning", sec. 5.5.3).

A grid of ``rows x cols`` units, each with a weight vector ``w_u`` in input
space. For a sample ``x`` the best matching unit (BMU) is the closest one,
``c = argmin_u ||x - w_u||``, and every unit moves towards ``x`` in proportion
to its grid neighbourhood of the BMU (Kohonen's rule; Zhou sec. 5.5.3 describes
it in words, Haykin "Neural Networks" eq. 9.13 writes it)::

    w_u(t+1) = w_u(t) + eta(t) * h(d_grid(u, c), sigma(t)) * (x - w_u(t))

``eta`` is the argument ``lr``. The grids (rectangular, hexagonal), the
neighbourhoods ``h`` (gaussian, bubble, mexican hat) and the decays of
``eta`` and ``sigma`` are in :mod:`nnscratch.classic.grid`.

Two ways to drive it, both on one object:

* scikit-learn's: ``SOM(..., n_iter=5000, init="pca", seed=0).fit(x)``
  starts afresh and learns ``weights_``; ``predict`` gives each sample's unit;
* MiniSom's: ``som.random_weights_init(x)`` (or ``pca_weights_init``,
  ``set_weights``) then ``som.train(x, 5000)``, which continues from the
  current weights; ``get_weights()`` reads them at any time.

Quality measures: quantization error (mean distance of a sample to its BMU)
and topographic error (Kiviluoto 1996: the fraction of samples whose best and
second-best units are not adjacent on the grid).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike

from nnscratch._validate import Integer, Options, check, check_array, check_bool, fail
from nnscratch.classic._base import POSITIVE, SEED, Estimator, Spec, samples
from nnscratch.classic.grid import DECAYS, NEIGHBORHOODS, TOPOLOGIES, Grid, decay, neighborhood
from nnscratch.classic.kmeans import pairwise_sq_distances, segment_sum

__all__ = ["SOM"]


class SOM(Estimator):
    """Kohonen self-organizing map on a rectangular or hexagonal grid.

    Args:
        rows, cols: grid size.
        input_dim: number of features of a sample.
        sigma: initial neighbourhood radius (in grid units), > 0.
        lr: initial learning rate ``eta``, > 0.
        neighborhood: ``"gaussian"``, ``"bubble"`` or ``"mexican_hat"``.
        topology: ``"rectangular"`` or ``"hexagonal"``.
        decay: ``"asymptotic"`` or ``"exponential"`` (for both ``eta`` and ``sigma``).
        n_iter: online steps of :meth:`fit`.
        init: the weights :meth:`fit` starts from: ``"uniform"`` in
            ``[-1, 1)``, ``"sample"`` (random samples, as
            :meth:`random_weights_init`) or ``"pca"`` (:meth:`pca_weights_init`).
        random_order: :meth:`fit` visits the samples in a shuffled order.
        seed: seed or Generator; the map's only source of randomness. The map
            is made with uniform weights in ``[-1, 1)`` drawn from it (as
            MiniSom does); ``fit`` makes a new generator from it.

    Attributes (after ``fit``, ``train`` or ``train_batch``):
        weights_: shape ``(rows, cols, input_dim)`` (a copy).
        n_iter_: online steps (``fit``, ``train``) or epochs (``train_batch``)
            of the last training call.

    Example:
        >>> data = np.random.default_rng(0).random((200, 3))
        >>> som = SOM(6, 6, 3, sigma=1.5, n_iter=2000, init="sample", seed=1)
        >>> before = som.quantization_error(data)  # the uniform [-1, 1) start
        >>> som.fit(data).weights_.shape, bool(som.quantization_error(data) < before / 2)
        ((6, 6, 3), True)
    """

    _constraints: ClassVar[dict[str, Spec]] = {
        "rows": Integer(1),
        "cols": Integer(1),
        "input_dim": Integer(1),
        "sigma": POSITIVE,
        "lr": POSITIVE,
        "neighborhood": Options(*NEIGHBORHOODS),
        "topology": Options(*TOPOLOGIES),
        "decay": Options(*DECAYS),
        "n_iter": Integer(1),
        "init": Options("uniform", "sample", "pca"),
        "random_order": check_bool,
        "seed": SEED,
    }

    def __init__(
        self,
        rows: int,
        cols: int,
        input_dim: int,
        sigma: float = 1.0,
        lr: float = 0.5,
        neighborhood: Literal["gaussian", "bubble", "mexican_hat"] = "gaussian",
        topology: Literal["rectangular", "hexagonal"] = "rectangular",
        decay: Literal["asymptotic", "exponential"] = "asymptotic",
        n_iter: int = 1000,
        init: Literal["uniform", "sample", "pca"] = "uniform",
        random_order: bool = True,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self._set_params(locals())
        self._grid = Grid(self.rows, self.cols, self.topology)
        self._nbrs = self._grid.neighbor_table()
        self._start()

    def _start(self) -> None:
        """The map as made: a new generator from ``seed``, weights uniform in ``[-1, 1)``."""
        self._rng = np.random.default_rng(self.seed)
        self._w = self._rng.uniform(-1.0, 1.0, size=(self.rows * self.cols, self.input_dim))

    # -- the grid --------------------------------------------------------------------
    def neighbors(
        self, position: tuple[int, int], *, diagonals: bool = False
    ) -> list[tuple[int, int]]:
        """Positions adjacent to ``position``: 4 (8 with diagonals) on rectangular, 6 on hex."""
        if np.shape(position) != (2,):
            raise fail("position", "(row, col)", position)
        r = check("position[0]", position[0], Integer(0, self.rows - 1))
        c = check("position[1]", position[1], Integer(0, self.cols - 1))
        return self._grid.neighbors(r, c, check_bool("diagonals", diagonals))

    def grid_positions(self) -> np.ndarray:
        """Unit positions on the plane, shape ``(rows, cols, 2)`` as ``(y, x)``."""
        return self._grid.positions.reshape(self.rows, self.cols, 2).copy()

    # -- weights ---------------------------------------------------------------------
    @property
    def weights_(self) -> np.ndarray:
        """Learned weights, shape ``(rows, cols, input_dim)`` (a copy).

        Before training, :meth:`get_weights` reads the initial ones.
        """
        self._check_fitted("n_iter_", "weights_")
        return self.get_weights()

    def get_weights(self) -> np.ndarray:
        """Current weights, shape ``(rows, cols, input_dim)`` (a copy), trained or not (MiniSom)."""
        return self._w.reshape(self.rows, self.cols, self.input_dim).copy()

    def set_weights(self, weights: ArrayLike) -> None:
        """Replace the weights with an array of shape ``(rows, cols, input_dim)``."""
        w = check_array("weights", weights, finite=True).astype(np.float64)
        want = (self.rows, self.cols, self.input_dim)
        if w.shape != want:
            raise fail("weights", f"shape {want}", f"shape {w.shape}")
        self._w = w.reshape(-1, self.input_dim).copy()

    def _data(self, data: ArrayLike, name: str = "data") -> np.ndarray:
        return samples(name, data, self.input_dim, vector="row")

    def random_weights_init(self, data: ArrayLike) -> None:
        """Set each unit's weights to a sample drawn at random (with replacement) from ``data``."""
        x = self._data(data)
        self._w = x[self._rng.integers(0, x.shape[0], size=self._w.shape[0])].copy()

    def pca_weights_init(self, data: ArrayLike) -> None:
        """Linear initialisation (Kohonen 2001, sec. 3.7): a plane through the data's mean.

        ``w[r, c] = mean + a_r sqrt(l1) v1 + b_c sqrt(l2) v2`` with ``(l1, v1)``,
        ``(l2, v2)`` the two largest eigenpairs of the covariance and ``a``,
        ``b`` evenly spaced in ``[-1, 1]``; the longer grid side follows ``v1``.
        Deterministic (no random numbers).
        """
        x = self._data(data)
        if x.shape[0] < 2:
            raise fail("data", ">= 2 samples for pca_weights_init", x.shape[0])
        mean = x.mean(axis=0)
        cov = np.atleast_2d(np.cov(x, rowvar=False))
        vals, vecs = np.linalg.eigh(cov)
        order = np.argsort(vals)[::-1]
        vals = np.maximum(vals[order], 0)
        vecs = vecs[:, order]
        pc1 = np.sqrt(vals[0]) * vecs[:, 0]
        pc2 = np.sqrt(vals[1]) * vecs[:, 1] if self.input_dim > 1 else np.zeros_like(pc1)
        a = np.linspace(-1, 1, self.rows) if self.rows > 1 else np.zeros(1)
        b = np.linspace(-1, 1, self.cols) if self.cols > 1 else np.zeros(1)
        if self.rows >= self.cols:
            w = mean + a[:, None, None] * pc1 + b[None, :, None] * pc2
        else:
            w = mean + a[:, None, None] * pc2 + b[None, :, None] * pc1
        self._w = w.reshape(-1, self.input_dim)

    # -- winners ---------------------------------------------------------------------
    def _bmus(self, x: np.ndarray, batch: int = 4096) -> np.ndarray:
        return np.concatenate(
            [
                np.argmin(pairwise_sq_distances(x[i : i + batch], self._w), axis=1)
                for i in range(0, len(x), batch)
            ]
        )

    def _pos_of(self, flat: int) -> tuple[int, int]:
        r, c = divmod(int(flat), self.cols)
        return r, c

    def winner(self, x: ArrayLike) -> tuple[int, int]:
        """Position ``(row, col)`` of the unit closest to one sample ``x`` (ties: lowest index)."""
        xa = self._data(x, "x")
        if xa.shape[0] != 1:
            raise fail("x", f"one sample of shape ({self.input_dim},)", f"shape {np.shape(x)}")
        diff = self._w - xa[0]
        return self._pos_of(int(np.argmin(np.einsum("ij,ij->i", diff, diff))))

    def winners(self, data: ArrayLike) -> np.ndarray:
        """BMU positions for every sample, shape ``(N, 2)`` as ``(row, col)``."""
        flat = self._bmus(self._data(data))
        return np.stack(np.divmod(flat, self.cols), axis=1)

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Each sample's BMU as a unit index ``row * cols + col``, shape ``(N,)`` (needs fit)."""
        self._check_fitted("n_iter_")
        return self._bmus(self._data(x, "x"))

    def score(self, x: ArrayLike, t: ArrayLike | None = None) -> float:
        """Minus the quantization error (higher is better, as scikit-learn's KMeans.score).

        ``t`` is ignored (scikit-learn's convention for unsupervised models).
        """
        self._check_fitted("n_iter_", "score")
        return -self.quantization_error(x)

    # -- training --------------------------------------------------------------------
    def fit(self, x: ArrayLike, t: ArrayLike | None = None) -> SOM:
        """Start afresh from ``init`` and train ``n_iter`` online steps (see :meth:`train`).

        ``x``: samples ``(N, input_dim)``. ``t`` is ignored (scikit-learn's
        convention for unsupervised models). Weights given by
        :meth:`set_weights` or the ``*_weights_init`` methods are replaced:
        use :meth:`train` to continue from them. Returns ``self``.
        """
        x = self._data(x, "x")
        self._start()
        if self.init == "sample":
            self.random_weights_init(x)
        elif self.init == "pca":
            self.pca_weights_init(x)
        return self.train(x, self.n_iter, self.random_order)

    def train(self, data: ArrayLike, num_iteration: int, random_order: bool = True) -> SOM:
        """MiniSom's ``train``: ``num_iteration`` online steps from the current weights.

        One step is Kohonen's rule above for one sample. Samples are visited
        cyclically (sample ``t mod N`` at step ``t``), so each is used equally
        often; with ``random_order`` that sequence is shuffled by the map's
        generator. ``eta`` and ``sigma`` decay over the ``num_iteration``
        steps. Returns ``self``.
        """
        x = self._data(data)
        num_iteration = check("num_iteration", num_iteration, Integer(1))
        order = np.arange(num_iteration) % x.shape[0]
        if check_bool("random_order", random_order):
            self._rng.shuffle(order)
        t = np.arange(num_iteration)
        etas = decay(self.lr, t, num_iteration, self.decay)
        sigmas = decay(self.sigma, t, num_iteration, self.decay)
        w = self._w
        for step in range(num_iteration):
            xi = x[order[step]]
            diff = xi - w
            bmu = int(np.argmin(np.einsum("ij,ij->i", diff, diff)))
            g = neighborhood(self.neighborhood, self._grid.sq_distances_from(bmu), sigmas[step])
            g *= etas[step]
            diff *= g[:, None]
            w += diff
        self.n_iter_ = num_iteration
        return self

    def train_batch(self, data: ArrayLike, num_epochs: int) -> SOM:
        """Batch map (Kohonen 2001, sec. 3.14): every epoch, all samples at once.

        ``w_u = sum_n h(u, c_n) x_n / sum_n h(u, c_n)`` with ``c_n`` the BMU of
        ``x_n`` under the current weights and ``sigma`` decaying over the
        epochs. No learning rate; deterministic. A unit with zero total
        neighbourhood weight keeps its weights. Gaussian or bubble only.
        Starts from the current weights; returns ``self``.
        """
        x = self._data(data)
        if self.neighborhood == "mexican_hat":
            raise fail(
                "neighborhood", "'gaussian' or 'bubble' for train_batch", repr(self.neighborhood)
            )
        num_epochs = check("num_epochs", num_epochs, Integer(1))
        n_units = self._w.shape[0]
        for epoch in range(num_epochs):
            sigma = float(decay(self.sigma, epoch, num_epochs, self.decay))
            bmus = self._bmus(x)
            counts = np.bincount(bmus, minlength=n_units).astype(np.float64)
            sums = segment_sum(x, bmus, n_units)
            h = neighborhood(self.neighborhood, self._grid.sq_distances(), sigma)  # symmetric
            num = h @ sums
            den = h @ counts
            ok = den > 0
            self._w[ok] = num[ok] / den[ok, None]
        self.n_iter_ = num_epochs
        return self

    # -- quality ---------------------------------------------------------------------
    def quantization_error(self, data: ArrayLike) -> float:
        """Mean Euclidean distance from each sample to its BMU's weights."""
        x = self._data(data)
        bmus = self._bmus(x)
        return float(np.mean(np.linalg.norm(x - self._w[bmus], axis=1)))

    def topographic_error(self, data: ArrayLike, *, diagonals: bool = False) -> float:
        """Fraction of samples whose best and second-best units are not adjacent.

        Adjacent means sharing an edge: 4 neighbours on the rectangular grid
        (8 with ``diagonals=True``, the convention of some libraries), 6 on the
        hexagonal one. Kiviluoto (1996). In ``[0, 1]``.
        """
        x = self._data(data)
        if self._w.shape[0] < 2:
            raise fail("rows, cols", "a map of >= 2 units for topographic_error", "1 unit")
        best2 = np.empty((x.shape[0], 2), dtype=np.int64)
        for i in range(0, x.shape[0], 4096):
            d = pairwise_sq_distances(x[i : i + 4096], self._w)
            two = np.argpartition(d, 1, axis=1)[:, :2]
            swap = d[np.arange(len(d))[:, None], two]
            two = np.where((swap[:, :1] <= swap[:, 1:]), two, two[:, ::-1])
            best2[i : i + 4096] = two
        diagonals = check_bool("diagonals", diagonals)
        return float(np.mean(~self._grid.adjacent(best2[:, 0], best2[:, 1], diagonals)))

    def distance_map(self, scaling: Literal["mean", "sum"] = "mean") -> np.ndarray:
        """U-matrix (Ultsch 1990): each unit's mean (or summed) distance to its neighbours' weights.

        Neighbours: 8 on the rectangular grid, 6 on the hexagonal one. Normalised
        by the largest value, so the result is in ``[0, 1]``; shape ``(rows, cols)``.
        """
        scaling = check("scaling", scaling, Options("mean", "sum"))
        nb = self._nbrs
        valid = nb >= 0
        d = np.linalg.norm(self._w[:, None, :] - self._w[np.where(valid, nb, 0)], axis=2)
        d = np.where(valid, d, 0.0)
        u = d.sum(axis=1)
        if scaling == "mean":
            u = u / np.maximum(valid.sum(axis=1), 1)
        top = u.max()
        if top > 0:
            u = u / top
        return u.reshape(self.rows, self.cols)

    def activation_response(self, data: ArrayLike) -> np.ndarray:
        """How many samples each unit wins, shape ``(rows, cols)``."""
        bmus = self._bmus(self._data(data))
        return np.bincount(bmus, minlength=self._w.shape[0]).reshape(self.rows, self.cols)

    def win_map(self, data: ArrayLike, return_indices: bool = False) -> dict[tuple[int, int], list]:
        """Map each winning position to the samples (or their indices) it wins, in data order."""
        x = self._data(data)
        out: dict[tuple[int, int], list] = defaultdict(list)
        for i, b in enumerate(self._bmus(x)):
            out[self._pos_of(b)].append(i if return_indices else x[i])
        return dict(out)

    def labels_map(self, data: ArrayLike, labels: Sequence) -> dict[tuple[int, int], Counter]:
        """Map each winning position to a ``Counter`` of the labels of the samples it wins."""
        x = self._data(data)
        if len(labels) != x.shape[0]:
            raise fail("labels", f"{x.shape[0]} labels (one per sample)", len(labels))
        out: dict[tuple[int, int], Counter] = defaultdict(Counter)
        for lab, b in zip(labels, self._bmus(x), strict=True):
            key = lab.item() if isinstance(lab, np.generic) else lab
            out[self._pos_of(b)][key] += 1
        return dict(out)

"""Self-organizing map (Kohonen 1982; Zhou, "Machine Learning", sec. 5.5.3).

A grid of ``rows x cols`` units, each with a weight vector ``w_u`` in input
space. For a sample ``x`` the best matching unit (BMU) is the closest one,
``c = argmin_u ||x - w_u||``, and every unit moves towards ``x`` in proportion
to its grid neighbourhood of the BMU (Kohonen's rule; Zhou sec. 5.5.3 describes
it in words, Haykin "Neural Networks" eq. 9.13 writes it)::

    w_u(t+1) = w_u(t) + eta(t) * h(d_grid(u, c), sigma(t)) * (x - w_u(t))

Neighbourhoods ``h(d, sigma)`` on the grid distance ``d`` between unit
positions:

* ``"gaussian"``: ``exp(-d^2 / (2 sigma^2))``
* ``"bubble"``: ``1`` if ``d <= sigma`` else ``0`` (a disc on the grid)
* ``"mexican_hat"``: ``(1 - d^2 / sigma^2) exp(-d^2 / (2 sigma^2))`` (Ricker
  wavelet; pushes units just outside the radius away, online training only)

Decay of ``eta`` and ``sigma`` over ``T`` steps:

* ``"asymptotic"`` (default): ``p(t) = p0 / (1 + t / (T/2))``, ending at p0/3;
  the schedule most SOM code uses;
* ``"exponential"``: ``p(t) = p0 * exp(-3 t / T)``, ending at ~5% of p0.

Grids: ``"rectangular"`` (unit ``(r, c)`` at ``(r, c)``, 4 edge neighbours,
8 with diagonals) or ``"hexagonal"`` (odd rows shifted right by 1/2, rows
``sqrt(3)/2`` apart: every neighbour at distance 1, 6 of them inside the map).

Quality measures: quantization error (mean distance of a sample to its BMU)
and topographic error (Kiviluoto 1996: the fraction of samples whose best and
second-best units are not adjacent on the grid).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["SOM"]

_NEIGHBORHOODS = ("gaussian", "bubble", "mexican_hat")
_TOPOLOGIES = ("rectangular", "hexagonal")
_DECAYS = ("asymptotic", "exponential")
_TABLE_LIMIT = 2_000_000  # precompute the unit-to-unit grid distances up to this many entries


def _decay(p0: float, t: np.ndarray | float, total: int, kind: str):
    if kind == "asymptotic":
        return p0 / (1.0 + t / (total / 2.0))
    return p0 * np.exp(-3.0 * np.asarray(t) / total)


class SOM:
    """Kohonen self-organizing map on a rectangular or hexagonal grid.

    Args:
        rows, cols: grid size.
        input_dim: number of features of a sample.
        sigma: initial neighbourhood radius (in grid units), > 0.
        learning_rate: initial ``eta``, > 0.
        neighborhood: ``"gaussian"``, ``"bubble"`` or ``"mexican_hat"``.
        topology: ``"rectangular"`` or ``"hexagonal"``.
        decay: ``"asymptotic"`` or ``"exponential"`` (for both ``eta`` and ``sigma``).
        seed: seed or Generator; the map's only source of randomness.

    The initial weights are uniform in ``[-1, 1)``; call
    :meth:`random_weights_init` or :meth:`pca_weights_init` to start from the data.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> data = rng.random((200, 3))
        >>> som = SOM(6, 6, 3, sigma=1.5, seed=1)
        >>> som.random_weights_init(data)
        >>> before = som.quantization_error(data)
        >>> som.train(data, 2000)
        >>> bool(som.quantization_error(data) < before)
        True
    """

    def __init__(
        self,
        rows: int,
        cols: int,
        input_dim: int,
        sigma: float = 1.0,
        learning_rate: float = 0.5,
        neighborhood: Literal["gaussian", "bubble", "mexican_hat"] = "gaussian",
        topology: Literal["rectangular", "hexagonal"] = "rectangular",
        decay: Literal["asymptotic", "exponential"] = "asymptotic",
        seed: int | np.random.Generator | None = None,
    ) -> None:
        for name, v in (("rows", rows), ("cols", cols), ("input_dim", input_dim)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"{name}: expected an int, got {type(v).__name__}")
            if v < 1:
                raise ValueError(f"{name}: expected >= 1, got {v}")
        if not np.isfinite(sigma) or sigma <= 0:
            raise ValueError(f"sigma: expected a finite number > 0, got {sigma}")
        if not np.isfinite(learning_rate) or learning_rate <= 0:
            raise ValueError(f"learning_rate: expected a finite number > 0, got {learning_rate}")
        if neighborhood not in _NEIGHBORHOODS:
            raise ValueError(
                f"neighborhood: expected one of {_NEIGHBORHOODS}, got {neighborhood!r}"
            )
        if topology not in _TOPOLOGIES:
            raise ValueError(f"topology: expected one of {_TOPOLOGIES}, got {topology!r}")
        if decay not in _DECAYS:
            raise ValueError(f"decay: expected one of {_DECAYS}, got {decay!r}")
        self.rows, self.cols, self.input_dim = int(rows), int(cols), int(input_dim)
        self.sigma = float(sigma)
        self.learning_rate = float(learning_rate)
        self.neighborhood = neighborhood
        self.topology = topology
        self.decay = decay
        self._rng = np.random.default_rng(seed)
        n_units = self.rows * self.cols
        self._w = self._rng.uniform(-1.0, 1.0, size=(n_units, self.input_dim))
        r, c = np.divmod(np.arange(n_units), self.cols)
        if topology == "rectangular":
            self._pos = np.stack([r, c], axis=1).astype(np.float64)
        else:
            self._pos = np.stack([r * (np.sqrt(3.0) / 2.0), c + 0.5 * (r % 2)], axis=1)
        self._d2_table = self._grid_sq_dist_all() if n_units**2 <= _TABLE_LIMIT else None
        self._nbrs = self._neighbor_table(diagonals=topology == "rectangular")

    # -- the grid --------------------------------------------------------------------
    def _grid_sq_dist_all(self) -> np.ndarray:
        diff = self._pos[:, None, :] - self._pos[None, :, :]
        return np.einsum("ijk,ijk->ij", diff, diff)

    def _grid_sq_dist(self, unit: int) -> np.ndarray:
        if self._d2_table is not None:
            return self._d2_table[unit]
        diff = self._pos - self._pos[unit]
        return np.einsum("ij,ij->i", diff, diff)

    def _neighbor_offsets(self, r: int, diagonals: bool) -> list[tuple[int, int]]:
        if self.topology == "rectangular":
            offs = [(-1, 0), (1, 0), (0, -1), (0, 1)]
            if diagonals:
                offs += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
            return offs
        # odd rows sit 1/2 to the right: their upper/lower neighbours are columns c, c+1
        shift = (0, 1) if r % 2 else (-1, 0)
        return [(0, -1), (0, 1)] + [(dr, dc) for dr in (-1, 1) for dc in shift]

    def _neighbor_table(self, diagonals: bool) -> np.ndarray:
        """``(n_units, max_degree)`` flat indices of adjacent units, padded with -1."""
        if self.topology == "hexagonal":
            width = 6
        else:
            width = 8 if diagonals else 4
        table = np.full((self.rows * self.cols, width), -1, dtype=np.int64)
        for r in range(self.rows):
            offs = self._neighbor_offsets(r, diagonals)
            for c in range(self.cols):
                k = 0
                for dr, dc in offs:
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < self.rows and 0 <= cc < self.cols:
                        table[r * self.cols + c, k] = rr * self.cols + cc
                        k += 1
        return table

    def neighbors(
        self, position: tuple[int, int], *, diagonals: bool = False
    ) -> list[tuple[int, int]]:
        """Positions adjacent to ``position``: 4 (8 with diagonals) on rectangular, 6 on hex."""
        r, c = self._check_position(position)
        out = []
        for dr, dc in self._neighbor_offsets(r, diagonals):
            rr, cc = r + dr, c + dc
            if 0 <= rr < self.rows and 0 <= cc < self.cols:
                out.append((rr, cc))
        return out

    def _check_position(self, position: Sequence[int]) -> tuple[int, int]:
        if len(position) != 2:
            raise ValueError(f"position: expected (row, col), got {position!r}")
        r, c = int(position[0]), int(position[1])
        if not (0 <= r < self.rows and 0 <= c < self.cols):
            raise ValueError(
                f"position: expected 0 <= row < {self.rows} and 0 <= col < {self.cols}, "
                f"got {position}"
            )
        return r, c

    def grid_positions(self) -> np.ndarray:
        """Unit positions on the plane, shape ``(rows, cols, 2)`` as ``(y, x)``."""
        return self._pos.reshape(self.rows, self.cols, 2).copy()

    def _h(self, d2: np.ndarray, sigma: float) -> np.ndarray:
        s2 = sigma * sigma
        if self.neighborhood == "gaussian":
            return np.exp(-d2 / (2.0 * s2))
        if self.neighborhood == "bubble":
            return (d2 <= s2).astype(np.float64)
        return (1.0 - d2 / s2) * np.exp(-d2 / (2.0 * s2))

    # -- weights ---------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """Weights, shape ``(rows, cols, input_dim)`` (a copy)."""
        return self._w.reshape(self.rows, self.cols, self.input_dim).copy()

    def set_weights(self, weights: ArrayLike) -> None:
        """Replace the weights with an array of shape ``(rows, cols, input_dim)``."""
        w = np.asarray(weights, dtype=np.float64)
        want = (self.rows, self.cols, self.input_dim)
        if w.shape != want:
            raise ValueError(f"weights: expected shape {want}, got {w.shape}")
        if not np.all(np.isfinite(w)):
            raise ValueError("weights: expected finite values, got NaN or inf")
        self._w = w.reshape(-1, self.input_dim).copy()

    def _check_data(self, data: ArrayLike, name: str = "data") -> np.ndarray:
        a = np.asarray(data)
        if a.dtype == object or not (
            np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.bool_)
        ):
            raise TypeError(f"{name}: expected a numeric array, got dtype {a.dtype}")
        a = a.astype(np.float64, copy=False)
        if a.ndim == 1:
            a = a[None, :]
        if a.ndim != 2 or a.shape[0] == 0:
            raise ValueError(f"{name}: expected shape (N, {self.input_dim}), got {np.shape(data)}")
        if a.shape[1] != self.input_dim:
            raise ValueError(f"Received {a.shape[1]} features, expected {self.input_dim}.")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name}: expected finite values, got NaN or inf")
        return a

    def random_weights_init(self, data: ArrayLike) -> None:
        """Set each unit's weights to a sample drawn at random (with replacement) from ``data``."""
        x = self._check_data(data)
        self._w = x[self._rng.integers(0, x.shape[0], size=self._w.shape[0])].copy()

    def pca_weights_init(self, data: ArrayLike) -> None:
        """Linear initialisation (Kohonen 2001, sec. 3.7): a plane through the data's mean.

        ``w[r, c] = mean + a_r sqrt(l1) v1 + b_c sqrt(l2) v2`` with ``(l1, v1)``,
        ``(l2, v2)`` the two largest eigenpairs of the covariance and ``a``,
        ``b`` evenly spaced in ``[-1, 1]``; the longer grid side follows ``v1``.
        Deterministic (no random numbers).
        """
        x = self._check_data(data)
        if x.shape[0] < 2:
            raise ValueError(f"data: pca_weights_init needs >= 2 samples, got {x.shape[0]}")
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
    def _sq_dists(self, x: np.ndarray) -> np.ndarray:
        """``(N, n_units)`` squared distances ``||x_n - w_u||^2`` (expanded form, clipped)."""
        d = np.einsum("ij,ij->i", x, x)[:, None] - 2.0 * (x @ self._w.T)
        d += np.einsum("ij,ij->i", self._w, self._w)[None, :]
        np.maximum(d, 0, out=d)
        return d

    def _bmus(self, x: np.ndarray, batch: int = 4096) -> np.ndarray:
        return np.concatenate(
            [np.argmin(self._sq_dists(x[i : i + batch]), axis=1) for i in range(0, len(x), batch)]
        )

    def _pos_of(self, flat: int) -> tuple[int, int]:
        r, c = divmod(int(flat), self.cols)
        return r, c

    def winner(self, x: ArrayLike) -> tuple[int, int]:
        """Position ``(row, col)`` of the unit closest to one sample ``x`` (ties: lowest index)."""
        xa = self._check_data(x, "x")
        if xa.shape[0] != 1:
            raise ValueError(
                f"x: expected one sample of shape ({self.input_dim},), got {np.shape(x)}"
            )
        diff = self._w - xa[0]
        return self._pos_of(int(np.argmin(np.einsum("ij,ij->i", diff, diff))))

    def winners(self, data: ArrayLike) -> np.ndarray:
        """BMU positions for every sample, shape ``(N, 2)`` as ``(row, col)``."""
        flat = self._bmus(self._check_data(data))
        return np.stack(np.divmod(flat, self.cols), axis=1)

    # -- training --------------------------------------------------------------------
    def train(self, data: ArrayLike, num_iteration: int, random_order: bool = True) -> None:
        """Online training: ``num_iteration`` single-sample updates (Kohonen's rule above).

        Samples are visited cyclically (sample ``t mod N`` at step ``t``), so
        each is used equally often; with ``random_order`` that sequence is
        shuffled by the map's generator. ``eta`` and ``sigma`` decay over the
        ``num_iteration`` steps.
        """
        x = self._check_data(data)
        if isinstance(num_iteration, bool) or not isinstance(num_iteration, (int, np.integer)):
            raise TypeError(f"num_iteration: expected an int, got {type(num_iteration).__name__}")
        if num_iteration < 1:
            raise ValueError(f"num_iteration: expected >= 1, got {num_iteration}")
        order = np.arange(num_iteration) % x.shape[0]
        if random_order:
            self._rng.shuffle(order)
        t = np.arange(num_iteration)
        etas = _decay(self.learning_rate, t, num_iteration, self.decay)
        sigmas = _decay(self.sigma, t, num_iteration, self.decay)
        w = self._w
        for step in range(num_iteration):
            xi = x[order[step]]
            diff = xi - w
            bmu = int(np.argmin(np.einsum("ij,ij->i", diff, diff)))
            g = self._h(self._grid_sq_dist(bmu), sigmas[step])
            g *= etas[step]
            diff *= g[:, None]
            w += diff

    def train_batch(self, data: ArrayLike, num_epochs: int) -> None:
        """Batch map (Kohonen 2001, sec. 3.14): every epoch, all samples at once.

        ``w_u = sum_n h(u, c_n) x_n / sum_n h(u, c_n)`` with ``c_n`` the BMU of
        ``x_n`` under the current weights and ``sigma`` decaying over the
        epochs. No learning rate; deterministic. A unit with zero total
        neighbourhood weight keeps its weights. Gaussian or bubble only.
        """
        x = self._check_data(data)
        if self.neighborhood == "mexican_hat":
            raise ValueError(
                "neighborhood: train_batch needs 'gaussian' or 'bubble' (weights >= 0)"
            )
        if isinstance(num_epochs, bool) or not isinstance(num_epochs, (int, np.integer)):
            raise TypeError(f"num_epochs: expected an int, got {type(num_epochs).__name__}")
        if num_epochs < 1:
            raise ValueError(f"num_epochs: expected >= 1, got {num_epochs}")
        n_units = self._w.shape[0]
        for epoch in range(num_epochs):
            sigma = float(_decay(self.sigma, epoch, num_epochs, self.decay))
            bmus = self._bmus(x)
            counts = np.bincount(bmus, minlength=n_units).astype(np.float64)
            sums = np.zeros_like(self._w)
            _add_rows(sums, bmus, x)
            d2 = self._d2_table if self._d2_table is not None else self._grid_sq_dist_all()
            h = self._h(d2, sigma)  # symmetric (n_units, n_units)
            num = h @ sums
            den = h @ counts
            ok = den > 0
            self._w[ok] = num[ok] / den[ok, None]

    # -- quality ---------------------------------------------------------------------
    def quantization_error(self, data: ArrayLike) -> float:
        """Mean Euclidean distance from each sample to its BMU's weights."""
        x = self._check_data(data)
        bmus = self._bmus(x)
        return float(np.mean(np.linalg.norm(x - self._w[bmus], axis=1)))

    def topographic_error(self, data: ArrayLike, *, diagonals: bool = False) -> float:
        """Fraction of samples whose best and second-best units are not adjacent.

        Adjacent means sharing an edge: 4 neighbours on the rectangular grid
        (8 with ``diagonals=True``, the convention of some libraries), 6 on the
        hexagonal one. Kiviluoto (1996). In ``[0, 1]``.
        """
        x = self._check_data(data)
        if self._w.shape[0] < 2:
            raise ValueError("topographic_error: needs a map of >= 2 units")
        best2 = np.empty((x.shape[0], 2), dtype=np.int64)
        for i in range(0, x.shape[0], 4096):
            d = self._sq_dists(x[i : i + 4096])
            two = np.argpartition(d, 1, axis=1)[:, :2]
            swap = d[np.arange(len(d))[:, None], two]
            two = np.where((swap[:, :1] <= swap[:, 1:]), two, two[:, ::-1])
            best2[i : i + 4096] = two
        diff = self._pos[best2[:, 0]] - self._pos[best2[:, 1]]
        d2 = np.einsum("ij,ij->i", diff, diff)
        limit = 2.0 if (diagonals and self.topology == "rectangular") else 1.0
        return float(np.mean(d2 > limit + 1e-9))

    def distance_map(self, scaling: Literal["mean", "sum"] = "mean") -> np.ndarray:
        """U-matrix (Ultsch 1990): each unit's mean (or summed) distance to its neighbours' weights.

        Neighbours: 8 on the rectangular grid, 6 on the hexagonal one. Normalised
        by the largest value, so the result is in ``[0, 1]``; shape ``(rows, cols)``.
        """
        if scaling not in ("mean", "sum"):
            raise ValueError(f"scaling: expected 'mean' or 'sum', got {scaling!r}")
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
        bmus = self._bmus(self._check_data(data))
        return np.bincount(bmus, minlength=self._w.shape[0]).reshape(self.rows, self.cols)

    def win_map(self, data: ArrayLike, return_indices: bool = False) -> dict[tuple[int, int], list]:
        """Map each winning position to the samples (or their indices) it wins, in data order."""
        x = self._check_data(data)
        out: dict[tuple[int, int], list] = defaultdict(list)
        for i, b in enumerate(self._bmus(x)):
            out[self._pos_of(b)].append(i if return_indices else x[i])
        return dict(out)

    def labels_map(self, data: ArrayLike, labels: Sequence) -> dict[tuple[int, int], Counter]:
        """Map each winning position to a ``Counter`` of the labels of the samples it wins."""
        x = self._check_data(data)
        if len(labels) != x.shape[0]:
            raise ValueError(
                f"labels: expected {x.shape[0]} labels (one per sample), got {len(labels)}"
            )
        out: dict[tuple[int, int], Counter] = defaultdict(Counter)
        for lab, b in zip(labels, self._bmus(x), strict=True):
            key = lab.item() if isinstance(lab, np.generic) else lab
            out[self._pos_of(b)][key] += 1
        return dict(out)

    def __repr__(self) -> str:
        return (
            f"SOM(rows={self.rows}, cols={self.cols}, input_dim={self.input_dim}, "
            f"sigma={self.sigma}, learning_rate={self.learning_rate}, "
            f"neighborhood={self.neighborhood!r}, topology={self.topology!r}, decay={self.decay!r})"
        )


def _add_rows(out: np.ndarray, idx: np.ndarray, x: np.ndarray) -> None:
    """``out[j] += sum of x[idx == j]`` by sorting and ``reduceat``."""
    order = np.argsort(idx, kind="stable")
    present, starts = np.unique(idx[order], return_index=True)
    out[present] += np.add.reduceat(x[order], starts, axis=0)

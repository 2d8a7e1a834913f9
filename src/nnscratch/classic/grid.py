"""The grid of a self-organizing map: unit positions, neighbours, neighbourhoods, decays.

Grids: ``"rectangular"`` (unit ``(r, c)`` at ``(r, c)``, 4 edge neighbours,
8 with diagonals) or ``"hexagonal"`` (odd rows shifted right by 1/2, rows
``sqrt(3)/2`` apart: every neighbour at distance 1, 6 of them inside the map).

Neighbourhoods ``h(d, sigma)`` on the grid distance ``d`` between two units:

* ``"gaussian"``: ``exp(-d^2 / (2 sigma^2))``
* ``"bubble"``: ``1`` if ``d <= sigma`` else ``0`` (a disc on the grid)
* ``"mexican_hat"``: ``(1 - d^2 / sigma^2) exp(-d^2 / (2 sigma^2))`` (Ricker
  wavelet; pushes units just outside the radius away, online training only)

Decay of the learning rate ``eta`` and of ``sigma`` over ``T`` steps:

* ``"asymptotic"``: ``p(t) = p0 / (1 + t / (T/2))``, ending at p0/3; the
  schedule most SOM code uses;
* ``"exponential"``: ``p(t) = p0 * exp(-3 t / T)``, ending at ~5% of p0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DECAYS", "NEIGHBORHOODS", "TOPOLOGIES", "Grid", "decay", "neighborhood"]

NEIGHBORHOODS = ("gaussian", "bubble", "mexican_hat")
TOPOLOGIES = ("rectangular", "hexagonal")
DECAYS = ("asymptotic", "exponential")
_TABLE_LIMIT = 2_000_000  # tabulate the unit-to-unit grid distances up to this many entries


def decay(p0: float, t: np.ndarray | float, total: int, kind: str) -> np.ndarray | float:
    """``p0`` after ``t`` of ``total`` steps: ``"asymptotic"`` or ``"exponential"``."""
    if kind == "asymptotic":
        return p0 / (1.0 + t / (total / 2.0))
    return p0 * np.exp(-3.0 * np.asarray(t) / total)


def neighborhood(kind: str, d2: np.ndarray, sigma: float) -> np.ndarray:
    """``h`` of the squared grid distances ``d2`` for radius ``sigma`` (same shape)."""
    s2 = sigma * sigma
    if kind == "gaussian":
        return np.exp(-d2 / (2.0 * s2))
    if kind == "bubble":
        return (d2 <= s2).astype(np.float64)
    return (1.0 - d2 / s2) * np.exp(-d2 / (2.0 * s2))


class Grid:
    """``rows x cols`` units on a rectangular or hexagonal grid; unit ``u = r * cols + c``.

    ``positions`` holds each unit's place on the plane, shape ``(units, 2)``
    as ``(y, x)``.
    """

    def __init__(self, rows: int, cols: int, topology: str) -> None:
        self.rows, self.cols, self.topology = rows, cols, topology
        r, c = np.divmod(np.arange(rows * cols), cols)
        if topology == "rectangular":
            self.positions = np.stack([r, c], axis=1).astype(np.float64)
        else:
            self.positions = np.stack([r * (np.sqrt(3.0) / 2.0), c + 0.5 * (r % 2)], axis=1)
        self._d2: np.ndarray | None = None
        if (rows * cols) ** 2 <= _TABLE_LIMIT:
            self._d2 = self.sq_distances()

    def sq_distances(self) -> np.ndarray:
        """Squared grid distances between all units, ``(units, units)`` (symmetric)."""
        if self._d2 is not None:
            return self._d2
        diff = self.positions[:, None, :] - self.positions[None, :, :]
        return np.einsum("ijk,ijk->ij", diff, diff)

    def sq_distances_from(self, unit: int) -> np.ndarray:
        """Squared grid distances from ``unit`` to every unit, ``(units,)``."""
        if self._d2 is not None:
            return self._d2[unit]
        diff = self.positions - self.positions[unit]
        return np.einsum("ij,ij->i", diff, diff)

    def _offsets(self, r: int, diagonals: bool) -> list[tuple[int, int]]:
        if self.topology == "rectangular":
            offs = [(-1, 0), (1, 0), (0, -1), (0, 1)]
            if diagonals:
                offs += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
            return offs
        # odd rows sit 1/2 to the right: their upper/lower neighbours are columns c, c+1
        shift = (0, 1) if r % 2 else (-1, 0)
        return [(0, -1), (0, 1)] + [(dr, dc) for dr in (-1, 1) for dc in shift]

    def neighbors(self, r: int, c: int, diagonals: bool = False) -> list[tuple[int, int]]:
        """Positions adjacent to ``(r, c)``: 4 (8 with diagonals) on rectangular, 6 on hex."""
        out = []
        for dr, dc in self._offsets(r, diagonals):
            rr, cc = r + dr, c + dc
            if 0 <= rr < self.rows and 0 <= cc < self.cols:
                out.append((rr, cc))
        return out

    def neighbor_table(self, diagonals: bool = True) -> np.ndarray:
        """``(units, max_degree)`` indices of adjacent units, padded with -1."""
        width = 6 if self.topology == "hexagonal" else (8 if diagonals else 4)
        table = np.full((self.rows * self.cols, width), -1, dtype=np.int64)
        for r in range(self.rows):
            for c in range(self.cols):
                found = [rr * self.cols + cc for rr, cc in self.neighbors(r, c, diagonals)]
                table[r * self.cols + c, : len(found)] = found
        return table

    def adjacent(self, a: np.ndarray, b: np.ndarray, diagonals: bool = False) -> np.ndarray:
        """Whether units ``a[n]`` and ``b[n]`` share an edge (or a corner, with ``diagonals``)."""
        diff = self.positions[a] - self.positions[b]
        d2 = np.einsum("ij,ij->i", diff, diff)
        limit = 2.0 if (diagonals and self.topology == "rectangular") else 1.0
        return d2 <= limit + 1e-9

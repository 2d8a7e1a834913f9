"""The tiling machinery under ``KNeighborsClassifier``: exact k nearest rows, fast.

``knn.py`` states the math (``||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2``, the
k smallest by distance then index); this module computes the same answer
without a full sort of every row of distances:

1. **Products in float32.** The training rows are kept once as
   ``[b, ||b||^2]`` (N, D + 1), so one matrix product of ``[-2a, 1]`` gives
   the partial distance ``||b||^2 - 2 a.b`` of a tile of queries to a tile of
   training rows; ``||a||^2`` is the same along a row and is left out.
2. **A cheap bound on the k-th smallest.** Each row of a tile is cut into
   segments of ``L`` columns and the minimum of each segment taken (one
   vectorised pass). The k smallest elements of a row lie in the k segments
   with the smallest minima, so the k-th smallest segment minimum bounds the
   row's k-th smallest distance from above.
3. **A float64 re-check of the candidates.** Every element below that bound,
   plus the float32 rounding error ``E``, is a candidate; candidates (a few
   per query) get their distance again in float64 and are sorted by
   (distance, index), merged with the k best of the earlier training tiles.

``E`` bounds the float32 error of one partial distance plus that of its
float64 re-check: ``E = 2.2 (D + 8) (u + 2^-53) (||a|| + max ||b||)^2`` with
``u = 2^-24`` (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd
ed., section 3.1: an inner product of n terms is off by at most
``n u / (1 - n u)`` times the sum of the products' magnitudes; the ``+8``
covers rounding the inputs and the added norm, the 2.2 both errors with
10% to spare). So the candidates always include the k nearest by the
float64 distances, and the answer is theirs. Where float32 cannot hold the
data (more than 16,000 features, or norms beyond 1e15) the products are
float64 and ``u = 2^-53``.

Memory: one (queries x training rows) block of the product's dtype stays
under ``max_memory`` bytes (at least one training tile of ``k`` segments per
query); the candidates' float64 re-check uses another ``max_memory`` at most.
On top, the fitted object keeps the (N, D + 1) product copy of the training
set (float32: 4 (D + 1) bytes per row) and, for float64 input, the float64
rows for the re-check.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NearestSearch"]

SEGMENT = 256  # columns per segment: long enough to vectorise, short for a tight bound
MAX_FLOAT32_FEATURES = 16_000  # above, (D + 8) u for float32 exceeds 1e-3: products in float64
MAX_FLOAT32_NORM = 1e15  # beyond, float32 squares lose range
QUERY_TILE = 1024  # queries per tile at most: larger tiles do not make the product faster


class NearestSearch:
    """The k nearest training rows of each query, by (float64 distance, index).

    Args:
        x: training rows (N, D), float32 or float64, read again by the re-check.
        k: neighbours per query, 1 <= k <= N.
        max_memory: bytes for one block of distances (and for one re-check batch).
    """

    def __init__(self, x: np.ndarray, k: int, max_memory: int) -> None:
        self.x, self.k, self.max_memory = x, k, max_memory
        n, d = x.shape
        self.sq = np.einsum("ij,ij->i", x, x, dtype=np.float64)  # ||b||^2 in float64
        self.max_norm = float(np.sqrt(self.sq.max()))
        small = d <= MAX_FLOAT32_FEATURES and self.max_norm < MAX_FLOAT32_NORM
        self.dtype = np.dtype(np.float32 if small else np.float64)
        self.unit = float(np.finfo(self.dtype).eps) / 2  # u, the unit roundoff
        # L columns per segment, with at least k segments in the whole set.
        self.segment = max(1, min(SEGMENT, n // k))
        padded = -(-n // self.segment) * self.segment
        # [b, ||b||^2], padded with rows at a huge finite distance (inf could meet 0 * inf).
        aug = np.zeros((padded, d + 1), self.dtype)
        aug[:n, :d] = x
        aug[:n, d] = self.sq
        aug[n:, d] = np.finfo(self.dtype).max / 4
        self.aug = aug
        if x.dtype == self.dtype:  # the re-check reads the same numbers: no second copy
            self.x = aug[:n, :d]

    def tiles(self, m: int) -> tuple[int, int]:
        """(queries, training rows) per block: training tiles a multiple of the segment."""
        padded, item = len(self.aug), self.dtype.itemsize
        per_block = max(1, self.max_memory // item)
        rows = min(padded, max(self.segment * self.k, per_block // max(1, min(m, QUERY_TILE))))
        rows = max(self.segment, rows // self.segment * self.segment)
        queries = max(1, min(m, QUERY_TILE, per_block // rows))
        return queries, rows

    def kneighbors(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Squared float64 distances (M, k) and indices (M, k), sorted by (distance, index)."""
        m = len(q)
        dist = np.empty((m, self.k))
        index = np.empty((m, self.k), np.intp)
        tq, tn = self.tiles(m)
        buf = np.empty(tq * tn, self.dtype)  # one block, reused
        for lo in range(0, m, tq):
            a = q[lo : lo + tq]
            dist[lo : lo + len(a)], index[lo : lo + len(a)] = self._query_tile(a, tn, buf)
        return dist, index

    # ------------------------------------------------------------------ one tile of queries
    def _query_tile(self, a: np.ndarray, tn: int, buf: np.ndarray) -> tuple[np.ndarray, ...]:
        k, n = self.k, len(self.x)
        sqa = np.einsum("ij,ij->i", a, a, dtype=np.float64)
        # E: the float32 products' error bound, plus the float64 re-check's.
        bound = 2.2 * (a.shape[1] + 8) * (self.unit + 2.0**-53)
        err = bound * (np.sqrt(sqa) + self.max_norm) ** 2
        lhs = np.empty((len(a), a.shape[1] + 1), self.dtype)  # [-2a, 1]
        np.multiply(a, -2, out=lhs[:, :-1], casting="unsafe")
        lhs[:, -1] = 1
        best_d = np.full((len(a), k), np.inf)  # running k best: float64 distances ...
        best_i = np.full((len(a), k), n, np.intp)  # ... and indices (n: none yet)
        for start in range(0, len(self.aug), tn):
            tile = self.aug[start : start + tn]
            block = buf[: len(a) * len(tile)].reshape(len(a), len(tile))
            np.matmul(lhs, tile.T, out=block)  # ||b||^2 - 2 a.b, (tq, tn)
            rows, cols = self._candidates(block, best_d[:, -1] - sqa, err)
            d64 = self._recheck(a, sqa, rows, cols + start)
            best_d, best_i = _merge(best_d, best_i, rows, d64, cols + start)
        return best_d, best_i

    def _candidates(
        self, block: np.ndarray, running: np.ndarray, err: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every element of ``block`` that may be among the k nearest."""
        k, seg = self.k, self.segment
        segs = block.reshape(len(block), -1, seg)
        mins = segs.min(axis=2)  # (tq, S)
        if mins.shape[1] >= k:
            kth = np.partition(mins, k - 1, axis=1)[:, k - 1].astype(np.float64)
        else:  # a last tile with fewer than k segments: every element may count
            kth = np.full(len(block), np.inf)
        # Below the tile's own bound, and able to beat the k-th of the earlier tiles.
        limit = np.minimum(kth + 2 * err, running + err)
        limit = np.nextafter(limit.astype(self.dtype), np.inf)  # rounded up, never down
        seg_r, seg_s = np.nonzero(mins <= limit[:, None])
        hit, offset = np.nonzero(segs[seg_r, seg_s] <= limit[seg_r, None])
        return seg_r[hit], seg_s[hit] * seg + offset

    def _recheck(self, a: np.ndarray, sqa: np.ndarray, rows: np.ndarray, cols: np.ndarray):
        """``||a||^2 - 2 a.b + ||b||^2`` in float64 for each (query row, training column)."""
        n = len(self.x)
        real = cols < n  # padding rows are never candidates, but stay safe
        rows, cols = rows[real], cols[real]
        out = np.full(len(real), np.inf)
        vals = np.empty(len(rows))
        step = max(1, self.max_memory // (16 * a.shape[1]))  # two float64 gathers per pair
        for lo in range(0, len(rows), step):
            r, c = rows[lo : lo + step], cols[lo : lo + step]
            ab = np.einsum("ij,ij->i", a[r], self.x[c], dtype=np.float64)
            vals[lo : lo + step] = sqa[r] - 2 * ab + self.sq[c]
        out[real] = vals
        return out


def _merge(best_d, best_i, rows, d, cols):
    """The k best per row by (distance, index) of the running best and new candidates."""
    tq, k = best_d.shape
    all_r = np.concatenate([np.repeat(np.arange(tq), k), rows])
    all_d = np.concatenate([best_d.ravel(), d])
    all_i = np.concatenate([best_i.ravel(), cols])
    order = np.lexsort((all_i, all_d, all_r))  # by row, then distance, then index
    starts = np.concatenate([[0], np.cumsum(np.bincount(all_r, minlength=tq))[:-1]])
    take = order[starts[:, None] + np.arange(k)]  # every row has >= k entries
    return all_d[take], all_i[take]

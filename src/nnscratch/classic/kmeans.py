"""k-means and the squared distances the RBF network and the SOM share.

* :func:`pairwise_sq_distances`: ``||x_n - c_i||^2`` for every pair as
  ``||x||^2 - 2 x.c + ||c||^2``, clipped at 0 against rounding, which turns
  the work into one matrix product;
* :func:`kmeans`: Lloyd's algorithm with k-means++ seeding (Arthur &
  Vassilvitskii 2007), the RBF network's first step (Zhou sec. 5.5.1);
* :func:`segment_sum`: the sum of the samples assigned to each cluster (or
  map unit), used by k-means and the SOM's batch map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from nnscratch._validate import Integer, Real, check, check_seed, fail
from nnscratch.classic._base import samples

__all__ = ["KMeansResult", "kmeans", "kmeans_plus_plus", "pairwise_sq_distances", "segment_sum"]


def pairwise_sq_distances(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances ``D[n, i] = ||x_n - c_i||^2``.

    Computed as ``||x||^2 - 2 x @ c.T + ||c||^2`` and clipped at 0, so a
    ``(N, d)`` by ``(k, d)`` problem costs one ``(N, d) @ (d, k)`` product.

    Args:
        x: shape ``(N, d)``.
        c: shape ``(k, d)``.

    Returns:
        Shape ``(N, k)``, in the result dtype of ``x`` and ``c``.
    """
    x = np.asarray(x)
    c = np.asarray(c)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise fail("c", f"a (k, d) array beside x's (N, d) {x.shape}", f"shape {c.shape}")
    d = np.einsum("ij,ij->i", x, x)[:, None] - 2.0 * (x @ c.T)
    d += np.einsum("ij,ij->i", c, c)[None, :]
    np.maximum(d, 0, out=d)
    return d


def kmeans_plus_plus(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007): shape ``(k, d)``.

    The first centre is a uniform random sample; each next one is a sample
    drawn with probability proportional to its squared distance to the
    nearest centre chosen so far.
    """
    n = x.shape[0]
    centers = np.empty((k, x.shape[1]), dtype=x.dtype)
    first = int(rng.integers(n))
    centers[0] = x[first]
    x_sq = np.einsum("ij,ij->i", x, x)
    closest = np.maximum(x_sq - 2.0 * (x @ centers[0]) + x_sq[first], 0)
    for j in range(1, k):
        total = float(closest.sum())
        if total <= 0:  # fewer distinct points than k: repeat a point
            idx = int(rng.integers(n))
        else:
            idx = int(rng.choice(n, p=closest / total))
        centers[j] = x[idx]
        d = np.maximum(x_sq - 2.0 * (x @ centers[j]) + x_sq[idx], 0)
        np.minimum(closest, d, out=closest)
    return centers


@dataclass
class KMeansResult:
    """Output of :func:`kmeans`: ``centers (k, d)``, ``labels (N,)``, ``inertia``, ``n_iter``."""

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int
    converged: bool


def kmeans(
    x: ArrayLike,
    k: int,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    seed: int | np.random.Generator | None = None,
) -> KMeansResult:
    """Lloyd's k-means with k-means++ seeding.

    Minimises the inertia ``sum_n min_i ||x_n - c_i||^2``. Each iteration
    assigns every point to its nearest centre and moves each centre to the
    mean of its points; an empty cluster is re-seeded at the point farthest
    from its centre. Stops when no centre moves more than ``tol`` times the
    mean per-feature variance of ``x`` (squared shift), or after ``max_iter``.

    Args:
        x: data, shape ``(N, d)``.
        k: number of clusters, ``1 <= k <= N``.
        max_iter: most Lloyd iterations.
        tol: relative tolerance on the squared centre shift.
        seed: seed or Generator.

    Returns:
        A :class:`KMeansResult`.
    """
    xa = samples("x", x, float64=False)
    n = xa.shape[0]
    k = check("k", k, Integer(1, n))
    max_iter = check("max_iter", max_iter, Integer(1))
    tol = check("tol", tol, Real(0))
    rng = np.random.default_rng(check_seed("seed", seed, generator=True))
    centers = kmeans_plus_plus(xa, k, rng)
    threshold = tol * float(np.mean(np.var(xa, axis=0)))
    converged = False
    n_iter = 0
    for _ in range(max_iter):
        n_iter += 1
        d = pairwise_sq_distances(xa, centers)
        labels = np.argmin(d, axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = segment_sum(xa, labels, k)
        new = centers.copy()
        nonempty = counts > 0
        new[nonempty] = sums[nonempty] / counts[nonempty, None]
        if not np.all(nonempty):
            far = np.argsort(d[np.arange(n), labels])[::-1]
            for slot, idx in zip(np.flatnonzero(~nonempty), far, strict=False):
                new[slot] = xa[idx]
        shift = float(np.max(np.sum((new - centers) ** 2, axis=1)))
        centers = new
        if shift <= threshold:
            converged = True
            break
    d = pairwise_sq_distances(xa, centers)
    labels = np.argmin(d, axis=1)
    inertia = float(d[np.arange(n), labels].sum())
    return KMeansResult(centers, labels, inertia, n_iter, converged)


def segment_sum(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """``out[j] = sum of x[labels == j]``, shape ``(k, d)``, by sorting and ``reduceat``."""
    order = np.argsort(labels, kind="stable")
    present, starts = np.unique(labels[order], return_index=True)
    out = np.zeros((k, x.shape[1]), dtype=x.dtype)
    out[present] = np.add.reduceat(x[order], starts, axis=0)
    return out

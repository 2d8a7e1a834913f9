"""Radial basis function (RBF) network, trained in two steps (Zhou, sec. 5.5.1).

The network has one hidden layer of Gaussian units and a linear output
(Zhou eq. 5.18, 5.19)::

    phi(x) = sum_i w_i * rho(x, c_i) + b,      rho(x, c_i) = exp(-beta_i * ||x - c_i||^2)

Training follows Zhou's two steps:

1. the centres ``c_i``: a random sample of the training points, or k-means
   (Lloyd's algorithm with k-means++ seeding, Arthur & Vassilvitskii 2007);
2. the output weights ``w`` (and bias ``b``): linear least squares on the
   hidden activations (optionally ridge-regularised), or gradient descent on
   the mean squared error, which may also learn the ``beta_i`` as Zhou's
   "BP" step does.

Widths ``beta``: given (a number or one per centre) or set by a heuristic:

* ``"nearest"`` (default): ``sigma`` = the mean, over centres, of the distance
  from a centre to its nearest other centre; ``beta = 1 / (2 sigma^2)`` for
  every unit. Neighbouring Gaussians then overlap at about one standard
  deviation, in the spirit of Moody & Darken's (1989) nearest-neighbour rule.
* ``"max"``: Haykin's rule (Neural Networks, 2nd ed., eq. 5.138)
  ``sigma = d_max / sqrt(2 k)`` with ``d_max`` the largest distance between
  the ``k`` centres, i.e. ``beta = k / d_max^2``.

Which to use: ``"max"`` suits smooth low-dimensional regression (sin on
[0, 2 pi] with 10 k-means centres: max error 1e-3, against 5e-2 with
``"nearest"``); in high dimension ``d_max`` is far larger than the distances a
unit should see and ``"max"`` makes the units useless (MNIST with 1000
centres: 89% error), while ``"nearest"`` gives 3.2% (see docs/classic-networks.md).

Squared distances use ``||x||^2 - 2 x.c + ||c||^2``, clipped at 0 against
rounding, which turns the work into one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "KMeansResult",
    "RBFClassifier",
    "RBFNetwork",
    "kmeans",
    "kmeans_plus_plus",
    "pairwise_sq_distances",
]


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
        raise ValueError(
            f"pairwise_sq_distances: expected (N, d) and (k, d) arrays, got {x.shape} and {c.shape}"
        )
    d = np.einsum("ij,ij->i", x, x)[:, None] - 2.0 * (x @ c.T)
    d += np.einsum("ij,ij->i", c, c)[None, :]
    np.maximum(d, 0, out=d)
    return d


def _as_float_2d(x: ArrayLike, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == object or not (
        np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.bool_)
    ):
        raise TypeError(f"{name}: expected a numeric array, got dtype {a.dtype}")
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"{name}: expected shape (N, d) with N >= 1, got {np.shape(x)}")
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: expected finite values, got NaN or inf")
    return a


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
    xa = _as_float_2d(x, "x")
    n = xa.shape[0]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise ValueError(f"k: expected an int in [1, {n}], got {k!r}")
    if max_iter < 1:
        raise ValueError(f"max_iter: expected >= 1, got {max_iter}")
    rng = np.random.default_rng(seed)
    centers = kmeans_plus_plus(xa, int(k), rng)
    threshold = tol * float(np.mean(np.var(xa, axis=0)))
    converged = False
    n_iter = 0
    for _ in range(max_iter):
        n_iter += 1
        d = pairwise_sq_distances(xa, centers)
        labels = np.argmin(d, axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = _segment_sum(xa, labels, k)
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


def _segment_sum(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """``out[j] = sum of x[labels == j]``, shape ``(k, d)``, by sorting and ``reduceat``."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    present, starts = np.unique(sorted_labels, return_index=True)
    out = np.zeros((k, x.shape[1]), dtype=x.dtype)
    out[present] = np.add.reduceat(x[order], starts, axis=0)
    return out


class RBFNetwork:
    """Gaussian RBF network ``phi(x) = sum_i w_i exp(-beta_i ||x - c_i||^2) + b``.

    Zhou eq. 5.18 (the network) and 5.19 (the Gaussian radial basis function).
    Outputs may be several (one column per target), e.g. one-hot classes.

    Args:
        n_centers: number of hidden units ``q``.
        centers: ``"kmeans"``, ``"random"`` (a random sample of the training
            points) or an array ``(q, d)`` of fixed centres.
        beta: a positive number, an array ``(q,)``, or a heuristic:
            ``"nearest"`` or ``"max"`` (see the module docstring).
        solver: ``"lstsq"`` (least squares, closed form) or ``"gd"`` (full
            batch gradient descent on ``E = 1/(2N) sum_n ||phi(x_n) - t_n||^2``).
        ridge: L2 penalty ``lambda`` on ``w`` (not on ``b``) for ``"lstsq"``:
            solves ``(A^T A + lambda I') [w; b] = A^T T`` in float64.
        bias: learn the output bias ``b``.
        learning_rate, epochs: for ``"gd"``.
        train_betas: with ``"gd"``, also learn the ``beta_i`` (kept > 0).
        kmeans_sample: run k-means on a random subset of this many points
            (the hidden activations still use all points).
        kmeans_max_iter: Lloyd iterations.
        seed: seed or Generator for the centres and the k-means subset.

    Attributes (after ``fit``): ``centers_ (q, d)``, ``betas_ (q,)``,
    ``weights_ (q, k)``, ``bias_ (k,)``, ``loss_history_`` (gd only).

    Example (Zhou's exercise 5.7, XOR with four Gaussian units):
        >>> x = [[0, 0], [0, 1], [1, 0], [1, 1]]
        >>> net = RBFNetwork(4, centers=x, beta=1.0).fit(x, [0, 1, 1, 0])
        >>> net.predict_classes(x).tolist()
        [0, 1, 1, 0]
    """

    def __init__(
        self,
        n_centers: int,
        *,
        centers: Literal["kmeans", "random"] | ArrayLike = "kmeans",
        beta: float | ArrayLike | Literal["nearest", "max"] = "nearest",
        solver: Literal["lstsq", "gd"] = "lstsq",
        ridge: float = 0.0,
        bias: bool = True,
        learning_rate: float = 0.1,
        epochs: int = 1000,
        train_betas: bool = False,
        kmeans_sample: int | None = None,
        kmeans_max_iter: int = 100,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if isinstance(n_centers, bool) or not isinstance(n_centers, (int, np.integer)):
            raise TypeError(f"n_centers: expected an int, got {type(n_centers).__name__}")
        if n_centers < 1:
            raise ValueError(f"n_centers: expected >= 1, got {n_centers}")
        if isinstance(centers, str):
            if centers not in ("kmeans", "random"):
                raise ValueError(
                    f"centers: expected 'kmeans', 'random' or an array, got {centers!r}"
                )
        else:
            c = _as_float_2d(centers, "centers")
            if c.shape[0] != n_centers:
                raise ValueError(
                    f"centers: expected {n_centers} rows (n_centers), got shape {c.shape}"
                )
            centers = c
        if isinstance(beta, str):
            if beta not in ("nearest", "max"):
                raise ValueError(
                    f"beta: expected a number, an array, 'nearest' or 'max', got {beta!r}"
                )
        else:
            b = np.asarray(beta, dtype=np.float64)
            if b.ndim > 1 or (b.ndim == 1 and b.shape[0] != n_centers):
                raise ValueError(f"beta: expected a number or shape ({n_centers},), got {b.shape}")
            if not np.all(np.isfinite(b)) or np.any(b <= 0):
                raise ValueError(f"beta: expected finite values > 0, got {beta}")
        if solver not in ("lstsq", "gd"):
            raise ValueError(f"solver: expected 'lstsq' or 'gd', got {solver!r}")
        if not np.isfinite(ridge) or ridge < 0:
            raise ValueError(f"ridge: expected a finite number >= 0, got {ridge}")
        if not np.isfinite(learning_rate) or learning_rate <= 0:
            raise ValueError(f"learning_rate: expected a finite number > 0, got {learning_rate}")
        if epochs < 1:
            raise ValueError(f"epochs: expected >= 1, got {epochs}")
        if train_betas and solver != "gd":
            raise ValueError("train_betas: only possible with solver='gd'")
        if kmeans_sample is not None and kmeans_sample < n_centers:
            raise ValueError(
                f"kmeans_sample: expected None or >= n_centers ({n_centers}), got {kmeans_sample}"
            )
        self.n_centers = int(n_centers)
        self.centers = centers
        self.beta = beta
        self.solver = solver
        self.ridge = float(ridge)
        self.bias = bool(bias)
        self.learning_rate = float(learning_rate)
        self.epochs = int(epochs)
        self.train_betas = bool(train_betas)
        self.kmeans_sample = kmeans_sample
        self.kmeans_max_iter = int(kmeans_max_iter)
        self._rng = np.random.default_rng(seed)
        self.loss_history_: list[float] = []

    # -- step 1: centres and widths ------------------------------------------------
    def _choose_centers(self, x: np.ndarray) -> np.ndarray:
        if not isinstance(self.centers, str):
            if self.centers.shape[1] != x.shape[1]:
                raise ValueError(
                    f"centers: expected {x.shape[1]} features like x, got {self.centers.shape[1]}"
                )
            return self.centers.astype(x.dtype)
        n = x.shape[0]
        if self.n_centers > n:
            raise ValueError(
                f"n_centers: expected <= number of samples ({n}), got {self.n_centers}"
            )
        if self.centers == "random":
            return x[self._rng.choice(n, size=self.n_centers, replace=False)].copy()
        sample = x
        if self.kmeans_sample is not None and self.kmeans_sample < n:
            sample = x[self._rng.choice(n, size=self.kmeans_sample, replace=False)]
        return kmeans(sample, self.n_centers, max_iter=self.kmeans_max_iter, seed=self._rng).centers

    def _choose_betas(self, c: np.ndarray) -> np.ndarray:
        q = c.shape[0]
        if not isinstance(self.beta, str):
            return np.broadcast_to(np.asarray(self.beta, dtype=np.float64), (q,)).copy()
        if q < 2:
            raise ValueError(f"beta: the {self.beta!r} heuristic needs >= 2 centres; give beta")
        d = np.sqrt(pairwise_sq_distances(c.astype(np.float64), c.astype(np.float64)))
        if self.beta == "nearest":
            np.fill_diagonal(d, np.inf)
            sigma = float(np.mean(np.min(d, axis=1)))
        else:
            sigma = float(np.max(d)) / np.sqrt(2.0 * q)
        if sigma <= 0:
            raise ValueError("beta: centres coincide, the width heuristic gives 0; give beta")
        return np.full(q, 1.0 / (2.0 * sigma**2))

    # -- the hidden layer ------------------------------------------------------------
    def _hidden(self, x: np.ndarray, return_dist: bool = False):
        d = pairwise_sq_distances(x, self.centers_.astype(x.dtype, copy=False))
        h = np.exp(-d * self.betas_.astype(x.dtype))
        return (h, d) if return_dist else h

    def transform(self, x: ArrayLike) -> np.ndarray:
        """Hidden activations ``rho(x_n, c_i) = exp(-beta_i ||x_n - c_i||^2)``, shape ``(N, q)``."""
        return self._hidden(self._check_x(x))

    def _check_x(self, x: ArrayLike) -> np.ndarray:
        if not hasattr(self, "centers_"):
            raise RuntimeError("RBFNetwork: call fit before predict/transform")
        a = _as_float_2d(x, "x")
        if a.shape[1] != self.centers_.shape[1]:
            raise ValueError(f"x: expected shape (N, {self.centers_.shape[1]}), got {np.shape(x)}")
        return a

    # -- step 2: output weights ----------------------------------------------------
    def fit(self, x: ArrayLike, t: ArrayLike) -> RBFNetwork:
        """Choose centres and widths, then fit the output layer.

        Args:
            x: inputs, shape ``(N, d)`` (``(N,)`` is read as ``d = 1``).
            t: targets, shape ``(N,)`` (one output) or ``(N, k)``.

        Returns:
            ``self``.
        """
        xa = _as_float_2d(x, "x")
        ta = np.asarray(t, dtype=np.float64)
        if ta.ndim not in (1, 2) or ta.shape[0] != xa.shape[0]:
            raise ValueError(
                f"t: expected shape ({xa.shape[0]},) or ({xa.shape[0]}, k), got {ta.shape}"
            )
        if not np.all(np.isfinite(ta)):
            raise ValueError("t: expected finite values, got NaN or inf")
        self._single_output = ta.ndim == 1
        t2 = ta[:, None] if ta.ndim == 1 else ta
        self.centers_ = self._choose_centers(xa)
        self.betas_ = self._choose_betas(self.centers_)
        if self.solver == "lstsq":
            self._fit_lstsq(xa, t2)
        else:
            self._fit_gd(xa, t2)
        return self

    def _fit_lstsq(self, x: np.ndarray, t: np.ndarray) -> None:
        h = self._hidden(x).astype(np.float64, copy=False)
        a = np.hstack([h, np.ones((h.shape[0], 1))]) if self.bias else h
        if self.ridge > 0:
            gram = a.T @ a
            idx = np.arange(self.n_centers)
            gram[idx, idx] += self.ridge
            sol = np.linalg.solve(gram, a.T @ t)
        else:
            sol = np.linalg.lstsq(a, t, rcond=None)[0]
        self.weights_ = sol[: self.n_centers]
        self.bias_ = sol[self.n_centers] if self.bias else np.zeros(t.shape[1])

    def _loss_and_grads(
        self, x: np.ndarray, t: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """``E = 1/(2N) sum ||y - t||^2`` and its gradients for ``w``, ``b`` and ``beta``.

        ``dE/dw = H^T r / N``, ``dE/db = mean(r)``,
        ``dE/dbeta_i = -1/N sum_n (r_n . w_i) H_ni D_ni`` with ``r = y - t``.
        """
        h, d = self._hidden(x, return_dist=True)
        r = h @ self.weights_ + self.bias_ - t
        n = x.shape[0]
        loss = 0.5 * float(np.sum(r * r)) / n
        gw = h.T @ r / n
        gb = r.mean(axis=0)
        gbeta = -np.sum((r @ self.weights_.T) * h * d, axis=0) / n
        return loss, gw, gb, gbeta

    def _fit_gd(self, x: np.ndarray, t: np.ndarray) -> None:
        x = x.astype(np.float64, copy=False)
        self.weights_ = np.zeros((self.n_centers, t.shape[1]))
        self.bias_ = np.zeros(t.shape[1])
        self.loss_history_ = []
        for _ in range(self.epochs):
            loss, gw, gb, gbeta = self._loss_and_grads(x, t)
            self.loss_history_.append(loss)
            self.weights_ -= self.learning_rate * gw
            if self.bias:
                self.bias_ -= self.learning_rate * gb
            if self.train_betas:
                self.betas_ = np.maximum(self.betas_ - self.learning_rate * gbeta, 1e-12)
        self.loss_history_.append(self._loss_and_grads(x, t)[0])
        if not (np.all(np.isfinite(self.weights_)) and np.all(np.isfinite(self.betas_))):
            raise FloatingPointError(
                f"RBFNetwork: gradient descent diverged; lower learning_rate ({self.learning_rate})"
            )

    # -- outputs -------------------------------------------------------------------
    def predict(self, x: ArrayLike) -> np.ndarray:
        """Network output ``phi(x)``: ``(N,)`` if fitted on ``(N,)`` targets, else ``(N, k)``."""
        h = self.transform(x)
        y = h @ self.weights_.astype(h.dtype) + self.bias_.astype(h.dtype)
        return y[:, 0] if self._single_output else y

    def predict_classes(self, x: ArrayLike) -> np.ndarray:
        """Class indices: ``argmax`` over outputs, or ``phi(x) > 0.5`` for a single 0/1 output."""
        y = self.predict(x)
        if y.ndim == 1:
            return (y > 0.5).astype(np.int64)
        return np.argmax(y, axis=1)

    def score(self, x: ArrayLike, labels: ArrayLike) -> float:
        """Accuracy of :meth:`predict_classes` against labels ``(N,)`` or one-hot ``(N, k)``."""
        lab = np.asarray(labels)
        if lab.ndim == 2:
            lab = np.argmax(lab, axis=1)
        pred = self.predict_classes(x)
        if lab.shape != pred.shape:
            raise ValueError(f"labels: expected shape {pred.shape}, got {np.shape(labels)}")
        return float(np.mean(pred == lab))

    def mse(self, x: ArrayLike, t: ArrayLike) -> float:
        """Mean squared error ``mean((phi(x) - t)^2)`` over all entries."""
        return float(np.mean((self.predict(x) - np.asarray(t, dtype=np.float64)) ** 2))


class RBFClassifier(RBFNetwork):
    """RBF network for classification: integer labels in, one-hot least squares inside.

    ``fit(x, labels)`` trains one output per class on one-hot targets (Zhou
    eq. 5.18 per output); ``predict`` returns the label of the largest output.
    Same arguments as :class:`RBFNetwork`.
    """

    def fit(self, x: ArrayLike, labels: ArrayLike) -> RBFClassifier:
        """Fit on labels of shape ``(N,)`` (any hashable sortable values)."""
        lab = np.asarray(labels)
        if lab.ndim != 1:
            raise ValueError(f"labels: expected shape (N,), got {lab.shape}")
        self.classes_, idx = np.unique(lab, return_inverse=True)
        if self.classes_.shape[0] < 2:
            raise ValueError(f"labels: expected >= 2 classes, got {self.classes_.tolist()}")
        onehot = np.zeros((lab.shape[0], self.classes_.shape[0]))
        onehot[np.arange(lab.shape[0]), idx] = 1.0
        super().fit(x, onehot)
        return self

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Predicted labels, shape ``(N,)``."""
        return self.classes_[np.argmax(self.decision_function(x), axis=1)]

    def decision_function(self, x: ArrayLike) -> np.ndarray:
        """One output per class, shape ``(N, n_classes)``."""
        return super().predict(x)

    def predict_classes(self, x: ArrayLike) -> np.ndarray:
        """Same as :meth:`predict`."""
        return self.predict(x)

    def score(self, x: ArrayLike, labels: ArrayLike) -> float:
        """Accuracy against labels of shape ``(N,)``."""
        lab = np.asarray(labels)
        pred = self.predict(x)
        if lab.shape != pred.shape:
            raise ValueError(f"labels: expected shape {pred.shape}, got {lab.shape}")
        return float(np.mean(pred == lab))

    def mse(self, x: ArrayLike, t: ArrayLike) -> float:
        raise TypeError("RBFClassifier.mse: use score(x, labels) for a classifier")

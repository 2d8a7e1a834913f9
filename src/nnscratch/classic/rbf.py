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

from typing import ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike

from nnscratch._validate import Integer, Options, Real, check, check_array, check_bool, fail
from nnscratch.classic._base import POSITIVE, SEED, Estimator, Spec, samples
from nnscratch.classic.kmeans import kmeans, pairwise_sq_distances
from nnscratch.metrics import accuracy, output_labels, target_labels

__all__ = ["RBFClassifier", "RBFNetwork"]


class RBFNetwork(Estimator):
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
        lr: learning rate ``eta`` of ``"gd"``: ``w <- w - eta dE/dw``.
        epochs: gradient descent steps of ``"gd"`` (all of them are run).
        train_betas: with ``"gd"``, also learn the ``beta_i`` (kept > 0).
        kmeans_sample: run k-means on a random subset of this many points
            (the hidden activations still use all points).
        kmeans_max_iter: Lloyd iterations.
        seed: seed or Generator for the centres and the k-means subset; a new
            generator is made from it at every ``fit``.

    Attributes (after ``fit``): ``centers_ (q, d)``, ``betas_ (q,)``,
    ``weights_ (q, k)``, ``bias_ (k,)``; with ``solver="gd"`` also
    ``history_``, the loss ``E`` before each step and after the last one
    (``epochs + 1`` values).

    Example (Zhou's exercise 5.7, XOR with four Gaussian units):
        >>> x = [[0, 0], [0, 1], [1, 0], [1, 1]]
        >>> net = RBFNetwork(4, centers=x, beta=1.0).fit(x, [0, 1, 1, 0])
        >>> net.predict_classes(x).tolist()
        [0, 1, 1, 0]
    """

    _constraints: ClassVar[dict[str, Spec]] = {
        "n_centers": Integer(1),
        "solver": Options("lstsq", "gd"),
        "ridge": Real(0),
        "bias": check_bool,
        "lr": POSITIVE,
        "epochs": Integer(1),
        "train_betas": check_bool,
        "kmeans_max_iter": Integer(1),
        "seed": SEED,
    }  # centers, beta and kmeans_sample depend on n_centers: checked in __init__

    def __init__(
        self,
        n_centers: int,
        *,
        centers: Literal["kmeans", "random"] | ArrayLike = "kmeans",
        beta: float | ArrayLike | Literal["nearest", "max"] = "nearest",
        solver: Literal["lstsq", "gd"] = "lstsq",
        ridge: float = 0.0,
        bias: bool = True,
        lr: float = 0.1,
        epochs: int = 1000,
        train_betas: bool = False,
        kmeans_sample: int | None = None,
        kmeans_max_iter: int = 100,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self._set_params(locals())
        q = self.n_centers
        if isinstance(centers, str):
            self.centers = check("centers", centers, Options("kmeans", "random"))
        else:
            self.centers = samples("centers", centers, float64=False)
            if self.centers.shape[0] != q:
                raise fail("centers", f"{q} rows (n_centers)", f"shape {self.centers.shape}")
        if isinstance(beta, str):
            self.beta = check("beta", beta, Options("nearest", "max"))
        elif np.ndim(beta) == 0:
            self.beta = check("beta", beta, POSITIVE)
        else:
            b = check_array("beta", beta, ndim=1, finite=True).astype(np.float64)
            if b.shape != (q,) or np.any(b <= 0):
                raise fail("beta", f"{q} numbers > 0 (one per centre)", b)
            self.beta = b
        if self.train_betas and solver != "gd":
            raise fail("train_betas", "False unless solver='gd'", True)
        self.kmeans_sample = check("kmeans_sample", kmeans_sample, Integer(q), none=True)

    # -- step 1: centres and widths ------------------------------------------------
    def _choose_centers(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if not isinstance(self.centers, str):
            if self.centers.shape[1] != x.shape[1]:
                raise fail("centers", f"{x.shape[1]} features like x", self.centers.shape[1])
            return self.centers.astype(x.dtype)
        n = x.shape[0]
        if self.n_centers > n:
            raise fail("n_centers", f"at most the number of samples ({n})", self.n_centers)
        if self.centers == "random":
            return x[rng.choice(n, size=self.n_centers, replace=False)].copy()
        sample = x
        if self.kmeans_sample is not None and self.kmeans_sample < n:
            sample = x[rng.choice(n, size=self.kmeans_sample, replace=False)]
        return kmeans(sample, self.n_centers, max_iter=self.kmeans_max_iter, seed=rng).centers

    def _choose_betas(self, c: np.ndarray) -> np.ndarray:
        q = c.shape[0]
        if not isinstance(self.beta, str):
            return np.broadcast_to(np.asarray(self.beta, dtype=np.float64), (q,)).copy()
        if q < 2:
            raise fail("beta", f"a number: the {self.beta!r} heuristic needs >= 2 centres", q)
        d = np.sqrt(pairwise_sq_distances(c.astype(np.float64), c.astype(np.float64)))
        if self.beta == "nearest":
            np.fill_diagonal(d, np.inf)
            sigma = float(np.mean(np.min(d, axis=1)))
        else:
            sigma = float(np.max(d)) / np.sqrt(2.0 * q)
        if sigma <= 0:
            raise fail("beta", "a number: the centres coincide, the heuristic width is", 0)
        return np.full(q, 1.0 / (2.0 * sigma**2))

    # -- the hidden layer ------------------------------------------------------------
    def _hidden(self, x: np.ndarray, return_dist: bool = False):
        d = pairwise_sq_distances(x, self.centers_.astype(x.dtype, copy=False))
        h = np.exp(-d * self.betas_.astype(x.dtype))
        return (h, d) if return_dist else h

    def transform(self, x: ArrayLike) -> np.ndarray:
        """Hidden activations ``rho(x_n, c_i) = exp(-beta_i ||x_n - c_i||^2)``, shape ``(N, q)``."""
        self._check_fitted("centers_", "predict or transform")
        return self._hidden(samples("x", x, self.centers_.shape[1], float64=False))

    # -- step 2: output weights ----------------------------------------------------
    def fit(self, x: ArrayLike, t: ArrayLike) -> RBFNetwork:
        """Choose centres and widths, then fit the output layer.

        Args:
            x: inputs, shape ``(N, d)`` (``(N,)`` is read as ``d = 1``).
            t: targets, shape ``(N,)`` (one output) or ``(N, k)``.

        Returns:
            ``self``.
        """
        xa = samples("x", x, float64=False)
        ta = check_array("t", t, ndim=(1, 2), finite=True).astype(np.float64)
        n = xa.shape[0]
        if ta.shape[0] != n:
            raise fail("t", f"shape ({n},) or ({n}, k), one row per sample", f"shape {ta.shape}")
        self._single_output = ta.ndim == 1
        t2 = ta[:, None] if ta.ndim == 1 else ta
        self.centers_ = self._choose_centers(xa, np.random.default_rng(self.seed))
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
        self.history_: list[float] = []
        for _ in range(self.epochs):
            loss, gw, gb, gbeta = self._loss_and_grads(x, t)
            self.history_.append(loss)
            self.weights_ -= self.lr * gw
            if self.bias:
                self.bias_ -= self.lr * gb
            if self.train_betas:
                self.betas_ = np.maximum(self.betas_ - self.lr * gbeta, 1e-12)
        self.history_.append(self._loss_and_grads(x, t)[0])
        if not (np.all(np.isfinite(self.weights_)) and np.all(np.isfinite(self.betas_))):
            raise FloatingPointError(f"RBFNetwork: gradient descent diverged; lower lr ({self.lr})")

    # -- outputs -------------------------------------------------------------------
    def predict(self, x: ArrayLike) -> np.ndarray:
        """Network output ``phi(x)``: ``(N,)`` if fitted on ``(N,)`` targets, else ``(N, k)``."""
        h = self.transform(x)
        y = h @ self.weights_.astype(h.dtype) + self.bias_.astype(h.dtype)
        return y[:, 0] if self._single_output else y

    def predict_classes(self, x: ArrayLike) -> np.ndarray:
        """Class indices by the one rule (``metrics.output_labels``): ``argmax`` over the
        outputs, or ``phi(x) > 0.5`` for a single output read as a 0/1 class score.
        """
        y = self.predict(x)
        if y.ndim == 1:
            return output_labels(y[:, None], "sigmoid", logits=False)
        return output_labels(y)

    def score(self, x: ArrayLike, t: ArrayLike) -> float:
        """Accuracy of :meth:`predict_classes` against labels ``(N,)`` or one-hot rows ``(N, k)``.

        Targets become labels by ``metrics.target_labels``; a single 0/1
        output's target counts as class 1 above 0.5. For regression targets
        there is no accuracy (``ValueError``): use :meth:`mse`.
        """
        pred = self.predict_classes(x)
        ta = check_array("t", t, ndim=(1, 2))
        truth = target_labels(ta[:, None], "sigmoid") if self._single_output else target_labels(ta)
        if truth is None:
            raise fail("t", "class labels (N,) or one-hot rows (N, k); use mse", "real targets")
        return accuracy(truth, pred)

    def mse(self, x: ArrayLike, t: ArrayLike) -> float:
        """Mean squared error ``mean((phi(x) - t)^2)`` over all entries."""
        return float(np.mean((self.predict(x) - np.asarray(t, dtype=np.float64)) ** 2))


class RBFClassifier(RBFNetwork):
    """RBF network for classification: labels in, one-hot least squares inside.

    ``fit(x, t)`` trains one output per class on one-hot targets (Zhou
    eq. 5.18 per output); ``predict`` returns the label of the largest output.
    Same arguments as :class:`RBFNetwork`; also learns ``classes_`` (the
    sorted distinct labels).
    """

    def fit(self, x: ArrayLike, t: ArrayLike) -> RBFClassifier:
        """Fit on labels ``t`` of shape ``(N,)`` (any sortable values: ints, strings)."""
        lab = check_array("t", t, ndim=1, kinds="fiubUSO")
        classes, idx = np.unique(lab, return_inverse=True)
        if classes.shape[0] < 2:
            raise fail("t", ">= 2 classes", classes.tolist())
        super().fit(x, np.eye(classes.shape[0])[idx])
        self.classes_ = classes
        return self

    def decision_function(self, x: ArrayLike) -> np.ndarray:
        """One output per class, shape ``(N, n_classes)``."""
        return super().predict(x)

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Predicted labels, shape ``(N,)``."""
        self._check_fitted("classes_")
        return self.classes_[output_labels(self.decision_function(x))]

    def predict_classes(self, x: ArrayLike) -> np.ndarray:
        """Same as :meth:`predict`."""
        return self.predict(x)

    def score(self, x: ArrayLike, t: ArrayLike) -> float:
        """Accuracy against labels ``t`` of shape ``(N,)`` (a label not seen in fit is a miss)."""
        self._check_fitted("classes_", "score")
        pred = output_labels(self.decision_function(x))
        lab = check_array("t", t, ndim=1, kinds="fiubUSO")
        k = self.classes_.shape[0]
        idx = np.minimum(np.searchsorted(self.classes_, lab), k - 1)
        truth = np.where(self.classes_[idx] == lab, idx, k)  # k: a class no output has
        return accuracy(truth, pred)

    def mse(self, x: ArrayLike, t: ArrayLike) -> float:
        raise TypeError("RBFClassifier.mse: use score(x, t) for a classifier")

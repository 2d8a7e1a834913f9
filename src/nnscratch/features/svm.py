"""A linear support vector machine, one class against the rest, trained by Pegasos.

For each class c a line ``f_c(x) = w_c . x + b_c`` separates the class
(``y = +1``) from all others (``y = -1``) with the widest margin the hinge
loss allows::

    J(w_c, b_c) = lambda / 2 ||w_c||^2 + mean_i max(0, 1 - y_ic f_c(x_i))

and the prediction is the class of the largest ``f_c(x)``. Pegasos
(Shalev-Shwartz, Singer, Srebro & Cotter, 2011) minimises J by stochastic
sub-gradient steps with the learning rate ``1 / (lambda t)``: at step t, on a
mini-batch B,

    w <- (1 - 1/t) w + 1 / (lambda t |B|) sum_{i in B, y_i f(x_i) < 1} y_i x_i

followed by the projection onto the ball ``||w|| <= 1 / sqrt(lambda)``,
where the optimum lies. The bias is the weight of a constant feature 1
appended to every x, so it is penalised with w (as in scikit-learn's
``LinearSVC``), which keeps its steps as tame as the weights'. The returned weights are
the average of the iterates of the last half of training, which removes most
of the noise of the last steps. All C classes are trained at once, as the
columns of one (D, C) matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch._validate import Integer, Real, check, check_array, check_seed, fail
from nnscratch.preprocessing import NotFittedError

__all__ = ["LinearSVM"]


def hinge_loss(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean hinge loss per class: ``mean_i max(0, 1 - y_ic s_ic)`` for (N, C) -> (C,)."""
    return np.maximum(0.0, 1.0 - y * scores).mean(axis=0)


def pegasos_step(w: np.ndarray, x: np.ndarray, y: np.ndarray, lam: float, t: int) -> None:
    """One Pegasos step on a batch, in place: x (B, D), y (B, C) of +-1, w (D, C)."""
    eta = 1.0 / (lam * t)
    violated = (y * (x @ w)) < 1.0  # (B, C): inside the margin, or wrong
    g = np.where(violated, y, 0.0)  # the sub-gradient's weights, per sample and class
    w *= 1.0 - eta * lam
    w += (eta / len(x)) * (x.T @ g)
    norm = np.sqrt((w * w).sum(axis=0))  # per class
    w *= np.minimum(1.0, (1.0 / np.sqrt(lam)) / np.maximum(norm, 1e-300))


class LinearSVM:
    """One-vs-rest linear SVM with hinge loss, trained by mini-batch Pegasos.

    Args:
        lam: lambda, the weight of ``||w||^2 / 2`` (larger: wider margin,
            more training errors). ``lam = 1 / (C N)`` matches an SVM with
            penalty C on N samples.
        epochs: passes over the training set.
        batch_size: samples per step.
        seed: seed of the shuffling (None: fresh entropy).

    Learned by ``fit(x, t)``: ``coef_`` (C, D), ``intercept_`` (C,),
    ``classes_`` (C,), ``n_features_in_``; ``loss_`` the objective J per
    class at the end. Computed in float64.
    """

    def __init__(
        self,
        lam: float = 1e-4,
        *,
        epochs: int = 10,
        batch_size: int = 64,
        seed: int | None = 0,
    ) -> None:
        self.lam = check("lam", lam, Real(0, None, low_open=True))
        self.epochs = check("epochs", epochs, Integer(1))
        self.batch_size = check("batch_size", batch_size, Integer(1))
        self.seed = check_seed("seed", seed)

    def fit(self, x: Any, t: Any) -> LinearSVM:
        """Train on ``x`` (N, D) and integer labels ``t`` (N,); return self."""
        x = check_array("x", x, ndim=2, finite=True, nonempty=True).astype(np.float64)
        t = check_array("t", t, ndim=1, kinds="iub")
        if len(t) != len(x):
            raise fail("t", f"{len(x)} labels (one per row of x)", f"{len(t)}")
        self.classes_, codes = np.unique(t, return_inverse=True)
        if len(self.classes_) < 2:
            raise fail("t", "at least two classes", f"{len(self.classes_)}")
        y = np.where(codes[:, None] == np.arange(len(self.classes_)), 1.0, -1.0)  # (N, C)
        x1 = np.hstack([x, np.ones((len(x), 1))])  # the bias is the weight of a constant 1
        w = np.zeros((x1.shape[1], len(self.classes_)))
        w_avg, averaged = np.zeros_like(w), 0
        rng = np.random.default_rng(self.seed)
        steps_per_epoch = -(-len(x) // self.batch_size)
        total, step = self.epochs * steps_per_epoch, 0
        for _ in range(self.epochs):
            order = rng.permutation(len(x))
            xs, ys = x1[order], y[order]  # one shuffled copy per epoch: batches are slices
            for lo in range(0, len(x), self.batch_size):
                step += 1
                pegasos_step(w, xs[lo : lo + self.batch_size], ys[lo : lo + self.batch_size],
                             self.lam, step)  # fmt: skip
                if step > total // 2:  # average the second half of the iterates
                    averaged += 1
                    w_avg += (w - w_avg) / averaged
        self.coef_ = np.ascontiguousarray(w_avg[:-1].T)
        self.intercept_ = w_avg[-1].copy()
        self.n_features_in_ = x.shape[1]
        scores = self.decision_function(x)
        penalty = (self.coef_**2).sum(axis=1) + self.intercept_**2
        self.loss_ = self.lam / 2 * penalty + hinge_loss(scores, y)
        return self

    def decision_function(self, x: Any) -> np.ndarray:
        """``f_c(x) = w_c . x + b_c`` for every class: (M, C)."""
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                "This LinearSVM is not fitted yet: call fit(x_train, t_train) before predict(x)"
            )
        x = check_array("x", x, ndim=2, finite=True)
        if x.shape[1] != self.n_features_in_:
            raise fail("x", f"{self.n_features_in_} features per row (as in fit)", x.shape)
        return x.astype(np.float64, copy=False) @ self.coef_.T + self.intercept_

    def predict(self, x: Any) -> np.ndarray:
        """The class of the largest score (M,)."""
        scores = self.decision_function(x)
        return self.classes_[np.argmax(scores, axis=1)]

    def score(self, x: Any, t: Any) -> float:
        """Accuracy of ``predict(x)`` against labels ``t``."""
        t = check_array("t", t, ndim=1, kinds="iub")
        return float(np.mean(self.predict(x) == t))

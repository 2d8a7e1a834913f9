"""Perceptrons: logic gates with hand-set weights, and Rosenblatt's learning rule.

Two halves, following the two books:

* Saitoh, "Deep Learning from Scratch", chapter 2: the gates AND, NAND and OR
  as single perceptrons with weights set by hand (section 2.3), and XOR as the
  two-layer perceptron ``AND(NAND(x1, x2), OR(x1, x2))`` (section 2.5). A gate
  fires when the weighted sum strictly exceeds zero (eq. 2.2)::

      y = 1 if w1*x1 + w2*x2 + b > 0 else 0

* Zhou, "Machine Learning", section 5.2: a perceptron ``y = f(sum_i w_i x_i -
  theta)`` (eq. 5.1 context, Fig. 5.3) trained with Rosenblatt's rule (eq. 5.1,
  5.2)::

      w_i <- w_i + delta_w_i,     delta_w_i = eta * (y - y_hat) * x_i

  (``eta`` is the argument ``lr``),
  where the threshold ``theta`` is learned as the weight of a dummy input
  fixed at ``-1.0`` (Zhou, p. 99: "a dummy node with fixed input -1.0").
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike

from nnscratch._validate import Integer, Options, check_array, check_bool, fail
from nnscratch.classic._base import POSITIVE, SEED, Estimator, Spec, samples
from nnscratch.metrics import accuracy, output_labels

__all__ = [
    "AND",
    "NAND",
    "OR",
    "XOR",
    "Perceptron",
    "and_gate",
    "nand_gate",
    "or_gate",
    "xor_gate",
]


def _gate(x1: ArrayLike, x2: ArrayLike, w1: float, w2: float, b: float):
    """Evaluate ``1 if w1*x1 + w2*x2 + b > 0 else 0`` on scalars or broadcastable arrays."""
    a1 = check_array("x1", x1).astype(np.float64)
    a2 = check_array("x2", x2).astype(np.float64)
    try:
        s = w1 * a1 + w2 * a2 + b
    except ValueError:  # shapes that do not broadcast
        raise fail(
            "x2", f"a shape that broadcasts with x1's {a1.shape}", f"shape {a2.shape}"
        ) from None
    y = (s > 0).astype(np.int64)
    return int(y) if y.ndim == 0 else y


def AND(x1: ArrayLike, x2: ArrayLike):
    """AND gate with the book's weights w = (0.5, 0.5), b = -0.7 (Saitoh, sec. 2.3.3).

    Works on scalars (returns ``int``) and on broadcastable arrays (returns an
    ``int64`` array of the broadcast shape).

    >>> [AND(0, 0), AND(1, 0), AND(0, 1), AND(1, 1)]
    [0, 0, 0, 1]
    """
    return _gate(x1, x2, 0.5, 0.5, -0.7)


def NAND(x1: ArrayLike, x2: ArrayLike):
    """NAND gate with the book's weights w = (-0.5, -0.5), b = 0.7 (Saitoh, sec. 2.3.3).

    >>> [NAND(0, 0), NAND(1, 0), NAND(0, 1), NAND(1, 1)]
    [1, 1, 1, 0]
    """
    return _gate(x1, x2, -0.5, -0.5, 0.7)


def OR(x1: ArrayLike, x2: ArrayLike):
    """OR gate with the book's weights w = (0.5, 0.5), b = -0.2 (Saitoh, sec. 2.3.3).

    >>> [OR(0, 0), OR(1, 0), OR(0, 1), OR(1, 1)]
    [0, 1, 1, 1]
    """
    return _gate(x1, x2, 0.5, 0.5, -0.2)


def XOR(x1: ArrayLike, x2: ArrayLike):
    """XOR as the two-layer perceptron ``AND(NAND(x1, x2), OR(x1, x2))`` (Saitoh, sec. 2.5.2).

    No single perceptron can compute XOR: its truth table is not linearly
    separable (Saitoh, sec. 2.4; Zhou, Fig. 5.4). Stacking a layer fixes that.

    >>> [XOR(0, 0), XOR(1, 0), XOR(0, 1), XOR(1, 1)]
    [0, 1, 1, 0]
    """
    return AND(NAND(x1, x2), OR(x1, x2))


and_gate = AND
nand_gate = NAND
or_gate = OR
xor_gate = XOR


class Perceptron(Estimator):
    """A single threshold unit trained with Rosenblatt's perceptron rule.

    Output (Zhou eq. 5.1 context, Saitoh eq. 2.1)::

        s     = sum_i w_i x_i - theta           (decision_function)
        y_hat = positive label if s > 0 else negative label

    with labels 0/1 for ``activation="step"`` and -1/+1 for ``"sign"``. The
    output is positive only when the sum *strictly* exceeds the threshold, as
    in Saitoh's eq. 2.1 (Zhou's Fig. 5.2 step puts ``s = 0`` on the positive
    side; the choice only matters on exact ties).

    Learning (Zhou eq. 5.1, 5.2), one sample at a time, ``eta = lr``::

        w_i   <- w_i   + eta * (y - y_hat) * x_i
        theta <- theta + eta * (y - y_hat) * (-1.0)

    The threshold is the weight of a dummy input fixed at **-1.0**, exactly as
    Zhou writes (p. 99). A widely read summary of the chapter gives the dummy
    input as -0.1; that is a misprint: with -0.1 the threshold would learn ten
    times slower than the weights and the rule would no longer be Zhou's.

    For linearly separable data the rule converges in finitely many updates
    (Novikoff 1962); for XOR it cannot, and :meth:`fit` stops after
    ``max_epochs`` with ``converged_`` False.

    Args:
        n_inputs: number of inputs (>= 1).
        lr: learning rate ``eta``, > 0.
        activation: ``"step"`` (labels 0/1) or ``"sign"`` (labels -1/+1).
        max_epochs: upper bound on passes over the data (>= 1).
        seed: seed (or ``numpy.random.Generator``) for random init and
            shuffling; a new generator is made from it at every ``fit``.
        init: ``"zeros"`` (weights and threshold 0) or ``"random"``
            (normal, standard deviation 0.01).
        shuffle: visit the samples in a new random order every epoch.

    Attributes (after ``fit``):
        weights_: input weights ``w``, shape ``(n_inputs,)``.
        threshold_: threshold ``theta`` (the weight of the dummy input -1).
        n_iter_: epochs run, counting the error-free one when it converged.
        converged_: True when an epoch over the whole training set made no error.
        history_: misclassified samples in each epoch, counted while training
            (online, before each sample's update); ``len(history_) == n_iter_``.

    Example:
        >>> p = Perceptron(2, lr=0.1).fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])
        >>> p.converged_, p.n_iter_, p.predict([[1, 1], [0, 1]]).tolist()
        (True, 6, [1, 0])
    """

    _constraints: ClassVar[dict[str, Spec]] = {
        "n_inputs": Integer(1),
        "lr": POSITIVE,
        "activation": Options("step", "sign"),
        "max_epochs": Integer(1),
        "seed": SEED,
        "init": Options("zeros", "random"),
        "shuffle": check_bool,
    }

    def __init__(
        self,
        n_inputs: int,
        lr: float = 0.1,
        activation: Literal["step", "sign"] = "step",
        max_epochs: int = 100,
        seed: int | np.random.Generator | None = None,
        init: Literal["zeros", "random"] = "zeros",
        *,
        shuffle: bool = False,
    ) -> None:
        self._set_params(locals())
        self._labels = (0, 1) if activation == "step" else (-1, 1)

    def _targets(self, t: ArrayLike, n: int) -> np.ndarray:
        a = check_array("t", t, ndim=1)
        if a.shape != (n,):
            raise fail("t", f"shape ({n},), one label per sample", f"shape {a.shape}")
        bad = ~np.isin(a, self._labels)
        if np.any(bad):
            found = sorted({v.item() for v in np.unique(a[bad])})
            raise fail("t", f"labels {self._labels} for activation={self.activation!r}", found)
        return a.astype(np.float64)

    def decision_function(self, x: ArrayLike) -> np.ndarray:
        """Weighted sum minus threshold, ``s = x @ w - theta``; shape ``(N,)``."""
        self._check_fitted("weights_", "decision_function")
        return samples("x", x, self.n_inputs) @ self.weights_ - self.threshold_

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Labels (0/1 for step, -1/+1 for sign) for ``x`` of shape ``(N, n_inputs)``."""
        self._check_fitted("weights_")
        neg, pos = self._labels
        return np.where(self.decision_function(x) > 0, pos, neg).astype(np.int64)

    def score(self, x: ArrayLike, t: ArrayLike) -> float:
        """Accuracy on labels ``t`` (N,): the library's one rule (``metrics``).

        ``s > 0`` is class 1 (the positive label), as ``metrics.output_labels``
        reads a single logit.
        """
        self._check_fitted("weights_", "score")
        s = self.decision_function(x)
        truth = self._targets(t, s.shape[0]) == self._labels[1]
        return accuracy(truth.astype(np.int64), output_labels(s[:, None], "sigmoid"))

    def fit(self, x: ArrayLike, t: ArrayLike) -> Perceptron:
        """Train online with the perceptron rule until an epoch is error-free.

        Starts afresh from ``init`` at every call (with a new generator from
        ``seed``), so two fits on the same data and integer seed agree.

        Args:
            x: inputs, shape ``(N, n_inputs)`` (``(N,)`` allowed when ``n_inputs == 1``).
            t: labels, shape ``(N,)``: 0/1 for step, -1/+1 for sign.

        Returns:
            ``self``; ``converged_`` is False when ``max_epochs`` passed
            without an error-free epoch (e.g. XOR).
        """
        xa = samples("x", x, self.n_inputs)
        ta = self._targets(t, xa.shape[0])
        rng = np.random.default_rng(self.seed)
        # w_aug = (w_1, ..., w_n, theta); x_aug = (x_1, ..., x_n, -1.0).
        x_aug = np.hstack([xa, -np.ones((xa.shape[0], 1))])
        if self.init == "zeros":
            w = np.zeros(self.n_inputs + 1)
        else:
            w = rng.normal(0.0, 0.01, size=self.n_inputs + 1)
        neg, pos = self._labels
        errors: list[int] = []
        order = np.arange(xa.shape[0])
        for _ in range(self.max_epochs):
            if self.shuffle:
                order = rng.permutation(xa.shape[0])
            n_err = 0
            for i in order:
                y_hat = pos if x_aug[i] @ w > 0 else neg
                if y_hat != ta[i]:
                    n_err += 1
                    w += self.lr * (ta[i] - y_hat) * x_aug[i]
            errors.append(n_err)
            if n_err == 0:
                break
        self.weights_, self.threshold_ = w[:-1].copy(), float(w[-1])
        self.n_iter_, self.converged_, self.history_ = len(errors), errors[-1] == 0, errors
        return self

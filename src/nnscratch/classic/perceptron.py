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

  where the threshold ``theta`` is learned as the weight of a dummy input
  fixed at ``-1.0`` (Zhou, p. 99: "a dummy node with fixed input -1.0").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "AND",
    "NAND",
    "OR",
    "XOR",
    "Perceptron",
    "PerceptronResult",
    "and_gate",
    "nand_gate",
    "or_gate",
    "xor_gate",
]


def _gate(x1: ArrayLike, x2: ArrayLike, w1: float, w2: float, b: float, name: str):
    """Evaluate ``1 if w1*x1 + w2*x2 + b > 0 else 0`` on scalars or broadcastable arrays."""
    a1 = np.asarray(x1)
    a2 = np.asarray(x2)
    for arg, a in (("x1", a1), ("x2", a2)):
        if a.dtype == object or not (
            np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.bool_)
        ):
            raise TypeError(f"{name}: {arg} must be numeric, got dtype {a.dtype}")
    try:
        s = w1 * a1.astype(np.float64) + w2 * a2.astype(np.float64) + b
    except ValueError as exc:  # shapes that do not broadcast
        raise ValueError(
            f"{name}: x1 and x2 must broadcast together, got shapes {a1.shape} and {a2.shape}"
        ) from exc
    y = (s > 0).astype(np.int64)
    return int(y) if y.ndim == 0 else y


def AND(x1: ArrayLike, x2: ArrayLike):
    """AND gate with the book's weights w = (0.5, 0.5), b = -0.7 (Saitoh, sec. 2.3.3).

    Works on scalars (returns ``int``) and on broadcastable arrays (returns an
    ``int64`` array of the broadcast shape).

    >>> [AND(0, 0), AND(1, 0), AND(0, 1), AND(1, 1)]
    [0, 0, 0, 1]
    """
    return _gate(x1, x2, 0.5, 0.5, -0.7, "AND")


def NAND(x1: ArrayLike, x2: ArrayLike):
    """NAND gate with the book's weights w = (-0.5, -0.5), b = 0.7 (Saitoh, sec. 2.3.3).

    >>> [NAND(0, 0), NAND(1, 0), NAND(0, 1), NAND(1, 1)]
    [1, 1, 1, 0]
    """
    return _gate(x1, x2, -0.5, -0.5, 0.7, "NAND")


def OR(x1: ArrayLike, x2: ArrayLike):
    """OR gate with the book's weights w = (0.5, 0.5), b = -0.2 (Saitoh, sec. 2.3.3).

    >>> [OR(0, 0), OR(1, 0), OR(0, 1), OR(1, 1)]
    [0, 1, 1, 1]
    """
    return _gate(x1, x2, 0.5, 0.5, -0.2, "OR")


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


@dataclass
class PerceptronResult:
    """What :meth:`Perceptron.fit` reports.

    Attributes:
        converged: True when an epoch over the whole training set made no error.
        epochs: epochs run, counting the error-free one when it converged
            (``max_epochs`` when it did not).
        errors_per_epoch: misclassified samples in each epoch, measured while
            training (online, before each sample's update).
        weights: learned input weights, shape ``(n_inputs,)`` (a copy).
        threshold: learned threshold ``theta`` (the weight of the dummy input -1).
    """

    converged: bool
    epochs: int
    errors_per_epoch: list[int] = field(default_factory=list)
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    threshold: float = 0.0


class Perceptron:
    """A single threshold unit trained with Rosenblatt's perceptron rule.

    Output (Zhou eq. 5.1 context, Saitoh eq. 2.1)::

        s     = sum_i w_i x_i - theta           (decision_function)
        y_hat = positive label if s > 0 else negative label

    with labels 0/1 for ``activation="step"`` and -1/+1 for ``"sign"``. The
    output is positive only when the sum *strictly* exceeds the threshold, as
    in Saitoh's eq. 2.1 (Zhou's Fig. 5.2 step puts ``s = 0`` on the positive
    side; the choice only matters on exact ties).

    Learning (Zhou eq. 5.1, 5.2), one sample at a time::

        w_i   <- w_i   + eta * (y - y_hat) * x_i
        theta <- theta + eta * (y - y_hat) * (-1.0)

    The threshold is the weight of a dummy input fixed at **-1.0**, exactly as
    Zhou writes (p. 99). A widely read summary of the chapter gives the dummy
    input as -0.1; that is a misprint: with -0.1 the threshold would learn ten
    times slower than the weights and the rule would no longer be Zhou's.

    For linearly separable data the rule converges in finitely many updates
    (Novikoff 1962); for XOR it cannot, and :meth:`fit` stops after
    ``max_epochs`` and reports ``converged=False``.

    Args:
        n_inputs: number of inputs (>= 1).
        eta: learning rate, > 0.
        activation: ``"step"`` (labels 0/1) or ``"sign"`` (labels -1/+1).
        max_epochs: upper bound on passes over the data (>= 1).
        seed: seed (or ``numpy.random.Generator``) for random init and shuffling.
        init: ``"zeros"`` (weights and threshold 0) or ``"random"``
            (normal, standard deviation 0.01).
        shuffle: visit the samples in a new random order every epoch.

    Example:
        >>> p = Perceptron(2, eta=0.1)
        >>> result = p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])
        >>> result.converged, result.epochs, p.predict([[1, 1], [0, 1]]).tolist()
        (True, 6, [1, 0])
    """

    def __init__(
        self,
        n_inputs: int,
        eta: float = 0.1,
        activation: Literal["step", "sign"] = "step",
        max_epochs: int = 100,
        seed: int | np.random.Generator | None = None,
        init: Literal["zeros", "random"] = "zeros",
        *,
        shuffle: bool = False,
    ) -> None:
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, np.integer)):
            raise TypeError(f"n_inputs: expected an int, got {type(n_inputs).__name__}")
        if n_inputs < 1:
            raise ValueError(f"n_inputs: expected >= 1, got {n_inputs}")
        if not np.isfinite(eta) or eta <= 0:
            raise ValueError(f"eta: expected a finite number > 0, got {eta}")
        if activation not in ("step", "sign"):
            raise ValueError(f"activation: expected 'step' or 'sign', got {activation!r}")
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, (int, np.integer)):
            raise TypeError(f"max_epochs: expected an int, got {type(max_epochs).__name__}")
        if max_epochs < 1:
            raise ValueError(f"max_epochs: expected >= 1, got {max_epochs}")
        if init not in ("zeros", "random"):
            raise ValueError(f"init: expected 'zeros' or 'random', got {init!r}")
        self.n_inputs = int(n_inputs)
        self.eta = float(eta)
        self.activation = activation
        self.max_epochs = int(max_epochs)
        self.init = init
        self.shuffle = bool(shuffle)
        self._rng = np.random.default_rng(seed)
        self._labels = (0, 1) if activation == "step" else (-1, 1)
        # w_aug = (w_1, ..., w_n, theta); x_aug = (x_1, ..., x_n, -1.0).
        self._w = self._initial_weights()

    def _initial_weights(self) -> np.ndarray:
        if self.init == "zeros":
            return np.zeros(self.n_inputs + 1)
        return self._rng.normal(0.0, 0.01, size=self.n_inputs + 1)

    @property
    def weights(self) -> np.ndarray:
        """Input weights ``w``, shape ``(n_inputs,)`` (a copy)."""
        return self._w[:-1].copy()

    @property
    def threshold(self) -> float:
        """Threshold ``theta`` (the weight of the dummy input fixed at -1.0)."""
        return float(self._w[-1])

    def _check_x(self, x: ArrayLike) -> np.ndarray:
        a = np.asarray(x, dtype=np.float64)
        if a.ndim == 1 and self.n_inputs == 1:
            a = a[:, None]
        if a.ndim != 2 or a.shape[1] != self.n_inputs:
            raise ValueError(f"x: expected shape (N, {self.n_inputs}), got {np.shape(x)}")
        if not np.all(np.isfinite(a)):
            raise ValueError("x: expected finite values, got NaN or inf")
        return a

    def _check_y(self, y: ArrayLike, n: int) -> np.ndarray:
        a = np.asarray(y)
        if a.shape != (n,):
            raise ValueError(f"y: expected shape ({n},), got {a.shape}")
        bad = ~np.isin(a, self._labels)
        if np.any(bad):
            found = sorted({v.item() for v in np.unique(a[bad])})
            raise ValueError(
                f"y: activation={self.activation!r} expects labels {self._labels}, got {found}"
            )
        return a.astype(np.float64)

    def decision_function(self, x: ArrayLike) -> np.ndarray:
        """Weighted sum minus threshold, ``s = x @ w - theta``; shape ``(N,)``."""
        a = self._check_x(x)
        return a @ self._w[:-1] - self._w[-1]

    def predict(self, x: ArrayLike) -> np.ndarray:
        """Labels (0/1 for step, -1/+1 for sign) for ``x`` of shape ``(N, n_inputs)``."""
        neg, pos = self._labels
        return np.where(self.decision_function(x) > 0, pos, neg).astype(np.int64)

    def fit(self, x: ArrayLike, y: ArrayLike) -> PerceptronResult:
        """Train online with the perceptron rule until an epoch is error-free.

        Starts from the initial weights (``init``) each time it is called, so
        two calls on the same data and seed give the same result.

        Args:
            x: inputs, shape ``(N, n_inputs)`` (``(N,)`` allowed when ``n_inputs == 1``).
            y: labels, shape ``(N,)``: 0/1 for step, -1/+1 for sign.

        Returns:
            A :class:`PerceptronResult`; ``converged`` is False when
            ``max_epochs`` passed without an error-free epoch (e.g. XOR).
        """
        xa = self._check_x(x)
        ya = self._check_y(y, xa.shape[0])
        x_aug = np.hstack([xa, -np.ones((xa.shape[0], 1))])
        neg, pos = self._labels
        self._w = self._initial_weights()
        errors: list[int] = []
        order = np.arange(xa.shape[0])
        for _ in range(self.max_epochs):
            if self.shuffle:
                order = self._rng.permutation(xa.shape[0])
            n_err = 0
            for i in order:
                y_hat = pos if x_aug[i] @ self._w > 0 else neg
                if y_hat != ya[i]:
                    n_err += 1
                    self._w += self.eta * (ya[i] - y_hat) * x_aug[i]
            errors.append(n_err)
            if n_err == 0:
                break
        return PerceptronResult(
            converged=errors[-1] == 0,
            epochs=len(errors),
            errors_per_epoch=errors,
            weights=self.weights,
            threshold=self.threshold,
        )

    def __repr__(self) -> str:
        return (
            f"Perceptron(n_inputs={self.n_inputs}, eta={self.eta}, "
            f"activation={self.activation!r}, max_epochs={self.max_epochs}, init={self.init!r})"
        )

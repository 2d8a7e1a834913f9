"""The test problems of the local-minima experiment.

* the 2-D **Rastrigin** function (:func:`rastrigin`, :func:`rastrigin_grad`),
  a local minimum near every integer point and the global one at the origin;
  :func:`in_global_basin` tells whether a point lies in the origin's basin;
* **XOR** with a small network (:func:`xor_network`), whose 2-2-1 sigmoid
  version often gets stuck;
* the bowl :func:`quadratic` (the book's ``function_2``), one minimum, to
  check a descent against the book's numbers.

References: L. A. Rastrigin, "Systems of extremal control" (1974); Saitoh,
"Deep Learning from Scratch", section 4.3.3; Zhou Zhihua, "Machine
Learning" (2016), section 5.4.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch._validate import Integer, check
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential

__all__ = [
    "in_global_basin",
    "quadratic",
    "quadratic_grad",
    "rastrigin",
    "rastrigin_grad",
    "xor_network",
]


def rastrigin(x: Any, a: float = 10.0) -> float:
    """The Rastrigin function ``f(x) = a n + sum_i (x_i^2 - a cos(2 pi x_i))``.

    Shape: ``x`` (n,) (any shape; summed over all entries). The global minimum
    is ``f(0) = 0``; there is a local minimum near every integer point ``z``,
    at ``z_i (1 - 1 / (1 + 20 pi^2))`` for ``a = 10``, with
    ``f`` close to ``sum z_i^2`` (about 4.97 near (2, -1)). Local maxima sit near
    the half-integers, so the basin of the origin is about ``max |x_i| < 0.5``.
    Usual domain: ``[-5.12, 5.12]^n``.

    Reference: L. A. Rastrigin, "Systems of extremal control" (1974);
    H. Muehlenbein, M. Schomisch and J. Born, Parallel Computing 17 (1991).
    """
    if x.__class__ is not np.ndarray or x.dtype != np.float64:
        x = np.asarray(x, dtype=np.float64)
    return float(a * x.size + np.add.reduce(x * x - a * np.cos(2.0 * np.pi * x), axis=None))


def rastrigin_grad(x: Any, a: float = 10.0) -> np.ndarray:
    """Gradient of :func:`rastrigin`: ``df/dx_i = 2 x_i + 2 pi a sin(2 pi x_i)``."""
    if x.__class__ is not np.ndarray or x.dtype != np.float64:
        x = np.asarray(x, dtype=np.float64)
    return 2.0 * x + 2.0 * np.pi * a * np.sin(2.0 * np.pi * x)


def quadratic(x: Any) -> float:
    """The bowl ``f(x) = sum_i x_i^2`` (the book's ``function_2``): one minimum, f(0) = 0.

    Reference: Saitoh, "Deep Learning from Scratch", section 4.3.3.
    """
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(x * x))


def quadratic_grad(x: Any) -> np.ndarray:
    """Gradient of :func:`quadratic`: ``2 x``."""
    return 2.0 * np.asarray(x, dtype=np.float64)


def in_global_basin(x: Any) -> bool:
    """True when ``x`` lies in the Rastrigin origin's basin, ``max_i |x_i| < 0.5``.

    Gradient descent with a small step from such a point ends at the global
    minimum 0 (the ridges between basins are at ``|x_i|`` of about 0.503).
    """
    return bool(np.max(np.abs(np.asarray(x, dtype=np.float64))) < 0.5)


def xor_network(
    hidden: int = 2,
    activation: str = "sigmoid",
    *,
    seed: int | None = None,
    dtype: Any = "float64",
) -> Sequential:
    """A ``2-hidden-1`` network for XOR: ``Dense(2, h)``, activation, ``Dense(h, 1)``.

    One output logit ``z``; the loss is the binary cross entropy of
    ``sigmoid(z)`` ("sigmoid_binary_cross_entropy") and the predicted class is
    ``z > 0``. Weights are He-normal (std ``sqrt(2 / fan_in)``), biases zero.
    Targets are ``t.reshape(-1, 1)`` as floats.
    """
    h = check("hidden", hidden, Integer(1))
    return Sequential(
        [Dense(2, h), Activation(activation), Dense(h, 1)],
        loss="sigmoid_binary_cross_entropy",
        seed=seed,
        dtype=dtype,
    )

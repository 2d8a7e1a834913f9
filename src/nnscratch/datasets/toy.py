"""Small seeded data sets for teaching: logic gates, XOR, spirals, moons, blobs, sine.

Every generator takes ``seed`` (an int, ``None`` or a ``numpy.random.Generator``)
and never touches NumPy's global random state; the same seed gives the same
arrays. Inputs are float64 of shape (N, features); class labels are int64 of
shape (N,); the regression target of :func:`sine` is float64 (N, 1).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["GATES", "blobs", "logic_gate", "moons", "sine", "spirals", "xor"]

#: Inputs of every two-input truth table, in the order of the book's tables
#: (Saitoh, "Deep Learning from Scratch", section 2.2): x1 x2 = 00, 10, 01, 11.
_GATE_INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float64)

#: Gate name -> outputs for the rows of ``_GATE_INPUTS``.
GATES: dict[str, tuple[int, int, int, int]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
    "XNOR": (1, 0, 0, 1),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a two-input gate: ``x`` (4, 2) float64, ``t`` (4,) int64.

    ``name`` is one of AND, OR, NAND, NOR, XOR, XNOR (any case). XOR and XNOR
    are the classic sets no single perceptron separates (Minsky and Papert,
    "Perceptrons", 1969; the book, section 2.4).
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a gate name (str), got {type(name).__name__}")
    key = name.upper()
    if key not in GATES:
        raise ValueError(f"name: expected one of {', '.join(GATES)}, got {name!r}")
    return _GATE_INPUTS.copy(), np.array(GATES[key], dtype=np.int64)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table, ``logic_gate("XOR")``."""
    return logic_gate("XOR")


def spirals(
    n_per_class: int = 100,
    classes: int = 3,
    *,
    noise: float = 0.2,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: ``x`` (n_per_class * classes, 2), ``t``.

    Arm ``k`` has radius ``r = i / n`` and angle ``theta = 4 (k + r) + noise * e``
    for ``i = 0 .. n-1`` and ``e ~ N(0, 1)``, the point being
    ``(r sin theta, r cos theta)``: the layout of the CS231n case study
    "Putting it together: minimal neural network" (A. Karpathy) and of the
    spiral set in DeZero (Saitoh, "Deep Learning from Scratch 3").
    Samples are ordered class by class.
    """
    n = _positive_int("n_per_class", n_per_class)
    k = _positive_int("classes", classes)
    noise = _non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    r = np.arange(n, dtype=np.float64) / n
    x = np.empty((n * k, 2))
    for c in range(k):
        theta = 4.0 * (c + r) + noise * rng.standard_normal(n)
        x[c * n : (c + 1) * n] = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return x, np.repeat(np.arange(k, dtype=np.int64), n)


def moons(
    n: int = 100, *, noise: float = 0.1, seed: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``x`` (n, 2), ``t`` (n,) in {0, 1}.

    Class 0 (``ceil(n / 2)`` points): ``(cos s, sin s)``; class 1 (the rest):
    ``(1 - cos s, 0.5 - sin s)``, ``s`` evenly spaced over [0, pi]; then
    Gaussian noise of standard deviation ``noise`` on both coordinates (the
    layout of scikit-learn's ``make_moons``). Samples are ordered by class.
    """
    n = _positive_int("n", n)
    noise = _non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    n0 = (n + 1) // 2
    s0 = np.linspace(0.0, np.pi, n0)
    s1 = np.linspace(0.0, np.pi, n - n0)
    x = np.concatenate(
        [
            np.column_stack([np.cos(s0), np.sin(s0)]),
            np.column_stack([1.0 - np.cos(s1), 0.5 - np.sin(s1)]),
        ]
    )
    x += noise * rng.standard_normal(x.shape)
    t = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n - n0, dtype=np.int64)])
    return x, t


def blobs(
    n_per_class: int = 100,
    centers: int | np.ndarray = 3,
    *,
    std: float = 1.0,
    features: int = 2,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clusters: ``x`` (n_per_class * k, features), ``t`` (n_per_class * k,).

    ``centers`` is the number of clusters ``k`` (centres then drawn uniformly
    from [-10, 10]^features) or an array (k, features) of centres. Point
    ``x = center[t] + std * e``, ``e ~ N(0, I)``. Samples are ordered by class.
    """
    n = _positive_int("n_per_class", n_per_class)
    std = _non_negative("std", std)
    rng = np.random.default_rng(seed)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = _positive_int("centers", centers)
        means = rng.uniform(-10.0, 10.0, size=(k, _positive_int("features", features)))
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2 or means.shape[0] == 0:
            raise ValueError(
                f"centers: expected an int or an array (k, features), got {means.shape}"
            )
        if not np.isfinite(means).all():
            raise ValueError("centers: expected finite values")
        k = means.shape[0]
    t = np.repeat(np.arange(k, dtype=np.int64), n)
    x = means[t] + std * rng.standard_normal((n * k, means.shape[1]))
    return x, t


def sine(
    n: int = 100, *, noise: float = 0.1, seed: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of one period of a sine, for regression: ``x`` (n, 1), ``y`` (n, 1).

    ``x`` uniform on [0, 2 pi) and sorted; ``y = sin(x) + noise * e``,
    ``e ~ N(0, 1)`` (the curve-fitting example of C. M. Bishop, "Pattern
    Recognition and Machine Learning", section 1.1, over one full period).
    """
    n = _positive_int("n", n)
    noise = _non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 2.0 * np.pi, n))
    y = np.sin(x) + noise * rng.standard_normal(n)
    return x[:, None], y[:, None]


def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name}: expected a positive int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value}")
    return int(value)


def _non_negative(name: str, value: object) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name}: expected a number >= 0, got {type(value).__name__}")
    if not (value >= 0 and np.isfinite(value)):
        raise ValueError(f"{name}: expected a finite number >= 0, got {value}")
    return float(value)

"""The playground's 2-D data sets, two classes each, scaled into [-1, 1]^2.

``xor`` and ``circle`` are drawn here (the point clouds of TensorFlow
Playground's sets of those names, not the four-row truth table of
``nn.datasets.toy.xor``); ``spirals``, ``moons`` and ``blobs`` come from
:mod:`nnscratch.datasets.toy`. ``noise`` is in [0, 0.5]: the standard
deviation of Gaussian noise in units of the set's radius (for spirals, of the
angle, as ``toy.spirals`` defines it).
"""

from __future__ import annotations

import numpy as np

from nnscratch.datasets import toy

__all__ = ["DATASETS", "make"]

DATASETS = ("xor", "circle", "spirals", "blobs", "moons")


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in the square, class 1 where ``x1 * x2 > 0`` (the noise moves them)."""
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    x += 0.1 * np.sign(x)  # keep a gap along the axes, as the playground's set has
    t = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    return x + noise * rng.standard_normal(x.shape), t


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside radius 0.5, class 0 on a ring from 0.7 to 1."""
    inner = n // 2
    r = np.concatenate([rng.uniform(0.0, 0.5, inner), rng.uniform(0.7, 1.0, n - inner)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    x = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    t = np.concatenate([np.ones(inner, np.int64), np.zeros(n - inner, np.int64)])
    return x + noise * rng.standard_normal(x.shape), t


def make(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of set ``name``: ``x`` (n, 2) float64 in about [-1, 1], ``t`` (n,) in {0, 1}.

    Samples come shuffled, so any leading part is a fair train split.
    """
    rng = np.random.default_rng(seed)
    if name == "xor":
        x, t = _xor(n, noise, rng)
    elif name == "circle":
        x, t = _circle(n, noise, rng)
    elif name == "spirals":
        x, t = toy.spirals((n + 1) // 2, classes=2, noise=2.0 * noise, seed=rng)
    elif name == "moons":
        x, t = toy.moons(n, noise=noise, seed=rng)
    elif name == "blobs":
        centers = np.array([[-0.5, -0.5], [0.5, 0.5]])
        x, t = toy.blobs((n + 1) // 2, centers, std=0.15 + noise, seed=rng)
    else:
        raise ValueError(f"dataset: expected one of {', '.join(DATASETS)}, got {name!r}")
    order = rng.permutation(len(x))[:n]
    x, t = x[order], t[order]
    # Scale the noiseless extent into [-1, 1]: spirals and moons have their own ranges.
    if name in ("spirals", "moons"):
        centre = (x.max(axis=0) + x.min(axis=0)) / 2.0
        half = float(np.max(x.max(axis=0) - x.min(axis=0))) / 2.0
        x = (x - centre) / max(half, 1e-12)
    return x, t

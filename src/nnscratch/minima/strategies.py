"""Strategies against local minima: random restarts, simulated annealing, noisy descent.

Gradient descent walks downhill into the minimum of the basin it starts in.
When the error surface has several minima that minimum may be a local one:
a point whose error is no larger than at any point near it, but larger than
at the global minimum (Zhou, "Machine Learning", section 5.4). Zhou lists the
heuristics people use to jump out of such a basin, all without a guarantee:

* **random restarts**: search from several starts and keep the best
  (:func:`random_restarts`);
* **simulated annealing**: accept an uphill move with a probability that
  shrinks as a temperature falls (:func:`simulated_annealing`);
* **stochastic gradient descent**: the noise of a gradient computed on one
  sample (or a mini-batch, or added on purpose) can push the walk out of a
  shallow basin (:func:`noisy_gradient_descent`).

This module works on any energy ``f(theta) -> float`` of a parameter array
``theta`` (optionally with its gradient ``grad(theta)``), such as the
Rastrigin function of :mod:`~nnscratch.minima.problems`. For a network the
same strategies run over the one training loop and its gradient hooks
(:mod:`~nnscratch.minima.networks`).

All randomness comes from a seeded ``numpy.random.Generator``: the same seed
gives the same result.

References: S. Kirkpatrick, C. D. Gelatt and M. P. Vecchi, "Optimization by
simulated annealing", Science 220 (1983) 671-680; N. Metropolis et al.,
"Equation of state calculations by fast computing machines", J. Chem. Phys.
21 (1953); Zhou Zhihua, "Machine Learning" (2016), section 5.4;
A. Neelakantan et al., "Adding gradient noise improves learning for very deep
networks" (2015).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnscratch._validate import (
    Integer,
    Real,
    check,
    check_array,
    check_callable,
    check_seed,
    fail,
)
from nnscratch.numerical import numerical_gradient

__all__ = [
    "AnnealResult",
    "DescentResult",
    "RestartsResult",
    "acceptance_probability",
    "geometric_temperatures",
    "noisy_gradient_descent",
    "random_restarts",
    "simulated_annealing",
]

Energy = Callable[[np.ndarray], Any]
Gradient = Callable[[np.ndarray], Any]
SeedLike = int | np.random.Generator | None

#: Defaults of the annealing schedule, T_k = T0 * alpha**k.
DEFAULT_T0 = 1.0
DEFAULT_ALPHA = 0.995
DEFAULT_STEP_SIZE = 0.1
#: Exponent of the gradient-noise decay sigma_k = sigma0 / (1 + k)**(gamma / 2)
#: (Neelakantan et al. 2015 use gamma = 0.55).
DEFAULT_GAMMA = 0.55


# --- argument checks ----------------------------------------------------------
_POSITIVE = Real(0, None, low_open=True)
_NON_NEGATIVE = Real(0)


def _start(x0: Any, name: str = "x0") -> np.ndarray:
    """``x0`` as a fresh float64 array with finite entries."""
    arr = check_array(name, x0, finite=True)
    if arr.size == 0:
        raise fail(name, "at least one parameter", f"shape {arr.shape}")
    return np.array(arr, dtype=np.float64)


def _energy(f: Energy, x: np.ndarray, who: str) -> float:
    """``f(x)`` as a Python float; a non-scalar result is a TypeError."""
    value = f(x)
    if value.__class__ is float:  # the common case, on every step: nothing to check
        return value
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "fiub":
        raise TypeError(f"{who}: f must return a real scalar, got {value!r}")
    return float(arr.reshape(()))


def _rng(seed: SeedLike) -> np.random.Generator:
    return np.random.default_rng(check_seed("seed", seed, generator=True))


# --- results ------------------------------------------------------------------
@dataclass(frozen=True)
class AnnealResult:
    """What :func:`simulated_annealing` and ``minima.networks.anneal_network`` return.

    Attributes:
        best_params: lowest-energy point visited (an array; for a network a
            dict name -> array copy, keys as ``net.parameters()``).
        best_energy: its energy.
        params: the final state of the walk (same kind as ``best_params``).
        energy: the final state's energy.
        history: energy of the current state, shape (steps + 1,), the start first.
        temperatures: temperature of each step, shape (steps,).
        accepted: whether each step's proposal was accepted, shape (steps,).
        trajectory: every state, shape (steps + 1, *x0.shape), or None when
            not recorded.
        evaluations: calls of the energy function (steps + 1).
    """

    best_params: Any
    best_energy: float
    params: Any
    energy: float
    history: np.ndarray
    temperatures: np.ndarray
    accepted: np.ndarray
    trajectory: np.ndarray | None
    evaluations: int

    @property
    def accepted_fraction(self) -> float:
        """Fraction of proposals accepted over the whole run."""
        return float(np.mean(self.accepted)) if self.accepted.size else 0.0


@dataclass(frozen=True)
class DescentResult:
    """What :func:`noisy_gradient_descent` returns.

    Attributes:
        params: final point.
        energy: its energy.
        best_params, best_energy: the lowest-energy point recorded.
        history: the energy at every iterate, shape (steps + 1,).
        trajectory: every iterate, or None.
        evaluations: gradient evaluations.
    """

    params: Any
    energy: float
    best_params: Any
    best_energy: float
    history: np.ndarray
    trajectory: np.ndarray | None
    evaluations: int


@dataclass(frozen=True)
class RestartsResult:
    """What :func:`random_restarts` and ``minima.networks.restarts_network`` return.

    Attributes:
        best_params: the best run's final point (network: dict of array copies).
        best_energy: its energy, ``min(energies)``.
        best_index: index of that run.
        energies: final energy of every run, shape (n,).
        starts: the start points, shape (n, *shape), or for networks the seeds
            passed to ``build_fn``, shape (n,).
        evaluations: gradient evaluations (or parameter updates) over all runs.
        network: for ``restarts_network``, the best run's network.
    """

    best_params: Any
    best_energy: float
    best_index: int
    energies: np.ndarray
    starts: np.ndarray
    evaluations: int
    network: Any = None

    @property
    def history(self) -> np.ndarray:
        """Best energy found after each restart (running minimum of ``energies``)."""
        return np.minimum.accumulate(self.energies)


# --- simulated annealing --------------------------------------------------------
def geometric_temperatures(t0: float, alpha: float, steps: int) -> np.ndarray:
    """The geometric cooling schedule ``T_k = T0 * alpha**k`` for ``k = 0 .. steps-1``.

    Kirkpatrick, Gelatt and Vecchi (1983) cooled this way with ``alpha``
    between 0.8 and 0.99 per temperature stage. (Only a logarithmic schedule
    ``T_k = c / log(k + 2)`` carries a convergence guarantee, Geman and Geman
    1984, and it is far too slow to use.)
    """
    t0 = check("t0", t0, _POSITIVE)
    alpha = check("alpha", alpha, Real(0, 1, low_open=True))
    steps = check("steps", steps, Integer(0))
    return t0 * alpha ** np.arange(steps, dtype=np.float64)


def acceptance_probability(delta: Any, temperature: Any) -> Any:
    """Metropolis acceptance probability ``P = min(1, exp(-dE / T))``.

    A move that lowers the energy (``dE <= 0``) is always accepted; a move
    uphill by ``dE`` is accepted with probability ``exp(-dE / T)``, likely at
    high temperature and almost never as ``T -> 0`` (where P is 0 for
    ``dE > 0``). Works elementwise on arrays; returns a float for scalars.

    Reference: Metropolis et al. (1953); Kirkpatrick et al. (1983).
    """
    d = np.asarray(delta, dtype=np.float64)
    temp = np.asarray(temperature, dtype=np.float64)
    if np.any(temp < 0) or np.any(np.isnan(temp)):
        raise ValueError(f"temperature: expected values >= 0, got {temperature!r}")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(d <= 0, 0.0, d / temp)  # dE > 0 at T = 0 gives +inf
        p = np.exp(-ratio)
    p = np.where(np.isnan(d), 0.0, p)
    return float(p) if p.ndim == 0 else p


def simulated_annealing(
    f: Energy,
    x0: Any,
    *,
    steps: int = 1000,
    t0: float = DEFAULT_T0,
    alpha: float = DEFAULT_ALPHA,
    step_size: float = DEFAULT_STEP_SIZE,
    seed: SeedLike = None,
    record_trajectory: bool = True,
) -> AnnealResult:
    """Minimise ``f`` by simulated annealing with Gaussian proposals.

    At step ``k`` (temperature ``T_k = t0 * alpha**k``) the proposal is
    ``y = x + step_size * e``, ``e ~ N(0, I)``; with ``dE = f(y) - f(x)`` it is
    accepted with the Metropolis probability ``min(1, exp(-dE / T_k))``
    (a non-finite ``f(y)`` is rejected). The best point ever visited is kept.

    Args:
        f: energy, ``f(theta) -> float`` for an array of ``x0``'s shape.
        x0: start point (copied, as float64).
        steps: number of proposals (``f`` is called ``steps + 1`` times).
        t0, alpha: initial temperature (> 0) and cooling factor in (0, 1].
            Defaults 1.0 and 0.995: after 1000 steps T is 0.0067 t0.
        step_size: standard deviation of the proposal, > 0 (default 0.1).
        seed: int or Generator for the proposals and the acceptance draws.
        record_trajectory: keep every state (memory steps * x0.size).

    Returns:
        :class:`AnnealResult` (best and final state, energies, temperatures,
        acceptances).

    Reference: Kirkpatrick, Gelatt and Vecchi, Science 220 (1983); Zhou,
    "Machine Learning", section 5.4.
    """
    check_callable("f", f)
    x = _start(x0)
    steps = check("steps", steps, Integer(0))
    temps = geometric_temperatures(t0, alpha, steps)
    step_size = check("step_size", step_size, _POSITIVE)
    rng = _rng(seed)
    e = _energy(f, x.copy(), "simulated_annealing")
    if not math.isfinite(e):
        raise ValueError(f"x0: the energy at the start must be finite, got {e}")
    history = np.empty(steps + 1)
    accepted = np.zeros(steps, dtype=bool)
    traj = np.empty((steps + 1, *x.shape)) if record_trajectory else None
    history[0] = e
    if traj is not None:
        traj[0] = x
    best_x, best_e = x.copy(), e
    shape, normal, uniform, isfinite, exp = (
        x.shape,
        rng.standard_normal,
        rng.random,
        math.isfinite,
        math.exp,
    )
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing f(y) -> inf -> rejected
        for k, temp in enumerate(temps.tolist()):
            y = x + step_size * normal(shape)
            u = uniform()  # drawn every step, so the stream does not depend on dE
            ey = _energy(f, y, "simulated_annealing")
            if isfinite(ey):
                d = ey - e
                if d <= 0.0 or (temp > 0.0 and u < exp(-min(d / temp, 745.0))):
                    x, e = y, ey
                    accepted[k] = True
                    if e < best_e:
                        best_x, best_e = x.copy(), e
            history[k + 1] = e
            if traj is not None:
                traj[k + 1] = x
    return AnnealResult(
        best_params=best_x,
        best_energy=best_e,
        params=x,
        energy=e,
        history=history,
        temperatures=temps,
        accepted=accepted,
        trajectory=traj,
        evaluations=steps + 1,
    )


# --- gradient descent, plain or noisy ----------------------------------------
def _numerical_grad(f: Energy) -> Gradient:
    def grad(x: np.ndarray) -> np.ndarray:
        return numerical_gradient(f, np.array(x, dtype=np.float64))

    return grad


def noisy_gradient_descent(
    f: Energy,
    x0: Any,
    *,
    grad: Gradient | None = None,
    lr: float = 0.01,
    steps: int = 1000,
    noise: float = 0.0,
    gamma: float = DEFAULT_GAMMA,
    seed: SeedLike = None,
    record_trajectory: bool = True,
) -> DescentResult:
    """Gradient descent ``x <- x - lr * (grad(x) + sigma_k e)``, ``e ~ N(0, I)``.

    ``noise = 0`` is plain gradient descent (no randomness). With
    ``noise = sigma0 > 0`` the added noise decays as
    ``sigma_k = sigma0 / (1 + k)**(gamma / 2)`` (variance ``sigma0^2 / (1+k)^gamma``,
    Neelakantan et al. 2015): it stands in for the noise of a stochastic
    gradient, which Zhou (section 5.4) lists as a way out of local minima.

    Args:
        f: energy, ``f(theta) -> float``; recorded at every iterate.
        x0: start point (copied, as float64).
        grad: gradient ``grad(theta) -> array`` of ``theta``'s shape; None uses
            central differences (``nnscratch.numerical.numerical_gradient``).
        lr: step size > 0. steps: number of updates >= 0.
        noise: sigma0 >= 0. gamma: decay exponent >= 0 (default 0.55).
        seed: int or Generator for the noise.
        record_trajectory: keep every iterate.

    Raises:
        FloatingPointError: when an iterate becomes non-finite (lr too large).
    """
    check_callable("f", f)
    check_callable("grad", grad, optional=True)
    x = _start(x0)
    lr = check("lr", lr, _POSITIVE)
    steps = check("steps", steps, Integer(0))
    noise = check("noise", noise, _NON_NEGATIVE)
    gamma = check("gamma", gamma, _NON_NEGATIVE)
    rng = _rng(seed)
    g_fn = grad if grad is not None else _numerical_grad(f)
    history = np.empty(steps + 1)
    traj = np.empty((steps + 1, *x.shape)) if record_trajectory else None
    history[0] = e = _energy(f, x.copy(), "noisy_gradient_descent")
    if traj is not None:
        traj[0] = x
    best_x, best_e = x.copy(), e
    shape, normal, isfinite = x.shape, rng.standard_normal, math.isfinite
    # Overflow on the way to a non-finite iterate is reported as divergence below.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            g = g_fn(x.copy())
            if g.__class__ is not np.ndarray or g.dtype != np.float64:
                g = np.asarray(g, dtype=np.float64)
            if g.shape != shape:
                raise ValueError(f"grad: expected an array of shape {shape}, got {g.shape}")
            if noise > 0.0:
                g = g + (noise / (1.0 + k) ** (gamma / 2.0)) * normal(shape)
            x = x - lr * g
            e = _energy(f, x.copy(), "noisy_gradient_descent") if np.isfinite(x).all() else math.nan
            if not isfinite(e):
                raise FloatingPointError(
                    f"noisy_gradient_descent: diverged at step {k + 1} (lr={lr} too large?)"
                )
            history[k + 1] = e
            if traj is not None:
                traj[k + 1] = x
            if e < best_e:
                best_x, best_e = x.copy(), e
    return DescentResult(
        params=x,
        energy=e,
        best_params=best_x,
        best_energy=best_e,
        history=history,
        trajectory=traj,
        evaluations=steps,
    )


# --- random restarts ----------------------------------------------------------
def _sampler(init: Any) -> Callable[[np.random.Generator], np.ndarray]:
    """A start sampler from a callable ``init(rng)`` or a pair of bounds (low, high)."""
    if callable(init):
        return lambda rng: _start(init(rng), "init(rng)")
    if isinstance(init, Sequence) and len(init) == 2:
        low = np.asarray(init[0], dtype=np.float64)
        high = np.asarray(init[1], dtype=np.float64)
        try:
            shape = np.broadcast(low, high).shape
        except ValueError:
            raise ValueError(
                f"init: low and high must broadcast, got shapes {low.shape} and {high.shape}"
            ) from None
        if not (np.isfinite(low).all() and np.isfinite(high).all() and np.all(low < high)):
            raise ValueError("init: expected finite bounds with low < high")
        if shape == ():
            raise ValueError("init: bounds give the shape of a start; got two scalars")
        return lambda rng: rng.uniform(low, high, size=shape)
    raise TypeError(
        f"init: expected a callable init(rng) or a pair (low, high), got {type(init).__name__}"
    )


def random_restarts(
    f: Energy,
    init: Callable[[np.random.Generator], Any] | tuple[Any, Any],
    n: int = 10,
    *,
    grad: Gradient | None = None,
    lr: float = 0.01,
    steps: int = 100,
    local: Callable[[np.ndarray], tuple[Any, float]] | None = None,
    seed: SeedLike = None,
) -> RestartsResult:
    """Run a local search from ``n`` random starts and keep the best end point.

    ``best = argmin_i f(local(x0_i))``: never worse than any single run from
    one of the same starts, and better whenever one start lies in a lower
    basin; the chance that none of ``n`` uniform starts falls in a basin of
    volume fraction ``p`` is ``(1 - p)**n`` (Zhou, section 5.4).

    Args:
        f: energy ``f(theta) -> float``.
        init: ``init(rng) -> start``, or bounds ``(low, high)`` (arrays of the
            parameter shape) for uniform starts.
        n: number of starts >= 1.
        grad, lr, steps: the default local search, plain gradient descent
            (:func:`noisy_gradient_descent` with ``noise=0``).
        local: instead, any ``local(x0) -> (x, energy)``.
        seed: int or Generator for the starts.
    """
    check_callable("f", f)
    sample = _sampler(init)
    n = check("n", n, Integer(1))
    check_callable("local", local, optional=True)
    if local is None:
        lr = check("lr", lr, _POSITIVE)
        steps = check("steps", steps, Integer(0))
    rng = _rng(seed)
    starts = [sample(rng) for _ in range(n)]
    shapes = {s.shape for s in starts}
    if len(shapes) != 1:
        raise ValueError(f"init: every start must have one shape, got {sorted(shapes)}")
    energies = np.empty(n)
    best_x: np.ndarray | None = None
    evaluations = 0
    for i, x0 in enumerate(starts):
        if local is None:
            r = noisy_gradient_descent(
                f, x0, grad=grad, lr=lr, steps=steps, record_trajectory=False
            )
            x, e = r.params, r.energy
            evaluations += r.evaluations
        else:
            x, e = local(x0.copy())
            x, e = _start(x, "local(x0)[0]"), float(e)
        energies[i] = e
        if best_x is None or e < energies[:i].min(initial=np.inf):
            best_x = np.array(x, dtype=np.float64)
    best = int(np.argmin(energies))
    return RestartsResult(
        best_params=best_x,
        best_energy=float(energies[best]),
        best_index=best,
        energies=energies,
        starts=np.stack(starts),
        evaluations=evaluations,
    )

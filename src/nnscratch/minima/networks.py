"""The strategies against local minima applied to a network, over the one training loop.

A network is used only through :class:`nnscratch.network.Network`:

* **simulated annealing** (:func:`anneal_network`) perturbs the parameters
  (``trainable_parameters()``, live arrays) and reads the energy
  ``net.loss(x, t)``: forward passes only, no gradients;
* **random restarts** (:func:`restarts_network`) trains networks from
  several initialisations with :func:`nnscratch.fit` and keeps the best;
* **noisy gradient descent** needs no function here: it is ``fit`` with an
  optimizer that carries a gradient-noise hook::

      fit(net, x, t, optimizer=SGD(0.5, hooks=[GradientNoise(0.5, seed=0)]),
          batch_size=len(x), epochs=200)

  and stochastic (one-sample) backpropagation is ``fit(..., batch_size=1)``.

References: Zhou Zhihua, "Machine Learning" (2016), section 5.4;
Kirkpatrick, Gelatt and Vecchi, Science 220 (1983).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from nnscratch._validate import Integer, check, check_array, check_callable, check_seed, fail
from nnscratch.minima.strategies import (
    AnnealResult,
    RestartsResult,
    SeedLike,
    simulated_annealing,
)
from nnscratch.network import Network
from nnscratch.training import optimizers
from nnscratch.training.loop import check_network, fit

__all__ = ["anneal_network", "restarts_network"]


def _copy(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in params.items()}


def _net_data(net: Network, x: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
    """``x`` cast once to the network's dtype, ``t`` with as many rows."""
    x = check_array("x", x)
    t = check_array("t", t)
    if x.ndim == 0 or t.ndim == 0 or x.shape[0] != t.shape[0]:
        raise fail("x, t", "the same number of samples", f"shapes {x.shape} and {t.shape}")
    if x.shape[0] == 0:
        raise fail("x", "at least one sample", f"shape {x.shape}")
    return x.astype(net.dtype, copy=False), t


def anneal_network(
    net: Network,
    x: Any,
    t: Any,
    *,
    record_trajectory: bool = False,
    **schedule: Any,
) -> AnnealResult:
    """Simulated annealing over the trainable parameters of ``net``, energy ``net.loss(x, t)``.

    Every proposal perturbs all the arrays of ``net.trainable_parameters()``
    in place by ``step_size * N(0, I)`` (no gradients are used); a rejected
    proposal is undone. At the end the network holds the best parameters
    found. ``schedule`` holds the keywords of
    :func:`~nnscratch.minima.strategies.simulated_annealing` (``steps``,
    ``t0``, ``alpha``, ``step_size``, ``seed``), passed on with the same
    defaults; a recorded trajectory is off by default here. The result's
    ``best_params`` and ``params`` are dicts of array copies by name and a
    recorded trajectory is the flat parameter vector, in the order of
    ``net.trainable_parameters()``.
    """
    check_network("net", net)
    x, t = _net_data(net, x, t)
    live = net.trainable_parameters()
    theta0 = np.concatenate([p.ravel().astype(np.float64) for p in live.values()])
    ends = np.cumsum([p.size for p in live.values()]).tolist()
    # (array, start, end, shape) of each parameter in the flat vector, computed once
    places = [(p, end - p.size, end, p.shape) for p, end in zip(live.values(), ends, strict=True)]

    def load(theta: np.ndarray) -> None:
        for p, start, end, shape in places:
            np.copyto(p, theta[start:end].reshape(shape), casting="unsafe")

    def energy(theta: np.ndarray) -> float:
        load(theta)
        return float(net.loss(x, t))

    try:  # an overflowing loss is inf (a rejected proposal), silently, at every call
        with np.errstate(over="ignore", invalid="ignore"):
            r = simulated_annealing(energy, theta0, record_trajectory=record_trajectory, **schedule)
    except BaseException:
        load(theta0)
        raise

    def as_dict(theta: np.ndarray) -> dict[str, np.ndarray]:
        load(theta)
        return _copy(live)

    final = as_dict(r.params)
    best = as_dict(r.best_params)  # leaves the network at the best point
    return dataclasses.replace(r, best_params=best, params=final)


def restarts_network(
    build_fn: Callable[[int], Network],
    x: Any,
    t: Any,
    n: int = 10,
    *,
    epochs: int = 100,
    optimizer: str | Mapping[str, Any] | optimizers.Optimizer = "sgd",
    batch_size: int | None = None,
    seed: SeedLike = None,
) -> RestartsResult:
    """Train ``n`` networks from different initialisations and keep the lowest loss.

    ``build_fn(seed) -> net`` builds a freshly initialised network (for
    example ``lambda s: nnscratch.minima.xor_network(seed=s)``); the ``n``
    seeds are drawn from ``seed``. Each network is trained by
    :func:`nnscratch.fit` for ``epochs`` epochs with a fresh copy of
    ``optimizer`` (its configuration and hooks, not its state);
    ``batch_size=None`` (or N) is full-batch gradient descent in the data's
    order, anything smaller shuffles with the Generator of ``seed``. Its
    energy is the full-data loss ``net.loss(x, t)`` after training. The
    result's ``network`` is the best network, ``starts`` the seeds given to
    ``build_fn``, ``evaluations`` the parameter updates over all runs.
    """
    check_callable("build_fn", build_fn)
    n = check("n", n, Integer(1))
    epochs = check("epochs", epochs, Integer(0))
    config = optimizers.serialize(optimizers.get(optimizer))
    rng = np.random.default_rng(check_seed("seed", seed, generator=True))
    seeds = rng.integers(0, 2**31 - 1, size=n)
    energies = np.empty(n)
    best_net: Any = None
    evaluations = 0
    for i, s in enumerate(seeds):
        net = check_network("build_fn(seed)", build_fn(int(s)))
        xs, ts = _net_data(net, x, t)
        size = xs.shape[0] if batch_size is None else check("batch_size", batch_size, Integer(1))
        opt = optimizers.deserialize(config)
        full = size >= xs.shape[0]
        fit(
            net,
            xs,
            ts,
            optimizer=opt,
            epochs=epochs,
            batch_size=size,
            shuffle=not full,
            seed=rng,
            verbose=0,
        )
        energies[i] = float(net.loss(xs, ts))
        evaluations += opt.iterations
        if best_net is None or energies[i] < energies[:i].min(initial=np.inf):
            best_net = net
    best = int(np.argmin(energies))
    return RestartsResult(
        best_params=_copy(best_net.parameters()),
        best_energy=float(energies[best]),
        best_index=best,
        energies=energies,
        starts=seeds,
        evaluations=evaluations,
        network=best_net,
    )

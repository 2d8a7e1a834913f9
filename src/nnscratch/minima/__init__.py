"""Escaping local minima: the strategies, their test problems and the experiment.

Reading order: :mod:`~nnscratch.minima.problems` (Rastrigin, the bowl, XOR
2-2-1), :mod:`~nnscratch.minima.strategies` (simulated annealing, noisy
gradient descent and random restarts on a function),
:mod:`~nnscratch.minima.networks` (the same on a network, over
:func:`nnscratch.fit` and the gradient hooks), and
:mod:`~nnscratch.minima.experiment` (how often each reaches the global
minimum: ``nnscratch demo minima``).

Reference: Zhou Zhihua, "Machine Learning" (2016), section 5.4.
"""

from __future__ import annotations

from nnscratch.minima import experiment, networks, problems, strategies
from nnscratch.minima.experiment import MinimaReport, MinimaRow, minima_experiment
from nnscratch.minima.networks import anneal_network, restarts_network
from nnscratch.minima.problems import (
    in_global_basin,
    quadratic,
    quadratic_grad,
    rastrigin,
    rastrigin_grad,
    xor_network,
)
from nnscratch.minima.strategies import (
    AnnealResult,
    DescentResult,
    RestartsResult,
    acceptance_probability,
    geometric_temperatures,
    noisy_gradient_descent,
    random_restarts,
    simulated_annealing,
)

__all__ = [
    "AnnealResult",
    "DescentResult",
    "MinimaReport",
    "MinimaRow",
    "RestartsResult",
    "acceptance_probability",
    "anneal_network",
    "experiment",
    "geometric_temperatures",
    "in_global_basin",
    "minima_experiment",
    "networks",
    "noisy_gradient_descent",
    "problems",
    "quadratic",
    "quadratic_grad",
    "random_restarts",
    "rastrigin",
    "rastrigin_grad",
    "restarts_network",
    "simulated_annealing",
    "strategies",
    "xor_network",
]

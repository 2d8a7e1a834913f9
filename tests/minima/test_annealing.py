"""The strategies against local minima: the schedule, annealing, restarts, noisy descent.

On functions (minima.strategies) and on networks (minima.networks, over fit and the
gradient hooks). The test problems and the experiment are tested in test_minima.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnscratch.datasets.toy import xor
from nnscratch.minima import quadratic, quadratic_grad, rastrigin, rastrigin_grad, xor_network
from nnscratch.minima.networks import anneal_network, restarts_network
from nnscratch.minima.strategies import (
    AnnealResult,
    acceptance_probability,
    geometric_temperatures,
    noisy_gradient_descent,
    random_restarts,
    simulated_annealing,
)
from nnscratch.training import fit
from nnscratch.training.hooks import GradientNoise
from nnscratch.training.optimizers import SGD

DOMAIN = (np.full(2, -5.12), np.full(2, 5.12))
FAR = [4.5, -4.5]  # f = 40.5 + 0: the corner of the domain, ~40 basins from the origin


def _sa_far(seed: int, steps: int = 2000) -> AnnealResult:
    return simulated_annealing(
        rastrigin,
        FAR,
        steps=steps,
        t0=10.0,
        alpha=0.01 ** (1.0 / steps),  # T: 10 -> 0.1
        step_size=1.0,
        seed=seed,
    )


def _xor_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, labels = xor()
    return x, labels.reshape(-1, 1).astype(np.float64), labels


# --- schedule and Metropolis rule -------------------------------------------------
def test_geometric_temperatures():
    temps = geometric_temperatures(10.0, 0.5, 4)
    np.testing.assert_allclose(temps, [10.0, 5.0, 2.5, 1.25])
    assert geometric_temperatures(2.0, 1.0, 3).tolist() == [2.0, 2.0, 2.0]
    assert geometric_temperatures(1.0, 0.9, 0).shape == (0,)


def test_acceptance_probability_metropolis():
    assert acceptance_probability(-3.0, 1.0) == 1.0  # downhill: always
    assert acceptance_probability(0.0, 0.0) == 1.0
    assert acceptance_probability(1.0, 1.0) == pytest.approx(math.exp(-1.0))
    assert acceptance_probability(2.0, 4.0) == pytest.approx(math.exp(-0.5))
    assert acceptance_probability(1.0, 0.0) == 0.0  # uphill at T = 0: never
    assert acceptance_probability(1e6, 1e-6) == 0.0  # no overflow warning
    p = acceptance_probability(np.array([1.0, 1.0, 1.0]), np.array([10.0, 1.0, 0.1]))
    np.testing.assert_allclose(p, np.exp([-0.1, -1.0, -10.0]))
    assert np.all(np.diff(p) < 0)  # colder: less likely uphill
    with pytest.raises(ValueError, match="temperature"):
        acceptance_probability(1.0, -1.0)


# --- simulated annealing ----------------------------------------------------------
def test_annealing_from_far_start_reaches_global_basin():
    r = _sa_far(seed=0)
    assert rastrigin(FAR) > 40
    assert np.linalg.norm(r.best_params) < 0.5
    assert r.best_energy < 1.0
    # not a lucky seed: most of ten seeds get there too (17 of 20 when measured)
    hits = sum(np.linalg.norm(_sa_far(seed=s).best_params) < 0.5 for s in range(10))
    assert hits >= 7


def test_plain_descent_from_the_same_far_start_stays_in_its_basin():
    r = noisy_gradient_descent(rastrigin, FAR, grad=rastrigin_grad, lr=0.002, steps=2000)
    np.testing.assert_array_equal(np.round(r.params), [4.0, -4.0])  # nearest local minimum
    assert r.energy > 30


def test_acceptance_rate_falls_as_temperature_falls():
    r = _sa_far(seed=1)
    fifths = np.array_split(r.accepted, 5)
    rates = [float(np.mean(part)) for part in fifths]
    assert rates[0] > 0.2
    assert rates[-1] < rates[0] / 4
    assert rates == sorted(rates, reverse=True)  # monotone over the five phases
    assert r.temperatures[0] == 10.0
    assert r.temperatures[-1] == pytest.approx(0.1, rel=0.01)


def test_annealing_result_is_consistent():
    r = _sa_far(seed=2, steps=300)
    assert r.history.shape == (301,)
    assert r.accepted.shape == r.temperatures.shape == (300,)
    assert r.trajectory.shape == (301, 2)
    assert r.evaluations == 301
    np.testing.assert_array_equal(r.trajectory[0], FAR)
    np.testing.assert_array_equal(r.trajectory[-1], r.params)
    assert r.best_energy == np.min(r.history) == rastrigin(r.best_params)
    assert r.energy == r.history[-1] == rastrigin(r.params)
    # a rejected step keeps the state: the trajectory moves exactly at acceptances
    moved = np.any(r.trajectory[1:] != r.trajectory[:-1], axis=1)
    np.testing.assert_array_equal(moved, r.accepted)
    assert r.accepted_fraction == pytest.approx(np.mean(r.accepted))


def test_annealing_same_seed_same_result():
    a, b = _sa_far(seed=7, steps=400), _sa_far(seed=7, steps=400)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    np.testing.assert_array_equal(a.accepted, b.accepted)
    assert a.best_energy == b.best_energy
    c = _sa_far(seed=8, steps=400)
    assert not np.array_equal(a.trajectory, c.trajectory)
    g = simulated_annealing(rastrigin, FAR, steps=50, seed=np.random.default_rng(7))
    h = simulated_annealing(rastrigin, FAR, steps=50, seed=7)
    np.testing.assert_array_equal(g.history, h.history)


def test_annealing_does_not_touch_x0_and_rejects_non_finite_energies():
    x0 = np.array([1.0, 2.0])
    r = simulated_annealing(
        lambda x: math.inf if x[0] > 1.5 else quadratic(x), x0, steps=200, step_size=1.0, seed=0
    )
    np.testing.assert_array_equal(x0, [1.0, 2.0])
    assert np.all(r.trajectory[:, 0] <= 1.5)
    assert np.isfinite(r.history).all()


# --- gradient descent -----------------------------------------------------------
def test_descent_on_the_bowl_matches_the_book():
    # Saitoh 4.4.1: function_2 from (-3, 4), lr 0.1, 100 steps -> (-6.1e-10, 8.1e-10);
    # exactly x0 * (1 - 2 lr)^100 = x0 * 0.8^100.
    r = noisy_gradient_descent(quadratic, [-3.0, 4.0], grad=quadratic_grad, lr=0.1, steps=100)
    np.testing.assert_allclose(r.params, np.array([-3.0, 4.0]) * 0.8**100, rtol=1e-12)
    np.testing.assert_allclose(r.params, [-6.11110793e-10, 8.14814391e-10], rtol=1e-8)
    assert r.history[0] == 25.0 and np.all(np.diff(r.history) < 0)


def test_plain_descent_from_a_local_basin_stays_there():
    # Start near the local minimum by (2, -1); the ridges are at the half-integers.
    r = noisy_gradient_descent(rastrigin, [2.3, -0.8], grad=rastrigin_grad, lr=0.002, steps=1000)
    # The local minimum solves 2 x + 20 pi sin(2 pi x) = 0: x ~ z (1 - 1 / (1 + 20 pi^2)).
    np.testing.assert_allclose(r.params, [1.98991223, -0.99495864], atol=1e-6)
    assert r.energy == pytest.approx(4.9747902, abs=1e-6)  # not 0: a local minimum
    assert np.abs(rastrigin_grad(r.params)).max() < 1e-8
    assert np.all(np.diff(r.history) <= 1e-12)  # never uphill
    # the same with central-difference gradients
    n = noisy_gradient_descent(rastrigin, [2.3, -0.8], lr=0.002, steps=1000)
    np.testing.assert_allclose(n.params, r.params, atol=1e-6)


def test_gradient_noise_is_seeded_and_can_leave_the_basin():
    kw = dict(grad=rastrigin_grad, lr=0.002, steps=1000, noise=500.0)
    a = noisy_gradient_descent(rastrigin, [2.3, -0.8], seed=3, **kw)
    b = noisy_gradient_descent(rastrigin, [2.3, -0.8], seed=3, **kw)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    c = noisy_gradient_descent(rastrigin, [2.3, -0.8], seed=4, **kw)
    assert not np.array_equal(a.trajectory, c.trajectory)
    # the walk does leave the start's basin at least once in five seeds
    left = [
        noisy_gradient_descent(rastrigin, [2.3, -0.8], seed=s, **kw).trajectory for s in range(5)
    ]
    assert any(np.any(np.abs(tr - [2.0, -1.0]).max(axis=1) > 0.5) for tr in left)
    assert a.best_energy == a.history.min()


def test_descent_divergence_is_reported():
    with pytest.raises(FloatingPointError, match="diverged"):
        noisy_gradient_descent(quadratic, [1.0], grad=quadratic_grad, lr=1.5, steps=2000)


# --- random restarts ------------------------------------------------------------
def test_restarts_never_worse_than_a_single_run():
    for seed in range(5):
        r = random_restarts(
            rastrigin, DOMAIN, 8, grad=rastrigin_grad, lr=0.002, steps=100, seed=seed
        )
        singles = [
            noisy_gradient_descent(rastrigin, s, grad=rastrigin_grad, lr=0.002, steps=100).energy
            for s in r.starts
        ]
        np.testing.assert_allclose(r.energies, singles, rtol=0, atol=0)
        assert r.best_energy == min(singles) <= singles[0]
        assert r.best_energy == rastrigin(r.best_params)
        assert r.best_index == int(np.argmin(singles))
        assert np.all(np.diff(r.history) <= 0)
        assert r.evaluations == 8 * 100
        assert np.all(np.abs(r.starts) <= 5.12)


def test_restarts_with_a_custom_local_search_and_sampler():
    seen = []

    def local(x0):
        seen.append(x0.copy())
        return x0 * 0.0 + 1.0, float(np.sum(x0))

    r = random_restarts(quadratic, lambda rng: rng.normal(size=3), 4, local=local, seed=0)
    np.testing.assert_array_equal(np.stack(seen), r.starts)
    assert r.best_energy == min(np.sum(s) for s in seen)
    same = random_restarts(quadratic, lambda rng: rng.normal(size=3), 4, local=local, seed=0)
    np.testing.assert_array_equal(same.starts, r.starts)


# --- networks ---------------------------------------------------------------------
def test_anneal_network_leaves_the_best_parameters_in_the_network():
    x, t, _ = _xor_data()
    net = xor_network(seed=5)
    before = net.loss(x, t)
    r = anneal_network(net, x, t, steps=300, t0=0.1, step_size=0.3, seed=0)
    assert set(r.best_params) == set(net.parameters()) == {"0.W", "0.b", "2.W", "2.b"}
    assert r.history[0] == pytest.approx(before)
    assert r.best_energy <= before
    assert net.loss(x, t) == pytest.approx(r.best_energy, abs=1e-12)
    for k, v in net.parameters().items():
        np.testing.assert_array_equal(v, r.best_params[k])
    # the final state is reproducible from the same seed and start
    net2 = xor_network(seed=5)
    r2 = anneal_network(net2, x, t, steps=300, t0=0.1, step_size=0.3, seed=0)
    np.testing.assert_array_equal(r.history, r2.history)
    for k in r.params:
        np.testing.assert_array_equal(r.params[k], r2.params[k])


def test_anneal_network_float32():
    x, t, _ = _xor_data()
    net = xor_network(seed=1, dtype="float32")
    r = anneal_network(net, x, t, steps=100, seed=0, record_trajectory=True)
    assert net.parameters()["0.W"].dtype == np.float32
    assert r.trajectory.shape == (101, 9)
    assert r.best_energy <= r.history[0]


def _descend(net, x, t, epochs, lr, *, batch_size=4, hooks=(), seed=None):
    """fit as the strategies use it: full batch in the data's order, or shuffled batches."""
    opt = SGD(lr, hooks=list(hooks))
    h = fit(
        net,
        x,
        t,
        optimizer=opt,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=batch_size < len(x),
        seed=seed,
        verbose=0,
    )
    return h["loss"], opt


def test_full_batch_sgd_and_gradient_noise_over_fit():
    x, t, _ = _xor_data()
    net = xor_network(4, "tanh", seed=0)
    losses, opt = _descend(net, x, t, 200, 0.5)
    assert opt.iterations == 200
    assert losses[-1] < losses[0]
    a, _ = _descend(xor_network(seed=3), x, t, 20, 0.5, batch_size=1, seed=9)
    b, opt = _descend(xor_network(seed=3), x, t, 20, 0.5, batch_size=1, seed=9)
    assert opt.iterations == 80 and a == b
    # noisy gradient descent: the gradient-noise hook, seeded
    c, _ = _descend(xor_network(seed=3), x, t, 20, 0.5, hooks=[GradientNoise(0.5, seed=9)])
    d, _ = _descend(xor_network(seed=3), x, t, 20, 0.5, hooks=[GradientNoise(0.5, seed=9)])
    e, _ = _descend(xor_network(seed=3), x, t, 20, 0.5)
    assert c == d and c != e


def test_restarts_network_keeps_the_best_run():
    x, t, _ = _xor_data()
    r = restarts_network(
        lambda s: xor_network(seed=s), x, t, 4, epochs=100, optimizer=SGD(2.0), seed=0
    )
    assert r.energies.shape == (4,) and r.starts.shape == (4,)
    assert r.best_energy == r.energies.min()
    assert r.network.loss(x, t) == pytest.approx(r.best_energy)
    for k, v in r.network.parameters().items():
        np.testing.assert_array_equal(v, r.best_params[k])
    # each energy is what training that seed alone gives
    i = int(np.argmax(r.energies))
    alone = xor_network(seed=int(r.starts[i]))
    _descend(alone, x, t, 100, 2.0)
    assert alone.loss(x, t) == pytest.approx(r.energies[i])
    assert r.evaluations == 4 * 100
    again = restarts_network(
        lambda s: xor_network(seed=s), x, t, 4, epochs=100, optimizer=SGD(2.0), seed=0
    )
    np.testing.assert_array_equal(again.energies, r.energies)


# --- argument checks ------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (dict(steps=-1), ValueError, "steps"),
        (dict(steps=1.5), TypeError, "steps"),
        (dict(t0=0.0), ValueError, "t0"),
        (dict(alpha=0.0), ValueError, "alpha"),
        (dict(alpha=1.5), ValueError, "alpha"),
        (dict(step_size=-0.1), ValueError, "step_size"),
        (dict(step_size="big"), TypeError, "step_size"),
        (dict(seed=-1), ValueError, "seed"),
    ],
)
def test_annealing_argument_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        simulated_annealing(quadratic, [1.0], **kwargs)


def test_other_argument_errors():
    with pytest.raises(TypeError, match="f: expected a callable"):
        simulated_annealing(None, [1.0])
    with pytest.raises(ValueError, match="x0: expected finite"):
        simulated_annealing(quadratic, [np.nan])
    with pytest.raises(ValueError, match="x0: expected at least one"):
        simulated_annealing(quadratic, [])
    with pytest.raises(TypeError, match="real scalar"):
        simulated_annealing(lambda x: x, [1.0, 2.0])
    with pytest.raises(ValueError, match="x0: the energy"):
        simulated_annealing(lambda x: math.inf, [1.0])
    with pytest.raises(ValueError, match="lr"):
        noisy_gradient_descent(quadratic, [1.0], lr=0.0)
    with pytest.raises(ValueError, match="noise"):
        noisy_gradient_descent(quadratic, [1.0], noise=-1.0)
    with pytest.raises(ValueError, match="grad: expected an array of shape"):
        noisy_gradient_descent(quadratic, [1.0, 2.0], grad=lambda x: np.zeros(3), steps=1)
    with pytest.raises(ValueError, match="n: expected an integer >= 1"):
        random_restarts(quadratic, DOMAIN, 0)
    with pytest.raises(ValueError, match="low < high"):
        random_restarts(quadratic, (np.ones(2), np.zeros(2)))
    with pytest.raises(TypeError, match="init"):
        random_restarts(quadratic, 3)
    with pytest.raises(TypeError, match="net: expected a network"):
        anneal_network(object(), np.zeros((4, 2)), np.zeros((4, 1)))
    x, t, _ = _xor_data()
    with pytest.raises(ValueError, match="same number of samples"):
        anneal_network(xor_network(seed=0), x, t[:3])
    net = xor_network(seed=0)
    before = {k: v.copy() for k, v in net.trainable_parameters().items()}
    with pytest.raises(TypeError, match="temperature"):  # not a keyword of simulated_annealing
        anneal_network(net, x, t, steps=5, temperature=1.0)
    for k, v in net.trainable_parameters().items():  # and the network is left as it was
        np.testing.assert_array_equal(v, before[k])
    with pytest.raises(ValueError, match="alpha"):  # the schedule is checked where it is used
        anneal_network(net, x, t, alpha=1.5)
    with pytest.raises(ValueError, match="batch_size"):
        restarts_network(lambda s: xor_network(seed=s), x, t, batch_size=0)
    with pytest.raises(TypeError, match="build_fn"):
        restarts_network("net", x, t)

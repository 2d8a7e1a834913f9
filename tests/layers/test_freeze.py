"""Freezing parameters and sharing layers: the bookkeeping of nnscratch.layers.base."""

from __future__ import annotations

import numpy as np
import pytest

import nnscratch as nn
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.numerical import gradient_check


def _net(seed: int = 0) -> Sequential:
    return Sequential([Dense(4, 5), Activation("tanh"), Dense(5, 3)], seed=seed, dtype="float64")


def _data(n: int = 6):
    rng = np.random.default_rng(1)
    return rng.normal(size=(n, 4)), rng.integers(0, 3, n)


def test_frozen_bias_is_unchanged_by_sgd_steps_and_the_rest_trains():
    net = _net()
    net.layers[0].params["b"][...] = [0.5, -0.25, 1.0, 0.0, 2.0]  # a bias worth keeping
    net.layers[0].freeze("b")
    b0 = net.layers[0].params["b"].copy()
    W0 = net.layers[0].params["W"].copy()
    x, t = _data()
    opt = nn.optimizers.SGD(0.5)
    first = net.loss(x, t)
    for _ in range(20):
        _, grads = net.value_and_grad(x, t)
        opt.step(net.trainable_parameters(), grads)
    np.testing.assert_array_equal(net.layers[0].params["b"], b0)
    assert not np.array_equal(net.layers[0].params["W"], W0)
    assert net.loss(x, t) < first


def test_frozen_parameter_is_absent_from_trainable_parameters_and_gradients():
    net = _net()
    net.layers[2].freeze("W")
    assert set(net.parameters()) == {"0.W", "0.b", "2.W", "2.b"}
    assert set(net.trainable_parameters()) == {"0.W", "0.b", "2.b"}
    x, t = _data()
    _, grads = net.value_and_grad(x, t)
    assert set(grads) == {"0.W", "0.b", "2.b"}
    assert net.layers[2].trainable == {"W": False, "b": True}
    net.layers[2].unfreeze()
    assert set(net.value_and_grad(x, t)[1]) == {"0.W", "0.b", "2.W", "2.b"}


def test_gradient_of_the_unfrozen_parameters_matches_the_numerical_one():
    net = _net(3)
    net.layers[0].freeze("b")
    net.layers[2].freeze("W")
    x, t = _data()
    _, grads = net.value_and_grad(x, t)
    numeric = net.numerical_gradient(x, t, h=1e-6)
    assert set(numeric) == set(grads) == {"0.W", "2.b"}
    for k in grads:
        np.testing.assert_allclose(grads[k], numeric[k], rtol=1e-6, atol=1e-9, err_msg=k)


def test_freezing_everything_leaves_the_frozen_gradient_arrays_untouched():
    layer = Dense(3, 2, seed=0, dtype="float64").freeze()
    layer.grads["W"][...] = 7.0
    layer.forward(np.ones((4, 3)))
    dx = layer.backward(np.ones((4, 2)))
    np.testing.assert_array_equal(layer.grads["W"], 7.0)
    np.testing.assert_allclose(dx, np.ones((4, 2)) @ layer.params["W"].T)


def test_frozen_parameters_are_still_saved_and_loaded(tmp_path):
    net = _net()
    net.layers[0].freeze("b")
    net.layers[0].params["b"][...] = 3.0
    path = tmp_path / "frozen.safetensors"
    nn.save(net, path)
    loaded = nn.load(path)
    np.testing.assert_array_equal(loaded.parameters()["0.b"], np.full(5, 3.0))


def test_freeze_names_an_unknown_parameter():
    with pytest.raises(ValueError, match="name: expected a parameter of Dense"):
        Dense(2, 2).freeze("gamma")


def test_a_layer_used_twice_gets_the_sum_of_both_gradients():
    # one Dense (3 -> 3) applied twice: y = D(tanh(D(x))); its W and b get both uses' terms
    shared = Dense(3, 3, seed=0, dtype="float64")
    net = Sequential(
        [shared, Activation("tanh"), shared, Activation("tanh"), Dense(3, 2, dtype="float64")],
        seed=5,
        dtype="float64",
    )
    assert set(net.parameters()) == {"0.W", "0.b", "4.W", "4.b"}
    rng = np.random.default_rng(2)
    x, t = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)
    _, grads = net.value_and_grad(x, t)
    numeric = net.numerical_gradient(x, t, h=1e-6)
    for k in grads:
        np.testing.assert_allclose(grads[k], numeric[k], rtol=1e-6, atol=1e-9, err_msg=k)


def test_shared_layer_with_a_frozen_bias_sums_only_the_weights():
    shared = Dense(3, 3, seed=0, dtype="float64").freeze("b")
    net = Sequential([shared, Activation("sigmoid"), shared], loss="mean_squared_error",
                     seed=1, dtype="float64")  # fmt: skip
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, grads = net.value_and_grad(x, t)
    assert set(grads) == {"0.W"}
    f = lambda: net.loss(x, t)  # noqa: E731
    W = net.parameters()["0.W"]
    assert gradient_check(lambda _: f(), W, grads["0.W"].copy()) < 1e-6

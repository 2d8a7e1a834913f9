"""Tests for nnscratch.layers: gradient checks, the layer contract, registry, errors."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from nnscratch import layers as L
from nnscratch.numerical import gradient_check

TOL = 1e-7  # float64, smooth
TOL_KINK = 1e-5  # ReLU/max kinks or a fixed dropout mask


def _rng(seed=0):
    return np.random.default_rng(seed)


def check_layer(layer, x, *, training=False, tol=TOL, seed=1):
    """Gradient check of every input and parameter of ``layer`` for L = sum(y * R)."""
    y = layer.forward(x, training)
    r = _rng(seed).standard_normal(y.shape)
    r_before = r.copy()
    dx = layer.backward(r)
    np.testing.assert_array_equal(r, r_before)  # backward never writes into dout
    dx = None if dx is None else dx.copy()
    grads = {k: g.copy() for k, g in layer.grads.items()}
    assert set(grads) == set(layer.params)

    def f(_):
        return float(np.sum(layer.forward(x, training) * r))

    errors = {"x": gradient_check(f, x, dx)}
    for k, p in layer.params.items():
        assert grads[k].shape == p.shape and grads[k].dtype == p.dtype
        errors[k] = gradient_check(f, p, grads[k])
    for k, e in errors.items():
        assert e <= tol, f"{layer!r}: d{k} relative error {e:.3g} > {tol}"
    return errors


def test_dense_gradient_and_values():
    layer = L.Dense(4, 3, "glorot_normal", bias_init=0.1, seed=0, dtype="float64")
    x = _rng().standard_normal((5, 4))
    y = layer.forward(x)
    np.testing.assert_allclose(y, x @ layer.params["W"] + layer.params["b"], rtol=1e-15)
    check_layer(layer, x)


def test_dense_without_bias():
    layer = L.Dense(4, 3, use_bias=False, seed=0, dtype="float64")
    assert set(layer.params) == {"W"}
    check_layer(layer, _rng().standard_normal((5, 4)))


def test_dense_from_weights_copies():
    W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = np.array([0.5, -0.5])
    layer = L.Dense.from_weights(W, b)
    assert layer.dtype == np.float64 and layer.in_features == 3 and layer.out_features == 2
    np.testing.assert_array_equal(layer.forward(np.array([[1.0, 0.0, 1.0]])), [[6.5, 7.5]])
    layer.params["W"][0, 0] = 9.0
    assert W[0, 0] == 1.0  # the caller's array is not aliased
    with pytest.raises(ValueError, match=r"b: expected shape \(2,\)"):
        L.Dense.from_weights(W, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "softmax", "linear"])
def test_activation_gradients_smooth(name):
    check_layer(L.Activation(name, dtype="float64"), _rng().standard_normal((4, 5)))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu"])
def test_activation_gradients_kinked(name):
    x = _rng().standard_normal((4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # keep every entry away from the kink at 0
    check_layer(L.Activation(name, dtype="float64"), x, tol=TOL_KINK)


def test_every_registered_activation_has_a_working_layer():
    from nnscratch import activations

    x = _rng().standard_normal((3, 4)) + 0.01
    for name in activations.names():
        layer = L.Activation(name, dtype="float64")
        y = layer.forward(x)
        assert y.shape == x.shape
        assert layer.backward(np.ones_like(y)).shape == x.shape


def test_prelu_gradient_and_values():
    layer = L.PReLU(4, alpha_init=0.1, dtype="float64")
    x = np.array([[1.0, -2.0, 3.0, -4.0]])
    np.testing.assert_allclose(layer.forward(x), [[1.0, -0.2, 3.0, -0.4]])
    x = _rng().standard_normal((6, 4))
    layer.params["alpha"][:] = [0.1, 0.2, -0.3, 0.4]
    check_layer(layer, x, tol=TOL_KINK)


def test_maxout_gradient_and_values():
    layer = L.Maxout(3, units=2, pieces=3, seed=0, dtype="float64")
    x = _rng().standard_normal((5, 3))
    z = (x @ layer.params["W"] + layer.params["b"]).reshape(5, 2, 3)
    np.testing.assert_allclose(layer.forward(x), z.max(axis=2), rtol=1e-15)
    check_layer(layer, x, tol=TOL_KINK)


def test_dropout_inverted_statistics_and_gradient():
    layer = L.Dropout(0.3, seed=0, dtype="float64")
    x = np.ones((200, 500))
    y = layer.forward(x, training=True)
    kept = y != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)  # 100,000 draws: sd 0.0015
    np.testing.assert_allclose(y[kept], 1 / 0.7)
    assert y.mean() == pytest.approx(1.0, abs=0.015)  # inverted dropout keeps E[y] = x
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    # gradient with the mask held fixed
    layer.forward(_rng().standard_normal((4, 6)), training=True)
    layer.reuse_mask = True
    check_layer(layer, _rng(2).standard_normal((4, 6)), training=True, tol=TOL_KINK)
    check_layer(layer, _rng(2).standard_normal((4, 6)), training=False)


def test_dropout_same_seed_same_mask():
    x = np.ones((10, 10), np.float32)
    a = L.Dropout(0.5, seed=7).forward(x, training=True).copy()
    b = L.Dropout(0.5, seed=7).forward(x, training=True).copy()
    c = L.Dropout(0.5, seed=8).forward(x, training=True).copy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_generators_expose_the_dropout_rng_only():
    drop = L.Dropout(0.5, seed=3)
    gens = drop.generators()
    assert list(gens) == ["rng"] and isinstance(gens["rng"], np.random.Generator)
    # the live Generator: restoring its state replays the same mask
    state = gens["rng"].bit_generator.state
    x = np.ones((4, 6), np.float32)
    first = drop.forward(x, training=True).copy()
    gens["rng"].bit_generator.state = state
    np.testing.assert_array_equal(drop.forward(x, training=True), first)
    drop.build(_rng(1))  # a rebuild replaces the Generator; generators() follows it
    assert drop.generators()["rng"] is not gens["rng"]
    for layer in (L.Dense(2, 2), L.Activation("relu"), L.BatchNorm(2), L.PReLU(2)):
        assert layer.generators() == {}


def test_batchnorm_training_gradient_and_running_stats():
    layer = L.BatchNorm(3, momentum=0.9, dtype="float64")
    layer.params["gamma"][:] = [1.5, 0.5, -1.0]
    layer.params["beta"][:] = [0.1, 0.2, 0.3]
    x = _rng().standard_normal((8, 3)) * [1.0, 2.0, 3.0] + [0.0, 1.0, -2.0]
    y = layer.forward(x, training=True)
    xn = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(y, layer.params["gamma"] * xn + layer.params["beta"], rtol=1e-12)
    np.testing.assert_allclose(layer.state["running_mean"], 0.1 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(layer.state["running_var"], 0.9 + 0.1 * x.var(0), rtol=1e-12)
    check_layer(layer, x, training=True)


def test_batchnorm_inference_uses_running_stats():
    layer = L.BatchNorm(2, dtype="float64")
    layer.state["running_mean"][:] = [1.0, -1.0]
    layer.state["running_var"][:] = [4.0, 0.25]
    x = np.array([[3.0, 0.0]])
    np.testing.assert_allclose(
        layer.forward(x), [[2 / np.sqrt(4 + 1e-5), 1 / np.sqrt(0.25 + 1e-5)]], rtol=1e-12
    )
    check_layer(layer, _rng().standard_normal((4, 2)), training=False)


def test_flatten():
    layer = L.Flatten(dtype="float64")
    x = _rng().standard_normal((2, 3, 4))
    assert layer.forward(x).shape == (2, 12)
    assert layer.compute_output_shape((3, 4)) == (12,)
    check_layer(layer, x)


@pytest.mark.parametrize(
    ("head", "t"),
    [
        (L.SoftmaxWithLoss(), np.array([0, 2, 1, 2])),
        (L.SoftmaxWithLoss(label_smoothing=0.1), np.array([0, 2, 1, 2])),
        (L.SoftmaxWithLoss(), np.eye(3)[[1, 0, 2, 2]]),
        (L.SigmoidWithLoss(), np.array([[1.0, 0.0, 1.0]] * 4)),
        (L.LossHead("mean_squared_error"), _rng(5).standard_normal((4, 3))),
        (L.LossHead("sum_squared_error"), _rng(5).standard_normal((4, 3))),
    ],
)
def test_loss_heads_gradient(head, t):
    x = _rng().standard_normal((4, 3))
    value, grad = head.value_and_grad(x, t)
    grad = grad.copy()
    assert value == pytest.approx(head.forward(x, t), rel=1e-12)
    np.testing.assert_allclose(head.backward(), grad, rtol=1e-12, atol=1e-15)
    err = gradient_check(lambda _: head.forward(x, t), x, grad)
    assert err <= TOL


def test_softmax_with_loss_matches_the_book_formula():
    x = np.array([[0.3, 2.9, 4.0], [1.0, -1.0, 0.0]])
    t = np.array([2, 0])
    head = L.SoftmaxWithLoss()
    e = np.exp(x - x.max(1, keepdims=True))
    p = e / e.sum(1, keepdims=True)
    expected = -np.mean(np.log(p[[0, 1], t]))
    assert head.forward(x, t) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(head.predict(x), p, rtol=1e-12)
    np.testing.assert_allclose(head.backward(), (p - np.eye(3)[t]) / 2, rtol=1e-12)


def test_shared_layer_accumulates_both_gradients():
    # y = W2 relu(W x) with the same W used at two slots: dW = dW(slot 0) + dW(slot 1)
    layer = L.Dense(3, 3, "glorot_normal", bias_init=0.1, seed=0, dtype="float64")
    x = _rng().standard_normal((4, 3))
    r = _rng(1).standard_normal((4, 3))
    h = layer.forward(x, slot=0).copy()
    y = layer.forward(np.tanh(h), slot=1)
    assert y.shape == (4, 3)
    dh_in = layer.backward(r, slot=1)  # the later use assigns
    g1 = layer.grads["W"].copy()
    layer.backward(dh_in * (1 - np.tanh(h) ** 2), slot=0, accumulate=True)
    W = layer.params["W"]
    expected_late = np.tanh(h).T @ r
    expected_early = x.T @ ((r @ W.T) * (1 - np.tanh(h) ** 2))
    np.testing.assert_allclose(g1, expected_late, rtol=1e-12)
    np.testing.assert_allclose(layer.grads["W"], expected_late + expected_early, rtol=1e-12)


def test_need_input_grad_false_skips_dx():
    layer = L.Dense(3, 2, seed=0, dtype="float64")
    layer.forward(np.ones((2, 3)))
    assert layer.backward(np.ones((2, 2)), need_input_grad=False) is None
    np.testing.assert_allclose(layer.grads["W"], np.full((3, 2), 2.0))


def test_gradients_are_assigned_not_accumulated_across_steps():
    layer = L.Dense(2, 2, seed=0, dtype="float64")
    x = np.ones((1, 2))
    layer.forward(x)
    layer.backward(np.ones((1, 2)))
    first = layer.grads["W"].copy()
    layer.forward(x)
    layer.backward(np.ones((1, 2)))
    np.testing.assert_array_equal(layer.grads["W"], first)


def test_dense_input_errors():
    layer = L.Dense(784, 50)
    with pytest.raises(
        ValueError, match=r"Dense\(784 -> 50\): expected input of shape \(N, 784\), got \(N, 783\)"
    ):
        layer.forward(np.zeros((2, 783), np.float32))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 784\), got \(2, 28, 28\)"):
        layer.forward(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match="in_features"):
        L.Dense(0, 3)
    with pytest.raises(ValueError, match="seed"):
        L.Dense(3, 3, seed=-1)


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (L.Dense(3, 2), "(N, 3)"),
        (L.Maxout(3, 2), "(N, 3)"),
        (L.BatchNorm(3), "(N, 3)"),
        (L.Activation("relu"), None),
        (L.Flatten(), None),
    ],
)
def test_every_layer_checks_its_input_alike(layer, shape):
    name = re.escape(repr(layer))
    if shape is None:
        with pytest.raises(ValueError, match=f"{name}: expected a batch of shape \\(N, ...\\)"):
            layer.forward(np.float32(1.0))
    else:
        with pytest.raises(ValueError, match=f"{name}: expected input of shape {re.escape(shape)}"):
            layer.forward(np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match=f"{name}: expected a real-valued input, got dtype complex"):
        layer.forward(np.zeros((2, 3), np.complex64))
    y = layer.forward(np.ones((2, 3), np.int64))  # integers are cast to the layer's dtype
    assert y.dtype == np.float32


def test_backward_before_forward_and_bad_dout():
    layer = L.Dense(3, 2)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((1, 2), np.float32))
    layer.forward(np.ones((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"dout: expected shape \(4, 2\)"):
        layer.backward(np.ones((4, 3), np.float32))


def test_other_dtype_input_is_cast_and_output_keeps_layer_dtype():
    layer = L.Dense(3, 2, seed=0)
    y = layer.forward(np.ones((4, 3), np.float64))
    assert y.dtype == np.float32
    assert layer.forward(np.ones((4, 3), np.uint8)).dtype == np.float32


DOUT_DTYPE_LAYERS = [
    lambda dt: L.Dense(4, 3, seed=0, dtype=dt),
    lambda dt: L.Activation("tanh", dtype=dt),
    lambda dt: L.Activation("softmax", dtype=dt),
    lambda dt: L.PReLU(4, dtype=dt),
    lambda dt: L.Maxout(4, units=3, pieces=2, seed=0, dtype=dt),
    lambda dt: L.Dropout(0.3, seed=0, dtype=dt),
    lambda dt: L.BatchNorm(4, dtype=dt),
    lambda dt: L.Flatten(dtype=dt),
]


@pytest.mark.parametrize("make", DOUT_DTYPE_LAYERS)
@pytest.mark.parametrize(("layer_dt", "dout_dt"), [("float32", "float64"), ("float64", "float32")])
def test_dout_of_another_dtype_is_cast_to_the_layer_dtype(make, layer_dt, dout_dt):
    layer, twin = make(layer_dt), make(layer_dt)
    x = _rng().standard_normal((5, 4)).astype(layer_dt)
    y = layer.forward(x, True)
    twin.forward(x, True)
    dout = _rng().standard_normal(y.shape)
    dx = layer.backward(dout.astype(dout_dt))
    assert dx.dtype == np.dtype(layer_dt)
    # The result is that of a dout given in the layer's dtype to begin with.
    ref = twin.backward(dout.astype(dout_dt).astype(layer_dt))
    np.testing.assert_array_equal(dx, ref)
    for k, g in layer.grads.items():
        assert g.dtype == np.dtype(layer_dt), k
        np.testing.assert_array_equal(g, twin.grads[k], err_msg=k)


def test_complex_dout_raises():
    layer = L.Dense(3, 2, seed=0)
    layer.forward(np.ones((4, 3), np.float32))
    with pytest.raises(TypeError, match="dout: expected a real-valued array"):
        layer.backward(np.ones((4, 2), np.complex64))


def test_buffers_reused_until_batch_shape_changes():
    layer = L.Dense(3, 2, seed=0)
    a = layer.forward(np.ones((4, 3), np.float32))
    b = layer.forward(np.zeros((4, 3), np.float32))
    assert a is b  # documented: the output buffer is owned by the layer
    c = layer.forward(np.zeros((5, 3), np.float32))
    assert c.shape == (5, 2)


def test_build_is_reproducible_and_sets_dtype():
    a = L.Dense(5, 4, seed=3)
    b = L.Dense(5, 4, seed=3)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    a.build(np.random.default_rng(1), "float64")
    b.build(np.random.default_rng(1), "float64")
    assert a.params["W"].dtype == np.float64 and a.grads["W"].dtype == np.float64
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert a.params["W"].var() == pytest.approx(2 / 5, rel=1.0)  # He normal, 20 draws


@pytest.mark.parametrize(
    "layer",
    [
        L.Dense(
            3, 2, "glorot_uniform", bias_init={"class_name": "constant", "config": {"value": 1}}
        ),
        L.Activation("relu"),
        L.PReLU(3, alpha_init=0.2),
        L.Maxout(3, 2, 4, seed=1),
        L.Dropout(0.25, seed=3),
        L.BatchNorm(3, momentum=0.8, eps=1e-3, dtype="float64"),
        L.Flatten(),
    ],
)
def test_registry_round_trip(layer):
    cfg = L.serialize(layer)
    assert cfg["class_name"] == type(layer).__name__
    again = L.deserialize(json.loads(json.dumps(cfg)))
    assert type(again) is type(layer)
    assert again.get_config() == layer.get_config()
    assert L.get(layer) is layer


def test_registry_errors_and_names():
    assert {"Dense", "Activation", "Dropout", "BatchNorm", "Flatten"} <= set(L.names())
    with pytest.raises(ValueError, match="Dense"):
        L.deserialize({"class_name": "Dens", "config": {}})
    with pytest.raises(ValueError, match="bad config"):
        L.deserialize({"class_name": "Dense", "config": {"units": 3}})
    assert isinstance(L.get("relu"), L.Activation)
    with pytest.raises(ValueError, match="neither a layer class"):
        L.get("no_such_thing")


def test_softmax_head_predict_is_the_activations_softmax():
    from nnscratch import activations

    head = L.SoftmaxWithLoss()
    for dtype in (np.float32, np.float64):
        z = _rng().standard_normal((5, 4)).astype(dtype) * 10
        for x in (z, z[2]):
            p = head.predict(x)
            assert p.dtype == dtype and p.shape == x.shape and not np.shares_memory(p, x)
            np.testing.assert_array_equal(p, activations.softmax(x))
    # a spread beyond the float range: the far entry is exactly 0, without a warning
    big = np.array([3e38, -3e38, 3e38], np.float32)
    np.testing.assert_array_equal(head.predict(big), [0.5, 0.0, 0.5])
    assert L.LossHead("mean_squared_error").predict(z) is z  # identity: the input itself

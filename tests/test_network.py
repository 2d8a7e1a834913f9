"""Tests for nnscratch.network.Sequential: backprop vs numerical gradients, book values, API."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnscratch import layers as L
from nnscratch.network import Sequential
from nnscratch.numerical import gradient_check

TOL = 1e-7
TOL_KINK = 1e-5


def _rng(seed=0):
    return np.random.default_rng(seed)


def check_network(net, x, t, tol=TOL, training=True, floor=None):
    """Every parameter's backprop gradient against central differences (float64)."""
    _, grads = net.value_and_grad(x, t)
    grads = {k: g.copy() for k, g in grads.items()}
    params = net.parameters()
    assert list(grads) == list(params)

    def f(_):
        return net.loss(x, t, training=training)

    for name, p in params.items():
        err = gradient_check(f, p, grads[name], floor=floor)
        assert err <= tol, f"{name}: relative error {err:.3g} > {tol}"


def test_two_layer_softmax_network_gradient():
    net = Sequential(
        [L.Dense(4, 5), L.Activation("sigmoid"), L.Dense(5, 3)], seed=0, dtype="float64"
    )
    x, t = _rng().standard_normal((6, 4)), np.array([0, 1, 2, 2, 1, 0])
    check_network(net, x, t)


def test_three_layer_tanh_sigmoid_head_gradient():
    net = Sequential(
        [
            L.Dense(3, 4),
            L.Activation("tanh"),
            L.Dense(4, 4),
            L.Activation("softplus"),
            L.Dense(4, 2),
        ],
        loss="sigmoid_binary_cross_entropy",
        seed=1,
        dtype="float64",
    )
    x = _rng().standard_normal((5, 3))
    t = (_rng(1).random((5, 2)) > 0.5).astype(np.float64)
    check_network(net, x, t)


def test_four_layer_relu_batchnorm_dropout_gradient():
    drop = L.Dropout(0.3, seed=0)
    net = Sequential(
        [
            L.Dense(5, 6),
            L.BatchNorm(6),
            L.Activation("relu"),
            drop,
            L.Dense(6, 6),
            L.PReLU(6),
            L.Maxout(6, 4, 2),
            L.Dense(4, 3),
        ],
        seed=2,
        dtype="float64",
    )
    x, t = _rng().standard_normal((8, 5)), np.eye(3)[[0, 1, 2, 0, 1, 2, 0, 1]]
    net.value_and_grad(x, t)  # draws the dropout mask
    drop.reuse_mask = True  # ... which the numerical gradient then keeps
    # BatchNorm subtracts the batch mean, so the bias of the Dense before it has
    # a zero gradient; the numerical one is rounding noise (~1e-11), hence a floor.
    _, g = net.value_and_grad(x, t)
    np.testing.assert_allclose(g["0.b"], 0.0, atol=1e-15)
    check_network(net, x, t, tol=TOL_KINK, floor=1e-6)


def test_regression_network_mse_gradient():
    net = Sequential(
        [L.Dense(2, 3), L.Activation("tanh"), L.Dense(3, 2)],
        loss="mean_squared_error",
        seed=3,
        dtype="float64",
    )
    x, t = _rng().standard_normal((7, 2)), _rng(1).standard_normal((7, 2))
    check_network(net, x, t)


def test_numerical_gradient_method_agrees_with_backprop():
    net = Sequential(
        [L.Dense(3, 4), L.Activation("sigmoid"), L.Dense(4, 2)], seed=0, dtype="float64"
    )
    x, t = _rng().standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    num = net.numerical_gradient(x, t)
    grads = net.gradient(x, t)
    assert list(num) == list(grads) == ["0.W", "0.b", "2.W", "2.b"]
    for k in grads:
        np.testing.assert_allclose(grads[k], num[k], rtol=1e-6, atol=1e-10)


def test_weight_sharing_accumulates_and_is_named_once():
    shared = L.Dense(3, 3)
    net = Sequential(
        [shared, L.Activation("tanh"), shared, L.Activation("sigmoid"), L.Dense(3, 2)],
        seed=0,
        dtype="float64",
    )
    assert list(net.parameters()) == ["0.W", "0.b", "4.W", "4.b"]
    x, t = _rng().standard_normal((4, 3)), np.array([0, 1, 1, 0])
    check_network(net, x, t)
    # the sum of the two uses, computed by hand
    W, b = shared.params["W"], shared.params["b"]
    h1 = x @ W + b
    a1 = np.tanh(h1)
    h2 = a1 @ W + b
    a2 = 1 / (1 + np.exp(-h2))
    W4, b4 = net.layers[4].params["W"], net.layers[4].params["b"]
    z = a2 @ W4 + b4
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    dz = (p - np.eye(2)[t]) / 4
    dh2 = (dz @ W4.T) * a2 * (1 - a2)
    dh1 = (dh2 @ W.T) * (1 - a1**2)
    g = net.gradient(x, t)
    np.testing.assert_allclose(g["0.W"], a1.T @ dh2 + x.T @ dh1, rtol=1e-12)
    np.testing.assert_allclose(g["0.b"], dh2.sum(0) + dh1.sum(0), rtol=1e-12)
    assert net.num_params() == 12 + 8


def test_one_sgd_step_by_hand():
    """A 2-2-1 ReLU network, one sample, half squared error, one SGD step (lr = 0.1).

    x = [1, 2], t = [1]
    W1 = [[0.1, 0.2], [0.3, -0.4]], b1 = [0.1, 0.1], W2 = [[0.5], [0.6]], b2 = [0.2]
    Forward:
      a1 = x W1 + b1 = [1*0.1 + 2*0.3 + 0.1, 1*0.2 + 2*(-0.4) + 0.1] = [0.8, -0.5]
      h  = relu(a1) = [0.8, 0]
      y  = h W2 + b2 = 0.8*0.5 + 0*0.6 + 0.2 = 0.6
      E  = 0.5 * (y - t)^2 = 0.5 * 0.16 = 0.08
    Backward:
      dy  = y - t = -0.4
      dW2 = h^T dy = [[0.8 * -0.4], [0 * -0.4]] = [[-0.32], [0]],  db2 = [-0.4]
      dh  = dy W2^T = [-0.2, -0.24]
      da1 = dh * (a1 > 0) = [-0.2, 0]
      dW1 = x^T da1 = [[-0.2, 0], [-0.4, 0]],  db1 = [-0.2, 0]
    Update w <- w - 0.1 dw:
      W1 = [[0.12, 0.2], [0.34, -0.4]], b1 = [0.12, 0.1], W2 = [[0.532], [0.6]], b2 = [0.24]
    After the step:
      a1 = [0.12 + 0.68 + 0.12, 0.2 - 0.8 + 0.1] = [0.92, -0.5], y = 0.92*0.532 + 0.24 = 0.72944
      E  = 0.5 * (0.72944 - 1)^2 = 0.5 * 0.0732027136 = 0.0366013568
    """
    from nnscratch.training.optimizers import SGD

    net = Sequential(
        [
            L.Dense.from_weights([[0.1, 0.2], [0.3, -0.4]], [0.1, 0.1]),
            L.Activation("relu"),
            L.Dense.from_weights([[0.5], [0.6]], [0.2]),
        ],
        loss="sum_squared_error",
        dtype="float64",
    )
    x, t = np.array([[1.0, 2.0]]), np.array([[1.0]])
    loss, grads = net.value_and_grad(x, t)
    assert loss == pytest.approx(0.08, abs=1e-15)
    np.testing.assert_allclose(grads["2.W"], [[-0.32], [0.0]], atol=1e-15)
    np.testing.assert_allclose(grads["2.b"], [-0.4], atol=1e-15)
    np.testing.assert_allclose(grads["0.W"], [[-0.2, 0.0], [-0.4, 0.0]], atol=1e-15)
    np.testing.assert_allclose(grads["0.b"], [-0.2, 0.0], atol=1e-15)
    SGD(lr=0.1).step(net.parameters(), grads)
    p = net.parameters()
    np.testing.assert_allclose(p["0.W"], [[0.12, 0.2], [0.34, -0.4]], atol=1e-15)
    np.testing.assert_allclose(p["0.b"], [0.12, 0.1], atol=1e-15)
    np.testing.assert_allclose(p["2.W"], [[0.532], [0.6]], atol=1e-15)
    np.testing.assert_allclose(p["2.b"], [0.24], atol=1e-15)
    assert net.predict(x)[0, 0] == pytest.approx(0.72944, abs=1e-14)
    assert net.loss(x, t) == pytest.approx(0.0366013568, abs=1e-14)


BOOK_W = {
    "0.W": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]],
    "0.b": [0.1, 0.2, 0.3],
    "2.W": [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]],
    "2.b": [0.1, 0.2],
    "4.W": [[0.1, 0.3], [0.2, 0.4]],
    "4.b": [0.1, 0.2],
}


def _book_net(dtype="float64"):
    return Sequential(
        [
            L.Dense(2, 3),
            L.Activation("sigmoid"),
            L.Dense(3, 2),
            L.Activation("sigmoid"),
            L.Dense(2, 2),
        ],
        loss="mean_squared_error",  # identity output, as the book's identity_function
        dtype=dtype,
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_books_three_layer_network(dtype):
    # Saitoh, "Deep Learning from Scratch", 3.4.3: forward(network, [1.0, 0.5])
    net = _book_net(dtype)
    net.set_parameters(BOOK_W)
    y = net.predict(np.array([1.0, 0.5]))
    assert y.shape == (2,) and y.dtype == np.dtype(dtype)
    atol = 5e-9 if dtype == "float64" else 1e-6  # the book prints 8 decimals
    np.testing.assert_allclose(y, [0.31682708, 0.69627909], rtol=0, atol=atol)
    np.testing.assert_array_equal(net.predict_proba(np.array([1.0, 0.5])), y)


def test_books_network_assigning_into_parameters_in_place():
    net = _book_net()
    for name, value in net.parameters().items():
        value[...] = BOOK_W[name]
    np.testing.assert_allclose(
        net.predict(np.array([[1.0, 0.5]])), [[0.31682708, 0.69627909]], rtol=0, atol=5e-9
    )


class _AppendMinusOne(L.Layer):
    """Test helper: append Zhou's dummy input, fixed at -1, to every sample."""

    def forward(self, x, training=False, *, slot=0):
        c = self._slot(slot)
        c.x = x
        c.y = np.concatenate([x, -np.ones((x.shape[0], 1), x.dtype)], axis=1)
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        return dout[:, :-1]

    def compute_output_shape(self, input_shape):
        return (input_shape[0] + 1,)


def test_zhou_thresholds_equal_biases():
    """Zhou, "Machine Learning", 5.1-5.3: y = f(sum_i w_i x_i - theta), where the threshold
    theta is the weight of a dummy input fixed at -1.0 (not -0.1). With theta = -b
    the network equals the one with biases, outputs and gradients alike."""
    bias_net = _book_net()
    bias_net.set_parameters(BOOK_W)
    thr_layers = []
    for i in (0, 2, 4):
        W, b = np.array(BOOK_W[f"{i}.W"]), np.array(BOOK_W[f"{i}.b"])
        theta = -b
        thr_layers += [
            _AppendMinusOne(dtype="float64"),
            L.Dense.from_weights(np.vstack([W, theta])),
        ]
        if i < 4:
            thr_layers.append(L.Activation("sigmoid", dtype="float64"))
    thr_net = Sequential(thr_layers, loss="mean_squared_error", dtype="float64")
    x = _rng().standard_normal((5, 2))
    t = _rng(1).standard_normal((5, 2))
    np.testing.assert_allclose(thr_net.predict(x), bias_net.predict(x), rtol=1e-14)
    y = thr_net.predict([[1.0, 0.5]])
    np.testing.assert_allclose(y, [[0.31682708, 0.69627909]], rtol=0, atol=5e-9)
    gb, gt = bias_net.gradient(x, t), thr_net.gradient(x, t)
    for i, j in ((0, 1), (2, 4), (4, 7)):
        np.testing.assert_allclose(gt[f"{j}.W"][:-1], gb[f"{i}.W"], rtol=1e-12)
        # d/dtheta = d/db * db/dtheta = -dL/db
        np.testing.assert_allclose(gt[f"{j}.W"][-1], -gb[f"{i}.b"], rtol=1e-12)


def test_predict_one_sample_and_batch_and_fresh_arrays():
    net = Sequential([L.Dense(784, 50), L.Activation("relu"), L.Dense(50, 10)], seed=0)
    x = _rng().random((3, 784), dtype=np.float32)
    one = net.predict(x[0])
    batch = net.predict(x)
    assert one.shape == (10,) and batch.shape == (3, 10) and batch.dtype == np.float32
    np.testing.assert_allclose(one, batch[0], rtol=1e-5, atol=1e-6)
    again = net.predict(x[::-1])
    assert not np.shares_memory(batch, again)
    np.testing.assert_allclose(again[2], batch[0], rtol=1e-5, atol=1e-6)
    p = net.predict_proba(x)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize(
    ("loss", "out"),
    [
        ("softmax_cross_entropy", lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True)),
        ("sigmoid_binary_cross_entropy", lambda z: 1 / (1 + np.exp(-z))),
        ("mean_squared_error", lambda z: z),
    ],
)
def test_predict_proba_one_sample_and_batch_are_fresh_arrays(loss, out):
    net = Sequential(
        [L.Dense(6, 5), L.Activation("sigmoid"), L.Dense(5, 3)], loss=loss, seed=0, dtype="float64"
    )
    x = _rng().standard_normal((4, 6))
    expected = out(net.predict(x))
    batch = net.predict_proba(x)
    one = net.predict_proba(x[1])
    assert batch.shape == (4, 3) and one.shape == (3,) and one.dtype == np.float64
    np.testing.assert_allclose(batch, expected, rtol=1e-12)
    np.testing.assert_allclose(one, expected[1], rtol=1e-12)
    kept = batch.copy(), one.copy()
    net.predict_proba(-x)  # overwrites the layers' buffers, not what was returned
    net.predict_proba(-x[1])
    np.testing.assert_array_equal(batch, kept[0])
    np.testing.assert_array_equal(one, kept[1])
    assert net.predict_proba(list(x[1])).shape == (3,)  # a list is taken too
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 6\), got \(N, 5\)"):
        net.predict_proba(x[1, :5])


def test_input_shape_errors_name_the_expected_shape():
    net = Sequential([L.Dense(784, 50), L.Activation("relu"), L.Dense(50, 10)], seed=0)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 784\), got \(N, 783\)"):
        net.predict(np.zeros((2, 783)))
    with pytest.raises(ValueError, match=r"\(N, 784\), got \(2, 28, 28\)"):
        net.predict(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"\(N, 784\)"):
        net.gradient(np.zeros((2, 783), np.float32), np.array([0, 1]))
    with pytest.raises(ValueError, match="layers"):
        Sequential([])


def test_float64_input_is_cast_once_at_the_entry():
    net = Sequential([L.Dense(4, 3), L.Activation("relu"), L.Dense(3, 2)], seed=0)
    x = _rng().standard_normal((5, 4))  # float64
    _, g = net.value_and_grad(x, np.array([0, 1, 0, 1, 1]))
    assert all(v.dtype == np.float32 for v in g.values())
    assert net.layers[0]._slots[0].x.dtype == np.float32  # the first layer saw float32
    assert net.predict(x).dtype == np.float32


def test_seed_fixes_the_whole_network_and_none_keeps_layer_init():
    def make(seed):
        return Sequential(
            [L.Dense(4, 3), L.Dropout(0.5), L.Dense(3, 2, seed=5)], seed=seed, dtype="float64"
        )

    a, b, c = make(1), make(1), make(2)
    x, t = np.ones((4, 4)), np.array([0, 1, 0, 1])
    for k in a.parameters():
        np.testing.assert_array_equal(a.parameters()[k], b.parameters()[k])
    assert not np.array_equal(a.parameters()["0.W"], c.parameters()["0.W"])
    np.testing.assert_array_equal(a.gradient(x, t)["0.W"], b.gradient(x, t)["0.W"])
    d = Sequential([L.Dense(3, 2, seed=5)], dtype="float64")
    e = L.Dense(3, 2, seed=5)  # drawn in float32, then cast by the network
    np.testing.assert_array_equal(d.parameters()["0.W"], e.params["W"].astype(np.float64))


def test_gradient_returns_live_arrays_overwritten_next_call():
    net = Sequential([L.Dense(3, 2)], loss="sum_squared_error", seed=0, dtype="float64")
    net.set_parameters({"0.W": np.zeros((3, 2)), "0.b": np.zeros(2)})
    t = np.array([[1.0, -1.0], [1.0, -1.0]])
    g1 = net.gradient(np.ones((2, 3)), t)["0.W"]
    first = g1.copy()  # y = 0, so dW = x^T (0 - t) / 2 = -t^T x / 2: linear in x
    np.testing.assert_allclose(first, [[-1.0, 1.0]] * 3)
    g2 = net.gradient(2 * np.ones((2, 3)), t)["0.W"]
    assert g1 is g2
    np.testing.assert_allclose(g2, 2 * first)


def test_last_output_is_the_heads_input_of_the_latest_step():
    net = Sequential([L.Dense(4, 3), L.Activation("tanh"), L.Dense(3, 2)], seed=0)
    assert net.last_output is None
    x = _rng().standard_normal((5, 4)).astype(np.float32)
    t = np.array([0, 1, 0, 1, 1])
    loss, _ = net.value_and_grad(x, t)
    first = net.last_output
    np.testing.assert_allclose(first, net.predict(x), rtol=1e-6)  # logits, not probabilities
    assert loss == pytest.approx(net.head.forward(first.copy(), t), rel=1e-6)
    before = first.copy()
    net.value_and_grad(2 * x, t)
    assert net.last_output is first  # the last layer's buffer, no copy ...
    assert not np.array_equal(first, before)  # ... overwritten by the next call
    np.testing.assert_allclose(net.last_output, net.predict(2 * x), rtol=1e-6)


def test_generators_are_named_by_layer_index_once_per_shared_layer():
    def make():
        drop = L.Dropout(0.2)
        layers = [L.Dense(3, 3), drop, L.Dense(3, 3), L.Dropout(0.1), drop, L.Dense(3, 2)]
        return Sequential(layers, seed=0)

    net = make()
    gens = net.generators()
    assert list(gens) == ["1.rng", "3.rng"]
    assert gens["1.rng"] is net.layers[1].generators()["rng"]
    assert gens["3.rng"] is net.layers[3].generators()["rng"]
    assert Sequential([L.Dense(2, 2)]).generators() == {}
    # the network's seed fixes its dropout generators too
    twin = make().generators()
    assert [g.random() for g in twin.values()] == [g.random() for g in gens.values()]


def test_accuracy_labels_and_one_hot():
    net = Sequential([L.Dense.from_weights(np.eye(3))], dtype="float64")
    x = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]])
    assert net.accuracy(x, np.array([0, 1, 2, 2])) == 0.75
    assert net.accuracy(x, np.eye(3)[[0, 1, 2, 2]]) == 0.75
    sig = Sequential([L.Dense.from_weights([[1.0]])], loss="sigmoid_binary_cross_entropy")
    assert sig.accuracy(np.array([[2.0], [-1.0], [3.0]]), np.array([[1.0], [0.0], [0.0]])) == 2 / 3


def test_config_round_trip_with_shared_layer():
    shared = L.Dense(3, 3)
    net = Sequential(
        [shared, L.Activation("tanh"), shared, L.BatchNorm(3), L.Dropout(0.1), L.Dense(3, 2)],
        loss={"class_name": "softmax_cross_entropy", "config": {"label_smoothing": 0.1}},
        seed=4,
    )
    cfg = json.loads(json.dumps(net.get_config()))
    again = Sequential.from_config(cfg)
    assert again.layers[0] is again.layers[2]
    assert list(again.parameters()) == list(net.parameters())
    again.set_parameters(net.parameters())
    x = _rng().standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x), net.predict(x))
    assert again.head.loss == net.head.loss
    assert again.get_config() == cfg


def test_set_parameters_checks_names_and_shapes():
    net = Sequential([L.Dense(2, 2)], seed=0)
    with pytest.raises(ValueError, match="unknown names"):
        net.set_parameters({"0.W": np.zeros((2, 2)), "0.b": np.zeros(2), "9.W": 1})
    with pytest.raises(ValueError, match="missing"):
        net.set_parameters({"0.W": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"expected shape \(2, 2\)"):
        net.set_parameters({"0.W": np.zeros((3, 2)), "0.b": np.zeros(2)})


def test_summary_and_repr():
    net = Sequential([L.Dense(784, 50), L.Activation("relu"), L.Dense(50, 10)], seed=0)
    text = net.summary()
    assert "Dense(784 -> 50)" in text and "(N, 50)" in text and "(N, 10)" in text
    assert "39,250" in text and "510" in text and "total params: 39,760" in text
    assert repr(net).startswith("Sequential([Dense(784 -> 50), Activation('relu')")


def test_training_reduces_the_loss_on_xor():
    from nnscratch.training.optimizers import SGD

    x = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    t = np.array([0, 1, 1, 0])
    net = Sequential([L.Dense(2, 8), L.Activation("tanh"), L.Dense(8, 2)], seed=0, dtype="float64")
    opt = SGD(lr=0.5)
    first = net.loss(x, t)
    for _ in range(500):
        opt.step(net.parameters(), net.gradient(x, t))
    assert net.loss(x, t) < 0.05 < first
    assert net.accuracy(x, t) == 1.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_pytorch(dtype):
    torch = pytest.importorskip("torch")
    net = Sequential([L.Dense(5, 4), L.Activation("relu"), L.Dense(4, 3)], seed=0, dtype=dtype)
    x = _rng().standard_normal((6, 5)).astype(dtype)
    t = np.array([0, 1, 2, 0, 1, 2])
    loss, grads = net.value_and_grad(x, t)
    p = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in net.parameters().items()}
    h = torch.relu(torch.tensor(x) @ p["0.W"] + p["0.b"])
    z = h @ p["2.W"] + p["2.b"]
    ref = torch.nn.functional.cross_entropy(z, torch.tensor(t))
    ref.backward()
    rtol = 1e-5 if dtype == "float32" else 1e-12
    assert loss == pytest.approx(ref.item(), rel=rtol)
    for k in grads:
        np.testing.assert_allclose(grads[k], p[k].grad.numpy(), rtol=rtol, atol=rtol * 1e-2)


def test_set_parameters_validates_everything_before_copying():
    net = Sequential([L.Dense(2, 2), L.Dense(2, 2)], seed=0)
    before = {k: v.copy() for k, v in net.parameters().items()}
    good = {k: np.full(v.shape, 7.0) for k, v in before.items()}
    # "0.W", "0.b" and "1.W" are fine; the last one cannot be cast to float32.
    for bad in (np.ones(2, np.complex128), np.array(["a", "b"]), np.array([object(), 1])):
        with pytest.raises(TypeError, match=r"values\['1.b'\].*float32"):
            net.set_parameters({**good, "1.b": bad})
        for k, v in net.parameters().items():
            np.testing.assert_array_equal(v, before[k], err_msg=k)
    # Python floats and ints are accepted (same kind or safe casts).
    net.set_parameters({**good, "1.b": [1, 2]})
    np.testing.assert_array_equal(net.parameters()["1.b"], np.array([1, 2], np.float32))
    np.testing.assert_array_equal(net.parameters()["0.W"], np.full((2, 2), 7, np.float32))

"""Convolutional layers: gradients, PyTorch, float32, configs, saving, sharing."""

import numpy as np
import pytest

import nnscratch as nn
from nnscratch import layers
from nnscratch.numerical import gradient_check


def small_convnet(dtype="float64", seed=0):
    return nn.Sequential(
        [
            nn.Reshape((2, 7, 7)),
            nn.Conv2D(2, 3, 3, padding=1),
            nn.Activation("tanh"),
            nn.MaxPool2D(2, stride=1),
            nn.Conv2D(3, 4, (3, 2), stride=2),
            nn.Activation("relu"),
            nn.AvgPool2D(2, stride=1),
            nn.Conv2D(4, 5, 1),
            nn.GlobalAvgPool2D(),
            nn.Dense(5, 3),
        ],
        seed=seed,
        dtype=dtype,
    )


def test_small_convnet_gradient_check_end_to_end():
    net = small_convnet()
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((4, 98)), np.array([0, 2, 1, 2])
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    numeric = net.numerical_gradient(x, t, h=1e-5)
    assert set(grads) == {"1.W", "1.b", "4.W", "4.b", "7.W", "7.b", "9.W", "9.b"}
    for k in grads:
        scale = np.abs(grads[k]).max()
        err = np.abs(grads[k] - numeric[k]).max() / scale
        assert err < 1e-6, (k, err)


@pytest.mark.parametrize(
    "layer",
    [
        lambda: nn.Conv2D(3, 4, 3, stride=2, padding=1, dtype="float64", seed=1),
        lambda: nn.MaxPool2D(3, stride=2, padding=1, dtype="float64"),
        lambda: nn.AvgPool2D((2, 3), stride=1, dtype="float64"),
        lambda: nn.GlobalAvgPool2D(dtype="float64"),
    ],
)
def test_input_gradient_of_each_layer(layer):
    layer = layer()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 8))
    y = layer.forward(x, True)
    r = rng.standard_normal(y.shape)
    dx = layer.backward(r).copy()
    err = gradient_check(lambda _: float(np.sum(layer.forward(x, True) * r)), x, dx)
    assert err < 1e-7


def test_conv2d_layer_equals_torch_in_float32():
    torch = pytest.importorskip("torch")
    layer = nn.Conv2D(3, 5, 3, stride=2, padding=1, seed=2)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 9, 9)).astype(np.float32)
    y = layer.forward(x, True)
    r = rng.standard_normal(y.shape).astype(np.float32)
    dx = layer.backward(r)
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(layer.params["W"], requires_grad=True)
    bt = torch.tensor(layer.params["b"], requires_grad=True)
    yt = torch.nn.functional.conv2d(xt, Wt, bt, stride=2, padding=1)
    yt.backward(torch.tensor(r))
    assert y.dtype == dx.dtype == layer.grads["W"].dtype == np.float32
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.grads["W"], Wt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.grads["b"], bt.grad.numpy(), rtol=1e-5, atol=1e-4)


def test_he_init_and_shapes():
    layer = nn.Conv2D(8, 64, 3, seed=0)
    W = layer.params["W"]
    assert W.shape == (64, 8, 3, 3) and W.dtype == np.float32
    assert np.std(W) == pytest.approx(np.sqrt(2 / 72), rel=0.05)  # He: var 2 / (C*KH*KW)
    assert np.all(layer.params["b"] == 0)
    assert layer.compute_output_shape((8, 28, 28)) == (64, 26, 26)
    assert nn.MaxPool2D(2).compute_output_shape((64, 26, 26)) == (64, 13, 13)
    assert "b" not in nn.Conv2D(1, 2, 3, use_bias=False).params


def test_bad_arguments_and_input():
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2D(1, 2, 0)
    with pytest.raises(ValueError, match="stride"):
        nn.Conv2D(1, 2, 3, stride=0)
    with pytest.raises(ValueError, match="padding"):
        nn.MaxPool2D(2, padding=2)
    with pytest.raises(ValueError, match=r"shape \(N, 3, H, W\)"):
        nn.Conv2D(3, 2, 3).forward(np.zeros((2, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"shape \(N, C, H, W\)"):
        nn.MaxPool2D(2).forward(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="kernel"):
        nn.Conv2D(1, 2, 5).forward(np.zeros((1, 1, 3, 3)))


def test_configs_round_trip_and_registry():
    for layer in small_convnet().layers:
        again = layers.deserialize(layers.serialize(layer))
        assert type(again) is type(layer) and again.get_config() == layer.get_config()
    assert {"Conv2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "Reshape"} <= set(layers.names())


def test_save_and_load(tmp_path):
    net = small_convnet("float32", seed=3)
    x = np.random.default_rng(3).standard_normal((5, 98)).astype(np.float32)
    nn.save(net, tmp_path / "cnn.safetensors")
    again = nn.load(tmp_path / "cnn.safetensors")
    np.testing.assert_array_equal(again.predict(x), net.predict(x))
    assert again.predict(x[0]).shape == (3,)  # one flat sample


def test_shared_conv_layer_gets_the_sum_of_both_gradients():
    conv = nn.Conv2D(2, 2, 3, padding=1, dtype="float64")
    net = nn.Sequential(
        [nn.Reshape((2, 4, 4)), conv, nn.Activation("tanh"), conv, nn.Flatten(), nn.Dense(32, 2)],
        seed=4,
        dtype="float64",
    )
    x, t = np.random.default_rng(4).standard_normal((3, 32)), np.array([0, 1, 1])
    g = {k: v.copy() for k, v in net.gradient(x, t).items()}
    num = net.numerical_gradient(x, t, h=1e-5)
    for k in g:
        np.testing.assert_allclose(g[k], num[k], rtol=1e-6, atol=1e-8)


def test_training_a_few_steps_lowers_the_loss():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((64, 1, 8, 8)).astype(np.float32)
    t = (x[:, 0, :4].sum(axis=(1, 2)) > x[:, 0, 4:].sum(axis=(1, 2))).astype(int)
    net = nn.Sequential(
        [nn.Conv2D(1, 4, 3), nn.Activation("relu"), nn.MaxPool2D(2), nn.Flatten(), nn.Dense(36, 2)],
        seed=5,
    )
    before = net.loss(x, t)
    nn.fit(net, x, t, optimizer=nn.optimizers.Adam(1e-2), epochs=20, batch_size=16, verbose=0)
    assert net.loss(x, t) < 0.5 * before

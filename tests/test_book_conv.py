"""The book's convolutional names: shapes and numbers of chapter 7, gradients, PyTorch."""

# ruff: noqa: NPY002  (the book's classes draw their weights from np.random)

import pickle

import numpy as np
import pytest

from nnscratch import functional_conv as F
from nnscratch.book import conv as B


def test_im2col_shapes_of_the_book():
    # 7.4.3: x1 (1, 3, 7, 7) -> (9, 75); x2 (10, 3, 7, 7) -> (90, 75)
    assert B.im2col(np.random.rand(1, 3, 7, 7), 5, 5, stride=1, pad=0).shape == (9, 75)
    assert B.im2col(np.random.rand(10, 3, 7, 7), 5, 5, stride=1, pad=0).shape == (90, 75)


def test_convolution_layer_equals_functional_and_gradients():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    x = rng.standard_normal((2, 3, 7, 6))
    conv = B.Convolution(W, b, stride=2, pad=1)
    y = conv.forward(x)
    np.testing.assert_allclose(y, F.conv2d_forward(x, W, b, 2, 1)[0], rtol=1e-12, atol=1e-12)
    r = rng.standard_normal(y.shape)
    dx = conv.backward(r)
    _, col = F.conv2d_forward(x, W, b, 2, 1)
    dx2, dW2, db2 = F.conv2d_backward(r, col, W, x.shape, 2, 1)
    for a, e in ((dx, dx2), (conv.dW, dW2), (conv.db, db2)):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)


def test_pooling_pads_with_zero_as_the_book():
    x = -np.ones((1, 1, 2, 2))
    y = B.Pooling(2, 2, stride=2, pad=1).forward(x)
    np.testing.assert_array_equal(y, np.zeros((1, 1, 2, 2)))  # the padding's 0 beats -1
    pool = B.Pooling(2, 2, stride=2)
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])
    pool.forward(x)
    np.testing.assert_array_equal(pool.backward(np.ones((1, 1, 1, 1)))[0, 0], [[0, 1], [0, 0]])


def test_simple_convnet_gradient_matches_numerical():
    np.random.seed(0)
    net = B.SimpleConvNet(
        input_dim=(1, 10, 10),
        conv_param={"filter_num": 3, "filter_size": 3},
        hidden_size=5,
        output_size=3,
        weight_init_std=0.3,
    )
    x, t = np.random.rand(3, 1, 10, 10), np.array([0, 2, 1])
    grads = net.gradient(x, t)
    from nnscratch.numerical import numerical_gradient

    for key, p in net.params.items():
        num = numerical_gradient(lambda _: net.loss(x, t), p)
        np.testing.assert_allclose(grads[key], num, rtol=1e-5, atol=1e-7, err_msg=key)
    assert set(grads) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert net.params["W2"].shape == (3 * 4 * 4, 5)


def test_deep_convnet_shapes_and_a_step():
    np.random.seed(1)
    net = B.DeepConvNet()
    x, t = np.random.rand(2, 1, 28, 28), np.array([3, 7])
    assert net.predict(x).shape == (2, 10)
    grads = net.gradient(x, t)
    assert {k: v.shape for k, v in grads.items()} == {k: v.shape for k, v in net.params.items()}
    assert net.params["W7"].shape == (64 * 4 * 4, 50)
    assert 0.0 <= net.accuracy(x, t) <= 1.0


def test_book_pooling_equals_torch_without_padding():
    torch = pytest.importorskip("torch")
    x = np.round(np.random.default_rng(2).standard_normal((2, 3, 9, 8)))  # ties
    pool = B.Pooling(3, 2, stride=2)
    y = pool.forward(x)
    r = np.random.default_rng(3).standard_normal(y.shape)
    dx = pool.backward(r)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, (3, 2), stride=2)
    yt.backward(torch.tensor(r))
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_simple_convnet_layers_are_the_books_ordered_dict():
    np.random.seed(0)
    net = B.SimpleConvNet()
    assert list(net.layers) == ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]
    assert net.layers["Conv1"].W is net.params["W1"]


def test_simple_convnet_numerical_gradient_method_agrees():
    np.random.seed(3)
    net = B.SimpleConvNet(
        input_dim=(1, 8, 8),
        conv_param={"filter_num": 2, "filter_size": 3},
        hidden_size=4,
        output_size=3,
        weight_init_std=0.3,
    )
    x, t = np.random.rand(2, 1, 8, 8), np.array([2, 0])
    num, grads = net.numerical_gradient(x, t), net.gradient(x, t)
    assert set(num) == set(net.params)
    for key in num:
        np.testing.assert_allclose(grads[key], num[key], rtol=1e-5, atol=1e-8, err_msg=key)


@pytest.mark.parametrize("cls", [B.SimpleConvNet, B.DeepConvNet])
def test_save_params_then_load_params_restores_the_values(tmp_path, cls):
    np.random.seed(0)
    net = cls()
    net.save_params(tmp_path / "params.pkl")
    saved = {k: v.copy() for k, v in net.params.items()}
    np.random.seed(1)
    other = cls()
    x = np.random.rand(2, 1, 28, 28)
    other.load_params(tmp_path / "params.pkl")
    for key, value in saved.items():
        np.testing.assert_array_equal(other.params[key], value)
    np.testing.assert_array_equal(other.predict(x), net.predict(x))  # the layers see them
    # the book's own loader reads what we write: a pickle of a dict of arrays
    with open(tmp_path / "params.pkl", "rb") as f:
        assert set(pickle.load(f)) == set(saved)  # our own file, just written


def test_load_params_refuses_code_and_wrong_shapes(tmp_path):
    from nnscratch.io import ModelFileError

    np.random.seed(0)
    net = B.SimpleConvNet()
    before = net.params["W1"].copy()
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(b"cposix\nsystem\n(S'echo pwned'\ntR.")
    with pytest.raises(ModelFileError, match=r"posix\.system"):
        net.load_params(evil)
    small = tmp_path / "small.pkl"
    small.write_bytes(pickle.dumps({**net.params, "W1": np.zeros((3, 1, 5, 5))}))
    with pytest.raises(ModelFileError, match=r"W1: expected an array of shape \(30, 1, 5, 5\)"):
        net.load_params(small)
    nan = tmp_path / "nan.pkl"
    nan.write_bytes(pickle.dumps({**net.params, "b3": np.full(10, np.nan)}))
    with pytest.raises(ModelFileError, match="NaN"):
        net.load_params(nan)
    np.testing.assert_array_equal(net.params["W1"], before)

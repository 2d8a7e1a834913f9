"""nnscratch.functional: one sigmoid, one softmax, one log-softmax for the whole library."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import activations, losses
from nnscratch import functional as F
from nnscratch.layers import Activation, Dense, SigmoidWithLoss, SoftmaxWithLoss
from nnscratch.numerical import numerical_gradient


@pytest.fixture(params=["float32", "float64"])
def logits(request):
    rng = np.random.default_rng(0)
    z = rng.normal(scale=30.0, size=(8, 5)).astype(request.param)
    z[0] = [1010, 1000, 990, -1e4, 0]  # the book's overflow example, and a far tail
    return z


def test_softmax_is_the_same_bits_in_activations_layers_and_heads(logits):
    ref = F.softmax(logits)
    np.testing.assert_array_equal(activations.softmax(logits), ref)
    np.testing.assert_array_equal(Activation("softmax", dtype=logits.dtype).forward(logits), ref)
    np.testing.assert_array_equal(SoftmaxWithLoss().predict(logits), ref)
    # the loss is -log_softmax at the label, from the same log-softmax
    lab = np.zeros(len(logits), np.intp)
    want = -np.mean(F.log_softmax(logits)[:, 0])
    assert losses.softmax_cross_entropy(logits, lab) == pytest.approx(float(want), rel=1e-12)


def test_log_softmax_is_the_same_bits_in_activations(logits):
    np.testing.assert_array_equal(activations.log_softmax(logits), F.log_softmax(logits))


def test_sigmoid_is_the_same_bits_in_activations_layers_heads_and_losses(logits):
    ref = F.sigmoid(logits)
    np.testing.assert_array_equal(activations.sigmoid(logits), ref)
    np.testing.assert_array_equal(Activation("sigmoid", dtype=logits.dtype).forward(logits), ref)
    np.testing.assert_array_equal(SigmoidWithLoss().predict(logits), ref)
    # dL/dz = (sigmoid(z) - t) / z.size; z.size = 40 = 8 * 5, so scale by a power of two only
    z = logits[:, :4]  # 32 entries: dividing by 32 and multiplying back is exact
    grad = losses.sigmoid_binary_cross_entropy_grad(z, np.zeros(z.shape, z.dtype))
    np.testing.assert_array_equal(grad * z.size, F.sigmoid(z))


def test_sigmoid_never_overflows_and_keeps_dtype():
    x = np.array([-1000.0, 0.0, 1000.0], np.float32)
    y = F.sigmoid(x)  # pytest turns any overflow warning into an error
    np.testing.assert_array_equal(y, [0.0, 0.5, 1.0])
    assert y.dtype == np.float32


def test_out_buffers_are_used():
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    out = np.empty_like(x)
    assert F.softmax(x, out=out) is out
    assert F.sigmoid(x, out=x.copy()) is not None
    W, b = np.ones((4, 2)), np.arange(2.0)
    y = np.empty((3, 2))
    assert F.dense_forward(x, W, b, out=y) is y
    np.testing.assert_array_equal(y, x @ W + b)


def test_dense_backward_is_the_books_formula_and_skips_what_is_false():
    rng = np.random.default_rng(1)
    x, W, dout = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    dx, dW, db = F.dense_backward(x, W, dout)
    np.testing.assert_allclose(dW, x.T @ dout)
    np.testing.assert_allclose(db, dout.sum(axis=0))
    np.testing.assert_allclose(dx, dout @ W.T)
    assert F.dense_backward(x, W, dout, dx=False, db=False)[::2] == (None, None)


@pytest.mark.parametrize(
    "name", ["prelu", "maxout", "batchnorm_train", "batchnorm_infer", "dropout"]
)
def test_backward_functions_match_numerical_gradients(name):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 6))
    dout = rng.normal(size=(4, 6) if name != "maxout" else (4, 3))
    if name == "prelu":
        alpha = rng.uniform(0.1, 0.5, 6)
        dx, dalpha = F.prelu_backward(x, alpha, dout)
        fx = lambda _: float(np.sum(F.prelu_forward(x, alpha) * dout))  # noqa: E731
        np.testing.assert_allclose(dalpha, numerical_gradient(fx, alpha, 1e-6), atol=1e-7)
    elif name == "maxout":
        W, b = rng.normal(size=(6, 6)), rng.normal(size=6)
        _, idx = F.maxout_forward(x, W, b, 2)
        dx, dW, db = F.maxout_backward(x, W, idx, dout)
        fw = lambda _: float(np.sum(F.maxout_forward(x, W, b, 2)[0] * dout))  # noqa: E731
        np.testing.assert_allclose(dW, numerical_gradient(fw, W, 1e-6), atol=1e-6)
        np.testing.assert_allclose(db, numerical_gradient(fw, b, 1e-6), atol=1e-6)
        fx = fw
    elif name.startswith("batchnorm"):
        gamma, beta = rng.uniform(0.5, 2, 6), rng.normal(size=6)
        train = name == "batchnorm_train"
        mu0, var0 = rng.normal(size=6), rng.uniform(0.5, 2, 6)

        def stats():
            return (x.mean(0), x.var(0)) if train else (mu0, var0)

        _, xn, std = F.batchnorm_forward(x, gamma, beta, *stats(), 1e-5)
        dx, dgamma, dbeta = F.batchnorm_backward(xn, std, gamma, dout, batch_stats=train)
        fx = lambda _: float(  # noqa: E731
            np.sum(F.batchnorm_forward(x, gamma, beta, *stats(), 1e-5)[0] * dout)
        )
        np.testing.assert_allclose(dgamma, numerical_gradient(fx, gamma, 1e-6), atol=1e-6)
        np.testing.assert_allclose(dbeta, numerical_gradient(fx, beta, 1e-6), atol=1e-6)
    else:
        mask = F.dropout_mask(rng.random((4, 6)), 0.5)
        assert set(np.unique(mask)) <= {0.0, 2.0}
        dx = F.dropout_backward(mask, dout)
        fx = lambda _: float(np.sum(F.dropout_forward(x, mask) * dout))  # noqa: E731
    np.testing.assert_allclose(dx, numerical_gradient(fx, x, 1e-6), atol=1e-6)


def test_dense_layer_calls_the_functional_formula():
    layer = Dense(3, 2, seed=0, dtype="float64")
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(
        layer.forward(x), F.dense_forward(x, layer.params["W"], layer.params["b"])
    )

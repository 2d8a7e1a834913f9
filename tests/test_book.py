"""nnscratch.book: the book's names give the values the book prints.

Every expected number below is printed in Saitoh, "Deep Learning from
Scratch" (chapters 3 and 4), or follows from its formulas by hand.
"""

# ruff: noqa: NPY002  (the book's names draw from the global np.random; so do these checks)

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import book

# simpleNet (4.4.2) with a fixed W (the project's worked example) and the book's x.
BOOK_W = [[-0.48896906, -0.43767281, 0.94069236], [1.56181584, -0.6269286, -2.09184833]]
BOOK_X = np.array([0.6, 0.9])


# ------------------------------------------------------------------ chapter 3


def test_step_function():
    y = book.step_function(np.array([-1.0, 0.0, 1.0, 2.0]))
    np.testing.assert_array_equal(y, [0, 0, 1, 1])


def test_sigmoid_prints_the_books_values():
    y = book.sigmoid(np.array([-1.0, 1.0, 2.0]))
    np.testing.assert_allclose(y, [0.26894142, 0.73105858, 0.88079708], rtol=0, atol=5e-9)


def test_sigmoid_is_half_at_zero_and_never_overflows():
    np.testing.assert_allclose(book.sigmoid(np.array([0.0])), [0.5])
    assert book.sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]  # no overflow


def test_relu_and_identity():
    np.testing.assert_array_equal(book.relu(np.array([-1.0, 0.0, 2.5])), [0.0, 0.0, 2.5])
    x = np.array([0.3, -0.7])
    np.testing.assert_array_equal(book.identity_function(x), x)


def test_softmax_prints_the_books_values():
    # 3.5.1: softmax([0.3, 2.9, 4.0]) = [0.01821127, 0.24519181, 0.73659691], sum 1.
    y = book.softmax(np.array([0.3, 2.9, 4.0]))
    np.testing.assert_allclose(y, [0.01821127, 0.24519181, 0.73659691], rtol=0, atol=5e-9)
    assert y.sum() == pytest.approx(1.0, abs=1e-15)


def test_softmax_does_not_overflow_as_the_books_naive_form():
    # 3.5.2: the naive exp(a) / sum(exp(a)) gives [nan, nan, nan] for [1010, 1000, 990].
    y = book.softmax(np.array([1010.0, 1000.0, 990.0]))
    np.testing.assert_allclose(y, [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-7)


# ------------------------------------------------------------------ chapter 4: losses

T = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
Y_GOOD = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])  # "2" most likely
Y_BAD = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])  # "7" most likely


def test_mean_squared_error_is_the_books_half_sum():
    assert book.mean_squared_error(Y_GOOD, T) == pytest.approx(0.0975, abs=1e-12)
    assert book.mean_squared_error(Y_BAD, T) == pytest.approx(0.5975, abs=1e-12)


def test_cross_entropy_error_prints_the_books_values():
    assert book.cross_entropy_error(Y_GOOD, T) == pytest.approx(0.510825457, abs=1e-9)
    assert book.cross_entropy_error(Y_BAD, T) == pytest.approx(2.302584093, abs=1e-9)


def test_cross_entropy_error_takes_labels_and_batches():
    y = np.stack([Y_GOOD, Y_BAD])
    mean = (0.510825457 + 2.302584093) / 2
    assert book.cross_entropy_error(y, np.stack([T, T])) == pytest.approx(mean, abs=1e-9)
    assert book.cross_entropy_error(y, np.array([2, 2])) == pytest.approx(mean, abs=1e-9)


# ------------------------------------------------------------------ chapter 4: gradients


def _function_1(x):
    return 0.01 * x**2 + 0.1 * x


def _function_2(x):
    return x[0] ** 2 + x[1] ** 2


def test_numerical_diff_prints_the_books_values():
    # 4.3.2: the book prints exactly these two floats.
    assert book.numerical_diff(_function_1, 5) == 0.1999999999990898
    assert book.numerical_diff(_function_1, 10) == 0.2999999999986347


def test_numerical_gradient_of_the_books_function_2():
    # 4.4: the gradient of x0^2 + x1^2 at (3, 4), (0, 2), (3, 0) is (6, 8), (0, 4), (6, 0).
    for point, expected in (([3.0, 4.0], [6, 8]), ([0.0, 2.0], [0, 4]), ([3.0, 0.0], [6, 0])):
        x = np.array(point)
        np.testing.assert_allclose(book.numerical_gradient(_function_2, x), expected, atol=1e-7)
        np.testing.assert_array_equal(x, point)  # restored


def test_gradient_descent_returns_only_x_and_reaches_the_minimum():
    # 4.4.1: from (-3, 4), lr 0.1, 100 steps the book prints
    # [-6.11110793e-10, 8.14814391e-10]: each step multiplies x by (1 - 2 * 0.1) = 0.8.
    x = book.gradient_descent(_function_2, init_x=np.array([-3.0, 4.0]), lr=0.1, step_num=100)
    assert isinstance(x, np.ndarray)
    assert x.shape == (2,)
    np.testing.assert_allclose(x, [-6.11110793e-10, 8.14814391e-10], rtol=1e-6)
    np.testing.assert_allclose(x, np.array([-3.0, 4.0]) * 0.8**100, rtol=1e-6)


def test_gradient_descent_with_the_books_bad_learning_rates():
    # 4.4.1: lr = 10 diverges to huge values, lr = 1e-10 hardly moves.
    big = book.gradient_descent(_function_2, np.array([-3.0, 4.0]), lr=10.0, step_num=100)
    assert np.abs(big).max() > 1e10
    small = book.gradient_descent(_function_2, np.array([-3.0, 4.0]), lr=1e-10, step_num=100)
    np.testing.assert_allclose(small, [-3.0, 4.0], rtol=1e-7)


# ------------------------------------------------------------------ simpleNet


def test_simple_net_prints_the_books_values():
    # 4.4.2 as printed: the book's random W, x = [0.6, 0.9], t = [0, 0, 1].
    w = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
    net = book.simpleNet(W=w)
    p = net.predict(BOOK_X)
    np.testing.assert_allclose(p, [1.05414809, 0.63071653, 1.1328074], rtol=0, atol=1e-7)
    assert int(np.argmax(p)) == 2
    t = np.array([0, 0, 1])
    assert net.loss(BOOK_X, t) == pytest.approx(0.92806853663411326, abs=1e-6)
    d_w = book.numerical_gradient(lambda w: net.loss(BOOK_X, t), net.W)
    expected = [[0.21924763, 0.14356247, -0.36281009], [0.32887144, 0.2153437, -0.54421514]]
    # W is printed to 8 digits, so the book's own gradient is matched to 2e-7.
    np.testing.assert_allclose(d_w, expected, rtol=0, atol=2e-7)


def test_simple_net_fixed_w_values():
    net = book.simpleNet(W=BOOK_W)
    t = np.array([1, 0, 0])
    np.testing.assert_allclose(
        net.predict(BOOK_X), [1.11225282, -0.82683942, -1.31824808], rtol=0, atol=1e-7
    )
    assert net.loss(BOOK_X, t) == pytest.approx(0.2084985, abs=1e-6)


def test_simple_net_numerical_gradient():
    net = book.simpleNet(W=BOOK_W)
    t = np.array([1, 0, 0])
    d_w = book.numerical_gradient(lambda w: net.loss(BOOK_X, t), net.W)
    expected = [[-0.1129187, 0.07005907, 0.04285962], [-0.16937804, 0.10508861, 0.06428943]]
    np.testing.assert_allclose(d_w, expected, rtol=0, atol=1e-7)
    np.testing.assert_array_equal(net.W, BOOK_W)  # restored after the perturbations


def test_simple_net_is_seeded_and_checks_w():
    a, b = book.simpleNet(seed=3), book.simpleNet(seed=3)
    np.testing.assert_array_equal(a.W, b.W)
    assert a.W.shape == (2, 3)
    assert not np.array_equal(a.W, book.simpleNet(seed=4).W)
    with pytest.raises(ValueError, match=r"W: expected shape \(2, 3\)"):
        book.simpleNet(W=np.zeros((3, 2)))


# ------------------------------------------------------------------ img_show


def test_img_show_writes_the_png(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    img = (np.arange(28 * 28) % 256).reshape(28, 28)
    path = book.img_show(img, tmp_path / "digit.png")
    assert path == tmp_path / "digit.png"
    with pil.open(path) as im:
        assert im.size == (28, 28)
        assert im.mode == "L"
        np.testing.assert_array_equal(np.asarray(im), img)


def test_img_show_refuses_flat_and_out_of_range_images(tmp_path):
    with pytest.raises(ValueError, match="2-D"):
        book.img_show(np.zeros(784), tmp_path / "a.png")
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        book.img_show(np.full((28, 28), 300.0), tmp_path / "a.png")
    assert not list(tmp_path.iterdir())


# ------------------------------------------------ chapter 3: the book's predict loop


def test_predict_and_forward_agree_with_the_sequential_network(sample_weight_path):
    from nnscratch.io import from_book_weights

    network = book.init_network(sample_weight_path)
    x = np.random.default_rng(0).random((5, 784), dtype=np.float32)
    net = from_book_weights(network)
    p = book.predict(network, x)
    assert p.dtype == np.float32 and p.shape == (5, 10)
    np.testing.assert_allclose(p, net.predict_proba(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(book.predict(network, x[2]), p[2], rtol=1e-5, atol=1e-6)
    logits = from_book_weights(network, loss="mean_squared_error").predict(x)
    np.testing.assert_allclose(book.forward(network, x), logits, rtol=1e-5, atol=1e-5)


def test_predict_sees_in_place_changes_of_the_dict():
    network = book.init_network()
    x = np.array([1.0, 0.5])
    before = book.forward(network, x)
    network["b3"] += 1.0  # a learner editing the weights between calls
    np.testing.assert_allclose(book.forward(network, x), before + 1.0, rtol=1e-15)


def test_book_weights_draw_no_random_numbers(sample_weight_path, monkeypatch):
    # The weights are copied, not drawn then overwritten (a He-normal draw per
    # call made the book's per-image loop 90 times slower than plain NumPy).
    from nnscratch import initializers
    from nnscratch.io import from_book_weights
    from nnscratch.layers import Dense

    def refuse(*args, **kwargs):
        raise AssertionError("a random initializer was called")

    for cls in vars(initializers).values():
        if isinstance(cls, type) and issubclass(cls, initializers.Initializer):
            if cls.__name__ not in ("Initializer", "Constant", "Zeros"):
                monkeypatch.setattr(cls, "_draw", refuse, raising=False)
    network = book.init_network(sample_weight_path)
    net = from_book_weights(network)
    np.testing.assert_array_equal(net.parameters()["4.W"], network["W3"])
    layer = Dense.from_weights([[1.0, 2.0]], [3.0, 4.0])
    np.testing.assert_array_equal(layer.params["W"], [[1.0, 2.0]])
    monkeypatch.undo()  # re-initialising still draws He normal, as a fresh Dense
    assert layer.get_config()["init"] == Dense(1, 2).get_config()["init"]


@pytest.mark.parametrize(
    ("network", "x", "error", "message"),
    [
        ([1, 2], [1.0, 0.5], TypeError, "network: expected a dict"),
        ({"W1": np.eye(2)}, [1.0, 0.5], ValueError, "W1, b1"),
        ({"W1": np.eye(2), "b1": np.zeros(3)}, [1.0, 0.5], ValueError, r"b1 \(3,\)"),
        ({"W1": np.eye(2, dtype=int), "b1": np.zeros(2)}, [1, 0], ValueError, "floating"),
        (None, [1.0, 0.5, 0.2], ValueError, r"x: expected one input \(2,\)"),
    ],
)
def test_forward_errors_name_the_argument(network, x, error, message):
    network = book.init_network() if network is None else network
    with pytest.raises(error, match=message):
        book.forward(network, x)
    with pytest.raises(error, match=message):
        book.predict(network, x)


# ------------------------------------------------------------------ the drop-in for common/*.py

BOOK_MODULES = (
    "functions",
    "gradient",
    "layers",
    "optimizer",
    "util",
    "trainer",
    "multi_layer_net",
    "multi_layer_net_extend",
    "mnist",
    "neuralnet",
    "conv",
)


def test_all_covers_every_module_and_star_import_gives_it():
    import importlib

    names = set()
    for module in BOOK_MODULES:
        names |= set(importlib.import_module(f"nnscratch.book.{module}").__all__)
    assert set(book.__all__) == names
    namespace: dict = {}
    exec("from nnscratch.book import *", namespace)
    assert names <= set(namespace)
    # the public names of the book's common/*.py (chapters 3-6) and dataset/mnist.py
    book_names = {
        "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad",
        "softmax", "sum_squared_error", "cross_entropy_error", "softmax_loss",
        "numerical_gradient", "numerical_gradient_2d", "Relu", "Sigmoid", "Affine",
        "SoftmaxWithLoss", "Dropout", "BatchNormalization", "SGD", "Momentum", "Nesterov",
        "AdaGrad", "RMSprop", "Adam", "smooth_curve", "shuffle_dataset", "conv_output_size",
        "Trainer", "MultiLayerNet", "MultiLayerNetExtend", "load_mnist", "init_mnist",
        "download_mnist", "key_file", "train_num", "test_num", "img_dim", "img_size",
        # chapter 7-8: common/util.py's im2col / col2im, layers.py's Convolution / Pooling
        "im2col", "col2im", "Convolution", "Pooling", "SimpleConvNet", "DeepConvNet",
    }  # fmt: skip
    assert book_names <= names


def test_step_function_returns_the_books_integers():
    y = book.step_function(np.array([-1.0, 0.0, 2.0]))
    assert y.dtype == np.dtype(int) and y.tolist() == [0, 0, 1]


def test_sigmoid_grad_and_relu_grad():
    x = np.array([-2.0, 0.0, 3.0])
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(book.sigmoid_grad(x), s * (1 - s), rtol=1e-15)
    assert book.sigmoid_grad(np.array([0.0]))[0] == 0.25  # its maximum
    assert book.relu_grad(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 1.0, 1.0]  # 1 at 0


def test_mean_squared_error_of_a_batch_is_not_divided_by_its_size():
    y, t = np.stack([Y_GOOD, Y_BAD]), np.stack([T, T])
    assert book.mean_squared_error(y, t) == pytest.approx(0.695, abs=1e-12)  # not 0.3475
    assert book.sum_squared_error(y, t) == pytest.approx(0.695, abs=1e-12)
    with pytest.raises(ValueError, match=r"t: expected the shape of y \(2, 10\)"):
        book.mean_squared_error(y, np.array([2, 2]))


def test_softmax_loss():
    expected = -np.log(0.73659691 + 1e-7)
    assert book.softmax_loss(np.array([0.3, 2.9, 4.0]), np.array([0, 0, 1])) == pytest.approx(
        expected, abs=1e-8
    )


def _function_2_batch(x):
    return np.sum(x**2) if x.ndim == 1 else np.sum(x**2, axis=1)


def test_numerical_gradient_of_gradient_2d_on_a_grid():
    # ch04/gradient_2d.py: one point per column, f returns one value per row
    X = np.array([[-2.0, 0.5, 1.0], [1.5, 0.0, -1.0]])
    before = X.copy()
    grad = book.numerical_gradient(_function_2_batch, X)
    np.testing.assert_allclose(grad, 2 * X, atol=1e-7)
    np.testing.assert_array_equal(grad, book.numerical_gradient_2d(_function_2_batch, X))
    np.testing.assert_array_equal(X, before)


def test_numerical_gradient_of_a_scalar_function_of_a_matrix_is_entrywise():
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(
        book.numerical_gradient(lambda w: np.sum(W**3), W), 3 * W**2, rtol=1e-7
    )
    np.testing.assert_allclose(
        book.numerical_gradient_2d(lambda v: np.sum(v**2), np.array([1.0, -2.0])), [2.0, -4.0]
    )


# ------------------------------------------------------------------ layers


def test_relu_layer_masks_and_leaves_dout_alone():
    layer = book.Relu()
    x = np.array([[1.0, -0.5], [0.0, 2.0]])
    np.testing.assert_array_equal(layer.forward(x), [[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(layer.mask, [[False, True], [True, False]])
    dout = np.array([[3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(layer.backward(dout), [[3.0, 0.0], [0.0, 6.0]])
    np.testing.assert_array_equal(dout, [[3.0, 4.0], [5.0, 6.0]])  # not written to


def test_sigmoid_layer():
    layer = book.Sigmoid()
    x = np.array([[-1.0, 1.0, 2.0]])
    out = layer.forward(x)
    np.testing.assert_allclose(out, [[0.26894142, 0.73105858, 0.88079708]], atol=5e-9)
    np.testing.assert_allclose(layer.backward(np.full_like(x, 2.0)), 2 * out * (1 - out))


def test_affine_reshapes_4d_input_and_holds_its_arrays():
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(12, 3)), rng.normal(size=3)
    layer = book.Affine(W, b)
    x = rng.normal(size=(2, 3, 2, 2))
    y = layer.forward(x)
    np.testing.assert_allclose(y, x.reshape(2, 12) @ W + b)
    dout = rng.normal(size=(2, 3))
    dx = layer.backward(dout)
    assert dx.shape == (2, 3, 2, 2)
    np.testing.assert_allclose(dx, (dout @ W.T).reshape(x.shape))
    np.testing.assert_allclose(layer.dW, x.reshape(2, 12).T @ dout)
    np.testing.assert_allclose(layer.db, dout.sum(axis=0))
    b += 1.0  # an optimizer updating the dict's array in place
    np.testing.assert_allclose(layer.forward(x), y + 1.0)


def test_softmax_with_loss_labels_and_one_hot():
    x = np.array([[0.3, 2.9, 4.0], [1.0, 0.0, -1.0]])
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    for t in (np.array([2, 0]), np.array([[0, 0, 1], [1, 0, 0]])):
        layer = book.SoftmaxWithLoss()
        loss = layer.forward(x, t)
        assert loss == pytest.approx(-np.mean(np.log(p[[0, 1], [2, 0]] + 1e-7)), abs=1e-12)
        np.testing.assert_allclose(layer.backward(), (p - np.eye(3)[[2, 0]]) / 2, atol=1e-15)


def test_dropout_draws_the_books_mask():
    x = np.arange(1.0, 13.0).reshape(3, 4)
    np.random.seed(7)
    expected = np.random.rand(3, 4) > 0.3
    np.random.seed(7)
    layer = book.Dropout(0.3)
    y = layer.forward(x)
    np.testing.assert_array_equal(layer.mask, expected)
    np.testing.assert_array_equal(y, x * expected)  # no 1 / (1 - ratio) in training
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), expected * 1.0)
    np.testing.assert_allclose(layer.forward(x, train_flg=False), x * 0.7)


def test_batch_normalization_forward_running_statistics_and_4d():
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 2.0, size=(8, 2, 2, 2))
    gamma, beta = np.ones(8), np.zeros(8)
    layer = book.BatchNormalization(gamma, beta, momentum=0.9)
    y = layer.forward(x, train_flg=True)
    assert y.shape == x.shape
    flat = y.reshape(8, -1)
    np.testing.assert_allclose(flat.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(flat.var(axis=0), x.reshape(8, -1).var(axis=0) / (
        x.reshape(8, -1).var(axis=0) + 1e-6), rtol=1e-10)  # fmt: skip
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.reshape(8, -1).mean(axis=0))
    np.testing.assert_allclose(layer.running_var, 0.1 * x.reshape(8, -1).var(axis=0))
    test = layer.forward(x, train_flg=False)
    expected = (x.reshape(8, -1) - layer.running_mean) / np.sqrt(layer.running_var + 1e-6)
    np.testing.assert_allclose(test.reshape(8, -1), expected)


def test_batch_normalization_gradient():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5, 4))
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    dout = rng.normal(size=(5, 4))
    layer = book.BatchNormalization(gamma, beta)

    def loss(_):
        return float(np.sum(layer.forward(x, train_flg=True) * dout))

    layer.forward(x, train_flg=True)
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx, book.numerical_gradient(loss, x), atol=1e-7)
    np.testing.assert_allclose(layer.dgamma, book.numerical_gradient(loss, gamma), atol=1e-7)
    np.testing.assert_allclose(layer.dbeta, book.numerical_gradient(loss, beta), atol=1e-7)


# ------------------------------------------------------------------ optimizers


def _two_steps(optimizer):
    """Two updates of params {"w": [1, -2]} with gradients [0.5, 1] then [-1, 0.25]."""
    params = {"w": np.array([1.0, -2.0])}
    w = params["w"]
    history = []
    for g in ([0.5, 1.0], [-1.0, 0.25]):
        optimizer.update(params, {"w": np.array(g)})
        history.append(params["w"].copy())
    assert params["w"] is w  # in place: the layers holding the array see the change
    return history


def test_optimizers_follow_the_books_formulas():
    g1, g2 = np.array([0.5, 1.0]), np.array([-1.0, 0.25])
    w0 = np.array([1.0, -2.0])
    # SGD: w -= lr g
    np.testing.assert_allclose(_two_steps(book.SGD(lr=0.1))[-1], w0 - 0.1 * g1 - 0.1 * g2)
    # Momentum: v = m v - lr g; w += v
    v1 = -0.1 * g1
    v2 = 0.9 * v1 - 0.1 * g2
    np.testing.assert_allclose(_two_steps(book.Momentum(lr=0.1))[-1], w0 + v1 + v2)
    # Nesterov: w += m^2 v - (1 + m) lr g; v = m v - lr g
    w1 = w0 - 1.9 * 0.1 * g1
    w2 = w1 + 0.81 * v1 - 1.9 * 0.1 * g2
    np.testing.assert_allclose(_two_steps(book.Nesterov(lr=0.1))[-1], w2)
    # AdaGrad: h += g^2; w -= lr g / (sqrt(h) + 1e-7)
    h1, h2 = g1**2, g1**2 + g2**2
    w2 = w0 - 0.1 * g1 / (np.sqrt(h1) + 1e-7) - 0.1 * g2 / (np.sqrt(h2) + 1e-7)
    np.testing.assert_allclose(_two_steps(book.AdaGrad(lr=0.1))[-1], w2)
    # RMSprop: h = d h + (1 - d) g^2
    h1 = 0.01 * g1**2
    h2 = 0.99 * h1 + 0.01 * g2**2
    w2 = w0 - 0.1 * g1 / (np.sqrt(h1) + 1e-7) - 0.1 * g2 / (np.sqrt(h2) + 1e-7)
    np.testing.assert_allclose(_two_steps(book.RMSprop(lr=0.1))[-1], w2)
    # Adam: m += (1 - b1)(g - m); v += (1 - b2)(g^2 - v); w -= lr_t m / (sqrt(v) + 1e-7)
    w, m, v = w0.copy(), 0.0, 0.0
    for t, g in enumerate((g1, g2), start=1):
        m = m + 0.1 * (g - m)
        v = v + 0.001 * (g**2 - v)
        w = w - 0.001 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-7)
    adam = book.Adam()
    np.testing.assert_allclose(_two_steps(adam)[-1], w, rtol=1e-14)
    assert adam.iter == 2


def test_adam_keeps_the_books_fixed_epsilon_for_tiny_gradients():
    # sqrt(v) comparable to 1e-7: the book's fixed epsilon shows in the step
    params = {"w": np.array([0.0])}
    book.Adam(lr=1.0).update(params, {"w": np.array([1e-7])})
    # t = 1: m = 1e-8, v = 1e-17, lr_t = sqrt(0.001) / 0.1
    expected = -np.sqrt(0.001) / 0.1 * 1e-8 / (np.sqrt(1e-17) + 1e-7)
    np.testing.assert_allclose(params["w"], [expected], rtol=1e-12)


# ------------------------------------------------------------------ networks and the Trainer


def test_multi_layer_net_draws_the_books_weights_and_shares_them():
    np.random.seed(3)
    expected = [np.sqrt(2.0 / 6) * np.random.randn(6, 5), np.sqrt(2.0 / 5) * np.random.randn(5, 3)]
    np.random.seed(3)
    net = book.MultiLayerNet(6, [5], 3)
    np.testing.assert_array_equal(net.params["W1"], expected[0])
    np.testing.assert_array_equal(net.params["W2"], expected[1])
    assert not net.params["b1"].any() and net.params["b2"].shape == (3,)
    assert net.layers["Affine1"].W is net.params["W1"]
    np.random.seed(3)
    sigmoid_net = book.MultiLayerNet(6, [5], 3, activation="sigmoid", weight_init_std=0.01)
    np.testing.assert_allclose(sigmoid_net.params["W1"], 0.01 / np.sqrt(2.0 / 6) * expected[0])
    with pytest.raises(ValueError, match="activation"):
        book.MultiLayerNet(6, [5], 3, activation="tanh")


def test_multi_layer_net_gradient_and_weight_decay():
    np.random.seed(4)
    net = book.MultiLayerNet(6, [5, 4], 3, activation="sigmoid", weight_decay_lambda=0.1)
    x, t = np.random.randn(4, 6), np.array([0, 2, 1, 2])
    scores = net.predict(x)
    penalty = sum(0.05 * np.sum(net.params[f"W{i}"] ** 2) for i in (1, 2, 3))
    assert net.loss(x, t) == pytest.approx(book.softmax_loss(scores, t) + penalty, rel=1e-12)
    grads, numerical_grads = net.gradient(x, t), net.numerical_gradient(x, t)
    assert list(grads) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for key in grads:
        np.testing.assert_allclose(grads[key], numerical_grads[key], atol=1e-7)
    assert net.accuracy(x, t) == np.mean(np.argmax(scores, axis=1) == t)
    assert net.accuracy(x, np.eye(3)[t]) == net.accuracy(x, t)


def test_multi_layer_net_extend_draws_as_multi_layer_net_then_dropout_masks():
    np.random.seed(5)
    plain = book.MultiLayerNet(6, [5, 4], 3)
    np.random.seed(5)
    net = book.MultiLayerNetExtend(6, [5, 4], 3, use_dropout=True, use_batchnorm=True)
    for key in plain.params:
        np.testing.assert_array_equal(net.params[key], plain.params[key])
    assert net.layers["BatchNorm1"].gamma is net.params["gamma1"]
    keys = list(net.layers)
    assert keys[:4] == ["Affine1", "BatchNorm1", "Activation_function1", "Dropout1"]
    x = np.random.randn(4, 6)
    state = np.random.get_state()
    net.predict(x, train_flg=True)
    np.random.set_state(state)
    np.testing.assert_array_equal(net.layers["Dropout1"].mask, np.random.rand(4, 5) > 0.5)
    np.testing.assert_array_equal(net.layers["Dropout2"].mask, np.random.rand(4, 4) > 0.5)


def test_multi_layer_net_extend_batch_norm_gradient():
    np.random.seed(6)
    net = book.MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, weight_decay_lambda=0.05)
    x, t = np.random.randn(5, 6), np.array([0, 1, 2, 1, 0])
    grads, numerical_grads = net.gradient(x, t), net.numerical_gradient(x, t)
    assert list(grads) == list(numerical_grads)
    assert {"gamma1", "beta1", "gamma2", "beta2"} <= set(grads) and "gamma3" not in grads
    for key in grads:
        np.testing.assert_allclose(grads[key], numerical_grads[key], atol=1e-6)


def test_trainer_draws_the_books_mini_batches():
    rng = np.random.default_rng(8)
    x, t = rng.normal(size=(30, 6)), rng.integers(0, 3, size=30)
    np.random.seed(9)
    net = book.MultiLayerNet(6, [5], 3)
    options = {"optimizer": "Momentum", "optimizer_param": {"lr": 0.1}, "verbose": False}
    trainer = book.Trainer(net, x, t, x[:10], t[:10], epochs=2, mini_batch_size=10, **options)
    trainer.train()
    # the same run by hand: the same weights, then np.random.choice(30, 10) per step
    np.random.seed(9)
    by_hand = book.MultiLayerNet(6, [5], 3)
    optimizer = book.Momentum(lr=0.1)
    for _ in range(6):
        mask = np.random.choice(30, 10)
        optimizer.update(by_hand.params, by_hand.gradient(x[mask], t[mask]))
    for key in net.params:
        np.testing.assert_array_equal(net.params[key], by_hand.params[key])
    assert len(trainer.train_loss_list) == 6
    assert len(trainer.train_acc_list) == len(trainer.test_acc_list) == 2
    with pytest.raises(ValueError, match="optimizer"):
        book.Trainer(net, x, t, x, t, optimizer="lbfgs")


# ------------------------------------------------------------------ util and mnist


def test_shuffle_dataset_is_the_books_permutation():
    x, t = np.arange(20.0).reshape(10, 2), np.arange(10)
    np.random.seed(10)
    perm = np.random.permutation(10)
    np.random.seed(10)
    xs, ts = book.shuffle_dataset(x, t)
    np.testing.assert_array_equal(xs, x[perm])
    np.testing.assert_array_equal(ts, t[perm])


def test_smooth_curve():
    assert np.allclose(book.smooth_curve(np.full(30, 2.5)), 2.5)
    line = np.arange(40.0)
    smooth = book.smooth_curve(line)
    assert smooth.shape == (40,)
    np.testing.assert_allclose(smooth[5:-5], line[5:-5])  # a symmetric window keeps a line
    noisy = np.sin(np.arange(200) / 20) + np.random.default_rng(0).normal(0, 0.3, 200)
    assert np.std(np.diff(book.smooth_curve(noisy))) < np.std(np.diff(noisy)) / 4


def test_conv_output_size_is_the_books_float():
    assert book.conv_output_size(4, 3, 1, 1) == 4.0
    assert isinstance(book.conv_output_size(7, 3, stride=2), float)


def test_load_mnist_returns_the_books_dtypes(mnist):
    (x, t), _ = book.load_mnist(normalize=False, flatten=False, verbose=False)
    assert x.dtype == np.uint8 and x.shape == (60000, 1, 28, 28) and t.dtype == np.uint8
    (x, t), _ = book.load_mnist(one_hot_label=True, verbose=False)
    assert x.dtype == np.float32 and x.shape == (60000, 784)
    assert t.dtype == np.float64 and t.shape == (60000, 10) and t[0, 5] == 1.0

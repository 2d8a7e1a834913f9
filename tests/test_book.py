"""nnscratch.book: the book's names give the values the book prints.

Every expected number below is printed in Saitoh, "Deep Learning from
Scratch" (chapters 3 and 4), or follows from its formulas by hand.
"""

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

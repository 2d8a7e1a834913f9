"""Chapter 3 of the book: the toy 3-layer network and MNIST inference with its weights.

The book (Saitoh, "Deep Learning from Scratch", 3.4.3 and 3.6.2) prints
``[0.31682708 0.69627909]`` for its toy network on ``[1.0, 0.5]`` and an
accuracy of 0.9352 for ``sample_weight.pkl`` on the MNIST test set.
"""

from __future__ import annotations

import builtins
import os
import pickle
import subprocess

import numpy as np
import pytest

import nnscratch.io as nnio
from nnscratch import book
from nnscratch._safepickle import safe_load

BOOK_CORRECT = 9352


@pytest.fixture(scope="module")
def book_net(sample_weight_path):
    return nnio.load(sample_weight_path)


# ------------------------------------------------------------------ the toy network


def test_toy_network_gives_the_books_output():
    y = book.forward(book.init_network(), np.array([1.0, 0.5]))
    assert y.shape == (2,)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, [0.31682708, 0.69627909], rtol=0, atol=5e-9)


def test_toy_network_batch_rows_equal_single_rows():
    x = np.array([[1.0, 0.5], [-0.3, 2.0], [0.0, 0.0]])
    network = book.init_network()
    batch = book.forward(network, x)
    for row, expected in zip(x, batch, strict=True):
        np.testing.assert_allclose(book.forward(network, row), expected, rtol=1e-15, atol=0)


# ------------------------------------------------------------------ sample_weight.pkl


def test_book_weights_become_the_chapter3_network(book_net, sample_weight_path):
    weights = safe_load(sample_weight_path)
    params = book_net.parameters()
    assert sorted(params) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    for i, index in ((1, 0), (2, 2), (3, 4)):
        for p in "Wb":
            live = params[f"{index}.{p}"]
            assert live.dtype == np.float32
            np.testing.assert_array_equal(live, weights[f"{p}{i}"])


def test_book_network_predict_proba_is_the_books_predict(book_net, sample_weight_path):
    # The book's predict, written out: sigmoid, sigmoid, softmax (float64 reference).
    w = {k: v.astype(np.float64) for k, v in safe_load(sample_weight_path).items()}
    x = np.random.default_rng(0).random((5, 784), dtype=np.float32)
    z1 = 1 / (1 + np.exp(-(x @ w["W1"] + w["b1"])))
    z2 = 1 / (1 + np.exp(-(z1 @ w["W2"] + w["b2"])))
    a3 = z2 @ w["W3"] + w["b3"]
    y = np.exp(a3 - a3.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    proba = book_net.predict_proba(x)
    assert proba.shape == (5, 10)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba, y, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(book_net.predict(x), a3, rtol=1e-5, atol=1e-5)


def test_one_image_gives_a_vector_equal_to_its_batch_row(book_net):
    x = np.random.default_rng(1).random((3, 784), dtype=np.float32)
    single = book_net.predict(x[1])
    assert single.shape == (10,)
    np.testing.assert_allclose(single, book_net.predict(x)[1], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((2, 783), "784"), ((783,), "784"), ((2, 28, 28), "784")],
)
def test_wrong_input_shapes_name_the_expected_shape(book_net, shape, expected):
    with pytest.raises(ValueError, match=expected):
        book_net.predict(np.zeros(shape, dtype=np.float32))


def test_mnist_image_by_image_gives_9352(book_net, mnist):
    _, (x_test, t_test) = mnist
    assert x_test.shape == (10000, 784)
    assert x_test.dtype == np.float32
    assert 0.0 <= x_test.min() and x_test.max() <= 1.0  # normalize=True
    correct = 0
    for i in range(len(x_test)):  # the book's first loop, one predict per image
        y = book_net.predict(x_test[i])
        if int(np.argmax(y)) == t_test[i]:
            correct += 1
    assert correct == BOOK_CORRECT


def test_mnist_batches_of_100_give_9352(book_net, mnist):
    _, (x_test, t_test) = mnist
    correct = 0
    for i in range(0, len(x_test), 100):  # the book's batch loop
        y = book_net.predict_proba(x_test[i : i + 100])
        correct += int(np.sum(np.argmax(y, axis=1) == t_test[i : i + 100]))
    assert correct == BOOK_CORRECT


def test_mnist_accuracy_with_labels_and_one_hot(book_net, mnist):
    _, (x_test, t_test) = mnist
    assert book_net.accuracy(x_test, t_test) == pytest.approx(BOOK_CORRECT / 10000, abs=1e-12)
    one_hot = np.eye(10, dtype=np.float32)[t_test]
    assert book_net.accuracy(x_test, one_hot) == pytest.approx(BOOK_CORRECT / 10000, abs=1e-12)


def test_book_chapter3_script_names(sample_weight_path, mnist):
    # The book's neuralnet_mnist.py, typed along through nnscratch.book.
    network = book.init_network(sample_weight_path)
    assert sorted(network) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    _, (x_test, t_test) = mnist
    y = book.predict(network, x_test[:100])
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)
    assert int(np.argmax(book.predict(network, x_test[0]))) == t_test[0] == 7


# ------------------------------------------------------------------ hostile pickles


class _Payload:
    """Pickles as a call to ``func(*args)``: what a hostile weight file looks like."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _hostile_pickles(marker):
    touch = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    return {
        "system": _Payload(os.system, (f"touch {marker}",)),
        "eval": _Payload(builtins.eval, (touch,)),
        "Popen": _Payload(subprocess.Popen, (["touch", str(marker)],)),
        "exec": _Payload(builtins.exec, (touch,)),
    }


@pytest.mark.parametrize("name", ["system", "eval", "Popen", "exec"])
@pytest.mark.parametrize("suffix", [".pkl", ".pickle", ".bin"])
def test_hostile_pickle_is_refused_naming_the_global_and_never_runs(tmp_path, name, suffix):
    marker = tmp_path / "marker"
    payload = _hostile_pickles(marker)[name]
    # A weight dict with the payload hidden among real arrays, as an attacker would.
    weights = {"W1": np.zeros((784, 50), np.float32), "b1": payload}
    path = tmp_path / f"sample_weight{suffix}"
    path.write_bytes(pickle.dumps(weights, protocol=3))
    with pytest.raises(nnio.ModelFileError, match=name) as info:
        nnio.load(path)
    assert str(path) in str(info.value)
    assert not marker.exists()


def _pickle(tmp_path, obj, name="weights.pkl"):
    path = tmp_path / name
    path.write_bytes(pickle.dumps(obj, protocol=4))
    return path


def _book_like(dtype=np.float32):
    return {k: np.zeros(s, dtype) for k, s in nnio.BOOK_WEIGHT_SHAPES.items()}


def test_book_pickle_with_missing_key_is_refused(tmp_path):
    weights = _book_like()
    del weights["b3"]
    with pytest.raises(nnio.ModelFileError, match=r"b3"):
        nnio.load(_pickle(tmp_path, weights))


def test_book_pickle_with_wrong_shape_names_the_array(tmp_path):
    weights = _book_like()
    weights["W2"] = np.zeros((50, 99), np.float32)
    with pytest.raises(nnio.ModelFileError, match=r"W2: expected an array of shape \(50, 100\)"):
        nnio.load(_pickle(tmp_path, weights))


def test_book_pickle_of_a_list_or_integers_is_refused(tmp_path):
    with pytest.raises(nnio.ModelFileError, match="expected a dict"):
        nnio.load(_pickle(tmp_path, [1, 2, 3]))
    weights = _book_like()
    weights["b1"] = np.zeros(50, np.int64)
    with pytest.raises(nnio.ModelFileError, match="floating"):
        nnio.load(_pickle(tmp_path, weights))


def test_truncated_book_pickle_is_a_clear_error(tmp_path, sample_weight_path):
    data = sample_weight_path.read_bytes()
    path = tmp_path / "sample_weight.pkl"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(nnio.ModelFileError, match=r"sample_weight\.pkl"):
        nnio.load(path)


def test_book_pickle_in_float64_keeps_float64(tmp_path):
    rng = np.random.default_rng(2)
    weights = {k: rng.standard_normal(s) for k, s in nnio.BOOK_WEIGHT_SHAPES.items()}
    net = nnio.load(_pickle(tmp_path, weights, "w64.pickle"))
    x = rng.random((4, 784))
    assert net.predict(x).dtype == np.float64
    z1 = 1 / (1 + np.exp(-(x @ weights["W1"] + weights["b1"])))
    z2 = 1 / (1 + np.exp(-(z1 @ weights["W2"] + weights["b2"])))
    np.testing.assert_allclose(net.predict(x), z2 @ weights["W3"] + weights["b3"], rtol=1e-12)

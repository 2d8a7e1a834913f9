"""The book's chapter-5 run (examples/ch05_two_layer_net.py) reaches the book's accuracy.

Saitoh, "Deep Learning from Scratch", section 5.7.4: TwoLayerNet 784-50-10
ReLU, Normal(0, 0.01^2) weights, SGD lr 0.1, 10,000 iterations of 100 random
images; test accuracy about 0.97, the train and test curves close together
(no overfitting; the book's figure 4-12 draws them for the same network).
The book's own code gives 0.969 to 0.972 over seeds on this machine.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ch05_two_layer_net.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("ch05_two_layer_net", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ch05 = _load_example()


def _check_curves(records, n_records: int) -> None:
    """Accuracy ~0.97 at the end, train tracking test all along (the book's two curves)."""
    assert len(records) == n_records
    train = np.array([r[1] for r in records])
    test = np.array([r[2] for r in records])
    assert 0.965 <= test[-1] <= 0.975, test
    # Learning, not memorising: the gap stays small at every record and the
    # final training accuracy is only slightly above the test accuracy.
    assert np.all(np.abs(train - test) < 0.015), train - test
    assert 0.0 <= train[-1] - test[-1] < 0.015, (train[-1], test[-1])
    # The curve climbs: 0.88 or more after one epoch, and more than a point
    # gained between a third of the way and the end.
    assert test[1] > 0.88
    assert test[-1] > test[len(test) // 3] + 0.01


def test_two_layer_net_is_the_books_architecture():
    net = ch05.two_layer_net(seed=0)
    params = net.parameters()
    assert {k: v.shape for k, v in params.items()} == {
        "0.W": (784, 50),
        "0.b": (50,),
        "2.W": (50, 10),
        "2.b": (10,),
    }
    assert all(v.dtype == np.float32 for v in params.values())
    # weight_init_std = 0.01: sample std of 39,200 normal draws within 2 %
    assert abs(float(params["0.W"].std()) - 0.01) < 2e-4
    assert not params["0.b"].any() and not params["2.b"].any()


def test_book_loop_runs_and_learns_on_a_small_problem():
    # A quick check of the loop's bookkeeping on 1,000 images.
    rng = np.random.default_rng(0)
    x = rng.random((1000, 784), dtype=np.float32) - np.float32(0.5)
    t = (x[:, :392].sum(axis=1) > x[:, 392:].sum(axis=1)).astype(np.uint8)
    _, records = ch05.train_book_loop(((x, t), (x, t)), seed=0, iters=300, batch_size=50)
    assert [r[0] for r in records] == list(range(0, 300, 20))  # 1000 // 50 per "epoch"
    assert records[-1][2] > 0.9  # which half sums higher: linearly separable


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_book_loop_reaches_the_books_accuracy(mnist, seed):
    _, records = ch05.train_book_loop(mnist, seed=seed)
    # iterations 0, 600, ..., 9600: 17 records, as the book prints
    assert [r[0] for r in records] == list(range(0, 10_000, 600))
    assert records[0][2] < 0.5  # the book's first line comes after a single update
    _check_curves(records, 17)


@pytest.mark.slow
def test_fit_with_17_epochs_reaches_the_books_accuracy(mnist):
    _, records = ch05.train_with_fit(mnist, seed=0)
    assert [r[0] for r in records] == list(range(1, 18))
    _check_curves(records, 17)

"""The batch cut into parts on several threads: same numbers as one thread."""

import numpy as np
import pytest

import nnscratch as nn
from nnscratch import _threads


@pytest.fixture
def threads():
    before = _threads.get_num_threads()
    yield _threads.set_num_threads
    _threads.set_num_threads(before)


def test_batch_parts_cover_the_batch_in_order(threads):
    threads(3)
    assert _threads.batch_parts(100) == ((0, 33), (33, 66), (66, 100))
    assert _threads.batch_parts(20) == ((0, 10), (10, 20))  # at least MIN_PART images a part
    assert _threads.batch_parts(5) == ((0, 5),)
    threads(1)
    assert _threads.batch_parts(100) == ((0, 100),)


def test_set_num_threads_checks_its_argument():
    with pytest.raises(ValueError, match="n: expected an integer >= 1"):
        _threads.set_num_threads(0)


def test_run_parts_returns_in_order_and_raises_after_all_parts(threads):
    threads(3)
    done = []

    def fn(i):
        done.append(i)
        if i == 1:
            raise RuntimeError("part 1 failed")
        return i * 10

    assert _threads.run_parts(lambda i: i * 10, 3) == [0, 10, 20]
    with pytest.raises(RuntimeError, match="part 1 failed"):
        _threads.run_parts(fn, 3)
    assert sorted(done) == [0, 1, 2]


def _net(seed=0):
    return nn.Sequential(
        [
            nn.Conv2D(2, 4, 3, padding=1, dtype="float64"),
            nn.MaxPool2D(2, dtype="float64"),
            nn.Activation("relu", dtype="float64"),
            nn.Conv2D(4, 3, 3, stride=2, dtype="float64"),
            nn.AvgPool2D(2, stride=1, dtype="float64"),
            nn.Flatten(dtype="float64"),
        ],
        loss="mean_squared_error",
        seed=seed,
        dtype="float64",
    )


def test_conv_and_pool_layers_give_the_same_numbers_on_any_thread_count(threads):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((37, 2, 10, 10))
    results = []
    for n in (1, 2, 3):
        threads(n)
        net = _net()
        y = net.predict(x)
        loss, grads = net.value_and_grad(x, np.zeros_like(y))
        results.append((y, loss, grads))
    for y, loss, grads in results[1:]:
        np.testing.assert_allclose(y, results[0][0], rtol=1e-13, atol=1e-13)
        assert loss == pytest.approx(results[0][1], rel=1e-13)
        for k in grads:
            np.testing.assert_allclose(grads[k], results[0][2][k], rtol=1e-11, atol=1e-13)


def test_blas_thread_counts_are_restored(threads):
    threads(2)
    before = [lib.num_threads for lib in _threads._blas()]
    net = _net()
    x = np.ones((32, 2, 10, 10))
    net.value_and_grad(x, np.zeros_like(net.predict(x)))
    assert [lib.num_threads for lib in _threads._blas()] == before


@pytest.mark.parametrize(("value", "expected"), [("3", 3), (" 1 ", 1), ("", None)])
def test_the_environment_sets_the_default(monkeypatch, threads, value, expected):
    monkeypatch.setenv("NNSCRATCH_NUM_THREADS", value)
    monkeypatch.setattr(_threads, "_threads", None)
    assert _threads.get_num_threads() == (expected or min(_threads._default(), 4))


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_environment_value_is_a_clear_error(monkeypatch, threads, value):
    monkeypatch.setenv("NNSCRATCH_NUM_THREADS", value)
    monkeypatch.setattr(_threads, "_threads", None)
    with pytest.raises(ValueError, match="NNSCRATCH_NUM_THREADS: expected an integer >= 1"):
        _threads.get_num_threads()


def test_conv_networks_predict_in_chunks_with_the_same_numbers(monkeypatch):
    import nnscratch.network as network

    rng = np.random.default_rng(1)
    x = rng.standard_normal((23, 2, 10, 10))
    layers = [*_net().layers, nn.Dense(3, 4, dtype="float64")]  # Dense reuses its buffer
    net = nn.Sequential(layers, loss="mean_squared_error", seed=0, dtype="float64")
    whole = net.predict(x)
    proba = net.predict_proba(x)
    loss = net.loss(x, np.zeros_like(whole))
    monkeypatch.setattr(network, "PREDICT_CHUNK", 5)  # 5 chunks, the last of 3 rows
    np.testing.assert_allclose(net.predict(x), whole, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(net.predict_proba(x), proba, rtol=1e-13, atol=1e-15)
    assert net.loss(x, np.zeros_like(whole)) == pytest.approx(loss, rel=1e-13)


def test_training_mode_is_never_chunked(monkeypatch):
    """Batch statistics need the whole batch: training=True runs it in one pass."""
    import nnscratch.network as network

    layers = [nn.Conv2D(1, 2, 3), nn.Flatten(), nn.BatchNorm(18)]
    net = nn.Sequential(layers, seed=0, dtype="float64")
    x = np.random.default_rng(2).standard_normal((12, 1, 5, 5))
    whole = net.predict(x, training=True)
    monkeypatch.setattr(network, "PREDICT_CHUNK", 4)
    np.testing.assert_allclose(net.predict(x, training=True), whole, rtol=1e-13)

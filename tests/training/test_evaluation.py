"""training.evaluation: the data checks before training and the chunked evaluation pass."""

import numpy as np
import pytest

from nnscratch import layers as L
from nnscratch.network import Sequential
from nnscratch.training.evaluation import as_data, evaluate


def test_evaluate_in_chunks_equals_one_pass_over_all_rows():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2500, 3))  # three chunks of at most 1024 rows
    t = (x[:, 0] > 0).astype(np.int64)
    net = Sequential([L.Dense(3, 4, seed=1), L.Activation("relu"), L.Dense(4, 2, seed=2)])
    x, t = as_data(x, t, net.dtype, "evaluation")
    out = evaluate(net, x, t, prefix="val_")
    assert set(out) == {"val_loss", "val_accuracy"}
    assert out["val_loss"] == pytest.approx(net.loss(x, t), rel=1e-5)
    assert out["val_accuracy"] == net.accuracy(x, t)


def test_as_data_names_the_first_bad_value_and_casts_once():
    x = np.ones((3, 2))
    x[1, 0] = np.nan
    with pytest.raises(ValueError, match="validation x"):
        as_data(x, np.zeros(3), np.dtype("float32"), "validation")
    xs, ts = as_data(np.ones((3, 2)), np.zeros(3), np.dtype("float32"), "training")
    assert xs.dtype == np.float32 and ts.dtype == np.float32
    with pytest.raises(ValueError, match="3 rows"):
        as_data(np.ones((3, 2)), np.zeros(2), np.dtype("float32"), "training")

"""EarlyStopping's restore_best with a network that has buffers (BatchNorm)."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.layers import Activation, BatchNorm, Dense
from nnscratch.network import Sequential
from nnscratch.training import Trainer, fit
from nnscratch.training.callbacks import EarlyStopping, LambdaCallback
from nnscratch.training.optimizers import Adam


def _blobs(n=300, d=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(k, d))
    t = rng.integers(0, k, size=n)
    return (centers[t] + rng.normal(size=(n, d))).astype(np.float32), t


def _bn_net(seed=0):
    layers = [Dense(4, 16), BatchNorm(16), Activation("relu"), Dense(16, 3)]
    return Sequential(layers, seed=seed)


def _state(net):
    return {k: v.copy() for k, v in {**net.parameters(), **net.buffers()}.items()}


def test_restore_best_puts_back_the_batchnorm_running_statistics():
    x_all, t_all = _blobs()
    x, t, xv, tv = x_all[:200], t_all[:200], x_all[200:], t_all[200:]
    net = _bn_net()
    snapshots = {}
    keep = LambdaCallback(on_epoch_end=lambda e, logs: snapshots.__setitem__(e, _state(net)))
    # min_delta so large that nothing after epoch 1 counts as an improvement
    stop = EarlyStopping("val_loss", patience=2, min_delta=10.0)
    h = fit(
        net,
        x,
        t,
        optimizer=Adam(0.01),
        epochs=20,
        batch_size=20,
        validation_data=(xv, tv),
        callbacks=[keep, stop],
        verbose=0,
    )
    assert len(h) == 3 and stop.best_epoch == 1
    restored = _state(net)
    best = snapshots[1]
    assert restored.keys() == best.keys() and "1.running_mean" in restored
    for k in best:
        np.testing.assert_array_equal(restored[k], best[k], err_msg=k)
    # the running statistics moved after epoch 1, so restoring them is not vacuous
    assert not np.array_equal(snapshots[3]["1.running_mean"], best["1.running_mean"])
    # the restored network scores the best epoch's validation loss
    assert Trainer(net).evaluate(xv, tv)["loss"] == pytest.approx(stop.best, rel=1e-6)
    # and the checkpointed state carries the buffers too
    state = stop.state_dict()
    assert "best_weights/1.running_var" in state and "best_weights/1.gamma" in state
    again = EarlyStopping("val_loss")
    again.load_state_dict(state)
    assert again.state_dict().keys() == state.keys()

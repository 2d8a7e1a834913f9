"""Tests for nnscratch.training (fit, Trainer, checkpoints) and nnscratch.training.callbacks."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nnscratch.layers import Activation, BatchNorm, Dense, Dropout
from nnscratch.network import Sequential
from nnscratch.training import Trainer, TrainingDivergedError, fit, read_checkpoint
from nnscratch.training.callbacks import Callback, EarlyStopping, History, LambdaCallback
from nnscratch.training.optimizers import SGD, Adam, AdamW
from nnscratch.training.schedules import CosineDecay, OneCycle

HERE = Path(__file__).resolve().parent


def blobs(n=200, d=4, k=3, seed=0):
    """k Gaussian clusters in d dimensions; labels 0..k-1."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(k, d))
    t = rng.integers(0, k, size=n)
    x = (centers[t] + rng.normal(size=(n, d))).astype(np.float32)
    return x, t


def mlp(seed=0, d=4, k=3, hidden=16, dropout=0.0):
    layers = [Dense(d, hidden), Activation("relu")]
    if dropout:
        layers.append(Dropout(dropout))
    layers.append(Dense(hidden, k))
    return Sequential(layers, seed=seed)


def weights(net):
    return {k: v.copy() for k, v in net.parameters().items()}


def same_weights(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# --- fit learns, records, stays quiet ------------------------------------------


def test_fit_learns_and_records_history():
    x_all, t_all = blobs(n=300)
    x, t, xv, tv = x_all[:200], t_all[:200], x_all[200:], t_all[200:]
    net = mlp()
    h = fit(
        net,
        x,
        t,
        optimizer=Adam(0.01),
        epochs=5,
        batch_size=20,
        seed=0,
        verbose=0,
        validation_data=(xv, tv),
    )
    assert isinstance(h, History)
    assert h.epoch == [1, 2, 3, 4, 5]
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds"}
    assert all(len(v) == 5 for v in h.history.values())
    assert h["loss"][-1] < h["loss"][0]
    assert h["val_accuracy"][-1] >= 0.9
    assert all(s > 0 for s in h["seconds"])
    # the last validation figures are those of the final weights
    assert h["val_loss"][-1] == pytest.approx(net.loss(xv, tv), rel=1e-6)
    assert h["val_accuracy"][-1] == net.accuracy(xv, tv)
    table = h.as_table()
    assert table.splitlines()[0].split() == [
        "epoch",
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
        "lr",
        "seconds",
    ]
    assert len(table.splitlines()) == 6


def test_regression_history_has_no_accuracy():
    # float targets (N, K > 1) with a mean squared error head are regression: an argmax
    # "accuracy" of them means nothing, in training or validation
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 4)).astype(np.float32)
    y = x @ rng.normal(size=(4, 3)).astype(np.float32)
    net = Sequential([Dense(4, 16), Activation("relu"), Dense(16, 3)], loss="mean_squared_error")
    h = fit(net, x, y, epochs=2, batch_size=20, verbose=0, validation_data=(x, y))
    assert set(h.history) == {"loss", "val_loss", "lr", "seconds"}
    assert h["loss"][-1] < h["loss"][0]
    # classification keeps it: softmax head with one-hot rows, and a linear head with
    # exactly one-hot rows (the book's one_hot_label=True with its squared error)
    xc, tc = blobs(n=60)
    onehot = np.eye(3, dtype=np.float32)[tc]
    for loss in ("softmax_cross_entropy", "sum_squared_error"):
        net = Sequential([Dense(4, 8), Activation("relu"), Dense(8, 3)], loss=loss)
        h = fit(net, xc, onehot, epochs=1, batch_size=20, verbose=0, validation_data=(xc, onehot))
        assert "accuracy" in h.history and "val_accuracy" in h.history, loss


def test_running_accuracy_and_loss_of_a_full_batch_epoch():
    # One full-batch step: the epoch's "running" figures are those of the weights
    # before the step, measured on the whole set.
    x, t = blobs()
    net = mlp()
    loss0, acc0 = net.loss(x, t), net.accuracy(x, t)
    h = fit(net, x, t, optimizer=SGD(0.1), epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    assert h["loss"][0] == pytest.approx(loss0, rel=1e-6)
    assert h["accuracy"][0] == acc0


def test_verbose_0_prints_nothing(capsys):
    x, t = blobs(n=50)
    fit(mlp(), x, t, epochs=2, batch_size=10, verbose=0, validation_data=(x, t))
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_verbose_2_prints_one_line_per_epoch(capsys):
    x, t = blobs(n=50)
    fit(mlp(), x, t, epochs=3, batch_size=10, verbose=2, validation_data=(x, t))
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 3 and err == ""
    assert lines[0].startswith("epoch 1/3 - ") and "val_accuracy" in lines[0]


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self):
        return True


def test_verbose_1_without_a_terminal_prints_plain_lines_only(capsys):
    # stderr captured (a file, as in a log): no bar, no carriage returns
    x, t = blobs(n=50)
    fit(mlp(), x, t, epochs=2, batch_size=10, verbose=1)
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2 - ") and "\r" not in out


def test_verbose_1_on_a_terminal_shows_a_bar_that_advances_per_batch(monkeypatch, capsys):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    x, t = blobs(n=30)
    slow = LambdaCallback(on_batch_end=lambda step, logs: time.sleep(0.12))
    fit(mlp(), x, t, epochs=1, batch_size=10, verbose=1, callbacks=[slow], shuffle=False)
    shown = term.getvalue()
    assert "epoch 1/1" in shown
    # every step refreshes it (the steps are slower than the 0.1 s refresh), with the
    # running loss of the batches so far
    for k in (1, 2, 3):
        assert f"{k}/3" in shown, k
    assert shown.count("loss ") >= 3
    out, _ = capsys.readouterr()
    assert out.startswith("epoch 1/1 - ")


# --- updates per epoch: standard vs accumulated BP -------------------------------


@pytest.mark.parametrize(("batch_size", "updates"), [(1, 30), (7, 5), (30, 1), (1000, 1)])
def test_updates_per_epoch(batch_size, updates):
    x, t = blobs(n=30)
    tr = Trainer(mlp(), SGD(0.01), batch_size=batch_size, seed=0, verbose=0)
    tr.fit(x, t, epochs=2)
    assert tr.global_step == 2 * updates
    assert tr.optimizer.iterations == 2 * updates


def test_accumulated_bp_is_full_batch_gradient_descent():
    # Zhou 5.3: accumulated BP updates once per pass with the gradient of the whole set.
    x, t = blobs(n=40)
    net, ref = mlp(seed=3), mlp(seed=3)
    fit(net, x, t, optimizer=SGD(0.5), epochs=3, batch_size=len(x), shuffle=False, verbose=0)
    for _ in range(3):
        _, g = ref.value_and_grad(x, t)
        for k, p in ref.parameters().items():
            p -= np.float32(0.5) * g[k]
    assert same_weights(weights(net), weights(ref))


def test_standard_bp_is_one_update_per_sample_in_the_shuffled_order():
    x, t = blobs(n=12)
    net, ref = mlp(seed=4), mlp(seed=4)
    fit(net, x, t, optimizer=SGD(0.05), epochs=1, batch_size=1, seed=9, verbose=0)
    order = np.random.default_rng(9).permutation(len(x))
    for i in order:
        _, g = ref.value_and_grad(x[i : i + 1], t[i : i + 1])
        for k, p in ref.parameters().items():
            p -= np.float32(0.05) * g[k]
    assert same_weights(weights(net), weights(ref))


# --- determinism -------------------------------------------------------------------


def test_same_seed_same_weights_different_seed_different():
    x, t = blobs()
    runs = []
    for seed in (5, 5, 6):
        net = mlp(dropout=0.3)
        fit(net, x, t, optimizer="adam", epochs=2, batch_size=16, seed=seed, verbose=0)
        runs.append(weights(net))
    assert same_weights(runs[0], runs[1])
    assert not same_weights(runs[0], runs[2])


def test_float32_network_stays_float32_with_float64_data():
    x, t = blobs()
    net = mlp()
    fit(net, x.astype(np.float64), t, optimizer="adamw", epochs=1, batch_size=32, verbose=0)
    assert all(p.dtype == np.float32 for p in net.parameters().values())


def test_one_hot_targets_give_the_same_run_as_labels():
    x, t = blobs()
    onehot = np.eye(3, dtype=np.float32)[t]
    a, b = mlp(), mlp()
    ha = fit(a, x, t, epochs=2, batch_size=16, seed=1, verbose=0)
    hb = fit(b, x, onehot, epochs=2, batch_size=16, seed=1, verbose=0)
    assert ha["accuracy"] == hb["accuracy"]
    for k in a.parameters():
        np.testing.assert_allclose(a.parameters()[k], b.parameters()[k], rtol=1e-5, atol=1e-6)


# --- schedules and callbacks -------------------------------------------------------


def test_schedule_sets_lr_before_every_step():
    x, t = blobs(n=50)
    sched = CosineDecay(0.1, decay_steps=20, warmup_steps=3, warmup_start=0.01)
    seen = []
    cb = LambdaCallback(on_batch_end=lambda step, logs: seen.append((step, logs["lr"])))
    h = fit(mlp(), x, t, epochs=4, batch_size=10, schedule=sched, callbacks=[cb], verbose=0)
    assert [s for s, _ in seen] == list(range(1, 21))
    # step s (from 1) was taken with schedule(s - 1)
    assert [lr for _, lr in seen] == [sched(k) for k in range(20)]
    assert h["lr"] == [sched(4), sched(9), sched(14), sched(19)]


def test_callback_hooks_in_order():
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, logs):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_end(self, step, logs):
            calls.append(f"batch {step}")

        def on_epoch_end(self, epoch, logs):
            calls.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs):
            calls.append("train_end")

    x, t = blobs(n=20)
    fit(mlp(), x, t, epochs=2, batch_size=10, callbacks=[Recorder()], verbose=0)
    keys = "['accuracy', 'loss', 'lr', 'seconds']"
    assert calls == [
        "train_begin",
        "epoch_begin 1",
        "batch 1",
        "batch 2",
        f"epoch_end 1 {keys}",
        "epoch_begin 2",
        "batch 3",
        "batch 4",
        f"epoch_end 2 {keys}",
        "train_end",
    ]


def test_early_stopping_stops_and_restores_best():
    x, t = blobs()
    snapshots = {}
    keep = LambdaCallback(on_epoch_end=lambda e, logs: snapshots.__setitem__(e, weights(net)))
    # min_delta so large that nothing after epoch 1 counts as an improvement
    stop = EarlyStopping("loss", patience=2, min_delta=10.0)
    net = mlp()
    h = fit(
        net, x, t, optimizer=Adam(0.01), epochs=20, batch_size=20, callbacks=[keep, stop], verbose=0
    )
    assert len(h) == 3 and stop.stopped_epoch == 3 and stop.best_epoch == 1
    assert same_weights(weights(net), snapshots[1])
    assert not same_weights(snapshots[3], snapshots[1])


def test_early_stopping_on_validation_accuracy_and_missing_monitor():
    x, t = blobs()
    stop = EarlyStopping("val_accuracy", patience=1)
    assert stop._sign == -1.0  # accuracy is maximised
    fit(mlp(), x, t, epochs=30, batch_size=20, validation_data=(x, t), callbacks=[stop], verbose=0)
    assert 1 <= stop.best_epoch <= 30
    with pytest.raises(ValueError, match="monitor 'val_loss' is not among"):
        fit(mlp(), x, t, epochs=1, callbacks=[EarlyStopping()], verbose=0)


# --- divergence ---------------------------------------------------------------------


def test_huge_learning_rate_raises_and_keeps_last_good_weights():
    x, t = blobs()
    net = mlp()
    good = weights(net)
    with pytest.raises(TrainingDivergedError) as info:
        fit(net, x, t, optimizer=SGD(1e30), epochs=3, batch_size=20, verbose=0)
    err = info.value
    assert isinstance(err, FloatingPointError)
    assert err.epoch == 1 and err.step >= 2 and err.lr == 1e30
    msg = str(err)
    assert "epoch 1, step" in msg and "learning rate 1e+30" in msg
    # the weights are those of the start of the epoch: the initial ones here
    assert same_weights(weights(net), good)


def test_divergence_in_a_later_epoch_restores_that_epochs_start():
    x, t = blobs()
    net = mlp()
    starts = {}
    cb = LambdaCallback(on_epoch_begin=lambda e, logs: starts.__setitem__(e, weights(net)))
    # a schedule that explodes in epoch 3 (steps 20..29)
    with pytest.raises(TrainingDivergedError, match="epoch 3, step") as info:
        fit(
            net,
            x,
            t,
            optimizer=SGD(0.01),
            epochs=5,
            batch_size=20,
            verbose=0,
            callbacks=[cb],
            schedule=lambda s: 0.01 if s < 20 else 1e30,
        )
    assert info.value.epoch == 3
    assert same_weights(weights(net), starts[3])
    assert all(np.isfinite(p).all() for p in net.parameters().values())


def bn_net(seed=0, d=4, k=3, hidden=16):
    return Sequential(
        [Dense(d, hidden), BatchNorm(hidden), Activation("relu"), Dense(hidden, k)], seed=seed
    )


def buffers(net):
    return {k: v.copy() for k, v in net.buffers().items()}


def test_divergence_restores_the_batchnorm_running_statistics_too():
    # the diverging forward passes overwrite the running statistics with inf/NaN; a
    # restore of the weights alone would leave a network that outputs one constant
    x, t = blobs()
    net = bn_net()
    starts = {}
    cb = LambdaCallback(
        on_epoch_begin=lambda e, logs: starts.__setitem__(e, (weights(net), buffers(net)))
    )
    with pytest.raises(TrainingDivergedError, match=r"at (epoch 2, step|the end of epoch 2) "):
        fit(
            net,
            x,
            t,
            optimizer=SGD(0.05),
            epochs=3,
            batch_size=20,
            verbose=0,
            callbacks=[cb],
            schedule=lambda s: 0.05 if s < 10 else 1e30,  # explodes in epoch 2 (steps 10..19)
        )
    restored = buffers(net)
    assert all(np.isfinite(v).all() for v in restored.values())
    assert same_weights(weights(net), starts[2][0]) and same_weights(restored, starts[2][1])
    # epoch 1 moved them away from the initial zeros and ones, so this is not vacuous
    assert not np.array_equal(restored["1.running_mean"], np.zeros(16, np.float32))
    y = net.predict(x[:20])
    assert np.all(np.isfinite(y)) and np.ptp(y, axis=0).min() > 1e-3


# --- checkpoints ----------------------------------------------------------------------


def _trainer(net, path, **kw):
    opts = dict(
        batch_size=16,
        seed=3,
        verbose=0,
        checkpoint=path,
        schedule=OneCycle(0.02, total_steps=4 * 13),
        callbacks=[EarlyStopping("val_loss", patience=10)],
    )
    opts.update(kw)
    return Trainer(net, AdamW(0.01, weight_decay=0.05), **opts)


def test_resume_in_process_is_bit_identical(tmp_path):
    x, t = blobs()
    val = blobs(n=50, seed=2)
    straight = mlp(dropout=0.2)
    ha = _trainer(straight, tmp_path / "a.ckpt").fit(x, t, epochs=4, validation_data=val)

    first = mlp(dropout=0.2)
    _trainer(first, tmp_path / "b.ckpt").fit(x, t, epochs=2, validation_data=val)
    # a fresh process would rebuild the network (any init) and resume
    again = mlp(seed=99, dropout=0.2)
    tr = _trainer(again, tmp_path / "b.ckpt", seed=12345)
    hb = tr.fit(x, t, epochs=4, validation_data=val, resume=True)
    assert tr.epoch == 4 and tr.global_step == 4 * 13
    assert same_weights(weights(again), weights(straight))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert ha[key] == hb[key], key


def test_checkpoint_names_the_networks_generators_and_reads_old_names(tmp_path):
    x, t = blobs(n=64)
    path = tmp_path / "d.ckpt"
    net = mlp(dropout=0.5)
    fit(net, x, t, epochs=1, batch_size=16, seed=0, verbose=0, checkpoint=path)
    tensors, info = read_checkpoint(path)
    assert list(info["layer_rngs"]) == ["2.rng"]
    assert info["layer_rngs"]["2.rng"] == net.generators()["2.rng"].bit_generator.state
    # checkpoints of earlier versions named it by the attribute: "2._rng"
    from safetensors import safe_open
    from safetensors.numpy import save_file

    with safe_open(str(path), framework="np") as f:
        meta = f.metadata()
    info["layer_rngs"] = {"2._rng": info["layer_rngs"]["2.rng"]}
    meta["nnscratch.checkpoint"] = json.dumps(info)
    old = tmp_path / "old.ckpt"
    save_file(tensors, str(old), metadata=meta)
    a, b = mlp(seed=1, dropout=0.5), mlp(seed=2, dropout=0.5)
    fit(a, x, t, epochs=2, batch_size=16, verbose=0, checkpoint=path, resume=True)
    fit(b, x, t, epochs=2, batch_size=16, verbose=0, checkpoint=old, resume=True)
    assert same_weights(weights(a), weights(b))


class Wrapped:
    """A network of its own class: every member of the Network protocol, delegated."""

    def __init__(self, net):
        self._net = net
        self.dtype = net.dtype

    output_activation = property(lambda self: self._net.output_activation)
    last_output = property(lambda self: self._net.last_output)

    def parameters(self):
        return self._net.parameters()

    def trainable_parameters(self):
        return self._net.trainable_parameters()

    def buffers(self):
        return self._net.buffers()

    def generators(self):
        return self._net.generators()

    def set_parameters(self, values, *, strict=True):
        self._net.set_parameters(values, strict=strict)

    def value_and_grad(self, x, t):
        return self._net.value_and_grad(x, t)

    def predict(self, x, training=False):
        return self._net.predict(x, training)

    def loss(self, x, t, training=False):
        return self._net.loss(x, t, training)

    def get_config(self):
        return self._net.get_config()


def test_running_accuracy_needs_no_head_only_last_output():
    x, t = blobs(n=60)
    inner, ref = mlp(), mlp()
    h = fit(Wrapped(inner), x, t, epochs=2, batch_size=20, seed=0, verbose=0)
    href = fit(ref, x, t, epochs=2, batch_size=20, seed=0, verbose=0)
    assert h["accuracy"] == href["accuracy"] and h["loss"] == href["loss"]
    assert "value_and_grad" not in vars(ref.head)  # the trainer leaves the head alone


def test_checkpoint_contents_and_every(tmp_path):
    x, t = blobs(n=64)
    path = tmp_path / "run.safetensors"
    seen = []
    net = mlp()
    cb = LambdaCallback(
        on_epoch_end=lambda e, logs: seen.append(
            read_checkpoint(path)[1]["epoch"] if path.exists() else None
        )
    )
    fit(
        net,
        x,
        t,
        optimizer="adam",
        epochs=5,
        batch_size=16,
        verbose=0,
        seed=0,
        checkpoint=path,
        checkpoint_every=2,
        callbacks=[cb],
    )
    # on_epoch_end runs before the epoch's checkpoint is written
    assert seen == [None, None, 2, 2, 4]
    tensors, info = read_checkpoint(path)
    assert info["epoch"] == 5 and info["global_step"] == 20  # the last epoch is always saved
    assert info["optimizer"]["class_name"] == "adam"
    assert info["net"] == json.loads(json.dumps(net.get_config()))
    for k, v in net.parameters().items():
        assert np.array_equal(tensors[f"param/{k}"], v)
        assert tensors[f"optim/m/{k}"].shape == v.shape
    assert len(info["history"]["epoch"]) == 5


def test_failed_save_leaves_the_old_checkpoint(tmp_path, monkeypatch):
    import errno

    from nnscratch import _atomic

    x, t = blobs(n=64)
    path = tmp_path / "run.ckpt"
    tr = Trainer(mlp(), "sgd", batch_size=16, verbose=0, checkpoint=path, seed=0)
    tr.fit(x, t, epochs=1)
    before = path.read_bytes()

    def broken(f, data):
        f.write(data[: len(data) // 2])  # half a file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_atomic, "_write_all", broken)
    with pytest.raises(OSError, match=r"cannot write .*run\.ckpt: No space left on device"):
        tr.fit(x, t, epochs=2)
    assert path.read_bytes() == before
    assert read_checkpoint(path)[1]["epoch"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.ckpt"]  # no temp file left


def test_resume_checks(tmp_path):
    x, t = blobs(n=64)
    path = tmp_path / "c.ckpt"
    fit(mlp(), x, t, epochs=1, batch_size=16, verbose=0, checkpoint=path)
    with pytest.raises(
        ValueError, match="batch_size: the checkpoint was written with batch_size 16"
    ):
        fit(mlp(), x, t, epochs=2, batch_size=8, verbose=0, checkpoint=path, resume=True)
    with pytest.raises(ValueError, match="do not match the network"):
        fit(mlp(hidden=8), x, t, epochs=2, batch_size=16, verbose=0, checkpoint=path, resume=True)
    with pytest.raises(ValueError, match="optimizer: the checkpoint holds the state of 'sgd'"):
        fit(
            mlp(),
            x,
            t,
            optimizer="adam",
            epochs=2,
            batch_size=16,
            verbose=0,
            checkpoint=path,
            resume=True,
        )
    with pytest.raises(ValueError, match=r"resume: expected a checkpoint path \(checkpoint=...\)"):
        fit(mlp(), x, t, epochs=1, verbose=0, resume=True)
    (tmp_path / "junk.ckpt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable safetensors checkpoint"):
        read_checkpoint(tmp_path / "junk.ckpt")
    # resume with no file yet starts afresh
    h = fit(
        mlp(),
        x,
        t,
        epochs=1,
        batch_size=16,
        verbose=0,
        checkpoint=tmp_path / "new.ckpt",
        resume=True,
    )
    assert len(h) == 1


def test_resume_refuses_another_schedule(tmp_path):
    x, t = blobs()  # 200 samples, 13 steps of 16 per epoch

    def trainer(net, path, **kw):
        return _trainer(net, path, callbacks=[], **kw)

    path = tmp_path / "s.ckpt"
    trainer(mlp(), path).fit(x, t, epochs=2)
    before = path.read_bytes()
    net = mlp(seed=5)
    start = weights(net)
    # the same one-cycle peak over 6 epochs instead of 4: another curve from step 26 on
    longer = trainer(net, path, schedule=OneCycle(0.02, total_steps=6 * 13))
    with pytest.raises(ValueError, match=r"schedule: the checkpoint was written with .*") as info:
        longer.fit(x, t, epochs=6, resume=True)
    msg = str(info.value)
    assert '"total_steps": 52' in msg and "got " in msg and '"total_steps": 78' in msg
    assert longer.epoch == 0 and same_weights(weights(net), start)  # nothing was loaded
    assert path.read_bytes() == before
    with pytest.raises(ValueError, match=r"got no Schedule \(None or a plain function\)"):
        trainer(mlp(), path, schedule=None).fit(x, t, epochs=4, resume=True)
    with pytest.raises(ValueError, match=r"written with no Schedule .* got \{\"class_name"):
        lam = tmp_path / "lambda.ckpt"
        trainer(mlp(), lam, schedule=lambda s: 0.01).fit(x, t, epochs=1)
        trainer(mlp(), lam).fit(x, t, epochs=2, resume=True)
    # an equal config (a new object) resumes, bit-identical to an uninterrupted run
    same = mlp(seed=5)
    trainer(same, path, schedule=OneCycle(0.02, total_steps=4 * 13)).fit(
        x, t, epochs=4, resume=True
    )
    straight = mlp()
    trainer(straight, tmp_path / "straight.ckpt").fit(x, t, epochs=4)
    assert same_weights(weights(same), weights(straight))


def test_resume_epochs_is_the_total(tmp_path):
    x, t = blobs(n=64)
    path = tmp_path / "e.ckpt"
    fit(mlp(), x, t, epochs=4, batch_size=16, seed=0, verbose=0, checkpoint=path)
    with pytest.raises(
        ValueError,
        match=r"epochs: the checkpoint has already completed 4 epochs; "
        r"ask for more than 4 to train further, got 3",
    ):
        fit(mlp(), x, t, epochs=3, batch_size=16, verbose=0, checkpoint=path, resume=True)
    # equal: nothing to do; the history of the checkpoint comes back, the weights loaded
    saved, _ = read_checkpoint(path)
    net = mlp(seed=8)
    tr = Trainer(net, "sgd", batch_size=16, verbose=0, checkpoint=path)
    h = tr.fit(x, t, epochs=4, resume=True)
    assert h.epoch == [1, 2, 3, 4] and tr.epoch == 4 and tr.global_step == 16
    for k, v in net.parameters().items():
        assert np.array_equal(v, saved[f"param/{k}"])


@pytest.mark.slow
def test_sigkill_and_resume_matches_an_uninterrupted_run(tmp_path):
    script = str(HERE / "_resume_script.py")
    env = {**os.environ, "PYTHONHASHSEED": "0"}

    def run(*args):
        subprocess.run([sys.executable, script, *map(str, args)], check=True, env=env, timeout=120)

    ck, out = tmp_path / "killed.ckpt", tmp_path / "killed.out"
    proc = subprocess.Popen([sys.executable, script, str(ck), str(out), "--sleep", "0.01"], env=env)
    deadline = time.monotonic() + 60
    while not ck.exists():
        assert proc.poll() is None, "the run ended before writing a checkpoint"
        assert time.monotonic() < deadline, "no checkpoint after 60 s"
        time.sleep(0.005)
    time.sleep(0.05)  # somewhere in the next epoch (15 steps of >= 10 ms each)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert not out.exists()
    epoch_at_kill = read_checkpoint(ck)[1]["epoch"]
    assert 1 <= epoch_at_kill < 6
    run(ck, out, "--resume")
    ref_ck, ref_out = tmp_path / "straight.ckpt", tmp_path / "straight.out"
    run(ref_ck, ref_out)

    from safetensors import safe_open

    def load(path):
        with safe_open(str(path), framework="np") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, f.metadata()

    (wa, ma), (wb, mb) = load(out), load(ref_out)
    assert wa.keys() == wb.keys()
    for k in wa:
        assert np.array_equal(wa[k], wb[k]), k
    ha, hb = json.loads(ma["history"]), json.loads(mb["history"])
    for key in ("loss", "accuracy", "lr"):
        assert ha[key] == hb[key]
    assert ma["steps"] == mb["steps"] == str(6 * 15)


# --- argument checks ---------------------------------------------------------------------


def test_bad_arguments():
    x, t = blobs(n=20)
    with pytest.raises(ValueError, match="batch_size: expected an integer >= 1, got 0"):
        fit(mlp(), x, t, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="epochs"):
        fit(mlp(), x, t, epochs=-1, verbose=0)
    with pytest.raises(ValueError, match="training t: expected 20 rows"):
        fit(mlp(), x, t[:10], verbose=0)
    with pytest.raises(ValueError, match="verbose"):
        fit(mlp(), x, t, verbose=3)
    with pytest.raises(ValueError, match="validation_data"):
        fit(mlp(), x, t, verbose=0, validation_data=x)
    with pytest.raises(TypeError, match="callbacks"):
        fit(mlp(), x, t, verbose=0, callbacks=[print])
    with pytest.raises(TypeError, match="net: expected a network"):
        fit(object(), x, t, verbose=0)
    with pytest.raises(ValueError, match="unknown name 'adamax'"):
        fit(mlp(), x, t, optimizer="adamax", verbose=0)


def test_history_table_and_dict():
    h = History()
    h.append(1, {"loss": 0.5, "accuracy": 0.75, "seconds": 1.234})
    h.append(2, {"loss": 0.25, "accuracy": 0.875, "seconds": 1.0})
    assert h.history == {"loss": [0.5, 0.25], "accuracy": [0.75, 0.875], "seconds": [1.234, 1.0]}
    assert h.as_table() == (
        "epoch    loss  accuracy  seconds\n"
        "    1  0.5000    0.7500     1.23\n"
        "    2  0.2500    0.8750     1.00"
    )
    assert History.from_dict(json.loads(json.dumps(h.to_dict()))).history == h.history


def test_any_object_with_the_network_protocol_trains():
    x, t = blobs()
    inner, ref = mlp(), mlp()
    h = fit(
        Wrapped(inner), x, t, epochs=2, batch_size=20, seed=0, verbose=0, validation_data=(x, t)
    )
    href = fit(ref, x, t, epochs=2, batch_size=20, seed=0, verbose=0, validation_data=(x, t))
    assert h.history.keys() == href.history.keys()
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert h[key] == href[key], key
    assert same_weights(weights(inner), weights(ref))
    assert h["val_loss"][-1] == pytest.approx(ref.loss(x, t), rel=1e-6)


def test_an_object_missing_part_of_the_protocol_is_refused():
    class Partial:
        """Only parameters, value_and_grad, predict and loss: not a Network."""

        def __init__(self, net):
            self._net = net

        def parameters(self):
            return self._net.parameters()

        def value_and_grad(self, x, t):
            return self._net.value_and_grad(x, t)

        def predict(self, x):
            return self._net.predict(x)

        def loss(self, x, t):
            return self._net.loss(x, t)

    x, t = blobs(n=20)
    with pytest.raises(TypeError, match=r"net: expected a network with the members of .*Network"):
        fit(Partial(mlp()), x, t, verbose=0)


# --- data with NaN, and resuming with other hyperparameters --------------------------


@pytest.mark.parametrize("where", ["x", "t", "x_val"])
def test_non_finite_data_is_refused_before_training(where):
    x, t = blobs(n=40)
    onehot = np.eye(3, dtype=np.float32)[t]
    xv, tv = x.copy(), onehot.copy()
    net = mlp()
    start = weights(net)
    if where == "x":
        x = x.copy()
        x[3, 1] = np.nan
        pattern = r"training x: expected finite values, got nan at index \(3, 1\)"
    elif where == "t":
        onehot[7, 2] = np.inf
        pattern = r"training t: expected finite values, got inf at index \(7, 2\)"
    else:
        xv[0, 0] = -np.inf
        pattern = r"validation x: expected finite values, got -inf at index \(0, 0\)"
    with pytest.raises(ValueError, match=pattern):
        fit(net, x, onehot, epochs=1, batch_size=10, verbose=0, validation_data=(xv, tv))
    assert same_weights(weights(net), start)  # nothing trained


def test_resume_refuses_another_learning_rate_naming_it(tmp_path):
    x, t = blobs(n=64)
    path = tmp_path / "lr.ckpt"
    fit(mlp(), x, t, optimizer=SGD(0.1), epochs=1, batch_size=16, verbose=0, checkpoint=path)
    before = path.read_bytes()
    net = mlp(seed=3)
    start = weights(net)
    with pytest.raises(
        ValueError,
        match=r"lr: the checkpoint was written with sgd lr 0\.1; resume with the same "
        r"to continue exactly, got 0\.2",
    ):
        fit(
            net,
            x,
            t,
            optimizer=SGD(0.2),
            epochs=2,
            batch_size=16,
            verbose=0,
            checkpoint=path,
            resume=True,
        )
    assert same_weights(weights(net), start) and path.read_bytes() == before
    # any other hyperparameter is named the same way
    fit(
        mlp(),
        x,
        t,
        optimizer=Adam(0.01),
        epochs=1,
        batch_size=16,
        verbose=0,
        checkpoint=tmp_path / "adam.ckpt",
    )
    with pytest.raises(ValueError, match=r"beta2: the checkpoint was written with adam beta2 "):
        fit(
            mlp(),
            x,
            t,
            optimizer=Adam(0.01, beta2=0.99),
            epochs=2,
            batch_size=16,
            verbose=0,
            checkpoint=tmp_path / "adam.ckpt",
            resume=True,
        )


def test_resume_with_a_schedule_names_the_learning_rate_not_the_length(tmp_path):
    # as `nnscratch train --lr` does: the optimizer's lr and the schedule's peak both change
    x, t = blobs()
    path = tmp_path / "cycle.ckpt"

    def run(lr):
        tr = Trainer(
            mlp(),
            AdamW(lr),
            batch_size=16,
            schedule=OneCycle(lr, 4 * 13),
            verbose=0,
            checkpoint=path,
        )
        return tr.fit(x, t, epochs=2, resume=True)

    run(0.01)
    with pytest.raises(ValueError, match=r"^lr: the checkpoint was written with adamw lr 0\.01"):
        run(0.02)
    # only the schedule's peak: named in the schedule's message
    tr = Trainer(
        mlp(),
        AdamW(0.01),
        batch_size=16,
        schedule=OneCycle(0.02, 4 * 13),
        verbose=0,
        checkpoint=path,
    )
    with pytest.raises(ValueError, match=r"^schedule: .*\(max_lr differs\)"):
        tr.fit(x, t, epochs=4, resume=True)


def test_resume_after_a_callback_changed_the_learning_rate(tmp_path):
    # the comparison is with the hyperparameters the run began with, not the live lr
    x, t = blobs(n=64)
    path = tmp_path / "plateau.ckpt"

    def halve(epoch, logs):
        trainer.optimizer.lr = trainer.optimizer.lr / 2

    trainer = Trainer(
        mlp(),
        SGD(0.1),
        batch_size=16,
        verbose=0,
        checkpoint=path,
        callbacks=[LambdaCallback(on_epoch_end=halve)],
    )
    trainer.fit(x, t, epochs=2)
    trainer = Trainer(
        mlp(),
        SGD(0.1),
        batch_size=16,
        verbose=0,
        checkpoint=path,
        callbacks=[LambdaCallback(on_epoch_end=halve)],
    )
    trainer.fit(x, t, epochs=3, resume=True)
    assert trainer.optimizer.lr == pytest.approx(0.1 / 8)

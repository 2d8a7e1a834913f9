"""nnscratch.recipes: the MLPConfig of `nnscratch train`, the network and schedule it builds."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nnscratch import schedules
from nnscratch.recipes import (
    SCHEDULES,
    MLPConfig,
    build_mlp,
    make_optimizer,
    make_schedule,
    train_mnist,
)
from nnscratch.training.callbacks import Callback

# ------------------------------------------------------------------ MLPConfig


def test_defaults_are_the_documented_recipe():
    c = MLPConfig()
    assert c.hidden == (256, 256)
    assert (c.activation, c.init, c.optimizer, c.schedule) == (
        "relu",
        "he_normal",
        "adamw",
        "one_cycle",
    )
    assert (c.lr, c.weight_decay, c.label_smoothing) == (5e-3, 0.01, 0.1)
    assert (c.epochs, c.batch_size, c.seed, c.dtype) == (4, 256, 0, "float32")


def test_hidden_list_becomes_a_tuple_and_to_dict_round_trips_through_json():
    c = MLPConfig(hidden=[64, np.int64(32)], epochs=2)
    assert c.hidden == (64, 32)
    d = json.loads(json.dumps(c.to_dict()))
    assert d["hidden"] == [64, 32]
    assert MLPConfig(**d) == c


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"hidden": (10, 0)}, ValueError, r"hidden: expected positive layer sizes, got \(10, 0\)"),
        ({"hidden": "100"}, TypeError, "hidden: expected a tuple of layer sizes"),
        ({"hidden": 100}, TypeError, "hidden: expected a tuple of layer sizes"),
        ({"hidden": (10.5,)}, TypeError, "hidden: expected a tuple of layer sizes"),
        ({"epochs": 0}, ValueError, "epochs: expected a positive integer, got 0"),
        ({"epochs": 2.0}, ValueError, "epochs: expected a positive integer"),
        ({"batch_size": 0}, ValueError, "batch_size: expected a positive integer, got 0"),
        ({"batch_size": True}, ValueError, "batch_size: expected a positive integer"),
        ({"seed": -1}, ValueError, "seed: expected an integer >= 0, got -1"),
        ({"lr": 0.0}, ValueError, "lr: expected a positive finite number"),
        ({"lr": math.inf}, ValueError, "lr: expected a positive finite number"),
        ({"lr": math.nan}, ValueError, "lr: expected a positive finite number"),
        ({"weight_decay": -1e-4}, ValueError, "weight_decay: expected a finite number >= 0"),
        ({"label_smoothing": 1.0}, ValueError, r"label_smoothing: expected a number in \[0, 1\)"),
        ({"label_smoothing": -0.1}, ValueError, "label_smoothing"),
        ({"dtype": "float16"}, ValueError, "dtype: expected 'float32' or 'float64'"),
        ({"schedule": "linear"}, ValueError, "schedule: expected one of"),
        ({"activation": "relux"}, ValueError, "activation: unknown name 'relux'"),
        ({"init": "he"}, ValueError, "initializer: unknown name 'he'"),
        ({"optimizer": "adamax"}, ValueError, "optimizer: unknown name 'adamax'"),
    ],
)
def test_config_errors_name_the_setting(kwargs, error, message):
    with pytest.raises(error, match=message):
        MLPConfig(**kwargs)


# ------------------------------------------------------------------ build_mlp


def _layer_summary(net):
    out = []
    for layer in net.get_config()["layers"]:
        cfg = layer["config"]
        if layer["class_name"] == "Dense":
            out.append(("Dense", cfg["in_features"], cfg["out_features"]))
        else:
            out.append((layer["class_name"], cfg["activation"]))
    return out


def test_build_mlp_default_architecture():
    net = build_mlp(MLPConfig())
    assert _layer_summary(net) == [
        ("Dense", 784, 256),
        ("Activation", "relu"),
        ("Dense", 256, 256),
        ("Activation", "relu"),
        ("Dense", 256, 10),
    ]
    shapes = {k: v.shape for k, v in net.parameters().items()}
    assert shapes == {
        "0.W": (784, 256),
        "0.b": (256,),
        "2.W": (256, 256),
        "2.b": (256,),
        "4.W": (256, 10),
        "4.b": (10,),
    }
    assert net.num_params() == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10 == 269_322
    assert all(v.dtype == np.float32 for v in net.parameters().values())
    assert net.get_config()["loss"] == {
        "class_name": "softmax_cross_entropy",
        "config": {"label_smoothing": 0.1},
    }


def test_build_mlp_custom_config():
    net = build_mlp(MLPConfig(hidden=(8, 6, 4), activation="tanh", dtype="float64"), 20, 3)
    assert _layer_summary(net) == [
        ("Dense", 20, 8),
        ("Activation", "tanh"),
        ("Dense", 8, 6),
        ("Activation", "tanh"),
        ("Dense", 6, 4),
        ("Activation", "tanh"),
        ("Dense", 4, 3),
    ]
    assert all(v.dtype == np.float64 for v in net.parameters().values())
    assert net.predict(np.zeros((2, 20))).shape == (2, 3)


def test_build_mlp_without_hidden_layers_is_softmax_regression():
    net = build_mlp(MLPConfig(hidden=()))
    assert _layer_summary(net) == [("Dense", 784, 10)]


def test_build_mlp_init_follows_config():
    # he_normal: std sqrt(2 / fan_in); 784 x 256 draws give a std within 1 %.
    w = build_mlp(MLPConfig()).parameters()["0.W"]
    assert np.std(w) == pytest.approx(math.sqrt(2 / 784), rel=0.01)
    w = build_mlp(MLPConfig(init="zeros")).parameters()["0.W"]
    assert not w.any()


def test_same_seed_same_weights_other_seed_other_weights():
    a = build_mlp(MLPConfig(hidden=(16,), seed=3)).parameters()
    b = build_mlp(MLPConfig(hidden=(16,), seed=3)).parameters()
    c = build_mlp(MLPConfig(hidden=(16,), seed=4)).parameters()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["0.W"], c["0.W"])


# ------------------------------------------------------------------ optimizer and schedule


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "adamw"])
def test_make_optimizer(name):
    opt = make_optimizer(MLPConfig(optimizer=name, lr=0.05, weight_decay=1e-3))
    assert opt.name == name
    assert opt.lr == 0.05
    assert opt.weight_decay == 1e-3


def test_make_schedule_one_cycle():
    c = MLPConfig(lr=0.01, epochs=2)
    s = make_schedule(c, 100)
    assert isinstance(s, schedules.OneCycle)
    assert s.total_steps == 200
    assert s(0) == pytest.approx(0.01 / 25)  # starts at max_lr / div_factor
    assert s(59) == pytest.approx(0.01)  # peaks at step 0.3 * 200 - 1
    assert max(s(k) for k in range(200)) == pytest.approx(0.01)
    assert s(199) == pytest.approx(0.01 / 25 / 1e4)


def test_make_schedule_cosine():
    s = make_schedule(MLPConfig(lr=0.01, epochs=3, schedule="cosine"), 10)
    assert isinstance(s, schedules.CosineDecay)
    assert s(0) == pytest.approx(0.01)
    assert s(15) == pytest.approx(0.005)  # half-way: (1 + cos(pi / 2)) / 2
    assert s(30) == pytest.approx(0.0)


def test_make_schedule_step():
    s = make_schedule(MLPConfig(lr=0.01, epochs=3, schedule="step"), 10)
    assert isinstance(s, schedules.StepDecay)
    assert [s(k) for k in (0, 9, 10, 19, 20, 29)] == pytest.approx(
        [0.01, 0.01, 0.001, 0.001, 0.0001, 0.0001]
    )


def test_make_schedule_constant_is_none():
    assert make_schedule(MLPConfig(schedule="constant"), 10) is None


def test_every_schedule_name_is_handled():
    for name in SCHEDULES:
        s = make_schedule(MLPConfig(schedule=name, lr=0.02), 50)
        assert s is None or s(0) <= 0.02


def test_make_schedule_errors():
    with pytest.raises(ValueError, match="'one_cycle' needs at least 4 optimizer steps"):
        make_schedule(MLPConfig(epochs=1), 3)
    assert make_schedule(MLPConfig(epochs=1), 4).total_steps == 4
    with pytest.raises(ValueError, match="steps_per_epoch: expected a positive integer"):
        make_schedule(MLPConfig(), 0)


# ------------------------------------------------------------------ train_mnist on small data


def _clusters(n, features=12, seed=0):
    """Ten well-separated Gaussian clusters: an easy stand-in for MNIST's shapes."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(99).normal(0, 3, (10, features))
    t = rng.integers(0, 10, n)
    x = centres[t] + rng.normal(0, 0.5, (n, features))
    return x.astype(np.float32), t.astype(np.uint8)


class _Rows(Callback):
    def __init__(self):
        self.epochs = []

    def on_epoch_end(self, epoch, logs):
        self.epochs.append((epoch, dict(logs)))


def test_train_mnist_learns_small_clusters_and_reports_each_epoch():
    data = (_clusters(600), _clusters(200, seed=1))
    rows = _Rows()
    config = MLPConfig(hidden=(16,), epochs=3, batch_size=32, lr=0.01)
    net, history = train_mnist(config, data, callbacks=[rows])
    assert len(history) == 3
    assert [e for e, _ in rows.epochs] == [1, 2, 3]
    assert {"loss", "val_accuracy"} <= set(rows.epochs[-1][1])
    assert history["val_accuracy"][-1] >= 0.95
    x_test, t_test = data[1]
    assert net.accuracy(x_test, t_test) == pytest.approx(history["val_accuracy"][-1])
    assert net.parameters()["0.W"].shape == (12, 16)


def test_train_mnist_same_seed_same_run():
    data = (_clusters(300), _clusters(100, seed=1))
    config = MLPConfig(hidden=(8,), epochs=2, batch_size=50, lr=0.01, seed=5)
    a, ha = train_mnist(config, data)
    b, hb = train_mnist(config, data)
    assert ha["loss"] == hb["loss"]
    for key, value in a.parameters().items():
        np.testing.assert_array_equal(value, b.parameters()[key])

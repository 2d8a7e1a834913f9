"""The playground's training state: a small network learning a 2-D set, one epoch at a time.

One epoch is one pass over the training points in mini-batches of
``batch`` points, each followed by one update:

* ``batch = 1`` updates after every point: Zhou's *standard BP* (Zhou
  Zhihua, "Machine Learning", section 5.3, the error backpropagation
  algorithm as first stated);
* ``batch = "all"`` updates once per pass with the gradient of the whole
  training set: his *accumulated BP*.

The network is ``nn.Sequential`` of ``nn.Dense`` and ``nn.Activation``
layers with a softmax cross-entropy head over the two classes, trained by
``value_and_grad`` and an optimizer of ``nn.optimizers``: the library the
learner reads, not a copy.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

import nnscratch as nn
from nnscratch._validate import Integer, Options, Real, check, check_seed, fail
from nnscratch.web import toy2d

__all__ = ["LIMITS", "Config", "PlaygroundSession", "parse_config"]

#: Caps that keep one page from exhausting the machine.
LIMITS = {
    "layers": 6,  # hidden layers
    "units": 16,  # units per hidden layer
    "points": 1000,
    "epochs_per_request": 2000,
}
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
GRID = 48  # the decision-region picture, GRID x GRID
NEURON_GRID = 20  # each neuron's own picture
EXTENT = 1.6  # pictures cover [-EXTENT, EXTENT]^2


@dataclass(frozen=True)
class Config:
    """Everything that defines a playground run (and the page's URL)."""

    dataset: str = "xor"
    noise: float = 0.0
    points: int = 200
    train: float = 0.5  # fraction of points used for training
    layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    optimizer: str = "sgd"
    lr: float = 0.03
    batch: int | str = 10  # an int >= 1 or "all"
    weight_decay: float = 0.0
    seed: int = 1

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["layers"] = list(self.layers)
        return d


def parse_config(body: Any) -> Config:
    """A :class:`Config` from a JSON object; ValueError/TypeError name the bad field."""
    if not isinstance(body, dict):
        raise fail("config", "a JSON object", type(body).__name__, TypeError)
    known = Config.__dataclass_fields__
    unknown = sorted(set(body) - set(known))
    if unknown:
        raise fail("config", f"keys from {', '.join(known)}", f"unknown keys {unknown}")
    d = {**Config().as_json(), **body}
    layers = d["layers"]
    if not isinstance(layers, list):
        raise fail("layers", "a list of unit counts", type(layers).__name__, TypeError)
    if len(layers) > LIMITS["layers"]:
        raise fail("layers", f"at most {LIMITS['layers']} hidden layers", len(layers))
    units = tuple(
        check(f"layers[{i}]", u, Integer(1, LIMITS["units"])) for i, u in enumerate(layers)
    )
    batch = d["batch"]
    if batch != "all":
        batch = check("batch", batch, Integer(1, LIMITS["points"]))
    seed = check_seed("seed", d["seed"])
    if seed is None or seed > 2**31:
        raise fail("seed", "an integer in [0, 2147483648]", seed)
    return Config(
        dataset=check("dataset", d["dataset"], Options(*toy2d.DATASETS)),
        noise=check("noise", d["noise"], Real(0, 0.5)),
        points=check("points", d["points"], Integer(20, LIMITS["points"])),
        train=check("train", d["train"], Real(0.1, 0.9)),
        layers=units,
        activation=check("activation", d["activation"], Options(*ACTIVATIONS)),
        optimizer=check("optimizer", d["optimizer"], Options(*OPTIMIZERS)),
        lr=check("lr", d["lr"], Real(0, 10, low_open=True)),
        batch=batch,
        weight_decay=check("weight_decay", d["weight_decay"], Real(0, 1)),
        seed=seed,
    )


def _network(cfg: Config) -> Any:
    """Dense -> activation for each hidden layer, then Dense to the two classes' logits."""
    layers: list[Any] = []
    fan_in = 2
    for units in cfg.layers:
        layers += [nn.Dense(fan_in, units), nn.Activation(cfg.activation)]
        fan_in = units
    layers.append(nn.Dense(fan_in, 2))
    return nn.Sequential(layers, loss="softmax_cross_entropy", seed=cfg.seed, dtype="float64")


def _grid(n: int) -> np.ndarray:
    """Points of an n x n picture over [-EXTENT, EXTENT]^2, row by row from the top."""
    axis = np.linspace(-EXTENT, EXTENT, n)
    gx, gy = np.meshgrid(axis, axis[::-1])
    return np.column_stack([gx.ravel(), gy.ravel()])


def _bytes(values: np.ndarray) -> str:
    """Values in [0, 1] as base64 of one byte each (a picture the page paints)."""
    q = np.clip(np.rint(values * 255.0), 0, 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


class PlaygroundSession:
    """One browser page's run: data, network, optimizer; ``lock`` guards them all."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.lock = threading.Lock()
        x, t = toy2d.make(cfg.dataset, cfg.points, cfg.noise, cfg.seed)
        n_train = max(1, min(len(x) - 1, round(cfg.train * len(x))))
        self.x_train, self.t_train = x[:n_train], t[:n_train]
        self.x_test, self.t_test = x[n_train:], t[n_train:]
        self.net = _network(cfg)
        self.optimizer = nn.optimizers.get(
            {
                "class_name": cfg.optimizer,
                "config": {"lr": cfg.lr, "weight_decay": cfg.weight_decay},
            }
        )
        self.rng = np.random.default_rng(cfg.seed)
        self.epoch = 0
        self.diverged = False
        self.train_loss = self.net.loss(self.x_train, self.t_train)
        self.test_loss = self.net.loss(self.x_test, self.t_test)

    @property
    def batch_size(self) -> int:
        n = len(self.x_train)
        return n if self.cfg.batch == "all" else min(int(self.cfg.batch), n)

    def train_epoch(self) -> None:
        """One pass over the shuffled training points, one update per mini-batch."""
        params = self.net.trainable_parameters()
        order = self.rng.permutation(len(self.x_train))
        b = self.batch_size
        for start in range(0, len(order), b):
            idx = order[start : start + b]
            loss, grads = self.net.value_and_grad(self.x_train[idx], self.t_train[idx])
            if not np.isfinite(loss):
                self.diverged = True
                return
            self.optimizer.step(params, grads)
        self.epoch += 1
        self.train_loss = self.net.loss(self.x_train, self.t_train)
        self.test_loss = self.net.loss(self.x_test, self.t_test)
        if not (np.isfinite(self.train_loss) and np.isfinite(self.test_loss)):
            self.diverged = True

    def run(self, epochs: int) -> dict[str, Any]:
        """Train ``epochs`` epochs (fewer if the loss diverges) and return :meth:`frame`."""
        with self.lock:
            for _ in range(epochs):
                if self.diverged:
                    break
                self.train_epoch()
            return self.frame()

    def frame(self) -> dict[str, Any]:
        """What the page draws: losses, the decision regions and every hidden neuron's picture."""
        regions = self.net.predict_proba(_grid(GRID))[:, 1]
        neurons = []
        a = _grid(NEURON_GRID)
        for layer in self.net.layers[:-1]:
            a = layer.forward(a, False)
            if isinstance(layer, nn.Activation):
                # each neuron's output over the plane, scaled by its largest |value|
                scale = np.maximum(np.abs(a).max(axis=0), 1e-12)
                neurons.append([_bytes(0.5 + 0.5 * a[:, j] / scale[j]) for j in range(a.shape[1])])
        return {
            "epoch": self.epoch,
            "train_loss": _finite(self.train_loss),
            "test_loss": _finite(self.test_loss),
            "diverged": self.diverged,
            "regions": _bytes(regions),
            "grid": GRID,
            "neuron_grid": NEURON_GRID,
            "neurons": neurons,
            "extent": EXTENT,
        }

    def points(self) -> dict[str, Any]:
        """The data, for the page to draw over the regions."""
        return {
            "train": {"x": self.x_train.round(4).tolist(), "t": self.t_train.tolist()},
            "test": {"x": self.x_test.round(4).tolist(), "t": self.t_test.tolist()},
        }


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None

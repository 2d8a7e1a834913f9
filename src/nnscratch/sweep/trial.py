"""The trial of a sweep: train the MNIST recipe on a split of the training set, report per epoch.

:class:`MLPTrial` is picklable by reference (a frozen dataclass of plain
settings), so a Dask worker can run it: it loads MNIST itself, once per
process, and cuts the same train / validation split from the *training* set
on every worker (the test set is never touched). The validation set takes
``validation`` of the first ``n_train`` images after one seeded shuffle, as the
book's search does (section 6.5.3: 500 images, 20 % for validation).

A trial returns a plain dict (its row of the results file): the status
(``ok``, ``pruned`` or ``failed``), the final and best validation accuracy,
the final validation loss, and per-epoch curves of validation accuracy,
validation loss and running training accuracy.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnscratch import Callback, TrainingDivergedError
from nnscratch._validate import Integer, Real, check, check_seed, fail
from nnscratch.datasets import load_mnist
from nnscratch.recipes import MLPConfig, build_mlp, make_trainer

__all__ = ["BOOK_SETTINGS", "MLPTrial", "MedianRule", "trial_seed"]

#: The book's search (section 6.5.3): six hidden layers of 100 ReLU units, He
#: initialisation, plain SGD with an L2 weight decay, mini-batches of 100, 50
#: epochs, a constant learning rate, no label smoothing.
BOOK_SETTINGS: dict[str, Any] = {
    "hidden": (100, 100, 100, 100, 100, 100),
    "activation": "relu",
    "init": "he_normal",
    "optimizer": "sgd",
    "schedule": "constant",
    "epochs": 50,
    "batch_size": 100,
    "label_smoothing": 0.0,
}


def trial_seed(sweep_seed: int, trial: int) -> tuple[np.random.Generator, int]:
    """Trial ``trial``'s sampling Generator and training seed, from ``(sweep_seed, trial)`` only.

    Both come from ``SeedSequence(sweep_seed, spawn_key=(trial,))`` (the
    ``trial``-th child of the sweep's SeedSequence), so trial i draws the same
    parameters and trains the same way whichever worker runs it, and in
    whatever order.
    """
    child = np.random.SeedSequence(sweep_seed, spawn_key=(trial,))
    sample_ss, train_ss = child.spawn(2)
    return np.random.default_rng(sample_ss), int(train_ss.generate_state(1)[0])


@dataclass(frozen=True)
class MedianRule:
    """Optuna's median pruning, from the curves of the trials finished before this one.

    At epoch ``e`` (from 1) past ``warmup`` epochs, with at least ``startup``
    finished curves, a trial is stopped when its best validation accuracy so
    far is below the median of the finished trials' accuracies at epoch ``e``.
    The decision is Optuna's ``MedianPruner``, asked on an in-memory study
    holding those curves, so it runs on any worker with Optuna installed.
    """

    curves: tuple[tuple[float, ...], ...]
    startup: int = 5
    warmup: int = 1

    def pruner(self) -> Any:
        # Deferred: Optuna is the optional extra "tune", needed only when pruning.
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(
            direction="maximize",
            pruner=optuna.pruners.MedianPruner(
                n_startup_trials=self.startup, n_warmup_steps=self.warmup
            ),
        )
        dist = {"x": optuna.distributions.FloatDistribution(0.0, 1.0)}
        study.add_trials(
            [
                optuna.trial.create_trial(
                    params={"x": 0.5},
                    distributions=dist,
                    value=c[-1],
                    intermediate_values={e + 1: v for e, v in enumerate(c)},
                )
                for c in self.curves
                if c
            ]
        )
        return study.ask()


class _Pruned(Exception):
    pass


class _Reporter(Callback):
    """Records validation accuracy and loss per epoch; asks the pruning rule after each."""

    def __init__(self, rule: MedianRule | None) -> None:
        self.val_acc: list[float] = []
        self.val_loss: list[float] = []
        self.train_acc: list[float] = []
        self.rule = rule
        self._optuna_trial = rule.pruner() if rule is not None else None
        self.pruned = False

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        self.val_acc.append(float(logs["val_accuracy"]))
        self.val_loss.append(float(logs["val_loss"]))
        self.train_acc.append(float(logs.get("accuracy", float("nan"))))
        if self._optuna_trial is not None:
            self._optuna_trial.report(self.val_acc[-1], epoch)
            if self._optuna_trial.should_prune():
                self.pruned = True
                if self.trainer is not None:
                    self.trainer.stop_training = True


@functools.lru_cache(maxsize=4)
def _split(
    n_train: int, validation: float, data_seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, t_train, x_val, t_val)`` from the first ``n_train`` MNIST training images."""
    (x, t), _test_never_used = load_mnist(normalize=True, flatten=True, verbose=False)
    if n_train > len(x):
        raise fail("n_train", f"at most {len(x)} training images", n_train)
    order = np.random.default_rng(data_seed).permutation(len(x))[:n_train]
    n_val = round(n_train * validation)
    if n_val < 1 or n_val >= n_train:
        raise fail(
            "validation", "a fraction leaving >= 1 image on each side", f"{n_val} of {n_train}"
        )
    val, train = order[:n_val], order[n_val:]
    return x[train], t[train], x[val], t[val]


@dataclass(frozen=True)
class MLPTrial:
    """Train :class:`~nnscratch.recipes.MLPConfig` (``base`` with the trial's parameters).

    Args:
        base: the recipe's settings that the sweep does not vary (MLPConfig
            field names; the default is the book's search, :data:`BOOK_SETTINGS`).
        n_train: how many MNIST training images to use (train + validation).
        validation: the fraction of them held out for validation.
        data_seed: seed of the one shuffle that picks and splits the images.
    """

    base: Mapping[str, Any] = field(default_factory=lambda: dict(BOOK_SETTINGS))
    n_train: int = 500
    validation: float = 0.2
    data_seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", dict(self.base))
        check("n_train", self.n_train, Integer(2, 60_000))
        check("validation", self.validation, Real(0, 1, low_open=True, high_open=True))
        check_seed("data_seed", self.data_seed)
        for name in self.base:
            if name not in self.parameters():
                raise fail("base", f"MLPConfig settings among {list(self.parameters())}", name)
        MLPConfig(**self.base)  # unknown names and bad values fail here, not in a trial

    @staticmethod
    def parameters() -> tuple[str, ...]:
        """The names a search space may vary: MLPConfig's fields except ``seed``."""
        return tuple(f.name for f in dataclasses.fields(MLPConfig) if f.name != "seed")

    def config(self, params: Mapping[str, Any], seed: int) -> MLPConfig:
        """The recipe of one trial: ``base``, then ``params``, with the trial's ``seed``.

        A ``hidden`` parameter that is one integer sets the width of every
        hidden layer of ``base`` (``hidden=choice:50,100,200``).
        """
        merged = {**self.base, **params, "seed": seed}
        if "hidden" in params and isinstance(params["hidden"], int):
            merged["hidden"] = (params["hidden"],) * len(self.base.get("hidden", (256, 256)))
        return MLPConfig(**merged)

    def check_space(self, space: Any) -> None:
        """Build the recipe at every bound and option of ``space``: bad values fail now.

        ``space`` is a :class:`~nnscratch.sweep.space.SearchSpace` whose names
        are already among :meth:`parameters`.
        """
        middle = space.sample(np.random.default_rng(0))
        for name, dist in space.params.items():
            values = getattr(dist, "options", None) or (dist.low, dist.high)
            for value in values:
                try:
                    self.config({**middle, name: value}, 0)
                except (TypeError, ValueError) as exc:
                    raise fail(
                        f"space[{name!r}]", "values the recipe accepts", f"{value!r}: {exc}"
                    ) from None

    def settings(self) -> dict[str, Any]:
        """The trial as JSON-able settings (stored beside the results)."""
        base = {k: list(v) if isinstance(v, tuple) else v for k, v in self.base.items()}
        return {
            "kind": "mlp",
            "base": base,
            "n_train": self.n_train,
            "validation": self.validation,
            "data_seed": self.data_seed,
        }

    def __call__(
        self, params: Mapping[str, Any], seed: int, rule: MedianRule | None = None
    ) -> dict[str, Any]:
        """Train one configuration; the row of the results file (without ``trial``)."""
        started = time.perf_counter()
        config = self.config(params, seed)
        x, t, xv, tv = _split(self.n_train, self.validation, self.data_seed)
        net = build_mlp(config, inputs=x.shape[1])
        reporter = _Reporter(rule)
        trainer = make_trainer(config, net, len(x), callbacks=[reporter], verbose=0)
        status, error = "ok", ""
        try:
            trainer.fit(x, t, epochs=config.epochs, validation_data=(xv, tv))
        except TrainingDivergedError as exc:
            status, error = "failed", " ".join(str(exc).split())
        if reporter.pruned:
            status = "pruned"
        return _row(reporter, status, error, seed, started)


def _row(reporter: _Reporter, status: str, error: str, seed: int, started: float) -> dict[str, Any]:
    acc, loss = reporter.val_acc, reporter.val_loss
    return {
        "status": status,
        "seed": seed,
        "val_accuracy": acc[-1] if acc and status != "failed" else None,
        "val_loss": loss[-1] if loss and status != "failed" else None,
        "best_val_accuracy": max(acc) if acc else None,
        "epochs": len(acc),
        "seconds": round(time.perf_counter() - started, 4),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "error": error,
        "val_accuracy_curve": acc,
        "val_loss_curve": loss,
        "train_accuracy_curve": reporter.train_acc,
    }


def curves_so_far(rows: Sequence[Mapping[str, Any]]) -> tuple[tuple[float, ...], ...]:
    """The validation-accuracy curves of the finished (``ok``) rows, for :class:`MedianRule`."""
    return tuple(tuple(r["val_accuracy_curve"]) for r in rows if r["status"] == "ok")

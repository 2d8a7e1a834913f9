"""How a sweep picks the next configuration: random search, or Optuna's TPE with pruning.

Both answer ``ask(trial) -> (params, rule)`` and learn from ``tell(trial,
row)``. Random search (Bergstra & Bengio, JMLR 13, 2012; the book's section
6.5.3) draws trial i's parameters from its own seed (:func:`~nnscratch.sweep.
trial.trial_seed`), so the table is the same in any order, on any number of
workers. TPE (Bergstra et al., NeurIPS 2011) proposes from the trials told
so far; with pruning, each proposal carries the curves of the finished
trials, and the trial stops at the first epoch where it falls below their
median (Optuna's ``MedianPruner``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnscratch.sweep.space import Choice, IntUniform, LogUniform, SearchSpace
from nnscratch.sweep.trial import MedianRule, trial_seed

__all__ = ["STRATEGIES", "RandomSearch", "TPESearch", "make_strategy"]

STRATEGIES = ("random", "tpe")


class RandomSearch:
    """Trial i's parameters: ``space.sample`` with trial i's own Generator."""

    name = "random"

    def __init__(self, space: SearchSpace, seed: int) -> None:
        self.space, self.seed = space, seed

    def ask(self, trial: int) -> tuple[dict[str, Any], MedianRule | None]:
        rng, _ = trial_seed(self.seed, trial)
        return self.space.sample(rng), None

    def tell(self, trial: int, row: Mapping[str, Any]) -> None:
        pass


class TPESearch:
    """Optuna's TPE sampler over ``space``, with median pruning unless ``prune=False``.

    The sampler of trial i is seeded from ``(seed, i)``: run in this
    process, a sweep (and a resumed one) proposes the same parameters for
    the same seed. On a cluster the proposals depend on which trials have
    finished when a worker asks, so they are not reproducible there.
    """

    name = "tpe"

    def __init__(
        self, space: SearchSpace, seed: int, *, prune: bool = True, startup: int = 5
    ) -> None:
        # Deferred: Optuna is the optional extra "tune".
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._optuna = optuna
        self.space, self.seed, self.prune, self.startup = space, seed, prune, startup
        self.study = optuna.create_study(direction="maximize")
        self.distributions = {k: _distribution(optuna, d) for k, d in space.params.items()}
        self._asked: dict[int, Any] = {}
        self._curves: list[tuple[float, ...]] = []

    def ask(self, trial: int) -> tuple[dict[str, Any], MedianRule | None]:
        _, seed = trial_seed(self.seed, trial)
        self.study.sampler = self._optuna.samplers.TPESampler(seed=seed)
        t = self.study.ask(self.distributions)
        self._asked[trial] = t
        params = {k: t.params[k] for k in self.space.names()}
        rule = MedianRule(tuple(self._curves), startup=self.startup) if self.prune else None
        return params, rule

    def tell(self, trial: int, row: Mapping[str, Any]) -> None:
        """Record a finished row; trials of an earlier run (resume) are added as they were."""
        optuna = self._optuna
        curve = [float(v) for v in row.get("val_accuracy_curve") or []]
        state = {
            "ok": optuna.trial.TrialState.COMPLETE,
            "pruned": optuna.trial.TrialState.PRUNED,
        }.get(str(row["status"]), optuna.trial.TrialState.FAIL)
        if row["status"] == "ok":
            self._curves.append(tuple(curve))
        value = float(row["val_accuracy"]) if row["status"] == "ok" else None
        t = self._asked.pop(trial, None)
        if t is None:
            self.study.add_trial(
                optuna.trial.create_trial(
                    params={k: row[k] for k in self.space.names()},
                    distributions=self.distributions,
                    value=value,
                    state=state,
                    intermediate_values={e + 1: v for e, v in enumerate(curve)},
                )
            )
            return
        for e, v in enumerate(curve):
            t.report(v, e + 1)
        self.study.tell(t, value, state=state)


def _distribution(optuna: Any, dist: Any) -> Any:
    d = optuna.distributions
    if isinstance(dist, LogUniform):
        return d.FloatDistribution(dist.low, dist.high, log=True)
    if isinstance(dist, IntUniform):
        return d.IntDistribution(dist.low, dist.high)
    if isinstance(dist, Choice):
        return d.CategoricalDistribution(dist.options)
    return d.FloatDistribution(dist.low, dist.high)


def make_strategy(name: str, space: SearchSpace, seed: int, *, prune: bool = True) -> Any:
    """The strategy called ``name`` ("random" or "tpe") over ``space``."""
    if name == "tpe":
        return TPESearch(space, seed, prune=prune)
    return RandomSearch(space, seed)

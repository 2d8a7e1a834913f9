"""The local-minima experiment: how often each strategy reaches the global minimum.

:func:`minima_experiment` runs plain descent, random restarts, simulated
annealing and the noise of SGD (:mod:`~nnscratch.minima.strategies` for the
Rastrigin function, :mod:`~nnscratch.minima.networks` and :func:`nnscratch.fit`
for XOR) over many seeds on the problems of :mod:`~nnscratch.minima.problems`,
and returns a :class:`MinimaReport` whose :meth:`~MinimaReport.as_table` is
what ``nnscratch demo minima`` prints.

Reference: Zhou Zhihua, "Machine Learning" (2016), section 5.4.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnscratch._validate import Integer, check
from nnscratch.datasets.toy import xor
from nnscratch.minima.networks import anneal_network, restarts_network
from nnscratch.minima.problems import in_global_basin, rastrigin, rastrigin_grad, xor_network
from nnscratch.minima.strategies import (
    DEFAULT_GAMMA,
    noisy_gradient_descent,
    random_restarts,
    simulated_annealing,
)
from nnscratch.training.loop import fit
from nnscratch.training.optimizers import SGD

__all__ = ["MinimaReport", "MinimaRow", "SuccessCount", "minima_experiment"]

#: Strategy name -> (its budget, as printed under the table; one run of it).
Strategies = dict[str, tuple[str, Callable[..., Any]]]


# --- the report -------------------------------------------------------------------
@dataclass(frozen=True)
class SuccessCount:
    """A strategy on a problem over ``runs`` seeds, ``successes`` of which reached the goal.

    The first fields of every table row of the study (:class:`MinimaRow`,
    ``nnscratch.sweep.seeds.SeedRow``).
    """

    problem: str
    strategy: str
    runs: int
    successes: int

    @property
    def success_rate(self) -> float:
        return self.successes / self.runs


@dataclass(frozen=True)
class MinimaRow(SuccessCount):
    """One line of the minima table: a strategy on a problem over ``runs`` seeds."""

    mean_final: float
    median_final: float
    seconds_per_run: float
    budget: str


@dataclass(frozen=True)
class MinimaReport:
    """Result of :func:`minima_experiment`: rows and the settings that produced them."""

    rows: list[MinimaRow]
    settings: dict[str, Any] = field(default_factory=dict)

    def row(self, problem: str, strategy: str) -> MinimaRow:
        """The row of ``problem`` ("rastrigin" or "xor") and ``strategy``."""
        for r in self.rows:
            if r.problem == problem and r.strategy == strategy:
                return r
        raise KeyError(f"no row for problem {problem!r}, strategy {strategy!r}")

    def as_table(self) -> str:
        """A plain-text table, one row per problem and strategy, and the budgets below."""
        head = ("problem", "strategy", "global min", "rate", "mean final", "median", "ms/run")
        body = [
            (
                r.problem,
                r.strategy,
                f"{r.successes}/{r.runs}",
                f"{100 * r.success_rate:.0f}%",
                f"{r.mean_final:.4f}",
                f"{r.median_final:.4f}",
                f"{1e3 * r.seconds_per_run:.1f}",
            )
            for r in self.rows
        ]
        out = _columns(head, body, right={2, 3, 4, 5, 6})
        return "\n".join([*out, "", *self._footer()])

    def _footer(self) -> list[str]:
        """The budget of every problem and strategy once, then the notes of ``settings``."""
        out = ["budgets (per run):"]
        seen = set()
        for r in self.rows:
            key = (r.problem, r.strategy)
            if key not in seen:
                seen.add(key)
                out.append(f"  {r.problem} / {r.strategy}: {r.budget}")
        for k, v in self.settings.items():
            if k.startswith("note"):
                out.append(f"  {v}")
        return out

    def __str__(self) -> str:
        return self.as_table()


def _columns(head: Sequence[str], body: list[Sequence[str]], right: set[int]) -> list[str]:
    """Lines of an aligned text table: the head, a rule of dashes, the body.

    Columns are as wide as their widest cell, two spaces apart; those in
    ``right`` are right-aligned, the others left-aligned.
    """
    widths = [max(len(c[i]) for c in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(head), line(["-" * w for w in widths]), *(line(b) for b in body)]


# --- the experiment ---------------------------------------------------------------
def _tally(
    problem: str,
    strategies: Strategies,
    seeds: int,
    trial: Callable[[Callable[..., Any], int], tuple[float, bool]],
) -> list[MinimaRow]:
    """One row per strategy: ``trial(run, i) -> (final value, success)`` for i < seeds."""
    rows = []
    for name, (budget_text, run) in strategies.items():
        finals, hits, t_start = [], 0, time.perf_counter()
        for i in range(seeds):
            final, hit = trial(run, i)
            finals.append(final)
            hits += hit
        elapsed = (time.perf_counter() - t_start) / seeds
        f = np.asarray(finals, dtype=np.float64)
        rows.append(
            MinimaRow(
                problem=problem,
                strategy=name,
                runs=f.size,
                successes=int(hits),
                mean_final=float(np.mean(f)),
                median_final=float(np.median(f)),
                seconds_per_run=elapsed,
                budget=budget_text,
            )
        )
    return rows


def _rastrigin_strategies(budget: int) -> Strategies:
    """The four strategies on Rastrigin, each ``run(x0, seed) -> end point``."""
    lr = 0.002  # < 2 / (2 + 40 pi^2): stable at the steepest minimum
    n_restarts = 10  # descent settles within ~50 steps here, so 100 each is enough
    per = budget // n_restarts
    t0, step_size = 10.0, 1.0
    alpha = 0.01 ** (1.0 / budget)  # T falls from t0 to t0 / 100 over the run
    sigma0 = step_size / lr  # first noisy step lr * sigma0 as long as an annealing proposal
    domain = (np.full(2, -5.12), np.full(2, 5.12))

    # plain and noisy descent take the same steps; only the noise differs
    descent = {"grad": rastrigin_grad, "lr": lr, "steps": budget, "record_trajectory": False}

    def gd(x0: np.ndarray, s: int) -> np.ndarray:
        return noisy_gradient_descent(rastrigin, x0, **descent).params

    def restarts(x0: np.ndarray, s: int) -> np.ndarray:
        return random_restarts(
            rastrigin, domain, n_restarts, grad=rastrigin_grad, lr=lr, steps=per, seed=s
        ).best_params

    def anneal(x0: np.ndarray, s: int) -> np.ndarray:
        return simulated_annealing(
            rastrigin,
            x0,
            steps=budget,
            t0=t0,
            alpha=alpha,
            step_size=step_size,
            seed=s,
            record_trajectory=False,
        ).best_params

    def noisy(x0: np.ndarray, s: int) -> np.ndarray:
        return noisy_gradient_descent(rastrigin, x0, noise=sigma0, seed=s, **descent).best_params

    return {
        "gradient descent": (f"{budget} steps of lr {lr}", gd),
        "random restarts": (f"{n_restarts} uniform starts x {per} descent steps", restarts),
        "simulated annealing": (
            f"{budget} proposals, T0 {t0:g}, alpha {alpha:.5f} (T0 -> T0/100), step {step_size:g}",
            anneal,
        ),
        "noisy gradient (SGD-like)": (
            f"{budget} steps of lr {lr}, gradient noise sigma0 {sigma0:g}, gamma {DEFAULT_GAMMA}",
            noisy,
        ),
    }


def _rastrigin_rows(seeds: int, budget: int, seed: int) -> list[MinimaRow]:
    starts = [np.random.default_rng([seed, i]).uniform(-5.12, 5.12, 2) for i in range(seeds)]

    def trial(run: Callable[[np.ndarray, int], np.ndarray], i: int) -> tuple[float, bool]:
        x_end = run(starts[i], seed * 100_003 + i)
        return rastrigin(x_end), in_global_basin(x_end)

    return _tally("rastrigin 2-D", _rastrigin_strategies(budget), seeds, trial)


def _xor_strategies(updates: int, x: np.ndarray, t: np.ndarray) -> Strategies:
    """The four strategies on XOR, each ``run(seed) -> trained 2-2-1 network``."""
    lr = 2.0
    n_restarts = 2  # plain descent needs ~200 updates to solve XOR; fewer would starve each run
    sa_steps = 2 * updates
    t0, step_size = 0.1, 0.5
    alpha = 0.01 ** (1.0 / sa_steps)

    def gd(s: int) -> Any:
        net = xor_network(seed=s)  # accumulated BP: one update per pass, in the data's order
        fit(
            net,
            x,
            t,
            optimizer=SGD(lr),
            epochs=updates,
            batch_size=len(x),
            shuffle=False,
            verbose=0,
        )
        return net

    def restarts(s: int) -> Any:
        return restarts_network(
            lambda k: xor_network(seed=k),
            x,
            t,
            n_restarts,
            epochs=updates // n_restarts,
            optimizer=SGD(lr),
            seed=s,
        ).network

    def anneal(s: int) -> Any:
        net = xor_network(seed=s)
        anneal_network(net, x, t, steps=sa_steps, t0=t0, alpha=alpha, step_size=step_size, seed=s)
        return net

    def sgd(s: int) -> Any:
        net = xor_network(seed=s)  # standard BP: one shuffled sample per update
        fit(net, x, t, optimizer=SGD(lr), epochs=updates // len(x), batch_size=1, seed=s, verbose=0)
        return net

    return {
        "gradient descent": (f"{updates} full-batch updates, SGD lr {lr:g}", gd),
        "random restarts": (
            f"{n_restarts} inits x {updates // n_restarts} full-batch updates, lr {lr:g}",
            restarts,
        ),
        "simulated annealing": (
            f"{sa_steps} proposals (forward passes only), T0 {t0:g}, alpha {alpha:.5f} "
            f"(T0 -> T0/100), step {step_size:g}",
            anneal,
        ),
        "SGD, batch size 1": (
            f"{updates} one-sample updates ({updates // len(x)} epochs), lr {lr:g}",
            sgd,
        ),
    }


def _xor_rows(seeds: int, updates: int, seed: int) -> list[MinimaRow]:
    x, labels = xor()
    t = labels.reshape(-1, 1).astype(np.float64)

    def trial(run: Callable[[int], Any], i: int) -> tuple[float, bool]:
        net = run(seed * 100_003 + i)
        return float(net.loss(x, t)), net.accuracy(x, labels) == 1.0

    return _tally("xor 2-2-1", _xor_strategies(updates, x, t), seeds, trial)


def minima_experiment(
    seeds: int = 50,
    *,
    rastrigin_budget: int = 1000,
    xor_updates: int = 400,
    seed: int = 0,
    problems: Sequence[str] = ("rastrigin", "xor"),
) -> MinimaReport:
    """How often each strategy reaches the global minimum, over ``seeds`` seeds.

    Rastrigin 2-D (start uniform in [-5.12, 5.12]^2, the same start for every
    strategy of a seed; success = the end point lies in the origin's basin,
    ``max |x_i| < 0.5``, the mean final column is f there) and XOR with a 2-2-1
    sigmoid network (He-normal initialisation of the seed, binary cross
    entropy; success = all 4 patterns right, the final column is the loss).
    Strategies: plain gradient descent; random restarts (the budget split over
    several starts); simulated annealing (no gradients); the noise of SGD
    (added gradient noise on Rastrigin, one-sample updates on XOR).

    Budgets are about equal per run and stated in the table: on Rastrigin
    ``rastrigin_budget`` gradient steps or energy evaluations; on XOR
    ``xor_updates`` parameter updates, or twice as many annealing proposals,
    each of which costs a forward pass only. The settings are sensible
    defaults, not tuned per strategy: the table shows heuristics, without
    guarantees (Zhou, section 5.4).
    """
    seeds = check("seeds", seeds, Integer(1))
    rastrigin_budget = check("rastrigin_budget", rastrigin_budget, Integer(10))
    xor_updates = check("xor_updates", xor_updates, Integer(4))
    seed = check("seed", seed, Integer(0))
    if isinstance(problems, str) or not set(problems) <= {"rastrigin", "xor"} or not problems:
        raise ValueError(
            f"problems: expected a non-empty list from ('rastrigin', 'xor'), got {problems!r}"
        )
    rows: list[MinimaRow] = []
    if "rastrigin" in problems:
        rows += _rastrigin_rows(seeds, rastrigin_budget, seed)
    if "xor" in problems:
        rows += _xor_rows(seeds, xor_updates, seed)
    settings = {
        "seeds": seeds,
        "rastrigin_budget": rastrigin_budget,
        "xor_updates": xor_updates,
        "problems": list(problems),
        "seed": seed,
        "note_success": (
            "global min: rastrigin end point with max|x_i| < 0.5 (origin's basin); "
            "xor all 4 patterns right. mean/median final: f(x) or the XOR loss."
        ),
    }
    return MinimaReport(rows=rows, settings=settings)

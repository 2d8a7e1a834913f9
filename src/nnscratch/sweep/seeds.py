"""The local-minima experiment over many seeds, on the sweep machinery, with Wilson intervals.

How often does each strategy reach the global minimum? With 50 seeds a rate
of 40 % is known to about +-14 points; with 10,000 seeds to about +-1. This
module splits the seeds into blocks, runs the blocks where the sweep runs its
trials (this process, or Dask workers), appends one row per seed to a
results file as it comes back (so a killed run resumes), and adds up the
table with a 95 % Wilson score interval for each success rate.

Seed i of the run with seed s is the experiment of
:func:`nnscratch.minima.minima_experiment` with one seed, its seed drawn
from ``SeedSequence(s, spawn_key=(i,))``: the same on any worker, in any order.
Adapter note: it calls the public ``minima_experiment(seeds=1, seed=...)``
once per seed, as that is the public surface of the minima module today.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from nnscratch._validate import Integer, check, check_bool, check_seed
from nnscratch.minima import minima_experiment
from nnscratch.minima.experiment import SuccessCount
from nnscratch.sweep.execution import drive, open_runner
from nnscratch.sweep.results import ResultsFile, _value

__all__ = ["SeedReport", "minima_sweep", "wilson_interval"]

#: z of a two-sided 95 % interval: the 0.975 quantile of the standard normal.
Z95 = 1.959963984540054


def wilson_interval(successes: int, runs: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a success rate ``k / n`` (95 % for the default ``z``).

    ``centre = (p + z^2 / 2n) / (1 + z^2 / n)``, ``half = z / (1 + z^2 / n) *
    sqrt(p (1 - p) / n + z^2 / 4n^2)`` with ``p = k / n``. Unlike ``p +- z
    sqrt(p (1 - p) / n)`` it stays inside [0, 1] and is not empty at 0 or n
    successes. Reference: E. B. Wilson, JASA 22 (1927) 209-212.
    """
    n = check("runs", runs, Integer(1))
    k = check("successes", successes, Integer(0, n))
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _seed_of(seed: int, index: int) -> int:
    return int(np.random.SeedSequence(seed, spawn_key=(index,)).generate_state(1)[0])


def _block(indices: Sequence[int], seed: int, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """Run the experiment for each seed index: one row per index, every strategy's outcome."""
    out = []
    for i in indices:
        report = minima_experiment(seeds=1, seed=_seed_of(seed, i), **settings)
        runs = [
            [r.problem, r.strategy, r.successes, r.mean_final, r.seconds_per_run]
            for r in report.rows
        ]
        out.append({"trial": i, "seed": _seed_of(seed, i), "runs": json.dumps(runs)})
    return out


@dataclass(frozen=True)
class SeedRow(SuccessCount):
    """A strategy on a problem over many seeds: the count and its 95 % Wilson interval."""

    low: float
    high: float
    mean_final: float
    median_final: float
    seconds_per_run: float


@dataclass
class SeedReport:
    """The table of :func:`minima_sweep`: one row per problem and strategy."""

    rows: list[SeedRow]
    budgets: dict[tuple[str, str], str] = field(default_factory=dict)
    seconds: float = 0.0
    ran: int = 0

    def as_table(self) -> str:
        head = ("problem", "strategy", "global min", "rate", "95% CI (Wilson)", "mean final",
                "median", "ms/run")  # fmt: skip
        body = [_cells(r) for r in self.rows]
        widths = [max(len(c[i]) for c in [head, *body]) for i in range(len(head))]
        lines = [head, tuple("-" * w for w in widths), *body]
        text = [
            "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                      for i, (c, w) in enumerate(zip(line, widths, strict=True))).rstrip()
            for line in lines
        ]  # fmt: skip
        text += ["", "budgets (per run):"]
        text += [f"  {p} / {s}: {b}" for (p, s), b in self.budgets.items()]
        return "\n".join(text)

    def __str__(self) -> str:
        return self.as_table()


def _cells(r: SeedRow) -> tuple[str, ...]:
    return (
        r.problem,
        r.strategy,
        f"{r.successes}/{r.runs}",
        f"{100 * r.success_rate:.1f}%",
        f"[{100 * r.low:.1f}%, {100 * r.high:.1f}%]",
        f"{r.mean_final:.4f}",
        f"{r.median_final:.4f}",
        f"{1e3 * r.seconds_per_run:.1f}",
    )


def _summarise(rows: dict[int, dict[str, str]]) -> list[SeedRow]:
    outcomes: dict[tuple[str, str], list[tuple[int, float, float]]] = {}
    for i in sorted(rows):
        for problem, strategy, hit, final, secs in _value(rows[i]["runs"]):
            outcomes.setdefault((problem, strategy), []).append((int(hit), final, secs))
    out = []
    for (problem, strategy), runs in outcomes.items():
        hits = sum(h for h, _, _ in runs)
        finals = np.array([f for _, f, _ in runs])
        low, high = wilson_interval(hits, len(runs))
        mean_s = float(np.mean([s for *_, s in runs]))
        out.append(SeedRow(problem, strategy, len(runs), hits, low, high, float(finals.mean()),
                           float(np.median(finals)), mean_s))  # fmt: skip
    return out


def minima_sweep(
    seeds: int = 10_000,
    *,
    seed: int = 0,
    block: int = 20,
    results: str | os.PathLike[str] | None = None,
    resume: bool = False,
    scheduler: Any = None,
    workers: int | None = None,
    progress: bool | None = None,
    on_block: Callable[[int], None] | None = None,
    **experiment: Any,
) -> SeedReport:
    """The minima experiment over ``seeds`` seeds, in blocks of ``block``, here or on Dask.

    ``experiment`` holds the keywords of :func:`nnscratch.minima.minima_experiment`
    (``rastrigin_budget``, ``xor_updates``, ``problems``), with its defaults; the
    others are as for :func:`nnscratch.sweep.run_sweep`. ``results`` gets one
    row per seed, under the experiment's settings.
    """
    seeds = check("seeds", seeds, Integer(1))
    block = check("block", block, Integer(1))
    seed = check_seed("seed", seed) or 0
    resume = check_bool("resume", resume)
    probe = minima_experiment(seeds=1, seed=seed, **experiment)  # checks them, gives budgets
    settings = {k: probe.settings[k] for k in ("rastrigin_budget", "xor_updates", "problems")}
    budgets = {(r.problem, r.strategy): r.budget for r in probe.rows}
    meta = {"format": "nnscratch-minima-1", "seed": seed, **settings}
    columns = ["trial", "seed", "runs"]
    store = (
        ResultsFile.open(results, columns, meta, resume=resume)
        if results is not None
        else ResultsFile(None, columns, {})
    )
    todo = [i for i in range(seeds) if i not in store.rows]
    blocks = iter([todo[k : k + block] for k in range(0, len(todo), block)])
    started, ran = time.perf_counter(), 0
    bar = _bar(seeds, len(store.rows), progress)

    def next_task() -> Any:
        chunk = next(blocks, None)
        if chunk is None:
            return None
        return chunk[0], _block, (chunk, seed, settings)

    def on_done(key: int, rows: list[dict[str, Any]]) -> None:
        nonlocal ran
        for row in rows:
            if row["trial"] not in store.rows:
                store.append(row)
                ran += 1
        bar.update(len(rows))
        if on_block is not None:
            on_block(key)

    try:
        with open_runner(scheduler, workers) as runner:
            drive(runner, next_task, on_done)
    finally:
        bar.close()
    wanted = {i: row for i, row in store.rows.items() if i < seeds}
    return SeedReport(_summarise(wanted), budgets, time.perf_counter() - started, ran)


def _bar(total: int, done: int, show: bool | None) -> Any:
    disable = (not sys.stderr.isatty()) if show is None else not show
    return tqdm(total=total, initial=done, unit="seed", disable=disable, file=sys.stderr)

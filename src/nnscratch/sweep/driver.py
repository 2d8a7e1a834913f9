"""``run_sweep``: a search space, a budget and a trial, run here or on Dask, nothing lost.

    from nnscratch import sweep
    result = sweep.run_sweep(trials=100, results="book-search.csv")  # the book's search
    print(result.table(5))

The driver asks the strategy for trial i's parameters, hands ``trial(params,
seed_i)`` to a runner (this process, or Dask workers), and appends each row
to the results file the moment it comes back. Trials already in the file are
never run again (``resume=True``); each trial number is recorded once.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tqdm.auto import tqdm

from nnscratch._validate import Integer, Options, Real, check, check_bool, check_seed
from nnscratch.sweep.execution import drive, open_runner
from nnscratch.sweep.results import ResultsFile, _value
from nnscratch.sweep.space import SearchSpace, book_space
from nnscratch.sweep.strategies import STRATEGIES, make_strategy
from nnscratch.sweep.trial import MLPTrial, trial_seed

__all__ = ["SweepResult", "format_table", "result_columns", "run_sweep"]

_METRICS = ("val_accuracy", "val_loss", "best_val_accuracy", "epochs_run", "seconds", "worker")
_CURVES = ("val_accuracy_curve", "val_loss_curve", "train_accuracy_curve")


def result_columns(space: SearchSpace) -> list[str]:
    """The results file's columns: trial, status, seed, the parameters, metrics, curves."""
    return ["trial", "status", "seed", *space.names(), *_METRICS, "error", *_CURVES]


def _run_trial(trial: Callable[..., dict[str, Any]], params: dict[str, Any], seed: int,
               rule: Any) -> dict[str, Any]:  # fmt: skip
    """One trial on a worker; an exception of the trial's own is its row, not a crash."""
    try:
        row = trial(params, seed, rule)
    except Exception as exc:  # a deterministic failure: record it, do not retry it
        return {"status": "failed", "seed": seed, "error": f"{type(exc).__name__}: {exc}"}
    row["epochs_run"] = row.pop("epochs", len(row.get("val_accuracy_curve") or ()))
    return row


@dataclass
class SweepResult:
    """The rows of a sweep (every trial once, by trial number) and where they are stored."""

    rows: list[dict[str, Any]]
    params: list[str]
    path: str | None
    seconds: float
    ran: int

    def ok(self) -> list[dict[str, Any]]:
        """The finished (not pruned, not failed) trials."""
        return [r for r in self.rows if r["status"] == "ok"]

    def best(self, k: int = 5) -> list[dict[str, Any]]:
        """The ``k`` finished trials of highest final validation accuracy (ties: lower trial)."""
        return sorted(self.ok(), key=lambda r: (-r["val_accuracy"], r["trial"]))[:k]

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "pruned": 0, "failed": 0}
        for r in self.rows:
            out[r["status"]] = out.get(r["status"], 0) + 1
        return out

    def table(self, k: int = 5) -> str:
        """The best ``k`` configurations as an aligned text table."""
        return format_table(self.best(k), self.params)


def format_table(rows: Sequence[Mapping[str, Any]], params: Sequence[str]) -> str:
    """Rank, trial, validation accuracy and loss, then the parameters, one line per row."""
    head = ["rank", "trial", "val acc", "val loss", *params, "epochs"]
    body = [
        [
            str(i + 1),
            str(r["trial"]),
            f"{r['val_accuracy']:.4f}",
            f"{r['val_loss']:.4f}",
            *(_fmt(r[p]) for p in params),
            str(r["epochs_run"]),
        ]
        for i, r in enumerate(rows)
    ]
    widths = [max(len(c[i]) for c in [head, *body]) for i in range(len(head))]
    lines = [head, ["-" * w for w in widths], *body]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True))
                     for line in lines)  # fmt: skip


def _fmt(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


class _Progress:
    """A bar over trials: done / total, and running, pruned, failed, best so far.

    Silent unless stderr is a terminal (``show=None``), so logs and pipes stay clean.
    """

    def __init__(self, total: int, done: int, show: bool | None) -> None:
        disable = (not sys.stderr.isatty()) if show is None else not show
        self.bar = tqdm(total=total, initial=done, unit="trial", disable=disable, file=sys.stderr)
        self.running = self.pruned = self.failed = 0
        self.best = -math.inf

    def update(self, row: Mapping[str, Any] | None = None, started: int = 0) -> None:
        self.running += started
        if row is not None:
            self.running -= 1
            self.bar.update(1)
            if row["status"] == "pruned":
                self.pruned += 1
            elif row["status"] == "failed":
                self.failed += 1
            else:
                self.best = max(self.best, float(row["val_accuracy"]))
        best = "-" if self.best == -math.inf else f"{self.best:.4f}"
        self.bar.set_postfix_str(
            f"running {self.running}, pruned {self.pruned}, failed {self.failed}, best {best}"
        )

    def close(self) -> None:
        self.bar.close()


def run_sweep(
    space: SearchSpace | Mapping[str, Any] | None = None,
    trial: MLPTrial | None = None,
    *,
    strategy: str = "random",
    trials: int = 100,
    time_limit: float | None = None,
    seed: int = 0,
    results: str | os.PathLike[str] | None = None,
    resume: bool = False,
    scheduler: Any = None,
    workers: int | None = None,
    prune: bool = True,
    progress: bool | None = None,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
) -> SweepResult:
    """Run ``trials`` trials (or until ``time_limit`` seconds) of ``trial`` over ``space``.

    Args:
        space: a :class:`SearchSpace` or a mapping of distributions; default
            :func:`book_space` (the book's lr and weight decay ranges).
        trial: the trial (default: :class:`MLPTrial`, the book's search on
            500 MNIST training images, 100 of them for validation).
        strategy: "random" (the book's) or "tpe" (Optuna, extra ``tune``).
        trials: the number of trials; trials 0 .. trials-1 are the sweep.
        time_limit: seconds after which no new trial starts (running ones finish).
        seed: the sweep's seed; trial i's parameters and training seed come
            from ``(seed, i)`` alone (random search).
        results: the CSV file each finished trial is appended to (None: memory only).
        resume: continue ``results``, skipping the trials already in it.
        scheduler: a Dask scheduler address or ``distributed.Client``.
        workers: 0 runs here; n starts a LocalCluster of n processes;
            None: one per CPU when dask.distributed is installed, else here.
        prune: with "tpe", stop hopeless trials by the median rule.
        progress: draw the progress bar (None: when stderr is a terminal).
        on_trial: called with each new row as it is recorded.

    Every argument, the search space included, is checked before any trial
    starts or any worker is launched.
    """
    trial = MLPTrial() if trial is None else trial
    if not isinstance(space, SearchSpace):
        space = book_space() if space is None else SearchSpace(space, known=trial.parameters())
    else:
        SearchSpace(space.params, known=trial.parameters())
    trial.check_space(space)
    check("strategy", strategy, Options(*STRATEGIES))
    trials = check("trials", trials, Integer(1))
    time_limit = check("time_limit", time_limit, Real(0, None, low_open=True), none=True)
    seed = check_seed("seed", seed)
    seed = 0 if seed is None else seed
    resume, prune = check_bool("resume", resume), check_bool("prune", prune)
    searcher = make_strategy(strategy, space, seed, prune=prune)
    settings = {
        "format": "nnscratch-sweep-1",
        "strategy": strategy,
        "prune": prune if strategy == "tpe" else None,
        "seed": seed,
        "space": space.describe(),
        "trial": trial.settings(),
    }
    store = ResultsFile.open(results, result_columns(space), settings, resume=resume) \
        if results is not None else ResultsFile(None, result_columns(space), {})  # fmt: skip
    for key in sorted(store.rows):
        searcher.tell(key, _parsed(store.rows[key]))
    todo = iter([i for i in range(trials) if i not in store.rows])
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit
    bar = _Progress(trials, len(store.rows), progress)
    ran = 0

    def next_task() -> Any:
        if deadline is not None and time.perf_counter() >= deadline:
            return None
        i = next(todo, None)
        if i is None:
            return None
        params, rule = searcher.ask(i)
        return i, _run_trial, (trial, params, trial_seed(seed, i)[1], rule)

    pending: dict[int, dict[str, Any]] = {}

    def on_submit(i: int) -> None:
        bar.update(started=1)

    def on_done(i: int, row: dict[str, Any]) -> None:
        nonlocal ran
        if i in store.rows:
            return
        row = {**row, "trial": i}
        row.update(pending.pop(i, {}))
        store.append(row)
        parsed = _parsed(store.rows[i])
        searcher.tell(i, parsed)
        ran += 1
        bar.update(parsed)
        if on_trial is not None:
            on_trial(parsed)

    def next_with_params() -> Any:
        task = next_task()
        if task is not None:
            pending[task[0]] = dict(task[2][1])
        return task

    try:
        with open_runner(scheduler, workers) as runner:
            if strategy == "tpe":  # ask as late as possible: one proposal per free worker
                runner.capacity = max(1, runner.capacity // 2)
            drive(runner, next_with_params, on_done, on_submit)
    finally:
        bar.close()
    rows = [_parsed(store.rows[k]) for k in sorted(store.rows)]
    return SweepResult(
        rows=rows,
        params=space.names(),
        path=None if results is None else str(results),
        seconds=time.perf_counter() - started,
        ran=ran,
    )


def _parsed(cells: Mapping[str, str]) -> dict[str, Any]:
    return {k: _value(v) for k, v in cells.items()}

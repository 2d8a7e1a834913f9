"""Hyperparameter sweeps and seed sweeps, in this process or on a Dask cluster.

The book's search (Saitoh, "Deep Learning from Scratch", section 6.5.3):
draw the learning rate and weight decay log-uniformly, train briefly on a
validation split of the training data, keep the best::

    from nnscratch import sweep
    result = sweep.run_sweep(trials=100, seed=0, results="search.csv")
    print(result.table(5))

Pieces: :mod:`~nnscratch.sweep.space` (distributions, checked up front),
:mod:`~nnscratch.sweep.trial` (the MNIST recipe trained on a train /
validation split, reporting per epoch), :mod:`~nnscratch.sweep.strategies`
(random search; Optuna's TPE with median pruning, extra ``tune``),
:mod:`~nnscratch.sweep.execution` (in-process or Dask, extra
``distributed``), :mod:`~nnscratch.sweep.results` (the CSV file each trial
is appended to, so a killed sweep resumes), :mod:`~nnscratch.sweep.seeds`
(the local-minima experiment over many seeds with Wilson intervals).
``nnscratch sweep`` is the command line; docs/sweeps.md the guide.
"""

from __future__ import annotations

from nnscratch.sweep.driver import SweepResult, format_table, run_sweep
from nnscratch.sweep.execution import local_cluster
from nnscratch.sweep.results import ResultsFile, read_results
from nnscratch.sweep.seeds import SeedReport, minima_sweep, wilson_interval
from nnscratch.sweep.space import (
    Choice,
    IntUniform,
    LogUniform,
    SearchSpace,
    Uniform,
    book_space,
    parse,
)
from nnscratch.sweep.trial import BOOK_SETTINGS, MLPTrial, trial_seed

__all__ = [
    "BOOK_SETTINGS",
    "Choice",
    "IntUniform",
    "LogUniform",
    "MLPTrial",
    "ResultsFile",
    "SearchSpace",
    "SeedReport",
    "SweepResult",
    "Uniform",
    "book_space",
    "format_table",
    "local_cluster",
    "minima_sweep",
    "parse",
    "read_results",
    "run_sweep",
    "trial_seed",
    "wilson_interval",
]

"""The minima experiment's cost per seed, and its seeds per minute here and on 2 workers.

``nnscratch demo minima --seeds 10000`` runs all eight strategy-problem
pairs once per seed (:func:`nnscratch.minima.minima_experiment` with one
seed). The first table is the CPU time of each pair per seed in this
process (``time.process_time``, the median over ``--seeds`` seeds, so other
jobs on the machine inflate it less than wall time), with the projection to
10,000 seeds on 1 and 2 cores. The second runs ``--seeds`` seeds with
:func:`nnscratch.sweep.seeds.minima_sweep` in this process and on a
LocalCluster of 2 workers (its start-up included) and prints the wall time,
seeds per minute and the load average, and checks the two give the same
counts.

    python benchmarks/minima_seeds.py [--seeds 40] [--no-cluster]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from nnscratch.datasets.toy import xor
from nnscratch.minima import experiment as E
from nnscratch.sweep.seeds import _seed_of, minima_sweep


def _per_strategy(seeds: int) -> list[tuple[str, str, float]]:
    """(problem, strategy, median CPU seconds per run) with the experiment's own settings."""
    x, labels = xor()
    t = labels.reshape(-1, 1).astype(np.float64)
    out = []
    for name, (_, run) in E._rastrigin_strategies(1000).items():
        times = []
        for i in range(seeds):
            s = _seed_of(0, i)
            x0 = np.random.default_rng([s, 0]).uniform(-5.12, 5.12, 2)
            t0 = time.process_time()
            run(x0, s * 100_003)
            times.append(time.process_time() - t0)
        out.append(("rastrigin 2-D", name, statistics.median(times)))
    for name, (_, run) in E._xor_strategies(400, x, t).items():
        times = []
        for i in range(seeds):
            t0 = time.process_time()
            run(_seed_of(0, i) * 100_003)
            times.append(time.process_time() - t0)
        out.append(("xor 2-2-1", name, statistics.median(times)))
    return out


def _sweep(seeds: int, workers: int) -> tuple[float, list]:
    t0 = time.perf_counter()
    rep = minima_sweep(seeds, workers=workers, block=max(1, seeds // (4 * max(1, workers))),
                       progress=False)  # fmt: skip
    return time.perf_counter() - t0, [(r.problem, r.strategy, r.successes) for r in rep.rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--no-cluster", action="store_true", help="skip the 2-worker run")
    args = ap.parse_args()

    rows = _per_strategy(args.seeds)
    total = sum(s for *_, s in rows)
    print(f"CPU per run, median of {args.seeds} seeds (load {os.getloadavg()[0]:.1f})")
    print(f"{'problem':14} {'strategy':27} {'ms':>7}")
    for problem, strategy, s in rows:
        print(f"{problem:14} {strategy:27} {1e3 * s:7.1f}")
    print(f"{'one seed':42} {1e3 * total:7.1f}")
    print(f"10,000 seeds: {1e4 * total / 60:.0f} CPU-minutes, "
          f"{1e4 * total / 120:.0f} min on 2 idle cores\n")  # fmt: skip

    here_s, here = _sweep(args.seeds, 0)
    print(f"{'run':22} {'wall s':>7} {'seeds/min':>10}  load")
    print(f"{'in-process':22} {here_s:7.1f} {60 * args.seeds / here_s:10.0f}  "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    if not args.no_cluster:
        # minima_sweep starts the cluster; its start-up (a few seconds) is in this row
        two_s, two = _sweep(args.seeds, 2)
        print(f"{'LocalCluster, 2 workers':22} {two_s:7.1f} {60 * args.seeds / two_s:10.0f}  "
              f"{os.getloadavg()[0]:.1f}")  # fmt: skip
        assert two == here, "the cluster's counts differ from the in-process run's"


if __name__ == "__main__":
    main()

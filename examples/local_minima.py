"""How often do descent, restarts, annealing and SGD noise find the global minimum?

Runs ``nnscratch.minima.minima_experiment`` on the 2-D Rastrigin function
and on XOR with a 2-2-1 sigmoid network, one run per seed and strategy, and
prints the table (the budgets are listed under it). ``nnscratch demo minima``
prints the same table for 50 seeds.

Run: python examples/local_minima.py [--seeds 100] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

from nnscratch.minima import minima_experiment


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="runs per strategy (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report = minima_experiment(args.seeds, seed=args.seed)
    print(report.as_table())
    print(f"\n{args.seeds} seeds per row, {time.perf_counter() - start:.1f} s in all")


if __name__ == "__main__":
    main()

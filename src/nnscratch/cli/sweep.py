"""``nnscratch sweep``: the book's hyperparameter search (or TPE), here or on a Dask cluster."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nnscratch.cli._common import CLIError, check_output_file, positive_float, positive_int
from nnscratch.sweep import BOOK_SETTINGS, MLPTrial, SearchSpace, book_space, parse, run_sweep

__all__ = ["register"]

#: --preset: the trial's fixed settings and how many training images it uses.
PRESETS = {
    "book": "the book's search (6.5.3): 784-100x6-10 ReLU, SGD, 50 epochs, batch 100, "
    "500 training images (100 for validation)",
    "recipe": "the 'nnscratch train' recipe (AdamW, one-cycle, 4 epochs) on 10,000 images",
}


def _setting(text: str) -> tuple[str, Any]:
    """argparse type of --set NAME=VALUE: numbers stay numbers, 100,100 is a tuple."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE such as epochs=10, got {text!r}")
    if "," in value or name == "hidden":
        try:
            return name, tuple(int(v) for v in value.split(",") if v)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected integers such as 100,100, got {text!r}"
            ) from None
    for kind in (int, float):
        try:
            return name, kind(value)
        except ValueError:
            pass
    return name, value


def _seconds(text: str) -> float:
    return positive_float(text, "a number of seconds")


def register(sub: argparse._SubParsersAction) -> None:
    presets = "\n".join(f"  {k:<8} {v}" for k, v in PRESETS.items())
    p = sub.add_parser(
        "sweep",
        help="search learning rate and weight decay as the book does, on one machine or a cluster",
        description="Train many configurations on a train/validation split of the MNIST "
        "training set (never the test set) and print the best. Each finished trial is "
        "appended to --results at once; --resume continues a killed sweep. With the "
        "'distributed' extra the trials run on a local Dask cluster (one process per CPU) "
        "or on --scheduler; without it, here.\n\npresets:\n" + presets,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--preset", choices=sorted(PRESETS), default="book", help="default: book")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=KIND:ARGS",
        help="a searched parameter: log:LOW:HIGH, uniform:LOW:HIGH, int:LOW:HIGH or "
        "choice:A,B (repeatable; default the book's lr=log:1e-6:1e-2 and "
        "weight_decay=log:1e-8:1e-4)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        type=_setting,
        metavar="NAME=VALUE",
        help="a fixed recipe setting, e.g. epochs=10 or hidden=100,100 (repeatable)",
    )
    p.add_argument("--strategy", choices=("random", "tpe"), default="random",
                   help="random search (the book's) or Optuna TPE with median pruning "
                   "(needs the 'tune' extra); default random")  # fmt: skip
    p.add_argument("--no-prune", action="store_true", help="with tpe: never stop a trial early")
    p.add_argument("--trials", type=positive_int, default=100, help="default 100")
    p.add_argument("--time", type=_seconds, metavar="SECONDS",
                   help="start no trial after this many seconds")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="the sweep's seed (default 0)")
    p.add_argument("--train", type=positive_int, metavar="N",
                   help="training images used, validation included (default: preset)")  # fmt: skip
    p.add_argument("--validation", type=float, default=0.2,
                   help="fraction of them held out for validation (default 0.2)")  # fmt: skip
    p.add_argument("--results", metavar="CSV", default="sweep.csv",
                   help="results file, one row per trial (default sweep.csv)")  # fmt: skip
    p.add_argument("--resume", action="store_true",
                   help="continue --results, skipping the trials already in it")  # fmt: skip
    p.add_argument("--workers", type=int, metavar="N",
                   help="0: run here; N: a local Dask cluster of N processes "
                   "(default one per CPU when dask.distributed is installed)")  # fmt: skip
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="an existing Dask scheduler, e.g. tcp://host:8786")  # fmt: skip
    p.add_argument("--top", type=positive_int, default=10, help="rows of the table (default 10)")
    p.set_defaults(run=run)


def _trial(args: argparse.Namespace) -> Any:
    base = dict(BOOK_SETTINGS) if args.preset == "book" else {}
    for name, value in args.set:
        base[name] = value
    n_train = args.train or (500 if args.preset == "book" else 10_000)
    return MLPTrial(base=base, n_train=n_train, validation=args.validation, data_seed=args.seed)


def run(args: argparse.Namespace) -> int:
    if args.scheduler is not None and args.workers is not None:
        raise CLIError("give either --scheduler or --workers, not both")
    if args.seed < 0:
        raise CLIError(f"--seed: expected an integer >= 0, got {args.seed}")
    results = check_output_file(args.results, "--results")
    trial = _trial(args)
    space = (
        SearchSpace(dict(parse(s) for s in args.param), known=trial.parameters())
        if args.param
        else book_space()
    )
    result = run_sweep(
        space,
        trial,
        strategy=args.strategy,
        trials=args.trials,
        time_limit=args.time,
        seed=args.seed,
        results=results,
        resume=args.resume,
        scheduler=args.scheduler,
        workers=args.workers,
        prune=not args.no_prune,
    )
    counts = result.counts()
    print(
        f"{len(result.rows)} trials in {result.path} ({result.ran} run now, "
        f"{result.seconds:.1f} s): {counts['ok']} finished, {counts['pruned']} pruned, "
        f"{counts['failed']} failed"
    )
    if not result.ok():
        print("no trial finished", file=sys.stderr)
        return 1
    print(f"best {min(args.top, len(result.ok()))} by final validation accuracy:")
    print(result.table(args.top))
    print(f"figures: nnscratch plot sweep-curves --results {result.path}")
    return 0

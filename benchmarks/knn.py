"""Our brute-force kNN against scikit-learn's on the full MNIST test set, in the same run.

Usage::

    python benchmarks/knn.py            # k = 3, float32 and float64 pixels in [0, 1]

Both classify the 10,000 test images against the 60,000 training images by
Euclidean distance (matrix products, chunked); the table gives seconds for
fit + predict, the ratio (sklearn / ours: above 1 means ours is faster) and
checks that the two agree on every prediction. scikit-learn computes the
products in float64 whatever the input dtype, ours in the input's dtype.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

import nnscratch as nn
from nnscratch.features import KNeighborsClassifier


def _seconds(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=3)
    args = parser.parse_args()
    from sklearn.neighbors import KNeighborsClassifier as SkKNN  # the peer: a bench extra

    (x, t), (xs, ts) = nn.datasets.load_mnist(normalize=True)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, NumPy {np.__version__}")
    print(f"{'dtype':8} {'ours s':>8} {'sklearn s':>10} {'ratio':>6} {'accuracy':>9} {'agree':>6}")
    for dtype in (np.float32, np.float64):
        a, b = x.astype(dtype), xs.astype(dtype)
        ours, ours_s = _seconds(lambda a=a, b=b: KNeighborsClassifier(args.k).fit(a, t).predict(b))
        peer = SkKNN(args.k, algorithm="brute")
        theirs, theirs_s = _seconds(lambda a=a, b=b, p=peer: p.fit(a, t).predict(b))
        agree = float(np.mean(ours == theirs))
        print(f"{np.dtype(dtype).name:8} {ours_s:8.1f} {theirs_s:10.1f} {theirs_s / ours_s:6.2f} "
              f"{np.mean(ours == ts):9.4f} {agree:6.4f}")  # fmt: skip


if __name__ == "__main__":
    main()

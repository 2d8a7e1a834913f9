"""Our brute-force kNN against scikit-learn's on the full MNIST test set, in the same run.

Usage::

    python benchmarks/knn.py                  # raw pixels and PCA-50, k = 1 and 3
    python benchmarks/knn.py --queries 2000   # the first 2,000 test images only

Both classify the 10,000 test images against the 60,000 training images by
Euclidean distance; ``PCA-50`` is ``nnscratch.preprocessing.PCA(50)`` fitted
on the training pixels (not timed, the same features for both). The table
gives seconds for fit + predict, the ratio ours / scikit-learn (below 1: ours
is faster) and the share of predictions on which the two agree (they must
agree on all). scikit-learn computes the distances in float64 whatever the
input dtype; ours finds candidates with float32 products and decides between
them in float64. Each row times ours and then scikit-learn's back to back;
the load average is printed before and after, since on a shared machine it
moves every ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

import nnscratch as nn
from nnscratch.features import KNeighborsClassifier
from nnscratch.preprocessing import PCA


def _seconds(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000, help="test images (default all)")
    args = parser.parse_args()
    from sklearn.neighbors import KNeighborsClassifier as SkKNN  # the peer: a bench extra

    (x, t), (xs, ts) = nn.datasets.load_mnist(normalize=True)
    xs, ts = xs[: args.queries], ts[: args.queries]
    pca = PCA(50).fit(x.astype(np.float32))
    features = {
        "raw": (x, xs),
        "PCA-50": (pca.transform(x.astype(np.float32)), pca.transform(xs.astype(np.float32))),
    }
    runs = [("raw", np.float32, 1), ("raw", np.float32, 3), ("raw", np.float64, 3),
            ("PCA-50", np.float32, 1), ("PCA-50", np.float32, 3)]  # fmt: skip
    print(f"# {platform.machine()}, {os.cpu_count()} cores, NumPy {np.__version__}, "
          f"{len(xs)} queries against {len(x)} training rows")  # fmt: skip
    print(f"# load average (1, 5, 15 min) before: {_load()}")
    print(f"{'features':8} {'dtype':8} {'k':>2} {'ours s':>8} {'sklearn s':>10} "
          f"{'ours/sk':>8} {'accuracy':>9} {'agree':>6}")  # fmt: skip
    for name, dtype, k in runs:
        a, b = (f.astype(dtype) for f in features[name])
        ours, ours_s = _seconds(lambda a=a, b=b, k=k: KNeighborsClassifier(k).fit(a, t).predict(b))
        peer = SkKNN(k, algorithm="brute")
        theirs, theirs_s = _seconds(lambda a=a, b=b, p=peer: p.fit(a, t).predict(b))
        agree = float(np.mean(ours == theirs))
        ratio, accuracy = ours_s / theirs_s, np.mean(ours == ts)
        print(f"{name:8} {np.dtype(dtype).name:8} {k:>2} {ours_s:8.1f} {theirs_s:10.1f} "
              f"{ratio:8.2f} {accuracy:9.4f} {agree:6.4f}", flush=True)  # fmt: skip
    print(f"# load average (1, 5, 15 min) after: {_load()}")


if __name__ == "__main__":
    main()

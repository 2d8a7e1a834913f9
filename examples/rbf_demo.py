"""RBF network demo: XOR with 4 units, sin regression, MNIST (Zhou sec. 5.5.1).

Run: python examples/rbf_demo.py            (XOR and sin, instant)
     python examples/rbf_demo.py --mnist    (adds MNIST; NNSCRATCH_MNIST_DIR helps)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nnscratch.classic import RBFClassifier, RBFNetwork


def xor() -> None:
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    t = np.array([0.0, 1.0, 1.0, 0.0])
    net = RBFNetwork(4, centers=x, beta=1.0).fit(x, t)
    print("XOR, 4 Gaussian units at the inputs (Zhou ex. 5.7), least squares")
    for xi, yi in zip(x, net.predict(x), strict=True):
        print(f"  {xi.astype(int)} -> {yi:+.6f}")
    print(
        f"  accuracy {net.score(x, t.astype(int)):.0%}, weights {np.round(net.weights_[:, 0], 3)}"
    )
    gd = RBFNetwork(4, centers=x, beta=1.0, solver="gd", lr=0.5, epochs=2000, train_betas=True).fit(
        x, t
    )
    print(
        f"  gradient descent (w, b and beta): loss {gd.history_[-1]:.2e}, "
        f"outputs {np.round(gd.predict(x), 3)}, betas {np.round(gd.betas_, 3)}"
    )


def sine() -> None:
    x = np.linspace(0, 2 * np.pi, 100)
    grid = np.linspace(0, 2 * np.pi, 1001)
    print("\nsin on [0, 2 pi], 100 training points, k-means centres, least squares")
    for q in (5, 10, 20):
        for beta in ("max", "nearest"):
            net = RBFNetwork(q, centers="kmeans", beta=beta, seed=0).fit(x, np.sin(x))
            err = np.max(np.abs(net.predict(grid) - np.sin(grid)))
            print(f"  {q:3d} centres, beta={beta:8s} max |error| on 1001 points: {err:.2e}")


def mnist(n_centers: int) -> None:
    from nnscratch.datasets import load_mnist

    (x, t), (xt, tt) = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    print(f"\nMNIST: {n_centers} k-means centres (k-means on 10,000 images), ridge least squares")
    start = time.perf_counter()
    clf = RBFClassifier(n_centers, kmeans_sample=10_000, kmeans_max_iter=20, ridge=1e-3, seed=0)
    clf.fit(x, t)
    print(f"  fit {time.perf_counter() - start:.1f} s, beta {clf.betas_[0]:.4f}")
    print(f"  train error {1 - clf.score(x, t):.2%}, test error {1 - clf.score(xt, tt):.2%}")
    print("  (LeCun et al. 1998: 1000 RBF units + linear classifier, 3.6% test error)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", action="store_true", help="also classify MNIST")
    parser.add_argument("--centers", type=int, default=1000, help="RBF units for MNIST")
    args = parser.parse_args()
    xor()
    sine()
    if args.mnist:
        mnist(args.centers)


if __name__ == "__main__":
    main()

"""Compare nnscratch.classic.SOM with the MiniSom package: quality and time.

Both maps get the same grid, sigma, learning rate, neighbourhood, decay
(asymptotic for eta and sigma), number of online iterations (random sample
order) and the *same initial weights* (our ``random_weights_init``, copied into
MiniSom); both are driven MiniSom's way (``train(data, num_iteration)``).
Sample orders differ (each library shuffles with its own generator), so each
setting is run over several seeds and the means are compared; the topographic
error is bimodal (a map either has a fold, TE of a few percent, or none), hence
"folds" = runs with TE > 0.01. A last check feeds both libraries the *same*
sample sequence: the weights then agree to rounding, which shows the two
implement the same update.

Quantization error (QE) is the same definition in both libraries. For the
topographic error (TE) on rectangular grids MiniSom counts diagonal units as
adjacent; the table shows ours with that convention (``diagonals=True``, which
gives exactly MiniSom's number on the same weights) and with edge adjacency.
MiniSom's hexagonal lattice is ours transposed (its first index runs along
the lattice rows) and, for an even number of rows, mirrored (it shifts every
other row counting from the last); weights are mapped with ``_to_minisom`` /
``_from_minisom``, and then both TEs agree exactly.

Run:  pip install minisom   (only for this script; not a dependency)
      python benchmarks/som_vs_minisom.py [--seeds 5] [--mnist]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nnscratch.classic import SOM
from nnscratch.datasets import load_mnist


def blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(4, 4))
    return np.vstack([c + rng.normal(scale=0.4, size=(150, 4)) for c in centres])


def square(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((1000, 2))


def mnist_subset(n: int = 2000) -> np.ndarray:
    (x, _), _ = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    return x[np.random.default_rng(0).choice(len(x), n, replace=False)].astype(np.float64)


def _to_minisom(w: np.ndarray, topology: str) -> np.ndarray:
    if topology != "hexagonal":
        return w.copy()
    t = w.transpose(1, 0, 2)
    # MiniSom shifts every other lattice row counting from the last one: the
    # odd rows (ours, mirrored) when their number is even, the even rows when odd.
    return (t[::-1] if w.shape[0] % 2 == 0 else t).copy()


def _from_minisom(w: np.ndarray, topology: str) -> np.ndarray:
    if topology != "hexagonal":
        return w.copy()
    t = w[::-1] if w.shape[1] % 2 == 0 else w
    return t.transpose(1, 0, 2).copy()


def run_one(data, size, sigma, lr, iters, topology, seed):
    from minisom import MiniSom  # optional: only this script needs MiniSom

    ours = SOM(size, size, data.shape[1], sigma=sigma, lr=lr, topology=topology, seed=seed)
    ours.random_weights_init(data)
    w0 = ours.get_weights()
    peer = MiniSom(
        size,
        size,
        data.shape[1],
        sigma=sigma,
        learning_rate=lr,
        topology=topology,
        decay_function="asymptotic_decay",
        sigma_decay_function="asymptotic_decay",
        neighborhood_function="gaussian",
        random_seed=seed,
    )
    peer._weights = _to_minisom(w0, topology)  # same start (MiniSom has no public setter)
    t0 = time.perf_counter()
    ours.train(data, iters, random_order=True)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    peer.train(data, iters, random_order=True)
    t_peer = time.perf_counter() - t0
    judge = SOM(size, size, data.shape[1], topology=topology)
    judge.set_weights(_from_minisom(peer.get_weights(), topology))
    row = {
        "qe_ours": ours.quantization_error(data),
        "qe_peer": peer.quantization_error(data),
        "t_ours": t_ours,
        "t_peer": t_peer,
    }
    row["te_peer_own"] = float(peer.topographic_error(data))
    if topology == "rectangular":
        row["te_ours"] = ours.topographic_error(data, diagonals=True)
        row["te_peer"] = judge.topographic_error(data, diagonals=True)
        row["te4_ours"] = ours.topographic_error(data)
        row["te4_peer"] = judge.topographic_error(data)
    else:
        row["te_ours"] = ours.topographic_error(data)
        row["te_peer"] = judge.topographic_error(data)
        row["te4_ours"] = row["te_ours"]
        row["te4_peer"] = row["te_peer"]
    if abs(row["te_peer"] - row["te_peer_own"]) > 1e-9:
        raise RuntimeError(f"TE definitions disagree: {row['te_peer']} vs {row['te_peer_own']}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--mnist", action="store_true", help="add a 2000-image MNIST subset")
    args = parser.parse_args()
    try:
        import minisom  # noqa: F401  (optional: only this script needs MiniSom)
    except ImportError:
        print("minisom is not installed (pip install minisom); nothing to compare.")
        return
    cases = [
        ("blobs 600x4", blobs(), 10, 1.5, 0.5, 10_000, "rectangular"),
        ("blobs 600x4", blobs(), 10, 1.5, 0.5, 10_000, "hexagonal"),
        ("square 1000x2", square(), 15, 2.0, 0.5, 20_000, "rectangular"),
        ("square 1000x2", square(), 15, 2.0, 0.5, 20_000, "hexagonal"),
    ]
    if args.mnist:
        x = mnist_subset()
        cases += [
            ("mnist 2000x784", x, 12, 2.0, 0.5, 10_000, "rectangular"),
            ("mnist 2000x784", x, 12, 2.0, 0.5, 10_000, "hexagonal"),
        ]
    head = (
        f"{'data':15s} {'grid':>11s} {'iters':>6s} | {'QE ours':>8s} {'QE mini':>8s} | "
        f"{'TE ours':>8s} {'TE mini':>8s} | {'folds':>5s} {'folds':>5s} | "
        f"{'TE4 ours':>8s} {'TE4 mini':>8s} | {'s ours':>7s} {'s mini':>7s} {'speedup':>7s}"
    )
    print(
        f"mean over {args.seeds} seeds; TE: MiniSom's adjacency (8 on rect, 6 on hex); "
        "TE4: edges only (4 on rect, 6 on hex)"
    )
    print(head)
    print("-" * len(head))
    for name, data, size, sigma, lr, iters, topo in cases:
        rows = [run_one(data, size, sigma, lr, iters, topo, s) for s in range(args.seeds)]
        m = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
        folds = [sum(r[k] > 0.01 for r in rows) for k in ("te_ours", "te_peer")]
        grid = f"{size}x{size} {topo[:4]}"
        print(
            f"{name:15s} {grid:>11s} {iters:6d} | {m['qe_ours']:8.4f} {m['qe_peer']:8.4f} | "
            f"{m['te_ours']:8.4f} {m['te_peer']:8.4f} | {folds[0]:5d} {folds[1]:5d} | "
            f"{m['te4_ours']:8.4f} {m['te4_peer']:8.4f} | "
            f"{m['t_ours']:7.3f} {m['t_peer']:7.3f} {m['t_peer'] / m['t_ours']:6.2f}x"
        )
    print("\nsame sample sequence for both (square 1000x2, 15x15, 20000 steps):")
    for topo in ("rectangular", "hexagonal"):
        print(f"  {topo:12s} {same_order(topo)}")


def same_order(topology: str, seed: int = 0) -> str:
    from minisom import MiniSom  # optional: only this script needs MiniSom

    data, iters = square(), 20_000
    order = np.arange(iters) % len(data)
    np.random.default_rng(seed).shuffle(order)
    seq = data[order]
    ours = SOM(15, 15, 2, sigma=2.0, lr=0.5, topology=topology, seed=seed)
    ours.random_weights_init(data)
    peer = MiniSom(
        15,
        15,
        2,
        sigma=2.0,
        learning_rate=0.5,
        decay_function="asymptotic_decay",
        sigma_decay_function="asymptotic_decay",
        topology=topology,
        random_seed=seed,
    )
    peer._weights = _to_minisom(ours.get_weights(), topology)
    ours.train(seq, iters, random_order=False)
    peer.train(seq, iters, random_order=False)
    diff = float(np.max(np.abs(ours.get_weights() - _from_minisom(peer.get_weights(), topology))))
    return f"max |w_ours - w_minisom| = {diff:.1e}"


if __name__ == "__main__":
    main()

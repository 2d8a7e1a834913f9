"""Self-organizing map demo: colours and labelled clusters (Zhou sec. 5.5.3).

Run: python examples/som_demo.py [--out som.png]

Trains a 20x20 map on random RGB colours (the classic picture: similar colours
end up side by side) and a hexagonal 8x8 map on three labelled clusters;
prints quantization / topographic error and which unit holds which label, and
with --out saves the colour map next to its U-matrix.
"""

from __future__ import annotations

import argparse

import numpy as np

from nnscratch.classic import SOM


def colours(out: str | None) -> None:
    data = np.random.default_rng(0).random((1000, 3))
    som = SOM(20, 20, 3, sigma=4.0, lr=0.5, n_iter=20_000, seed=0)  # uniform [-1, 1) start
    qe0 = som.quantization_error(data)
    som.fit(data)
    print("Colours, 20x20 rectangular map, 20,000 online steps")
    print(f"  quantization error {qe0:.4f} -> {som.quantization_error(data):.4f}")
    print(
        f"  topographic error  {som.topographic_error(data):.4f} (4 neighbours), "
        f"{som.topographic_error(data, diagonals=True):.4f} (8)"
    )
    if out:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from nnscratch._atomic import atomic_path

        fig, ax = plt.subplots(1, 2, figsize=(8, 4))
        ax[0].imshow(np.clip(som.weights_, 0, 1))
        ax[0].set_title("unit weights as colours")
        im = ax[1].imshow(som.distance_map(), cmap="bone_r")
        ax[1].set_title("U-matrix (normalised)")
        fig.colorbar(im, ax=ax[1])
        for a in ax:
            a.set_xticks([])
            a.set_yticks([])
        with atomic_path(out, suffix=".png") as tmp:
            fig.savefig(tmp, format="png", dpi=100)
        plt.close(fig)
        print(f"  saved {out}")


def clusters() -> None:
    rng = np.random.default_rng(1)
    centres = {"A": [0, 0, 0, 0], "B": [3, 3, 0, 0], "C": [3, 3, 3, 3]}
    data = np.vstack(
        [np.asarray(c) + rng.normal(scale=0.5, size=(50, 4)) for c in centres.values()]
    )
    labels = np.repeat(list(centres), 50)
    som = SOM(8, 8, 4, sigma=2.0, lr=0.5, topology="hexagonal", seed=0)
    som.pca_weights_init(data)
    som.train_batch(data, 30)
    print("\nThree labelled clusters, 8x8 hexagonal map, batch training (30 epochs)")
    print(
        f"  quantization error {som.quantization_error(data):.4f}, "
        f"topographic error {som.topographic_error(data):.4f}"
    )
    lm = som.labels_map(data, labels)
    for r in range(som.rows):
        cells = []
        for c in range(som.cols):
            cnt = lm.get((r, c))
            cells.append(cnt.most_common(1)[0][0] if cnt else ".")
        print("  " + (" " if r % 2 else "") + " ".join(cells))
    print("  (A/B/C: majority label of the unit, '.': no sample; odd rows are shifted)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="save the colour map and U-matrix as a PNG")
    args = parser.parse_args()
    colours(args.out)
    clusters()


if __name__ == "__main__":
    main()

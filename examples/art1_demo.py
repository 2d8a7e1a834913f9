"""ART1 demo: categories of binary patterns as vigilance rises (Zhou sec. 5.5.2).

Run: python examples/art1_demo.py
"""

from __future__ import annotations

import numpy as np

from nnscratch.classic import ART1


def bits(row) -> str:
    return "".join(str(int(b)) for b in row)


def worked_example() -> None:
    x = np.array([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]])
    print("Four 5-bit patterns:", ", ".join(bits(r) for r in x))
    for rho in (0.5, 0.6, 0.7, 0.8, 1.0):
        net = ART1(rho=rho).fit(x)
        protos = ", ".join(bits(w) for w in net.categories_)
        print(
            f"  rho={rho:.1f}: {net.n_categories_} categories [{protos}], "
            f"labels {net.labels_.tolist()}, stable after {net.n_iter_} passes"
        )


def letters() -> None:
    # 5x5 glyphs; noisy copies are presented after the clean ones.
    glyphs = {
        "T": ["#####", "..#..", "..#..", "..#..", "..#.."],
        "L": ["#....", "#....", "#....", "#....", "#####"],
        "O": [".###.", "#...#", "#...#", "#...#", ".###."],
        "X": ["#...#", ".#.#.", "..#..", ".#.#.", "#...#"],
    }
    clean = {k: np.array([[c == "#" for c in row] for row in v]).ravel() for k, v in glyphs.items()}
    rng = np.random.default_rng(0)
    names, rows = [], []
    for name, g in clean.items():
        for copy in range(4):
            noisy = g.copy()
            if copy:  # drop one or two ink pixels (ART1 codes by AND: missing ink is tolerated)
                on = np.flatnonzero(noisy)
                noisy[rng.choice(on, size=copy % 2 + 1, replace=False)] = False
            names.append(name)
            rows.append(noisy)
    data = np.array(rows, dtype=np.uint8)
    print("\n5x5 letters T, L, O, X with 3 thinned copies each (16 inputs)")
    for rho in (0.3, 0.5, 0.7, 0.9):
        net = ART1(rho=rho, beta=0.5).fit(data)
        groups = {}
        for n, j in zip(names, net.labels_, strict=True):
            groups.setdefault(int(j), []).append(n)
        desc = " ".join("".join(v) for v in groups.values())
        print(f"  rho={rho:.1f}: {net.n_categories_:2d} categories  {desc}")


def main() -> None:
    worked_example()
    letters()


if __name__ == "__main__":
    main()

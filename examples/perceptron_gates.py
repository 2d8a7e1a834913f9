"""Logic gates by hand and by Rosenblatt's rule (Saitoh ch. 2, Zhou sec. 5.2).

Run: python examples/perceptron_gates.py
"""

from __future__ import annotations

import numpy as np

from nnscratch.classic import AND, NAND, OR, XOR, Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def main() -> None:
    print("Hand-set gates (Saitoh sec. 2.3, 2.5)")
    print(" x1 x2 | AND NAND OR XOR")
    for x1, x2 in X:
        print(f"  {x1}  {x2} |  {AND(x1, x2)}    {NAND(x1, x2)}   {OR(x1, x2)}   {XOR(x1, x2)}")

    print("\nLearned with w_i <- w_i + eta (y - y_hat) x_i, theta as weight of input -1 (Zhou 5.2)")
    targets = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}
    for name, y in targets.items():
        p = Perceptron(2, lr=0.1, max_epochs=50).fit(X, y)
        state = (
            f"converged in {p.n_iter_} epochs"
            if p.converged_
            else f"NOT converged after {p.n_iter_}"
        )
        print(
            f"  {name:5s} {state:28s} w={np.round(p.weights_, 3)} theta={p.threshold_:+.2f} "
            f"errors/epoch={p.history_[:8]}{'...' if len(p.history_) > 8 else ''}"
        )
    p = Perceptron(1, lr=0.1).fit([[0], [1]], [1, 0])
    state = f"converged in {p.n_iter_} epochs"
    print(f"  NOT   {state:28s} w={np.round(p.weights_, 3)} theta={p.threshold_:+.2f}")
    print("\nXOR is not linearly separable; the two-layer AND(NAND, OR) above computes it.")


if __name__ == "__main__":
    main()

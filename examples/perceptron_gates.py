"""Logic gates by hand and by Rosenblatt's rule (Saitoh ch. 2, Zhou sec. 5.2).

Run: python examples/perceptron_gates.py
"""

from __future__ import annotations

import numpy as np

from nnscratch.perceptron import AND, NAND, OR, XOR, Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def main() -> None:
    print("Hand-set gates (Saitoh sec. 2.3, 2.5)")
    print(" x1 x2 | AND NAND OR XOR")
    for x1, x2 in X:
        print(f"  {x1}  {x2} |  {AND(x1, x2)}    {NAND(x1, x2)}   {OR(x1, x2)}   {XOR(x1, x2)}")

    print("\nLearned with w_i <- w_i + eta (y - y_hat) x_i, theta as weight of input -1 (Zhou 5.2)")
    targets = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}
    for name, y in targets.items():
        p = Perceptron(2, eta=0.1, max_epochs=50)
        r = p.fit(X, y)
        state = (
            f"converged in {r.epochs} epochs" if r.converged else f"NOT converged after {r.epochs}"
        )
        print(
            f"  {name:5s} {state:28s} w={np.round(r.weights, 3)} theta={r.threshold:+.2f} "
            f"errors/epoch={r.errors_per_epoch[:8]}{'...' if len(r.errors_per_epoch) > 8 else ''}"
        )
    p = Perceptron(1, eta=0.1)
    r = p.fit([[0], [1]], [1, 0])
    state = f"converged in {r.epochs} epochs"
    print(f"  NOT   {state:28s} w={np.round(r.weights, 3)} theta={r.threshold:+.2f}")
    print("\nXOR is not linearly separable; the two-layer AND(NAND, OR) above computes it.")


if __name__ == "__main__":
    main()

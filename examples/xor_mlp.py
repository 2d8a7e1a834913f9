"""XOR by backpropagation: the truth table, the hidden codes, and the 2-2-1 net that gets stuck.

A single perceptron cannot compute XOR (Saitoh sec. 2.4; Zhou sec. 5.2); a
hidden layer trained by backpropagation can (Rumelhart, Hinton and Williams,
1986). Architecture: Dense(2, 4), tanh, Dense(4, 1), sigmoid + binary cross
entropy; He-normal weights; plain full-batch gradient descent, lr 0.5,
batch size 4, 500 epochs, float64.

Run: python examples/xor_mlp.py
"""

from __future__ import annotations

import math

import numpy as np

from nnscratch.datasets.toy import xor
from nnscratch.minima import xor_network
from nnscratch.training import fit
from nnscratch.training.optimizers import SGD

X, LABELS = xor()
T = LABELS.reshape(-1, 1).astype(np.float64)


def train(net, epochs: int, lr: float) -> list[float]:
    """Full-batch gradient descent (Zhou's accumulated BP), in the data's order; the losses."""
    h = fit(
        net, X, T, optimizer=SGD(lr), epochs=epochs, batch_size=len(X), shuffle=False, verbose=0
    )
    return h["loss"]


def show_solved(seed: int = 0) -> None:
    net = xor_network(4, "tanh", seed=seed)
    losses = train(net, epochs=500, lr=0.5)
    print(f"2-4-1 tanh, seed {seed}: loss {losses[0]:.4f} -> {net.loss(X, T):.4f}")
    p = net.predict_proba(X).ravel()
    params = net.parameters()
    hidden = np.tanh(X @ params["0.W"] + params["0.b"])
    print(" x1 x2 | target | p(y=1)  predicted | hidden tanh(x W1 + b1)")
    for (x1, x2), target, prob, h in zip(X, LABELS, p, hidden, strict=True):
        codes = " ".join(f"{v:+.2f}" for v in h)
        row = f"  {x1:.0f}  {x2:.0f} |   {target}    | {prob:.4f}      {int(prob > 0.5)}     "
        print(f"{row}| {codes}")
    print("The output unit draws one line through this 4-D hidden space.\n")


def count_solved(hidden: int, activation: str, lr: float, epochs: int, seeds: int) -> list[int]:
    stuck = []
    for s in range(seeds):
        net = xor_network(hidden, activation, seed=s)
        train(net, epochs=epochs, lr=lr)
        if net.accuracy(X, LABELS) < 1.0:
            stuck.append(s)
    print(
        f"2-{hidden}-1 {activation}, lr {lr}, {epochs} full-batch epochs: "
        f"{seeds - len(stuck)} of {seeds} seeds solve XOR; not solved: {stuck}"
    )
    return stuck


def show_stuck(stuck: list[int]) -> None:
    print("The unsolved 2-2-1 runs, trained 3000 epochs more:")
    for s in stuck:
        net = xor_network(2, "sigmoid", seed=s)
        train(net, epochs=400, lr=2.0)
        train(net, epochs=3000, lr=2.0)
        p = np.round(net.predict_proba(X).ravel(), 3)
        kind = "solved late (a slow plateau)" if net.accuracy(X, LABELS) == 1.0 else "still stuck"
        print(f"  seed {s:2d}: loss {net.loss(X, T):.4f}, p = {p}  {kind}")
    print(f"  (ln 2 / 2 = {math.log(2) / 2:.4f}: two patterns right, two left at p = 0.5)")


def main() -> None:
    show_solved(0)
    count_solved(4, "tanh", 0.5, 500, 10)
    stuck = count_solved(2, "sigmoid", 2.0, 400, 50)
    print()
    show_stuck(stuck)


if __name__ == "__main__":
    main()

"""Matt Mazur's "A Step by Step Backpropagation Example" (2015), computed by nnscratch.

The worked example that Zhou's notes point to: a 2-2-2 network with sigmoid
hidden and output units, inputs 0.05 and 0.10, targets 0.01 and 0.99,
weights w1..w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55, biases
b1 = 0.35 (hidden) and b2 = 0.60 (output) held fixed, error
E = 1/2 sum_k (t_k - out_k)^2, one per-sample gradient step with lr 0.5.
Source: https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/

Mazur's w_k name the edges of his figure. nnscratch's Dense keeps W with shape
(in, out): W[i, j] is the weight from input unit i to output unit j, so

    hidden layer  W1 = [[w1, w3],      (row: i1, i2;  column: h1, h2)
                        [w2, w4]]
    output layer  W2 = [[w5, w7],      (row: h1, h2;  column: o1, o2)
                        [w6, w8]]

This script runs the layers one at a time to print every intermediate value
(net, out, the deltas, each gradient), checks them against the network's own
``value_and_grad``, takes the step with ``SGD(lr=0.5)``, prints the new
weights, then trains on to show where the often quoted error 0.0000351085
"after 10,000 rounds" comes from (it is the error after 9,999 updates).

Run: ``python examples/worked_backprop.py [--rounds 10000]``
"""

from __future__ import annotations

import argparse

import numpy as np

import nnscratch as nn

X = np.array([[0.05, 0.10]])
T = np.array([[0.01, 0.99]])
W1 = np.array([[0.15, 0.25], [0.20, 0.30]])  # [[w1, w3], [w2, w4]]
W2 = np.array([[0.40, 0.50], [0.45, 0.55]])  # [[w5, w7], [w6, w8]]
B1, B2 = 0.35, 0.60
LR = 0.5
# Mazur's names for the entries of W1 and W2, as (layer index, row, column).
WEIGHT_NAMES = {
    "w1": ("0.W", 0, 0),
    "w2": ("0.W", 1, 0),
    "w3": ("0.W", 0, 1),
    "w4": ("0.W", 1, 1),
    "w5": ("2.W", 0, 0),
    "w6": ("2.W", 1, 0),
    "w7": ("2.W", 0, 1),
    "w8": ("2.W", 1, 1),
}


def mazur_network() -> nn.Sequential:
    """The 2-2-2 sigmoid network of the example, float64, biases frozen."""
    hidden = nn.Dense.from_weights(W1, [B1, B1], dtype="float64")
    output = nn.Dense.from_weights(W2, [B2, B2], dtype="float64")
    hidden.freeze("b")  # Mazur keeps b1 and b2 fixed
    output.freeze("b")
    layers = [hidden, nn.Activation("sigmoid"), output, nn.Activation("sigmoid")]
    return nn.Sequential(layers, loss="sum_squared_error", dtype="float64")


def weights(net: nn.Sequential) -> dict[str, float]:
    """w1..w8 read from the network's parameters."""
    params = net.parameters()
    return {w: float(params[key][i, j]) for w, (key, i, j) in WEIGHT_NAMES.items()}


def trace(net: nn.Sequential, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """Every intermediate of one forward and backward pass, layer by layer (copies).

    Forward: net_h = x W1 + b1, out_h = sigmoid(net_h), net_o = out_h W2 + b2,
    out_o = sigmoid(net_o), E = 1/2 sum (t - out_o)^2. Backward:
    dE/dout_o = out_o - t, delta_o = dE/dnet_o, dE/dW2 = out_h^T delta_o,
    dE/dout_h = delta_o W2^T, delta_h = dE/dnet_h, dE/dW1 = x^T delta_h.
    """
    hidden, act_h, output, act_o = net.layers
    v: dict[str, np.ndarray] = {}
    v["net_h"] = hidden.forward(x, training=True).copy()
    v["out_h"] = act_h.forward(v["net_h"], training=True).copy()
    v["net_o"] = output.forward(v["out_h"], training=True).copy()
    v["out_o"] = act_o.forward(v["net_o"], training=True).copy()
    v["E_o"] = 0.5 * (t - v["out_o"]) ** 2
    v["E_total"] = np.sum(v["E_o"])
    v["dE/dout_o"] = v["out_o"] - t  # the gradient of 1/2 (t - out)^2
    v["dout_o/dnet_o"] = v["out_o"] * (1 - v["out_o"])
    v["delta_o"] = act_o.backward(v["dE/dout_o"]).copy()
    v["dE/dout_h"] = output.backward(v["delta_o"]).copy()
    v["dE/dW2"] = output.grads["W"].copy()
    v["dout_h/dnet_h"] = v["out_h"] * (1 - v["out_h"])
    v["delta_h"] = act_h.backward(v["dE/dout_h"]).copy()
    hidden.backward(v["delta_h"])
    v["dE/dW1"] = hidden.grads["W"].copy()
    return v


def _row(name: str, value: np.ndarray | float) -> str:
    cells = ", ".join(f"{float(a):.9f}" for a in np.ravel(value))
    return f"  {name:<14} {cells}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=10_000, help="updates to train in all")
    args = ap.parse_args()

    net = mazur_network()
    v = trace(net, X, T)
    print("forward pass (columns: h1, h2 / o1, o2)")
    for name in ("net_h", "out_h", "net_o", "out_o", "E_o"):
        print(_row(name, v[name]))
    print(f"  E_total        {float(v['E_total']):.9f}")
    print("backward pass")
    for name in ("dE/dout_o", "dout_o/dnet_o", "delta_o", "dE/dout_h", "dout_h/dnet_h", "delta_h"):
        print(_row(name, v[name]))
    print("gradients dE/dw (Mazur's names)")
    grads = {"0.W": v["dE/dW1"], "2.W": v["dE/dW2"]}
    for w, (key, i, j) in WEIGHT_NAMES.items():
        print(f"  dE/d{w:<10} {grads[key][i, j]:.9f}")

    loss, check = net.value_and_grad(X, T)
    same = all(np.allclose(check[k], grads[k], rtol=0, atol=1e-15) for k in grads)
    print(f"value_and_grad agrees: loss {loss:.9f}, gradients equal: {same}, keys {sorted(check)}")

    optimizer = nn.optimizers.SGD(lr=LR)
    optimizer.step(net.trainable_parameters(), check)
    biases = [float(net.parameters()[k][0]) for k in ("0.b", "2.b")]
    print(f"after one update with lr {LR} (biases b1, b2 still {biases[0]}, {biases[1]})")
    for w, value in weights(net).items():
        print(f"  {w} = {value:.9f}")
    print(f"  E_total = {net.loss(X, T):.9f}   (Mazur prints 0.291027924: see docs/backprop.md)")

    for updates in range(2, args.rounds + 1):
        optimizer.step(net.trainable_parameters(), net.value_and_grad(X, T)[1])
        if updates in (args.rounds - 1, args.rounds):
            print(f"after {updates:>6} updates: E_total = {net.loss(X, T):.10f}")
    print(f"outputs: {', '.join(f'{float(a):.9f}' for a in net.predict(X).ravel())}")


if __name__ == "__main__":
    main()

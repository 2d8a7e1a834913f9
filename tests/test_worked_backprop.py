"""Matt Mazur's "A Step by Step Backpropagation Example" (2015), every printed number.

https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/ : a 2-2-2
sigmoid network, x = (0.05, 0.10), t = (0.01, 0.99), w1..w8 = 0.15 ... 0.55, biases
0.35 and 0.60 held fixed (frozen), E = 1/2 sum (t - out)^2, one SGD step with lr 0.5.
Each number is compared with the digits Mazur prints, formatted to that many digits.
W has shape (in, out), so W1 = [[w1, w3], [w2, w4]] and W2 = [[w5, w7], [w6, w8]].
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnscratch as nn

REPO = Path(__file__).resolve().parents[1]
X = np.array([[0.05, 0.10]])
T = np.array([[0.01, 0.99]])
# Mazur's names for the entries of the (in, out) weight matrices.
NAMES = {
    "w1": ("0.W", 0, 0),
    "w2": ("0.W", 1, 0),
    "w3": ("0.W", 0, 1),
    "w4": ("0.W", 1, 1),
    "w5": ("2.W", 0, 0),
    "w6": ("2.W", 1, 0),
    "w7": ("2.W", 0, 1),
    "w8": ("2.W", 1, 1),
}
# After one update, as printed in the article.
PRINTED_WEIGHTS = {
    "w1": "0.149780716",
    "w2": "0.19956143",
    "w3": "0.24975114",
    "w4": "0.29950229",
    "w5": "0.35891648",
    "w6": "0.408666186",
    "w7": "0.511301270",
    "w8": "0.561370121",
}


def as_printed(value: float, printed: str) -> str:
    """``value`` with as many decimals as the article's ``printed`` string."""
    return f"{value:.{len(printed.split('.')[1])}f}"


def mazur_network() -> nn.Sequential:
    hidden = nn.Dense.from_weights([[0.15, 0.25], [0.20, 0.30]], [0.35, 0.35], dtype="float64")
    output = nn.Dense.from_weights([[0.40, 0.50], [0.45, 0.55]], [0.60, 0.60], dtype="float64")
    hidden.freeze("b")
    output.freeze("b")
    layers = [hidden, nn.Activation("sigmoid"), output, nn.Activation("sigmoid")]
    return nn.Sequential(layers, loss="sum_squared_error", dtype="float64")


def weight(net: nn.Sequential, name: str) -> float:
    key, i, j = NAMES[name]
    return float(net.parameters()[key][i, j])


def step(net: nn.Sequential, optimizer) -> float:
    loss, grads = net.value_and_grad(X, T)
    optimizer.step(net.trainable_parameters(), grads)
    return loss


def test_forward_pass_values():
    net = mazur_network()
    hidden, act_h, output, act_o = net.layers
    net_h = hidden.forward(X).copy()
    out_h = act_h.forward(net_h).copy()
    net_o = output.forward(out_h).copy()
    out_o = act_o.forward(net_o).copy()
    assert as_printed(net_h[0, 0], "0.3775") == "0.3775"  # 0.15*0.05 + 0.2*0.1 + 0.35
    assert [f"{v:.9f}" for v in out_h[0]] == ["0.593269992", "0.596884378"]
    assert f"{net_o[0, 0]:.9f}" == "1.105905967"
    assert [f"{v:.9f}" for v in out_o[0]] == ["0.751365070", "0.772928465"]
    e = 0.5 * (T - out_o) ** 2
    assert [f"{v:.9f}" for v in e[0]] == ["0.274811083", "0.023560026"]
    assert f"{net.loss(X, T):.9f}" == "0.298371109"


def test_gradients_as_in_the_article():
    loss, grads = mazur_network().value_and_grad(X, T)
    assert f"{loss:.9f}" == "0.298371109"
    assert sorted(grads) == ["0.W", "2.W"]  # the frozen biases get no gradient
    assert f"{grads['2.W'][0, 0]:.9f}" == "0.082167041"  # dE/dw5
    assert f"{grads['0.W'][0, 0]:.9f}" == "0.000438568"  # dE/dw1


def test_chain_rule_pieces_of_w5_and_w1():
    """dE/dw5 = (out_o1 - t1) * out_o1 (1 - out_o1) * out_h1, as the article multiplies it."""
    net = mazur_network()
    hidden, act_h, output, act_o = net.layers
    out_h = act_h.forward(hidden.forward(X, training=True), training=True).copy()
    out_o = act_o.forward(output.forward(out_h, training=True), training=True).copy()
    delta_o = act_o.backward(out_o - T).copy()
    assert f"{(out_o - T)[0, 0]:.8f}" == "0.74136507"
    assert f"{(out_o * (1 - out_o))[0, 0]:.9f}" == "0.186815602"
    assert f"{delta_o[0, 0]:.9f}" == "0.138498562"
    de_dout_h = output.backward(delta_o).copy()
    assert f"{de_dout_h[0, 0]:.9f}" == "0.036350306"
    assert f"{(out_h * (1 - out_h))[0, 0]:.9f}" == "0.241300709"
    hidden.backward(act_h.backward(de_dout_h))
    assert f"{hidden.grads['W'][0, 0]:.9f}" == "0.000438568"


def test_one_update_gives_the_printed_weights_and_keeps_the_biases():
    net = mazur_network()
    step(net, nn.optimizers.SGD(lr=0.5))
    got = {w: as_printed(weight(net, w), p) for w, p in PRINTED_WEIGHTS.items()}
    assert got == PRINTED_WEIGHTS
    np.testing.assert_array_equal(net.parameters()["0.b"], [0.35, 0.35])
    np.testing.assert_array_equal(net.parameters()["2.b"], [0.60, 0.60])
    # The error after the round with these weights (the article prints 0.291027924; see below).
    assert f"{net.loss(X, T):.9f}" == "0.291027774"


def test_without_freezing_the_biases_the_numbers_differ():
    """The article's numbers need the biases held fixed: trained biases move the error."""
    net = mazur_network()
    for layer in (net.layers[0], net.layers[2]):
        layer.unfreeze("b")
    step(net, nn.optimizers.SGD(lr=0.5))
    assert f"{net.loss(X, T):.9f}" != "0.291027774"
    assert as_printed(weight(net, "w5"), "0.35891648") == "0.35891648"  # same gradient for W


@pytest.mark.slow
def test_quoted_error_after_10000_rounds_is_that_of_9999_updates():
    net = mazur_network()
    optimizer = nn.optimizers.SGD(lr=0.5)
    losses = [step(net, optimizer) for _ in range(10_000)]  # losses[k]: after k updates
    final = net.loss(X, T)
    assert f"{losses[9_999]:.10f}" == "0.0000351085"  # after 9,999 updates
    assert f"{final:.10f}" == "0.0000351019"  # after 10,000 updates
    assert losses == sorted(losses, reverse=True)


@pytest.mark.slow
def test_the_articles_other_quoted_numbers_use_the_updated_output_weights():
    """0.291027924 and the outputs 0.015912196 / 0.984065734 come from a variant.

    In it the hidden deltas are computed with w5..w8 already updated:
    delta_h = (delta_o W2_new^T) * out_h (1 - out_h). The layers do it when the output
    layer's backward runs again after its update (it uses the current W, cached input).
    """
    net = mazur_network()
    hidden, act_h, output, act_o = net.layers

    def variant_round() -> None:
        out_h = act_h.forward(hidden.forward(X, training=True), training=True)
        out_o = act_o.forward(output.forward(out_h, training=True), training=True)
        delta_o = act_o.backward(out_o - T).copy()
        output.backward(delta_o, need_input_grad=False)
        output.params["W"] -= 0.5 * output.grads["W"]
        hidden.backward(act_h.backward(output.backward(delta_o)))
        hidden.params["W"] -= 0.5 * hidden.grads["W"]

    variant_round()
    assert f"{net.loss(X, T):.9f}" == "0.291027924"
    for _ in range(9_999):
        variant_round()
    assert [f"{v:.9f}" for v in net.predict(X)[0]] == ["0.015912196", "0.984065734"]
    assert f"{net.loss(X, T):.10f}" == "0.0000350848"


@pytest.mark.slow
def test_example_script_prints_the_numbers():
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    out = subprocess.run(
        [sys.executable, str(REPO / "examples" / "worked_backprop.py"), "--rounds", "10000"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip
    expected = (
        "E_total        0.298371109",
        "w5 = 0.358916480",
        "w1 = 0.149780716",
        "gradients equal: True",
        "after   9999 updates: E_total = 0.0000351085",
        "dE/dw5         0.082167041",
        "delta_h        0.008771355, 0.009954255",
    )
    for text in expected:
        assert text in out

"""Tests for nnscratch.classic.perceptron: the book's gates and Rosenblatt's rule."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.classic.perceptron import (
    AND,
    NAND,
    OR,
    XOR,
    Perceptron,
    and_gate,
    nand_gate,
    or_gate,
    xor_gate,
)

INPUTS = [(0, 0), (1, 0), (0, 1), (1, 1)]
TRUTH = {
    "AND": [0, 0, 0, 1],
    "NAND": [1, 1, 1, 0],
    "OR": [0, 1, 1, 1],
    "XOR": [0, 1, 1, 0],
}
GATES = {"AND": AND, "NAND": NAND, "OR": OR, "XOR": XOR}
X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


@pytest.mark.parametrize("name", list(TRUTH))
def test_gate_truth_table_on_scalars(name):
    gate = GATES[name]
    out = [gate(a, b) for a, b in INPUTS]
    assert out == TRUTH[name]
    assert all(type(v) is int for v in out)


@pytest.mark.parametrize("name", list(TRUTH))
def test_gate_truth_table_on_arrays(name):
    x1 = np.array([a for a, _ in INPUTS])
    x2 = np.array([b for _, b in INPUTS])
    out = GATES[name](x1, x2)
    assert out.shape == (4,)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, TRUTH[name])


def test_gate_broadcasts_and_accepts_bool():
    out = AND(np.array([[0], [1]]), np.array([0, 1]))
    np.testing.assert_array_equal(out, [[0, 0], [0, 1]])
    assert OR(True, False) == 1


def test_gate_boundary_is_strict():
    # AND fires when 0.5*x1 + 0.5*x2 - 0.7 > 0: at x1 = x2 = 0.7 the sum is 0.0, so 0.
    assert AND(0.7, 0.7) == 0
    assert AND(0.71, 0.71) == 1


def test_lowercase_aliases():
    assert and_gate is AND and nand_gate is NAND and or_gate is OR and xor_gate is XOR


def test_gate_rejects_bad_input():
    with pytest.raises(TypeError, match="x1"):
        AND("a", 1)
    with pytest.raises(ValueError, match="broadcast"):
        OR(np.zeros(2), np.zeros(3))


def test_and_hand_worked_epochs():
    # Zeros init, lr = eta = 0.1, order (0,0), (0,1), (1,0), (1,1); augmented
    # x~ = (x1, x2, -1), w~ = (w1, w2, theta); y_hat = 1 iff w~ . x~ > 0.
    # Epoch 1: only (1,1) wrong (s=0): w~ += 0.1*(1,1,-1) -> (.1,.1,-.1).       errors 1
    # Epoch 2: (0,0) s=.1 -> w~ (.1,.1,0); (0,1) s=.1 -> (.1,0,.1);
    #          (1,0) s=0 ok; (1,1) s=0 -> (.2,.1,0).                             errors 3
    # Epoch 3: (0,0) ok; (0,1) s=.1 -> (.2,0,.1); (1,0) s=.1 -> (.1,0,.2);
    #          (1,1) s=-.1 -> (.2,.1,.1).                                        errors 3
    # Epoch 4: (0,0),(0,1) ok; (1,0) s=.1 -> (.1,.1,.2); (1,1) s=0 -> (.2,.2,.1). errors 2
    # Epoch 5: (0,1) s=.1 -> (.2,.1,.2); the rest ok.                            errors 1
    # Epoch 6: s = -.2, -.1, 0, .1 -> 0, 0, 0, 1: no error, converged.
    p = Perceptron(2, lr=0.1, activation="step", init="zeros")
    assert p.fit(X4, [0, 0, 0, 1]) is p
    assert p.converged_ is True
    assert p.n_iter_ == 6
    assert p.history_ == [1, 3, 3, 2, 1, 0]
    np.testing.assert_allclose(p.weights_, [0.2, 0.1])
    assert p.threshold_ == pytest.approx(0.2)
    np.testing.assert_array_equal(p.predict(X4), [0, 0, 0, 1])


def test_lr_only_scales_weights_from_zero_init():
    # From w = 0 every weight is eta times an integer, so the decisions (and
    # the epochs) do not depend on eta; eta = 1 keeps the arithmetic exact.
    p = Perceptron(2, lr=1.0).fit(X4, [0, 0, 0, 1])
    assert p.history_ == [1, 3, 3, 2, 1, 0]
    np.testing.assert_array_equal(p.weights_, [2.0, 1.0])
    assert p.threshold_ == 2.0


@pytest.mark.parametrize(
    ("target", "epochs"),
    [([0, 1, 1, 1], 4), ([1, 1, 1, 0], 4)],
    ids=["OR", "NAND"],
)
def test_learns_or_and_nand(target, epochs):
    p = Perceptron(2, lr=0.1).fit(X4, target)
    assert p.converged_ and p.n_iter_ == epochs
    np.testing.assert_array_equal(p.predict(X4), target)


def test_learns_not_with_one_input():
    # NOT: (0 -> 1), (1 -> 0). Epoch 1: x=0 s=0 -> 0 wrong, theta -= .1 -> -.1;
    # x=1 s=.1 -> 1 wrong, w -= .1, theta += .1 -> w=-.1, theta=0. Epoch 2:
    # x=0 s=0 wrong, theta=-.1; x=1 s=0 ok. Epoch 3: s=.1, 0 -> 1, 0: done.
    p = Perceptron(1, lr=0.1).fit([[0], [1]], [1, 0])
    assert p.history_ == [2, 1, 0]
    np.testing.assert_allclose(p.weights_, [-0.1])
    assert p.threshold_ == pytest.approx(-0.1)
    np.testing.assert_array_equal(p.predict(np.array([0, 1])), [1, 0])


def test_xor_does_not_converge_and_stops():
    p = Perceptron(2, lr=0.1, max_epochs=25).fit(X4, [0, 1, 1, 0])
    assert p.converged_ is False
    assert p.n_iter_ == 25
    assert len(p.history_) == 25
    assert min(p.history_) >= 1
    # Whatever line it ends on, a single perceptron gets at least one XOR case wrong.
    assert np.sum(p.predict(X4) != [0, 1, 1, 0]) >= 1


def test_sign_activation_uses_plus_minus_one():
    # With labels -1/+1, (y - y_hat) is +-2, i.e. the step run with eta doubled.
    p = Perceptron(2, lr=0.1, activation="sign").fit(X4, [-1, -1, -1, 1])
    assert p.converged_ and p.history_ == [1, 3, 3, 2, 1, 0]
    np.testing.assert_allclose(p.weights_, [0.4, 0.2])
    np.testing.assert_array_equal(p.predict(X4), [-1, -1, -1, 1])
    np.testing.assert_allclose(p.decision_function(X4), [-0.4, -0.2, 0.0, 0.2], atol=1e-12)


def test_labels_are_validated():
    with pytest.raises(ValueError, match=r"t: expected labels \(0, 1\).*got \[-1\]"):
        Perceptron(2).fit(X4, [-1, -1, -1, 1])
    with pytest.raises(ValueError, match=r"labels \(-1, 1\).*'sign'.*got \[0\]"):
        Perceptron(2, activation="sign").fit(X4, [0, 0, 0, 1])
    with pytest.raises(ValueError, match=r"t: expected shape \(4,\)"):
        Perceptron(2).fit(X4, [0, 1])
    fitted = Perceptron(2).fit(X4, [0, 0, 0, 1])
    with pytest.raises(ValueError, match=r"t: expected labels \(0, 1\)"):
        fitted.score(X4, [0, 0, 0, 2])


def test_arguments_are_validated():
    with pytest.raises(ValueError, match=r"lr: expected a positive finite number, got 0"):
        Perceptron(2, lr=0)
    with pytest.raises(TypeError, match="eta"):
        Perceptron(2, eta=0.1)  # the one learning-rate name is lr
    with pytest.raises(ValueError, match="activation"):
        Perceptron(2, activation="relu")
    with pytest.raises(ValueError, match="init"):
        Perceptron(2, init="ones")
    with pytest.raises(ValueError, match="max_epochs"):
        Perceptron(2, max_epochs=0)
    with pytest.raises(TypeError, match="n_inputs"):
        Perceptron(2.0)
    with pytest.raises(TypeError, match="shuffle"):
        Perceptron(2, shuffle=1)
    fitted = Perceptron(2).fit(X4, [0, 0, 0, 1])
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 2\), got shape \(1, 3\)"):
        fitted.predict([[0, 0, 1]])
    with pytest.raises(ValueError, match="finite"):
        fitted.predict([[np.nan, 0]])
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 2\)"):
        Perceptron(2).fit([[0, 0, 1]], [0])


def test_random_init_and_shuffle_are_reproducible():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    y = (x @ np.array([1.0, -2.0, 0.5]) > 0.3).astype(int)
    runs = []
    for _ in range(2):
        p = Perceptron(3, lr=0.05, init="random", seed=42, shuffle=True, max_epochs=500)
        runs.append(p.fit(x, y))
    assert runs[0].converged_
    assert runs[0].history_ == runs[1].history_
    np.testing.assert_array_equal(runs[0].weights_, runs[1].weights_)
    # fit starts afresh from the seed: fitting the same object again gives the same model
    again = runs[0].history_
    np.testing.assert_array_equal(runs[0].fit(x, y).weights_, runs[1].weights_)
    assert runs[0].history_ == again
    other = Perceptron(3, lr=0.05, init="random", seed=7, shuffle=True, max_epochs=500).fit(x, y)
    assert not np.array_equal(other.weights_, runs[0].weights_)

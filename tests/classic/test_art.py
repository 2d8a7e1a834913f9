"""Tests for nnscratch.classic.art: ART1 with fast learning."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.classic.art import ART1

# Four 5-bit patterns, presented in this order. beta = 1, M = 5 bits.
X = np.array(
    [
        [1, 1, 1, 0, 0],  # I1 = 11100
        [1, 1, 0, 0, 0],  # I2 = 11000
        [0, 0, 0, 1, 1],  # I3 = 00011
        [0, 0, 1, 1, 1],  # I4 = 00111
    ]
)


def test_worked_example_rho_0_7():
    # T_j = |I&w|/(1+|w|), uncommitted T_u = |I|/(1+5), match |I&w|/|I| >= 0.7.
    # Pass 1:
    #  I1: no category -> new w0 = 11100.
    #  I2: T0 = 2/4 = .5 > T_u = 2/6; match 2/2 = 1 -> w0 = 11000 & 11100 = 11000.
    #  I3: T0 = 0/3 = 0 < T_u = 2/6 -> new w1 = 00011.
    #  I4: T1 = 2/3 > T_u = 3/6 > T0 = 0; match with w1 2/3 = .67 < .7: reset;
    #      next best is the uncommitted node -> new w2 = 00111.   labels 0 0 1 2
    # Pass 2:
    #  I1: T0 = 2/3, T2 = 1/4, T1 = 0, T_u = 3/6; w0 first: match 2/3 < .7: reset;
    #      T_u > T2 -> new w3 = 11100.  (w0 shrank, so I1 no longer fits it.)
    #  I2: T0 = 2/3, match 1 -> w0.  I3: T1 = 2/3, match 1 -> w1.
    #  I4: T2 = 3/4 > T1 = 2/3; match 1 -> w2.                     labels 3 0 1 2
    # Pass 3: I1: T3 = 3/4 > T0 = 2/3, match 1 -> w3; the rest as before: no change.
    net = ART1(rho=0.7, beta=1.0)
    net.partial_fit(X)
    assert net.labels_.tolist() == [0, 0, 1, 2]
    assert net.categories_.tolist() == [[1, 1, 0, 0, 0], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]]
    net = ART1(rho=0.7, beta=1.0).fit(X)
    assert net.converged_ and net.n_iter_ == 3
    assert net.labels_.tolist() == [3, 0, 1, 2]
    assert net.categories_.tolist() == [
        [1, 1, 0, 0, 0],
        [0, 0, 0, 1, 1],
        [0, 0, 1, 1, 1],
        [1, 1, 1, 0, 0],
    ]
    assert net.categories_.dtype == np.uint8
    assert net.predict(X).tolist() == [3, 0, 1, 2]


def test_worked_example_rho_0_6():
    # As above until I4: match with w1 = 2/3 >= .6 -> resonance, w1 = 00011 & 00111 = 00011.
    # Pass 2: I1 with w0 = 11000: match 2/3 >= .6 -> w0 stays 11000; nothing changes.
    net = ART1(rho=0.6).fit(X)
    assert net.n_iter_ == 2 and net.converged_
    assert net.labels_.tolist() == [0, 0, 1, 1]
    assert net.categories_.tolist() == [[1, 1, 0, 0, 0], [0, 0, 0, 1, 1]]


def test_presenting_again_changes_nothing_after_convergence():
    rng = np.random.default_rng(0)
    data = (rng.random((80, 16)) < 0.35).astype(np.int8)
    data = data[data.sum(axis=1) > 0]
    net = ART1(rho=0.6).fit(data)
    assert net.converged_
    protos, labels = net.categories_, net.labels_.copy()
    for _ in range(3):
        net.partial_fit(data)
        np.testing.assert_array_equal(net.categories_, protos)
        np.testing.assert_array_equal(net.labels_, labels)
    np.testing.assert_array_equal(net.predict(data), labels)


def test_prototypes_are_subsets_of_their_members():
    # fast learning: w_j is the AND of (at least) every input it coded last
    rng = np.random.default_rng(1)
    data = (rng.random((60, 10)) < 0.5).astype(int)
    data = data[data.sum(axis=1) > 0]
    net = ART1(rho=0.5).fit(data)
    w = net.categories_
    for x, j in zip(data, net.labels_, strict=True):
        assert np.all(w[j] <= x)  # w_j AND I == w_j
        assert w[j].sum() / x.sum() >= 0.5  # and it passed vigilance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_more_categories_as_vigilance_rises(seed):
    rng = np.random.default_rng(seed)
    data = (rng.random((60, 12)) < 0.4).astype(int)
    data = data[data.sum(axis=1) > 0]
    counts = [ART1(rho=r).fit(data).n_categories_ for r in np.linspace(0.0, 1.0, 21)]
    assert np.all(np.diff(counts) >= 0), counts
    assert counts[0] < counts[-1]
    # rho = 1 asks for an exact match: one category per distinct pattern
    assert counts[-1] == len(np.unique(data, axis=0))


def test_max_categories_caps_and_marks_uncoded_inputs():
    net = ART1(rho=0.9, max_categories=2).fit(X)
    assert net.n_categories_ == 2
    assert -1 in net.labels_.tolist()
    assert set(net.labels_.tolist()) <= {-1, 0, 1}


def test_predict_does_not_learn_and_flags_novel_inputs():
    net = ART1(rho=0.7).fit(X)
    before = net.categories_
    assert net.predict([[1, 0, 0, 0, 1]]).tolist() == [-1]
    np.testing.assert_array_equal(net.categories_, before)


def test_input_validation():
    with pytest.raises(ValueError, match=r"binary inputs \(0/1\).*0\.5"):
        ART1().fit([[0.5, 1, 0]])
    with pytest.raises(ValueError, match=r"at least one 1.*rows \[1\]"):
        ART1().fit([[1, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="rho"):
        ART1(rho=1.5)
    with pytest.raises(ValueError, match="beta"):
        ART1(beta=0)
    with pytest.raises(ValueError, match="max_categories"):
        ART1(max_categories=0)
    net = ART1().fit(X)
    with pytest.raises(
        ValueError, match=r"x: expected shape \(N, 5\) or \(5,\), got shape \(1, 3\)"
    ):
        net.predict([[1, 0, 1]])
    with pytest.raises(RuntimeError, match="ART1: call fit before predict"):
        ART1().predict(X)
    with pytest.raises(ValueError, match="max_epochs"):
        ART1(max_epochs=0)
    # fit starts afresh: another number of bits is a new problem, not an error
    assert ART1().fit(X).fit([[1, 0, 1]]).categories_.tolist() == [[1, 0, 1]]
    assert ART1().fit(X.astype(bool)).n_categories_ == ART1().fit(X).n_categories_

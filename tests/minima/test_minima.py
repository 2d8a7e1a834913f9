"""Tests for nnscratch.minima: the test problems and the minima experiment."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.minima import (
    in_global_basin,
    minima_experiment,
    quadratic,
    quadratic_grad,
    rastrigin,
    rastrigin_grad,
)
from nnscratch.numerical import gradient_check


# --- the test functions -----------------------------------------------------------
def test_rastrigin_values_by_hand():
    assert rastrigin([0.0, 0.0]) == 0.0
    # 20 + 2 * (1 - 10 cos 2pi) = 20 + 2 * (1 - 10) = 2
    assert rastrigin([1.0, 1.0]) == pytest.approx(2.0, abs=1e-12)
    # 20 + 2 * (0.25 - 10 cos pi) = 20 + 2 * 10.25 = 40.5
    assert rastrigin([0.5, -0.5]) == pytest.approx(40.5, abs=1e-12)
    assert rastrigin([0.0]) == 0.0  # any dimension
    assert quadratic([-3.0, 4.0]) == 25.0


@pytest.mark.parametrize(("f", "g"), [(rastrigin, rastrigin_grad), (quadratic, quadratic_grad)])
def test_gradients_agree_with_central_differences(f, g):
    x = np.array([0.37, -2.81, 1.05])
    assert gradient_check(f, x.copy(), g(x)) < 1e-7


def test_in_global_basin():
    assert in_global_basin([0.49, -0.49])
    assert not in_global_basin([0.51, 0.0])
    assert not in_global_basin([1.0, 1.0])


# --- the experiment -------------------------------------------------------------
def test_minima_experiment_small():
    rep = minima_experiment(10, problems=("rastrigin",))
    names = [r.strategy for r in rep.rows]
    assert names == [
        "gradient descent",
        "random restarts",
        "simulated annealing",
        "noisy gradient (SGD-like)",
    ]
    gd, sa = rep.row("rastrigin 2-D", "gradient descent"), rep.row("rastrigin 2-D", names[2])
    assert all(r.runs == 10 and 0 <= r.successes <= 10 for r in rep.rows)
    # A uniform start lies in the origin's basin with probability (1 / 10.24)^2 < 1 %.
    assert gd.successes <= 1
    assert sa.successes > gd.successes
    assert sa.mean_final < gd.mean_final
    again = minima_experiment(10, problems=("rastrigin",))
    assert [(r.successes, r.mean_final) for r in again.rows] == [
        (r.successes, r.mean_final) for r in rep.rows
    ]
    with pytest.raises(KeyError):
        rep.row("xor 2-2-1", "gradient descent")


def test_minima_experiment_table_with_xor():
    rep = minima_experiment(2, rastrigin_budget=100, xor_updates=40)
    table = rep.as_table()
    assert len(rep.rows) == 8
    assert table.splitlines()[0].split()[:2] == ["problem", "strategy"]
    assert "xor 2-2-1" in table and "rastrigin 2-D" in table
    assert "budgets (per run)" in table and "40 full-batch updates" in table
    assert str(rep) == table
    for r in rep.rows:
        assert f"{r.successes}/{r.runs}" in table
        assert np.isfinite(r.mean_final) and r.seconds_per_run > 0


def test_minima_experiment_argument_errors():
    with pytest.raises(ValueError, match="seeds"):
        minima_experiment(0)
    with pytest.raises(ValueError, match="problems"):
        minima_experiment(2, problems=("sphere",))

"""Tests for nnscratch.training.schedules: values computed by hand at chosen steps."""

from __future__ import annotations

import json
import math

import pytest

from nnscratch import schedules as sch
from nnscratch.training.schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    OneCycle,
    StepDecay,
)


def test_constant():
    s = Constant(0.1)
    assert [s(0), s(1), s(10_000)] == [0.1, 0.1, 0.1]


def test_step_decay():
    s = StepDecay(1.0, step_size=10, gamma=0.5)
    # 1.0 for steps 0..9, 0.5 for 10..19, 0.25 for 20..29
    assert [s(0), s(9), s(10), s(19), s(20), s(35)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.125]


def test_exponential_decay():
    s = ExponentialDecay(0.1, decay_rate=0.5, decay_steps=4)
    assert s(0) == 0.1
    assert s(4) == pytest.approx(0.05, rel=1e-15)
    assert s(2) == pytest.approx(0.1 * math.sqrt(0.5), rel=1e-15)  # 0.070710678...
    stair = ExponentialDecay(0.1, decay_rate=0.5, decay_steps=4, staircase=True)
    assert [stair(3), stair(4), stair(7), stair(8)] == [0.1, 0.05, 0.05, 0.025]


def test_cosine_decay_with_warmup():
    s = CosineDecay(1.0, decay_steps=100, alpha=0.1, warmup_steps=10)
    # warmup: linear from 0 to 1 over 10 steps
    assert s(0) == 0.0
    assert s(5) == pytest.approx(0.5)
    # decay starts at the peak: step 10 -> 1.0
    assert s(10) == pytest.approx(1.0)
    # halfway (step 60): 0.1 + 0.9 * (1 + cos(pi/2)) / 2 = 0.55
    assert s(60) == pytest.approx(0.55)
    # a quarter (step 35): 0.1 + 0.9 * (1 + cos(pi/4)) / 2 = 0.1 + 0.45 * 1.70710678 = 0.868198
    assert s(35) == pytest.approx(0.8681980515, rel=1e-9)
    # end and after: alpha * lr
    assert s(110) == pytest.approx(0.1)
    assert s(10_000) == pytest.approx(0.1)


def test_cosine_decay_without_warmup():
    s = CosineDecay(0.2, decay_steps=4)
    # 0.2 * (1 + cos(pi * k / 4)) / 2 for k = 0..4: 0.2, 0.170711, 0.1, 0.029289, 0
    expected = [0.2, 0.1707106781, 0.1, 0.0292893219, 0.0]
    assert [s(k) for k in range(5)] == pytest.approx(expected, abs=1e-10)


def test_one_cycle_hand_values():
    s = OneCycle(1.0, total_steps=100)
    # initial = 1/25 = 0.04; floor = 0.04 / 1e4 = 4e-6; peak at step 0.3 * 100 - 1 = 29
    assert s(0) == pytest.approx(0.04)
    assert s(29) == pytest.approx(1.0)
    # halfway down: step 29 + 70/2 = 64 -> (1 + 4e-6) / 2
    assert s(64) == pytest.approx(0.500002, rel=1e-12)
    assert s(99) == pytest.approx(4e-6, rel=1e-12)
    assert s(150) == pytest.approx(4e-6, rel=1e-12)  # past the end: the floor
    # first phase, step 10: 1 + (0.04 - 1) * (1 + cos(pi * 10/29)) / 2
    assert s(10) == pytest.approx(1 - 0.96 * (1 + math.cos(math.pi * 10 / 29)) / 2, rel=1e-12)
    # the rate rises, then falls
    values = [s(k) for k in range(100)]
    assert max(values) == values[29]
    assert values[:30] == sorted(values[:30])
    assert values[29:] == sorted(values[29:], reverse=True)


def test_one_cycle_linear():
    s = OneCycle(
        2.5, total_steps=11, pct_start=0.2, div_factor=10, final_div_factor=5, anneal="linear"
    )
    # initial 0.25, floor 0.05; peak at step 0.2 * 11 - 1 = 1.2, end at 10
    assert s(0) == pytest.approx(0.25)
    assert s(1) == pytest.approx(0.25 + 2.25 / 1.2)  # 2.125
    # step 10 is the end: 0.05; step 5.6 would be halfway: use step 6 -> 2.5 - 2.45 * 4.8/8.8
    assert s(6) == pytest.approx(2.5 - 2.45 * 4.8 / 8.8)
    assert s(10) == pytest.approx(0.05)


def test_one_cycle_matches_pytorch():
    torch = pytest.importorskip("torch")
    total = 57
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    ref = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.3, total_steps=total, cycle_momentum=False
    )
    ours = OneCycle(0.3, total_steps=total)
    for k in range(total):
        assert ours(k) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12), k
        opt.step()
        ref.step()


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"lr: expected a positive finite number, got 0\.0"):
        Constant(0.0)
    with pytest.raises(ValueError, match="step_size"):
        StepDecay(0.1, step_size=0)
    with pytest.raises(ValueError, match="alpha"):
        CosineDecay(0.1, 10, alpha=1.5)
    with pytest.raises(ValueError, match="pct_start"):
        OneCycle(0.1, 100, pct_start=1.0)
    with pytest.raises(ValueError, match="total_steps: too few steps"):
        OneCycle(0.1, 3)
    with pytest.raises(ValueError, match="anneal"):
        OneCycle(0.1, 100, anneal="exp")
    with pytest.raises(ValueError, match="step: expected an integer >= 0, got -1"):
        Constant(0.1)(-1)


def test_registry_round_trip():
    for s in [
        Constant(0.1),
        StepDecay(0.1, 5, 0.3),
        ExponentialDecay(0.1, 0.9, 3, staircase=True),
        CosineDecay(0.1, 50, alpha=0.01, warmup_steps=5, warmup_start=0.001),
        OneCycle(0.5, 200, pct_start=0.25),
    ]:
        cfg = sch.serialize(s)
        json.dumps(cfg)
        back = sch.get(cfg)
        assert type(back) is type(s)
        assert [back(k) for k in range(0, 300, 7)] == [s(k) for k in range(0, 300, 7)]
    assert sch.get(None) is None
    assert sch.get(0.3)(5) == 0.3
    assert sch.names() == ["constant", "step", "exponential", "cosine", "one_cycle"]
    with pytest.raises(ValueError, match="unknown name"):
        sch.get({"class_name": "poly", "config": {}})

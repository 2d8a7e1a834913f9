"""nnscratch.training.optimizers: update formulas by hand, the book's comparison, state."""

from __future__ import annotations

import json
import math
import tracemalloc

import numpy as np
import pytest

from nnscratch import optimizers as opt_mod
from nnscratch.training.optimizers import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop


def book_grad(w: np.ndarray) -> np.ndarray:
    """Gradient of the book's f(x, y) = x^2/20 + y^2 (chapter 6): (x/10, 2y)."""
    return np.array([w[0] / 10.0, 2.0 * w[1]], dtype=w.dtype)


def run(opt, steps: int, start=(-7.0, 2.0), dtype=np.float64) -> np.ndarray:
    params = {"w": np.array(start, dtype=dtype)}
    for _ in range(steps):
        opt.step(params, {"w": book_grad(params["w"])})
    return params["w"]


# --- each update rule, two steps written out by hand -------------------------
# Start (-7, 2); gradient (x/10, 2y), so the first gradient is (-0.7, 4).


def test_sgd_by_hand():
    w = run(SGD(lr=0.95), 1)
    # w = (-7, 2) - 0.95 * (-0.7, 4) = (-7 + 0.665, 2 - 3.8)
    np.testing.assert_allclose(w, [-6.335, -1.8], rtol=1e-12)
    w = run(SGD(lr=0.95), 2)
    # g = (-0.6335, -3.6); w = (-6.335 + 0.601825, -1.8 + 3.42)
    np.testing.assert_allclose(w, [-5.733175, 1.62], rtol=1e-12)


def test_momentum_by_hand():
    w = run(Momentum(lr=0.1, momentum=0.9), 2)
    # step 1: v = -0.1 * (-0.7, 4) = (0.07, -0.4);  w = (-6.93, 1.6)
    # step 2: g = (-0.693, 3.2); v = 0.9 * (0.07, -0.4) - 0.1 * g = (0.1323, -0.68)
    #         w = (-6.93 + 0.1323, 1.6 - 0.68)
    np.testing.assert_allclose(w, [-6.7977, 0.92], rtol=1e-12)


def test_nesterov_by_hand_and_expanded_form():
    w = run(Nesterov(lr=0.1, momentum=0.9), 2)
    # step 1: v = (0.07, -0.4); w = w + 0.9 v - 0.1 g = (-7 + 0.063 + 0.07, 2 - 0.36 - 0.4)
    #         = (-6.867, 1.24)
    # step 2: g = (-0.6867, 2.48); v = 0.9 (0.07, -0.4) - 0.1 g = (0.13167, -0.608)
    #         w = (-6.867 + 0.9 * 0.13167 + 0.06867, 1.24 - 0.9 * 0.608 - 0.248)
    np.testing.assert_allclose(w, [-6.679827, 0.4448], rtol=1e-12)
    # The same update expanded (Bengio et al. 2013, eq. 7): w += mu^2 v_old - (1 + mu) lr g,
    # with the velocity from before the step, then v = mu v - lr g.
    we, v = np.array([-7.0, 2.0]), np.zeros(2)
    for _ in range(2):
        g = book_grad(we)
        we = we + 0.81 * v - 1.9 * 0.1 * g
        v = 0.9 * v - 0.1 * g
    np.testing.assert_allclose(w, we, rtol=1e-12)


def test_nesterov_differs_from_the_books_code():
    # The book's common/optimizer.py updates v first, then adds mu^2 v_new:
    # first step from v = 0 with mu = 0.9, lr = 0.1, g = 1 is
    # 0.81 * (-0.1) - 1.9 * 0.1 = -0.271; ours is -0.19 (see the docstring).
    params = {"w": np.zeros(1)}
    Nesterov(lr=0.1, momentum=0.9).step(params, {"w": np.ones(1)})
    np.testing.assert_allclose(params["w"], [-0.19], rtol=1e-12)
    wb, v = np.zeros(1), np.zeros(1)
    v = 0.9 * v - 0.1 * 1.0
    wb = wb + 0.81 * v - 1.9 * 0.1 * 1.0
    np.testing.assert_allclose(wb, [-0.271], rtol=1e-12)
    assert not np.allclose(params["w"], wb)


def test_adagrad_by_hand():
    w = run(AdaGrad(lr=1.5), 2)
    # step 1: h = (0.49, 16); w = (-7 + 1.5 * 0.7 / (0.7 + 1e-7), 2 - 1.5 * 4 / (4 + 1e-7))
    x1 = -7 + 1.5 * 0.7 / (0.7 + 1e-7)
    y1 = 2 - 1.5 * 4 / (4 + 1e-7)
    assert (x1, y1) == pytest.approx((-5.5, 0.5), abs=1e-6)
    # step 2: g = (x1/10, 2 y1); h += g^2
    g = (x1 / 10, 2 * y1)
    h = (0.49 + g[0] ** 2, 16 + g[1] ** 2)
    x2 = x1 - 1.5 * g[0] / (math.sqrt(h[0]) + 1e-7)
    y2 = y1 - 1.5 * g[1] / (math.sqrt(h[1]) + 1e-7)
    np.testing.assert_allclose(w, [x2, y2], rtol=1e-12)
    # numerically: (-5.5 + 1.5 * 0.55 / sqrt(0.7925), 0.5 - 1.5 / sqrt(17))
    np.testing.assert_allclose(w, [-4.57326, 0.136194], atol=1e-5)


def test_rmsprop_by_hand():
    w = run(RMSprop(lr=0.1, rho=0.9), 2)
    # step 1: h = 0.1 * g^2 = (0.049, 1.6); w -= 0.1 g / (sqrt(h) + 1e-7)
    h = [0.1 * 0.49, 0.1 * 16]
    x1 = -7 + 0.1 * 0.7 / (math.sqrt(h[0]) + 1e-7)
    y1 = 2 - 0.1 * 4 / (math.sqrt(h[1]) + 1e-7)
    # step 2: h = 0.9 h + 0.1 g^2
    g = (x1 / 10, 2 * y1)
    h = [0.9 * h[0] + 0.1 * g[0] ** 2, 0.9 * h[1] + 0.1 * g[1] ** 2]
    x2 = x1 - 0.1 * g[0] / (math.sqrt(h[0]) + 1e-7)
    y2 = y1 - 0.1 * g[1] / (math.sqrt(h[1]) + 1e-7)
    np.testing.assert_allclose(w, [x2, y2], rtol=1e-12)


def _adam_by_hand(lr, steps, wd=0.0, decoupled=False, b1=0.9, b2=0.999, eps=1e-8):
    """Kingma & Ba, Algorithm 1, with explicit bias-corrected moments."""
    w, m, v = [-7.0, 2.0], [0.0, 0.0], [0.0, 0.0]
    for t in range(1, steps + 1):
        g = [w[0] / 10, 2 * w[1]]
        if wd and not decoupled:
            g = [g[i] + wd * w[i] for i in range(2)]
        if decoupled:
            w = [w[i] * (1 - lr * wd) for i in range(2)]
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            m_hat = m[i] / (1 - b1**t)
            v_hat = v[i] / (1 - b2**t)
            w[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
    return w


def test_adam_by_hand():
    w1 = run(Adam(lr=0.3), 1)
    # step 1: m_hat = g, v_hat = g^2, so w -= 0.3 * g / (|g| + eps): (-6.7, 1.7)
    np.testing.assert_allclose(w1, [-6.7, 1.7], rtol=1e-9)
    w = run(Adam(lr=0.3), 3)
    np.testing.assert_allclose(w, _adam_by_hand(0.3, 3), rtol=1e-12)


def test_adamw_decoupled_by_hand():
    w1 = run(AdamW(lr=0.3, weight_decay=0.1), 1)
    # shrink w by (1 - 0.3 * 0.1) = 0.97, then the Adam step of size 0.3 sign(g)
    np.testing.assert_allclose(w1, [-7 * 0.97 + 0.3, 2 * 0.97 - 0.3], rtol=1e-9)
    w = run(AdamW(lr=0.3, weight_decay=0.1), 4)
    np.testing.assert_allclose(w, _adam_by_hand(0.3, 4, wd=0.1, decoupled=True), rtol=1e-12)


def test_adam_coupled_weight_decay_differs_from_adamw():
    coupled = run(Adam(lr=0.3, weight_decay=0.1), 4)
    np.testing.assert_allclose(coupled, _adam_by_hand(0.3, 4, wd=0.1), rtol=1e-12)
    decoupled = run(AdamW(lr=0.3, weight_decay=0.1), 4)
    assert not np.allclose(coupled, decoupled)


def test_sgd_coupled_weight_decay_by_hand():
    w = run(SGD(lr=0.1, weight_decay=0.5), 1)
    # g' = (-0.7, 4) + 0.5 * (-7, 2) = (-4.2, 5); w = (-7 + 0.42, 2 - 0.5)
    np.testing.assert_allclose(w, [-6.58, 1.5], rtol=1e-12)


# --- the book's comparison (chapter 6, optimizer_compare_naive.py) -----------

BOOK_RUNS = [
    (SGD, {"lr": 0.95}),
    (Momentum, {"lr": 0.1}),
    (AdaGrad, {"lr": 1.5}),
    (Adam, {"lr": 0.3}),
    (Nesterov, {"lr": 0.1}),
    (RMSprop, {"lr": 0.1}),
    (AdamW, {"lr": 0.3}),
]


@pytest.mark.parametrize(("cls", "kwargs"), BOOK_RUNS, ids=[c.__name__ for c, _ in BOOK_RUNS])
def test_book_function_30_steps_moves_toward_minimum(cls, kwargs):
    start = np.array([-7.0, 2.0])
    w = run(cls(**kwargs), 30)
    d0, d = float(np.linalg.norm(start)), float(np.linalg.norm(w))
    # Start is 7.280 from the minimum (0, 0). After 30 steps the distances are:
    # SGD 0.361, Momentum 0.901, AdaGrad 0.120, Adam 0.346, Nesterov 0.690,
    # RMSprop 0.697, AdamW (weight_decay 0.01) 0.403.
    assert d < d0 / 2, f"{cls.__name__}: distance {d:.3f}, start {d0:.3f}"
    f = w[0] ** 2 / 20 + w[1] ** 2
    assert f < (49 / 20 + 4) / 4


# --- oracle: PyTorch, when installed ------------------------------------------


def _torch_pair(name):
    torch = pytest.importorskip("torch")
    pairs = {
        "sgd": (
            SGD(lr=0.1, weight_decay=0.01),
            lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.01),
        ),
        "momentum": (
            Momentum(lr=0.1, momentum=0.9),
            lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        ),
        "nesterov": (
            Nesterov(lr=0.1, momentum=0.9),
            lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        ),
        "adagrad": (AdaGrad(lr=0.5, eps=1e-10), lambda p: torch.optim.Adagrad(p, lr=0.5)),
        "rmsprop": (
            RMSprop(lr=0.01, rho=0.99, eps=1e-8),
            lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8),
        ),
        "adam": (
            Adam(lr=0.01, weight_decay=0.02),
            lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.02),
        ),
        "adamw": (
            AdamW(lr=0.01, weight_decay=0.05),
            lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.05),
        ),
    }
    return torch, pairs[name]


@pytest.mark.parametrize(
    "name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
)
def test_matches_pytorch_float64(name):
    torch, (ours, make_theirs) = _torch_pair(name)
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4))
    w0 = rng.normal(size=(4, 5))
    b0 = rng.normal(size=5)
    params = {"0.W": w0.copy(), "0.b": b0.copy()}
    tw = torch.tensor(w0.copy(), requires_grad=True)
    tb = torch.tensor(b0.copy(), requires_grad=True)
    theirs = make_theirs([tw, tb])
    for _ in range(25):
        # loss = sum(tanh(a @ W + b)^2)
        z = a @ params["0.W"] + params["0.b"]
        dz = 2 * np.tanh(z) * (1 - np.tanh(z) ** 2)
        ours.step(params, {"0.W": a.T @ dz, "0.b": dz.sum(0)})
        theirs.zero_grad()
        (torch.tanh(torch.tensor(a) @ tw + tb) ** 2).sum().backward()
        theirs.step()
    np.testing.assert_allclose(params["0.W"], tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(params["0.b"], tb.detach().numpy(), rtol=1e-10, atol=1e-12)


# --- state, dtype, allocation -------------------------------------------------

ALL = [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW]


def _quadratic_problem(dtype):
    rng = np.random.default_rng(1)
    params = {"0.W": rng.normal(size=(6, 3)).astype(dtype), "0.b": rng.normal(size=3).astype(dtype)}
    return params


def _grads(params):
    return {k: (2.0 * v + 0.5).astype(v.dtype) for k, v in params.items()}


@pytest.mark.parametrize("cls", ALL, ids=[c.__name__ for c in ALL])
def test_state_dict_round_trip_continues_identically(cls):
    a = cls(lr=0.05, weight_decay=0.01)
    pa = _quadratic_problem(np.float32)
    for _ in range(5):
        a.step(pa, _grads(pa))
    state = a.state_dict()
    # plain arrays and numbers, storable as safetensors + JSON
    scalars = {k: v for k, v in state.items() if not isinstance(v, np.ndarray)}
    assert set(scalars) == {"iterations", "lr"}
    json.dumps(scalars)
    assert state["iterations"] == 5
    b = opt_mod.get(opt_mod.serialize(a))
    b.load_state_dict(state)
    pb = {k: v.copy() for k, v in pa.items()}
    for _ in range(5):
        a.step(pa, _grads(pa))
        b.step(pb, _grads(pb))
    for k in pa:
        assert np.array_equal(pa[k], pb[k])
    # the saved state is a snapshot, not a view of the live buffers
    if cls.slot_names:
        key = f"{cls.slot_names[0]}/0.W"
        assert not np.array_equal(state[key], a.state_dict()[key])


@pytest.mark.parametrize("cls", ALL, ids=[c.__name__ for c in ALL])
def test_float32_params_stay_float32(cls):
    params = _quadratic_problem(np.float32)
    o = cls(lr=0.01, weight_decay=0.1)
    for _ in range(3):
        o.step(params, _grads(params))
    assert all(p.dtype == np.float32 for p in params.values())
    assert all(v.dtype == np.float32 for v in o.state_dict().values() if isinstance(v, np.ndarray))


@pytest.mark.parametrize("cls", ALL, ids=[c.__name__ for c in ALL])
def test_step_updates_in_place_and_allocates_nothing(cls):
    rng = np.random.default_rng(2)
    params = {"0.W": rng.normal(size=(200, 100)).astype(np.float32)}
    grads = {"0.W": rng.normal(size=(200, 100)).astype(np.float32)}
    g_before = grads["0.W"].copy()
    live = params["0.W"]
    o = cls(lr=0.01, weight_decay=0.01)
    o.step(params, grads)  # first step allocates the state buffers
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(5):
            o.step(params, grads)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert params["0.W"] is live
    assert np.array_equal(grads["0.W"], g_before), "the gradient must not be written to"
    # one 200x100 float32 array is 80,000 bytes; a step allocates far less than that
    assert peak - base < 8_000


def test_lr_is_settable_and_used():
    o = SGD(lr=0.1)
    o.lr = 0.5
    params = {"w": np.array([1.0])}
    o.step(params, {"w": np.array([1.0])})
    assert params["w"][0] == 0.5
    o.lr = 0.0  # a schedule may reach zero
    with pytest.raises(ValueError, match="lr"):
        o.lr = float("nan")


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: SGD(lr=0), "lr: expected a positive finite number, got 0"),
        (lambda: SGD(lr=-1.0), "lr: expected a positive finite number, got -1.0"),
        (lambda: Adam(lr=float("inf")), "lr: expected a positive finite number, got inf"),
        (lambda: Momentum(momentum=1.0), "momentum: expected a number in"),
        (lambda: Adam(beta1=-0.1), "beta1: expected a number in"),
        (lambda: Adam(beta2=1.5), "beta2"),
        (lambda: RMSprop(rho=1.0), "rho"),
        (lambda: AdaGrad(eps=0.0), "eps"),
        (lambda: AdamW(weight_decay=-0.1), "weight_decay"),
    ],
)
def test_bad_hyperparameters_raise(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_bad_types_and_shapes():
    with pytest.raises(TypeError, match="lr"):
        SGD(lr="0.1")
    o = SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"grads\['w'\]: expected shape \(2,\)"):
        o.step({"w": np.zeros(2)}, {"w": np.zeros(3)})
    with pytest.raises(ValueError, match="missing 'b'"):
        o.step({"w": np.zeros(2), "b": np.zeros(1)}, {"w": np.zeros(2)})
    with pytest.raises(ValueError, match="unexpected key"):
        Adam().load_state_dict({"iterations": 1, "lr": 0.1, "q/0.W": np.zeros(2)})
    with pytest.raises(ValueError, match="lacks slots"):
        Adam().load_state_dict({"iterations": 1, "lr": 0.1, "m/0.W": np.zeros(2)})


@pytest.mark.parametrize("cls", [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW])
def test_gradient_shape_checked_on_every_step(cls):
    o = cls(lr=0.1)
    params = {"a": np.ones((3, 2)), "w": np.ones((3, 2))}
    o.step(params, {"a": np.ones((3, 2)), "w": np.ones((3, 2))})
    before = {k: v.copy() for k, v in params.items()}
    state = o.state_dict()
    # A (1, 2) gradient would broadcast over the (3, 2) parameter: refused, on step 2 too.
    with pytest.raises(ValueError, match=r"grads\['w'\]: expected shape \(3, 2\).*got \(1, 2\)"):
        o.step(params, {"a": np.ones((3, 2)), "w": np.ones((1, 2))})
    with pytest.raises(ValueError, match="missing 'w'"):
        o.step(params, {"a": np.ones((3, 2))})
    # Nothing moved: not the parameter checked before the bad one, not the state.
    assert o.iterations == 1
    for k in params:
        np.testing.assert_array_equal(params[k], before[k], err_msg=k)
    for k, v in o.state_dict().items():
        np.testing.assert_array_equal(v, state[k], err_msg=k)


def test_failed_first_step_leaves_iterations_at_zero():
    o = Adam()
    with pytest.raises(ValueError, match="missing 'b'"):
        o.step({"w": np.zeros(2), "b": np.zeros(1)}, {"w": np.zeros(2)})
    with pytest.raises(TypeError, match=r"params\['w'\]"):
        o.step({"w": np.zeros(2, int)}, {"w": np.zeros(2)})
    assert o.iterations == 0 and o.state_dict() == {"iterations": 0, "lr": o.lr}


def test_registry():
    assert opt_mod.names() == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
    assert isinstance(opt_mod.get("adam"), Adam)
    assert isinstance(opt_mod.get("RMSprop"), RMSprop)
    a = opt_mod.get({"class_name": "adamw", "config": {"lr": 0.002, "weight_decay": 0.1}})
    assert isinstance(a, AdamW) and a.lr == 0.002 and a.weight_decay == 0.1
    inst = Momentum(lr=0.3)
    assert opt_mod.get(inst) is inst
    cfg = opt_mod.serialize(Adam(lr=0.01, beta1=0.8))
    assert cfg == {
        "class_name": "adam",
        "config": {"lr": 0.01, "weight_decay": 0.0, "beta1": 0.8, "beta2": 0.999, "eps": 1e-8},
    }
    json.dumps(cfg)
    assert opt_mod.get(cfg).get_config() == cfg["config"]
    with pytest.raises(ValueError, match=r"unknown name 'adamax'.*'sgd'"):
        opt_mod.get("adamax")
    with pytest.raises(TypeError, match="optimizer"):
        opt_mod.get(3)

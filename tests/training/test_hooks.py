"""Gradient hooks: weight decay, clipping, gradient noise, freezing; saved with the optimizer."""

from __future__ import annotations

import ast
import inspect
import json
import math

import numpy as np
import pytest

import nnscratch.training.callbacks
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.training import Trainer, fit, read_checkpoint
from nnscratch.training import optimizers as opt_mod
from nnscratch.training.hooks import ClipGradNorm, Freeze, GradientNoise, Hook, WeightDecay
from nnscratch.training.optimizers import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop

COUPLED = [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam]


def _params(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return {"W": rng.normal(size=(5, 4)).astype(dtype), "b": rng.normal(size=4).astype(dtype)}


def _grads(step, dtype=np.float32):
    rng = np.random.default_rng(100 + step)
    return {"W": rng.normal(size=(5, 4)).astype(dtype), "b": rng.normal(size=4).astype(dtype)}


def _blobs(n=96, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(3, 4))
    t = rng.integers(0, 3, size=n)
    return (centers[t] + rng.normal(size=(n, 4))).astype(np.float32), t


def _mlp(seed=0):
    return Sequential([Dense(4, 8), Activation("tanh"), Dense(8, 3)], seed=seed)


def _same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _copy(net):
    return {k: v.copy() for k, v in net.parameters().items()}


# --- WeightDecay ---------------------------------------------------------------------


@pytest.mark.parametrize("cls", COUPLED)
def test_weight_decay_hook_is_the_weight_decay_argument_bit_for_bit(cls):
    a, b, c = _params(), _params(), _params()
    with_arg = cls(lr=0.05, weight_decay=0.01)
    with_hook = cls(lr=0.05, hooks=[WeightDecay(0.01)])
    # the old path by hand: the rule applied to g + wd * w (the gradient of wd/2 ||w||^2)
    by_hand = cls(lr=0.05)
    for step in range(6):
        g = _grads(step)
        with_arg.step(a, g)
        with_hook.step(b, g)
        by_hand.step(c, {k: np.float32(0.01) * c[k] + g[k] for k in g})
    assert _same(a, b) and _same(a, c)


def test_weight_decay_in_fit_matches_the_argument():
    x, t = _blobs()
    a, b = _mlp(), _mlp()
    fit(
        a, x, t, optimizer=Adam(0.01, weight_decay=1e-3), epochs=3, batch_size=16, seed=0, verbose=0
    )
    fit(
        b,
        x,
        t,
        optimizer=Adam(0.01, hooks=[WeightDecay(1e-3)]),
        epochs=3,
        batch_size=16,
        seed=0,
        verbose=0,
    )
    assert _same(_copy(a), _copy(b))


# --- ClipGradNorm ----------------------------------------------------------------------


def test_clip_grad_norm_caps_the_global_norm_and_keeps_the_direction():
    params = {"a": np.zeros(3), "b": np.zeros((2, 2))}
    grads = {"a": np.array([3.0, 0.0, 4.0]), "b": np.array([[0.0, 12.0], [0.0, 0.0]])}
    clip = ClipGradNorm(6.5)
    SGD(1.0, hooks=[clip]).step(params, grads)  # w = -g_clipped
    assert clip.last_norm == pytest.approx(13.0)  # sqrt(9 + 16 + 144)
    moved = math.sqrt(sum(float(np.sum(v * v)) for v in params.values()))
    assert moved == pytest.approx(6.5, rel=1e-12)
    np.testing.assert_allclose(params["a"], -0.5 * grads["a"], rtol=1e-12)
    np.testing.assert_allclose(params["b"], -0.5 * grads["b"], rtol=1e-12)
    assert grads["a"][0] == 3.0  # the caller's gradients are not written to
    # under the cap: the update is plain SGD, bit for bit
    p, q = _params(), _params()
    g = _grads(0)
    SGD(0.1, hooks=[ClipGradNorm(1e6)]).step(p, g)
    SGD(0.1).step(q, g)
    assert _same(p, q)


def test_clip_grad_norm_bounds_every_step_of_a_run():
    x, t = _blobs()
    net = _mlp()
    clip = ClipGradNorm(0.05)
    norms = []

    class Record(Hook):
        def __call__(self, params, grads):
            norms.append(math.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))

    fit(
        net,
        x,
        t,
        optimizer=SGD(0.1, hooks=[clip, Record()]),
        epochs=2,
        batch_size=16,
        seed=0,
        verbose=0,
    )
    assert len(norms) == 12 and max(norms) <= 0.05 * (1 + 1e-6)


# --- GradientNoise -----------------------------------------------------------------------


def test_gradient_noise_is_annealed_gaussian_and_seeded():
    noise = GradientNoise(0.3, decay=0.55, seed=1)
    assert noise.sigma(0) == 0.3 and noise.sigma(3) == pytest.approx(0.3 / 4**0.275)
    p = {"w": np.zeros(200_000)}
    opt = SGD(1.0, hooks=[noise])
    opt.step(p, {"w": np.zeros(200_000)})  # w = -sigma_0 e
    assert np.std(p["w"]) == pytest.approx(0.3, rel=0.01) and abs(np.mean(p["w"])) < 0.003
    first = p["w"].copy()
    opt.step(p, {"w": np.zeros(200_000)})
    assert np.std(p["w"] - first) == pytest.approx(0.3 / 2**0.275, rel=0.01)
    # the same seed draws the same noise; another seed other noise
    runs = []
    for seed in (1, 1, 2):
        q = {"w": np.zeros(5)}
        SGD(1.0, hooks=[GradientNoise(0.3, seed=seed)]).step(q, {"w": np.zeros(5)})
        runs.append(q["w"])
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])


def test_gradient_noise_keeps_float32_parameters_float32():
    p = _params()
    SGD(0.1, hooks=[GradientNoise(0.1, seed=0)]).step(p, _grads(0))
    assert p["W"].dtype == np.float32 and p["b"].dtype == np.float32


def test_gradient_noise_resumes_bit_exactly(tmp_path):
    x, t = _blobs()

    def trainer(net, path, seed):
        opt = SGD(0.1, hooks=[GradientNoise(0.05, seed=seed), ClipGradNorm(5.0)])
        return Trainer(net, opt, batch_size=16, seed=4, verbose=0, checkpoint=path)

    straight = _mlp()
    trainer(straight, tmp_path / "a.ckpt", 7).fit(x, t, epochs=4)
    first = _mlp()
    trainer(first, tmp_path / "b.ckpt", 7).fit(x, t, epochs=2)
    _, info = read_checkpoint(tmp_path / "b.ckpt")
    assert info["optimizer_scalars"]["hook/0/steps"] == 12
    again = _mlp(seed=9)  # a fresh process: another init, a fresh hook
    trainer(again, tmp_path / "b.ckpt", 7).fit(x, t, epochs=4, resume=True)
    assert _same(_copy(again), _copy(straight))
    # without the hook's state the noise would start over: another result
    other = _mlp()
    trainer(other, tmp_path / "c.ckpt", 7).fit(x, t, epochs=2)
    tr = trainer(other, tmp_path / "c.ckpt", 7)
    tr.load_checkpoint(tmp_path / "c.ckpt")
    tr.optimizer.hooks[0].reset()
    tr.fit(x, t, epochs=4)
    assert not _same(_copy(other), _copy(straight))


# --- Freeze ------------------------------------------------------------------------------


@pytest.mark.parametrize("opt", [SGD(0.1), Momentum(0.1), Adam(0.01), AdamW(0.01)])
def test_freeze_leaves_the_named_parameters_untouched(opt):
    x, t = _blobs()
    net = _mlp()
    start = _copy(net)
    opt.add_hook(Freeze("0.b", "2.W"))
    fit(net, x, t, optimizer=opt, epochs=2, batch_size=16, seed=0, verbose=0)
    now = _copy(net)
    assert np.array_equal(now["0.b"], start["0.b"]) and np.array_equal(now["2.W"], start["2.W"])
    assert not np.array_equal(now["0.W"], start["0.W"])
    assert not np.array_equal(now["2.b"], start["2.b"])
    assert not any(k.endswith(("/0.b", "/2.W")) for k in opt.state_dict())


def test_freeze_checks_the_names():
    with pytest.raises(ValueError, match=r"Freeze: expected names of parameters from \['W', 'b'\]"):
        SGD(0.1, hooks=[Freeze("0.W")]).step(_params(), _grads(0))
    with pytest.raises(TypeError, match="names"):
        Freeze(0)


# --- the API: order, serialization, state ------------------------------------------------


def test_hooks_run_in_order_before_the_coupled_weight_decay():
    seen = []

    class Tag(Hook):
        def __init__(self, tag):
            super().__init__()
            self.tag = tag

        def __call__(self, params, grads):
            seen.append((self.tag, float(grads["w"][0])))

    opt = SGD(1.0, weight_decay=0.5, hooks=[Tag("a")])
    opt.add_hook(Tag("b"))
    p = {"w": np.array([2.0])}
    opt.step(p, {"w": np.array([1.0])})
    assert seen == [("a", 1.0), ("b", 1.0)] and p["w"][0] == 2.0 - (1.0 + 0.5 * 2.0)
    with pytest.raises(TypeError, match="hook: expected a Hook"):
        opt.add_hook(print)


def test_hooks_serialize_with_the_optimizer():
    opt = Adam(
        0.01, hooks=[WeightDecay(0.1), ClipGradNorm(2.0), GradientNoise(0.2, seed=3), Freeze("0.b")]
    )
    cfg = opt_mod.serialize(opt)
    assert cfg["config"]["hooks"] == [
        {"class_name": "weight_decay", "config": {"rate": 0.1}},
        {"class_name": "clip_grad_norm", "config": {"max_norm": 2.0}},
        {"class_name": "gradient_noise", "config": {"std": 0.2, "decay": 0.55, "seed": 3}},
        {"class_name": "freeze", "config": {"names": ["0.b"]}},
    ]
    back = opt_mod.get(json.loads(json.dumps(cfg)))
    assert opt_mod.serialize(back) == cfg
    assert [type(h) for h in back.hooks] == [WeightDecay, ClipGradNorm, GradientNoise, Freeze]
    assert "hooks" not in Adam(0.01).get_config()  # configs without hooks are as before
    with pytest.raises(ValueError, match="unknown name 'clip'"):
        opt_mod.get({"class_name": "sgd", "config": {"hooks": [{"class_name": "clip"}]}})


def test_hook_state_round_trips_and_is_checked():
    opt = SGD(0.1, hooks=[GradientNoise(0.5, seed=0)])
    p = _params()
    opt.step(p, _grads(0))
    state = opt.state_dict()
    assert state["hook/0/steps"] == 1 and "state" in json.loads(json.dumps(state["hook/0/rng"]))
    other = SGD(0.1, hooks=[GradientNoise(0.5, seed=99)])
    other.load_state_dict(state)
    q = {k: v.copy() for k, v in p.items()}
    opt.step(p, _grads(1))
    other.step(q, _grads(1))
    assert _same(p, q)
    with pytest.raises(ValueError, match="state of a hook this optimizer does not have"):
        SGD(0.1).load_state_dict(state)


def test_resume_refuses_other_hooks(tmp_path):
    x, t = _blobs()
    path = tmp_path / "h.ckpt"
    fit(
        _mlp(),
        x,
        t,
        optimizer=SGD(0.1, hooks=[ClipGradNorm(1.0)]),
        epochs=1,
        batch_size=16,
        verbose=0,
        checkpoint=path,
    )
    with pytest.raises(ValueError, match=r"^hooks: the checkpoint was written with sgd hooks"):
        fit(
            _mlp(),
            x,
            t,
            optimizer=SGD(0.1, hooks=[ClipGradNorm(2.0)]),
            epochs=2,
            batch_size=16,
            verbose=0,
            checkpoint=path,
            resume=True,
        )


def test_bad_hook_arguments():
    with pytest.raises(ValueError, match="max_norm: expected a positive finite number, got 0"):
        ClipGradNorm(0)
    with pytest.raises(ValueError, match="rate: expected a non-negative finite number"):
        WeightDecay(-1.0)
    with pytest.raises(ValueError, match="seed"):
        GradientNoise(0.1, seed=-1)


# --- callbacks depend on an interface, not on the loop -------------------------------------


def test_callbacks_module_does_not_import_the_training_loop():
    tree = ast.parse(inspect.getsource(nnscratch.training.callbacks))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
    assert "nnscratch.network" in imported  # it types against the Network protocol
    assert not [m for m in imported if m.startswith("nnscratch.training")], imported

"""The perceptron and minima pages: the one adapter over the library's classic code.

The library is being reshaped (``classic/`` and ``minima/`` packages); this
module is the only place the web pages touch :mod:`nnscratch.classic` and
:mod:`nnscratch.minima`, so the move changes this file and nothing else.

* Perceptron: Rosenblatt's rule (Zhou eq. 5.1-5.2) on a logic gate, one
  update at a time, with the dummy input fixed at -1 whose weight is the
  threshold. ``Perceptron.fit`` reports epochs only; :func:`perceptron_trace`
  replays its rule sample by sample and is tested to end, epoch by epoch,
  exactly where ``fit`` does. XOR gets a hidden layer as in the book
  (Saitoh section 2.5, ``XOR = AND(NAND, OR)``): two perceptrons learn NAND
  and OR by the same rule, a third learns AND of their outputs.
* Minima: gradient descent, momentum, simulated annealing and random
  restarts from one start on Rastrigin or the book's ``x^2/20 + y^2``
  (Saitoh eq. 6.2), each path recorded by the library's own functions, and
  the Rastrigin rows of ``minima_experiment``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nnscratch as nn
from nnscratch._validate import Integer, Options, Real, check, check_seed, fail
from nnscratch.classic import Perceptron
from nnscratch.datasets.toy import logic_gate
from nnscratch.minima import (
    minima_experiment,
    noisy_gradient_descent,
    random_restarts,
    rastrigin,
    rastrigin_grad,
    simulated_annealing,
)

__all__ = [
    "GATES",
    "SURFACES",
    "experiment_counts",
    "minima_paths",
    "parse_minima",
    "parse_perceptron",
    "perceptron_trace",
    "xor_hidden_layer",
]

GATES = ("AND", "OR", "NAND", "XOR")
DUMMY = -1.0  # the dummy input whose weight is the threshold theta (Zhou, p. 99)


# --- perceptron -------------------------------------------------------------------
def parse_perceptron(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise fail("body", "a JSON object", type(body).__name__, TypeError)
    unknown = sorted(set(body) - {"gate", "lr", "epochs"})
    if unknown:
        raise fail("body", "keys gate, lr, epochs", f"unknown keys {unknown}")
    return {
        "gate": check("gate", body.get("gate", "AND"), Options(*GATES)),
        "lr": check("lr", body.get("lr", 0.1), Real(0, 10, low_open=True)),
        "epochs": check("epochs", body.get("epochs", 20), Integer(1, 50)),
    }


def perceptron_trace(gate: str, lr: float, epochs: int) -> dict[str, Any]:
    """Every sample visit of Rosenblatt's rule on ``gate``: weights before and after.

    Each step: ``y_hat = step(w . x_aug)`` with ``x_aug = (x1, x2, -1)``, then
    ``w <- w + lr (y - y_hat) x_aug`` (no change when right). Samples in the
    truth table's order, as ``Perceptron.fit`` visits them without shuffling.
    """
    x, t = logic_gate(gate)
    unit = Perceptron(2, lr=lr, max_epochs=epochs).fit(x, t)  # the library's own run
    w = np.zeros(3)  # (w1, w2, theta), the zeros Perceptron starts from
    steps = []
    for epoch in range(1, unit.n_iter_ + 1):
        for i in range(len(x)):
            x_aug = np.array([x[i, 0], x[i, 1], DUMMY])
            y_hat = 1 if x_aug @ w > 0 else 0
            w_new = w + lr * (t[i] - y_hat) * x_aug
            steps.append(
                {
                    "epoch": epoch,
                    "x": x_aug.tolist(),
                    "t": int(t[i]),
                    "y": y_hat,
                    "before": w.tolist(),
                    "after": w_new.tolist(),
                }
            )
            w = w_new
    return {
        "gate": gate,
        "lr": lr,
        "converged": unit.converged_,
        "epochs": unit.n_iter_,
        "errors_per_epoch": [int(e) for e in unit.history_],
        "fit_weights": [*unit.weights_.tolist(), unit.threshold_],
        "steps": steps,
    }


def xor_hidden_layer(lr: float) -> dict[str, Any]:
    """XOR by two layers of perceptrons, each trained by the rule: h = (NAND, OR), y = AND(h)."""
    x, t = logic_gate("XOR")
    hidden = []
    for gate in ("NAND", "OR"):
        hidden.append((gate, Perceptron(2, lr=lr, max_epochs=50).fit(*logic_gate(gate))))
    h = np.column_stack([unit.predict(x) for _, unit in hidden])
    out = Perceptron(2, lr=lr, max_epochs=50).fit(h, _and_of(h))  # AND of the hidden outputs is XOR
    y = out.predict(h)
    return {
        "hidden": [
            {"gate": g, "weights": [*u.weights_.tolist(), u.threshold_], "epochs": u.n_iter_}
            for g, u in hidden
        ],
        "output": {"gate": "AND", "weights": [*out.weights_.tolist(), out.threshold_]},
        "table": [
            {"x": x[i].tolist(), "h": h[i].tolist(), "y": int(y[i]), "t": int(t[i])}
            for i in range(len(x))
        ],
        "solved": bool(np.array_equal(y, t)),
    }


def _and_of(h: np.ndarray) -> np.ndarray:
    return (h[:, 0] * h[:, 1]).astype(np.int64)


# --- minima -----------------------------------------------------------------------
def bowl(p: Any) -> float:
    """The book's ``f(x, y) = x^2 / 20 + y^2`` (Saitoh eq. 6.2): one minimum, a long valley."""
    return float(p[0] ** 2 / 20.0 + p[1] ** 2)


def bowl_grad(p: Any) -> np.ndarray:
    return np.array([p[0] / 10.0, 2.0 * p[1]])


# name -> (f, grad, half-width of the square shown, gd lr, momentum lr, annealing step)
SURFACES = {
    "rastrigin": (rastrigin, rastrigin_grad, 5.12, 0.002, 0.002, 1.0),
    "bowl": (bowl, bowl_grad, 10.0, 0.95, 0.1, 1.0),
}


def parse_minima(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise fail("body", "a JSON object", type(body).__name__, TypeError)
    unknown = sorted(set(body) - {"surface", "start", "steps", "seed"})
    if unknown:
        raise fail("body", "keys surface, start, steps, seed", f"unknown keys {unknown}")
    surface = check("surface", body.get("surface", "rastrigin"), Options(*SURFACES))
    half = SURFACES[surface][2]
    start = body.get("start", [3.2, 2.7] if surface == "rastrigin" else [-7.0, 2.0])
    if not isinstance(start, list) or len(start) != 2:
        raise fail("start", "a list [x, y]", start, TypeError)
    start = [check(f"start[{i}]", v, Real(-half, half)) for i, v in enumerate(start)]
    seed = check_seed("seed", body.get("seed", 0))
    return {
        "surface": surface,
        "start": start,
        "steps": check("steps", body.get("steps", 300), Integer(10, 1000)),
        "seed": 0 if seed is None else min(seed, 2**31),
    }


def minima_paths(surface: str, start: list[float], steps: int, seed: int) -> dict[str, Any]:
    """The four strategies' paths from ``start``, ``steps`` points each, and the surface."""
    f, grad, half, lr_gd, lr_mom, step_size = SURFACES[surface]
    x0 = np.array(start, dtype=np.float64)
    gd = noisy_gradient_descent(f, x0, grad=grad, lr=lr_gd, steps=steps).trajectory
    momentum = _momentum_path(grad, x0, lr_mom, steps)
    anneal = simulated_annealing(
        f, x0, steps=steps, t0=10.0, alpha=0.01 ** (1.0 / steps), step_size=step_size, seed=seed
    ).trajectory
    restarts = _restarts_path(f, grad, half, lr_gd, steps, seed)
    paths = {
        "gradient descent": gd,
        "momentum": momentum,
        "simulated annealing": anneal,
        "random restarts": restarts,
    }
    axis = np.linspace(-half, half, 120)
    grid = np.array([[f(np.array([u, v])) for u in axis] for v in axis[::-1]])
    shade = np.log1p(grid - grid.min())
    return {
        "surface": surface,
        "half": half,
        "grid": np.round(shade / shade.max(), 4).ravel().tolist(),
        "grid_size": len(axis),
        "paths": {
            name: {
                "points": np.round(p, 4).tolist(),
                "final": float(f(p[-1])),
                "best": float(min(f(q) for q in p)),
            }
            for name, p in paths.items()
        },
    }


def _momentum_path(grad: Any, x0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """Momentum (``nn.optimizers.Momentum``, the book's section 6.1.4) on a point in the plane."""
    opt = nn.optimizers.Momentum(lr=lr, momentum=0.9)
    x = x0.copy()
    path = [x.copy()]
    for _ in range(steps):
        opt.step({"x": x}, {"x": grad(x)})
        path.append(x.copy())
    return np.array(path)


def _restarts_path(f: Any, grad: Any, half: float, lr: float, steps: int, seed: int) -> np.ndarray:
    """Random restarts' runs laid end to end (5 starts sharing ``steps``): the path jumps."""
    runs: list[np.ndarray] = []
    per = max(1, steps // 5 - 1)

    def local(x0: np.ndarray) -> tuple[np.ndarray, float]:
        res = noisy_gradient_descent(f, x0, grad=grad, lr=lr, steps=per)
        runs.append(res.trajectory)
        return res.params, res.energy

    bounds = (np.full(2, -half), np.full(2, half))
    random_restarts(f, bounds, 5, local=local, seed=seed)
    return np.concatenate(runs)


def experiment_counts(seeds: int = 20) -> dict[str, Any]:
    """The Rastrigin rows of ``minima_experiment`` over ``seeds`` seeds (a few seconds)."""
    report = minima_experiment(seeds, problems=("rastrigin",))
    rows = [
        {
            "strategy": r.strategy,
            "successes": r.successes,
            "runs": r.runs,
            "mean_final": r.mean_final,
            "budget": r.budget,
        }
        for r in report.rows
    ]
    return {"seeds": seeds, "rows": rows}

"""Numerical differentiation: derivatives, gradients, gradient descent, gradient checks.

The central difference of "Deep Learning from Scratch" (Saitoh, 2016, ch. 4.3)
is the one tool here::

    df/dx  ~=  (f(x + h) - f(x - h)) / (2 h)

Its truncation error is O(h^2) (the forward difference's is O(h)); its
rounding error grows like eps * |f| / h, so h = 1e-4 (the book's choice) or
1e-5 (for gradient checks) balances the two in float64.

Use float64 here. In float32 (eps ~ 1.2e-7) the rounding error of a central
difference with h = 1e-4 is of order 1e-3 * |f|: fine for a picture, useless
for checking a gradient, which is why :func:`gradient_check` insists on float64.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nnscratch._validate import Integer, Real, check

__all__ = ["gradient_check", "gradient_descent", "numerical_diff", "numerical_gradient"]


def _scalar(value: Any, who: str) -> float:
    """``value`` as a Python float; ``who`` names the function for the error message."""
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"{who}: f must return a scalar; got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def numerical_diff(f: Callable[[float], Any], x: float, h: float = 1e-4) -> float:
    """Derivative of a scalar function ``f`` at ``x`` by central difference.

    Formula: ``(f(x + h) - f(x - h)) / (2 h)``.

    Example (the book, ch. 4.3.2): for ``f(x) = 0.01 x**2 + 0.1 x`` the exact
    derivatives at 5 and 10 are 0.2 and 0.3; this gives 0.1999999999990898 and
    0.2999999999986347, the numbers the book prints.
    """
    h = check("h", h, Real(0, None, low_open=True))
    return (_scalar(f(x + h), "numerical_diff") - _scalar(f(x - h), "numerical_diff")) / (2 * h)


def _check_float_array(x: Any, name: str = "x") -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name}: expected a NumPy array (it is perturbed in place), got {type(x).__name__}"
        )
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"{name}: expected a floating array (float64 recommended), got {x.dtype}; "
            "perturbing integers by h is meaningless: use x.astype(np.float64)"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name}: expected a writeable array (it is perturbed in place)")
    return x


def numerical_gradient(
    f: Callable[[np.ndarray], Any], x: np.ndarray, h: float = 1e-4
) -> np.ndarray:
    """Gradient of a scalar function ``f`` at the array ``x`` by central differences.

    ``f`` is called with ``x`` itself, so it may close over other state (the
    book's ``lambda W: net.loss(x, t)`` pattern). Each entry ``x[i]`` is set to
    ``x[i] + h``, then to ``x[i] - h``, and put back, bit for bit, before the
    next entry; it is put back also when ``f`` raises.

    Shapes: ``x`` any shape, 0-d included; the result has ``x``'s shape and dtype.
    Formula: ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)``, 2 * x.size calls of f.
    Reference: Saitoh, "Deep Learning from Scratch", ch. 4.4 (``numerical_gradient``).

    ``x`` must be a floating NumPy array: integers raise ``TypeError``. float32
    works but its rounding error (~1e-3 relative for h = 1e-4) hides real bugs;
    use float64 when the numbers matter.
    """
    _check_float_array(x)
    h = check("h", h, Real(0, None, low_open=True))
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]  # a NumPy scalar: a copy with the exact bits
        try:
            x[idx] = float(original) + h
            f_plus = _scalar(f(x), "numerical_gradient")
            x[idx] = float(original) - h
            f_minus = _scalar(f(x), "numerical_gradient")
        finally:
            x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def gradient_descent(
    f: Callable[[np.ndarray], Any],
    init_x: Any,
    lr: float = 0.01,
    step_num: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``f`` by gradient descent with numerical gradients.

    Update: ``x <- x - lr * numerical_gradient(f, x)``, ``step_num`` times.

    Returns ``(x, history)``: the final point, and an array of shape
    ``(step_num + 1, *x.shape)`` holding every point visited, from the start
    (``history[0]``, a copy of ``init_x``) to the end (``history[-1] == x``).
    The book's ``x_history`` (ch. 4.4.1) is ``history[:-1]``: it stops before
    the last step.

    ``init_x`` is never modified: the walk runs on a copy (float64 when
    ``init_x`` is integer, otherwise its own floating dtype).

    Book examples for ``f(x) = x0**2 + x1**2`` from (-3, 4), 100 steps:
    lr = 0.1 reaches about (-6.1e-10, 8.1e-10); lr = 10 diverges to about
    (-2.58983747e+13, -1.29524862e+12); lr = 1e-10 barely moves,
    (-2.99999994, 3.99999992).
    """
    lr = check("lr", lr, Real(0, None, low_open=True))
    step_num = check("step_num", step_num, Integer(0))
    arr = np.asarray(init_x)
    if np.issubdtype(arr.dtype, np.floating):
        x = arr.copy()
    elif np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_:
        x = arr.astype(np.float64)
    else:
        raise TypeError(f"init_x: expected a real numeric array, got dtype {arr.dtype}")
    history = np.empty((int(step_num) + 1, *x.shape), dtype=x.dtype)
    history[0] = x
    for i in range(int(step_num)):
        x -= lr * numerical_gradient(f, x)
        history[i + 1] = x
    return x, history


def gradient_check(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    analytic: Any,
    h: float = 1e-5,
    *,
    floor: float | None = None,
) -> float:
    """Largest relative error between an analytic gradient and a numerical one.

    ``f`` is a scalar function of the float64 array ``x`` (perturbed in place
    and restored, see :func:`numerical_gradient`); ``analytic`` is the gradient
    you computed, with ``x``'s shape. Returns::

        max_i |a_i - n_i| / max(|a_i| + |n_i|, floor)

    with ``n = numerical_gradient(f, x, h)``. ``floor`` defaults to the
    smallest normal float64 (so 0/0 counts as agreement, and the result is a
    pure relative error). Raise it when some true gradient entries are zero
    while ``f`` still depends on those entries: the numerical value then
    carries truncation (~h^2 f''') and rounding (~eps |f| / h) noise that a
    pure relative error reads as 100 %; a floor of about ``1e-4 * max|a|``
    turns that noise into a negligible number.
    NaN anywhere gives NaN, which fails any ``err < tol`` test. Size 0 gives 0.

    Thresholds (float64, h = 1e-5, smooth f): below 1e-7 is right; up to
    1e-5 is usually right (large or curved f); above 1e-4 suspect a bug, unless
    a kink (ReLU at 0, max) lies within h of some x_i. After CS231n's notes on
    gradient checks (Karpathy) and DeZero's ``gradient_check`` (Saitoh).
    """
    _check_float_array(x)
    if x.dtype != np.float64:
        raise TypeError(
            f"x: gradient_check needs a float64 array (float32 central differences are "
            f"only good to ~1e-3), got {x.dtype}"
        )
    a = np.asarray(analytic, dtype=np.float64)
    if a.shape != x.shape:
        raise ValueError(f"analytic: expected shape {x.shape} (the shape of x), got {a.shape}")
    tiny = (
        np.finfo(np.float64).tiny
        if floor is None
        else check("floor", floor, Real(0, None, low_open=True))
    )
    n = numerical_gradient(f, x, h).astype(np.float64, copy=False)
    if a.size == 0:
        return 0.0
    err = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)
    return float(np.max(err))

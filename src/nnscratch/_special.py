"""Special functions NumPy lacks: the error function, for exact GELU.

``erf64`` and ``erfc64`` evaluate W. J. Cody's rational Chebyshev
approximations in float64 (relative error about 1e-16), so SciPy is not
needed. The public, dtype-keeping ``erf`` / ``erfc`` are in
``nnscratch.activations``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["erf64", "erfc64"]

# W. J. Cody, "Rational Chebyshev approximations for the error function",
# Math. Comp. 23 (1969) 631-637; coefficients as in his SPECFUN routine CALERF
# (netlib). Three intervals of y = |x|:
#   y <= 0.46875:     erf(x)  = x * P_A(y^2) / Q_B(y^2)
#   0.46875 < y <= 4: erfc(y) = exp(-y^2) * P_C(y) / Q_D(y)
#   y > 4:            erfc(y) = exp(-y^2) / y * (1/sqrt(pi) - z P_P(z) / Q_Q(z)), z = 1/y^2
# exp(-y^2) is formed as exp(-r^2) * exp(-(y - r)(y + r)) with r = floor(16 y)/16,
# so that r^2 is exact and the rounding error of y^2 is not amplified by exp.
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)  # fmt: skip
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)  # fmt: skip
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip
_SQRT_1_PI = 0.56418958354775628695  # 1 / sqrt(pi)
_XBIG = 26.543  # erfc(y) underflows to 0 in float64 beyond this


def _ratio(num: tuple[float, ...], den: tuple[float, ...], t: np.ndarray) -> np.ndarray:
    """Cody's nested form: ``(((n[-1] t + n0) t + n1) t ... + n[k]) / ((t + d0) t ... + d[k])``."""
    xnum = num[-1] * t
    xden = t.copy()
    for a, b in zip(num[:-2], den[:-1], strict=True):
        xnum += a
        xnum *= t
        xden += b
        xden *= t
    return (xnum + num[-2]) / (xden + den[-1])


def _exp_minus_square(y: np.ndarray) -> np.ndarray:
    r = np.floor(y * 16.0) / 16.0
    return np.exp(-r * r) * np.exp(-(y - r) * (y + r))


def _erfc_tail(y: np.ndarray) -> np.ndarray:
    """``erfc(y)`` for a float64 array ``y > 0.46875`` (the two outer intervals)."""
    res = np.zeros_like(y)
    mid = y <= 4.0
    ym = y[mid]
    res[mid] = _ratio(_C, _D, ym) * _exp_minus_square(ym)
    big = ~mid & (y < _XBIG)
    yb = y[big]
    z = 1.0 / (yb * yb)
    res[big] = (_SQRT_1_PI - z * _ratio(_P, _Q, z)) / yb * _exp_minus_square(yb)
    return res


def _erf_parts(x: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, small, r)``: float64 ``x``; ``r = erf(x)`` where ``small`` (|x| <= 0.46875),
    ``r = erfc(|x|)`` elsewhere."""
    x = np.asarray(x, dtype=np.float64)
    y = np.abs(x)
    small = y <= 0.46875
    r = np.empty_like(y)
    xs = x[small]
    r[small] = xs * _ratio(_A, _B, xs * xs)
    large = ~small
    r[large] = _erfc_tail(y[large])
    return x, small, r


def erf64(x: ArrayLike) -> np.ndarray:
    """``erf(x) = 2/sqrt(pi) * int_0^x exp(-t^2) dt`` of float64 ``x``, as a float64 array.

    Relative error about 1e-16 against ``scipy.special.erf``.
    """
    x64, small, r = _erf_parts(x)
    r[~small] = np.copysign(1.0 - r[~small], x64[~small])
    return r


def erfc64(x: ArrayLike) -> np.ndarray:
    """``erfc(x) = 1 - erf(x)`` without cancellation, float64 in and out.

    Keeps full relative accuracy for large positive x (down to underflow near x = 26.5).
    """
    x64, small, r = _erf_parts(x)
    r[small] = 1.0 - r[small]
    neg = ~small & (x64 < 0)
    r[neg] = 2.0 - r[neg]
    return r

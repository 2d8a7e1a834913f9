"""What every classic network shares: scikit-learn's estimator convention, written once.

* hyperparameters go to the constructor, which checks them against the
  class's table ``_constraints`` (specs of ``nnscratch._validate``, as
  scikit-learn's ``_parameter_constraints``) and stores each under its own
  name (so :meth:`Estimator.get_params` and ``repr`` read them back);
* ``fit(x, t) -> self`` learns; everything it learns is an attribute whose
  name ends in ``_`` and which does not exist before ``fit``;
* ``predict(x)`` and ``score(x, t)`` use what was learned, and raise
  :class:`NotFittedError` (naming ``fit``) when nothing was.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

import numpy as np

from nnscratch._validate import Real, check, check_array, check_seed, fail

__all__ = ["POSITIVE", "SEED", "Estimator", "NotFittedError", "optional", "samples"]

Spec = Callable[[str, Any], Any]
POSITIVE = Real(0, None, low_open=True)  # a positive finite number: lr, sigma, beta
SEED = partial(check_seed, generator=True)  # None, an integer >= 0 or a Generator


def optional(spec: Spec) -> Spec:
    """``spec`` that also lets None through."""
    return partial(check, spec=spec, none=True)


class NotFittedError(RuntimeError, AttributeError):
    """A learned attribute or ``predict`` was used before ``fit``.

    Also an ``AttributeError``, so ``hasattr(net, "weights_")`` is False
    until the network has been fitted.
    """


class Estimator:
    """Base class of the classic networks: checked parameters, ``repr``, the fitted check."""

    _constraints: ClassVar[dict[str, Spec]] = {}

    def _set_params(self, arguments: dict[str, Any]) -> None:
        """Check the constructor's ``arguments`` (its ``locals()``) and store each by name."""
        for name in inspect.signature(type(self).__init__).parameters:
            if name != "self":
                spec = self._constraints.get(name)
                value = arguments[name]
                setattr(self, name, value if spec is None else spec(name, value))

    def get_params(self) -> dict[str, Any]:
        """The constructor's arguments, as stored: ``{name: value}``."""
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != "self"}

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: a learned attribute before fit.
        if name.endswith("_") and not name.startswith("__"):
            raise NotFittedError(f"{type(self).__name__}: call fit before using {name}")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _check_fitted(self, attribute: str, wanted: str = "predict") -> None:
        if attribute not in self.__dict__:
            raise NotFittedError(f"{type(self).__name__}: call fit before {wanted}")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def samples(
    name: str,
    x: Any,
    n_features: int | None = None,
    *,
    vector: str = "column",
    float64: bool = True,
) -> np.ndarray:
    """``x`` as finite samples of shape ``(N, d)`` (N >= 1), checked by ``_validate``.

    A 1-D ``x`` is one feature per sample (``vector="column"``: shape
    ``(N,)`` -> ``(N, 1)``) or one sample (``vector="row"``: ``(d,)`` ->
    ``(1, d)``). ``n_features`` fixes ``d``. Floats keep their dtype unless
    ``float64``; integers and booleans become float64.
    """
    a = check_array(name, x, ndim=(1, 2), finite=True, nonempty=True)
    if a.ndim == 1:
        a = a[:, None] if vector == "column" else a[None, :]
    if n_features is not None and a.shape[1] != n_features:
        want = f"shape (N, {n_features})" + (f" or ({n_features},)" if vector == "row" else "")
        raise fail(name, want, f"shape {np.shape(x)}")
    if float64 or a.dtype.kind != "f":
        a = a.astype(np.float64, copy=False)
    return a

"""What every classic network shares: scikit-learn's estimator convention, written once.

* hyperparameters go to the constructor, which checks them and stores each
  under its own name (so :meth:`Estimator.get_params` and ``repr`` read them
  back);
* ``fit(x, t) -> self`` learns; everything it learns is an attribute whose
  name ends in ``_`` and which does not exist before ``fit``;
* ``predict(x)`` and ``score(x, t)`` use what was learned, and raise
  :class:`NotFittedError` (naming ``fit``) when nothing was.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from nnscratch._validate import check_array, fail

__all__ = ["Estimator", "NotFittedError", "samples"]


class NotFittedError(RuntimeError, AttributeError):
    """A learned attribute or ``predict`` was used before ``fit``.

    Also an ``AttributeError``, so ``hasattr(net, "weights_")`` is False
    until the network has been fitted.
    """


class Estimator:
    """Base class of the classic networks: ``get_params``, ``repr`` and the fitted check."""

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

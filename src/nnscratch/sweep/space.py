"""Search spaces: what a sweep samples, checked before any trial starts.

A space maps parameter names to distributions::

    space = SearchSpace({"lr": LogUniform(1e-6, 1e-2), "weight_decay": LogUniform(1e-8, 1e-4)})
    space.sample(np.random.default_rng(0))   # {'lr': 3.1e-05, 'weight_decay': 2.7e-07}

``LogUniform(a, b)`` draws ``10 ** u`` with ``u ~ U(log10 a, log10 b)``: every
decade is equally likely, as the book's search draws ``lr = 10 ** uniform(-6,
-2)`` (Saitoh, "Deep Learning from Scratch", section 6.5.3, ch06/
hyperparameter_optimization.py). :func:`book_space` is that search's space.

On the command line a distribution is written ``KIND:ARGS``: ``log:1e-6:1e-2``,
``uniform:0:0.3``, ``int:1:4`` and ``choice:relu,tanh`` (see :func:`parse`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from nnscratch._validate import Integer, Real, check, fail

__all__ = [
    "BOOK_LR",
    "BOOK_WEIGHT_DECAY",
    "Choice",
    "Distribution",
    "IntUniform",
    "LogUniform",
    "SearchSpace",
    "Uniform",
    "book_space",
    "parse",
]

#: The book's ranges (section 6.5.3): learning rate 1e-6 to 1e-2, weight decay 1e-8 to 1e-4.
BOOK_LR = (1e-6, 1e-2)
BOOK_WEIGHT_DECAY = (1e-8, 1e-4)


def _bounds(name: str, low: Any, high: Any, *, positive: bool = False) -> tuple[float, float]:
    spec = Real(0, None, low_open=True) if positive else Real()
    lo, hi = check(f"{name} low", low, spec), check(f"{name} high", high, spec)
    if not lo < hi:
        raise fail(name, "a range with low < high", f"[{low!r}, {high!r}] (empty)")
    return lo, hi


@dataclass(frozen=True)
class _FloatRange:
    """A distribution over the reals in [low, high]; ``str()`` is ``"KIND:LOW:HIGH"``."""

    low: float
    high: float
    kind: ClassVar[str]
    positive: ClassVar[bool] = False  # True: needs 0 < low

    def __str__(self) -> str:
        return f"{self.kind}:{self.low:g}:{self.high:g}"

    def checked(self, name: str) -> _FloatRange:
        """The same range with checked bounds (ValueError naming ``name`` otherwise)."""
        return type(self)(*_bounds(name, self.low, self.high, positive=self.positive))


@dataclass(frozen=True)
class LogUniform(_FloatRange):
    """``x = exp(u)``, ``u ~ U(ln low, ln high)``; needs ``0 < low < high``."""

    kind = "log"
    positive = True

    def sample(self, rng: np.random.Generator) -> float:
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))


@dataclass(frozen=True)
class Uniform(_FloatRange):
    """``x ~ U(low, high)``; needs ``low < high``."""

    kind = "uniform"

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))


@dataclass(frozen=True)
class IntUniform:
    """An integer drawn uniformly from ``low, low + 1, ..., high`` (both included)."""

    low: int
    high: int
    kind = "int"

    def checked(self, name: str) -> IntUniform:
        lo = check(f"{name} low", self.low, Integer())
        hi = check(f"{name} high", self.high, Integer())
        if not lo <= hi:
            raise fail(name, "a range with low <= high", f"[{lo}, {hi}] (empty)")
        return IntUniform(lo, hi)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high, endpoint=True))

    def __str__(self) -> str:
        return f"int:{self.low}:{self.high}"


@dataclass(frozen=True)
class Choice:
    """One of ``options`` (numbers or strings), each equally likely."""

    options: tuple[Any, ...]
    kind = "choice"

    def checked(self, name: str) -> Choice:
        if isinstance(self.options, str | bytes) or not isinstance(self.options, Iterable):
            raise fail(name, "a sequence of options", self.options, TypeError)
        options = tuple(self.options)
        if not options:
            raise fail(name, "at least one option", "none (empty choice)")
        if len(set(options)) != len(options):
            raise fail(name, "distinct options", options)
        return Choice(options)

    def sample(self, rng: np.random.Generator) -> Any:
        return self.options[int(rng.integers(len(self.options)))]

    def __str__(self) -> str:
        return "choice:" + ",".join(str(o) for o in self.options)


Distribution = LogUniform | Uniform | IntUniform | Choice


class SearchSpace:
    """Named distributions, checked against the parameters a trial accepts.

    ``known`` names the parameters the trial function accepts (for the MLP
    recipe, the fields of :class:`~nnscratch.recipes.MLPConfig`); an unknown
    name, an empty range or a non-positive log bound raises ``ValueError``
    here, before any trial runs. Iteration order is the order given.
    """

    def __init__(
        self, params: Mapping[str, Distribution], *, known: Iterable[str] | None = None
    ) -> None:
        if not isinstance(params, Mapping):
            raise fail("space", "a mapping of names to distributions", params, TypeError)
        if not params:
            raise fail("space", "at least one parameter", "an empty space")
        allowed = None if known is None else tuple(known)
        checked: dict[str, Distribution] = {}
        for name, dist in params.items():
            if not isinstance(name, str):
                raise fail("space", "parameter names as strings", name, TypeError)
            if allowed is not None and name not in allowed:
                raise fail(f"space[{name!r}]", f"a parameter among {sorted(allowed)}", repr(name))
            if not isinstance(dist, LogUniform | Uniform | IntUniform | Choice):
                raise fail(
                    f"space[{name!r}]",
                    "LogUniform, Uniform, IntUniform or Choice",
                    type(dist).__name__,
                    TypeError,
                )
            checked[name] = dist.checked(f"space[{name!r}]")
        self.params = checked

    def names(self) -> list[str]:
        return list(self.params)

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """One configuration: each parameter drawn in order from ``rng``."""
        return {name: dist.sample(rng) for name, dist in self.params.items()}

    def coerce(self, name: str, text: str) -> Any:
        """A value read back from a results file, as the distribution's type."""
        dist = self.params[name]
        if isinstance(dist, IntUniform):
            return int(text)
        if isinstance(dist, Choice):
            return next(o for o in dist.options if str(o) == text)
        return float(text)

    def describe(self) -> dict[str, str]:
        """``{name: "log:1e-06:0.01", ...}``: the space as text (stored with the results)."""
        return {name: str(dist) for name, dist in self.params.items()}

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.describe().items())
        return f"SearchSpace({inner})"


def book_space() -> SearchSpace:
    """The book's search: ``lr`` log-uniform in [1e-6, 1e-2], ``weight_decay`` in [1e-8, 1e-4]."""
    return SearchSpace({"lr": LogUniform(*BOOK_LR), "weight_decay": LogUniform(*BOOK_WEIGHT_DECAY)})


def number(text: str) -> int | float | str:
    """``text`` as an int, else a float, else the text itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse(spec: str) -> tuple[str, Distribution]:
    """``"NAME=KIND:ARGS"`` -> ``(name, distribution)``.

    KIND is ``log:LOW:HIGH``, ``uniform:LOW:HIGH``, ``int:LOW:HIGH`` or
    ``choice:A,B,...`` (numbers stay numbers). The distribution is not yet
    checked: :class:`SearchSpace` does that, with the other parameters.
    """
    if not isinstance(spec, str) or "=" not in spec:
        raise fail("--param", "NAME=KIND:ARGS such as lr=log:1e-6:1e-2", spec)
    name, _, rest = spec.partition("=")
    kind, _, args = rest.partition(":")
    parts: Sequence[str] = args.split(":")
    try:
        if kind == "choice":
            return name, Choice(tuple(number(o) for o in args.split(",") if o != ""))
        if kind in ("log", "uniform") and len(parts) == 2:
            lo, hi = float(parts[0]), float(parts[1])
            return name, (LogUniform(lo, hi) if kind == "log" else Uniform(lo, hi))
        if kind == "int" and len(parts) == 2:
            return name, IntUniform(int(parts[0]), int(parts[1]))
    except ValueError:
        pass
    raise fail(
        f"--param {name}",
        "log:LOW:HIGH, uniform:LOW:HIGH, int:LOW:HIGH or choice:A,B,...",
        rest,
    )

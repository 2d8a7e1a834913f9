"""Weight initializers: the book's normal(0.01), Glorot/Xavier, He, LeCun, zeros, constant.

Every initializer is an object ``init(shape, rng, dtype="float32") -> ndarray``
that draws from an explicit :class:`numpy.random.Generator` (never the global
random state), so one seed fixes one network.

Fans. For a weight matrix of shape ``(fan_in, fan_out)`` (a Dense layer's
``W``, the book's layout ``x @ W``) the fans are the two dimensions. For a
convolution kernel ``(out_channels, in_channels, kh, kw)`` (the book's
``(FN, C, FH, FW)``) they are ``in_channels*kh*kw`` and ``out_channels*kh*kw``.
For a vector both fans are its length.

Variances (``n_in`` = fan_in, ``n_out`` = fan_out):

=================  ==========================  ===================================
name               distribution                variance
=================  ==========================  ===================================
normal(std)        N(0, std^2)                 std^2 (the book uses std = 0.01)
glorot_normal      N(0, s^2)                   2 / (n_in + n_out)
glorot_uniform     U(-a, a), a = sqrt(6/(n_in+n_out))  2 / (n_in + n_out)
he_normal          N(0, s^2)                   2 / n_in
he_uniform         U(-a, a), a = sqrt(6/n_in)  2 / n_in
lecun_normal       N(0, s^2)                   1 / n_in (the book's "Xavier", ch. 6)
lecun_uniform      U(-a, a), a = sqrt(3/n_in)  1 / n_in
=================  ==========================  ===================================

The normal variants here are plain (untruncated) normals, as in the papers and
the book; Keras draws its ``*_normal`` from a truncated normal with the same
variance, so values (not statistics) differ from Keras's.

References: X. Glorot and Y. Bengio, "Understanding the difficulty of training
deep feedforward neural networks", AISTATS 2010; K. He et al., "Delving Deep
into Rectifiers", ICCV 2015; Y. LeCun et al., "Efficient BackProp", 1998;
Saitoh, "Deep Learning from Scratch", section 6.2 (note: the book calls
``std = 1/sqrt(n)`` "Xavier"; that is ``lecun_normal`` here, while
``xavier_*`` are aliases of ``glorot_*`` as in the paper and in Keras).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from nnscratch._registry import Registry
from nnscratch._validate import Real, check, check_float_dtype

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Normal",
    "Zeros",
    "compute_fans",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "names",
    "normal",
    "serialize",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

Shape = int | tuple[int, ...]


def _shape(shape: Shape) -> tuple[int, ...]:
    """Normalise ``shape`` to a tuple of non-negative ints or raise ValueError."""
    tup = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    if not all(isinstance(s, int | np.integer) and s >= 0 for s in tup):
        raise ValueError(f"shape: expected non-negative integers, got {shape!r}")
    return tuple(int(s) for s in tup)


def _rng(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng: expected a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    return rng


def compute_fans(shape: Shape) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` for a weight of ``shape``.

    ``(n,)`` -> ``(n, n)``; ``(n_in, n_out)`` -> as is; ``(out_c, in_c, *k)``
    -> ``(in_c * prod(k), out_c * prod(k))`` (the book's convolution layout).
    """
    s = _shape(shape)
    if len(s) == 0:
        return 1, 1
    if len(s) == 1:
        return s[0], s[0]
    if len(s) == 2:
        return s[0], s[1]
    receptive = math.prod(s[2:])
    return s[1] * receptive, s[0] * receptive


class Initializer:
    """Base class: ``init(shape, rng, dtype) -> ndarray`` of ``shape`` and ``dtype``."""

    name: str = ""

    def __call__(
        self, shape: Shape, rng: np.random.Generator | None = None, dtype: Any = "float32"
    ) -> np.ndarray:
        s, dt = _shape(shape), check_float_dtype("dtype", dtype)
        return self._draw(s, rng, dt)

    def _draw(self, shape: tuple[int, ...], rng: Any, dtype: np.dtype) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, JSON-able."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))


class Normal(Initializer):
    """``N(0, std^2)``; the book's ``weight_init_std * np.random.randn(...)`` with std 0.01."""

    name = "normal"

    def __init__(self, std: float = 0.01, mean: float = 0.0) -> None:
        self.std = check("std", std, Real(0))
        self.mean = check("mean", mean, Real())

    def _draw(self, shape, rng, dtype):
        out = _rng(rng).standard_normal(shape, dtype=np.float64)
        return (out * self.std + self.mean).astype(dtype, copy=False)

    def get_config(self):
        cfg: dict[str, Any] = {"std": self.std}
        if self.mean:
            cfg["mean"] = self.mean
        return cfg


class _VarianceScaling(Initializer):
    """Zero-mean normal or uniform with variance ``scale / fan`` (fan per subclass)."""

    scale = 1.0
    uniform = False

    def _fan(self, fan_in: int, fan_out: int) -> float:
        return float(fan_in)

    def variance(self, shape: Shape) -> float:
        """The variance this initializer draws with for ``shape``."""
        fan = self._fan(*compute_fans(shape))
        return self.scale / max(fan, 1.0)

    def _draw(self, shape, rng, dtype):
        var = self.variance(shape)
        gen = _rng(rng)
        if self.uniform:
            limit = math.sqrt(3.0 * var)  # Var U(-a, a) = a^2 / 3
            out = gen.uniform(-limit, limit, size=shape)
        else:
            out = gen.standard_normal(shape, dtype=np.float64) * math.sqrt(var)
        return out.astype(dtype, copy=False)


class GlorotNormal(_VarianceScaling):
    """Glorot/Xavier normal: ``N(0, 2 / (fan_in + fan_out))`` (Glorot and Bengio, 2010)."""

    name = "glorot_normal"
    scale = 2.0

    def _fan(self, fan_in, fan_out):
        return float(fan_in + fan_out)


class GlorotUniform(GlorotNormal):
    """Glorot/Xavier uniform: ``U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``."""

    name = "glorot_uniform"
    uniform = True


class HeNormal(_VarianceScaling):
    """He normal: ``N(0, 2 / fan_in)``, for ReLU networks (He et al., 2015; the book's 6.2.3)."""

    name = "he_normal"
    scale = 2.0


class HeUniform(HeNormal):
    """He uniform: ``U(-a, a)``, ``a = sqrt(6 / fan_in)``."""

    name = "he_uniform"
    uniform = True


class LecunNormal(_VarianceScaling):
    """LeCun normal: ``N(0, 1 / fan_in)``; what the book (section 6.2.2) calls "Xavier"."""

    name = "lecun_normal"


class LecunUniform(LecunNormal):
    """LeCun uniform: ``U(-a, a)``, ``a = sqrt(3 / fan_in)``."""

    name = "lecun_uniform"
    uniform = True


class Constant(Initializer):
    """Every entry equal to ``value``."""

    name = "constant"

    def __init__(self, value: float = 0.0) -> None:
        self.value = check("value", value, Real())

    def _draw(self, shape, rng, dtype):
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}


class Zeros(Constant):
    """Every entry zero (biases)."""

    name = "zeros"

    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self):
        return {}


def _build(cls: type[Initializer], config: dict[str, Any]) -> Initializer:
    if "stddev" in config and cls is Normal:  # Keras spells it stddev
        config["std"] = config.pop("stddev")
    return cls(**config)


_REGISTRY: Registry[Initializer] = Registry(
    "initializer",
    Initializer,
    (
        Normal,
        GlorotNormal,
        GlorotUniform,
        HeNormal,
        HeUniform,
        LecunNormal,
        LecunUniform,
        Constant,
        Zeros,
    ),
    {
        "xavier_normal": "glorot_normal",
        "xavier_uniform": "glorot_uniform",
        "random_normal": "normal",
        "randomnormal": "normal",
        "glorotnormal": "glorot_normal",
        "glorotuniform": "glorot_uniform",
        "henormal": "he_normal",
        "heuniform": "he_uniform",
        "lecunnormal": "lecun_normal",
        "lecununiform": "lecun_uniform",
    },
    build=_build,
)


# The registry's own methods, as this module's functions:
# names() -> every registered name, aliases included, sorted;
# deserialize(name or {"class_name": ..., "config": {...}}) -> an instance;
# serialize(instance) -> {"class_name": ..., "config": {...}}, its inverse.
names = _REGISTRY.names
deserialize = _REGISTRY.deserialize
serialize = _REGISTRY.serialize


def get(identifier: Initializer | str | dict[str, Any] | float | Callable | None) -> Any:
    """Resolve an initializer.

    Accepts an :class:`Initializer` (returned as is), a registered name
    ("glorot_uniform", "he_normal", "xavier_normal", ...), a Keras-style dict,
    a number ``s`` (the book's ``weight_init_std``: ``Normal(s)``) or any
    callable ``f(shape, rng, dtype)``. ``None`` raises.
    """
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    if isinstance(identifier, int | float) and not isinstance(identifier, bool):
        return Normal(float(identifier))
    if callable(identifier):
        return identifier
    raise TypeError(
        f"initializer: expected a name, a dict, a number or an Initializer, got {identifier!r}"
    )


def _function(cls: type[Initializer], doc: str) -> Callable[..., np.ndarray]:
    def fn(
        shape: Shape, rng: np.random.Generator | None = None, dtype: Any = "float32"
    ) -> np.ndarray:
        return cls()(shape, rng, dtype)

    fn.__name__ = fn.__qualname__ = cls.name
    fn.__doc__ = doc
    return fn


def normal(
    shape: Shape, rng: np.random.Generator | None = None, dtype: Any = "float32", std: float = 0.01
) -> np.ndarray:
    """``N(0, std^2)`` of ``shape``; ``std=0.01`` as the book's ``weight_init_std``."""
    return Normal(std)(shape, rng, dtype)


def constant(
    shape: Shape, rng: np.random.Generator | None = None, dtype: Any = "float32", value: float = 0.0
) -> np.ndarray:
    """Every entry ``value`` (``rng`` is accepted for a uniform signature and not used)."""
    return Constant(value)(shape, rng, dtype)


glorot_normal = _function(GlorotNormal, "Glorot normal, variance 2 / (fan_in + fan_out).")
glorot_uniform = _function(GlorotUniform, "Glorot uniform, variance 2 / (fan_in + fan_out).")
xavier_normal = glorot_normal
xavier_uniform = glorot_uniform
he_normal = _function(HeNormal, "He normal, variance 2 / fan_in.")
he_uniform = _function(HeUniform, "He uniform, variance 2 / fan_in.")
lecun_normal = _function(LecunNormal, "LeCun normal, variance 1 / fan_in.")
lecun_uniform = _function(LecunUniform, "LeCun uniform, variance 1 / fan_in.")
zeros = _function(Zeros, "All zeros (rng is not used).")

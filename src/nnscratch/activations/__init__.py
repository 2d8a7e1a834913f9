"""Activation functions: values, gradients and a Keras-style registry.

Every activation is a small object (an :class:`ActivationFunction`) with

* ``f(x, out=None) -> y``: the value, same shape and floating dtype as ``x``;
* ``f.vjp(x, y, dout, out=None) -> dx``: the vector-Jacobian product
  ``dL/dx`` from ``dL/dy = dout`` (``y`` is the cached ``f(x)``; ``None``
  recomputes it);
* ``f.derivative(x, y=None) -> dy/dx`` for the elementwise ones;
* ``name``, ``elementwise``, ``get_config()``, equality, a short ``repr``;

and a module-level function of the same name taking Keras's argument names,
``relu(x, negative_slope=0.0, max_value=None, threshold=0.0)``.

================  ==========================================  ===================
name (aliases)    formula                                     parameters
================  ==========================================  ===================
step              1 if x > 0 else 0 (the perceptron's)        --
sign              -1, 0, 1                                    --
linear (identity) x                                           --
sigmoid           1 / (1 + exp(-x))                           --
hard_sigmoid      relu6(x + 3) / 6 (Keras 3, PyTorch)         --
hard_silu         x * relu6(x + 3) / 6                        --
  (hard_swish)
tanh              tanh(x)                                     --
relu              x if x > threshold (capped at max_value),   negative_slope=0,
                  else negative_slope * (x - threshold)       max_value=None,
                                                              threshold=0
relu6             min(max(x, 0), 6)                           --
leaky_relu        x if x > 0 else negative_slope * x          negative_slope=0.2
elu               x if x > 0 else alpha * (exp(x) - 1)        alpha=1.0
selu              scale * elu(x, alpha), fixed constants      --
gelu              x * Phi(x) (erf), or its tanh form          approximate=False
softplus          log(1 + exp(x))                             --
softsign          x / (1 + |x|)                               --
silu (swish)      x * sigmoid(x)                              --
mish              x * tanh(softplus(x))                       --
exponential       exp(x)                                      --
softmax           exp(x_i) / sum_j exp(x_j) along axis        axis=-1
log_softmax       x_i - log(sum_j exp(x_j)) along axis        axis=-1
================  ==========================================  ===================

Kinks. Where a function has a corner (relu at 0, relu6 at 0 and 6, ...) the
derivative there is the one of the *outer* piece: the flat, negative or
saturated side, i.e. the value and gradient code share one comparison such as
``x > 0``. So relu'(0) = 0 (PyTorch, and the book's ``x <= 0`` mask),
leaky_relu'(0) = negative_slope, relu6'(0) = relu6'(6) = 0,
hard_sigmoid'(+-3) = 0, hard_silu'(-3) = 0 and hard_silu'(3) = 1, elu'(0) =
alpha, step'(0) = sign'(0) = 0. The page ``docs/activations.md`` lists them all.

Numbers. Integer input is promoted to float64, floating input keeps its dtype
(float32 in, float32 out), 0-d input gives a NumPy scalar. Every function but
``exponential`` (which overflows by definition) returns finite values without
overflow or invalid-value warnings for every finite input whose exact result
is representable. Exact GELU needs ``erf``, which NumPy lacks: :func:`erf` and
:func:`erfc` here evaluate W. J. Cody's rational Chebyshev approximations in
float64 (relative error about 1e-16; the code is in ``nnscratch._special``),
so SciPy is not needed. Sigmoid, softmax and log-softmax are the ones of
``nnscratch.functional``, shared with the layers and the losses.

Modules: ``base`` (:class:`ActivationFunction`, the checks, erf), ``classic``
(step to softmax), ``rectifiers`` (the ReLU family, GELU, SiLU, Mish, the hard
ones); this package holds the registry and the module-level functions.

Buffers. ``__call__`` and ``vjp`` take ``out=`` (``out`` may be ``x`` itself
in ``__call__``, never in ``vjp``; ``dout`` is never written). Why:
docs/performance.md.

References: Saitoh, "Deep Learning from Scratch", ch. 3 and 5; Keras 3
``keras.activations``; Clevert et al. 2015 (ELU); Klambauer et al. 2017
(SELU); Hendrycks and Gimpel 2016 (GELU); Ramachandran et al. 2017 (swish);
Misra 2019 (Mish); Howard et al. 2019 (hard swish).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numpy.typing import ArrayLike

from nnscratch._registry import Registry
from nnscratch._validate import fail
from nnscratch.activations.base import ActivationFunction, Result, erf, erfc
from nnscratch.activations.classic import (
    Exponential,
    Linear,
    LogSoftmax,
    Sigmoid,
    Sign,
    Softmax,
    Softplus,
    Softsign,
    Step,
    Tanh,
)
from nnscratch.activations.rectifiers import (
    ELU,
    GELU,
    SELU,
    HardSigmoid,
    HardSiLU,
    LeakyReLU,
    Mish,
    ReLU,
    ReLU6,
    SiLU,
)

__all__ = [
    "ELU",
    "GELU",
    "SELU",
    "ActivationFunction",
    "Exponential",
    "HardSiLU",
    "HardSigmoid",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "Mish",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "Sign",
    "Softmax",
    "Softplus",
    "Softsign",
    "Step",
    "Tanh",
    "deserialize",
    "elu",
    "erf",
    "erfc",
    "exponential",
    "gelu",
    "get",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "identity",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mish",
    "names",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "sign",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "step",
    "swish",
    "tanh",
]


# ----------------------------------------------------------------------------- registry

_CLASSES: tuple[type[ActivationFunction], ...] = (
    Step,
    Sign,
    Linear,
    Sigmoid,
    HardSigmoid,
    HardSiLU,
    Tanh,
    ReLU,
    ReLU6,
    LeakyReLU,
    ELU,
    SELU,
    GELU,
    Softplus,
    Softsign,
    SiLU,
    Mish,
    Exponential,
    Softmax,
    LogSoftmax,
)
_REGISTRY: Registry[ActivationFunction] = Registry(
    "activation",
    ActivationFunction,
    _CLASSES,
    {a: c.name for c in _CLASSES for a in c.aliases},
    build=lambda cls, config: cls.from_config(config),
)


def names(include_aliases: bool = False) -> list[str]:
    """The registered names, sorted; with ``include_aliases`` also identity, swish, hard_swish."""
    return _REGISTRY.names() if include_aliases else sorted(_REGISTRY.classes)


def deserialize(identifier: str | dict[str, Any]) -> ActivationFunction:
    """An activation from a name (``"relu"``) or a dict ``{"class_name": ..., "config": {...}}``.

    Names are spelled as Keras spells them (aliases too). Keras 3's form for
    built-in functions, ``{"class_name": "function", "config": "relu", ...}``,
    is read as well.
    """
    if not isinstance(identifier, dict):
        return _REGISTRY.deserialize(identifier)
    extra = sorted(set(identifier) - {"class_name", "config", "module", "registered_name"})
    if "class_name" not in identifier or extra:
        raise ValueError(
            "activation: a dict needs 'class_name' and optionally 'config' "
            f"(a dict of arguments), got keys {sorted(identifier)}"
        )
    class_name, config = identifier["class_name"], identifier.get("config")
    if class_name == "function" and isinstance(config, str):  # Keras 3 function form
        return _REGISTRY.deserialize(config)
    if not isinstance(class_name, str):
        raise fail("class_name", "a str", class_name, TypeError)
    return _REGISTRY.lookup(class_name).from_config({} if config is None else config)


def serialize(activation: ActivationFunction | str) -> str | dict[str, Any]:
    """The bare name for a default instance, else ``{"class_name": name, "config": {...}}``.

    ``serialize(LeakyReLU(0.05)) == {"class_name": "leaky_relu", "config":
    {"negative_slope": 0.05}}``; ``serialize(ReLU()) == "relu"``. A name is
    returned canonical (``"swish"`` gives ``"silu"``). Plain callables cannot be
    serialised (``TypeError``).
    """
    if isinstance(activation, str):
        activation = deserialize(activation)
    if not isinstance(activation, ActivationFunction):
        raise TypeError(
            f"activation: can only serialize an ActivationFunction or a name, got "
            f"{type(activation).__name__}"
        )
    if activation.is_default():
        return activation.name
    return {"class_name": activation.name, "config": activation.get_config()}


def get(
    identifier: str | dict[str, Any] | Callable[..., Any] | None,
) -> ActivationFunction | Callable[..., Any]:
    """Resolve an activation the way Keras does.

    ``None`` gives :class:`Linear`; a name or dict goes to :func:`deserialize`;
    an :class:`ActivationFunction` is returned as is, an ActivationFunction
    subclass is instantiated with its defaults. Any other callable is returned
    unchanged, as Keras does: it then has no ``vjp``, so layers that
    backpropagate need an ActivationFunction.
    """
    if identifier is None:
        return Linear()
    if isinstance(identifier, ActivationFunction):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, ActivationFunction):
        return identifier()
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        f"activation: expected None, a name, a dict or a callable, got {type(identifier).__name__}"
    )


# ----------------------------------------------------------------------------- functions


def _function_of(cls: type[ActivationFunction], name: str, summary: str) -> Callable[..., Result]:
    """The module-level function ``name(x)`` of a parameterless activation ``cls``."""
    instance = cls()

    def function(x: ArrayLike) -> Result:
        return instance(x)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{summary} (see :class:`{cls.__name__}`)."
    return function


# The activations without parameters: one shared instance each, called as a function.
step = _function_of(Step, "step", "Step function: 1 where ``x > 0``, else 0")
sign = _function_of(Sign, "sign", "Sign of ``x``: -1, 0 or 1")
linear = _function_of(Linear, "linear", "Identity, as a copy")
identity = linear
sigmoid = _function_of(
    Sigmoid, "sigmoid", "Logistic sigmoid ``1 / (1 + exp(-x))`` without overflow"
)
hard_sigmoid = _function_of(HardSigmoid, "hard_sigmoid", "``relu6(x + 3) / 6``")
hard_silu = _function_of(HardSiLU, "hard_silu", "``x * relu6(x + 3) / 6``")
hard_swish = hard_silu
tanh = _function_of(Tanh, "tanh", "Hyperbolic tangent")
relu6 = _function_of(ReLU6, "relu6", "``min(max(x, 0), 6)``")
selu = _function_of(SELU, "selu", "Scaled ELU with the self-normalising constants")
softplus = _function_of(Softplus, "softplus", "``log(1 + exp(x))`` without overflow")
softsign = _function_of(Softsign, "softsign", "``x / (1 + |x|)``")
silu = _function_of(SiLU, "silu", "``x * sigmoid(x)``")
swish = silu
mish = _function_of(Mish, "mish", "``x * tanh(softplus(x))``")
exponential = _function_of(
    Exponential, "exponential", "``exp(x)``; overflows by definition for large x"
)
_RELU = ReLU()


def relu(
    x: ArrayLike,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> Result:
    """Rectified linear unit with Keras's arguments (see :class:`ReLU`)."""
    if negative_slope == 0 and max_value is None and threshold == 0:
        return _RELU(x)
    return ReLU(negative_slope, max_value, threshold)(x)


def leaky_relu(x: ArrayLike, negative_slope: float = 0.2) -> Result:
    """Leaky ReLU; the slope defaults to 0.2 as Keras (PyTorch: 0.01). See :class:`LeakyReLU`."""
    return LeakyReLU(negative_slope)(x)


def elu(x: ArrayLike, alpha: float = 1.0) -> Result:
    """Exponential linear unit (see :class:`ELU`)."""
    return ELU(alpha)(x)


def gelu(x: ArrayLike, approximate: bool = False) -> Result:
    """GELU, exact (erf) or the tanh approximation (see :class:`GELU`)."""
    return GELU(approximate)(x)


def softmax(x: ArrayLike, axis: int | tuple[int, ...] = -1) -> Result:
    """Max-subtracted softmax along ``axis`` (see :class:`Softmax`)."""
    return Softmax(axis)(x)


def log_softmax(x: ArrayLike, axis: int | tuple[int, ...] = -1) -> Result:
    """Log-softmax along ``axis`` through log-sum-exp (see :class:`LogSoftmax`)."""
    return LogSoftmax(axis)(x)

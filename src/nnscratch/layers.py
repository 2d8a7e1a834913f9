"""Layers with forward and backward passes: Dense, Activation, PReLU, Maxout, Dropout, ...

One contract for every layer (the book's chapter 5, made strict):

* ``params`` and ``grads``: dicts of arrays with the same keys and shapes.
* ``forward(x, training=False) -> y`` caches what ``backward`` needs.
* ``backward(dout) -> dx`` returns dL/dx, never writes into ``dout`` and
  *assigns* the parameter gradients of that forward/backward pair into the
  arrays of ``grads`` (same array objects every time).
* ``build(rng, dtype)`` (re)initialises the parameters from a Generator.
* ``get_config()`` and the registry :func:`get` / :func:`serialize` /
  :func:`deserialize` (Keras's ``{"class_name": ..., "config": {...}}``).

Speed. A step of a small network costs Python calls, not arithmetic, so each
layer writes into buffers it owns (``np.dot(x, W, out=y)``), reallocated
only when the batch shape changes. The array ``forward`` returns is such a
buffer: it stays valid until the layer's next ``forward`` with the same
``slot``; copy it to keep it (``Sequential.predict`` returns a copy). Inputs
are checked when their shape or dtype changes (so at the first forward);
another dtype than the layer's is cast on every call (``Sequential`` casts once
at its entry so its layers never see one).

Weight sharing. The same layer object may appear several times in a network.
Each use has its own cache, selected by ``slot`` (0, 1, ...): ``forward(x,
training, slot=k)`` / ``backward(dout, slot=k, accumulate=...)``. Backward runs
in reverse, so the last use assigns the gradients and every earlier use calls
``backward(..., accumulate=True)``, which adds its contribution: a shared
parameter receives the sum of both gradients. ``Sequential`` does this for you.
``need_input_grad=False`` skips dL/dx (the first layer of a network needs none)
and returns None.

Reference: Saitoh, "Deep Learning from Scratch", chapter 5 (``Affine``,
``Relu``, ``SoftmaxWithLoss``) and 6.3-6.4 (``BatchNormalization``,
``Dropout``). The formulas of every backward pass are in ``docs/backprop.md``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from nnscratch import initializers

__all__ = [
    "Activation",
    "BatchNorm",
    "Dense",
    "Dropout",
    "Flatten",
    "Layer",
    "LossHead",
    "Maxout",
    "PReLU",
    "SigmoidWithLoss",
    "SoftmaxWithLoss",
    "deserialize",
    "get",
    "names",
    "serialize",
]

_REGISTRY: dict[str, type[Layer]] = {}


def _float_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"{name}: expected a floating dtype such as 'float32', got {dt}")
    return dt


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    return int(value)


def _fmt_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(["N", *map(str, shape)]) + ")"


def _got(x: np.ndarray, ndim: int) -> str:
    """The shape of ``x`` for an error message, batch axis as N when ``ndim`` matches."""
    if x.ndim == ndim and ndim >= 1:
        return _fmt_shape(x.shape[1:])
    return str(tuple(x.shape))


class _Slot:
    """One use of a layer: its input, output and scratch buffers for one batch shape."""

    __slots__ = ("dx", "extra", "key", "x", "y")

    def __init__(self) -> None:
        self.key: tuple | None = None  # (input shape, input dtype) the buffers fit
        self.x: np.ndarray | None = None
        self.y: np.ndarray | None = None
        self.dx: np.ndarray | None = None
        self.extra: dict[str, Any] = {}


class Layer:
    """Base class of every layer.

    Attributes:
        params: name -> parameter array (live; optimizers update them in place).
        grads: name -> dL/dparam of the last backward, same keys and shapes.
        state: name -> non-trainable array saved with the model (BatchNorm's
            running statistics); empty for most layers.
        dtype: the floating dtype of parameters and outputs.
    """

    registry_name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            cls.registry_name = cls.__name__
            _REGISTRY[cls.__name__] = cls

    def __init__(self, dtype: Any = "float32") -> None:
        self.dtype = _float_dtype(dtype)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self._slots: list[_Slot] = []

    # -- shapes -----------------------------------------------------------
    @property
    def input_shape(self) -> tuple[int, ...] | None:
        """Shape of one input sample, or None when any shape is accepted."""
        return None

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one output sample for one input sample of ``input_shape``."""
        return tuple(input_shape)

    def num_params(self) -> int:
        """Number of trainable scalars."""
        return sum(int(p.size) for p in self.params.values())

    def generators(self) -> dict[str, np.random.Generator]:
        """The layer's own random Generators by a stable name (none for most layers).

        The live objects, so a checkpoint can save and restore their states
        (``g.bit_generator.state``); ``Sequential.generators`` prefixes the
        layer's index ("3.rng").
        """
        return {}

    # -- (re)initialisation ------------------------------------------------
    def build(self, rng: np.random.Generator, dtype: Any = None) -> None:
        """(Re)initialise parameters from ``rng`` in ``dtype`` (default: the layer's)."""
        self.dtype = _float_dtype(self.dtype if dtype is None else dtype)
        self._slots = []

    def set_dtype(self, dtype: Any) -> None:
        """Cast parameters, gradients and state to ``dtype`` (no-op when equal)."""
        dt = _float_dtype(dtype)
        if dt == self.dtype:
            return
        self.dtype = dt
        for d in (self.params, self.grads, self.state):
            for k in d:
                d[k] = d[k].astype(dt)
        self._slots = []

    def _zero_grads(self) -> None:
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    # -- slots --------------------------------------------------------------
    def _slot(self, slot: int) -> _Slot:
        slots = self._slots
        while len(slots) <= slot:
            slots.append(_Slot())
        return slots[slot]

    def _grad_out(self, c: _Slot, key: str, accumulate: bool) -> np.ndarray:
        """Where to write the gradient of ``key``: the grads array, or scratch to add."""
        if not accumulate:
            return self.grads[key]
        buf = c.extra.get("g_" + key)
        if buf is None or buf.shape != self.grads[key].shape or buf.dtype != self.dtype:
            buf = c.extra["g_" + key] = np.empty_like(self.grads[key])
        return buf

    def _grad_done(self, c: _Slot, accumulate: bool) -> None:
        if accumulate:
            for key, g in self.grads.items():
                np.add(g, c.extra["g_" + key], out=g)

    def _cached(self, slot: int) -> _Slot:
        c = self._slots[slot] if slot < len(self._slots) else None
        if c is None or c.x is None:
            raise RuntimeError(f"{self!r}: backward called before forward (slot {slot})")
        return c

    @staticmethod
    def _check_dout(c: _Slot, dout: np.ndarray) -> None:
        if dout.shape != c.y.shape:
            raise ValueError(f"dout: expected shape {c.y.shape} (the output's), got {dout.shape}")

    def _cast_dout(self, dout: Any) -> np.ndarray:
        """``dout`` in the layer's dtype (called only when it is not), so dx keeps that dtype."""
        dout = np.asarray(dout)
        if dout.dtype.kind not in "fiub":
            raise TypeError(f"dout: expected a real-valued array, got dtype {dout.dtype}")
        return dout.astype(self.dtype)

    def _checked_input(self, x: Any, features: int | None = None) -> np.ndarray:
        """``x`` as an array in the layer's dtype: a batch (N, ...), or (N, features) if given.

        Real-valued input of another dtype is cast; anything else raises.
        """
        x = np.asarray(x)
        if features is None:
            if x.ndim < 1:
                raise ValueError(f"{self!r}: expected a batch of shape (N, ...), got a scalar")
        elif x.ndim != 2 or x.shape[1] != features:
            raise ValueError(
                f"{self!r}: expected input of shape {_fmt_shape((features,))}, got {_got(x, 2)}"
            )
        if x.dtype != self.dtype:
            if x.dtype.kind not in "fiub":
                raise TypeError(f"{self!r}: expected a real-valued input, got dtype {x.dtype}")
            x = x.astype(self.dtype)
        return x

    # -- the passes ----------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False, *, slot: int = 0) -> np.ndarray:
        """Output of the layer for the batch ``x``; caches what backward needs."""
        raise NotImplementedError

    def backward(
        self,
        dout: np.ndarray,
        *,
        slot: int = 0,
        accumulate: bool = False,
        need_input_grad: bool = True,
    ) -> np.ndarray | None:
        """dL/dx for dL/dy = ``dout``; sets (or adds to, ``accumulate``) ``grads``."""
        raise NotImplementedError

    # -- configuration -------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, JSON-able."""
        return {"dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _init_config(obj: Any) -> Any:
    if isinstance(obj, initializers.Initializer):
        return initializers.serialize(obj)
    raise TypeError(f"cannot serialise the custom initializer {obj!r}; use a registered one")


def _check_seed(seed: Any) -> int | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed: expected None or an integer >= 0, got {seed!r}")
    return int(seed)


class Dense(Layer):
    """Fully connected layer, the book's ``Affine``: ``y = x @ W + b``.

    Shapes: x (N, in_features), W (in_features, out_features),
    b (out_features,), y (N, out_features).
    Backward: ``dW = x.T @ dout``, ``db = sum_n dout[n]``, ``dx = dout @ W.T``.

    Args:
        in_features, out_features: sizes of input and output.
        init: initializer of W (name, dict, Initializer, or a number = normal std);
            He normal suits ReLU networks (the book, section 6.2.3).
        bias_init: initializer of b.
        use_bias: False drops b (then ``params`` has only ``W``).
        seed: seed of the layer's own initialisation (None: fresh entropy).
            ``Sequential(..., seed=s)`` re-initialises every layer from one seed.
        dtype: floating dtype of W, b and the output.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: Any = "he_normal",
        *,
        bias_init: Any = "zeros",
        use_bias: bool = True,
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.in_features = _positive_int(in_features, "in_features")
        self.out_features = _positive_int(out_features, "out_features")
        self.init = initializers.get(init)
        self.bias_init = initializers.get(bias_init)
        self.use_bias = bool(use_bias)
        self.seed = _check_seed(seed)
        self.build(np.random.default_rng(self.seed), self.dtype)

    @classmethod
    def from_weights(cls, W: Any, b: Any = None, *, dtype: Any = None) -> Dense:
        """A Dense layer holding copies of ``W`` (in, out) and ``b`` (out,) (None: no bias).

        ``dtype`` defaults to W's floating dtype (float64 for integer W). No
        random numbers are drawn; a later re-initialisation uses He normal,
        the default of ``Dense``.
        """
        W = np.asarray(W)
        if W.ndim != 2:
            raise ValueError(f"W: expected a 2-D array (in_features, out_features), got {W.shape}")
        if dtype is None:
            dtype = W.dtype if W.dtype.kind == "f" else np.float64
        # Built with zeros, not drawn: the weights are about to be overwritten
        # (a He-normal draw of a 784x50 W costs more than using the layer).
        layer = cls(W.shape[0], W.shape[1], "zeros", use_bias=b is not None, dtype=dtype, seed=0)
        # Re-initialising (``build``, ``Sequential(..., seed=s)``) draws as a fresh Dense does.
        layer.init = initializers.get("he_normal")
        layer.params["W"][...] = W
        if b is not None:
            b = np.asarray(b)
            if b.shape != (W.shape[1],):
                raise ValueError(f"b: expected shape ({W.shape[1]},), got {b.shape}")
            layer.params["b"][...] = b
        return layer

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.in_features,)

    def compute_output_shape(self, input_shape):
        return (self.out_features,)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        shape = (self.in_features, self.out_features)
        self.params = {"W": np.ascontiguousarray(self.init(shape, rng, self.dtype))}
        if self.use_bias:
            self.params["b"] = np.ascontiguousarray(
                self.bias_init((self.out_features,), rng, self.dtype)
            )
        self._zero_grads()

    def _prepare(self, x: Any, c: _Slot) -> np.ndarray:
        x = self._checked_input(x, self.in_features)
        if c.key != x.shape:
            c.key = x.shape
            c.y = np.empty((x.shape[0], self.out_features), self.dtype)
            c.dx = np.empty(x.shape, self.dtype)
        return x

    def forward(self, x, training=False, *, slot=0):
        c = self._slots[slot] if slot < len(self._slots) else self._slot(slot)
        if x.__class__ is not np.ndarray or x.shape != c.key or x.dtype != self.dtype:
            x = self._prepare(x, c)
        # np.dot rather than np.matmul: the same BLAS call and the same bits, with
        # about 0.3 us less dispatch, which shows on one sample.
        y = np.dot(x, self.params["W"], out=c.y)
        if self.use_bias:
            np.add(y, self.params["b"], out=y)
        c.x = x
        return y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        if dout.shape != c.y.shape:
            self._check_dout(c, dout)
        W = self.params["W"]
        np.dot(c.x.T, dout, out=self._grad_out(c, "W", accumulate))
        if self.use_bias:
            np.add.reduce(dout, axis=0, out=self._grad_out(c, "b", accumulate))
        self._grad_done(c, accumulate)
        if not need_input_grad:
            return None
        return np.dot(dout, W.T, out=c.dx)

    def get_config(self):
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "init": _init_config(self.init),
            "bias_init": _init_config(self.bias_init),
            "use_bias": self.use_bias,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        return f"Dense({self.in_features} -> {self.out_features})"


class _Elementwise(Layer):
    """A layer without parameters whose output has the input's shape."""

    def _prepare(self, x: Any, c: _Slot) -> np.ndarray:
        x = self._checked_input(x)
        if c.key != x.shape:
            c.key = x.shape
            c.y = np.empty(x.shape, self.dtype)
            c.dx = np.empty(x.shape, self.dtype)
            c.extra = {}
        return x


class Activation(_Elementwise):
    """Applies an activation function: ``y = f(x)``, ``dx = vjp(x, y, dout)``.

    ``activation`` is anything ``nnscratch.activations.get`` accepts: a name
    ("relu", "sigmoid", "tanh", "softmax", ...), a Keras-style dict or an
    activation object. Elementwise functions run through their ``out=`` path
    into the layer's buffers, so a step allocates nothing.
    """

    def __init__(self, activation: Any = "relu", *, dtype: Any = "float32") -> None:
        from nnscratch import activations

        super().__init__(dtype)
        self.fn = activations.get(activation)
        self._elementwise = bool(getattr(self.fn, "elementwise", False))

    def forward(self, x, training=False, *, slot=0):
        c = self._slots[slot] if slot < len(self._slots) else self._slot(slot)
        if x.__class__ is not np.ndarray or x.shape != c.key or x.dtype != self.dtype:
            x = self._prepare(x, c)
        if self._elementwise:
            y = self.fn(x, out=c.y)
        else:
            y = c.y = self.fn(x)
        c.x = x
        return y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        if dout.shape != c.y.shape:
            self._check_dout(c, dout)
        if not need_input_grad:
            return None
        if self._elementwise:
            return self.fn.vjp(c.x, c.y, dout, out=c.dx)
        return self.fn.vjp(c.x, c.y, dout)

    def get_config(self):
        from nnscratch import activations

        return {"activation": activations.serialize(self.fn), "dtype": self.dtype.name}

    def __repr__(self) -> str:
        return f"Activation({getattr(self.fn, 'name', self.fn)!r})"


class PReLU(_Elementwise):
    """Parametric ReLU with a learnable slope per feature (He et al., 2015).

    ``y = x`` where ``x > 0``, else ``alpha * x``; alpha has shape (features,)
    and broadcasts over the batch (and, for (N, C, H, W) input, see below).
    Backward: ``dx = dout * (1 if x > 0 else alpha)``,
    ``dalpha = sum over batch of dout * min(x, 0)``.
    Input (N, features); for 4-D input (N, C, H, W) alpha is per channel C.
    """

    def __init__(self, features: int, alpha_init: float = 0.25, *, dtype: Any = "float32") -> None:
        super().__init__(dtype)
        self.features = _positive_int(features, "features")
        self.alpha_init = float(alpha_init)
        self.build(np.random.default_rng(0), self.dtype)

    @property
    def input_shape(self):
        return (self.features,)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        self.params = {"alpha": np.full(self.features, self.alpha_init, self.dtype)}
        self._zero_grads()

    def _view(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
        if x.ndim == 2:
            return self.params["alpha"], (0,)
        return self.params["alpha"].reshape(self.features, *([1] * (x.ndim - 2))), (
            0,
            *range(2, x.ndim),
        )

    def forward(self, x, training=False, *, slot=0):
        c = self._slot(slot)
        if x.__class__ is not np.ndarray or x.shape != c.key or x.dtype != self.dtype:
            x = self._prepare(x, c)
            if x.ndim < 2 or x.shape[1] != self.features:
                raise ValueError(
                    f"{self!r}: expected input of shape (N, {self.features}, ...), "
                    f"got {tuple(x.shape)}"
                )
        alpha, _ = self._view(x)
        neg = c.extra.get("neg")
        if neg is None:
            neg = c.extra["neg"] = np.empty_like(c.y)
        np.minimum(x, 0, out=neg)
        np.maximum(x, 0, out=c.y)
        c.y += alpha * neg
        c.x = x
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        self._check_dout(c, dout)
        alpha, axes = self._view(c.x)
        np.sum(dout * c.extra["neg"], axis=axes, out=self._grad_out(c, "alpha", accumulate))
        self._grad_done(c, accumulate)
        if not need_input_grad:
            return None
        np.multiply(dout, np.where(c.x > 0, 1, alpha), out=c.dx)
        return c.dx

    def get_config(self):
        return {"features": self.features, "alpha_init": self.alpha_init, "dtype": self.dtype.name}

    def __repr__(self) -> str:
        return f"PReLU({self.features})"


class Maxout(Layer):
    """Maxout units (Goodfellow et al., "Maxout Networks", ICML 2013).

    This layer holds its own linear part, as in the paper: ``pieces`` affine
    maps per unit, then the max over the pieces,
    ``z = x @ W + b`` reshaped to (N, units, pieces), ``y[n, u] = max_k z[n, u, k]``.
    (It is *not* a max over groups of its input; put a Dense before an
    ``Activation`` for that style.)

    Shapes: x (N, in_features), W (in_features, units * pieces) with column
    ``u * pieces + k`` for piece k of unit u, b (units * pieces,), y (N, units).
    Backward: the gradient flows only to the winning piece (the first one on
    ties): ``dz[n, u, k*] = dout[n, u]``, then as Dense.
    """

    def __init__(
        self,
        in_features: int,
        units: int,
        pieces: int = 2,
        init: Any = "glorot_uniform",
        *,
        bias_init: Any = "zeros",
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.in_features = _positive_int(in_features, "in_features")
        self.units = _positive_int(units, "units")
        self.pieces = _positive_int(pieces, "pieces")
        self.init = initializers.get(init)
        self.bias_init = initializers.get(bias_init)
        self.seed = _check_seed(seed)
        self.build(np.random.default_rng(self.seed), self.dtype)

    @property
    def input_shape(self):
        return (self.in_features,)

    def compute_output_shape(self, input_shape):
        return (self.units,)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        k = self.units * self.pieces
        self.params = {
            "W": np.ascontiguousarray(self.init((self.in_features, k), rng, self.dtype)),
            "b": np.ascontiguousarray(self.bias_init((k,), rng, self.dtype)),
        }
        self._zero_grads()

    def forward(self, x, training=False, *, slot=0):
        c = self._slot(slot)
        x = self._checked_input(x, self.in_features)
        z = (x @ self.params["W"] + self.params["b"]).reshape(-1, self.units, self.pieces)
        idx = z.argmax(axis=2)
        c.key, c.x, c.extra = x.shape, x, {"idx": idx}
        c.y = np.take_along_axis(z, idx[..., None], axis=2)[..., 0]
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        self._check_dout(c, dout)
        n = dout.shape[0]
        dz = np.zeros((n, self.units, self.pieces), dout.dtype)
        np.put_along_axis(dz, c.extra["idx"][..., None], dout[..., None], axis=2)
        dz = dz.reshape(n, self.units * self.pieces)
        np.matmul(c.x.T, dz, out=self._grad_out(c, "W", accumulate))
        np.sum(dz, axis=0, out=self._grad_out(c, "b", accumulate))
        self._grad_done(c, accumulate)
        return dz @ self.params["W"].T if need_input_grad else None

    def get_config(self):
        return {
            "in_features": self.in_features,
            "units": self.units,
            "pieces": self.pieces,
            "init": _init_config(self.init),
            "bias_init": _init_config(self.bias_init),
            "seed": self.seed,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        return f"Maxout({self.in_features} -> {self.units} x {self.pieces})"


class Dropout(_Elementwise):
    """Inverted dropout (Srivastava et al., 2014; the book's 6.4.3 scales at test time instead).

    Training: ``mask = (u >= rate) / (1 - rate)`` with u ~ U[0, 1), ``y = x * mask``;
    inference: ``y = x``. Scaling during training keeps ``E[y] = x``, so the
    network needs no rescaling at inference. Backward: ``dx = dout * mask``.

    ``reuse_mask = True`` makes training-mode forwards reuse the last mask
    instead of drawing a new one: that is how a gradient check holds the
    random mask fixed.
    """

    def __init__(self, rate: float = 0.5, *, seed: int | None = None, dtype: Any = "float32"):
        super().__init__(dtype)
        if not (isinstance(rate, int | float) and 0.0 <= rate < 1.0):
            raise ValueError(f"rate: expected a probability in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = _check_seed(seed)
        self.reuse_mask = False
        self._rng = np.random.default_rng(self.seed)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        self._rng = np.random.default_rng(int(rng.integers(0, 2**63 - 1)))

    def generators(self) -> dict[str, np.random.Generator]:
        """``{"rng": the Generator that draws the masks}``."""
        return {"rng": self._rng}

    def forward(self, x, training=False, *, slot=0):
        c = self._slots[slot] if slot < len(self._slots) else self._slot(slot)
        if x.__class__ is not np.ndarray or x.shape != c.key or x.dtype != self.dtype:
            x = self._prepare(x, c)
        c.x = x
        if not training or self.rate == 0.0:
            c.extra["mask"] = None
            np.copyto(c.y, x)
            return c.y
        mask = c.extra.get("buf")
        if mask is None:
            mask = c.extra["buf"] = np.empty(x.shape, self.dtype)
            udt = np.float64 if self.dtype == np.float64 else np.float32
            c.extra["u"] = np.empty(x.shape, udt)
        if not (self.reuse_mask and c.extra.get("mask") is mask):
            u = c.extra["u"]
            self._rng.random(out=u, dtype=u.dtype)
            np.greater_equal(u, self.rate, out=mask, casting="unsafe")
            mask *= 1.0 / (1.0 - self.rate)
        c.extra["mask"] = mask
        return np.multiply(x, mask, out=c.y)

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        if dout.shape != c.y.shape:
            self._check_dout(c, dout)
        if not need_input_grad:
            return None
        mask = c.extra.get("mask")
        if mask is None:
            np.copyto(c.dx, dout)
            return c.dx
        return np.multiply(dout, mask, out=c.dx)

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "dtype": self.dtype.name}

    def __repr__(self) -> str:
        return f"Dropout({self.rate})"


class BatchNorm(Layer):
    """Batch normalization over the batch axis (Ioffe and Szegedy, 2015; the book's 6.3).

    Training: ``mu = mean_n x``, ``var = mean_n (x - mu)^2``,
    ``xn = (x - mu) / sqrt(var + eps)``, ``y = gamma * xn + beta``; the running
    statistics follow ``r <- momentum * r + (1 - momentum) * batch value`` (the
    book's and Keras's convention; PyTorch's ``momentum`` is ``1 - ours``).
    Inference: ``xn = (x - running_mean) / sqrt(running_var + eps)``.
    Backward (training): ``dbeta = sum dout``, ``dgamma = sum dout * xn``,
    ``dx = (gamma / std) * (dout - mean(dout) - xn * mean(dout * xn))``.

    Input (N, features). ``state`` holds ``running_mean`` and ``running_var``
    (saved with the model, never touched by an optimizer).
    """

    def __init__(
        self,
        features: int,
        momentum: float = 0.9,
        eps: float = 1e-5,
        *,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.features = _positive_int(features, "features")
        if not (isinstance(momentum, int | float) and 0.0 <= momentum < 1.0):
            raise ValueError(f"momentum: expected a number in [0, 1), got {momentum!r}")
        if not (isinstance(eps, int | float) and eps > 0):
            raise ValueError(f"eps: expected a number > 0, got {eps!r}")
        self.momentum = float(momentum)
        self.eps = float(eps)
        self.build(np.random.default_rng(0), self.dtype)

    @property
    def input_shape(self):
        return (self.features,)

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        f, dt = self.features, self.dtype
        self.params = {"gamma": np.ones(f, dt), "beta": np.zeros(f, dt)}
        self.state = {"running_mean": np.zeros(f, dt), "running_var": np.ones(f, dt)}
        self._zero_grads()

    def forward(self, x, training=False, *, slot=0):
        c = self._slot(slot)
        x = self._checked_input(x, self.features)
        gamma, beta = self.params["gamma"], self.params["beta"]
        if training:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc * xc, axis=0)
            m = self.momentum
            rm, rv = self.state["running_mean"], self.state["running_var"]
            rm *= m
            rm += (1.0 - m) * mu
            rv *= m
            rv += (1.0 - m) * var
        else:
            xc = x - self.state["running_mean"]
            var = self.state["running_var"]
        std = np.sqrt(var + np.asarray(self.eps, self.dtype))
        xn = xc / std
        c.key, c.x = x.shape, x
        c.extra = {"xn": xn, "std": std, "training": bool(training)}
        c.y = gamma * xn + beta
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        self._check_dout(c, dout)
        xn, std = c.extra["xn"], c.extra["std"]
        np.sum(dout, axis=0, out=self._grad_out(c, "beta", accumulate))
        np.sum(dout * xn, axis=0, out=self._grad_out(c, "gamma", accumulate))
        self._grad_done(c, accumulate)
        if not need_input_grad:
            return None
        g = self.params["gamma"] / std
        if not c.extra["training"]:  # running statistics are constants
            return dout * g
        return g * (dout - dout.mean(axis=0) - xn * np.mean(dout * xn, axis=0))

    def get_config(self):
        return {
            "features": self.features,
            "momentum": self.momentum,
            "eps": self.eps,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        return f"BatchNorm({self.features})"


class Flatten(Layer):
    """Reshape (N, d1, d2, ...) to (N, d1*d2*...); backward reshapes back."""

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, x, training=False, *, slot=0):
        c = self._slot(slot)
        x = self._checked_input(x)
        c.key, c.x = x.shape, x
        c.y = x.reshape(x.shape[0], -1)
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        self._check_dout(c, dout)
        return dout.reshape(c.x.shape) if need_input_grad else None


def _softmax_last_axis(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis into a fresh array: ``exp(x - max) / sum exp(x - max)``.

    The formula of ``activations.softmax`` (book 3.5.2, max subtracted), for
    the head's known input, a float array of logits (1-D for one sample,
    (N, K) for a batch): the ufunc reductions are called directly, since
    ``np.max`` / ``np.sum`` cost more than the arithmetic on one sample.
    """
    m = np.maximum.reduce(x, axis=-1, keepdims=True)
    # A spread beyond the float range rounds to -inf: its exp is the exact 0.
    with np.errstate(over="ignore"):
        y = np.subtract(x, m)
    np.exp(y, out=y)
    return np.divide(y, np.add.reduce(y, axis=-1, keepdims=True), out=y)


class LossHead:
    """The loss at the top of a network: ``forward(x, t) -> L``, ``backward() -> dL/dx``.

    ``x`` is the raw output of the last layer (logits for the softmax and
    sigmoid heads), ``t`` the targets (labels or one-hot rows, see
    ``nnscratch.losses``). The loss is the mean over the batch.
    ``predict(x)`` applies the loss's output activation (softmax, sigmoid or
    identity).

    Heads: "softmax_cross_entropy" (the book's ``SoftmaxWithLoss``: softmax
    and cross entropy fused, ``dx = (softmax(x) - t) / N``),
    "sigmoid_binary_cross_entropy" (``dx = (sigmoid(x) - t) / N``),
    "mean_squared_error", "sum_squared_error", or any loss name of
    ``nnscratch.losses``.
    """

    def __init__(self, loss: Any = "softmax_cross_entropy") -> None:
        from nnscratch import losses

        self.loss = losses.get(loss)
        self._buf: np.ndarray | None = None
        self._x: np.ndarray | None = None
        self._t: Any = None
        self._out_loss: Any = None  # the loss whose output function is in _out_fn
        self._out_fn: Any = None

    @property
    def output_activation(self) -> str:
        return self.loss.output_activation

    def forward(self, x: np.ndarray, t: Any) -> float:
        """Mean loss of the batch; caches ``x`` and ``t`` for backward."""
        self._x, self._t = x, t
        return float(self.loss(x, t))

    def value_and_grad(self, x: np.ndarray, t: Any) -> tuple[float, np.ndarray]:
        """``(L, dL/dx)`` in one pass; dL/dx is a buffer owned by the head."""
        buf = self._buf
        if buf is None or buf.shape != x.shape or buf.dtype != x.dtype:
            buf = self._buf = np.empty_like(x)
        value, grad = self.loss.value_and_grad(x, t, out=buf)
        return float(value), grad

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """dL/dx of the last forward, times ``dout`` (a scalar, 1 by default)."""
        if self._x is None:
            raise RuntimeError("LossHead: backward called before forward")
        g = self.loss.gradient(self._x, self._t)
        return g if dout == 1.0 else g * np.asarray(dout, g.dtype)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The loss's output activation applied to the raw output ``x``.

        A fresh array for softmax and sigmoid; ``x`` itself for the identity.
        The function is looked up once per loss, not per call.
        """
        if self._out_loss is not self.loss:
            self._resolve_output()
        fn = self._out_fn
        return x if fn is None else fn(x)

    def _resolve_output(self) -> None:
        from nnscratch import activations

        name = self.output_activation
        if name in (None, "linear", "identity"):
            self._out_fn = None
        elif name == "softmax":
            self._out_fn = _softmax_last_axis
        else:
            self._out_fn = activations.get(name)
        self._out_loss = self.loss

    def get_config(self) -> Any:
        from nnscratch import losses

        return losses.serialize(self.loss)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self.loss, 'name', self.loss)!r})"


class SoftmaxWithLoss(LossHead):
    """The book's ``SoftmaxWithLoss``: softmax and cross entropy on logits, fused."""

    def __init__(self, label_smoothing: float = 0.0) -> None:
        cfg: Any = "softmax_cross_entropy"
        if label_smoothing:
            cfg = {"class_name": cfg, "config": {"label_smoothing": label_smoothing}}
        super().__init__(cfg)


class SigmoidWithLoss(LossHead):
    """Sigmoid and binary cross entropy on logits, fused: ``dx = (sigmoid(x) - t) / N``."""

    def __init__(self) -> None:
        super().__init__("sigmoid_binary_cross_entropy")


def names() -> list[str]:
    """Registered layer class names."""
    return sorted(_REGISTRY)


def serialize(layer: Layer) -> dict[str, Any]:
    """``{"class_name": "Dense", "config": {...}}``, JSON-able."""
    if not isinstance(layer, Layer):
        raise TypeError(f"layer: expected a Layer, got {type(layer).__name__}")
    return {"class_name": type(layer).registry_name, "config": layer.get_config()}


def deserialize(identifier: dict[str, Any] | str) -> Layer:
    """Rebuild a layer from :func:`serialize`'s dict (or a class name, default arguments)."""
    if isinstance(identifier, str):
        identifier = {"class_name": identifier, "config": {}}
    if not isinstance(identifier, dict) or "class_name" not in identifier:
        raise ValueError(
            f"layer: expected {{'class_name': ..., 'config': {{...}}}}, got {identifier!r}"
        )
    name = identifier["class_name"]
    cls = _REGISTRY.get(name)
    if cls is None:
        raise ValueError(f"layer: unknown class_name {name!r}; expected one of {names()}")
    try:
        return cls.from_config(dict(identifier.get("config") or {}))
    except TypeError as exc:
        raise ValueError(f"layer: bad config for {name}: {exc}") from None


def get(identifier: Layer | dict[str, Any] | str) -> Layer:
    """A Layer as is, a serialized dict, a class name, or an activation name ("relu")."""
    if isinstance(identifier, Layer):
        return identifier
    if isinstance(identifier, str) and identifier not in _REGISTRY:
        try:
            return Activation(identifier)
        except (ValueError, TypeError):
            raise ValueError(
                f"layer: {identifier!r} is neither a layer class ({names()}) nor an activation name"
            ) from None
    return deserialize(identifier)

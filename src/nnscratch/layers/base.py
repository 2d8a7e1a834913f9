"""The layer base class: all the bookkeeping, written once, so a layer writes only its math.

One contract for every layer (the book's chapter 5, made strict):

* ``params`` and ``grads``: dicts of arrays with the same keys and shapes;
  ``trainable``: the same keys -> bool (``freeze("b")``, ``unfreeze()``).
* ``forward(x, training=False) -> y`` caches what ``backward`` needs.
* ``backward(dout) -> dx`` returns dL/dx, never writes into ``dout`` and
  *assigns* the gradients of the trainable parameters into the arrays of
  ``grads`` (same array objects every time); a frozen parameter's gradient is
  not computed and its ``grads`` entry is left as it was.
* ``build(rng, dtype)`` (re)initialises the parameters from a Generator.
* ``get_config()`` and the registry (``nnscratch.layers.get`` /
  ``serialize`` / ``deserialize``, Keras's ``{"class_name": ..., "config": {...}}``).

A subclass implements ``_forward(c, x, training) -> y`` and
``_backward(c, dout, grads, dx) -> dx`` by calling ``nnscratch.functional``:
``c`` is the layer's cache for this use (``c.x`` the input, ``c.y`` an
output buffer of the right shape, ``c.extra`` anything else), ``grads`` maps
each parameter to where its gradient goes (an array, or ``False`` when the
parameter is frozen) and ``dx`` is the buffer for dL/dx, or ``False`` when no
one needs it. This class does the rest:

* Buffers. The output and dL/dx live in arrays the layer owns, reallocated
  only when the batch shape changes; the array ``forward`` returns stays
  valid until the layer's next ``forward`` with the same ``slot`` (copy it to
  keep it; ``Sequential.predict`` returns a copy).
* Checks and casts. The input's shape is checked when its shape or dtype
  changes (so at the first forward); another dtype than the layer's is cast.
* Weight sharing. The same layer object may appear several times in a
  network; each use has its own cache, selected by ``slot`` (0, 1, ...).
  Backward runs in reverse, so the last use assigns the gradients and every
  earlier use calls ``backward(..., accumulate=True)``, which adds its
  contribution: a shared parameter receives the sum of its gradients.
  ``need_input_grad=False`` skips dL/dx (the first layer needs none).

Why the buffers and the inlined checks: see docs/performance.md.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nnscratch import initializers
from nnscratch._registry import Registry
from nnscratch._validate import check_float_dtype, check_seed, fail

__all__ = ["REGISTRY", "Layer", "init_config"]


def _fmt_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(["N", *map(str, shape)]) + ")"


def _got(x: np.ndarray, ndim: int) -> str:
    """The shape of ``x`` for an error message, batch axis as N when ``ndim`` matches."""
    if x.ndim == ndim and ndim >= 1:
        return _fmt_shape(x.shape[1:])
    return str(tuple(x.shape))


def init_config(obj: Any) -> Any:
    """An initializer in its serialized form (for ``get_config``)."""
    if isinstance(obj, initializers.Initializer):
        return initializers.serialize(obj)
    raise TypeError(f"cannot serialise the custom initializer {obj!r}; use a registered one")


class _Slot:
    """One use of a layer: its input, output and scratch buffers for one batch shape."""

    __slots__ = ("acc", "dx", "extra", "key", "x", "y")

    def __init__(self) -> None:
        self.key: tuple | None = None  # the input shape the buffers fit
        self.x: np.ndarray | None = None
        self.y: np.ndarray | None = None
        self.dx: np.ndarray | None = None
        self.extra: dict[str, Any] = {}
        self.acc: dict[str, Any] | None = None  # where accumulating backward writes


class Layer:
    """Base class of every layer.

    Attributes:
        params: name -> parameter array (live; optimizers update them in place).
        grads: name -> dL/dparam of the last backward, same keys and shapes.
        trainable: name -> bool; a frozen (False) parameter gets no gradient,
            is left out of ``Sequential.trainable_parameters()`` and is still
            saved and loaded.
        state: name -> non-trainable array saved with the model (BatchNorm's
            running statistics); empty for most layers.
        dtype: the floating dtype of parameters and outputs.
    """

    name: ClassVar[str] = ""  # the registry name: the class name

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            cls.name = cls.__name__
            REGISTRY.register(cls)

    def __init__(self, dtype: Any = "float32") -> None:
        self.dtype = check_float_dtype("dtype", dtype)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.trainable: dict[str, bool] = {}
        self.state: dict[str, np.ndarray] = {}
        self._reset()

    def _reset(self) -> None:
        self._slots: list[_Slot] = []
        self._targets: dict[str, Any] | None = None  # where a backward writes each gradient

    # -- shapes -----------------------------------------------------------
    @property
    def input_shape(self) -> tuple[int, ...] | None:
        """Shape of one input sample, or None when any shape is accepted."""
        return None

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one output sample for one input sample of ``input_shape``."""
        return tuple(input_shape)

    def num_params(self) -> int:
        """Number of parameter scalars (frozen ones included)."""
        return sum(int(p.size) for p in self.params.values())

    def generators(self) -> dict[str, np.random.Generator]:
        """The layer's own random Generators by a stable name (none for most layers).

        The live objects, so a checkpoint can save and restore their states
        (``g.bit_generator.state``); ``Sequential.generators`` prefixes the
        layer's index ("3.rng").
        """
        return {}

    # -- (re)initialisation and dtype ----------------------------------------
    def build(self, rng: np.random.Generator, dtype: Any = None) -> None:
        """(Re)initialise parameters from ``rng`` in ``dtype`` (default: the layer's).

        A subclass creates ``params`` after calling this, then :meth:`_zero_grads`.
        """
        self.dtype = check_float_dtype("dtype", self.dtype if dtype is None else dtype)
        self._reset()

    def set_dtype(self, dtype: Any) -> None:
        """Cast parameters, gradients and state to ``dtype`` (no-op when equal)."""
        dt = check_float_dtype("dtype", dtype)
        if dt == self.dtype:
            return
        self.dtype = dt
        for d in (self.params, self.grads, self.state):
            for k in d:
                d[k] = d[k].astype(dt)
        self._reset()

    def _init_weights(self, init: Any, bias_init: Any, seed: int | None) -> None:
        """Keep the initializers of W and b and the seed, then build from that seed.

        For a layer with a weight matrix and a bias (Dense, Conv2D, Maxout);
        its :meth:`build` calls :meth:`_draw_weights`.
        """
        self.init = initializers.get(init)
        self.bias_init = initializers.get(bias_init)
        self.seed = check_seed("seed", seed)
        self.build(np.random.default_rng(self.seed), self.dtype)

    def _draw_weights(
        self, rng: np.random.Generator, w_shape: tuple[int, ...], b_shape: tuple[int, ...] | None
    ) -> None:
        """``params`` W drawn from ``init``, then b from ``bias_init`` (None: no b); zero grads."""
        self.params = {"W": np.ascontiguousarray(self.init(w_shape, rng, self.dtype))}
        if b_shape is not None:
            self.params["b"] = np.ascontiguousarray(self.bias_init(b_shape, rng, self.dtype))
        self._zero_grads()

    def _zero_grads(self) -> None:
        """Gradient arrays for ``params``; parameters frozen before stay frozen."""
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.trainable = {k: self.trainable.get(k, True) for k in self.params}
        self._targets = None

    # -- freezing -----------------------------------------------------------
    def freeze(self, *names: str) -> Layer:
        """Stop training the parameters ``names`` (all when none is given); returns self."""
        self._set_trainable(names, False)
        return self

    def unfreeze(self, *names: str) -> Layer:
        """Train the parameters ``names`` again (all when none is given); returns self."""
        self._set_trainable(names, True)
        return self

    def _set_trainable(self, names: tuple[str, ...], value: bool) -> None:
        for key in names:
            if key not in self.params:
                raise fail("name", f"a parameter of {self!r}: {list(self.params)}", key)
        for key in names or tuple(self.params):
            self.trainable[key] = value
        self._targets = None
        for c in self._slots:
            c.acc = None

    # -- the passes ----------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False, *, slot: int = 0) -> np.ndarray:
        """Output of the layer for the batch ``x``; caches what backward needs."""
        c = self._slots[slot] if slot < len(self._slots) else self._slot(slot)
        if x.__class__ is not np.ndarray or x.shape != c.key or x.dtype != self.dtype:
            x = self._prepare(x, c)
        c.x = x
        y = c.y = self._forward(c, x, training)
        return y

    def backward(
        self,
        dout: np.ndarray,
        *,
        slot: int = 0,
        accumulate: bool = False,
        need_input_grad: bool = True,
    ) -> np.ndarray | None:
        """dL/dx for dL/dy = ``dout``; sets (or adds to, ``accumulate``) ``grads``."""
        c = self._slots[slot] if slot < len(self._slots) else None
        if c is None or c.x is None:
            raise RuntimeError(f"{self!r}: backward called before forward (slot {slot})")
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        if dout.shape != c.y.shape:
            raise ValueError(f"dout: expected shape {c.y.shape} (the output's), got {dout.shape}")
        if accumulate:
            dx = self._backward(c, dout, self._scratch(c), c.dx if need_input_grad else False)
            for key, g in c.acc.items():
                if g is not False:
                    np.add(self.grads[key], g, out=self.grads[key])
            return dx
        targets = self._targets
        if targets is None:
            targets = self._targets = {
                k: (g if self.trainable[k] else False) for k, g in self.grads.items()
            }
        return self._backward(c, dout, targets, c.dx if need_input_grad else False)

    # -- what a subclass writes ------------------------------------------------
    def _forward(self, c: _Slot, x: np.ndarray, training: bool) -> np.ndarray:
        """The output for the checked input ``x`` (write it into ``c.y`` when you can)."""
        raise NotImplementedError

    def _backward(
        self, c: _Slot, dout: np.ndarray, grads: dict[str, Any], dx: np.ndarray | bool
    ) -> np.ndarray | None:
        """dL/dx (into ``dx``, or None when ``dx`` is False); parameter gradients into ``grads``."""
        raise NotImplementedError

    # -- bookkeeping -------------------------------------------------------------
    def _slot(self, slot: int) -> _Slot:
        slots = self._slots
        while len(slots) <= slot:
            slots.append(_Slot())
        return slots[slot]

    def _scratch(self, c: _Slot) -> dict[str, Any]:
        """Arrays of the gradients' shapes where an accumulating backward writes first."""
        acc = c.acc
        if acc is None or any(
            g is not False and g.shape != self.grads[k].shape for k, g in acc.items()
        ):
            acc = c.acc = {
                k: (np.empty_like(g) if self.trainable[k] else False) for k, g in self.grads.items()
            }
        return acc

    def _check_input(self, x: np.ndarray) -> None:
        """Raise unless ``x`` is a batch of ``input_shape`` (any batch when that is None)."""
        shape = self.input_shape
        if shape is None:
            if x.ndim < 1:
                raise ValueError(f"{self!r}: expected a batch of shape (N, ...), got a scalar")
        elif x.shape[1:] != shape or x.ndim != len(shape) + 1:
            raise ValueError(
                f"{self!r}: expected input of shape {_fmt_shape(shape)}, "
                f"got {_got(x, len(shape) + 1)}"
            )

    def _prepare(self, x: Any, c: _Slot) -> np.ndarray:
        """``x`` checked and cast to the layer's dtype; buffers for its shape in ``c``."""
        x = np.asarray(x)
        self._check_input(x)
        if x.dtype != self.dtype:
            if x.dtype.kind not in "fiub":
                raise TypeError(f"{self!r}: expected a real-valued input, got dtype {x.dtype}")
            x = x.astype(self.dtype)
        if c.key != x.shape:
            c.key = x.shape
            out_shape = (x.shape[0], *self.compute_output_shape(x.shape[1:]))
            # empty_like keeps x's memory order: images stored channels last (conv
            # outputs) stay so through elementwise layers, and the next im2col reads
            # them fast (docs/cnn.md)
            same = out_shape == x.shape
            c.y = np.empty_like(x) if same else np.empty(out_shape, self.dtype)
            c.dx = np.empty_like(x)
            c.extra = {}
            c.acc = None
        return x

    def _cast_dout(self, dout: Any) -> np.ndarray:
        """``dout`` in the layer's dtype (called only when it is not), so dx keeps that dtype."""
        dout = np.asarray(dout)
        if dout.dtype.kind not in "fiub":
            raise TypeError(f"dout: expected a real-valued array, got dtype {dout.dtype}")
        return dout.astype(self.dtype)

    # -- configuration -------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, JSON-able."""
        return {"dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


#: Every layer class by its class name (a subclass registers itself).
REGISTRY: Registry[Layer] = Registry(
    "layer", Layer, (), build=lambda cls, config: cls.from_config(config)
)

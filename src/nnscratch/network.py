"""``Sequential``: a stack of layers with a loss head, trained by backpropagation.

The book's chapter-5 ``TwoLayerNet`` / ``MultiLayerNet`` as one general class::

    net = Sequential([Dense(784, 50), Activation("relu"), Dense(50, 10)], seed=0)
    loss, grads = net.value_and_grad(x_batch, t_batch)
    SGD(0.1).step(net.parameters(), grads)          # one training step

Names. ``parameters()`` returns the live parameter arrays under stable names
``"<layer index>.<key>"`` ("0.W", "0.b", "2.W", ...); ``gradient`` and
``numerical_gradient`` return dicts with the same keys. A layer object that
appears several times (weight sharing) is named once, by its first index, and
its gradient is the sum over its uses.

Buffers. ``gradient`` / ``value_and_grad`` return the layers' own gradient
arrays: the same array objects on every call, overwritten by the next call
(copy them to keep them). ``last_output`` is the loss head's input of the
latest ``value_and_grad`` (the last layer's output buffer, not a copy), so a
training loop can score the batch without a second forward pass. ``predict``
returns a fresh array.

Randomness. ``generators()`` names the layers' own Generators ("3.rng" for
a Dropout at index 3), the live objects whose states a checkpoint saves.

dtype. Parameters live in ``dtype`` (float32 by default). An input of another
dtype is cast once per call at the entry of the network (so float64 data never
meets float32 weights inside a matmul); to avoid even that copy, cast the
data set once up front: ``x = x.astype(net.dtype)``.

Reference: Saitoh, "Deep Learning from Scratch", 5.7 (``TwoLayerNet``) and
the appendix network ``MultiLayerNetExtend``; Rumelhart, Hinton and Williams,
"Learning representations by back-propagating errors", Nature 1986.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from nnscratch import _threads
from nnscratch import layers as _layers
from nnscratch._validate import check_float_dtype, check_seed
from nnscratch.layers import Layer, LossHead
from nnscratch.metrics import output_labels, target_labels
from nnscratch.numerical import numerical_gradient

__all__ = ["Network", "Sequential"]

_SHARED = "SharedLayer"
#: Rows per forward pass when a network with conv or pooling layers predicts (see _inference).
PREDICT_CHUNK = 1024


@runtime_checkable
class Network(Protocol):
    """The contract between a network and what trains it.

    ``fit`` / ``Trainer``, the callbacks, checkpoints and the minima
    strategies use a network only through these members; :class:`Sequential`
    is the one implementation in the library. Names are stable strings
    ("0.W", "3.running_mean", "2.rng").

    - ``dtype``: the floating dtype of parameters and computation.
    - ``output_activation``: how outputs become predictions and labels:
      "softmax", "sigmoid" or None (identity, e.g. regression).
    - ``last_output``: the loss head's input of the latest ``value_and_grad``.
    - ``parameters()``: every parameter array, live (updated in place).
    - ``trainable_parameters()``: the ones an optimizer may change; the
      gradients of ``value_and_grad`` have exactly these keys.
    - ``buffers()``: non-trainable state saved with the model.
    - ``generators()``: the live random Generators a checkpoint saves.
    """

    dtype: np.dtype

    @property
    def output_activation(self) -> str | None: ...

    @property
    def last_output(self) -> np.ndarray | None: ...

    def parameters(self) -> dict[str, np.ndarray]: ...

    def trainable_parameters(self) -> dict[str, np.ndarray]: ...

    def buffers(self) -> dict[str, np.ndarray]: ...

    def generators(self) -> dict[str, np.random.Generator]: ...

    def set_parameters(self, values: Mapping[str, Any], *, strict: bool = True) -> None: ...

    def value_and_grad(self, x: Any, t: Any) -> tuple[float, dict[str, np.ndarray]]: ...

    def predict(self, x: Any, training: bool = False) -> np.ndarray: ...

    def loss(self, x: Any, t: Any, training: bool = False) -> float: ...

    def get_config(self) -> dict[str, Any]: ...


class Sequential:
    """Layers applied in order, then a loss head.

    Args:
        layers: Layer objects (or what ``layers.get`` accepts: a serialized
            dict, an activation name such as "relu").
        loss: the loss head: a ``LossHead`` or a name/dict/Loss for
            ``nnscratch.losses.get`` ("softmax_cross_entropy",
            "sigmoid_binary_cross_entropy", "mean_squared_error", ...).
        seed: None keeps each layer's own initialisation; an integer
            re-initialises every layer, in order, from one
            ``numpy.random.Generator(seed)``, so one seed fixes the network.
        dtype: floating dtype of every parameter and of the computation.

    Attributes:
        last_output: the loss head's input (raw output of the last layer) from
            the latest :meth:`value_and_grad`, None before the first call. It
            is the layer's own buffer: overwritten by the next forward pass.
    """

    def __init__(
        self,
        layers: Sequence[Any],
        loss: Any = "softmax_cross_entropy",
        *,
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        if isinstance(layers, Layer) or not isinstance(layers, Sequence):
            raise TypeError(f"layers: expected a list of layers, got {type(layers).__name__}")
        if len(layers) == 0:
            raise ValueError("layers: expected at least one layer, got an empty list")
        self.layers: tuple[Layer, ...] = tuple(_layers.get(layer) for layer in layers)
        self.head: LossHead = loss if isinstance(loss, LossHead) else LossHead(loss)
        self.dtype = dt = check_float_dtype("dtype", dtype)
        self.seed = check_seed("seed", seed)
        self.last_output: np.ndarray | None = None
        self._plan()
        if self.seed is not None:
            self.build(self.seed)
        else:
            for layer in self._unique:
                layer.set_dtype(dt)

    # -- structure -----------------------------------------------------------
    def _plan(self) -> None:
        """Slots, accumulation flags and names for shared layers; where backward stops."""
        first: dict[int, int] = {}  # id(layer) -> first index
        uses: dict[int, int] = {}
        self._fwd: list[tuple[Layer, int]] = []
        for i, layer in enumerate(self.layers):
            first.setdefault(id(layer), i)
            slot = uses.get(id(layer), 0)
            uses[id(layer)] = slot + 1
            self._fwd.append((layer, slot))
        self._first = first
        self._unique = [self.layers[i] for i in sorted(set(first.values()))]
        self._splits = any(getattr(layer, "splits_batch", False) for layer in self._unique)
        shape = self.layers[0].input_shape  # fixed by the first layer's config
        self._sample_ndim = None if shape is None else len(shape)
        with_params = [i for i, layer in enumerate(self.layers) if layer.params]
        stop = with_params[0] if with_params else len(self.layers)
        bwd = []
        seen_later: set[int] = set()
        for i in range(len(self.layers) - 1, stop - 1, -1):
            layer, slot = self._fwd[i]
            accumulate = id(layer) in seen_later  # a later use already assigned the grads
            seen_later.add(id(layer))
            bwd.append((layer, slot, accumulate, i != stop))
        self._bwd = bwd

    def _names(self, trainable_only: bool = False) -> list[tuple[str, Layer, str]]:
        return [
            (f"{self._first[id(layer)]}.{key}", layer, key)
            for layer in self._unique
            for key in layer.params
            if layer.trainable[key] or not trainable_only
        ]

    def build(self, seed: int | np.random.Generator | None = None) -> None:
        """Re-initialise every layer, in order, from one Generator (``seed`` or a Generator)."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        for layer in self._unique:
            layer.build(rng, self.dtype)

    @property
    def input_shape(self) -> tuple[int, ...] | None:
        """Shape of one input sample, when the first layer fixes it."""
        return self.layers[0].input_shape

    # -- parameters --------------------------------------------------------------
    def parameters(self) -> dict[str, np.ndarray]:
        """The live parameter arrays by name ("0.W", "0.b", ...): update them in place."""
        return {name: layer.params[key] for name, layer, key in self._names()}

    def trainable_parameters(self) -> dict[str, np.ndarray]:
        """The live parameters an optimizer may change (keys of ``value_and_grad``'s gradients).

        Those not frozen (``layer.freeze("b")``), under the names of :meth:`parameters`.
        """
        return {name: layer.params[key] for name, layer, key in self._names(True)}

    @property
    def output_activation(self) -> str | None:
        """The head's output function: "softmax", "sigmoid", or None (identity)."""
        act = self.head.output_activation
        return None if act in (None, "linear", "identity") else act

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-trainable state by name ("3.running_mean", ...), for saving with the model."""
        return {
            f"{self._first[id(layer)]}.{key}": arr
            for layer in self._unique
            for key, arr in layer.state.items()
        }

    def generators(self) -> dict[str, np.random.Generator]:
        """The layers' own random Generators ("3.rng", ...): the live objects.

        Named ``"<first index>.<key>"`` of :meth:`Layer.generators`; a shared
        layer is named once. A checkpoint saves and restores their
        ``bit_generator.state`` so a resumed run draws the same dropout masks.
        """
        return {
            f"{self._first[id(layer)]}.{key}": g
            for layer in self._unique
            for key, g in layer.generators().items()
        }

    def set_parameters(self, values: Mapping[str, Any], *, strict: bool = True) -> None:
        """Copy ``values`` into the live parameters (and buffers), checking names and shapes.

        ``strict=True`` requires every parameter to be given. All values are
        checked (names, shapes, a ``same_kind`` cast to the live dtype) before
        any is copied, so on an error the network is unchanged.
        """
        live = {**self.parameters(), **self.buffers()}
        unknown = sorted(set(values) - set(live))
        if unknown:
            raise ValueError(f"values: unknown names {unknown}; expected names from {list(live)}")
        if strict:
            missing = sorted(set(self.parameters()) - set(values))
            if missing:
                raise ValueError(f"values: missing parameters {missing}")
        arrays = {}
        for name, v in values.items():
            arr, dst = np.asarray(v), live[name]
            if arr.shape != dst.shape:
                raise ValueError(f"values[{name!r}]: expected shape {dst.shape}, got {arr.shape}")
            if not np.can_cast(arr.dtype, dst.dtype, "same_kind"):
                raise TypeError(
                    f"values[{name!r}]: expected values castable to {dst.dtype}, "
                    f"got dtype {arr.dtype}"
                )
            arrays[name] = arr
        for name, arr in arrays.items():
            np.copyto(live[name], arr, casting="same_kind")

    def num_params(self) -> int:
        """Number of parameter scalars, frozen ones included (shared parameters counted once)."""
        return sum(layer.num_params() for layer in self._unique)

    # -- forward ----------------------------------------------------------------
    def _cast(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype != self.dtype:
            if x.dtype.kind not in "fiub":
                raise TypeError(f"x: expected a real-valued array, got dtype {x.dtype}")
            x = x.astype(self.dtype)
        return x

    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        with _threads.blas_held(self._splits, len(x)):
            for layer, slot in self._fwd:
                x = layer.forward(x, training, slot=slot)
        return x

    def _inference(self, x: np.ndarray) -> np.ndarray:
        """The last layer's output for ``x`` out of training (its buffer, or a fresh array).

        A network with conv or pooling layers runs :data:`PREDICT_CHUNK` rows
        at a time: out of training every row is computed alone, so the chunks
        change the memory (a 5x5 conv's col holds 25 copies of each output
        pixel: 2 GB for 10,000 MNIST images at once), not the numbers.
        """
        if not self._splits or len(x) <= PREDICT_CHUNK:
            return self._forward(x, False)
        return np.concatenate(
            [  # each a copy: the last layer overwrites its buffer at the next chunk
                self._forward(x[i : i + PREDICT_CHUNK], False).copy()
                for i in range(0, len(x), PREDICT_CHUNK)
            ]
        )

    def _batch(self, x: Any) -> tuple[np.ndarray, bool]:
        """``x`` cast and with a batch axis; True when one sample was given.

        The shapes themselves are checked by the first layer.
        """
        if x.__class__ is not np.ndarray or x.dtype != self.dtype:
            x = self._cast(x)
        if x.ndim == self._sample_ndim:
            return x[None], True
        return x, False

    def predict(self, x: Any, training: bool = False) -> np.ndarray:
        """Raw output of the last layer (logits for the softmax head), a fresh array.

        Shapes: x (N, *input_shape) -> (N, *output); one sample (*input_shape,)
        -> (*output,).
        """
        xb, single = self._batch(x)
        y = self._forward(xb, training) if training else self._inference(xb)
        return y[0].copy() if single else y.copy()

    def predict_proba(self, x: Any) -> np.ndarray:
        """Predictions: the loss head's output activation (softmax, sigmoid or identity).

        A fresh array, shaped as :meth:`predict`'s. The activation reads the
        last layer's buffer directly (no intermediate copy of the logits).
        """
        xb, single = self._batch(x)
        z = self._inference(xb)
        if single:
            z = z[0]
        p = self.head.predict(z)
        return p.copy() if p is z else p

    def loss(self, x: Any, t: Any, training: bool = False) -> float:
        """Mean loss over the batch (``training=True`` applies dropout, batch statistics)."""
        xb, _ = self._batch(x)
        y = self._forward(xb, True) if training else self._inference(xb)
        return self.head.forward(y, t)

    def accuracy(self, x: Any, t: Any) -> float:
        """Fraction of samples classified right; ``t`` labels (N,) or one-hot rows (N, K).

        Outputs and targets become labels by the library's one rule
        (``metrics.output_labels`` / ``target_labels``): ``argmax`` of the
        output; for a single sigmoid output (K = 1) ``logit > 0``.
        """
        y = self.predict(x)
        if y.ndim == 1:
            y = y[None]
            t = np.asarray(t)[None]
        act = self.output_activation
        labels = target_labels(t, act)
        if labels is None:
            raise ValueError(
                f"t: expected class labels (N,) or one-hot rows (N, K), got regression targets "
                f"of shape {np.shape(t)}"
            )
        if labels.shape != y.shape[:1]:
            raise ValueError(f"t: expected {y.shape[0]} targets, got shape {np.shape(t)}")
        return float(np.mean(output_labels(y, act) == labels))

    # -- gradients -------------------------------------------------------------
    def value_and_grad(self, x: Any, t: Any) -> tuple[float, dict[str, np.ndarray]]:
        """``(loss, gradients)`` by backpropagation, in training mode.

        The gradient arrays are the layers' own: the same objects on every
        call, overwritten by the next one. Sets :attr:`last_output` to the
        head's input (N, *output).
        """
        if x.__class__ is not np.ndarray or x.dtype != self.dtype:
            x = self._cast(x)
        with _threads.blas_held(self._splits, len(x)):
            for layer, slot in self._fwd:
                x = layer.forward(x, True, slot=slot)
            self.last_output = x
            value, d = self.head.value_and_grad(x, t)
            for layer, slot, accumulate, need in self._bwd:
                d = layer.backward(d, slot=slot, accumulate=accumulate, need_input_grad=need)
        return value, {name: layer.grads[key] for name, layer, key in self._names(True)}

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """Gradients of the loss by backpropagation, keys as :meth:`trainable_parameters`."""
        return self.value_and_grad(x, t)[1]

    def numerical_gradient(
        self, x: Any, t: Any, h: float = 1e-4, *, training: bool = False
    ) -> dict[str, np.ndarray]:
        """Gradients by central differences, the book's slow way (2 forwards per weight).

        Use a float64 network for meaningful digits. Keys as :meth:`trainable_parameters`.
        """
        xb, _ = self._batch(x)

        def f(_: np.ndarray) -> float:
            return self.head.forward(self._forward(xb, training), t)

        return {
            name: numerical_gradient(f, p, h) for name, p in self.trainable_parameters().items()
        }

    # -- configuration -----------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """``{"layers": [...], "loss": ..., "dtype": ..., "seed": ...}``, JSON-able.

        A repeated (shared) layer is stored as
        ``{"class_name": "SharedLayer", "config": {"index": i}}`` pointing at its first use.
        """
        out = []
        for i, layer in enumerate(self.layers):
            j = self._first[id(layer)]
            if j != i:
                out.append({"class_name": _SHARED, "config": {"index": j}})
            else:
                out.append(_layers.serialize(layer))
        return {
            "layers": out,
            "loss": self.head.get_config(),
            "dtype": self.dtype.name,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Sequential:
        """Rebuild the architecture saved by :meth:`get_config` (fresh parameters)."""
        if not isinstance(config, Mapping) or "layers" not in config:
            raise ValueError(f"config: expected a dict with a 'layers' list, got {config!r}")
        built: list[Layer] = []
        for i, entry in enumerate(config["layers"]):
            if isinstance(entry, Mapping) and entry.get("class_name") == _SHARED:
                j = int(entry.get("config", {}).get("index", -1))
                if not 0 <= j < i:
                    raise ValueError(f"config: layer {i} shares an invalid index {j}")
                built.append(built[j])
            else:
                built.append(_layers.deserialize(entry))
        return cls(
            built,
            loss=config.get("loss", "softmax_cross_entropy"),
            seed=config.get("seed"),
            dtype=config.get("dtype", "float32"),
        )

    def summary(self) -> str:
        """A table of the layers, their output shapes and parameter counts."""
        rows = [("#", "layer", "output shape", "params")]
        shape = self.input_shape
        for i, layer in enumerate(self.layers):
            shared = self._first[id(layer)] != i
            if shape is not None:
                try:
                    shape = layer.compute_output_shape(shape)
                except Exception:  # a layer that cannot tell without data
                    shape = None
            out = "(N, " + ", ".join(map(str, shape)) + ")" if shape is not None else "?"
            n = f"(shared with {self._first[id(layer)]})" if shared else f"{layer.num_params():,}"
            rows.append((str(i), repr(layer), out, n))
        widths = [max(len(r[k]) for r in rows) for k in range(4)]
        lines = [
            f"Sequential: loss {getattr(self.head.loss, 'name', self.head.loss)}, "
            f"dtype {self.dtype.name}"
        ]
        for r in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        lines.append(f"total params: {self.num_params():,}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        name = getattr(self.head.loss, "name", self.head.loss)
        return f"Sequential([{inner}], loss={name!r}, dtype={self.dtype.name!r})"

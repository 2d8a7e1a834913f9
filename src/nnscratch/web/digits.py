"""The digits page's models: a drawing in, the network's probabilities and hidden layers out.

A :class:`ModelCatalog` holds the models the user named when starting the
server (the bundled ``sample``, the book's ``sample_weight.pkl``, any file
written by ``nn.save``), loaded once at start-up. Requests choose a model by
its *name* only, so no request can reach a file the user did not give.

The drawing arrives as a PNG and goes through :func:`nnscratch.images.load_digit`,
the preprocessing of ``nnscratch predict``: grey, inverted if needed, fitted
into 20x20, centred by its centre of mass in 28x28.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import nnscratch as nn
from nnscratch.images import load_digit
from nnscratch.web.errors import NotFound

__all__ = ["MAX_PIXELS", "ModelCatalog", "digit_input"]

#: Largest drawing accepted, in pixels: the canvas sends 280x280; a PNG
#: header may claim far more than its few bytes hold (a "PNG bomb").
MAX_PIXELS = 1024 * 1024
_MNIST = 28 * 28


@dataclass
class _Entry:
    name: str
    source: str  # "bundled" or the file name as the user gave it
    net: Any
    lock: threading.Lock = field(default_factory=threading.Lock)


class ModelCatalog:
    """Named MNIST models, loaded once; ``predict`` runs one at a time per model.

    Layers keep their outputs in their own buffers, so two threads must not
    run one network at once: each model has its own lock.
    """

    def __init__(self, files: Iterable[str | Path] = (), *, bundled: bool = True) -> None:
        self._entries: dict[str, _Entry] = {}
        if bundled:
            # the chapter-3 MLP first: it is the page's default model
            for name in sorted(nn.io.bundled_models(), key=lambda n: n != "sample"):
                self._add(name, "bundled", nn.load(name))
        for f in files:
            path = Path(f)
            if not path.is_file():
                raise ValueError(f"--model: expected a model file, got {str(f)!r}")
            self._add(self._free_name(path.stem), path.name, nn.load(path))

    def _free_name(self, stem: str) -> str:
        name, k = stem, 2
        while name in self._entries:
            name, k = f"{stem}-{k}", k + 1
        return name

    def _add(self, name: str, source: str, net: Any) -> None:
        shape = net.input_shape
        if shape is None or int(np.prod(shape)) != _MNIST:
            raise ValueError(
                f"--model {source}: expected a model of MNIST images (784 inputs), "
                f"got input shape {shape}"
            )
        self._entries[name] = _Entry(name, source, net)

    def names(self) -> list[str]:
        return list(self._entries)

    def describe(self) -> list[dict[str, Any]]:
        """Name, source and layer list of every model, for the page's model menu."""
        return [
            {
                "name": e.name,
                "source": e.source,
                "layers": [repr(layer) for layer in e.net.layers],
                "params": e.net.num_params(),
            }
            for e in self._entries.values()
        ]

    def get(self, name: Any) -> _Entry:
        if not isinstance(name, str) or name not in self._entries:
            known = ", ".join(repr(n) for n in self._entries)
            raise NotFound(f"model: expected one of {known}, got {name!r}")
        return self._entries[name]

    def predict(self, name: Any, x: np.ndarray) -> dict[str, Any]:
        """Probabilities and hidden activations of model ``name`` for one input ``x`` (784,)."""
        entry = self.get(name)
        with entry.lock:
            return _look_inside(entry.net, x)


def digit_input(png: bytes) -> np.ndarray:
    """The MNIST input (784,) float32 of a drawing sent as image bytes.

    Raises ValueError for bytes that are no image, a picture larger than
    :data:`MAX_PIXELS` (read from its header, before decoding) or one
    holding no ink.
    """
    return load_digit(io.BytesIO(png), max_pixels=MAX_PIXELS)


def _hidden_indices(layers: tuple[Any, ...]) -> list[int]:
    """Layers whose output a later weight layer reads: the hidden layers' activations.

    A Flatten in between is looked through, so a convolutional model shows
    its feature maps (C, H, W) rather than their flattened copy.
    """
    shown = []
    for i in range(len(layers) - 1):
        nxt = layers[i + 1]
        if nxt.params:
            j = i - 1 if isinstance(layers[i], nn.Flatten) else i
            if j >= 0:
                shown.append(j)
    return shown


def _look_inside(net: Any, x: np.ndarray) -> dict[str, Any]:
    """One forward pass, layer by layer (the ``Layer.forward`` contract), keeping hidden outputs."""
    shape = net.input_shape
    a = np.asarray(x, dtype=net.dtype).reshape((1, *shape))
    outputs = []
    for layer in net.layers:
        a = layer.forward(a, False)
        outputs.append(a[0].copy())  # the layer's buffer is overwritten by the next call
    proba = net.head.predict(a)[0]  # the output activation of the last layer's output
    hidden = []
    for i in _hidden_indices(net.layers):
        v = outputs[i]
        hidden.append(
            {
                "index": i,
                "layer": repr(net.layers[i]),
                "shape": list(v.shape),
                "values": np.round(v.astype(np.float64), 4).ravel().tolist(),
            }
        )
    return {
        "digit": int(np.argmax(proba)),
        "probabilities": np.round(proba.astype(np.float64), 5).tolist(),
        "hidden": hidden,
    }

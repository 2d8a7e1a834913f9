"""Layers with forward and backward passes: Dense, Activation, PReLU, Maxout, Dropout, ...

One module per family, each layer only its math (``nnscratch.functional``);
the bookkeeping (buffers, casts, checks, shared layers, freezing) is in
:mod:`nnscratch.layers.base`:

- ``base``: :class:`Layer` and the registry;
- ``dense``: :class:`Dense` (the book's ``Affine``);
- ``elementwise``: :class:`Activation`, :class:`PReLU`, :class:`Dropout`;
- ``normalization``: :class:`BatchNorm`;
- ``maxout``: :class:`Maxout`;
- ``reshape``: :class:`Flatten`;
- ``heads``: the loss heads :class:`LossHead`, :class:`SoftmaxWithLoss`,
  :class:`SigmoidWithLoss`.

Reference: Saitoh, "Deep Learning from Scratch", chapter 5 (``Affine``,
``Relu``, ``SoftmaxWithLoss``) and 6.3-6.4 (``BatchNormalization``,
``Dropout``). The formulas of every backward pass are in ``docs/backprop.md``.
"""

from __future__ import annotations

from typing import Any

from nnscratch.layers.base import REGISTRY, Layer
from nnscratch.layers.conv import AvgPool2D, Conv2D, GlobalAvgPool2D, MaxPool2D, Reshape
from nnscratch.layers.dense import Dense
from nnscratch.layers.elementwise import Activation, Dropout, PReLU
from nnscratch.layers.heads import LossHead, SigmoidWithLoss, SoftmaxWithLoss
from nnscratch.layers.maxout import Maxout
from nnscratch.layers.normalization import BatchNorm
from nnscratch.layers.reshape import Flatten

__all__ = [
    "Activation",
    "AvgPool2D",
    "BatchNorm",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2D",
    "Layer",
    "LossHead",
    "MaxPool2D",
    "Maxout",
    "PReLU",
    "Reshape",
    "SigmoidWithLoss",
    "SoftmaxWithLoss",
    "deserialize",
    "get",
    "names",
    "serialize",
]


def names() -> list[str]:
    """Registered layer class names."""
    return REGISTRY.names()


def serialize(layer: Layer) -> dict[str, Any]:
    """``{"class_name": "Dense", "config": {...}}``, JSON-able."""
    return REGISTRY.serialize(layer)


def deserialize(identifier: dict[str, Any] | str) -> Layer:
    """Rebuild a layer from :func:`serialize`'s dict (or a class name, default arguments)."""
    if isinstance(identifier, str):  # so that missing arguments read as a bad config
        identifier = {"class_name": identifier, "config": {}}
    return REGISTRY.deserialize(identifier)


def get(identifier: Layer | dict[str, Any] | str) -> Layer:
    """A Layer as is, a serialized dict, a class name, or an activation name ("relu")."""
    if isinstance(identifier, Layer):
        return identifier
    if isinstance(identifier, str) and identifier.strip().lower() not in map(str.lower, names()):
        try:
            return Activation(identifier)
        except (ValueError, TypeError):
            raise ValueError(
                f"layer: {identifier!r} is neither a layer class ({names()}) nor an activation name"
            ) from None
    return deserialize(identifier)

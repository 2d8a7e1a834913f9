"""Convolutional networks for MNIST, built as ``nn.Sequential``.

* :func:`simple_convnet`: the book's ``SimpleConvNet`` (section 7.5): conv
  30 filters 5x5 - ReLU - 2x2 max pool - Dense 100 - ReLU - Dense 10.
  Trained as the book trains it (its 0.01 N(0, 1) initial weights, Adam lr
  0.001, batches of 100, 20 epochs) it reached 98.83% test accuracy (the
  book: about 98.9%; ``benchmarks/book_convnets.py``, docs/cnn.md).
* :func:`deep_convnet`: the book's chapter-8 network (section 8.1): six 3x3
  convolutions 16-16-32-32-64-64 with a 2x2 max pool after each pair, Dense
  50 - ReLU - Dropout 0.5 - Dense 10 - Dropout 0.5; trained as the book
  trains it, 99.15% after 20 epochs, 98.96% to 99.51% from epoch 12 on
  (the book: about 99.4%).
* :func:`small_convnet`: the default of ``nnscratch train --model cnn``,
  a 5x5 and a 3x3 convolution and a hidden Dense layer (LeNet's shape;
  LeCun et al., 1998), small enough to train to 99% on two cores in about a
  minute.

Every network takes flat MNIST rows (N, 784) (the first layer is
``Reshape((1, 28, 28))``), so the same data, ``evaluate`` and ``predict``
serve MLPs and convolutional networks alike.
"""

from __future__ import annotations

from typing import Any

from nnscratch.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPool2D, Reshape
from nnscratch.network import Sequential

__all__ = ["deep_convnet", "simple_convnet", "small_convnet"]


def simple_convnet(
    filters: int = 30,
    kernel_size: int = 5,
    hidden: int = 100,
    *,
    input_shape: tuple[int, int, int] = (1, 28, 28),
    classes: int = 10,
    seed: int | None = None,
    dtype: Any = "float32",
    loss: Any = "softmax_cross_entropy",
) -> Sequential:
    """The book's SimpleConvNet: conv - ReLU - pool - Dense - ReLU - Dense.

    Shapes for MNIST: (N, 784) -> (N, 1, 28, 28) -> conv (N, 30, 24, 24) ->
    pool (N, 30, 12, 12) -> flatten (N, 4320) -> (N, 100) -> (N, 10).
    """
    c, h, w = input_shape
    oh, ow = (h - kernel_size + 1) // 2, (w - kernel_size + 1) // 2
    layers = [
        Reshape(input_shape),
        Conv2D(c, filters, kernel_size),
        Activation("relu"),
        MaxPool2D(2),
        Flatten(),
        Dense(filters * oh * ow, hidden),
        Activation("relu"),
        Dense(hidden, classes),
    ]
    return Sequential(layers, loss=loss, seed=seed, dtype=dtype)


def deep_convnet(
    *,
    hidden: int = 50,
    dropout: float = 0.5,
    classes: int = 10,
    seed: int | None = None,
    dtype: Any = "float32",
    loss: Any = "softmax_cross_entropy",
) -> Sequential:
    """The book's DeepConvNet (figure 8-1) for (N, 784) MNIST rows.

    conv3x3-16, conv3x3-16, pool, conv3x3-32, conv3x3-32 (pad 2), pool,
    conv3x3-64, conv3x3-64, pool, Dense 50, Dropout, Dense 10, Dropout; ReLU
    after every conv and the hidden Dense, all convolutions padded by 1 but the
    fourth (2), as in the book's code, so the shapes run
    28 -> 28 -> 28 -> 14 -> 14 -> 16 -> 8 -> 8 -> 8 -> 4.
    """
    spec = [(1, 16, 1), (16, 16, 1), None, (16, 32, 1), (32, 32, 2), None,
            (32, 64, 1), (64, 64, 1), None]  # fmt: skip
    layers: list[Any] = [Reshape((1, 28, 28))]
    for item in spec:
        if item is None:
            layers.append(MaxPool2D(2))
        else:
            c_in, c_out, pad = item
            layers += [Conv2D(c_in, c_out, 3, padding=pad), Activation("relu")]
    layers += [
        Flatten(),
        Dense(64 * 4 * 4, hidden),
        Activation("relu"),
        Dropout(dropout),
        Dense(hidden, classes),
        Dropout(dropout),
    ]
    return Sequential(layers, loss=loss, seed=seed, dtype=dtype)


def small_convnet(
    filters: tuple[int, int] = (16, 32),
    hidden: int = 128,
    *,
    kernel_sizes: tuple[int, int] = (5, 3),
    classes: int = 10,
    seed: int | None = None,
    dtype: Any = "float32",
    loss: Any = "softmax_cross_entropy",
) -> Sequential:
    """Two convolutions, each with 2x2 max pooling and ReLU, then Dense layers.

    Pooling comes before ReLU: ``relu(max(x)) = max(relu(x))`` (ReLU keeps the
    order), so the network computes what conv - ReLU - pool computes, with a
    quarter of the ReLU work.

    Shapes with the defaults (kernels 5 and 3): (N, 784) -> (N, 1, 28, 28) ->
    conv (N, F1, 24, 24) -> pool (N, F1, 12, 12) -> conv (N, F2, 10, 10) ->
    pool (N, F2, 5, 5) -> flatten (N, 25 F2) -> [Dense ``hidden`` - ReLU]
    -> (N, 10). ``hidden=0`` goes straight to the outputs.
    """
    (f1, f2), (k1, k2) = filters, kernel_sizes
    side = ((28 - k1 + 1) // 2 - k2 + 1) // 2
    if side < 1:
        raise ValueError(
            f"kernel_sizes: expected kernels that fit a 28x28 image, got {kernel_sizes}"
        )
    layers: list[Any] = [
        Reshape((1, 28, 28)),
        Conv2D(1, f1, k1),
        MaxPool2D(2),
        Activation("relu"),
        Conv2D(f1, f2, k2),
        MaxPool2D(2),
        Activation("relu"),
        Flatten(),
    ]
    width = f2 * side * side
    if hidden:
        layers += [Dense(width, hidden), Activation("relu")]
        width = hidden
    layers.append(Dense(width, classes))
    return Sequential(layers, loss=loss, seed=seed, dtype=dtype)

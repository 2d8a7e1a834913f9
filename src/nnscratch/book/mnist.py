"""The book's ``dataset/mnist.py``: ``load_mnist`` with the book's signature and dtypes.

The data come from ``nnscratch.datasets.load_mnist`` (a verified cache, a
local folder of the IDX files or a download); only the one-hot labels are
cast, to the float64 of the book's ``np.zeros``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from nnscratch import datasets

__all__ = [
    "download_mnist",
    "img_dim",
    "img_size",
    "init_mnist",
    "key_file",
    "load_mnist",
    "test_num",
    "train_num",
]

key_file = {
    "train_img": "train-images-idx3-ubyte.gz",
    "train_label": "train-labels-idx1-ubyte.gz",
    "test_img": "t10k-images-idx3-ubyte.gz",
    "test_label": "t10k-labels-idx1-ubyte.gz",
}
train_num = 60000
test_num = 10000
img_dim = (1, 28, 28)
img_size = 784

Split = tuple[np.ndarray, np.ndarray]


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    **options: Any,
) -> tuple[Split, Split]:
    """``((x_train, t_train), (x_test, t_test))`` as the book's ``load_mnist`` (3.6.1).

    Images: float32 ``pixel / 255`` when ``normalize``, else uint8 0..255;
    (N, 784) when ``flatten``, else (N, 1, 28, 28). Labels: uint8 (N,), or
    float64 one-hot rows (N, 10) when ``one_hot_label``. N is 60,000 and
    10,000. ``options`` go to :func:`nnscratch.datasets.load_mnist`, which
    does the work (``data_dir``, ``verbose``).
    """
    (x_train, t_train), (x_test, t_test) = datasets.load_mnist(
        normalize, flatten, one_hot_label, **options
    )
    if one_hot_label:
        t_train, t_test = t_train.astype(np.float64), t_test.astype(np.float64)
    return (x_train, t_train), (x_test, t_test)


def download_mnist(data_dir: str | os.PathLike[str] | None = None) -> None:
    """Make sure MNIST is in the library's cache, fetching it if needed (the book downloads)."""
    datasets.fetch_mnist(data_dir)


def init_mnist(data_dir: str | os.PathLike[str] | None = None) -> None:
    """The book's ``init_mnist``: obtain MNIST once, so that ``load_mnist`` is fast after.

    The book writes ``mnist.pkl`` beside its script; the library caches the
    verified arrays as ``.npz`` (``datasets.mnist_cache_path()``) instead.
    """
    datasets.fetch_mnist(data_dir)

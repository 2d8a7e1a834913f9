"""Models on disk: safetensors files with the architecture as JSON, and the book's weights.

A model file is a plain safetensors file (Hugging Face's format: an 8-byte
little-endian header length, a JSON header naming every tensor's dtype, shape
and byte range, then the raw bytes). Nothing in it can run code. The arrays are
the network's parameters under the names of ``Sequential.parameters()``
(``"0.W"``, ``"0.b"``, ``"2.W"`` ...) and its non-trainable buffers
(``Sequential.buffers()``: ``"3.running_mean"`` ...); the header's
``__metadata__`` holds

* ``"nnscratch.format"``: the format version (``"1"``),
* ``"nnscratch.config"``: ``net.get_config()`` as JSON (layers, activation
  configs, loss, dtype),
* ``"nnscratch.sha256"``: a checksum of the config and every array (see
  :func:`tensors_sha256`), verified by ``load``,
* any string pairs the caller passed as ``metadata``.

Reading is defensive (docs/security.md): sizes a file declares are checked
against the file before memory is spent on them, JSON nesting is bounded,
damaged bytes fail the checksum, non-finite weights are refused, and every
problem is a :class:`ModelFileError` naming the file.

``load`` also reads the pickle the book publishes with chapter 3
(``sample_weight.pkl``) through a restricted unpickler that rebuilds only
dicts and NumPy arrays, and turns it into the same network as the book's
``predict``.

Pieces: :mod:`~nnscratch.io.format` (keys, limits, errors, checksum),
:mod:`~nnscratch.io.writer` (``save``), :mod:`~nnscratch.io.reader` (the
defensive reader), :mod:`~nnscratch.io.book` (the book's pickle).

Reference: safetensors format, https://github.com/huggingface/safetensors;
Saitoh, "Deep Learning from Scratch", section 3.6.
"""

from __future__ import annotations

import os
from pathlib import Path

from nnscratch.io.book import _load_book_pickle, from_book_weights, read_book_weights
from nnscratch.io.format import (
    BOOK_WEIGHT_SHAPES,
    FORMAT_KEY,
    FORMAT_VERSION,
    MAX_JSON_DEPTH,
    ModelFileError,
    UnverifiedModelWarning,
    _non_finite,
    tensors_sha256,
)
from nnscratch.io.reader import (
    _assign_parameters,
    _check_declared_sizes,
    _is_pickle,
    _model_config,
    _read_file,
    _read_header,
    _read_tensors,
    _verify_checksum,
)
from nnscratch.io.writer import save
from nnscratch.network import Sequential

__all__ = [
    "BOOK_WEIGHT_SHAPES",
    "FORMAT_KEY",
    "FORMAT_VERSION",
    "MAX_JSON_DEPTH",
    "ModelFileError",
    "UnverifiedModelWarning",
    "bundled_models",
    "from_book_weights",
    "load",
    "read_book_weights",
    "read_metadata",
    "save",
    "tensors_sha256",
]


# --------------------------------------------------------------------------- load


def bundled_models() -> list[str]:
    """Names of the models shipped inside the package, for ``load(name)``.

    ``"sample"``: the book's chapter-3 shape (784-50-100-10, sigmoid) trained
    by nnscratch (``scripts/train_sample_model.py``); 97% on the MNIST test
    set, where the book's published weights reach 93.52%. ``"cnn"``: the
    default recipe of ``nnscratch train --model cnn``, seed 0
    (``scripts/train_cnn_model.py``); 99.25% on the test set, 439 KB.
    """
    return sorted(p.stem for p in _MODELS_DIR.glob("*.safetensors"))


_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def _resolve(path: str | os.PathLike[str]) -> Path:
    """A bundled model's file for a bare name such as ``"sample"``, else ``path`` itself."""
    if isinstance(path, str) and not Path(path).exists() and path in bundled_models():
        return _MODELS_DIR / f"{path}.safetensors"
    return Path(path)


def load(path: str | os.PathLike[str]) -> Sequential:
    """Read a network from ``path``: an nnscratch safetensors file or the book's pickle.

    A bare name from :func:`bundled_models` (``"sample"``) loads the model
    shipped with the package, unless a file of that name exists.

    The kind of file is decided by its content: a valid safetensors layout
    (a header length that fits the file, then ``{``) is read as a model
    written by ``save``, whatever the file's name. Otherwise a
    ``.pkl``/``.pickle`` file, or one that starts like a pickle of protocol
    2 to 5 (``0x80`` then the protocol number), is read as the book's
    ``sample_weight.pkl`` (see ``from_book_weights``) by a restricted
    unpickler that refuses every global but NumPy's array rebuilders.
    Anything else must be a file written by ``save``. Raises
    ``ModelFileError`` (a ``ValueError``) naming the file and the problem
    when the file is truncated, corrupt, of another program, or disagrees
    with its own architecture.
    """
    path = _resolve(path)
    data = _read_file(path)
    if _is_pickle(path, data):
        return _load_book_pickle(path, data)
    metadata, table = _read_header(path, data)
    config = _model_config(path, metadata)
    _check_declared_sizes(path, config, table)
    tensors = _read_tensors(path, data)
    bad = _non_finite(tensors)
    if bad:
        raise ModelFileError(path, f"{bad}; refusing a model with NaN or infinite weights")
    try:
        net = Sequential.from_config(config)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
        raise ModelFileError(path, f"cannot rebuild the architecture it describes: {err}") from err
    except (MemoryError, RecursionError) as err:
        raise ModelFileError(
            path, f"cannot rebuild the architecture it describes: {type(err).__name__}"
        ) from None
    _assign_parameters(path, net, tensors)
    _verify_checksum(path, metadata, tensors)
    return net


def read_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """Return the string metadata of a safetensors file (``save``'s and the caller's)."""
    data = _read_file(Path(path))
    metadata, _ = _read_header(path, data)
    return metadata

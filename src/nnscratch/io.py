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

Reference: safetensors format, https://github.com/huggingface/safetensors;
Saitoh, "Deep Learning from Scratch", section 3.6.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import safetensors
import safetensors.numpy

from nnscratch._atomic import atomic_write_bytes
from nnscratch._safepickle import safe_load
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential

__all__ = [
    "BOOK_WEIGHT_SHAPES",
    "FORMAT_KEY",
    "FORMAT_VERSION",
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

FORMAT_KEY = "nnscratch.format"
FORMAT_VERSION = "1"
_CONFIG_KEY = "nnscratch.config"
_SHA256_KEY = "nnscratch.sha256"
#: Deepest nesting of lists and objects accepted in a file's JSON (configs nest 4 deep).
MAX_JSON_DEPTH = 32
#: Before a layer is built, the product of the sizes its config declares must
#: not exceed this many times the numbers its arrays in the file hold, plus
#: _SIZE_SLACK (layers without arrays: pools, dropout). Dense(784, 100) declares
#: 784 * 100 and stores 784 * 100 + 100 numbers.
_SIZE_FACTOR = 16
_SIZE_SLACK = 1 << 16
_RESERVED_PREFIX = "nnscratch."
_PICKLE_SUFFIXES = (".pkl", ".pickle")
_PICKLE_MAGIC = 0x80  # opcode PROTO, the first byte of every pickle of protocol >= 2
_PICKLE_PROTOCOLS = range(2, 6)  # the protocol number that follows PROTO

#: The arrays of the book's ``sample_weight.pkl`` and their shapes.
BOOK_WEIGHT_SHAPES: dict[str, tuple[int, ...]] = {
    "W1": (784, 50),
    "b1": (50,),
    "W2": (50, 100),
    "b2": (100,),
    "W3": (100, 10),
    "b3": (10,),
}


class ModelFileError(ValueError):
    """A model file that cannot be read: truncated, corrupt, or not a model.

    ``path`` is the file; the message names it and says what is wrong.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnverifiedModelWarning(UserWarning):
    """A model file without the checksum that ``save`` writes (made by an older nnscratch)."""


# --------------------------------------------------------------------------- save


def save(
    net: Sequential,
    path: str | os.PathLike[str],
    *,
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write ``net`` to ``path`` as a safetensors file and return the path.

    The file holds every parameter and buffer array (names as
    ``net.parameters()`` and ``net.buffers()``) and,
    in the header, the architecture ``net.get_config()`` as JSON plus the
    format version. ``metadata`` adds string pairs of the caller's (keys must
    not start with ``"nnscratch."``). The write is atomic: a failure leaves an
    existing file at ``path`` untouched.
    """
    if not (hasattr(net, "get_config") and hasattr(net, "parameters")):
        raise TypeError(f"net: expected a Sequential network, got {type(net).__name__}")
    header = _user_metadata(metadata)
    header[FORMAT_KEY] = FORMAT_VERSION
    header[_CONFIG_KEY] = _config_json(net.get_config())
    arrays = {**net.parameters(), **_buffers(net)}
    tensors = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    bad = _non_finite(tensors)
    if bad:
        raise ValueError(f"net: {bad}; a network with NaN or infinite weights is not saved")
    header[_SHA256_KEY] = tensors_sha256(header[_CONFIG_KEY], tensors)
    data = safetensors.numpy.save(tensors, metadata=header)
    return atomic_write_bytes(path, data)


def tensors_sha256(config_json: str, tensors: Mapping[str, np.ndarray]) -> str:
    """The checksum ``save`` stores: sha256 of the config and every array, in name order.

    For each array: its name, NumPy dtype string (little-endian), shape, and
    its bytes in C order. A flipped bit in the data, a changed shape, a
    renamed array or an edited config all change it.
    """
    digest = hashlib.sha256(config_json.encode("utf-8"))
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        digest.update(f"\0{name}\0{little.dtype.str}\0{list(little.shape)}\0".encode())
        digest.update(little.data)
    return digest.hexdigest()


def _non_finite(tensors: Mapping[str, np.ndarray]) -> str | None:
    """A sentence naming the first array with NaN or infinite values, else None."""
    for name, array in tensors.items():
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            count = int(array.size - np.count_nonzero(np.isfinite(array)))
            return f"array {name!r} holds {count} NaN or infinite value" + "s" * (count != 1)
    return None


def _buffers(net: Sequential) -> dict[str, np.ndarray]:
    """Non-trainable state saved with the model (BatchNorm's running statistics)."""
    return dict(net.buffers())


def _user_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise TypeError(
            f"metadata: expected a mapping of str to str, got {type(metadata).__name__}"
        )
    out: dict[str, str] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(
                f"metadata: expected str keys and values, got {key!r}: {type(value).__name__}"
            )
        if key.startswith(_RESERVED_PREFIX):
            raise ValueError(
                f"metadata: keys starting with {_RESERVED_PREFIX!r} are reserved, got {key!r}"
            )
        out[key] = value
    return out


def _config_json(config: Mapping[str, Any]) -> str:
    try:
        return json.dumps(config, sort_keys=True, allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as err:
        raise TypeError(f"net: get_config() is not JSON-serialisable: {err}") from err


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.dtype):
        return obj.name
    raise TypeError(f"{type(obj).__name__} {obj!r}")


# --------------------------------------------------------------------------- load


def bundled_models() -> list[str]:
    """Names of the models shipped inside the package, for ``load(name)``.

    ``"sample"``: the book's chapter-3 shape (784-50-100-10, sigmoid) trained
    by nnscratch (``scripts/train_sample_model.py``); 97% on the MNIST test
    set, where the book's published weights reach 93.52%. ``"cnn"``: the
    default recipe of ``nnscratch train --model cnn``, seed 0
    (``scripts/train_cnn_model.py``); 99.12% on the test set, 76 KB.
    """
    return sorted(p.stem for p in _MODELS_DIR.glob("*.safetensors"))


_MODELS_DIR = Path(__file__).resolve().parent / "models"


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


def _read_file(path: Path) -> bytes:
    """The bytes of a regular file; FIFOs, devices and folders are refused before reading.

    ``FileNotFoundError`` and ``PermissionError`` pass through (they name the file).
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        kind = _file_kind(mode)
        raise ModelFileError(path, f"expected a model file, got {kind}")
    try:
        return path.read_bytes()
    except MemoryError:
        size = os.stat(path).st_size
        raise ModelFileError(path, f"too large to read into memory ({size:,} bytes)") from None


def _file_kind(mode: int) -> str:
    """'a folder', 'a FIFO (named pipe)', ... for a file mode that is not a regular file."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something that is not a regular file"


def _json_loads(path: str | os.PathLike[str], text: str | bytes, what: str) -> Any:
    """json.loads with a bounded nesting depth; every failure is a ModelFileError."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ModelFileError(path, f"{what}: nests deeper than {MAX_JSON_DEPTH} levels") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelFileError(path, f"{what}: not valid JSON: {err}") from err
    if _json_depth(value) > MAX_JSON_DEPTH:
        raise ModelFileError(path, f"{what}: nests deeper than {MAX_JSON_DEPTH} levels")
    return value


def _json_depth(value: Any) -> int:
    """Nesting depth of lists and dicts (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _check_declared_sizes(path: str | os.PathLike[str], config: dict, table: dict) -> None:
    """Refuse a config whose layers would allocate far more than the file's arrays hold.

    Runs before anything is built: a 1 MB file whose config says
    ``out_features: 200000`` is refused here, not after gigabytes are spent.
    The header's shapes are checked too (non-negative Python integers).
    """
    held: dict[int, int] = {}  # layer index -> numbers its arrays in the file hold
    for name, info in table.items():
        shape = info.get("shape") if isinstance(info, dict) else None
        if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
        ):
            raise ModelFileError(path, f"corrupt safetensors header: array {name!r} has no shape")
        index = name.split(".", 1)[0]
        if index.isdigit():
            held[int(index)] = held.get(int(index), 0) + math.prod(shape)
    layers = config["layers"]
    if not isinstance(layers, list):
        raise ModelFileError(path, f"the {_CONFIG_KEY!r} metadata has no 'layers' list")
    for i, layer in enumerate(layers):
        sizes = [n for n in _declared_ints(layer) if n > 1]
        numbers = held.get(i, 0)
        if math.prod(sizes) > _SIZE_FACTOR * numbers + _SIZE_SLACK:
            kind = layer.get("class_name", "?") if isinstance(layer, dict) else "?"
            raise ModelFileError(
                path,
                f"layer {i} ({kind}) declares sizes {sizes} but the file holds "
                f"{numbers:,} numbers for it; refusing to build it",
            )


def _declared_ints(value: Any) -> Iterator[int]:
    """Every integer in a layer's config except seeds (which are not sizes)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(v for k, v in item.items() if k != "seed")
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            yield item


def _verify_checksum(
    path: str | os.PathLike[str], metadata: Mapping[str, str], tensors: Mapping[str, np.ndarray]
) -> None:
    stored = metadata.get(_SHA256_KEY)
    if stored is None:
        warnings.warn(
            f"{os.fspath(path)}: no checksum (written by an older nnscratch); "
            "its arrays cannot be verified",
            UnverifiedModelWarning,
            stacklevel=3,
        )
        return
    if tensors_sha256(metadata[_CONFIG_KEY], tensors) != stored:
        raise ModelFileError(
            path,
            "damaged: its arrays do not match the checksum stored when it was saved "
            "(flipped bytes on disk or in transfer?)",
        )


def _is_pickle(path: str | os.PathLike[str], data: bytes) -> bool:
    """Decide by content whether ``data`` is a pickle rather than a safetensors file.

    Byte 0 alone cannot tell: in safetensors it is the low byte of the
    little-endian header length, which is ``0x80`` for about one file in 32
    that ``save`` writes (the header is padded to a multiple of 8 bytes). A file whose length field
    fits in the file and whose header starts with ``{`` is safetensors,
    whatever its name. Otherwise it is a pickle when named ``.pkl``/``.pickle``
    or when it starts like one: ``PROTO`` (``0x80``), a protocol 2..5, then an
    opcode (never ``0x00``, which is the third byte of the length field of a
    safetensors header under 64 KiB). Anything else is left to the safetensors
    reader, whose errors say what is wrong.
    """
    if _looks_like_safetensors(data):
        return False
    if Path(path).suffix.lower() in _PICKLE_SUFFIXES:
        return True
    return (
        len(data) >= 3
        and data[0] == _PICKLE_MAGIC
        and data[1] in _PICKLE_PROTOCOLS
        and data[2] != 0
        and not _header_fits(data)
    )


def _header_fits(data: bytes) -> bool:
    """True when the 8-byte header length of a safetensors file fits inside ``data``."""
    return len(data) >= 8 and 8 + int.from_bytes(data[:8], "little") <= len(data)


def _looks_like_safetensors(data: bytes) -> bool:
    """A length field that fits the file, followed by a JSON object's ``{``."""
    return _header_fits(data) and data[8:9] == b"{"


def _read_header(path: str | os.PathLike[str], data: bytes) -> tuple[dict[str, str], dict]:
    """Parse the safetensors header: (metadata, tensor table), with clear errors."""
    if len(data) < 8:
        raise ModelFileError(path, f"too short for a safetensors file ({len(data)} bytes)")
    size = int.from_bytes(data[:8], "little")
    if 8 + size > len(data):
        raise ModelFileError(
            path,
            f"truncated or not a safetensors file: the header claims {size} bytes, "
            f"the file has {len(data) - 8} after the length field",
        )
    header = _json_loads(path, data[8 : 8 + size], "corrupt safetensors header")
    if not isinstance(header, dict):
        raise ModelFileError(path, "corrupt safetensors header: not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ModelFileError(path, "corrupt safetensors header: __metadata__ is not strings")
    return metadata, header


def _model_config(path: str | os.PathLike[str], metadata: Mapping[str, str]) -> dict:
    version = metadata.get(FORMAT_KEY)
    if version is None:
        raise ModelFileError(
            path,
            f"not an nnscratch model: a safetensors file without the {FORMAT_KEY!r} "
            "metadata that describes the architecture (was it written by nnscratch.save?)",
        )
    if version != FORMAT_VERSION:
        raise ModelFileError(
            path,
            f"format version {version!r} is not supported "
            f"(this nnscratch reads {FORMAT_VERSION!r})",
        )
    if _CONFIG_KEY not in metadata:
        raise ModelFileError(path, f"the {_CONFIG_KEY!r} metadata is missing")
    config = _json_loads(path, metadata[_CONFIG_KEY], f"the {_CONFIG_KEY!r} metadata")
    if not isinstance(config, dict) or "layers" not in config:
        raise ModelFileError(path, f"the {_CONFIG_KEY!r} metadata has no 'layers' list")
    return config


def _read_tensors(path: str | os.PathLike[str], data: bytes) -> dict[str, np.ndarray]:
    try:
        return safetensors.numpy.load(data)
    except (safetensors.SafetensorError, ValueError, TypeError) as err:
        raise ModelFileError(path, f"corrupt tensor data: {err}") from err
    except MemoryError:
        raise ModelFileError(path, "corrupt tensor data: too large to read into memory") from None


def _assign_parameters(
    path: str | os.PathLike[str], net: Sequential, tensors: Mapping[str, np.ndarray]
) -> None:
    """Copy ``tensors`` into the live parameters and buffers of ``net``, checking everything."""
    params = {**net.parameters(), **_buffers(net)}
    missing = sorted(set(params) - set(tensors))
    extra = sorted(set(tensors) - set(params))
    if missing or extra:
        raise ModelFileError(
            path,
            f"its arrays do not match its architecture: missing {missing}, unexpected {extra}",
        )
    for name, live in params.items():
        stored = tensors[name]
        if stored.shape != live.shape or stored.dtype != live.dtype:
            raise ModelFileError(
                path,
                f"array {name!r} is {stored.dtype}{list(stored.shape)} but the architecture "
                f"expects {live.dtype}{list(live.shape)}",
            )
        live[...] = stored


# --------------------------------------------------------------------------- the book


def read_book_weights(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read the book's ``sample_weight.pkl`` as a dict ``{"W1": (784, 50), ..., "b3": (10,)}``.

    The restricted unpickler rebuilds only dicts and numeric NumPy arrays; any
    other global the file names (``os.system``, ``builtins.eval``...) is refused
    before it is imported, and nothing in the file runs. Raises
    ``ModelFileError`` naming the file and the refused global, missing key or
    wrong shape.
    """
    return _book_weights(path, _read_file(Path(path)))


def _book_weights(path: str | os.PathLike[str], data: bytes) -> dict[str, np.ndarray]:
    try:
        weights = safe_load(data)
    except Exception as err:  # UnsafePickleError, truncated streams, garbage
        reason = str(err) or type(err).__name__
        raise ModelFileError(path, f"cannot read it as the book's weight pickle: {reason}") from err
    problem = _book_weights_problem(weights)
    if problem:
        raise ModelFileError(path, problem)
    return weights


def _load_book_pickle(path: str | os.PathLike[str], data: bytes) -> Sequential:
    return from_book_weights(_book_weights(path, data))


def _book_weights_problem(weights: object) -> str | None:
    if not isinstance(weights, dict):
        return (
            f"expected a dict of arrays {sorted(BOOK_WEIGHT_SHAPES)}, got {type(weights).__name__}"
        )
    if set(weights) != set(BOOK_WEIGHT_SHAPES):
        return f"expected the keys {sorted(BOOK_WEIGHT_SHAPES)}, got {sorted(map(str, weights))}"
    for key, shape in BOOK_WEIGHT_SHAPES.items():
        value = weights[key]
        if not isinstance(value, np.ndarray) or value.shape != shape:
            got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            return f"{key}: expected an array of shape {shape}, got {got}"
        if value.dtype.kind != "f":
            return f"{key}: expected a floating-point array, got dtype {value.dtype}"
    bad = _non_finite(weights)
    if bad:
        return f"{bad}; refusing NaN or infinite weights"
    return None


def from_book_weights(
    weights: Mapping[str, np.ndarray], *, loss: str = "softmax_cross_entropy"
) -> Sequential:
    """Build the book's sigmoid network from a dict ``{"W1", "b1", ..., "Wk", "bk"}``.

    The layers are ``Dense(W1, b1), sigmoid, Dense(W2, b2), sigmoid, ...,
    Dense(Wk, bk)``: the book's ``predict(network, x)`` of section 3.4.3 and
    3.6.2. With the default loss, ``predict`` returns the logits ``a_k`` and
    ``predict_proba`` the book's ``softmax(a_k)``; with
    ``loss="mean_squared_error"`` the output function is the identity, as the
    book's toy network. The arrays are copied, in the dtype of ``W1`` (the
    book's are float32); shapes must chain: ``W_i`` is (n_i, n_{i+1}), ``b_i``
    is (n_{i+1},).
    """
    depth = _book_depth(weights)
    dtype = np.result_type(*(np.asarray(weights[k]).dtype for k in weights))
    if dtype.kind != "f":
        raise ValueError(f"weights: expected floating-point arrays, got dtype {dtype}")
    layers: list = []
    previous = None
    for i in range(1, depth + 1):
        w = np.asarray(weights[f"W{i}"])
        b = np.asarray(weights[f"b{i}"])
        if w.ndim != 2 or b.shape != (w.shape[1],):
            raise ValueError(
                f"weights: W{i} must be 2-D (n_in, n_out) and b{i} of shape (n_out,), "
                f"got W{i} {w.shape} and b{i} {b.shape}"
            )
        if previous is not None and w.shape[0] != previous:
            raise ValueError(
                f"weights: W{i} has {w.shape[0]} rows but W{i - 1} has {previous} columns"
            )
        previous = w.shape[1]
        # from_weights copies without drawing random numbers; seed=None below keeps them.
        layers.append(Dense.from_weights(w, b, dtype=dtype))
        layers.append(Activation("sigmoid"))
    layers.pop()  # the book applies its output function (softmax / identity) after a_k
    net = Sequential(layers, loss=loss, dtype=dtype.name)
    return net


def _book_depth(weights: Mapping[str, np.ndarray]) -> int:
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights: expected a dict of arrays, got {type(weights).__name__}")
    depth = sum(1 for k in weights if isinstance(k, str) and k.startswith("W"))
    expected = {f"{p}{i}" for i in range(1, depth + 1) for p in "Wb"}
    if depth == 0 or set(weights) != expected:
        raise ValueError(
            f"weights: expected the keys W1, b1, ..., Wk, bk, got {sorted(map(str, weights))}"
        )
    return depth

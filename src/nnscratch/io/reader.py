"""Reading a model file defensively: sizes, JSON depth, header, checksum, then the arrays.

Every problem is a :class:`~nnscratch.io.format.ModelFileError` naming the file
(docs/security.md).
"""

from __future__ import annotations

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

from nnscratch.io.format import (
    _CONFIG_KEY,
    _PICKLE_MAGIC,
    _PICKLE_PROTOCOLS,
    _PICKLE_SUFFIXES,
    _SHA256_KEY,
    _SIZE_FACTOR,
    _SIZE_SLACK,
    FORMAT_KEY,
    FORMAT_VERSION,
    MAX_JSON_DEPTH,
    ModelFileError,
    UnverifiedModelWarning,
    _buffers,
    tensors_sha256,
)
from nnscratch.network import Sequential


def _read_file(path: Path) -> bytes:
    """The bytes of a regular file; FIFOs, devices and folders are refused before reading.

    ``FileNotFoundError`` and ``PermissionError`` pass through (they name the file).
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        kind = file_kind(mode)
        raise ModelFileError(path, f"expected a model file, got {kind}")
    try:
        return path.read_bytes()
    except MemoryError:
        size = os.stat(path).st_size
        raise ModelFileError(path, f"too large to read into memory ({size:,} bytes)") from None


def file_kind(mode: int) -> str:
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

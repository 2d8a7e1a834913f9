"""Writing a model file: the network's arrays, its config as JSON, the checksum, atomically."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import safetensors
import safetensors.numpy

from nnscratch._atomic import atomic_write_bytes
from nnscratch.io.format import (
    _CONFIG_KEY,
    _RESERVED_PREFIX,
    _SHA256_KEY,
    FORMAT_KEY,
    FORMAT_VERSION,
    _buffers,
    _non_finite,
    tensors_sha256,
)
from nnscratch.network import Sequential


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

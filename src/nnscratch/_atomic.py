"""Write files atomically: a temporary file in the same folder, then a rename.

A reader (or a crash at any moment) sees either the old file or the whole new
one, never half of either: ``os.replace`` is atomic on POSIX and Windows when
source and target are on the same file system, which a sibling temp file is.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_path", "atomic_write_bytes"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    Use it for writers that want a file name (``np.savez``, a library's
    ``save_file``). If the body raises, the temporary file is removed and
    ``path`` is left exactly as it was.

    Permissions: a file that already exists keeps its mode (a private 0600
    checkpoint stays private); a new file gets ``0o666 & ~umask``, as
    ``open(path, "w")`` would give it, with the umask read once when this
    module is imported (see ``_UMASK``). Owner and group are not copied.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, _target_mode(target))  # mkstemp makes 0600
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(target.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            _write_all(f, data)
    return Path(path)


def _read_umask() -> int:
    # POSIX offers no way to read the umask without setting it, so it is set
    # and restored once, at import (before the caller starts threads), rather
    # than on every write, where it would race with files other threads create.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


#: The process umask when this module was imported; new files get ``0o666 & ~_UMASK``.
_UMASK = _read_umask()


def _target_mode(target: Path) -> int:
    """The mode the renamed file should have: the existing file's, else the umask's."""
    try:
        return os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def _write_all(f: IO[bytes], data: bytes) -> None:
    f.write(data)
    f.flush()


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

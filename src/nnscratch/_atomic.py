"""Write files atomically: a temporary file in the same folder, then a rename.

A reader (or a crash at any moment) sees either the old file or the whole new
one, never half of either: ``os.replace`` is atomic on POSIX and Windows when
source and target are on the same file system, which a sibling temp file is.

The temporary file is named ``.<target name>.<pid>.<random>.tmp``. A run
killed while writing (kill -9, power loss) leaves it behind; the next write
of the same target removes such leftovers of *that* target whose process is
gone, and nothing else (see :func:`remove_stale_temporaries`).

A write that fails (full disk, read-only folder, file size limit) raises
:class:`WriteError`, an ``OSError`` whose message names the target, not the
temporary file, and the cause: ``cannot write ckpt.safetensors: No space left
on device``. The target is then exactly as it was before.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["WriteError", "atomic_path", "atomic_write_bytes", "remove_stale_temporaries"]

#: A leftover of an older nnscratch (``.<name>.<random>.tmp``, no pid) counts
#: as stale after this many seconds; so does any leftover where process ids
#: cannot be checked (Windows).
STALE_AFTER_SECONDS = 3600.0


class WriteError(OSError):
    """Writing ``filename`` failed; the message names it and the cause, in one line."""

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


def _write_error(target: Path, err: OSError) -> WriteError:
    code = err.errno if err.errno is not None else errno.EIO
    cause = err.strerror or str(err) or os.strerror(code)
    if code == errno.EFBIG:
        cause += " (the file size limit of this process, ulimit -f)"
    return WriteError(code, cause, str(target))


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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target, suffix)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=suffix, dir=target.parent
        )
        os.close(fd)
    except OSError as err:  # a read-only or missing folder: name the target, not the temp
        raise _write_error(target, err) from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, _target_mode(target))  # mkstemp makes 0600
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, OSError) and not isinstance(err, WriteError):
            raise _write_error(target, err) from None
        raise
    _fsync_dir(target.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            _write_all(f, data)
    return Path(path)


def remove_stale_temporaries(path: str | os.PathLike[str], suffix: str = ".tmp") -> list[Path]:
    """Remove the temporary files a killed write of ``path`` left beside it; return them.

    Only regular files named ``.<name of path>.<pid>.<8 characters><suffix>``
    whose process no longer runs are removed (on Windows, and for the pid-less
    names of older versions, those untouched for :data:`STALE_AFTER_SECONDS`).
    A temporary file of a write still in progress, in this process or another,
    is left alone, and so is every other file.
    """
    target = Path(path)
    pattern = re.compile(
        rf"\.{re.escape(target.name)}\.(?:(\d+)\.)?[a-z0-9_]{{8}}{re.escape(suffix)}"
    )
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        with contextlib.suppress(OSError):
            if not entry.is_file(follow_symlinks=False):
                continue
            pid = match.group(1)
            if pid is not None and sys.platform != "win32":
                stale = not _process_alive(int(pid))
            else:
                stale = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (POSIX: signal 0 checks without sending anything)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # it exists but belongs to someone else, or the number is odd: keep it
    return True


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

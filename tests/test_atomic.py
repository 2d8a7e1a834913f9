"""nnscratch._atomic: atomic writes keep an existing file's mode and follow the umask."""

from __future__ import annotations

import os
import stat
import sys
import threading

import pytest

import nnscratch._atomic as atomic

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o755])
def test_rewriting_an_existing_file_keeps_its_mode(tmp_path, mode):
    path = tmp_path / "checkpoint.bin"
    path.write_bytes(b"old")
    os.chmod(path, mode)
    atomic.atomic_write_bytes(path, b"new contents")
    assert path.read_bytes() == b"new contents"
    assert _mode(path) == mode


def test_atomic_path_keeps_the_mode_of_a_private_file(tmp_path):
    path = tmp_path / "private.npz"
    path.write_bytes(b"old")
    os.chmod(path, 0o600)
    with atomic.atomic_path(path) as tmp:
        tmp.write_bytes(b"rewritten")
    assert _mode(path) == 0o600
    assert path.read_bytes() == b"rewritten"


def test_a_new_file_gets_the_umask_mode(tmp_path):
    umask = os.umask(0o022)  # the test's own read; the module read it once at import
    os.umask(umask)
    path = tmp_path / "sub" / "new.bin"
    atomic.atomic_write_bytes(path, b"data")
    assert _mode(path) == 0o666 & ~umask
    assert _mode(path) == 0o666 & ~atomic._UMASK


def test_a_new_file_follows_the_umask_read_at_import(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_UMASK", 0o077)
    path = tmp_path / "new.bin"
    atomic.atomic_write_bytes(path, b"data")
    assert _mode(path) == 0o600


def test_writing_does_not_touch_the_process_umask(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or 0o022)
    atomic.atomic_write_bytes(tmp_path / "a.bin", b"new file")
    atomic.atomic_write_bytes(tmp_path / "a.bin", b"existing file")
    assert calls == []


def test_a_failing_body_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"old contents")
    os.chmod(path, 0o600)
    with pytest.raises(RuntimeError, match="writer failed"):
        with atomic.atomic_path(path) as tmp:
            tmp.write_bytes(b"half of the new")
            raise RuntimeError("writer failed")
    assert path.read_bytes() == b"old contents"
    assert _mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]


def test_a_failing_body_creates_nothing_when_there_was_no_file(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic.atomic_path(tmp_path / "model.bin"):
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_concurrent_writers_leave_one_whole_file(tmp_path):
    path = tmp_path / "shared.bin"
    payloads = [bytes([i]) * 100_000 for i in range(8)]
    threads = [
        threading.Thread(target=atomic.atomic_write_bytes, args=(path, data)) for data in payloads
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert path.read_bytes() in payloads
    assert [p.name for p in tmp_path.iterdir()] == ["shared.bin"]

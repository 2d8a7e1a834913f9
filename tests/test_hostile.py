"""Files built to hurt the reader, full disks, killed writes and interrupts (issue 9).

Every hostile file is built here, small on disk and bounded in memory; each
test fails on the code before the fix it names. Runs in CI in a few seconds.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

try:
    import resource
except ImportError:  # Windows
    resource = None

import numpy as np
import pytest
import safetensors.numpy

import nnscratch._atomic as atomic
import nnscratch.io as nnio
from nnscratch.cli import main
from nnscratch.datasets import mnist as mnist_module
from nnscratch.datasets import mnist_sources
from nnscratch.datasets.idx import IdxFormatError, parse_idx, read_idx, write_idx
from nnscratch.datasets.mnist import MnistUnavailableError, fetch_mnist, mnist_cache_path
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential

REPO = Path(__file__).resolve().parents[1]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and signals")


def _net(outputs=10, inputs=784, loss="softmax_cross_entropy") -> Sequential:
    return Sequential(
        [Dense(inputs, 8, seed=0), Activation("relu"), Dense(8, outputs, seed=1)], loss=loss
    )


def _run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(code, err, *fragments):
    assert code == 2, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def _rewrite(path: Path, metadata: dict, tensors: dict) -> None:
    path.write_bytes(safetensors.numpy.save(tensors, metadata=metadata))


# ------------------------------------------------------------------ 2. declared sizes


def test_config_declaring_a_huge_layer_is_refused_before_building(tmp_path, monkeypatch):
    """A 1 MB model whose config says out_features 200000 took 3.1 GB before it was refused."""
    path = nnio.save(_net(), tmp_path / "m.safetensors")
    meta = nnio.read_metadata(path)
    config = json.loads(meta["nnscratch.config"])
    config["layers"][2]["config"]["out_features"] = 200_000
    meta["nnscratch.config"] = json.dumps(config)
    _rewrite(path, meta, safetensors.numpy.load_file(path))
    built = []
    monkeypatch.setattr(Dense, "__init__", lambda *a, **k: built.append(a) or None)
    with pytest.raises(nnio.ModelFileError, match=r"layer 2 \(Dense\) declares sizes") as info:
        nnio.load(path)
    assert str(path) in str(info.value)
    assert built == []  # nothing was built, so nothing was allocated


@pytest.mark.parametrize("size", [10**9, 2**64 + 3, 10**40])
def test_absurd_declared_sizes_are_a_model_file_error(tmp_path, size):
    """1e9 gave a bare 'not enough memory' without the file's name; 2**64 must not wrap."""
    path = nnio.save(_net(), tmp_path / "m.safetensors")
    meta = nnio.read_metadata(path)
    config = json.loads(meta["nnscratch.config"])
    config["layers"][0]["config"]["in_features"] = size
    meta["nnscratch.config"] = json.dumps(config)
    _rewrite(path, meta, safetensors.numpy.load_file(path))
    with pytest.raises(nnio.ModelFileError, match="refusing to build it"):
        nnio.load(path)


@pytest.mark.parametrize("where", ["config", "header"])
def test_deeply_nested_json_is_a_model_file_error(tmp_path, where):
    """Never a RecursionError: 100,000 nested lists in the config or the header."""
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.safetensors"
    if where == "config":
        meta = {"nnscratch.format": "1", "nnscratch.config": '{"layers": ' + deep + "}"}
        _rewrite(path, meta, {"0.W": np.zeros((2, 2), np.float32)})
    else:
        header = b'{"a": ' + deep.encode() + b"}"
        header += b" " * (-len(header) % 8)
        path.write_bytes(struct.pack("<Q", len(header)) + header)
    with pytest.raises(nnio.ModelFileError, match="nests deeper than 32 levels") as info:
        nnio.load(path)
    assert str(path) in str(info.value)


def test_pickle_declaring_2_to_the_60_bytes_names_the_size(tmp_path, capsys):
    """It said 'cannot read it as the book's weight pickle:' with nothing after the colon."""
    path = tmp_path / "sample_weight.pkl"
    path.write_bytes(b"\x80\x04\x8e" + struct.pack("<Q", 2**60) + b"abc.")
    with pytest.raises(nnio.ModelFileError, match=r"expected 1152921504606846976 bytes"):
        nnio.load(path)
    code, _, err = _run(capsys, "evaluate", path)
    _one_line(code, err, "sample_weight.pkl", "1152921504606846976")


@POSIX
def test_gzip_bomb_as_mnist_labels_is_refused_after_the_header(tmp_path, isolated_home):
    """A small .gz whose header declares MNIST's 60000 labels but inflates to 512 MiB."""
    header = bytes([0, 0, 8, 1]) + (60000).to_bytes(4, "big")
    # gzip members concatenate: one member of 1 MiB of zeros, repeated, costs 1 KB each
    zeros = gzip.compress(bytes(1 << 20), compresslevel=9)
    bomb = gzip.compress(header) + zeros * 512
    assert len(bomb) < 1 << 20  # under 1 MB on disk, 512 MiB inflated
    folder = tmp_path / "bomb"
    folder.mkdir()
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(bomb)
    with open(folder / "train-labels-idx1-ubyte.gz", "rb") as f:
        with pytest.raises(mnist_module._SourceFailed, match="more bytes after the data"):
            mnist_sources._decode_idx(f, "t_train", "train-labels-idx1-ubyte.gz")
    # read_idx with the same bomb: stops at the declared size, one byte over
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(IdxFormatError, match="more bytes after the data"):
        read_idx(folder / "train-labels-idx1-ubyte.gz", ndim=1)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 100 * 1024  # far below the 512 MiB it would inflate to


def test_idx_header_declaring_a_wrong_or_huge_shape_is_refused_unread(tmp_path):
    huge = bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (2**32 - 1,) * 3)
    with pytest.raises(IdxFormatError, match="more than max_bytes"):
        read_idx(_write(tmp_path / "h", huge))
    # int64 products of these dimensions wrap around; Python's do not
    wrap = bytes([0, 0, 0x0E, 4]) + b"".join(d.to_bytes(4, "big") for d in (2**32 - 1,) * 4)
    with pytest.raises(IdxFormatError, match=r"expected \d+ bytes of data, got 0"):
        parse_idx(wrap)
    with open(_write(tmp_path / "m", huge), "rb") as f:
        with pytest.raises(mnist_module._SourceFailed, match="expected \\(10000, 28, 28\\)"):
            mnist_sources._decode_idx(f, "x_test", "m")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_cache_declaring_a_huge_array_is_refused_before_reading(isolated_home, monkeypatch):
    monkeypatch.setattr(mnist_module, "MIRRORS", ())
    monkeypatch.setattr(mnist_sources, "_pip_download", _no_pip)
    monkeypatch.delenv("NNSCRATCH_MNIST_DIR", raising=False)
    cache = mnist_cache_path()
    cache.parent.mkdir(parents=True)
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        npy, {"descr": "|u1", "fortran_order": False, "shape": (10**12, 784)}
    )
    import zipfile

    with zipfile.ZipFile(cache, "w") as z:
        z.writestr("x_train.npy", npy.getvalue())
    with pytest.raises(MnistUnavailableError, match=r"x_train: expected uint8 \(60000, 784\)"):
        fetch_mnist(verbose=False)


def _no_pip(dest):
    raise mnist_module._SourceFailed("pip disabled in this test")


# ------------------------------------------------------------------ 5. silent damage


def test_flipped_bytes_in_the_tensor_data_fail_the_checksum(tmp_path, capsys):
    """It loaded and scored 0.1031."""
    path = nnio.save(_net(), tmp_path / "m.safetensors")
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(nnio.ModelFileError, match="do not match the checksum"):
        nnio.load(path)
    code, _, err = _run(capsys, "evaluate", path)
    _one_line(code, err, "m.safetensors", "checksum")


def test_a_file_without_a_checksum_loads_with_a_one_line_notice(tmp_path, capsys, no_mnist):
    net = _net()
    path = nnio.save(net, tmp_path / "old.safetensors")
    meta = {k: v for k, v in nnio.read_metadata(path).items() if k != "nnscratch.sha256"}
    _rewrite(path, meta, safetensors.numpy.load_file(path))
    with pytest.warns(nnio.UnverifiedModelWarning, match="no checksum"):
        again = nnio.load(path)
    np.testing.assert_array_equal(again.parameters()["0.W"], net.parameters()["0.W"])
    _code, _, err = _run(capsys, "evaluate", path)
    assert err.splitlines()[0] == (
        f"nnscratch: note: {path}: no checksum (written by an older nnscratch); "
        "its arrays cannot be verified"
    )


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_weights_are_refused(tmp_path, value):
    """NaN weights gave '9 (nan%)' with exit 0."""
    net = _net()
    path = nnio.save(net, tmp_path / "m.safetensors")
    tensors = safetensors.numpy.load_file(path)
    tensors["2.b"][3] = value
    meta = nnio.read_metadata(path)
    meta["nnscratch.sha256"] = nnio.tensors_sha256(meta["nnscratch.config"], tensors)
    _rewrite(path, meta, tensors)
    with pytest.raises(nnio.ModelFileError, match=r"'2\.b' holds 1 NaN or infinite value"):
        nnio.load(path)
    net.parameters()["0.W"][0, 0] = value
    with pytest.raises(ValueError, match="not saved"):
        nnio.save(net, tmp_path / "n.safetensors")
    weights = {k: np.ones(s, np.float32) for k, s in nnio.BOOK_WEIGHT_SHAPES.items()}
    weights["b3"][0] = value
    (tmp_path / "w.pkl").write_bytes(pickle.dumps(weights))
    with pytest.raises(nnio.ModelFileError, match="refusing NaN"):
        nnio.load(tmp_path / "w.pkl")


# ------------------------------------------------------------------ 6, 7. the CLI's messages


@pytest.fixture()
def no_mnist(monkeypatch):
    """MNIST never needed: a command that gets this far loads an empty test split."""
    empty = np.zeros((0, 784), np.float32), np.zeros(0, np.uint8)
    import nnscratch.cli.evaluate as evaluate

    monkeypatch.setattr(evaluate, "load_mnist", lambda **kw: (empty, empty))


@pytest.mark.parametrize(
    ("kind", "net", "said"),
    [
        ("regression", lambda: _net(1, loss="mean_squared_error"), "a linear output (regression)"),
        ("sigmoid", lambda: _net(10, loss="sigmoid_binary_cross_entropy"), "a sigmoid output"),
        ("5 classes", lambda: _net(5), "this model has 5 classes"),
        ("4 inputs", lambda: _net(10, inputs=4), "this model expects inputs of 4 features"),
    ],
)
def test_evaluate_and_predict_refuse_a_model_of_the_wrong_kind(
    capsys, tmp_path, no_mnist, kind, net, said
):
    """They printed accuracies such as '0 (-46.0%)' or spoke of 'Dense(4 -> 8)'."""
    path = nnio.save(net(), tmp_path / "m.safetensors")
    for argv in (["evaluate", path], ["predict", path, path]):
        code, out, err = _run(capsys, *argv)
        _one_line(code, err, f"MODEL {str(path)!r}: {argv[0]} needs a digit classifier", said)
        assert out == ""


def test_truncated_png_names_the_file(tmp_path):
    from PIL import Image

    from nnscratch.images import load_digit

    buffer = io.BytesIO()
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    Image.fromarray(noise).save(buffer, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ValueError, match=r"'.*cut\.png': damaged image \(image file is trunc"):
        load_digit(path)


@POSIX
def test_a_fifo_is_named_as_such_and_never_read(tmp_path, capsys):
    """A FIFO was reported as 'does not exist'; reading one would block forever."""
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    model = nnio.save(_net(), tmp_path / "m.safetensors")
    code, _, err = _run(capsys, "predict", model, fifo)
    _one_line(code, err, "pipe.png", "is a FIFO (named pipe), not a regular file")
    code, _, err = _run(capsys, "evaluate", fifo)
    _one_line(code, err, "MODEL: expected a model file, got a FIFO (named pipe)")
    with pytest.raises(nnio.ModelFileError, match="a FIFO"):
        nnio.load(fifo)
    with pytest.raises(IdxFormatError, match="not a regular file"):
        read_idx(fifo)


@POSIX
def test_a_symlink_to_a_model_is_followed_and_a_broken_one_named(tmp_path, capsys):
    model = nnio.save(_net(), tmp_path / "m.safetensors")
    (tmp_path / "link.safetensors").symlink_to(model)
    assert nnio.load(tmp_path / "link.safetensors").parameters()["0.W"].shape == (784, 8)
    (tmp_path / "dead.png").symlink_to(tmp_path / "gone.png")
    code, _, err = _run(capsys, "predict", model, tmp_path / "dead.png")
    _one_line(code, err, "dead.png", "is a broken symbolic link")


# ------------------------------------------------------------------ 9. many inputs


def _digit_png(path: Path) -> Path:
    from PIL import Image

    img = np.zeros((40, 40), np.uint8)
    img[8:32, 18:22] = 255  # a "1"
    Image.fromarray(img).save(path)
    return path


def test_predict_classifies_every_good_picture_and_reports_each_bad_one(tmp_path, capsys):
    model = nnio.save(_net(), tmp_path / "m.safetensors")
    a = _digit_png(tmp_path / "a.png")
    bad = tmp_path / "bad.png"
    bad.write_text("not a picture")
    c = _digit_png(tmp_path / "c.png")
    code, out, err = _run(capsys, "predict", model, a, bad, c, tmp_path / "gone.png")
    assert code == 2
    assert [line.split(":")[0] for line in out.splitlines()] == [str(a), str(c)]
    assert err.splitlines() == [
        f"nnscratch: error: {str(bad)!r}: not an image Pillow can read",
        f"nnscratch: error: IMAGE {str(tmp_path / 'gone.png')!r} does not exist",
    ]


def test_predict_json_and_a_folder_as_input(tmp_path, capsys):
    model = nnio.save(_net(), tmp_path / "m.safetensors")
    folder = tmp_path / "pictures"
    folder.mkdir()
    for name in ("b.png", "a.png"):
        _digit_png(folder / name)
    (folder / "notes.txt").write_text("not a picture, and not looked at")
    (folder / "z.png").write_bytes(b"\x89PNG broken")
    code, out, err = _run(capsys, "predict", model, folder, "--json", "--top", "2")
    assert code == 2 and err.count("\n") == 1 and "z.png" in err
    results = json.loads(out)
    assert [Path(r["file"]).name for r in results] == ["a.png", "b.png", "z.png"]
    net = nnio.load(model)
    from nnscratch.images import load_digit

    proba = net.predict_proba(load_digit(folder / "a.png")[None])[0]
    assert results[0]["digit"] == int(np.argmax(proba))
    assert results[0]["top"][0][1] == pytest.approx(float(proba.max()))
    assert len(results[0]["top"]) == 2
    assert "error" in results[2] and "digit" not in results[2]


# ------------------------------------------------------------------ 1, 11. data sources


def _tiny_mnist(folder: Path, monkeypatch) -> None:
    rng = np.random.default_rng(3)
    arrays = {
        "x_train": rng.integers(0, 256, (4, 784), dtype=np.uint8),
        "t_train": np.array([1, 2, 3, 4], np.uint8),
        "x_test": rng.integers(0, 256, (2, 784), dtype=np.uint8),
        "t_test": np.array([5, 6], np.uint8),
    }
    folder.mkdir()
    for key, name in mnist_module.FILES.items():
        array = arrays[key].reshape(-1, 28, 28) if key.startswith("x") else arrays[key]
        (folder / f"{name}.gz").write_bytes(gzip.compress(write_idx(array)))
    import hashlib

    monkeypatch.setattr(mnist_sources, "SHAPES", {k: v.shape for k, v in arrays.items()})
    monkeypatch.setattr(
        mnist_sources,
        "DECODED_SHA256",
        {k: hashlib.sha256(v.tobytes()).hexdigest() for k, v in arrays.items()},
    )
    monkeypatch.setattr(mnist_sources, "_pip_download", _no_pip)
    monkeypatch.delenv("NNSCRATCH_MNIST_DIR", raising=False)


def test_keras_mnist_npz_in_the_home_is_never_deleted(tmp_path, monkeypatch, capsys):
    """Defect 1: 'expected uint8 (60000, 784) ...; deleted' replaced the user's own file."""
    _tiny_mnist(tmp_path / "idx", monkeypatch)
    home = tmp_path / "keras-datasets"
    home.mkdir()
    keras = home / "mnist.npz"
    with open(keras, "wb") as f:
        np.savez(f, x_train=np.zeros((3, 28, 28), np.uint8), y_train=np.zeros(3, np.uint8))
    before = keras.read_bytes()
    monkeypatch.setenv("NNSCRATCH_HOME", str(home))
    code, out, err = _run(capsys, "data", "mnist", "--dir", tmp_path / "idx")
    _one_line(code, err, f"cache {keras}", "a file nnscratch did not write is there")
    assert "source:   local folder" in out and "cache:" not in out
    assert keras.read_bytes() == before


def test_an_explicit_folder_that_fails_is_an_error_without_downloads(
    tmp_path, monkeypatch, capsys, isolated_home
):
    """Defect 11: --dir BAD quietly fell back to the mirrors."""
    _tiny_mnist(tmp_path / "idx", monkeypatch)
    (tmp_path / "idx" / "t10k-labels-idx1-ubyte.gz").unlink()
    asked = []
    monkeypatch.setattr(mnist_module, "MIRRORS", ("http://mirror.invalid/",))
    monkeypatch.setattr(mnist_sources, "_download", lambda url, v: asked.append(url))
    code, out, err = _run(capsys, "data", "mnist", "--dir", tmp_path / "idx")
    _one_line(code, err, "MNIST could not be loaded", "neither t10k-labels-idx1-ubyte.gz")
    assert asked == [] and out == ""


def test_a_cache_folder_that_cannot_be_written_is_an_error(tmp_path, monkeypatch, capsys):
    """It printed 'cache: ...mnist.npz' and exit 0 although nothing was written."""
    _tiny_mnist(tmp_path / "idx", monkeypatch)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NNSCRATCH_HOME", str(blocker / "home"))
    code, out, err = _run(capsys, "data", "mnist", "--dir", tmp_path / "idx")
    _one_line(code, err, f"cache {blocker / 'home' / 'mnist.npz'}: could not be written")
    assert "cache:" not in out


# ------------------------------------------------------------------ 3, 4. full disks, leftovers


def test_full_disk_names_the_target_and_keeps_the_old_file(tmp_path, monkeypatch, capsys):
    """ENOSPC while writing: one line naming the file (not the temporary) and the cause."""
    import errno

    def full(f, data):
        f.write(data[:10])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic, "_write_all", full)
    target = tmp_path / "figure.png"
    target.write_bytes(b"the last good figure")
    code, _, err = _run(capsys, "plot", "softmax", "--out", target)
    _one_line(code, err, f"cannot write {target}: No space left on device")
    assert target.read_bytes() == b"the last good figure"
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]


def test_a_read_only_folder_names_the_target_not_the_temporary(tmp_path, monkeypatch):
    import errno
    import tempfile

    def refuse(prefix, suffix, dir):
        name = os.path.join(dir, f"{prefix}abcdefgh{suffix}")
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OSError) as info:
        nnio.save(_net(), tmp_path / "m.safetensors")
    assert str(info.value) == f"cannot write {tmp_path / 'm.safetensors'}: Permission denied"


_FSIZE_SCRIPT = textwrap.dedent(
    """
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
    from nnscratch.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize("command", ["train", "data", "show"])
def test_every_writing_command_under_a_file_size_limit(tmp_path, command):
    """A disk that fills (simulated by ulimit -f): one line, exit 2, the old file intact."""
    pytest.importorskip("PIL")
    home = tmp_path / "home"
    folder = tmp_path / "idx"
    _make_small_real_like_mnist(folder)
    env = {
        **os.environ,
        "NNSCRATCH_HOME": str(home),
        "NNSCRATCH_MNIST_DIR": str(folder),
        "PYTHONPATH": str(REPO / "src"),
    }
    checkpoint = tmp_path / "state.safetensors"
    checkpoint.write_bytes(b"the last good checkpoint")
    out = tmp_path / "model.safetensors"
    argv = {
        "train": [
            "train",
            "--hidden",
            "none",
            "--epochs",
            "1",
            "--out",
            out,
            "--checkpoint",
            checkpoint,
        ],
        "data": ["data", "mnist"],
        "show": ["show", "0", "--out", tmp_path / "d.png", "--scale", "64"],
    }[command]
    limit = 2000 if command != "data" else 1 << 20
    proc = subprocess.run(
        [sys.executable, "-c", _FSIZE_SCRIPT, str(limit), *map(str, argv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert "File too large" in proc.stderr
    named = {"train": str(checkpoint), "data": "mnist.npz", "show": "d.png"}[command]
    assert named in proc.stderr
    assert checkpoint.read_bytes() == b"the last good checkpoint"
    leftovers = [p.name for p in tmp_path.rglob(".*.tmp")]
    assert leftovers == []


def _make_small_real_like_mnist(folder: Path) -> None:
    """Stands in for MNIST in the subprocess: the module's checks are not patched there,
    so the real files are needed; skip without them."""
    real = [os.environ.get("NNSCRATCH_MNIST_DIR"), str(REPO.parent / "shared/datasets/mnist")]
    for candidate in real:
        if candidate and all(
            (Path(candidate) / f"{n}.gz").is_file() for n in mnist_module.FILES.values()
        ):
            folder.symlink_to(candidate, target_is_directory=True)
            return
    cache = mnist_cache_path()
    if not cache.is_file():
        pytest.skip("needs MNIST as IDX files or in the user's cache")
    arrays = mnist_module._from_cache(cache)
    folder.mkdir()
    for key, name in mnist_module.FILES.items():
        array = arrays[key].reshape(-1, 28, 28) if key.startswith("x") else arrays[key]
        (folder / name).write_bytes(write_idx(array))


@POSIX
def test_stale_temporaries_of_the_same_target_are_removed_and_only_those(tmp_path):
    """kill -9 during a write left .state.safetensors.XXXX.tmp (or 12.6 MB of cache) forever."""
    dead = _a_dead_pid()
    stale = tmp_path / f".state.safetensors.{dead}.abcd1234.tmp"
    old_style = tmp_path / ".state.safetensors.k2j4h5g6.tmp"  # pid-less, from older versions
    alive = tmp_path / f".state.safetensors.{os.getpid()}.zzzz9999.tmp"  # a write in progress
    other = tmp_path / f".other.safetensors.{dead}.abcd1234.tmp"  # another target's
    mine = tmp_path / ".state.safetensors.notes"  # the user's own file
    for p in (stale, old_style, alive, other, mine):
        p.write_bytes(b"x")
    hour_ago = time.time() - 2 * atomic.STALE_AFTER_SECONDS
    os.utime(old_style, (hour_ago, hour_ago))
    atomic.atomic_write_bytes(tmp_path / "state.safetensors", b"new state")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*(p.name for p in (alive, other, mine)), "state.safetensors"])


def _a_dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ------------------------------------------------------------------ 8. interrupts


# What the installed `nnscratch` script runs (PYTHONPATH points at this checkout's src).
# It says "up" once the interpreter runs (a Ctrl-C while CPython itself starts is
# CPython's business), then imports nnscratch inside the launcher.
_LAUNCH = (
    "import sys, nnscratch_launch; sys.stderr.write('up\\n'); sys.stderr.flush(); "
    "sys.exit(nnscratch_launch.main())"
)


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.01, 0.1, 0.3, 1.0])
def test_ctrl_c_at_any_moment_is_one_line_without_a_traceback(tmp_path, delay):
    """Ctrl-C in the first 0.3 s printed a KeyboardInterrupt traceback."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NNSCRATCH_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCH, "demo", "minima"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr.readline() == "up\n"
    time.sleep(delay)  # 0.01-0.3 s: while NumPy and the library are imported
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    assert proc.returncode == 130, err
    assert err.startswith("nnscratch: interrupted") and err.count("\n") == 1, err


@POSIX
@pytest.mark.slow
def test_ctrl_c_during_train_says_what_was_lost(tmp_path, mnist_gz_dir):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "NNSCRATCH_HOME": str(tmp_path / "home"),
        "NNSCRATCH_MNIST_DIR": str(mnist_gz_dir),
    }
    out = tmp_path / "m.safetensors"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch.cli", "train", "--epochs", "50", "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()  # the table's header: training has begun
    assert line.startswith("epoch")
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert "this run is lost" in err and "--checkpoint PATH" in err
    assert not out.exists()


def test_demo_progress_on_a_terminal_and_silence_elsewhere(monkeypatch, capsys):
    from nnscratch.cli._common import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    with Progress("minima", interval=0.01, stream=screen) as progress:
        progress.stage = "xor"
        time.sleep(0.1)
    assert "minima: xor, 0 s" in screen.getvalue()
    assert screen.getvalue().endswith("\r\033[K")  # the line is cleared at the end
    pipe = io.StringIO()
    with Progress("minima", interval=0.01, stream=pipe):
        time.sleep(0.05)
    assert pipe.getvalue() == ""


def test_resume_with_a_checkpoint_that_does_not_exist_is_an_error(tmp_path, capsys):
    """It silently started a new run (a typo in the path threw the old run away)."""
    missing = tmp_path / "typo.safetensors"
    code, out, err = _run(capsys, "train", "--checkpoint", missing, "--resume")
    _one_line(code, err, f"--resume: there is no checkpoint {str(missing)!r} to resume from")
    assert out == "" and not missing.exists()

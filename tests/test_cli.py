"""The ``nnscratch`` command: help, one-line errors, and every subcommand on real data.

Most tests call :func:`nnscratch.cli.main` in-process with ``capsys``; the
ones marked slow also run the command in a subprocess or train on the full
MNIST set for longer.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnscratch.datasets
import nnscratch.datasets.mnist as mnist_module
from nnscratch import io as nnio
from nnscratch.cli import main
from nnscratch.cli._common import USER_ERRORS
from nnscratch.cli.evaluate import format_confusion
from nnscratch.datasets import MnistUnavailableError, mnist_sources
from nnscratch.recipes import MLPConfig, build_mlp

COMMANDS = ["train", "evaluate", "predict", "data", "show", "demo", "plot", "serve", "sweep"]
# Class frequencies of the MNIST test set (published with the data set).
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TABLE_HEADER = "epoch     loss train acc  test acc  seconds"
FINAL_LINE = re.compile(
    r"^test accuracy (0\.\d{4}) after (\d+) epochs?, [\d.]+ s of training; model saved to (.+)$"
)


# ------------------------------------------------------------------ helpers and fixtures


@pytest.fixture(scope="module")
def mnist_env(tmp_path_factory, mnist_gz_dir):
    """NNSCRATCH_MNIST_DIR on the local files, NNSCRATCH_HOME in a temporary folder."""
    folder = mnist_gz_dir
    home = tmp_path_factory.mktemp("nnscratch-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NNSCRATCH_HOME", str(home))
        mp.setenv("NNSCRATCH_MNIST_DIR", str(folder))
        yield {"home": home, "folder": folder}


def run(capsys, *argv) -> tuple[int, str, str]:
    """``main(argv)`` -> (exit status, stdout, stderr); argparse's exits are caught."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert err.startswith("nnscratch"), err
    assert ": error: " in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def _small_model(path: Path) -> Path:
    """A real nnscratch model file, 784-8-10."""
    return nnio.save(build_mlp(MLPConfig(hidden=(8,), seed=0)), path)


class _Payload:
    """A pickle that would create ``marker`` if anything ever unpickled it unsafely."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _hostile_pickle(path: Path, marker: Path) -> Path:
    path.write_bytes(pickle.dumps({"W1": _Payload(marker)}, protocol=4))
    return path


@pytest.fixture(scope="module")
def book_net(sample_weight_path):
    return nnio.load(sample_weight_path)


# ------------------------------------------------------------------ help and version


def test_help_lists_every_command(capsys):
    code, out, err = run(capsys, "--help")
    assert code == 0 and err == ""
    assert out.startswith("usage: nnscratch")
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S", out, re.MULTILINE), name


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help(capsys, command):
    code, out, err = run(capsys, command, "--help")
    assert code == 0 and err == ""
    assert out.startswith(f"usage: nnscratch {command}")
    assert "options:" in out


def test_version(capsys):
    from nnscratch import __version__

    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"nnscratch {__version__}"


def test_demo_help_lists_every_demo(capsys):
    from nnscratch.cli.demo import DEMOS

    _, out, _ = run(capsys, "demo", "--help")
    for name in DEMOS:
        assert f"  {name} " in out


# ------------------------------------------------------------------ one-line errors


@pytest.fixture()
def no_data(monkeypatch):
    """Fail the test if a command loads MNIST: argument errors must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("MNIST was loaded before the arguments were checked")

    monkeypatch.setattr(nnscratch.datasets, "load_mnist", refuse)
    monkeypatch.setattr(nnscratch.datasets, "fetch_mnist", refuse)


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["bogus"], ["invalid choice: 'bogus'", "see 'nnscratch --help'"]),
        ([], ["the following arguments are required: COMMAND"]),
        (["train", "--epochs", "0"], ["--epochs: expected a positive integer, got 0"]),
        (["train", "--epochs", "two"], ["--epochs: expected a positive integer, got 'two'"]),
        (["train", "--hidden", "10,x"], ["--hidden: expected sizes separated by commas"]),
        (["train", "--hidden", "10,0"], ["--hidden: expected positive sizes"]),
        (["train", "--resume"], ["--resume needs --checkpoint PATH"]),
        (["train", "--lr", "0"], ["--lr: expected a positive number"]),
        (["train", "--lr", "inf"], ["--lr: expected a positive number"]),
        (["train", "--seed", "-1"], ["--seed: expected an integer >= 0, got -1"]),
        (["train", "--optimizer", "adamax"], ["optimizer: unknown name 'adamax'"]),
        (["train", "--activation", "relux"], ["activation: unknown name 'relux'"]),
        (["train", "--init", "he"], ["initializer: unknown name 'he'"]),
        (["train", "--label-smoothing", "1"], ["label_smoothing: expected a number in [0, 1)"]),
        (["train", "--weight-decay", "-1"], ["weight_decay: expected a finite number >= 0"]),
        (["train", "--schedule", "linear"], ["--schedule: invalid choice: 'linear'"]),
        (["train", "--dtype", "float16"], ["--dtype: invalid choice: 'float16'"]),
        (["evaluate"], ["required: MODEL"]),
        (["evaluate", "--batch-size", "0", "m"], ["--batch-size: expected a positive integer"]),
        (["show", "0"], ["required: --out"]),
        (["show", "0", "--out", "digit.jpg"], ["--out: expected a file name ending in .png"]),
        (["show", "0", "--out", "d.png", "--scale", "0"], ["--scale: expected an integer"]),
        (["demo", "nothing"], ["argument NAME: invalid choice: 'nothing'"]),
        (["data", "cifar"], ["invalid choice: 'cifar'"]),
        (["plot"], ["NAME: expected a figure name"]),
        (["plot", "unknown-name"], ["NAME: unknown figure 'unknown-name'", "plot --list"]),
        (["plot", "softmax", "--out", "x.jpg"], ["--out: expected a .png or .svg file name"]),
        (["plot", "softmax", "--all"], ["give either NAME or --all, not both"]),
        # sizes that cannot be meant, and the empty string (only 'none' means no layer)
        (["train", "--hidden", "100000000000"], ["--hidden: expected sizes up to 65,536"]),
        (["train", "--hidden", "100,65537"], ["--hidden: expected sizes up to 65,536"]),
        (["train", "--hidden", ""], ["--hidden: expected sizes separated by commas"]),
        # an output folder that does not exist is an error, never created
        (["show", "0", "--out", "no/such/a.png"], ["--out: folder 'no/such' does not exist"]),
        (["train", "--out", "no/m.safetensors"], ["--out: folder 'no' does not exist"]),
        (["train", "--checkpoint", "no/s.st"], ["--checkpoint: folder 'no' does not exist"]),
        (["plot", "softmax", "--out", "no/s.png"], ["--out: folder 'no' does not exist"]),
        (["plot", "--all"], ["--all needs --out DIR"]),
        (["plot", "--all", "--out", "figs.svg"], ["--out: with --all expected a folder"]),
        # empty paths
        (["train", "--out", ""], ["--out: expected a path, got an empty string"]),
        (["train", "--checkpoint", ""], ["--checkpoint: expected a path, got an empty string"]),
        (["show", "0", "--out", ""], ["--out: expected a path, got an empty string"]),
        (["evaluate", ""], ["MODEL: expected a path, got an empty string"]),
        (["predict", "sample", ""], ["IMAGE: expected a path, got an empty string"]),
        (["predict", "", "x.png"], ["MODEL: expected a path, got an empty string"]),
        # negative image numbers (help says "from 0")
        (["show", "-1", "--out", "a.png"], ["INDEX: expected an image number from 0, got -1"]),
        (["data", "mnist", "--dir", "missing"], ["--dir: 'missing' is not a folder"]),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(
    capsys, no_data, tmp_path, monkeypatch, argv, fragments
):
    monkeypatch.chdir(tmp_path)  # nothing is written to the repository if a check is missing
    code, out, err = run(capsys, *argv)
    assert_one_line_error(code, err, *fragments)
    assert out == ""
    assert list(tmp_path.iterdir()) == []


def test_missing_model_file(capsys, tmp_path, mnist_env):
    code, out, err = run(capsys, "evaluate", tmp_path / "nope.safetensors")
    assert_one_line_error(code, err, "MODEL: no such file", "nope.safetensors")
    assert out == ""


def test_directory_as_model(capsys, tmp_path):
    for command in (["evaluate"], ["predict"]):
        argv = [*command, tmp_path]
        if command == ["predict"]:
            argv.append(_small_model(tmp_path / "m.safetensors"))  # an existing IMAGE path
        code, _, err = run(capsys, *argv)
        assert_one_line_error(code, err, "MODEL: expected a model file, got a folder")


def test_random_bytes_as_model(capsys, tmp_path):
    path = tmp_path / "random.safetensors"
    path.write_bytes(np.random.default_rng(0).bytes(1000))
    code, _, err = run(capsys, "evaluate", path)
    assert_one_line_error(code, err, "random.safetensors", "safetensors")


@pytest.mark.parametrize("keep", [4, 100, 2000, -1])
def test_truncated_model_file(capsys, tmp_path, keep):
    whole = _small_model(tmp_path / "whole.safetensors").read_bytes()
    path = tmp_path / "cut.safetensors"
    path.write_bytes(whole[:keep])
    code, _, err = run(capsys, "evaluate", path)
    assert_one_line_error(code, err, "cut.safetensors")


def test_safetensors_that_is_no_model(capsys, tmp_path):
    import safetensors.numpy

    path = tmp_path / "other.safetensors"
    path.write_bytes(safetensors.numpy.save({"w": np.zeros(3, np.float32)}))
    code, _, err = run(capsys, "evaluate", path)
    assert_one_line_error(code, err, "not an nnscratch model")


@pytest.mark.parametrize("name", ["weights.pkl", "weights.safetensors"])
def test_hostile_pickle_is_refused_and_never_runs(capsys, tmp_path, name):
    marker = tmp_path / "PAYLOAD-RAN"
    path = _hostile_pickle(tmp_path / name, marker)
    for argv in (["evaluate", path], ["demo", "mnist-inference", "--model", path]):
        code, out, err = run(capsys, *argv)
        assert_one_line_error(code, err, name, "refusing to load")
        assert out == ""
    assert not marker.exists()


def test_predict_non_image_file(capsys, tmp_path, sample_weight_path):
    notes = tmp_path / "notes.png"
    notes.write_text("this is not a picture\n")
    code, out, err = run(capsys, "predict", sample_weight_path, notes)
    assert_one_line_error(code, err, "notes.png", "not an image")
    assert out == ""


def test_predict_missing_image(capsys, tmp_path, sample_weight_path):
    code, _, err = run(capsys, "predict", sample_weight_path, tmp_path / "gone.png")
    assert_one_line_error(code, err, "IMAGE", "gone.png", "does not exist")


def test_predict_blank_image(capsys, tmp_path, sample_weight_path):
    from PIL import Image

    Image.new("RGB", (64, 64), "white").save(tmp_path / "blank.png")
    code, _, err = run(capsys, "predict", sample_weight_path, tmp_path / "blank.png")
    assert_one_line_error(code, err, "blank.png", "no digit found")


def test_show_index_out_of_range(capsys, tmp_path, mnist_env):
    out_png = tmp_path / "x.png"
    code, _, err = run(capsys, "show", "99999", "--out", out_png)
    assert_one_line_error(code, err, "INDEX: expected 0 to 9999 for the test split, got 99999")
    code, _, err = run(capsys, "show", "60000", "--split", "train", "--out", out_png)
    assert_one_line_error(code, err, "expected 0 to 59999 for the train split")
    assert not out_png.exists()


def test_train_out_is_a_directory(capsys, tmp_path, no_data):
    code, _, err = run(capsys, "train", "--out", tmp_path)
    assert_one_line_error(code, err, "--out: expected a file name, got the directory")


def test_train_out_folder_is_a_file(capsys, tmp_path, no_data):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "train", "--out", blocker / "model.safetensors")
    assert_one_line_error(code, err, f"--out: {str(blocker)!r} is not a folder")


def test_predict_empty_model_path(capsys, tmp_path, no_data):
    image = _small_model(tmp_path / "m.safetensors")  # any existing IMAGE path
    code, out, err = run(capsys, "predict", "", image)
    assert_one_line_error(code, err, "MODEL: expected a path, got an empty string")
    assert out == ""


def test_data_dir_that_is_a_file(capsys, tmp_path, no_data):
    path = tmp_path / "file"
    path.write_text("")
    code, out, err = run(capsys, "data", "mnist", "--dir", path)
    assert_one_line_error(code, err, f"--dir: {str(path)!r} is not a folder")
    assert out == ""


def test_out_of_memory_is_one_line(capsys, tmp_path, monkeypatch):
    # numpy reports an allocation too big for the machine as _ArrayMemoryError, a
    # MemoryError: a user error (a size too big), not a bug with a traceback.
    import nnscratch.cli.train as train_cli

    def huge(*args, **kwargs):
        return np.empty(2**60, dtype=np.uint8)  # 1 EiB: more than any address space

    monkeypatch.setattr(train_cli, "load_mnist", huge)
    code, out, err = run(capsys, "train", "--out", tmp_path / "m.safetensors")
    assert_one_line_error(code, err, "not enough memory: ")
    assert out == ""
    assert list(tmp_path.iterdir()) == []


def test_demo_mnist_inference_default_model(capsys, mnist_env):
    code, out, _ = run(capsys, "demo", "mnist-inference")
    assert code == 0
    one, batched = map(int, re.search(r"(\d+) of 10000 right .*?, (\d+) in batches", out).groups())
    assert one == batched > 9352  # the bundled model beats the book's published weights


def test_unknown_model_names_the_bundled_ones(capsys):
    code, _, err = run(capsys, "evaluate", "no-such-model")
    assert_one_line_error(code, err, "bundled models: 'cnn', 'sample'")


# ------------------------------------------------------------------ MNIST unavailable


@pytest.fixture()
def mnist_unavailable(tmp_path, monkeypatch):
    """Every MNIST source fails for real: empty cache, no folder, no mirrors, no pip."""
    monkeypatch.setenv("NNSCRATCH_HOME", str(tmp_path / "empty-home"))
    monkeypatch.delenv("NNSCRATCH_MNIST_DIR", raising=False)
    monkeypatch.setattr(mnist_module, "MIRRORS", ())

    def no_pip(dest):
        raise mnist_module._SourceFailed("pip disabled in this test")

    monkeypatch.setattr(mnist_sources, "_pip_download", no_pip)


def test_mnist_unavailable_error_is_a_user_error():
    assert issubclass(MnistUnavailableError, RuntimeError)
    assert issubclass(MnistUnavailableError, USER_ERRORS)


@pytest.mark.parametrize(
    "argv",
    [
        ["data", "mnist"],
        ["evaluate", "MODEL"],
        ["show", "0", "--out", "x.png"],
        ["train", "--hidden", "8", "--epochs", "1"],
        ["demo", "mnist-inference", "--model", "MODEL"],
        ["demo", "gradient-check"],
    ],
)
def test_mnist_unavailable_gives_one_line(
    capsys, tmp_path, monkeypatch, mnist_unavailable, sample_weight_path, argv
):
    argv = [str(sample_weight_path) if a == "MODEL" else a for a in argv]
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    # The message lists every source tried (several lines in the exception) on one line.
    assert_one_line_error(
        code, err, "MNIST could not be loaded from any source", "pip disabled in this test"
    )
    assert "NNSCRATCH_MNIST_DIR" in err
    assert out == ""


def test_a_bug_keeps_its_traceback(capsys, monkeypatch, mnist_env, sample_weight_path):
    # Only known errors become one line; an unexpected one propagates.
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(nnscratch.datasets, "load_mnist", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["evaluate", str(sample_weight_path)])


# ------------------------------------------------------------------ data, evaluate, show


def test_data_mnist_reports_source_cache_and_counts(capsys, tmp_path, monkeypatch, mnist_gz_dir):
    folder = mnist_gz_dir
    home = tmp_path / "home"
    monkeypatch.setenv("NNSCRATCH_HOME", str(home))
    monkeypatch.setenv("NNSCRATCH_MNIST_DIR", str(folder))
    code, out, err = run(capsys, "data", "mnist")
    assert code == 0, err
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert lines["source"].strip() == f"local folder {folder}"
    assert lines["cache"].strip() == str(home / "mnist.npz")
    assert lines["train"].strip() == "60000 images"
    assert lines["test"].strip() == "10000 images"
    assert "sha256 of every array matches" in lines["verified"]
    assert (home / "mnist.npz").is_file()
    # The second time it comes from the cache just written.
    code, out, _ = run(capsys, "data", "mnist", "--quiet")
    assert code == 0
    assert out.splitlines()[0] == f"source:   cache {home / 'mnist.npz'}"


def _parse_confusion(out: str) -> np.ndarray:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("true\\pred"))
    header = lines[start].split()
    assert header[1:11] == [str(j) for j in range(10)] and header[-1] == "accuracy"
    assert set(lines[start + 1]) == {"-"}
    rows = [lines[start + 2 + i].split() for i in range(10)]
    assert [int(r[0]) for r in rows] == list(range(10))
    matrix = np.array([[int(c) for c in r[1:11]] for r in rows])
    recall = np.array([float(r[11]) for r in rows])
    np.testing.assert_allclose(recall, np.diag(matrix) / matrix.sum(axis=1), atol=5e-5)
    return matrix


def test_evaluate_book_weights(capsys, mnist_env, sample_weight_path):
    code, out, err = run(capsys, "evaluate", sample_weight_path)
    assert code == 0, err
    assert f"model:    {sample_weight_path}" in out
    assert "accuracy: 0.9352 (9352 of 10000 test images)" in out
    assert re.search(r"^speed:\s+[\d,]+ images/s \(batches of 1000\)$", out, re.MULTILINE)
    matrix = _parse_confusion(out)
    assert matrix.sum(axis=1).tolist() == TEST_COUNTS
    assert int(np.trace(matrix)) == 9352
    assert err == ""


def test_evaluate_matches_the_network_and_any_batch_size(
    capsys, mnist_env, sample_weight_path, book_net
):
    from nnscratch.datasets import load_mnist

    _, (x, t) = load_mnist(verbose=False)
    expected = np.zeros((10, 10), int)
    np.add.at(expected, (t, np.argmax(book_net.predict(x), axis=1)), 1)
    code, out, _ = run(capsys, "evaluate", sample_weight_path, "--batch-size", "777")
    assert code == 0
    np.testing.assert_array_equal(_parse_confusion(out), expected)


def test_evaluate_train_split(capsys, mnist_env, sample_weight_path):
    code, out, _ = run(capsys, "evaluate", sample_weight_path, "--split", "train")
    assert code == 0
    assert re.search(r"accuracy: 0\.9\d{3} \(\d+ of 60000 train images\)", out)
    assert _parse_confusion(out).sum() == 60000


def test_format_confusion_by_hand():
    table = format_confusion(np.array([[3, 1], [0, 2]]), np.array([0.75, 1.0]))
    assert table.splitlines() == [
        "true\\pred    0    1  accuracy",
        "-" * 29,
        "        0    3    1    0.7500",
        "        1    0    2    1.0000",
    ]


def test_show_writes_the_digit_and_names_its_label(capsys, tmp_path, mnist_env):
    from PIL import Image

    from nnscratch.datasets import load_mnist

    path = tmp_path / "x.png"
    code, out, err = run(capsys, "show", "0", "--split", "train", "--out", path)
    assert code == 0, err
    assert out == f"train[0]: label 5, saved to {path}\n"
    with Image.open(path) as img:
        assert img.format == "PNG"
        assert img.size == (28, 28)
        assert img.mode == "L"
        pixels = np.asarray(img)
    (x, _), _ = load_mnist(normalize=False, flatten=False, verbose=False)
    np.testing.assert_array_equal(pixels, x[0, 0])
    # Enlarged, the first test digit (a 7).
    code, out, _ = run(capsys, "show", "0", "--out", tmp_path / "big.png", "--scale", "4")
    assert code == 0 and "test[0]: label 7" in out
    with Image.open(tmp_path / "big.png") as img:
        assert img.size == (112, 112)


# ------------------------------------------------------------------ demos


def _floats(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", text)]


def test_demo_softmax(capsys):
    code, out, _ = run(capsys, "demo", "softmax")
    assert code == 0
    assert "[0.01821127, 0.24519181, 0.73659691], sum 1.0" in out
    first = out.splitlines()[0]
    assert _floats(first.split("=")[1])[:3] == [0.01821127, 0.24519181, 0.73659691]
    assert "nan" in out.splitlines()[1]  # the naive form overflows
    assert "9.99954600e-01" in out.splitlines()[2]


def test_demo_losses_prints_the_books_values(capsys):
    code, out, _ = run(capsys, "demo", "losses")
    assert code == 0
    sse = next(line for line in out.splitlines() if line.startswith("sum_squared_error"))
    cee = next(line for line in out.splitlines() if line.startswith("cross_entropy_error"))
    np.testing.assert_allclose(_floats(sse), [0.0975, 0.5975], atol=1e-9)
    np.testing.assert_allclose(_floats(cee), [0.510825457, 2.302584093], atol=1e-9)


def test_demo_gradient_descent_prints_the_books_values(capsys):
    code, out, _ = run(capsys, "demo", "gradient-descent")
    assert code == 0
    lines = out.splitlines()
    assert "f'(5) ~ 0.1999999999990898" in lines[0]
    assert "f'(10) ~ 0.2999999999986347" in lines[0]
    assert "grad at (3, 4) = [6., 8.]" in lines[1]
    lr01 = next(line for line in lines if "lr 0.1," in line)
    x = _floats(lr01.split("->")[1])
    np.testing.assert_allclose(x, [-6.11110793e-10, 8.14814391e-10], rtol=1e-6)
    assert max(abs(v) for v in x) < 1e-9  # ~(0, 0)
    lr10 = next(line for line in lines if "lr 10," in line)
    np.testing.assert_allclose(
        _floats(lr10.split("->")[1]), [-2.58983747e13, -1.29524862e12], rtol=1e-6
    )
    tiny = next(line for line in lines if "lr 1e-10," in line)
    np.testing.assert_allclose(_floats(tiny.split("->")[1]), [-2.99999994, 3.99999992])
    # simpleNet with the book's W: predict, loss and gradient as printed in 4.4.2.
    net_line = next(line for line in lines if line.startswith("simpleNet"))
    values = _floats(net_line)
    np.testing.assert_allclose(values[:3], [1.05414809, 0.63071653, 1.1328074], atol=1e-8)
    assert values[3] == pytest.approx(0.92806853663411326, abs=1e-6)
    grad = np.array(_floats("\n".join(lines[lines.index("dL/dW =") + 1 :])))
    np.testing.assert_allclose(
        grad,
        [0.21924763, 0.14356247, -0.36281009, 0.32887144, 0.2153437, -0.54421514],
        atol=2e-7,  # W is printed to 8 digits in the book
    )


def test_demo_toy_network(capsys):
    code, out, _ = run(capsys, "demo", "toy-network")
    assert code == 0
    assert out.strip().endswith("= [0.31682708, 0.69627909]")


def test_demo_activations(capsys):
    code, out, _ = run(capsys, "demo", "activations")
    assert code == 0
    sigmoid = next(line for line in out.splitlines() if line.startswith("sigmoid(x)"))
    np.testing.assert_allclose(_floats(sigmoid), [0.26894142, 0.73105858, 0.88079708])
    assert "step(x)             = [0., 1., 1.]" in out
    assert "sigmoid(-1000)      = 0.0" in out
    assert "softplus(1000)      = 1000.0" in out
    assert "max sigmoid'(x)     = 0.25" in out


def test_demo_mnist_inference_gives_9352_both_ways(capsys, mnist_env, sample_weight_path):
    code, out, err = run(capsys, "demo", "mnist-inference", "--model", sample_weight_path)
    assert code == 0, err
    assert "9352 of 10000 right one image at a time, 9352 in batches of 100: accuracy 0.9352" in out


@pytest.mark.slow
def test_demo_gradient_check(capsys, mnist_env):
    code, out, err = run(capsys, "demo", "gradient-check")
    assert code == 0, err
    rows = dict(re.findall(r"^\s+(\S+)\s+(\S+)$", out, re.MULTILINE))
    assert set(rows) == {"0.W", "0.b", "2.W", "2.b"}
    for key, value in rows.items():
        assert float(value) < 1e-8, (key, value)


@pytest.mark.slow
def test_demo_minima(capsys):
    code, out, err = run(capsys, "demo", "minima")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["problem", "strategy", "global"]
    assert sum("simulated annealing" in line for line in lines) >= 1
    assert sum("random restarts" in line for line in lines) >= 1
    for line in lines[2:]:
        if not line.strip():
            break
        successes, runs = map(int, re.search(r"(\d+)/(\d+)", line).groups())
        assert 0 <= successes <= runs


# ------------------------------------------------------------------ predict


def _render(digit: np.ndarray, path: Path) -> Path:
    """A 28x28 MNIST digit, enlarged 5x, dark on a white 200x150 RGB JPEG."""
    from PIL import Image

    big = np.asarray(Image.fromarray(digit).resize((140, 140), Image.Resampling.BILINEAR))
    canvas = np.zeros((150, 200), np.uint8)
    canvas[5:145, 40:180] = big
    Image.fromarray(np.stack([255 - canvas] * 3, axis=-1)).save(path, format="JPEG")
    return path


def test_predict_rendered_digits(capsys, tmp_path, mnist_env, sample_weight_path, book_net):
    from nnscratch.datasets import load_mnist
    from nnscratch.images import load_digit

    _, (x, t) = load_mnist(normalize=False, flatten=False, verbose=False)
    paths = [_render(x[i, 0], tmp_path / f"digit{i}.jpg") for i in range(10)]
    code, out, err = run(capsys, "predict", sample_weight_path, *paths)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 10
    said = []
    for path, line in zip(paths, lines, strict=True):
        m = re.fullmatch(rf"{re.escape(str(path))}: (\d)   \[(.+)\]", line)
        assert m, line
        ranked = re.findall(r"(\d) \((\d+\.\d)%\)", m.group(2))
        assert len(ranked) == 3  # --top 3 by default
        assert ranked[0][0] == m.group(1)
        assert [float(p) for _, p in ranked] == sorted((float(p) for _, p in ranked), reverse=True)
        said.append(int(m.group(1)))
    expected = np.argmax(book_net.predict(np.stack([load_digit(p) for p in paths])), axis=1)
    assert said == expected.tolist()
    # Measured 10 of 10 right.
    assert sum(s == int(label) for s, label in zip(said, t[:10], strict=True)) >= 9


def test_predict_top_k(capsys, tmp_path, mnist_env, sample_weight_path):
    from nnscratch.datasets import load_mnist

    _, (x, _) = load_mnist(normalize=False, flatten=False, verbose=False)
    path = _render(x[0, 0], tmp_path / "seven.jpg")
    _, out, _ = run(capsys, "predict", sample_weight_path, path, "--top", "1")
    assert re.fullmatch(r".*seven\.jpg: 7   \[7 \(\d+\.\d%\)\]\n", out)
    _, out, _ = run(capsys, "predict", sample_weight_path, path, "--top", "50")
    assert len(re.findall(r"\d \(\d+\.\d%\)", out)) == 10  # capped at the 10 classes


# ------------------------------------------------------------------ plot


def test_plot_list_and_one_figure(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, _ = run(capsys, "plot", "--list")
    assert code == 0
    assert re.search(r"^softmax\s+\S", out, re.MULTILINE)
    path = tmp_path / "soft.png"
    code, out, err = run(capsys, "plot", "softmax", "--out", path)
    assert code == 0, err
    assert out == f"softmax: saved to {path}\n"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ train


def _train_table(out: str) -> tuple[list[list[float]], re.Match]:
    lines = out.splitlines()
    assert lines[0] == TABLE_HEADER
    rows = [[float(v) for v in line.split()] for line in lines[1:-1]]
    final = FINAL_LINE.match(lines[-1])
    assert final, lines[-1]
    return rows, final


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, mnist_env):
    """One quick real run on MNIST: 784-32-10, 1 epoch, batches of 512, with a checkpoint."""
    folder = tmp_path_factory.mktemp("train")
    model, checkpoint = folder / "quick.safetensors", folder / "state.safetensors"
    # capsys is function-scoped: capture this module-wide run by hand.
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "train",
                "--hidden",
                "32",
                "--epochs",
                "1",
                "--batch-size",
                "512",
                "--out",
                str(model),
                "--checkpoint",
                str(checkpoint),
            ]
        )
    return {
        "code": code,
        "out": out.getvalue(),
        "err": err.getvalue(),
        "model": model,
        "checkpoint": checkpoint,
        "folder": folder,
    }


def test_train_quick_run_table_and_final_line(quick_run):
    assert quick_run["code"] == 0, quick_run["err"]
    assert quick_run["err"] == ""
    rows, final = _train_table(quick_run["out"])
    assert len(rows) == 1
    epoch, loss, train_acc, test_acc, seconds = rows[0]
    assert epoch == 1
    assert 0 < loss < 2.0
    assert 0.8 < test_acc <= 1.0 and 0.5 < train_acc <= 1.0
    assert seconds > 0
    assert final.group(1) == f"{test_acc:.4f}"
    assert final.group(2) == "1"
    assert Path(final.group(3)) == quick_run["model"]
    assert quick_run["out"].splitlines()[-1].count("after 1 epoch,") == 1


def test_train_writes_the_model_atomically(quick_run):
    model = quick_run["model"]
    assert model.is_file()
    # Only the two files: no temporary file left beside them.
    assert sorted(p.name for p in quick_run["folder"].iterdir()) == sorted(
        [model.name, quick_run["checkpoint"].name]
    )
    net = nnio.load(model)
    assert {k: v.shape for k, v in net.parameters().items()} == {
        "0.W": (784, 32),
        "0.b": (32,),
        "2.W": (32, 10),
        "2.b": (10,),
    }
    recipe = json.loads(nnio.read_metadata(model)["recipe"])
    assert recipe == MLPConfig(hidden=(32,), epochs=1, batch_size=512).to_dict()


def test_evaluate_agrees_with_trains_test_accuracy(capsys, quick_run):
    assert quick_run["code"] == 0
    _, final = _train_table(quick_run["out"])
    code, out, err = run(capsys, "evaluate", quick_run["model"])
    assert code == 0, err
    assert f"accuracy: {final.group(1)} (" in out


def test_train_interrupted_leaves_an_existing_model_untouched(
    capsys, tmp_path, monkeypatch, mnist_env
):
    import nnscratch.recipes

    model = tmp_path / "keep.safetensors"
    model.write_bytes(b"the previous model")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nnscratch.recipes, "train_mnist", interrupted)
    code, _, err = run(capsys, "train", "--hidden", "8", "--out", model)
    assert code == 130
    # Defect 8: no --checkpoint, so the run is lost; the line says so and how to avoid it.
    assert err == (
        f"nnscratch: interrupted: no epoch finished; this run is lost (nothing saved to "
        f"{model}). With --checkpoint PATH every finished epoch is kept, and --resume "
        "continues from it\n"
    )
    assert model.read_bytes() == b"the previous model"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.safetensors"]


def test_train_that_diverges_is_one_line_and_saves_nothing(capsys, mnist_env, tmp_path):
    out_path = tmp_path / "diverged.safetensors"
    argv = ["train", "--hidden", "32", "--optimizer", "sgd", "--schedule", "constant"]
    code, _, err = run(capsys, *argv, "--lr", "1e4", "--epochs", "1", "--out", out_path)
    assert_one_line_error(code, err, "training diverged", "learning rate 10000")
    assert not out_path.exists()


def test_train_resume_refuses_another_one_cycle_length(capsys, quick_run, tmp_path):
    # One-cycle spans all epochs: resuming a 1-epoch run with --epochs 2 would follow
    # another learning-rate curve, so it is refused in one line and nothing is written.
    checkpoint = tmp_path / "state.safetensors"
    shutil.copyfile(quick_run["checkpoint"], checkpoint)
    out_path = tmp_path / "resumed.safetensors"
    argv = ["train", "--hidden", "32", "--batch-size", "512", "--epochs", "2"]
    code, _, err = run(capsys, *argv, "--out", out_path, "--checkpoint", checkpoint, "--resume")
    assert_one_line_error(
        code, err, "--resume: the checkpoint was trained with another schedule length"
    )
    assert not out_path.exists()


def test_train_resume_continues_to_the_next_epoch(capsys, mnist_env, tmp_path):
    checkpoint = tmp_path / "state.safetensors"
    out_path = tmp_path / "resumed.safetensors"
    argv = ["train", "--hidden", "32", "--batch-size", "512", "--schedule", "constant"]
    argv += ["--lr", "1e-3", "--out", out_path, "--checkpoint", checkpoint]
    code, _, err = run(capsys, *argv, "--epochs", "1")
    assert code == 0, err
    code, out, err = run(capsys, *argv, "--epochs", "2", "--resume")
    assert code == 0, err
    rows, final = _train_table(out)
    assert [row[0] for row in rows] == [2]  # epoch 1 came from the checkpoint
    assert final.group(2) == "2"
    assert nnio.load(out_path).parameters()["0.W"].shape == (784, 32)
    # Defect 7: the checkpoint holds epoch 2 of 2; resuming says so instead of an empty table.
    code, out, err = run(capsys, *argv, "--epochs", "2", "--resume")
    assert_one_line_error(code, err, "has already finished all 2 epochs", "nothing to train")
    assert out == ""


def test_train_resume_with_another_architecture_is_one_line(capsys, quick_run, tmp_path):
    checkpoint = tmp_path / "state.safetensors"
    shutil.copyfile(quick_run["checkpoint"], checkpoint)
    code, _, err = run(
        capsys,
        "train",
        "--hidden",
        "64",
        "--epochs",
        "2",
        "--out",
        tmp_path / "m.safetensors",
        "--checkpoint",
        checkpoint,
        "--resume",
    )
    assert_one_line_error(code, err, "state.safetensors", "do not match")


def test_train_quiet_prints_only_the_final_line(capsys, tmp_path, mnist_env):
    code, out, _ = run(
        capsys,
        "train",
        "--hidden",
        "none",
        "--epochs",
        "1",
        "--batch-size",
        "1000",
        "--quiet",
        "--out",
        tmp_path / "softmax.safetensors",
    )
    assert code == 0
    assert len(out.splitlines()) == 1
    assert FINAL_LINE.match(out.strip())
    net = nnio.load(tmp_path / "softmax.safetensors")
    assert list(net.parameters()) == ["0.W", "0.b"]  # softmax regression


@pytest.mark.slow
def test_train_default_recipe_reaches_98_percent(capsys, tmp_path, monkeypatch, mnist_env):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "train")
    assert code == 0, err
    rows, final = _train_table(out)
    assert [row[0] for row in rows] == [1, 2, 3, 4]
    assert float(final.group(1)) >= 0.98
    assert Path(final.group(3)) == Path("mnist-mlp.safetensors")
    net = nnio.load(tmp_path / "mnist-mlp.safetensors")
    assert net.num_params() == 269_322
    print(out, file=sys.__stderr__)  # the run's table, for the record with -s


# ------------------------------------------------------------------ real processes


def _nnscratch_command() -> list[str]:
    script = Path(sys.executable).parent / "nnscratch"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "nnscratch.cli"]


def _spawn(argv, env_extra=None, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["module", "script"])
def test_subprocess_errors_are_one_line(tmp_path, launcher):
    base = [sys.executable, "-m", "nnscratch.cli"] if launcher == "module" else _nnscratch_command()
    marker = tmp_path / "PAYLOAD-RAN"
    hostile = _hostile_pickle(tmp_path / "evil.pkl", marker)
    cases = [
        (["bogus"], "invalid choice"),
        (["evaluate", tmp_path / "missing.safetensors"], "no such file"),
        (["evaluate", tmp_path], "expected a model file, got a folder"),
        (["evaluate", hostile], "refusing to load"),
        (["train", "--epochs", "0"], "--epochs"),
        (["train", "--hidden", "10,x"], "--hidden"),
        (["train", "--resume"], "--resume needs --checkpoint"),
    ]
    for argv, fragment in cases:
        proc = _spawn([*base, *argv], cwd=tmp_path)
        assert proc.returncode == 2, (argv, proc.stderr)
        assert proc.stdout == ""
        assert_one_line_error(proc.returncode, proc.stderr, fragment)
    assert not marker.exists()


# Runs the command in a fresh interpreter with every MNIST source failing and
# nothing reaching the network: no mirrors, no pip.
_OFFLINE_MAIN = """
import sys
import nnscratch.datasets.mnist as m
import nnscratch.datasets.mnist_sources as sources
from nnscratch.cli import main

def no_pip(dest):
    raise sources._SourceFailed("pip disabled in this test")

m.MIRRORS = ()
sources._pip_download = no_pip
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_subprocess_help_and_mnist_unavailable(tmp_path):
    proc = _spawn([*_nnscratch_command(), "--help"])
    assert proc.returncode == 0 and "COMMAND" in proc.stdout
    env = {"NNSCRATCH_HOME": str(tmp_path / "home"), "NNSCRATCH_MNIST_DIR": str(tmp_path / "none")}
    for argv in (["data", "mnist"], ["show", "0", "--out", tmp_path / "x.png"]):
        proc = _spawn([sys.executable, "-c", _OFFLINE_MAIN, *argv], env)
        assert_one_line_error(proc.returncode, proc.stderr, "MNIST could not be loaded")
        assert proc.stdout == ""


@pytest.mark.slow
def test_subprocess_train_then_evaluate(tmp_path, mnist_gz_dir):
    folder = mnist_gz_dir
    env = {"NNSCRATCH_HOME": str(tmp_path / "home"), "NNSCRATCH_MNIST_DIR": str(folder)}
    model = tmp_path / "m.safetensors"
    argv = ["train", "--hidden", "32", "--epochs", "1", "--batch-size", "512", "--out", model]
    proc = _spawn([*_nnscratch_command(), *argv], env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    _, final = _train_table(proc.stdout)
    proc = _spawn([sys.executable, "-m", "nnscratch.cli", "evaluate", model], env)
    assert proc.returncode == 0, proc.stderr
    assert f"accuracy: {final.group(1)} (" in proc.stdout


@pytest.mark.slow
def test_closed_pipe_stops_quietly():
    """`nnscratch plot --list | head -1`: no error line when the reader goes away."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch.cli", "demo", "activations"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before the command prints (it is still importing)
    _, err = proc.communicate(timeout=60)
    assert b"error" not in err and b"Traceback" not in err, err
    assert proc.returncode == 141

"""The book's scripts, written in its style, run on nnscratch.book and print the book's numbers.

``tests/book_repo`` is laid out as the book's repository: ``common/*.py`` and
``dataset/mnist.py`` hold the one line ``from nnscratch.book import *``, and
each ``chNN/`` script does ``sys.path.append(os.pardir)`` and imports from
``common``, as the book's do. Each script runs in a subprocess from its
chapter folder; the numbers it prints are checked against the values the
book prints (Saitoh, "Deep Learning from Scratch", chapters 3 to 6).

The subprocesses use one BLAS thread: on a shared two-core machine
OpenBLAS's worker threads spin, and a 784-50-10 gradient takes 20 ms
instead of 1.5 ms.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BOOK_WEIGHTS_HINT, book_weights_path

HERE = Path(__file__).resolve().parent
BOOK_REPO = HERE / "book_repo"
SRC = HERE.parent / "src"
NUMBER = r"[-+]?\d+\.?\d*(?:e[-+]?\d+)?"


def run(script: str, root: Path = BOOK_REPO, **env: str) -> str:
    """Run ``<root>/<script>`` from its chapter folder; its standard output."""
    path = root / script
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        **env,
    }
    done = subprocess.run(
        [sys.executable, path.name],
        cwd=path.parent,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def book_copy(tmp_path: Path) -> Path:
    """A copy of ``book_repo`` for scripts that write files (params.pkl, figures)."""
    root = tmp_path / "book_repo"
    shutil.copytree(BOOK_REPO, root, ignore=shutil.ignore_patterns("__pycache__", "*.pkl", "*.png"))
    return root


def is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def numbers(line: str) -> list[float]:
    return [float(v) for v in re.findall(NUMBER, line)]


def line_of(out: str, prefix: str) -> str:
    found = [line for line in out.splitlines() if line.startswith(prefix)]
    assert found, f"no line starting with {prefix!r} in:\n{out}"
    return found[0]


def test_every_common_file_is_one_line():
    files = [*sorted((BOOK_REPO / "common").glob("*.py")), BOOK_REPO / "dataset" / "mnist.py"]
    names = {f.stem for f in files}
    assert {"functions", "gradient", "layers", "optimizer", "util", "trainer"} <= names
    assert {"multi_layer_net", "multi_layer_net_extend", "mnist"} <= names
    for f in files:
        text = f.read_text()
        if f.stem == "__init__":
            assert text == ""
        else:
            assert text == "from nnscratch.book import *\n", f


# ------------------------------------------------------------------ chapter 3


def test_ch03_activations():
    out = run("ch03/activations.py")
    assert line_of(out, "step_function") == "step_function [0 1 1] int64"
    assert numbers(line_of(out, "sigmoid")) == pytest.approx([0.26894142, 0.73105858, 0.88079708])
    assert numbers(line_of(out, "relu")) == [0.0, 0.0, 2.5]


def test_ch03_three_layer_net_prints_the_books_output():
    out = run("ch03/three_layer_net.py")
    assert numbers(line_of(out, "forward")) == pytest.approx([0.31682708, 0.69627909], abs=1e-8)


@pytest.mark.slow
def test_ch03_mnist_show():
    out = run("ch03/mnist_show.py")
    assert line_of(out, "shapes") == "shapes (60000, 784) (60000,) (10000, 784) (10000,)"
    assert line_of(out, "dtypes") == "dtypes uint8 uint8"
    assert line_of(out, "label") == "label 5"  # the book's first training image is a 5
    assert line_of(out, "saved") == "saved digit.png True"
    normalized = line_of(out, "normalized")
    assert normalized.startswith("normalized (60000, 1, 28, 28) float32 1.0 float64 [0. 0. 0.")


@pytest.mark.slow
def test_ch03_neuralnet_mnist_accuracy_is_the_books_0_9352():
    found = book_weights_path()  # $NNSCRATCH_BOOK_WEIGHTS, else ../shared/reference
    weights = os.environ.get("NNSCRATCH_SAMPLE_WEIGHT") or (str(found) if found else "")
    if not weights or not Path(weights).exists():
        pytest.skip(BOOK_WEIGHTS_HINT)
    out = run("ch03/neuralnet_mnist.py", NNSCRATCH_SAMPLE_WEIGHT=weights)
    assert "Accuracy:0.9352" in out.splitlines()
    assert "Batch accuracy:0.9352" in out.splitlines()


# ------------------------------------------------------------------ chapter 4


def test_ch04_loss_functions():
    out = run("ch04/loss_functions.py")
    assert numbers(line_of(out, "mean_squared_error")) == pytest.approx([0.0975, 0.5975])
    assert numbers(line_of(out, "batch of both")) == pytest.approx([0.695, 0.695])
    ce = numbers(line_of(out, "cross_entropy_error"))
    assert ce == pytest.approx([0.510825457, 2.302584093], abs=1e-9)
    # -log(softmax([0.3, 2.9, 4.0])[2]) = -log(0.73659691)
    assert numbers(line_of(out, "softmax_loss")) == pytest.approx([0.30571433], abs=1e-8)


def test_ch04_numerical_diff_prints_the_books_floats():
    out = run("ch04/gradient_1d.py")
    assert line_of(out, "numerical_diff") == "numerical_diff 0.1999999999990898 0.2999999999986347"


def test_ch04_gradient_2d_on_the_grid():
    out = run("ch04/gradient_2d.py")
    grid = line_of(out, "grid")
    assert grid.startswith("grid (2, 324) max error")
    assert numbers(grid)[-1] < 1e-7
    assert line_of(out, "same as numerical_gradient_2d") == "same as numerical_gradient_2d True"
    assert numbers(line_of(out, "at [3.0, 4.0]"))[2:] == pytest.approx([6, 8])
    assert numbers(line_of(out, "at [0.0, 2.0]"))[2:] == pytest.approx([0, 4], abs=1e-9)


def test_ch04_gradient_method():
    out = run("ch04/gradient_method.py")
    assert numbers(line_of(out, "lr 0.1 "))[1:] == pytest.approx(
        [-6.11110793e-10, 8.14814391e-10], rel=1e-6
    )
    assert numbers(line_of(out, "lr 10.0"))[1:] == pytest.approx(
        [-2.58983747e13, -1.29524862e12], rel=1e-6
    )
    assert numbers(line_of(out, "lr 1e-10"))[1:] == pytest.approx([-2.99999994, 3.99999992])


def test_ch04_simple_net_gradient_is_the_books():
    out = run("ch04/gradient_simplenet.py")
    assert numbers(line_of(out, "predict")) == pytest.approx(
        [1.05414809, 0.63071653, 1.1328074, 2], abs=1e-7
    )
    assert numbers(line_of(out, "loss")) == pytest.approx([0.92806853663411326], abs=1e-6)
    book_dw = [0.21924763, 0.14356247, -0.36281009, 0.32887144, 0.2153437, -0.54421514]
    assert numbers(line_of(out, "dW")) == pytest.approx(book_dw, abs=2e-7)


def test_ch04_two_layer_net_gradient_check():
    out = run("ch04/gradient_check.py")
    diffs = {line.split(":")[0]: float(line.split(":")[1]) for line in out.splitlines()}
    assert set(diffs) == {"W1", "b1", "W2", "b2"}
    assert max(diffs.values()) < 1e-6, diffs


@pytest.mark.slow
def test_ch04_train_neuralnet_learns_with_sigmoid_grad():
    out = run("ch04/train_neuralnet.py")
    epochs = [numbers(line) for line in out.splitlines() if line.startswith("train acc")]
    assert len(epochs) == 2
    # the book's figure 4-12: about 0.78 after one epoch, 0.87 after two
    assert 0.72 < epochs[0][1] < 0.85 and 0.84 < epochs[1][1] < 0.92, epochs
    first, last = numbers(line_of(out, "first loss"))
    assert first == pytest.approx(2.30, abs=0.05)  # log(10): ten classes, no knowledge
    assert last < 0.7


# ------------------------------------------------------------------ chapter 5


def test_ch05_layers():
    out = run("ch05/layer_check.py")
    assert line_of(out, "Relu mask") == (
        "Relu mask [[False, True], [True, False]] dx [[1.0, 0.0], [0.0, 1.0]]"
    )
    assert line_of(out, "relu_grad").endswith("dout kept [[1.0, 1.0], [1.0, 1.0]]")
    assert numbers(line_of(out, "Sigmoid dx"))[0] < 1e-15
    assert line_of(out, "Affine (") == "Affine (2, 3) (2, 3, 2, 2) (12, 3) [2.0, 2.0, 2.0]"
    assert line_of(out, "Affine sees W") == "Affine sees W True"
    loss, *dx = numbers(line_of(out, "SoftmaxWithLoss"))
    # softmax([0.3, 2.9, 4.0]) = [0.01821127, 0.24519181, 0.73659691] (book 3.5.1);
    # the loss is the mean of -log(p + 1e-7) at the answers 2 and 1
    assert loss == pytest.approx((0.30571433 + 1.40571433) / 2, abs=1e-6)
    p = [0.01821127, 0.24519181, 0.73659691]
    expected = [p[0] / 2, p[1] / 2, (p[2] - 1) / 2, p[0] / 2, (p[1] - 1) / 2, p[2] / 2]
    assert dx == pytest.approx(expected, abs=1e-8)


@pytest.mark.slow
def test_ch05_gradient_check_below_1e_6():
    out = run("ch05/gradient_check.py")
    worst = {line.split(":")[0]: numbers(line.split(":", 1)[1])[-1] for line in out.splitlines()}
    assert set(worst) == {"W1", "b1", "W2", "b2"}
    assert max(worst.values()) < 1e-6, worst


@pytest.mark.slow
def test_ch05_train_neuralnet_reaches_0_97():
    out = run("ch05/train_neuralnet.py")
    epochs = [numbers(line) for line in out.splitlines()]
    assert len(epochs) == 16  # 10,000 iterations of 100 images: 16 whole epochs
    train, test = epochs[-1]
    assert 0.965 <= test <= 0.98 and abs(train - test) < 0.015, epochs[-1]


# ------------------------------------------------------------------ chapter 6


def test_ch06_optimizers_on_the_books_function():
    out = run("ch06/optimizer_compare_naive.py")
    finals = {line.split()[0]: numbers(line)[-1] for line in out.splitlines()}
    assert list(finals) == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
    # from f(-7, 2) = 6.45, 30 updates bring every optimizer near the minimum at (0, 0)
    assert all(f < 0.15 for f in finals.values()), finals


@pytest.mark.slow
def test_ch06_optimizer_compare_mnist_has_the_books_ordering():
    out = run("ch06/optimizer_compare_mnist.py")
    smoothed = {}
    for line in out.splitlines():
        if line.startswith("smoothed"):
            first, last = numbers(line)
            smoothed[line.split()[1].rstrip(":")] = (first, last)
    assert set(smoothed) == {"SGD", "Momentum", "AdaGrad", "Adam"}
    for first, last in smoothed.values():
        assert last < first / 4  # every loss decreases
    # figure 6-9: SGD learns slowest; AdaGrad, then Adam and Momentum, faster
    last = {k: v[1] for k, v in smoothed.items()}
    assert last["SGD"] > max(last["Momentum"], last["AdaGrad"], last["Adam"])
    assert last["AdaGrad"] < last["Momentum"]


def test_ch06_batch_norm_gradient_check():
    out = run("ch06/batch_norm_gradient_check.py")
    lines = {line.split(":")[0]: numbers(line.split(":", 1)[1]) for line in out.splitlines()}
    assert set(lines) == {"W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"}
    for key, (average, worst) in lines.items():
        assert average < 1e-6 and worst < 1e-5, (key, average, worst)


def _accuracies(out: str, prefix: str) -> dict[str, tuple[float, float]]:
    result = {}
    for line in out.splitlines():
        if line.startswith(prefix):
            setting, rest = line.split(",", 1)
            result[setting.split(":")[1]] = tuple(numbers(rest)[:2])
    return result


@pytest.mark.slow
def test_ch06_weight_decay_narrows_the_gap():
    acc = _accuracies(run("ch06/overfit_weight_decay.py"), "weight_decay_lambda")
    (train0, test0), (train1, test1) = acc["0"], acc["0.1"]
    # figure 6-20: 300 images are learnt by heart (train 1.0, test about 0.75) ...
    assert train0 == 1.0 and 0.65 < test0 < 0.82
    # ... figure 6-21: with lambda = 0.1 training accuracy stays below 1 and the gap narrows
    assert train1 < 1.0 and train1 - test1 < train0 - test0 - 0.03


@pytest.mark.slow
def test_ch06_dropout_narrows_the_gap():
    acc = _accuracies(run("ch06/overfit_dropout.py"), "use_dropout")
    (train0, test0), (train1, test1) = acc["False"], acc["True"]
    assert train0 == 1.0 and 0.65 < test0 < 0.82  # figure 6-23, left
    assert train1 < 1.0 and train1 - test1 < train0 - test0 - 0.03  # right


@pytest.mark.slow
def test_ch06_hyperparameter_search():
    out = run("ch06/hyperparameter_optimization.py")
    trials = [numbers(line) for line in out.splitlines() if line.startswith("val acc")]
    assert len(trials) == 3
    assert max(t[0] for t in trials) > 0.6  # learning rates near 1e-2 learn in 20 epochs
    assert all(1e-8 <= t[2] <= 1e-4 for t in trials)


def test_ch07_conv_output_size():
    out = run("ch07/conv_output_size.py").split()
    assert out == ["4.0", "3.0", "10.0", "11.0"]  # the book's examples in 7.2.4


def test_ch07_gradient_check_below_1e_6():
    out = run("ch07/gradient_check.py")
    lines = {line.split()[0]: numbers(line.split(None, 1)[1]) for line in out.splitlines()}
    assert set(lines) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for key, (mean, worst) in lines.items():
        assert worst < 1e-6, key  # float64 backprop against central differences, 3 images
        assert mean <= worst


@pytest.mark.slow
def test_ch07_train_convnet_then_its_filters(tmp_path):
    root = book_copy(tmp_path)
    out = run("ch07/train_convnet.py", root)
    # 2 epochs (100 Adam steps) on the book's 5,000 images for slow machines
    assert numbers(line_of(out, "final test acc"))[0] >= 0.85
    assert "Saved Network Parameters!" in out
    ch07 = root / "ch07"
    assert is_png(ch07 / "train_convnet.png")

    # figure 7-24: random filters are noise, trained ones smooth (neighbouring weights alike)
    out = run("ch07/visualize_filter.py", root)
    assert abs(numbers(line_of(out, "neighbour correlation before"))[0]) < 0.1
    assert numbers(line_of(out, "neighbour correlation after"))[0] > 0.5
    assert is_png(ch07 / "filters_before.png") and is_png(ch07 / "filters_after.png")

    out = run("ch07/apply_filter.py", root)
    assert numbers(line_of(out, "label"))[:3] == [7, 24, 24]
    assert is_png(ch07 / "apply_filter.png")


# ------------------------------------------------------------------ chapter 8


@pytest.mark.slow
def test_ch08_deepnet_trains_its_mistakes_and_half_floats(tmp_path):
    root = book_copy(tmp_path)
    out = run("ch08/train_deepnet.py", root)
    # 30 Adam steps on 3,000 images (the book: 20 epochs of 60,000); chance is 0.1
    trained = numbers(line_of(out, "final test acc"))[0]
    assert trained >= 0.6

    out = run("ch08/misclassified_mnist.py", root)
    acc = numbers(line_of(out, "test accuracy"))[0]
    assert acc == trained  # the same 500 test images through the loaded parameters
    pairs = ast.literal_eval(out.splitlines()[-1])  # the dict the script printed
    assert len(pairs) == 20 and all(label != guess for label, guess in pairs.values())
    assert is_png(root / "ch08" / "misclassified_mnist.png")

    out = run("ch08/half_float_network.py", root).splitlines()
    accs = {
        name: float(out[i + 1])
        for i, line in enumerate(out)
        for name in ("float64", "float32", "float16")
        if f"({name})" in line
    }
    assert accs["float64"] == trained
    assert abs(accs["float32"] - accs["float64"]) <= 0.005
    assert abs(accs["float16"] - accs["float32"]) <= 0.005  # the book: no loss from float16

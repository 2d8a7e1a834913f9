"""The two experiments behind `nnscratch demo preprocessing` and `demo features`, on subsets."""

import math
from pathlib import Path

import numpy as np
import pytest

from nnscratch.features import compare

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small(mnist):
    """3,000 training and 1,000 test images as 0-255 integers, as load_mnist(normalize=False)."""
    (x, t), (xs, ts) = mnist
    raw = lambda a: np.rint(np.asarray(a) * 255).astype(np.uint8)  # noqa: E731
    return (raw(x[:3000]), t[:3000]), (raw(xs[:1000]), ts[:1000])


def test_preprocessing_experiment_raw_pixels_kill_the_relu_net(small):
    runs = {r.name: r for r in compare.preprocessing_experiment(small, epochs=2)}
    assert list(runs) == ["raw 0-255", "/255", "standardised", "PCA-whitened", "ZCA-whitened"]
    for run in runs.values():
        assert len(run.losses) == 60 and len(run.accuracy) == 2 and run.diverged is None
    # 0-255 inputs: every first-layer ReLU dies, the loss stays at a uniform guess, ln 10.
    assert runs["raw 0-255"].losses[-1] == pytest.approx(math.log(10), abs=0.01)
    assert runs["raw 0-255"].accuracy[-1] < 0.2
    # 60 steps: standardised inputs are already far ahead of /255 (0.72 against 0.46 measured).
    assert runs["standardised"].accuracy[-1] > runs["/255"].accuracy[-1] + 0.1
    assert runs["standardised"].loss_at(60) < runs["/255"].loss_at(60)
    table = compare.preprocessing_table(list(runs.values()))
    assert table.splitlines()[0].split()[:3] == ["input", "loss", "@100"]
    assert "nan" not in table


def test_features_experiment_rows_without_sklearn(small):
    rows = compare.features_experiment(small, sklearn=False, log=lambda _msg: None)
    names = [r.method for r in rows]
    assert names[:4] == ["raw pixels + 3-NN", "PCA-50 + 3-NN", "HOG + 3-NN",
                         "HOG + linear SVM (one-vs-rest)"]  # fmt: skip
    assert "MLP" in names[4] and "end to end" in names[4]
    assert "CNN" in names[5] and "end to end" in names[5]
    acc = {r.method: r.accuracy for r in rows}
    assert acc["HOG + 3-NN"] > acc["raw pixels + 3-NN"] > 0.85
    assert acc["HOG + linear SVM (one-vs-rest)"] > 0.9
    assert all(r.sklearn_accuracy is None and r.predict_seconds > 0 for r in rows)
    # The bundled CNN (99.25% on the full test set); its fit time is the documented one.
    cnn = rows[5]
    assert cnn.accuracy > 0.98 and cnn.accuracy > acc["HOG + linear SVM (one-vs-rest)"]
    assert cnn.fit_seconds == compare.CNN_FIT_SECONDS and "docs/cnn.md" in cnn.fit_source
    assert all(r.fit_source is None for r in rows[:5])  # measured in this run
    table = compare.features_table(rows)
    assert "3.09%" in table and "1.4%" in table
    cnn_line = next(line for line in table.splitlines() if line.startswith(cnn.method))
    assert f"{compare.CNN_FIT_SECONDS}*" in cnn_line.split()
    assert f"* fit s of {cnn.method}: the bundled model's documented training time" in table


def test_the_cnn_fit_time_is_the_one_docs_cnn_reports():
    rows = (REPO / "docs" / "cnn.md").read_text(encoding="utf-8").splitlines()
    seed0 = next(r.split() for r in rows if r.startswith("0 ") and "bundled model" in r)
    assert float(seed0[2]) == compare.CNN_FIT_SECONDS

"""The two measurements behind ``nnscratch demo preprocessing`` and ``demo features``.

``preprocessing_experiment`` trains the chapter-5 two-layer network on five
versions of the same MNIST pixels; ``features_experiment`` sets hand-made
features with classic learners against end-to-end networks on the whole
MNIST test set. Both return rows the demos print as one table and the
figures draw. This module sits above the library (it trains networks); the
rest of ``nnscratch.features`` does not import it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import nnscratch as nn  # the public API only: the library's layout may change under it
from nnscratch.features.hog import hog
from nnscratch.features.knn import KNeighborsClassifier
from nnscratch.features.svm import LinearSVM
from nnscratch.preprocessing import PCA, ZCA, StandardScaler
from nnscratch.recipes import MLPConfig, train_mnist

__all__ = [
    "END_TO_END",
    "HOG_MNIST",
    "LECUN",
    "FeatureRow",
    "PreprocessingRun",
    "features_experiment",
    "features_table",
    "preprocessing_experiment",
    "preprocessing_table",
    "preprocessings",
]

Data = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# HOG for 28 x 28 digits: 7 x 7 cells of 4 x 4 pixels, blocks of 2 x 2 cells.
HOG_MNIST: dict[str, Any] = {
    "orientations": 9,
    "pixels_per_cell": (4, 4),
    "cells_per_block": (2, 2),
}
WHITEN_EPSILON = 0.1  # on pixels in [0, 1]: directions with variance below ~0.1 are not blown up

# LeCun, Cortes & Burges, "The MNIST database", error rates on the test set.
LECUN = (
    ("K-nearest-neighbors, Euclidean (L2)", 3.09),
    ("40 PCA + quadratic classifier", 3.3),
    ("SVM, Gaussian kernel", 1.4),
)


# --------------------------------------------------------------------------- preprocessing


def preprocessings(x_train: np.ndarray) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Five views of 0-255 pixels (N, 784), each fitted on ``x_train`` only, as float32."""
    unit = x_train.astype(np.float32) / 255
    standard = StandardScaler().fit(unit)
    pca = PCA(whiten=True, epsilon=WHITEN_EPSILON).fit(unit)
    zca = ZCA(epsilon=WHITEN_EPSILON).fit(unit)
    return {
        "raw 0-255": lambda x: x.astype(np.float32),
        "/255": lambda x: x.astype(np.float32) / 255,
        "standardised": lambda x: standard.transform(x.astype(np.float32) / 255),
        "PCA-whitened": lambda x: pca.transform(x.astype(np.float32) / 255),
        "ZCA-whitened": lambda x: zca.transform(x.astype(np.float32) / 255),
    }


@dataclass
class PreprocessingRun:
    """One input version: the batch losses, test accuracy per epoch, divergence."""

    name: str
    losses: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    diverged: str | None = None

    def loss_at(self, step: int, window: int = 10) -> float:
        """Mean batch loss over steps ``step - window + 1 .. step`` (NaN if not reached)."""
        if len(self.losses) < step:
            return float("nan")
        return float(np.mean(self.losses[step - window : step]))


def two_layer_net(seed: int) -> nn.Sequential:
    """The chapter-5 network: 784-50-10, ReLU, weights N(0, 0.01^2), zero biases."""
    return nn.Sequential(
        [nn.Dense(784, 50, init=0.01), nn.Activation("relu"), nn.Dense(50, 10, init=0.01)],
        loss="softmax_cross_entropy",
        seed=seed,
    )


def preprocessing_experiment(
    data: Data | None = None, *, epochs: int = 5, seed: int = 0, lr: float = 0.1
) -> list[PreprocessingRun]:
    """Train the same network (same seed, same batches) on each view of the pixels.

    SGD with lr 0.1 and batches of 100, as the book's ``train_neuralnet.py``;
    the test accuracy after every epoch. A run whose loss or weights become
    non-finite stops there and says where.
    """
    (x_train, t_train), (x_test, t_test) = data or nn.datasets.load_mnist(normalize=False)
    runs = []
    for name, view in preprocessings(x_train).items():
        run = PreprocessingRun(name)
        net = two_layer_net(seed)
        xtr, xte = view(x_train), view(x_test)
        record = nn.callbacks.LambdaCallback(
            on_batch_end=lambda _step, logs, run=run: run.losses.append(float(logs["loss"])),
            on_epoch_end=lambda _e, _logs, net=net, run=run, xte=xte: run.accuracy.append(
                net.accuracy(xte, t_test)
            ),
        )
        try:
            nn.fit(net, xtr, t_train, optimizer=nn.optimizers.SGD(lr), epochs=epochs,
                   batch_size=100, seed=seed, verbose=0, callbacks=[record])  # fmt: skip
        except nn.TrainingDivergedError as exc:
            run.diverged = f"epoch {exc.epoch}, step {exc.step}"
        runs.append(run)
    return runs


def preprocessing_table(runs: list[PreprocessingRun]) -> str:
    """The runs as one table: loss after 100 steps, test accuracy after 1 and 5 epochs."""
    lines = [f"{'input':<14} {'loss @100 steps':>16} {'test acc 1 ep':>14} {'test acc 5 ep':>14}"]
    for r in runs:
        acc = [f"{a:.4f}" for a in r.accuracy[:1] + r.accuracy[4:5]]
        acc += ["diverged" if r.diverged else "-"] * (2 - len(acc))
        loss = r.loss_at(100)
        shown = f"{loss:.4f}" if np.isfinite(loss) else "diverged"
        lines.append(f"{r.name:<14} {shown:>16} {acc[0]:>14} {acc[1]:>14}")
        if r.diverged:
            lines[-1] += f"   (diverged at {r.diverged})"
    return "\n".join(lines)


# --------------------------------------------------------------------------- features


@dataclass
class FeatureRow:
    """One method on the MNIST test set; ``sklearn_*`` are None without scikit-learn.

    ``fit_source`` is None when this run measured ``fit_seconds``; otherwise it
    says where the figure comes from (a documented training time), and the
    table marks it.
    """

    method: str
    accuracy: float
    fit_seconds: float
    predict_seconds: float
    sklearn_accuracy: float | None = None
    sklearn_fit_seconds: float | None = None
    sklearn_predict_seconds: float | None = None
    fit_source: str | None = None


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _classic_row(
    method: str, ours: Any, peer: Any, f_train: np.ndarray, t_train: np.ndarray,
    f_test: np.ndarray, t_test: np.ndarray, extra_fit: float = 0.0, extra_predict: float = 0.0,
) -> FeatureRow:  # fmt: skip
    """Fit and score ``ours`` (and the scikit-learn ``peer`` if given) on the same features."""
    _, fit_s = _timed(lambda: ours.fit(f_train, t_train))
    pred, pred_s = _timed(lambda: ours.predict(f_test))
    row = FeatureRow(method, float(np.mean(pred == t_test)), fit_s + extra_fit,
                     pred_s + extra_predict)  # fmt: skip
    if peer is not None:
        _, fit_s = _timed(lambda: peer.fit(f_train, t_train))
        pred, pred_s = _timed(lambda: peer.predict(f_test))
        row.sklearn_accuracy = float(np.mean(pred == t_test))
        row.sklearn_fit_seconds, row.sklearn_predict_seconds = fit_s + extra_fit, pred_s
        row.sklearn_predict_seconds += extra_predict
    return row


def _sklearn() -> dict[str, Callable[[], Any]] | None:
    """scikit-learn's counterparts, or None when it is not installed."""
    try:  # optional: the demo runs without scikit-learn
        from sklearn.neighbors import KNeighborsClassifier as SkKNN
        from sklearn.svm import LinearSVC
    except ImportError:
        return None
    return {
        "knn": lambda: SkKNN(3, algorithm="brute"),
        "svm": lambda: LinearSVC(max_iter=2000),
    }


def _end_to_end(data: Data) -> FeatureRow:
    """The default ``nnscratch train`` model (nnscratch.recipes), trained from the pixels."""
    (x_train, t_train), (x_test, t_test) = data
    unit = ((x_train / np.float32(255), t_train), (x_test / np.float32(255), t_test))
    (net, _), fit_s = _timed(lambda: train_mnist(MLPConfig(), unit))
    pred, pred_s = _timed(lambda: np.argmax(net.predict(unit[1][0]), axis=1))
    return FeatureRow("pixels + MLP 784-256-256-10 (end to end)", float(np.mean(pred == t_test)),
                      fit_s, pred_s)  # fmt: skip


# The bundled "cnn" model's training run (seed 0 of the recipe), as docs/cnn.md
# reports it: CPU seconds on one thread, data loading and per-epoch test passes included.
CNN_FIT_SECONDS = 73.5
CNN_FIT_SOURCE = (
    f"the bundled model's documented training time (docs/cnn.md, seed 0: {CNN_FIT_SECONDS} "
    "CPU seconds on one thread), not measured by this run"
)


def _bundled_cnn(data: Data) -> FeatureRow:
    """The bundled ``cnn`` model (``nnscratch train --model cnn``, seed 0), already trained.

    Its accuracy and prediction time are measured here on the test images;
    its fit time is the recipe's documented one (:data:`CNN_FIT_SOURCE`).
    """
    _, (x_test, t_test) = data
    net = nn.load("cnn")
    unit = x_test / np.float32(255)
    pred, pred_s = _timed(lambda: np.argmax(net.predict(unit), axis=1))
    return FeatureRow("pixels + CNN, bundled cnn (end to end)", float(np.mean(pred == t_test)),
                      CNN_FIT_SECONDS, pred_s, fit_source=CNN_FIT_SOURCE)  # fmt: skip


# The end-to-end rows (name -> function of the data returning a FeatureRow): the
# default `nnscratch train` MLP, trained by the demo, and the bundled convolutional network.
END_TO_END: dict[str, Callable[[Data], FeatureRow]] = {"mlp": _end_to_end, "cnn": _bundled_cnn}


def features_experiment(
    data: Data | None = None,
    *,
    k: int = 3,
    sklearn: bool = True,
    log: Callable[[str], None] = print,
) -> list[FeatureRow]:
    """Every method of the comparison on the full MNIST test set, with fit and predict times.

    Rows: raw pixels + kNN, PCA-50 + kNN, HOG + kNN, HOG + linear SVM, then
    each entry of :data:`END_TO_END`. Feature extraction (PCA, HOG) counts
    in both times: fitting includes the training set's features, predicting
    the test set's. ``sklearn=True`` adds scikit-learn's figures when it is
    installed.
    """
    (x_train, t_train), (x_test, t_test) = data or nn.datasets.load_mnist(normalize=False)
    peers = _sklearn() if sklearn else None
    unit_train, unit_test = x_train.astype(np.float32) / 255, x_test.astype(np.float32) / 255
    rows = []
    log("raw pixels + kNN ...")
    rows.append(
        _classic_row(
            f"raw pixels + {k}-NN",
            KNeighborsClassifier(k),
            peers and peers["knn"](),
            unit_train,
            t_train,
            unit_test,
            t_test,
        )
    )
    log("PCA-50 + kNN ...")
    pca, pca_s = _timed(lambda: PCA(50).fit(unit_train))
    p_train, ptr_s = _timed(lambda: pca.transform(unit_train))
    p_test, pte_s = _timed(lambda: pca.transform(unit_test))
    rows.append(
        _classic_row(
            f"PCA-50 + {k}-NN",
            KNeighborsClassifier(k),
            peers and peers["knn"](),
            p_train,
            t_train,
            p_test,
            t_test,
            pca_s + ptr_s,
            pte_s,
        )
    )
    log("HOG features ...")
    h_train, htr_s = _timed(lambda: hog(unit_train, **HOG_MNIST))
    h_test, hte_s = _timed(lambda: hog(unit_test, **HOG_MNIST))
    log("HOG + kNN ...")
    rows.append(
        _classic_row(
            f"HOG + {k}-NN",
            KNeighborsClassifier(k),
            peers and peers["knn"](),
            h_train,
            t_train,
            h_test,
            t_test,
            htr_s,
            hte_s,
        )
    )
    log("HOG + linear SVM ...")
    rows.append(_classic_row("HOG + linear SVM (one-vs-rest)", LinearSVM(),
                             peers and peers["svm"](), h_train, t_train, h_test, t_test,
                             htr_s, hte_s))  # fmt: skip
    for name, run in END_TO_END.items():
        log(f"end to end: {name} ...")
        rows.append(run(((x_train, t_train), (x_test, t_test))))
    return rows


def features_table(rows: list[FeatureRow]) -> str:
    """The rows as one table; scikit-learn's figures beside ours where it has the method."""

    def cell(v: float | None, fmt: str) -> str:
        return "-" if v is None else format(v, fmt)

    head = (f"{'method':<42} {'accuracy':>9} {'sklearn':>8} {'fit s':>8} {'sklearn':>8} "
            f"{'predict s':>9} {'sklearn':>8}")  # fmt: skip
    lines, notes = [head], []
    for r in rows:
        fit = f"{r.fit_seconds:.1f}"
        if r.fit_source is not None:
            notes.append(f"{'*' * (len(notes) + 1)} fit s of {r.method}: {r.fit_source}")
            fit += "*" * len(notes)
        lines.append(
            f"{r.method:<42} {r.accuracy:>9.4f} {cell(r.sklearn_accuracy, '.4f'):>8} "
            f"{fit:>8} {cell(r.sklearn_fit_seconds, '.1f'):>8} "
            f"{r.predict_seconds:>9.1f} {cell(r.sklearn_predict_seconds, '.1f'):>8}"
        )
    lines += notes
    lines.append("LeCun's MNIST table, test error: " + "; ".join(f"{m} {e}%" for m, e in LECUN))
    return "\n".join(lines)

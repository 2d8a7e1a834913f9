"""The one convention of the classic networks (scikit-learn's), checked on every one of them.

``fit`` returns ``self``; what it learns ends in ``_`` and does not exist
before; ``predict`` before ``fit`` names ``fit``; ``score`` is the library's
accuracy (``metrics``) for the supervised ones; the same seed gives the same
fitted model; the learning rate is ``lr``.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from nnscratch import metrics
from nnscratch.classic import (
    ART1,
    SOM,
    NotFittedError,
    Perceptron,
    RBFClassifier,
    RBFNetwork,
)

_RNG = np.random.default_rng(0)
_BLOBS_X = np.vstack([m + 0.7 * _RNG.normal(size=(30, 2)) for m in ([0, 0], [3, 0], [0, 3])])
_BLOBS_T = np.repeat([0, 1, 2], 30)
_LINE_T = (_BLOBS_X @ [1.0, -1.0] > 0).astype(np.int64)  # linearly separable 0/1 labels
_BITS = (_RNG.random((40, 12)) < 0.4).astype(np.int64)
_BITS = _BITS[_BITS.sum(axis=1) > 0]

# name -> (make, x, t or None, learned attributes)
CASES = {
    "Perceptron": (
        lambda: Perceptron(2, lr=0.1, init="random", shuffle=True, max_epochs=200, seed=3),
        _BLOBS_X,
        _LINE_T,
        ("weights_", "threshold_", "n_iter_", "converged_", "history_"),
    ),
    "RBFNetwork": (
        lambda: RBFNetwork(6, centers="random", seed=1),
        _BLOBS_X,
        _LINE_T,
        ("centers_", "betas_", "weights_", "bias_"),
    ),
    "RBFNetwork-gd": (
        lambda: RBFNetwork(6, solver="gd", lr=0.5, epochs=50, train_betas=True, seed=1),
        _BLOBS_X,
        np.eye(3)[_BLOBS_T],
        ("centers_", "betas_", "weights_", "bias_", "history_"),
    ),
    "RBFClassifier": (
        lambda: RBFClassifier(9, seed=2),
        _BLOBS_X,
        _BLOBS_T,
        ("centers_", "betas_", "weights_", "bias_", "classes_"),
    ),
    "SOM": (
        lambda: SOM(4, 5, 2, sigma=1.5, n_iter=300, init="sample", seed=4),
        _BLOBS_X,
        None,
        ("weights_", "n_iter_"),
    ),
    "ART1": (
        lambda: ART1(rho=0.5),
        _BITS,
        None,
        ("categories_", "n_categories_", "labels_", "n_iter_", "converged_"),
    ),
}


def _fit(name: str):
    make, x, t, _ = CASES[name]
    net = make()
    return net, (net.fit(x) if t is None else net.fit(x, t))


@pytest.mark.parametrize("name", CASES)
def test_fit_returns_self(name):
    net, returned = _fit(name)
    assert returned is net


@pytest.mark.parametrize("name", CASES)
def test_learned_attributes_end_in_underscore_and_appear_only_with_fit(name):
    make, _, _, learned = CASES[name]
    net = make()
    params = set(net.get_params())
    public = {k for k in vars(net) if not k.startswith("_")}
    assert public == params  # before fit: the constructor's arguments and nothing else
    for attr in learned:
        assert not hasattr(net, attr), attr
    with pytest.raises(NotFittedError):
        getattr(net, learned[0])
    net, _ = _fit(name)
    for attr in learned:
        assert hasattr(net, attr), attr
    new = {k for k in vars(net) if not k.startswith("_")} - params
    assert all(k.endswith("_") for k in new), new
    assert new | {"weights_"} >= set(learned)  # SOM.weights_ is a property


@pytest.mark.parametrize("name", CASES)
def test_predict_before_fit_names_fit(name):
    net = CASES[name][0]()
    cls = type(net).__name__
    with pytest.raises(NotFittedError, match=f"^{cls}: call fit before predict"):
        net.predict(CASES[name][1])
    with pytest.raises(RuntimeError, match="fit"):  # NotFittedError is a RuntimeError too
        net.score(CASES[name][1], CASES[name][2])


@pytest.mark.parametrize("name", ["Perceptron", "RBFNetwork", "RBFNetwork-gd", "RBFClassifier"])
def test_score_is_metrics_accuracy_of_the_predictions(name):
    net, _ = _fit(name)
    _, x, t, _ = CASES[name]
    labels = metrics.target_labels(t)
    score = net.score(x, t)
    assert score == metrics.accuracy(
        labels, net.predict_classes(x) if "RBFN" in name else net.predict(x)
    )
    assert 0.5 < score <= 1.0


def test_perceptron_score_with_sign_labels_counts_matches():
    t = 2 * _LINE_T - 1
    p = Perceptron(2, activation="sign", max_epochs=3).fit(_BLOBS_X, t)
    assert p.score(_BLOBS_X, t) == np.mean(p.predict(_BLOBS_X) == t)


def test_unsupervised_scores():
    som, _ = _fit("SOM")
    assert som.score(_BLOBS_X) == -som.quantization_error(_BLOBS_X)
    assert som.predict(_BLOBS_X).tolist() == [
        r * som.cols + c for r, c in som.winners(_BLOBS_X).tolist()
    ]
    # ART1's worked example with rho = 0.6: prototypes 11000 and 00011; the matches of
    # 11100, 11000, 00011, 00111 are 2/3, 1, 1, 2/3: mean 5/6.
    x = np.array([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]])
    assert ART1(rho=0.6).fit(x).score(x) == pytest.approx(5 / 6)


@pytest.mark.parametrize("name", CASES)
def test_same_seed_same_fitted_model(name):
    _, a = _fit(name)
    _, b = _fit(name)
    x = CASES[name][1]
    np.testing.assert_array_equal(a.predict(x), b.predict(x))
    for attr in CASES[name][3]:
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr), err_msg=attr)
    refit = a.fit(x) if CASES[name][2] is None else a.fit(x, CASES[name][2])
    for attr in CASES[name][3]:  # fit starts afresh: fitting again changes nothing
        np.testing.assert_array_equal(getattr(refit, attr), getattr(b, attr), err_msg=attr)


@pytest.mark.parametrize("cls", [Perceptron, RBFNetwork, SOM])
def test_the_learning_rate_is_lr(cls):
    names = inspect.signature(cls).parameters
    assert "lr" in names
    assert not {"eta", "learning_rate"} & set(names)


@pytest.mark.parametrize("name", CASES)
def test_get_params_rebuild_the_network(name):
    net = CASES[name][0]()
    twin = type(net)(**net.get_params())
    assert repr(twin) == repr(net)
    assert repr(net).startswith(type(net).__name__ + "(")

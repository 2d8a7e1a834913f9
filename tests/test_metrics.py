"""nnscratch.metrics: confusion matrix, per-class accuracy and accuracy on hand-counted cases."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch.metrics import accuracy, confusion_matrix, per_class_accuracy

# Six samples of three classes, counted by hand:
#   true 0 -> predicted 0, 0, 1     (2 right of 3)
#   true 1 -> predicted 1           (1 of 1)
#   true 2 -> predicted 0, 2        (1 of 2)
T = [0, 0, 0, 1, 2, 2]
Y = [0, 1, 0, 1, 0, 2]
C = [
    [2, 1, 0],
    [0, 1, 0],
    [1, 0, 1],
]


def test_confusion_matrix_counts_by_hand():
    c = confusion_matrix(T, Y)
    assert c.shape == (3, 3)
    assert c.dtype == np.int64
    np.testing.assert_array_equal(c, C)
    assert c.sum() == len(T)
    np.testing.assert_array_equal(c.sum(axis=1), [3, 1, 2])  # class counts
    assert np.trace(c) == 4  # hits


def test_confusion_matrix_rows_are_true_columns_predicted():
    # One sample of class 0 called 2: only C[0, 2] is set, not C[2, 0].
    c = confusion_matrix([0], [2], num_classes=3)
    assert c[0, 2] == 1
    assert c.sum() == 1


def test_confusion_matrix_num_classes_pads_absent_classes():
    c = confusion_matrix(T, Y, num_classes=5)
    assert c.shape == (5, 5)
    np.testing.assert_array_equal(c[:3, :3], C)
    assert c[3:].sum() == 0
    assert c[:, 3:].sum() == 0


def test_confusion_matrix_accepts_any_integer_dtype():
    c = confusion_matrix(np.array(T, dtype=np.uint8), np.array(Y, dtype=np.int32))
    np.testing.assert_array_equal(c, C)


def test_confusion_matrix_empty_input():
    assert confusion_matrix([], [], num_classes=2).tolist() == [[0, 0], [0, 0]]


@pytest.mark.parametrize(
    ("t", "y", "kwargs", "message"),
    [
        ([0, 1], [0], {}, "y: expected the shape of t"),
        ([[0, 1]], [[0, 1]], {}, r"t: expected integer labels of shape \(N,\)"),
        ([0.0, 1.0], [0, 1], {}, "t: expected integer labels >= 0, got dtype float64"),
        ([0, -1], [0, 1], {}, "t: expected integer labels >= 0"),
        ([0, 1], [0, 3], {"num_classes": 3}, "num_classes: expected more than the largest label 3"),
        ([0, 1], [0, 1], {"num_classes": 0}, "num_classes"),
    ],
)
def test_confusion_matrix_errors(t, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(t, y, **kwargs)


def test_confusion_matrix_num_classes_type():
    with pytest.raises(TypeError, match=r"num_classes: expected an integer >= 1, got 2\.5"):
        confusion_matrix([0], [0], num_classes=2.5)


def test_per_class_accuracy_by_hand():
    recall = per_class_accuracy(np.array(C))
    assert recall.dtype == np.float64
    np.testing.assert_allclose(recall, [2 / 3, 1.0, 0.5])


def test_per_class_accuracy_nan_for_a_class_without_samples():
    recall = per_class_accuracy(confusion_matrix([0, 0, 2], [0, 1, 2], num_classes=3))
    assert recall[0] == 0.5
    assert np.isnan(recall[1])
    assert recall[2] == 1.0


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((2, 3)), np.zeros((2, 2, 2))])
def test_per_class_accuracy_needs_a_square_matrix(bad):
    with pytest.raises(ValueError, match=r"confusion: expected a square \(K, K\) matrix"):
        per_class_accuracy(bad)


def test_per_class_accuracy_refuses_negative_counts():
    with pytest.raises(ValueError, match="counts >= 0"):
        per_class_accuracy([[1, -1], [0, 1]])


def test_accuracy_by_hand():
    assert accuracy(T, Y) == pytest.approx(4 / 6)
    assert accuracy([3], [3]) == 1.0
    assert accuracy([3, 1], [1, 3]) == 0.0
    assert isinstance(accuracy(T, Y), float)


def test_accuracy_equals_trace_over_total():
    rng = np.random.default_rng(0)
    t, y = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    c = confusion_matrix(t, y, num_classes=10)
    assert accuracy(t, y) == np.trace(c) / 500


@pytest.mark.parametrize(
    ("t", "y", "message"),
    [
        ([], [], "t: expected at least one label, got none"),
        ([0, 1], [0, 1, 1], "y: expected the shape of t"),
        ([0, 1], [0.5, 1.0], "y: expected integer labels >= 0"),
    ],
)
def test_accuracy_errors(t, y, message):
    with pytest.raises(ValueError, match=message):
        accuracy(t, y)


def test_output_labels_argmax_and_single_sigmoid():
    from nnscratch.metrics import output_labels

    assert output_labels(np.array([[0.1, 0.3], [2.0, 1.0], [1.0, 1.0]])).tolist() == [1, 0, 0]
    assert output_labels(np.array([[-1.0], [2.0]]), "sigmoid").tolist() == [0, 1]
    assert output_labels(np.array([[0.4], [0.6]]), "sigmoid", logits=False).tolist() == [0, 1]


def test_target_labels_rule():
    from nnscratch.metrics import target_labels

    assert target_labels(np.array([2, 0])).tolist() == [2, 0]
    assert target_labels(np.eye(3)).tolist() == [0, 1, 2]  # one-hot rows, any head
    assert target_labels(np.array([[0.2, 0.8]]), "softmax").tolist() == [1]
    assert target_labels(np.array([[0.2, 0.8]])) is None  # regression rows, linear head
    assert target_labels(np.array([[0.2], [0.7]]), "sigmoid").tolist() == [0, 1]
    assert target_labels(np.array([[0.2], [0.7]])) is None


def test_count_correct():
    from nnscratch.metrics import count_correct

    assert count_correct(np.array([[0.0, 1.0], [3.0, 1.0]]), np.array([1, 1])) == 1

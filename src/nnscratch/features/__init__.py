"""Features a person designed, and the classic learners that use them.

Chapter 4 contrasts two ways to recognise a digit: features designed by hand
(SIFT, SURF, HOG) fed to a classic learner (an SVM, kNN), against a network
that learns end to end from the pixels. This package holds the first half,
written from scratch::

    from nnscratch.features import hog, KNeighborsClassifier, LinearSVM
    f_train, f_test = hog(x_train, 9, (4, 4), (2, 2)), hog(x_test, 9, (4, 4), (2, 2))
    LinearSVM().fit(f_train, t_train).score(f_test, t_test)

``nnscratch demo features`` measures both halves on the MNIST test set
(``nnscratch.features.compare``), and docs/features-vs-end-to-end.md reads
the table.
"""

from __future__ import annotations

from nnscratch.features.hog import BLOCK_NORMS, cell_histograms, hog, image_gradients
from nnscratch.features.knn import KNeighborsClassifier
from nnscratch.features.svm import LinearSVM

__all__ = [
    "BLOCK_NORMS",
    "KNeighborsClassifier",
    "LinearSVM",
    "cell_histograms",
    "hog",
    "image_gradients",
]

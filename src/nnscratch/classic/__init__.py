"""The classic networks of Zhou's chapter 5 and Saitoh's chapter 2: no layer stack.

One convention for all of them, scikit-learn's: hyperparameters in the
constructor, ``fit(x, t) -> self`` (``fit(x)`` for the unsupervised SOM and
ART1), learned attributes ending in ``_`` that exist only after ``fit``,
``predict`` and ``score``; the learning rate is ``lr`` (Zhou's ``eta``).

* :mod:`~nnscratch.classic.perceptron`: the book's logic gates and
  Rosenblatt's perceptron (:class:`Perceptron`);
* :mod:`~nnscratch.classic.rbf`: radial basis function networks
  (:class:`RBFNetwork`, :class:`RBFClassifier`), over
  :mod:`~nnscratch.classic.kmeans`;
* :mod:`~nnscratch.classic.som`: Kohonen's self-organizing map (:class:`SOM`),
  over :mod:`~nnscratch.classic.grid`;
* :mod:`~nnscratch.classic.art`: adaptive resonance theory (:class:`ART1`).
"""

from __future__ import annotations

from nnscratch.classic._base import NotFittedError
from nnscratch.classic.art import ART1
from nnscratch.classic.kmeans import KMeansResult, kmeans, pairwise_sq_distances
from nnscratch.classic.perceptron import AND, NAND, OR, XOR, Perceptron
from nnscratch.classic.rbf import RBFClassifier, RBFNetwork
from nnscratch.classic.som import SOM

__all__ = [
    "AND",
    "ART1",
    "NAND",
    "OR",
    "SOM",
    "XOR",
    "KMeansResult",
    "NotFittedError",
    "Perceptron",
    "RBFClassifier",
    "RBFNetwork",
    "kmeans",
    "pairwise_sq_distances",
]

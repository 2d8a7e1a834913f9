"""The book's ``common/layers.py`` (chapters 5 and 6): layer objects with ``forward``/``backward``.

Each class keeps what the book's keeps (``mask``, ``out``, ``x``, ``dW``,
``db``, ``running_mean``...) and takes its formulas from
``nnscratch.functional``. ``Affine`` and ``BatchNormalization`` hold the
very arrays they are given (the network's ``params["W1"]``...), so an
optimizer that updates the dict in place changes what the layer computes.

``Dropout`` draws its mask from the global ``np.random`` as the book does,
``np.random.rand(*x.shape) > dropout_ratio``, so ``np.random.seed`` fixes it.
"""

# ruff: noqa: NPY002  (Dropout draws from the global np.random, as the book does)

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch import functional as F
from nnscratch import losses
from nnscratch.book.functions import cross_entropy_error, relu, sigmoid, softmax

__all__ = ["Affine", "BatchNormalization", "Dropout", "Relu", "Sigmoid", "SoftmaxWithLoss"]


class Relu:
    """ReLU layer (book 5.5.1): ``forward`` keeps the mask ``x <= 0``, ``backward`` zeroes it.

    ``backward`` returns a new array; the book's writes the zeros into the
    caller's ``dout`` (the values are the same).
    """

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        return relu(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = np.array(dout, copy=True)
        dx[self.mask] = 0
        return dx


class Sigmoid:
    """Sigmoid layer (book 5.5.2): ``out = sigmoid(x)``; ``dx = dout * out * (1 - out)``."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.sigmoid_backward(self.out, dout)


class Affine:
    """``out = x W + b`` (book 5.6.2); x (N, ...) is flattened to (N, in), dx gets x's shape.

    ``W`` (in, out) and ``b`` (out,) are kept as given, not copied; after
    ``backward`` the gradients are in ``dW`` and ``db``.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W = W
        self.b = b
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return F.dense_forward(self.x, self.W, self.b)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, self.dW, self.db = F.dense_backward(self.x, self.W, dout)
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax and cross entropy as one layer (book 5.6.3).

    ``forward(x, t)`` returns the loss of scores ``x`` (N, K) for one-hot
    rows or labels ``t``; ``backward()`` returns ``(y - t) / N``.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None
        self.x: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.x, self.t = x, t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, t)
        return self.loss

    def backward(self, dout: Any = 1) -> np.ndarray:
        """``(softmax(x) - t) / N``, the gradient for the scores (``dout`` is 1, as the book's)."""
        return losses.softmax_cross_entropy_grad(self.x, self.t)


class Dropout:
    """Dropout (book 6.4.3; Srivastava et al. 2014), not rescaled in training.

    In training a unit is kept where ``np.random.rand(*x.shape) >
    dropout_ratio`` (the book's draw); at test time every output is scaled
    by ``1 - dropout_ratio`` instead. (The library's ``layers.Dropout``
    scales the kept units by ``1 / (1 - rate)`` in training and draws from
    its own Generator.)
    """

    def __init__(self, dropout_ratio: float = 0.5) -> None:
        self.dropout_ratio = dropout_ratio
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return F.dropout_forward(x, self.mask)
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return F.dropout_backward(self.mask, dout)


class BatchNormalization:
    """Batch normalization (book 6.3; Ioffe and Szegedy 2015) with ``eps = 1e-6`` as the book.

    In training ``x`` is normalised by the batch's mean and variance and
    ``running_mean``/``running_var`` move towards them by ``momentum``; at
    test time the running statistics are used. 4-D input (N, C, H, W) is
    normalised as (N, C*H*W), as the book does. ``gamma`` and ``beta`` are
    kept as given; after ``backward`` their gradients are ``dgamma``, ``dbeta``.
    """

    eps = 10e-7

    def __init__(
        self,
        gamma: np.ndarray,
        beta: np.ndarray,
        momentum: float = 0.9,
        running_mean: np.ndarray | None = None,
        running_var: np.ndarray | None = None,
    ) -> None:
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape: tuple[int, ...] | None = None
        self.running_mean = running_mean
        self.running_var = running_var
        self.batch_size: int | None = None
        self.xn: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.train_flg = True
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            mu, var = self.running_mean, self.running_var
        out, self.xn, self.std = F.batchnorm_forward(x, self.gamma, self.beta, mu, var, self.eps)
        self.batch_size, self.train_flg = x.shape[0], train_flg
        return out.reshape(self.input_shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = dout.reshape(dout.shape[0], -1)
        dx, self.dgamma, self.dbeta = F.batchnorm_backward(
            self.xn, self.std, self.gamma, dout, batch_stats=self.train_flg
        )
        return dx.reshape(self.input_shape)

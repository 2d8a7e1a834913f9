"""The book's names, for readers of "Deep Learning from Scratch" who run its scripts.

A drop-in for the book's ``common`` and ``dataset`` packages (chapters 3 to
8): a script that keeps its ``from common.layers import *`` and
``from dataset.mnist import load_mnist`` runs on nnscratch when each of those
files holds the one line ``from nnscratch.book import *``. The names have the
book's arguments, return values, dtypes and in-place behaviour, one module
per book file:

=========================  ===============================================
``functions``              activations, their derivatives, the losses
``gradient``               numerical differentiation, ``simpleNet``
``layers``                 ``Relu``, ``Sigmoid``, ``Affine``, ``SoftmaxWithLoss``,
                           ``Dropout``, ``BatchNormalization``
``optimizer``              ``SGD`` ... ``Adam`` with ``update(params, grads)``
``util``                   ``smooth_curve``, ``shuffle_dataset``, ``conv_output_size``
``trainer``                ``Trainer``
``multi_layer_net``        ``MultiLayerNet``
``multi_layer_net_extend`` ``MultiLayerNetExtend``
``mnist``                  ``load_mnist`` (``dataset/mnist.py``)
``neuralnet``              chapter 3's ``init_network``, ``forward``, ``predict``...
``conv``                   ``im2col``, ``col2im``, ``Convolution``, ``Pooling``,
                           ``SimpleConvNet``, ``DeepConvNet`` (``ch07``, ``ch08``)
=========================  ===============================================

The math is the library's (``nnscratch.functional``, ``activations``,
``losses``, ``numerical``, ``optimizers``); what is the book's own is the
bookkeeping: parameters in a dict ``W1, b1, ...`` that the layers hold and
the optimizers update in place, and the random numbers. Weights, dropout
masks, mini-batches and shuffles are drawn from the global ``np.random`` in
the book's order, so under ``np.random.seed(s)`` a script gives the book's
numbers (the library itself never touches the global generator).

Where the library differs from the book, and why: ``docs/book.md``.
"""

from __future__ import annotations

from nnscratch.book.conv import (
    Convolution,
    DeepConvNet,
    Pooling,
    SimpleConvNet,
    col2im,
    im2col,
)
from nnscratch.book.functions import (
    cross_entropy_error,
    identity_function,
    mean_squared_error,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_loss,
    step_function,
    sum_squared_error,
)
from nnscratch.book.gradient import (
    gradient_descent,
    numerical_diff,
    numerical_gradient,
    numerical_gradient_2d,
    simpleNet,
)
from nnscratch.book.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
)
from nnscratch.book.mnist import (
    download_mnist,
    img_dim,
    img_size,
    init_mnist,
    key_file,
    load_mnist,
    test_num,
    train_num,
)
from nnscratch.book.multi_layer_net import MultiLayerNet
from nnscratch.book.multi_layer_net_extend import MultiLayerNetExtend
from nnscratch.book.neuralnet import forward, get_data, img_show, init_network, predict
from nnscratch.book.optimizer import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from nnscratch.book.trainer import Trainer
from nnscratch.book.util import conv_output_size, shuffle_dataset, smooth_curve

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "Affine",
    "BatchNormalization",
    "Convolution",
    "DeepConvNet",
    "Dropout",
    "Momentum",
    "MultiLayerNet",
    "MultiLayerNetExtend",
    "Nesterov",
    "Pooling",
    "RMSprop",
    "Relu",
    "Sigmoid",
    "SimpleConvNet",
    "SoftmaxWithLoss",
    "Trainer",
    "col2im",
    "conv_output_size",
    "cross_entropy_error",
    "download_mnist",
    "forward",
    "get_data",
    "gradient_descent",
    "identity_function",
    "im2col",
    "img_dim",
    "img_show",
    "img_size",
    "init_mnist",
    "init_network",
    "key_file",
    "load_mnist",
    "mean_squared_error",
    "numerical_diff",
    "numerical_gradient",
    "numerical_gradient_2d",
    "predict",
    "relu",
    "relu_grad",
    "shuffle_dataset",
    "sigmoid",
    "sigmoid_grad",
    "simpleNet",
    "smooth_curve",
    "softmax",
    "softmax_loss",
    "step_function",
    "sum_squared_error",
    "test_num",
    "train_num",
]

"""nnscratch: neural networks from scratch in NumPy, done properly.

    import nnscratch as nn

    (x_train, t_train), (x_test, t_test) = nn.datasets.load_mnist()
    net = nn.Sequential([nn.Dense(784, 100), nn.Activation("relu"), nn.Dense(100, 10)],
                        loss="softmax_cross_entropy", seed=0)
    nn.fit(net, x_train, t_train, optimizer=nn.optimizers.Adam(1e-3), epochs=5,
           batch_size=100, validation_data=(x_test, t_test))
    nn.save(net, "mnist-mlp.safetensors")

Modules: activations, losses, numerical (the math); initializers, layers,
network (networks); training (the loop, and its callbacks, checkpoints,
optimizers, schedules and gradient hooks, also reachable as
``nn.optimizers``, ``nn.schedules``, ``nn.callbacks``, ``nn.hooks``);
datasets, io, metrics, images (data and files); classic (perceptron, RBF,
SOM, ART1: the other networks); minima (escaping local minima: strategies,
test problems, the experiment); recipes (the ``nnscratch train`` recipe);
book (the book's names); plots (figures, optional extra); cli (the
``nnscratch`` command).
"""

from __future__ import annotations

__version__ = "0.1.0"

from nnscratch import (
    activations,
    classic,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    minima,
    numerical,
    training,
)
from nnscratch._threads import get_num_threads, set_num_threads
from nnscratch.io import load, save
from nnscratch.layers import (
    Activation,
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool2D,
    Maxout,
    MaxPool2D,
    PReLU,
    Reshape,
)
from nnscratch.network import Sequential
from nnscratch.training import callbacks, hooks, optimizers, schedules
from nnscratch.training.callbacks import Callback, EarlyStopping, History
from nnscratch.training.loop import Trainer, TrainingDivergedError, fit

__all__ = [
    "Activation",
    "AvgPool2D",
    "BatchNorm",
    "Callback",
    "Conv2D",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "GlobalAvgPool2D",
    "History",
    "MaxPool2D",
    "Maxout",
    "PReLU",
    "Reshape",
    "Sequential",
    "Trainer",
    "TrainingDivergedError",
    "__version__",
    "activations",
    "callbacks",
    "classic",
    "datasets",
    "fit",
    "get_num_threads",
    "hooks",
    "initializers",
    "layers",
    "load",
    "losses",
    "metrics",
    "minima",
    "numerical",
    "optimizers",
    "save",
    "schedules",
    "set_num_threads",
    "training",
]

"""Resolve the MODEL argument of the CLI: a file, or the name of a bundled model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnscratch import io
from nnscratch.cli._common import CLIError, describe_non_file

__all__ = ["check_digit_classifier", "load_digit_classifier", "load_model"]

#: What evaluate and predict feed a model: flat 28 x 28 MNIST images, 10 classes.
MNIST_FEATURES = 784
MNIST_CLASSES = 10


def load_model(spec: str):
    """Load ``spec``: a model file (safetensors or the book's pickle) or a bundled name."""

    if not spec:
        raise CLIError("MODEL: expected a path, got an empty string")
    path = Path(spec)
    if path.is_file() or spec in io.bundled_models():
        return io.load(spec)
    if path.exists():
        raise CLIError(f"MODEL: expected a model file, got {describe_non_file(path)} {spec!r}")
    names = ", ".join(repr(n) for n in io.bundled_models())
    raise CLIError(f"MODEL: no such file {spec!r} (bundled models: {names})")


def check_digit_classifier(net, spec: str, command: str) -> None:
    """Refuse, in a sentence, a model that cannot classify MNIST digits.

    ``command`` needs 784 inputs (a flat 28 x 28 image) and a softmax over
    10 classes; a regression model (linear output), a sigmoid model or one
    with another number of classes would print meaningless accuracies.
    """
    needs = (
        f"{command} needs a digit classifier: {MNIST_FEATURES} inputs (a 28x28 image) and "
        f"a softmax output over {MNIST_CLASSES} classes"
    )
    shape = net.input_shape
    if shape is not None and tuple(shape) != (MNIST_FEATURES,):
        got = "x".join(str(d) for d in shape)
        raise CLIError(f"MODEL {spec!r}: {needs}; this model expects inputs of {got} features")
    outputs = net.predict(np.zeros((1, MNIST_FEATURES), dtype=net.dtype)).shape[-1]
    kind = net.output_activation
    if kind != "softmax":
        what = {"sigmoid": "a sigmoid output (independent yes/no scores)"}.get(
            kind, "a linear output (regression)"
        )
        raise CLIError(f"MODEL {spec!r}: {needs}; this model has {what} with {outputs} outputs")
    if outputs != MNIST_CLASSES:
        raise CLIError(f"MODEL {spec!r}: {needs}; this model has {outputs} classes")


def load_digit_classifier(spec: str, command: str):
    """:func:`load_model`, then :func:`check_digit_classifier` for ``command``."""
    net = load_model(spec)
    check_digit_classifier(net, spec, command)
    return net

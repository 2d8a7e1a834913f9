"""``nnscratch evaluate MODEL``: accuracy on the MNIST test set, per class, and speed."""

from __future__ import annotations

import argparse
import time

import numpy as np

from nnscratch.cli._common import add_command, load_mnist, positive_int
from nnscratch.cli._models import load_digit_classifier
from nnscratch.metrics import confusion_matrix, per_class_accuracy

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Classify the 10,000 MNIST test images (or the 60,000 training images with --split
    train); print the accuracy, the accuracy of each class, the confusion matrix and images
    per second. MODEL is a file written by nnscratch (safetensors) or the book's
    sample_weight.pkl (read without running any code in it).
    """
    p = add_command(
        sub, "evaluate", run, "accuracy of a model on the MNIST test set", register.__doc__
    )
    p.add_argument("model", metavar="MODEL", help="model file (.safetensors or the book's .pkl)")
    p.add_argument(
        "--batch-size",
        type=positive_int,
        default=1000,
        metavar="N",
        help="images per forward pass (default 1000)",
    )
    p.add_argument(
        "--split",
        choices=["test", "train"],
        default="test",
        help="which MNIST split (default test)",
    )


def run(args: argparse.Namespace) -> int:
    net = load_digit_classifier(args.model, "evaluate")
    train, test = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    x, t = test if args.split == "test" else train
    start = time.perf_counter()
    predicted = np.concatenate(
        [
            np.argmax(net.predict(x[i : i + args.batch_size]), axis=-1)
            for i in range(0, len(x), args.batch_size)
        ]
    )
    seconds = time.perf_counter() - start
    confusion = confusion_matrix(t, predicted, num_classes=10)
    hits = int(np.trace(confusion))
    print(f"model:    {args.model}")
    print(f"accuracy: {hits / len(t):.4f} ({hits} of {len(t)} {args.split} images)")
    print(f"speed:    {len(x) / seconds:,.0f} images/s (batches of {args.batch_size})")
    print()
    print(format_confusion(confusion, per_class_accuracy(confusion)))
    return 0


def format_confusion(confusion: np.ndarray, recall: np.ndarray) -> str:
    """The confusion matrix as a text table, rows true, columns predicted, plus accuracy."""
    k = confusion.shape[0]
    width = max(5, len(str(int(confusion.max()))) + 1)
    head = "true\\pred" + "".join(f"{j:>{width}}" for j in range(k)) + "  accuracy"
    lines = [head, "-" * len(head)]
    for i in range(k):
        cells = "".join(f"{int(c):>{width}}" for c in confusion[i])
        lines.append(f"{i:>9}{cells}  {recall[i]:8.4f}")
    return "\n".join(lines)

"""``nnscratch train``: train an MLP or a CNN on MNIST, print a table per epoch, save the model."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from nnscratch import io, recipes
from nnscratch.cli._common import (
    CLIError,
    check_output_file,
    load_mnist,
    positive_float,
    positive_int,
)
from nnscratch.recipes import SCHEDULES, CNNConfig, MLPConfig
from nnscratch.training import read_checkpoint
from nnscratch.training.callbacks import Callback

__all__ = ["register"]

DEFAULT_OUT = "mnist-mlp.safetensors"
DEFAULT_OUT_CNN = "mnist-cnn.safetensors"
#: Metadata key of the saved model holding the recipe as JSON (keys starting
#: with "nnscratch." are reserved by nnscratch.io for its own use).
RECIPE_KEY = "recipe"
#: The largest hidden layer --hidden accepts: far above what MNIST needs, and
#: 784 x 65,536 float32 weights (205 MB) still fit in an ordinary machine.
MAX_HIDDEN = 65_536


def _hidden(text: str) -> tuple[int, ...]:
    """argparse type of --hidden: sizes separated by commas, or 'none'."""
    if text.strip() == "none":
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes separated by commas such as 100,100, got {text!r}"
        ) from None
    if any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"expected positive sizes, got {text!r}")
    if any(s > MAX_HIDDEN for s in sizes):
        raise argparse.ArgumentTypeError(f"expected sizes up to {MAX_HIDDEN:,}, got {text!r}")
    return sizes


def register(sub: argparse._SubParsersAction) -> None:
    d, dc = MLPConfig(), CNNConfig()
    p = sub.add_parser(
        "train",
        help="train an MLP on MNIST (the default recipe reaches 98%% in seconds)",
        description="Load MNIST (fetching it if needed), train a multilayer perceptron, "
        "print loss, train and test accuracy and seconds per epoch, and save the model. "
        "With no options: 784-256-256-10 ReLU, AdamW, one-cycle learning rate, label "
        "smoothing 0.1, batch 256, 4 epochs. --model cnn trains a small convolutional "
        "network instead (two 5x5 convolutions 16-32, batch 128, peak lr 3e-3, 4 epochs); "
        "options left out take the chosen model's defaults.",
    )
    p.add_argument(
        "--model",
        choices=["mlp", "cnn"],
        default="mlp",
        help="mlp (default) or cnn (a small convolutional network, about 99%%)",
    )
    p.add_argument(
        "--filters",
        type=_hidden,
        default=None,
        metavar="F1,F2",
        help="cnn: channels of the two convolutions (default 16,32)",
    )
    p.add_argument(
        "--hidden",
        type=_hidden,
        default=d.hidden,
        metavar="SIZES",
        help="hidden layer sizes, e.g. 100,100 ('none' for softmax regression; default 256,256)",
    )
    p.add_argument("--activation", default=d.activation, help="hidden activation (default relu)")
    p.add_argument("--init", default=d.init, help="weight initializer (default he_normal)")
    p.add_argument(
        "--optimizer",
        default=d.optimizer,
        help="sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw (default adamw)",
    )
    p.add_argument(
        "--lr",
        type=positive_float,
        default=None,
        help=f"(peak) learning rate (default {d.lr:g}; cnn {dc.lr:g})",
    )
    p.add_argument(
        "--weight-decay",
        type=float,
        default=d.weight_decay,
        help=f"weight decay (default {d.weight_decay:g})",
    )
    p.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=d.schedule,
        help="learning-rate schedule (default one_cycle)",
    )
    p.add_argument(
        "--label-smoothing",
        type=float,
        default=d.label_smoothing,
        help=f"label smoothing of the cross entropy (default {d.label_smoothing:g})",
    )
    p.add_argument("--epochs", type=positive_int, default=None, help="default 4")
    p.add_argument("--batch-size", type=positive_int, default=None, help="default 256; cnn 128")
    p.add_argument(
        "--seed", type=int, default=d.seed, help="seed of initialisation and shuffling (default 0)"
    )
    p.add_argument("--dtype", choices=["float32", "float64"], default=d.dtype)
    p.add_argument(
        "--out",
        default=None,
        metavar="PATH",
        help=f"where to save the model (default ./{DEFAULT_OUT}; cnn ./{DEFAULT_OUT_CNN})",
    )
    p.add_argument(
        "--checkpoint", metavar="PATH", help="write the training state here after every epoch"
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue from the --checkpoint file, with the same options (one_cycle spans "
        "all epochs, so keep --epochs); the file must exist: leave out --resume to start",
    )
    p.add_argument("--quiet", action="store_true", help="print only the final line")
    p.set_defaults(run=run)


def _config(args: argparse.Namespace):
    if args.seed < 0:
        raise CLIError(f"--seed: expected an integer >= 0, got {args.seed}")
    if args.resume and not args.checkpoint:
        raise CLIError("--resume needs --checkpoint PATH")
    shared = {
        "optimizer": args.optimizer,
        "weight_decay": args.weight_decay,
        "schedule": args.schedule,
        "label_smoothing": args.label_smoothing,
        "seed": args.seed,
        "dtype": args.dtype,
    }
    for name in ("lr", "epochs", "batch_size"):  # left out: the model's own default
        if getattr(args, name) is not None:
            shared[name] = getattr(args, name)
    if args.model == "cnn":
        if args.filters is not None:
            if len(args.filters) != 2:
                raise CLIError(f"--filters: expected two sizes such as 16,32, got {args.filters}")
            shared["filters"] = args.filters
        return CNNConfig(**shared)
    if args.filters is not None:
        raise CLIError("--filters applies to --model cnn only")
    return MLPConfig(hidden=args.hidden, activation=args.activation, init=args.init, **shared)


def run(args: argparse.Namespace) -> int:
    config = _config(args)
    if args.out is None:
        args.out = DEFAULT_OUT_CNN if args.model == "cnn" else DEFAULT_OUT
    out = _check_writable(args.out, "--out")
    if args.checkpoint is not None:
        _check_writable(args.checkpoint, "--checkpoint")
    if args.resume:
        _check_resumable(args.checkpoint, config.epochs)
    data = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    table = _EpochTable(quiet=args.quiet)
    start = time.perf_counter()
    try:
        net, history = recipes.train_mnist(
            config, data, callbacks=[table], checkpoint=args.checkpoint, resume=args.resume
        )
    except KeyboardInterrupt:
        raise KeyboardInterrupt(_what_was_lost(table.done, config.epochs, args, out)) from None
    except ValueError as err:
        if args.resume and str(err).startswith("schedule:"):
            raise CLIError(
                "--resume: the checkpoint was trained with another schedule length; resume "
                "with the same --epochs and --schedule (or use --schedule constant)"
            ) from None
        raise
    seconds = time.perf_counter() - start
    io.save(net, out, metadata={RECIPE_KEY: _json(config.to_dict())})
    accuracy = history["val_accuracy"][-1]
    epochs = f"{len(history)} epoch" + ("" if len(history) == 1 else "s")
    print(
        f"test accuracy {accuracy:.4f} after {epochs}, "
        f"{seconds:.1f} s of training; model saved to {out}"
    )
    return 0


def _check_resumable(checkpoint: str, epochs: int) -> None:
    """--resume needs an existing checkpoint with epochs left to train."""
    path = Path(checkpoint)
    if not path.exists():
        raise CLIError(
            f"--resume: there is no checkpoint {checkpoint!r} to resume from; "
            "to start a new run that writes it, leave out --resume"
        )
    _tensors, info = read_checkpoint(path)
    done = int(info["epoch"])
    if done >= epochs:
        raise CLIError(
            f"--resume: the checkpoint {checkpoint!r} has already finished all {done} epochs "
            f"of this run (--epochs {epochs}); nothing to train (ask for more --epochs to "
            "continue it)"
        )


def _what_was_lost(done: int | None, epochs: int, args: argparse.Namespace, out: Path) -> str:
    """The sentence printed after Ctrl-C: what is kept, what is lost, how to continue."""
    finished = "no epoch finished" if done is None else f"epoch {done} of {epochs} had finished"
    if args.checkpoint is None:
        return (
            f"{finished}; this run is lost (nothing saved to {out}). With --checkpoint PATH "
            "every finished epoch is kept, and --resume continues from it"
        )
    if done is None and not args.resume:
        return f"{finished}; nothing was written to {args.checkpoint}"
    return (
        f"{finished}; {args.checkpoint} keeps the last finished epoch: run the same "
        "command with --resume to continue"
    )


def _check_writable(text: str, option: str) -> Path:
    """Fail before training, not after it, when ``text`` cannot be written."""
    folder = check_output_file(text, option).parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise CLIError(f"{option}: cannot write to the folder {str(folder)!r}: {reason}") from None
    return Path(text)


def _json(obj: object) -> str:
    return json.dumps(obj, sort_keys=True)


class _EpochTable(Callback):
    """Prints one row per epoch: loss, train accuracy, test accuracy, seconds."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.done: int | None = None  # the last epoch that finished in this run

    def on_train_begin(self, logs) -> None:
        if not self.quiet:
            print(f"{'epoch':>5} {'loss':>8} {'train acc':>9} {'test acc':>9} {'seconds':>8}")
            sys.stdout.flush()

    def on_epoch_end(self, epoch: int, logs) -> None:
        self.done = epoch
        if not self.quiet:
            print(
                f"{epoch:>5} {logs['loss']:>8.4f} {logs.get('accuracy', float('nan')):>9.4f} "
                f"{logs['val_accuracy']:>9.4f} {logs['seconds']:>8.2f}",
                flush=True,
            )

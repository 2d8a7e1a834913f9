"""Train the bundled "cnn" model, and measure the default CNN recipe over seeds.

``nnscratch train --model cnn``'s recipe (``nnscratch.recipes.CNNConfig()``)
with seed 0, saved to ``src/nnscratch/models/cnn.safetensors`` so that
``nnscratch.load("cnn")``, ``nnscratch evaluate cnn`` and the CNN figures
work without training. With ``--seeds 0 1 2 3 4`` it trains one run per seed
instead and prints the table of docs/cnn.md (test accuracy, seconds of
training); ``--model simple`` / ``--model deep`` train the book's
SimpleConvNet (Adam lr 0.001, batch 100, 20 epochs, as the book) or its
chapter-8 network (Adam lr 0.001, batch 100, 20 epochs) for that table.

    python scripts/train_cnn_model.py                       # the bundled model
    python scripts/train_cnn_model.py --seeds 0 1 2 3 4     # the recipe's table
    python scripts/train_cnn_model.py --model simple --seeds 0
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import nnscratch as nn
from nnscratch import convnets, recipes

OUT = Path(__file__).resolve().parents[1] / "src" / "nnscratch" / "models" / "cnn.safetensors"


def _book_run(model: str, seed: int, data, epochs: int):
    build = convnets.simple_convnet if model == "simple" else convnets.deep_convnet
    net = build(seed=seed)
    (x, t), (xt, tt) = data
    start = time.perf_counter()
    history = nn.fit(net, x, t, optimizer=nn.optimizers.Adam(1e-3), epochs=epochs,
                     batch_size=100, validation_data=(xt, tt), seed=seed, verbose=0)  # fmt: skip
    return net, history, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT}")
    parser.add_argument("--seeds", type=int, nargs="*", help="a table over these seeds")
    parser.add_argument("--model", choices=["recipe", "simple", "deep"], default="recipe")
    parser.add_argument("--epochs", type=int, default=20, help="simple/deep only (default 20)")
    args = parser.parse_args()
    data = nn.datasets.load_mnist()
    if args.seeds is None:
        config = recipes.CNNConfig()
        start, cpu = time.perf_counter(), time.process_time()
        net, history = recipes.train_mnist(config, data)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        meta = {"recipe": json.dumps(config.to_dict(), sort_keys=True)}
        nn.save(net, args.out, metadata=meta)
        acc = history["val_accuracy"][-1]
        size = args.out.stat().st_size
        print(f"test accuracy {acc:.4f}, {seconds:.1f} s ({cpu:.1f} s CPU); "
              f"{args.out} ({size:,} bytes)")  # fmt: skip
        return
    print(f"{'model':<8}{'seed':>5}{'test acc':>10}{'seconds':>9}{'CPU s':>9}   per epoch")
    for seed in args.seeds:
        cpu = time.process_time()
        if args.model == "recipe":
            start = time.perf_counter()
            _, history = recipes.train_mnist(recipes.CNNConfig(seed=seed), data)
            seconds = time.perf_counter() - start
        else:
            _, history, seconds = _book_run(args.model, seed, data, args.epochs)
        cpu = time.process_time() - cpu
        accs = history["val_accuracy"]
        per_epoch = " ".join(f"{a:.4f}" for a in accs)
        print(f"{args.model:<8}{seed:>5}{accs[-1]:>10.4f}{seconds:>9.1f}{cpu:>9.1f}   {per_epoch}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()

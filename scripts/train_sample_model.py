"""Train the bundled "sample" model: the book's chapter-3 network, trained by nnscratch.

The book ships ``sample_weight.pkl``, a 784-50-100-10 sigmoid network that
classifies 93.52% of the MNIST test set. This script trains a network of the
same shape and activation with nnscratch and writes it to
``src/nnscratch/models/sample.safetensors``, so ``nnscratch.load("sample")``
and ``nnscratch evaluate sample`` work without the book's pickle.

    python scripts/train_sample_model.py            # about 10 s on 2 cores

The recipe: Xavier (Glorot) normal initialisation, suited to sigmoid units;
Adam with a cosine-decayed learning rate from 3e-3; batches of 100; 15 epochs;
seed 0; float32. Training uses the 60,000 training images only; the test set
is only measured.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import nnscratch as nn
from nnscratch.schedules import CosineDecay

OUT = Path(__file__).resolve().parents[1] / "src" / "nnscratch" / "models" / "sample.safetensors"
EPOCHS, BATCH, LR, SEED = 15, 100, 3e-3, 0


def build() -> nn.Sequential:
    """784-50-100-10 with sigmoid hidden layers: the shape of the book's sample_weight.pkl."""
    return nn.Sequential(
        [
            nn.Dense(784, 50, init="glorot_normal"),
            nn.Activation("sigmoid"),
            nn.Dense(50, 100, init="glorot_normal"),
            nn.Activation("sigmoid"),
            nn.Dense(100, 10, init="glorot_normal"),
        ],
        loss="softmax_cross_entropy",
        seed=SEED,
        dtype="float32",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT}")
    args = parser.parse_args()
    (x_train, t_train), (x_test, t_test) = nn.datasets.load_mnist()
    net = build()
    steps = EPOCHS * -(-len(x_train) // BATCH)
    start = time.perf_counter()
    nn.fit(
        net,
        x_train,
        t_train,
        optimizer=nn.optimizers.Adam(LR),
        epochs=EPOCHS,
        batch_size=BATCH,
        schedule=CosineDecay(LR, steps),
        seed=SEED,
        verbose=2,
    )
    seconds = time.perf_counter() - start
    accuracy = net.accuracy(x_test, t_test)
    recipe = {
        "script": "scripts/train_sample_model.py",
        "epochs": EPOCHS,
        "batch_size": BATCH,
        "optimizer": "adam",
        "lr": LR,
        "schedule": "cosine",
        "seed": SEED,
        "init": "glorot_normal",
        "test_accuracy": round(accuracy, 4),
    }
    nn.save(net, args.out, metadata={"recipe": json.dumps(recipe, sort_keys=True)})
    print(
        f"test accuracy {accuracy:.4f} (the book's weights: 0.9352); "
        f"{seconds:.1f} s of training; saved to {args.out}"
    )


if __name__ == "__main__":
    main()

"""Standard BP versus accumulated BP (Zhou, "Machine Learning", section 5.3).

*Standard* backpropagation updates the weights after every single sample
(``batch_size=1``): N updates per pass over the data, each following the
error of one sample, so updates for different samples may partly undo each
other. *Accumulated* backpropagation sums the error over the whole training
set and updates once per pass (``batch_size=len(x)``): one update per epoch,
each along the gradient of the accumulated error itself.

This script trains the same small network (2-8-2, sigmoid hidden layer, as
Zhou's networks, from the same initial weights) both ways on the two-moons
set with plain SGD at one learning rate, and prints, per epoch, the
training loss of each, the number of updates so far and the time taken.
What it shows: per epoch, standard BP lowers the loss much faster (it takes
N steps for accumulated BP's one); per update, accumulated BP's steps are
better aimed. Zhou's remark holds here too: once the accumulated error has
come down to some level, accumulated BP improves it only slowly, and
standard BP gets to a good solution sooner.

Run: ``python examples/standard_vs_accumulated_bp.py [--epochs 100] [--png curves.png]``
"""

from __future__ import annotations

import argparse

from nnscratch.datasets.toy import moons
from nnscratch.layers import Activation, Dense
from nnscratch.network import Sequential
from nnscratch.training import fit
from nnscratch.training.optimizers import SGD


def make_net() -> Sequential:
    return Sequential([Dense(2, 8, "glorot_normal"), Activation("sigmoid"), Dense(8, 2)], seed=0)


def main() -> None:
    ap = argparse.ArgumentParser(description="standard vs accumulated BP")
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--n", type=int, default=200, help="training samples")
    ap.add_argument("--png", help="also save the loss curves to this file")
    args = ap.parse_args()

    x, t = moons(args.n, noise=0.15, seed=0)
    runs = {}
    for name, batch in [("standard", 1), ("accumulated", len(x))]:
        net = make_net()
        h = fit(
            net,
            x,
            t,
            optimizer=SGD(args.lr),
            epochs=args.epochs,
            batch_size=batch,
            seed=0,
            verbose=0,
        )
        runs[name] = (h, -(-len(x) // batch), net.accuracy(x, t))

    print(f"two moons, N = {len(x)}, SGD lr {args.lr}, network 2-8-2 (sigmoid hidden layer)\n")
    print(
        f"{'epoch':>6} {'standard loss':>14} {'updates':>8} {'accumulated loss':>17} {'updates':>8}"
    )
    hs, ns, _ = runs["standard"]
    ha, na, _ = runs["accumulated"]
    marks = sorted({1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, args.epochs} & set(hs.epoch))
    for e in marks:
        i = e - 1
        print(f"{e:>6} {hs['loss'][i]:>14.4f} {ns * e:>8} {ha['loss'][i]:>17.4f} {na * e:>8}")
    print()
    for name, (h, per_epoch, acc) in runs.items():
        print(
            f"{name:>11} BP: {per_epoch:>4} update(s) per epoch, "
            f"{sum(h['seconds']):.2f} s in all, final loss {h['loss'][-1]:.4f}, "
            f"training accuracy {acc:.3f}"
        )
    # the number of updates accumulated BP needs to reach standard BP's loss after one epoch
    target = hs["loss"][0]
    reached = next((e for e, v in zip(ha.epoch, ha["loss"], strict=True) if v <= target), None)
    if reached is None:
        print(
            f"\naccumulated BP did not reach standard BP's first-epoch loss ({target:.4f}) "
            f"in {args.epochs} updates"
        )
    else:
        print(f"\naccumulated BP reached standard BP's first-epoch loss after {reached} updates")

    if args.png:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(hs.epoch, hs["loss"], label="standard BP (batch 1)")
        ax.plot(ha.epoch, ha["loss"], label=f"accumulated BP (batch {len(x)})")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        ax.set_yscale("log")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.png)
        print(f"saved {args.png}")


if __name__ == "__main__":
    main()

"""Seconds per training epoch of the §4.1 classifiers on this machine, with a same-run baseline.

    python benchmarks/classifier_epoch.py [--epochs 3] [--train-size 60000]

Each model trains for ``--epochs`` epochs on ``--train-size`` MNIST images (the thesis's batch
sizes: dense 512, CNN 128); the first epoch (tracing, warm-up) is excluded from the median.
The baseline, measured in the same run, is numpy's float32 2048 × 2048 matrix product.
FLOPs per image for one training step ≈ 3 × forward multiply-adds × 2 (forward + backward ≈ 3×
forward; one multiply-add = 2 FLOPs). Forward multiply-adds per image:
dense 784·128 + 128·128 + 128·10 = 118,016; CNN 26²·64·9 + 11²·128·576 + 3200·64 + 64·10 =
9,515,904.
"""

from __future__ import annotations

import argparse
import statistics

from baseline import matmul_gflops  # benchmarks/baseline.py (this script's folder)

FORWARD_MACS = {"dense": 118_016, "cnn": 9_515_904}


def main(argv=None) -> int:
    from thesis_lib import environment
    from thesis_lib.studies.classifiers import train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=60_000)
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first one is warm-up)")
    baseline = matmul_gflops()
    print(f"hardware: {environment.hardware_label()}")
    print(f"baseline: numpy float32 2048x2048 matmul {baseline:.1f} GFLOP/s")
    subset = None if args.train_size >= 60_000 else args.train_size
    for model in ("dense", "cnn"):
        _, card = train(model, "full", epochs=args.epochs, train_subset=subset, test_subset=1000)
        per_epoch = statistics.median(card["seconds_per_epoch"][1:])
        gflops = 6 * FORWARD_MACS[model] * card["n_train"] / per_epoch / 1e9
        print(f"{model}: {per_epoch:.2f} s/epoch on {card['n_train']} images "
              f"(batch {card['config']['batch_size']}); {gflops:.1f} GFLOP/s = "
              f"{gflops / baseline:.0%} of the matmul rate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

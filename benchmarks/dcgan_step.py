"""Speed of one DCGAN training step (thesis Algorithm 1, batch 256) against a same-run baseline.

    python benchmarks/dcgan_step.py [--steps 12] [--warmup 3] [--backend tensorflow]

Reports the median seconds per step after warm-up, the achieved GFLOP/s and its ratio to numpy's
float32 2048 × 2048 matrix product measured in the same run.

FLOP count (multiply-adds × 2; backward ≈ 2 × forward, so forward + backward ≈ 3 × forward).
Forward multiply-adds per image: discriminator 1,922,368 (conv 14·14·64·9 + conv 7·7·64·576 +
dense 3136); generator 69,769,728 (dense 100·6272 + transposed convs 7·7·16·128·128 and
14·14·16·128·128 + conv 28·28·49·128). One step = G forward on 128 latent points (the fakes,
no gradient) + D forward/backward on 256 images + G and D forward/backward on 256 latent points:
128·G + 3·256·D + 3·256·(G + D) = 65.5 G multiply-adds ≈ 131 GFLOP.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from baseline import matmul_gflops  # benchmarks/baseline.py (this script's folder)

D_MACS, G_MACS = 1_922_368, 69_769_728


def step_flops(half_batch: int = 128) -> float:
    full = 2 * half_batch
    macs = half_batch * G_MACS + 3 * full * D_MACS + 3 * full * (G_MACS + D_MACS)
    return 2.0 * macs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"))
    args = parser.parse_args(argv)
    if args.steps <= args.warmup:
        parser.error("--steps must exceed --warmup")
    os.environ["KERAS_BACKEND"] = args.backend
    import keras
    import numpy as np

    from thesis_lib import environment
    from thesis_lib.callbacks import Timer
    from thesis_lib.gan.model import build_dcgan
    from thesis_lib.profiles import get_config

    baseline_before = matmul_gflops()
    gan = build_dcgan(get_config("dcgan", "full"))
    real = np.random.default_rng(0).uniform(size=(128 * args.steps, 28, 28, 1)).astype("float32")
    timer = Timer()
    gan.fit(real, batch_size=128, epochs=1, shuffle=False, verbose=0, callbacks=[timer])
    baseline = statistics.median([baseline_before, matmul_gflops()])
    per_step = statistics.median(timer.steps[args.warmup:])
    gflops = step_flops() / per_step / 1e9
    print(f"hardware: {environment.hardware_label()}; keras {keras.__version__}, "
          f"backend {keras.config.backend()}")
    print(f"baseline: numpy float32 2048x2048 matmul {baseline:.1f} GFLOP/s (median of 2 runs)")
    print(f"DCGAN train step (batch 256 = 128 real + 128 generated; G on 256): median "
          f"{per_step:.3f} s/step over {len(timer.steps) - args.warmup} steps after "
          f"{args.warmup} warm-up steps")
    print(f"work per step: {step_flops() / 1e9:.1f} GFLOP -> {gflops:.1f} GFLOP/s")
    print(f"ratio to the matmul rate: {gflops / baseline:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

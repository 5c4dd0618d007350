"""Speed of one training step of each GAN loss family at the DCGAN's size, against a same-run
baseline, in float32 and mixed precision; and WGAN-GP's cost per generator step.

    python benchmarks/gan_losses.py [--steps 6] [--warmup 2] [--backend tensorflow]
        [--precisions float32 mixed_bfloat16] [--losses ...] [--out results/benchmarks]

Every step is the thesis's DCGAN (batch 256: D on 128 real + 128 generated, G on 256 latent
points) with one critic step, so the loss families compare at equal work except for what each
adds (the gradient penalty's second backward pass; clipping's tiny elementwise pass). Reported:
median seconds per step after warm-up; the step's speed as a share of the numpy float32 2048²
matrix-product rate measured in the same run (the DCGAN's 131 GFLOP per step, counted as in
``dcgan_step.py``, divided by the time); and the time relative to the non-saturating float32
step of the same run. Last, WGAN-GP as the paper runs it (5 critic steps per generator step):
seconds per generator step in multiples of a DCGAN step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from baseline import matmul_gflops  # benchmarks/baseline.py (this script's folder)
from dcgan_step import step_flops

LOSSES = ("minimax", "non_saturating", "least_squares", "wasserstein_clip", "wasserstein_gp")


def time_steps(build, steps: int, warmup: int, critic_steps: int = 1) -> float:
    """Median seconds per training step of a freshly built GAN after ``warmup`` steps."""
    import numpy as np

    from thesis_lib.callbacks import Timer
    gan = build()
    per_step = 128 * critic_steps
    real = np.random.default_rng(0).uniform(size=(per_step * steps, 28, 28, 1)).astype("float32")
    timer = Timer()
    gan.fit(real, batch_size=per_step, epochs=1, shuffle=False, verbose=0, callbacks=[timer])
    return statistics.median(timer.steps[warmup:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"))
    parser.add_argument("--precisions", nargs="+", default=["float32", "mixed_bfloat16"])
    parser.add_argument("--losses", nargs="+", default=list(LOSSES), choices=LOSSES)
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the report to OUT/gan_losses-<backend>.txt")
    args = parser.parse_args(argv)
    if args.steps <= args.warmup:
        parser.error("--steps must exceed --warmup")
    os.environ["KERAS_BACKEND"] = args.backend
    import keras

    from thesis_lib import environment
    from thesis_lib.gan.model import build_dcgan
    from thesis_lib.profiles import get_config

    def build(loss, precision, critic_steps=1):
        return lambda: build_dcgan(get_config("dcgan", "full", loss=loss, precision=precision,
                                              critic_steps=critic_steps))

    baselines = [matmul_gflops()]
    rows = []
    for precision in args.precisions:
        for loss in args.losses:
            seconds = time_steps(build(loss, precision), args.steps, args.warmup)
            rows.append((loss, precision, seconds))
            baselines.append(matmul_gflops())
    gp5 = time_steps(build("wasserstein_gp", "float32", 5), max(3, args.steps // 2),
                     1, critic_steps=5) if "wasserstein_gp" in args.losses else None
    baseline = statistics.median(baselines)
    reference = next((s for l, p, s in rows if l == "non_saturating" and p == "float32"), None)
    lines = [f"hardware: {environment.hardware_label()}; keras {keras.__version__}, backend "
             f"{keras.config.backend()}",
             f"baseline: numpy float32 2048x2048 matmul {baseline:.1f} GFLOP/s (median of "
             f"{len(baselines)} runs, one before and one after each measurement)",
             f"steps: median of {args.steps - args.warmup} after {args.warmup} warm-up steps",
             "", "| loss | precision | s/step | share of matmul rate | × non-saturating float32 |",
             "|---|---|---|---|---|"]
    for loss, precision, seconds in rows:
        relative = f"{seconds / reference:.2f}" if reference else "—"
        share = step_flops() / seconds / 1e9 / baseline
        lines.append(f"| {loss} | {precision} | {seconds:.3f} | {share:.2f} | {relative} |")
    if gp5 is not None and reference:
        lines += ["", f"WGAN-GP with 5 critic steps per generator step (float32): {gp5:.3f} s per "
                      f"generator step = {gp5 / reference:.2f} DCGAN steps"]
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"gan_losses-{keras.config.backend()}.txt").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

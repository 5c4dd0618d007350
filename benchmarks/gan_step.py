"""Speed of one GAN training step of any campaign network, against a same-run baseline, in the
threads and XLA setting of this process (thesis §4.2, §3.3; issue 27).

    TF_NUM_INTRAOP_THREADS=2 python benchmarks/gan_step.py --variant baseline --xla on
    python benchmarks/gan_step.py --variant narrow --json -- --batch-size 64 --loss wasserstein_gp

Arguments after ``--`` are those of ``python -m thesis_lib.studies.mnist_gan`` (batch size, loss, critic
steps, optimizer...; epochs and logging options are ignored), so the network and update timed
are exactly a job's. Reports the median seconds per step after warm-up, the step's FLOPs
(counted from the layers: 2 × multiply-adds, backward ≈ 2 × forward), the achieved GFLOP/s and
its ratio to numpy's float32 2048 × 2048 matrix product timed in the same process (before and
after), and a SHA-256 of all weights after the steps: two settings that print the same hash
computed bit-identical steps. ``thesis_lib.studies.campaign`` runs it once per setting (threads are
fixed when a framework starts, so each setting is its own process).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys

from baseline import matmul_gflops  # benchmarks/baseline.py (this script's folder)


def macs_of(layer) -> int:
    """Forward multiply-adds per sample of one convolution or dense layer (0 for others)."""
    import math

    from keras import layers

    if isinstance(layer, layers.Conv2DTranspose):
        kh, kw = layer.kernel_size
        return math.prod(layer.input.shape[1:]) * kh * kw * layer.filters
    if isinstance(layer, layers.Conv2D):
        kh, kw = layer.kernel_size
        return math.prod(layer.output.shape[1:]) * kh * kw * layer.input.shape[-1]
    if isinstance(layer, layers.Dense):
        return layer.input.shape[-1] * layer.units
    return 0


def layer_macs(model) -> int:
    """Forward multiply-adds per sample of the convolutions and dense layers of ``model``."""
    return sum(macs_of(layer)
               for layer in model._flatten_layers(include_self=False, recursive=True))


def step_flops(g_macs: int, d_macs: int, half_batch: int, critic_steps: int = 1) -> float:
    """FLOPs of one generator step: k critic updates (G forward on a half batch of fakes, D
    forward and backward on a full batch) and one generator update (G and D forward and
    backward on a full batch). A gradient penalty's extra pass is not counted."""
    full = 2 * half_batch
    critic = half_batch * g_macs + 3 * full * d_macs
    return 2.0 * (critic_steps * critic + 3 * full * (g_macs + d_macs))


def weights_sha256(model) -> str:
    import numpy as np

    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(np.asarray(weight.numpy())).tobytes())
    return digest.hexdigest()


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    run_args = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="baseline")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--xla", choices=("on", "off"), default="off")
    parser.add_argument("--json", action="store_true", help="one JSON line instead of text")
    args = parser.parse_args(own)
    if args.steps <= args.warmup:
        parser.error("--steps must exceed --warmup")
    import keras
    import numpy as np

    from thesis_lib import environment
    from thesis_lib.callbacks import Timer
    from thesis_lib.gan.training import EpochShuffled
    from thesis_lib.studies import mnist_gan as runs

    run_parsed = runs.parser().parse_args(["--variant", args.variant, *run_args])
    overrides = {k: v for k, v in runs.overrides_from_args(run_parsed).items()
                 if k in ("batch_size", "latent_dim", "loss", "critic_steps", "clip",
                          "gp_weight", "learning_rate", "optimizer", "beta_1", "beta_2",
                          "precision", "conditional")}
    config, options, _ = runs.variant_config(args.variant, "full", **overrides)
    baseline_before = matmul_gflops()
    gan = runs.build_variant(config, options)
    gan.jit_compile = args.xla == "on"
    half = config.batch_size // 2
    real = np.random.default_rng(0).uniform(
        size=(2 * half * config.critic_steps * args.steps, 28, 28, 1)).astype("float32")
    timer = Timer()
    gan.fit(EpochShuffled(real, half, 0, None, config.critic_steps), epochs=1, shuffle=False,
            verbose=0, callbacks=[timer])
    baseline = statistics.median([baseline_before, matmul_gflops()])
    per_step = statistics.median(timer.steps[args.warmup:])
    flops = step_flops(layer_macs(gan.generator), layer_macs(gan.discriminator), half,
                       config.critic_steps)
    result = {"variant": args.variant, "run_args": run_args, "backend": keras.config.backend(),
              "xla": args.xla, "hardware": environment.hardware_label(),
              "seconds_per_step": per_step, "steps_timed": len(timer.steps) - args.warmup,
              "gflop_per_step": flops / 1e9, "gflops": flops / per_step / 1e9,
              "matmul_gflops": baseline, "ratio_to_matmul": flops / per_step / 1e9 / baseline,
              "weights_sha256": weights_sha256(gan)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"hardware: {result['hardware']}; keras {keras.__version__}, backend "
              f"{result['backend']}, XLA {args.xla}")
        print(f"baseline: numpy float32 2048x2048 matmul {baseline:.1f} GFLOP/s")
        print(f"{args.variant} {' '.join(run_args)}: median {per_step:.3f} s/step over "
              f"{result['steps_timed']} steps after {args.warmup} warm-up steps")
        print(f"work per step: {flops / 1e9:.1f} GFLOP -> {result['gflops']:.1f} GFLOP/s; "
              f"ratio to the matmul rate: {result['ratio_to_matmul']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed of the DCGAN's big transposed convolution on JAX: stock Keras layer against thesis_lib's.

    python benchmarks/conv_transpose_jax.py [--batch 256] [--repeats 5] [--stock-repeats 1]
                                            [--json out.json]

The layer is the DCGAN generator's second ``Conv2DTranspose`` (thesis §4.2): 14 × 14 × 128 →
28 × 28 × 128, kernel 4, stride 2, 'same' padding, on a batch of 256. Timed: one jitted
forward + backward (``jax.value_and_grad`` of Σ upstream · layer(x) with respect to the kernel
and the input), compiled ahead of time, then run once as warm-up and ``--repeats`` times (median
reported). The stock layer's kernel gradient takes about a minute on a 2-core CPU, so by default
it runs just once after compilation (``--stock-repeats``; no separate warm-up run: compilation
is already outside the timing and one extra minute buys nothing at this scale).

FLOP count: forward multiply-adds = batch · 14 · 14 · 128 · 128 · 4 · 4 (each input pixel
scales the whole kernel); forward + both gradients ≈ 3 × forward, × 2 FLOPs per multiply-add.
Rates are reported against numpy's float32 2048 × 2048 matrix product measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from baseline import matmul_gflops  # benchmarks/baseline.py (this script's folder)

SIZE, CHANNELS, FILTERS, KERNEL, STRIDE = 14, 128, 128, 4, 2


def step_flops(batch: int) -> float:
    return 3 * 2.0 * batch * SIZE * SIZE * CHANNELS * FILTERS * KERNEL * KERNEL


def _timed(compiled, args, warmup: int, repeats: int) -> tuple[list[float], object]:
    """Wall times of ``repeats`` runs after ``warmup`` untimed ones, and the last result."""
    import jax
    for _ in range(warmup):
        jax.block_until_ready(compiled(*args))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = jax.block_until_ready(compiled(*args))
        times.append(time.perf_counter() - start)
    return times, result


def measure(layer_class, batch: int, warmup: int, repeats: int) -> dict:
    """Seconds of the forward pass and of forward + backward for one layer class."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    layer = layer_class(FILTERS, KERNEL, strides=STRIDE, padding="same")
    layer.build((batch, SIZE, SIZE, CHANNELS))
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((batch, SIZE, SIZE, CHANNELS), dtype=np.float32))
    upstream = jnp.asarray(rng.standard_normal(
        (batch, SIZE * STRIDE, SIZE * STRIDE, FILTERS), dtype=np.float32))
    # The same weights for both classes, so their gradients can be compared too.
    kernel = jnp.asarray(0.05 * rng.standard_normal((KERNEL, KERNEL, FILTERS, CHANNELS),
                                                     dtype=np.float32))
    bias = jnp.zeros((FILTERS,), jnp.float32)

    def forward(kernel, x):
        return layer.stateless_call([kernel, bias], [], x)[0]

    # upstream is an argument, not a closed-over constant: XLA would spend seconds folding it.
    def loss(kernel, x, upstream):
        return jnp.sum(forward(kernel, x) * upstream)

    start = time.perf_counter()
    step = jax.jit(jax.value_and_grad(loss, argnums=(0, 1))).lower(kernel, x, upstream).compile()
    compile_s = time.perf_counter() - start
    fwd = jax.jit(forward).lower(kernel, x).compile()
    step_times, (_, gradients) = _timed(step, (kernel, x, upstream), warmup, repeats)
    fwd_times, _ = _timed(fwd, (kernel, x), 1, 3)
    return {"forward_s": statistics.median(fwd_times),
            "step_s": statistics.median(step_times), "step_runs_s": step_times,
            "compile_s": compile_s, "warmup": warmup, "repeats": repeats,
            "gradients": gradients}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of the new layer")
    parser.add_argument("--stock-repeats", type=int, default=1,
                        help="timed runs of the stock layer (about a minute each at batch 256)")
    parser.add_argument("--json", help="also write the numbers to this JSON file")
    args = parser.parse_args(argv)
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
    import numpy as np

    from thesis_lib import environment
    from thesis_lib.models.layers import Conv2DTranspose

    if keras.config.backend() != "jax":
        parser.error(f"Keras was already imported with the {keras.config.backend()} backend")
    baseline_before = matmul_gflops()
    new = measure(Conv2DTranspose, args.batch, warmup=1, repeats=args.repeats)
    stock = measure(keras.layers.Conv2DTranspose, args.batch, warmup=0,
                    repeats=args.stock_repeats)
    baseline = statistics.median([baseline_before, matmul_gflops()])
    # The two layers must compute the same gradients, or the speed-up means nothing.
    errors = [float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(np.asarray(b))))
              for a, b in zip(new.pop("gradients"), stock.pop("gradients"))]
    flops = step_flops(args.batch)

    print(f"hardware: {environment.hardware_label()}; keras {keras.__version__}")
    print(f"baseline: numpy float32 2048x2048 matmul {baseline:.1f} GFLOP/s (median of 2 runs)")
    print(f"layer: Conv2DTranspose {SIZE}x{SIZE}x{CHANNELS} -> {SIZE * STRIDE}x{SIZE * STRIDE}"
          f"x{FILTERS}, kernel {KERNEL}, stride {STRIDE}, same; batch {args.batch}; "
          f"forward + gradients w.r.t. kernel and input = {flops / 1e9:.1f} GFLOP")
    print(f"{'layer':<42}{'forward s':>10}{'fwd+bwd s':>11}{'GFLOP/s':>9}{'/matmul':>9}"
          f"{'runs':>6}")
    for label, r in (("keras.layers.Conv2DTranspose", stock),
                     ("thesis_lib.models.layers.Conv2DTranspose", new)):
        rate = flops / r["step_s"] / 1e9
        print(f"{label:<42}{r['forward_s']:>10.3f}{r['step_s']:>11.3f}{rate:>9.1f}"
              f"{rate / baseline:>9.3f}{r['repeats']:>6}")
    speedup = stock["step_s"] / new["step_s"]
    print(f"speed-up of forward + backward: {speedup:.1f}x; largest relative difference of the "
          f"gradients (kernel, input): {errors[0]:.1e}, {errors[1]:.1e}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"hardware": environment.hardware_label(), "keras": keras.__version__,
                       "batch": args.batch, "gflop": flops / 1e9,
                       "baseline_gflops": baseline, "stock": stock, "new": new,
                       "speedup": speedup, "gradient_rel_errors": errors}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

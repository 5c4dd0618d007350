"""Where the thesis DCGAN's training step spends its time, layer by layer (thesis §4.2; issue 27's
performance target).

    TF_NUM_INTRAOP_THREADS=2 python benchmarks/dcgan_layers.py [--batch 256] [--repeats 5]

For every layer with weights (and each LeakyReLU) of G and D: the median seconds of its forward
pass and of forward + backward (gradients with respect to its input and its weights), on a
batch of ``--batch`` random inputs of its input shape, each compiled once as a ``tf.function``;
then each layer's share of the summed forward + backward time, beside its share of the FLOPs
(``gan_step.macs_of``). Shares are ratios within one run, so a busy machine shifts them less
than it shifts the seconds. TensorFlow only (the campaign's backend).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    import keras
    import numpy as np
    import tensorflow as tf
    from gan_step import macs_of  # benchmarks/gan_step.py (this script's folder)

    from thesis_lib.gan.model import build_dcgan
    from thesis_lib.profiles import get_config

    gan = build_dcgan(get_config("dcgan", "full"))
    rows = []
    for model in (gan.generator, gan.discriminator):
        for layer in model.layers:
            if not layer.weights and not isinstance(layer, keras.layers.LeakyReLU):
                continue
            x = tf.constant(np.random.default_rng(0).normal(
                size=(args.batch, *layer.input.shape[1:])).astype("float32"))

            @tf.function
            def both(x, layer=layer):
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    y = layer(x, training=True)
                    loss = tf.reduce_sum(y * y)
                return tape.gradient(loss, [x, *layer.trainable_variables])

            forward = tf.function(lambda x, layer=layer: layer(x, training=True))
            both(x), forward(x)  # traced once, outside the timing
            t_fwd, t_both = [], []
            for _ in range(args.repeats):
                start = time.perf_counter()
                forward(x).numpy()
                t_fwd.append(time.perf_counter() - start)
                start = time.perf_counter()
                [g.numpy() for g in both(x) if g is not None]
                t_both.append(time.perf_counter() - start)
            macs = macs_of(layer)
            rows.append((model.name, layer.name, statistics.median(t_fwd),
                         statistics.median(t_both), macs))
    total_t = sum(r[3] for r in rows)
    total_macs = sum(r[4] for r in rows) or 1
    print(f"batch {args.batch}, {os.environ.get('TF_NUM_INTRAOP_THREADS', 'default')} "
          f"intra-op threads; median of {args.repeats}")
    print(f"{'model':14} {'layer':24} {'fwd ms':>8} {'fwd+bwd ms':>11} {'time %':>7} "
          f"{'FLOPs %':>8}")
    for model, name, fwd, both_s, macs in rows:
        print(f"{model:14} {name:24} {1000 * fwd:8.1f} {1000 * both_s:11.1f} "
              f"{100 * both_s / total_t:7.1f} {100 * macs / total_macs:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

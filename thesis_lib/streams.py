"""The named random streams: one table of every stream a run draws from.

A stream is ``numpy.random.default_rng([seed, number])``: the run's seed and a fixed number
that keeps one use of randomness (the monitor's latent points, the metrics' samples, a toy's
data) apart from every other, so adding a draw in one place never shifts the numbers drawn in
another. The numbers are those the committed runs and figures were made with; changing one
changes the book's numbers. Two uses that can never meet in one run may share a number (the
MNIST runs and the toys).
"""

from __future__ import annotations

import numpy as np

STREAMS = {
    # The GAN engine and the MNIST runs (thesis §3.3, §4.2).
    "data_order": 0,                # gan.training.EpochShuffled: index = the pass over the data
    "monitor_latent": 10_000,       # gan.training.GANMonitor: the fixed 100 latent points
    "monitor_epoch": 20_000,        # GANMonitor's real images and labels: index = the epoch
    "monitor_inputs": 30_000,       # studies.gan_results.monitor_inputs: D's accuracy, metrics
    "final_metrics": 40_000,        # a run's final metrics on its generated images
    "metric_latent": 50_000,        # a conditional run's per-digit metrics; latent_for_digits
    "generate": 60_000,             # gan.model.GAN.generate
    "sample_images": 70_000,        # studies.gan_results.sample_images (a committed generator)
    "infogan_codes": 80_000,        # gan.infogan.latent_points
    "saturation_latent": 90_000,    # studies.saturation: the traced latent points
    "saturation_real": 90_001,      # ... and the real images beside them
    "classifier_walks": 110_000,    # report.variants: §3.3's walks along a classifier
    "attribute_directions": 120_000,
    "conditional_grid": 130_000,
    "real_by_digit": 140_000,
    "random_direction": 150_000,
    "best_vs_final": 160_000,       # studies.gan_results.best_against_final: the fresh z
    "scarce_batches": 70_000,       # studies.scarce.MixedBatches: part = the batch
    # The toys of §3.1–3.2.
    "snapshots": 7,
    "one_d_data": 11,
    "one_d_discriminator": 31,
    "vanishing": 41,
    "mixture": 70_000,
    "toy_training": 80_000,
    "critic_study": 90_000,
}


def rng(seed: int, stream: str, index: int = 0, *, part: int | None = None
        ) -> np.random.Generator:
    """The generator of ``stream`` for ``seed`` (``stream`` a key of :data:`STREAMS`). A stream
    drawn afresh every pass or epoch adds its number as ``index``; one split in parts (a
    dataset's batches) names the part as ``part``, a third entry of the key."""
    if stream not in STREAMS:
        raise ValueError(f"unknown random stream {stream!r}; valid: {', '.join(STREAMS)}.")
    key = [seed, STREAMS[stream] + index] + ([] if part is None else [part])
    return np.random.default_rng(key)

"""Moments of a toy GAN's training, kept for figures: G's samples and D on a grid (§3.1–3.2).

The panels of chapter 3 show, at a few moments of one run, where the generator puts its samples
and what the discriminator believes about every point of the plane (or line), in the style of
GAN Lab (Kahng et al. 2019). :func:`train_with_snapshots` trains through
:func:`thesis_lib.studies.toy.networks.train_toy`, so a run with snapshots is the same run as one without.
"""

from __future__ import annotations

import keras
import numpy as np

from thesis_lib import streams
from thesis_lib.gan.model import GAN
from thesis_lib.studies.toy import mixtures
from thesis_lib.studies.toy import networks as toy
from thesis_lib.validation import positive_int


def train_with_snapshots(gan: GAN, data, grid, *, steps: int, snapshots: int = 4,
                         batch: int = 64, seed: int = 0, samples: int = 2500) -> dict:
    """Train ``gan`` for ``steps`` steps on ``data``; at step 0 and after each of ``snapshots``
    equal blocks keep ``samples`` points G(z) (the same z every time) and D's output on the
    points ``grid`` ((p, dim)). Returns ``{"steps", "samples", "d", "history", "seconds"}``
    (lists in time order; D as probabilities or critic scores, whatever D outputs)."""
    positive_int("snapshots", snapshots)
    grid = np.asarray(grid, dtype="float32")
    z = streams.rng(seed, "snapshots").standard_normal(
        (samples, gan.latent_dim)).astype("float32")

    def snap(step, model):
        return (step, keras.ops.convert_to_numpy(model.generator(z)),
                keras.ops.convert_to_numpy(model.discriminator(grid))[:, 0])

    first = snap(0, gan)
    run = toy.train_toy(gan, data, steps=steps, batch=batch, seed=seed,
                        log_every=max(1, steps // snapshots), on_log=snap)
    shots = [first, *run["history"].pop("logged")]
    return {"steps": [s[0] for s in shots], "samples": [s[1] for s in shots],
            "d": [s[2] for s in shots], "history": run["history"], "seconds": run["seconds"]}


def plane_grid(lim: float, points: int = 101) -> np.ndarray:
    """A ``points`` × ``points`` grid over [−lim, lim]², as (points², 2), row by row in y."""
    ticks = np.linspace(-lim, lim, points, dtype="float32")
    xs, ys = np.meshgrid(ticks, ticks)
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def collapse_snapshots(dataset: str = "ring", *, steps: int, snapshots: int = 5,
                       loss: str = "non_saturating", seed: int = 0, batch: int = 64) -> dict:
    """The standard GAN (:func:`toy.mlp_gan`) on the ring of 8 or the grid of 25 Gaussians,
    with snapshots over a grid of the plane and :func:`mixtures.mode_stats` of each snapshot's
    samples. Returns the snapshots plus ``centers``, ``real``, ``grid``, ``lim``, ``stats``."""
    if dataset == "ring":
        data, _ = mixtures.ring_of_gaussians(100_000, seed=seed)
        centers, lim = mixtures.ring_centers(), 3.0
    elif dataset == "grid":
        data, _ = mixtures.grid_of_gaussians(100_000, seed=seed)
        centers, lim = mixtures.grid_centers(), 5.5
    else:
        raise ValueError(f"unknown dataset {dataset!r}; valid: ring, grid.")
    grid = plane_grid(lim)
    gan = toy.mlp_gan(loss=loss, seed=seed)
    run = train_with_snapshots(gan, data, grid, steps=steps, snapshots=snapshots, batch=batch,
                               seed=seed)
    run.update(centers=centers, real=data[:2500], grid=grid, lim=lim,
               stats=[mixtures.mode_stats(s, centers, 0.02) for s in run["samples"]])
    return run

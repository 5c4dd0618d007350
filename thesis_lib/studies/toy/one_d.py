"""Trained networks against the closed forms of §3.1, on 1-D data.

- :func:`affine_generator` is a generator whose distribution is known exactly
  (G(z) = μ + σz, z ~ N(0, 1), so p_g = N(μ, σ²)): the "fixed generator" of the optimal-D
  argument.
- :func:`train_discriminator` trains a small sigmoid MLP by binary cross-entropy on fresh real and
  generated samples, with G held fixed: the inner maximisation of Algorithm 1 run to the end.
- :func:`optimal_d_gap` compares it with D* = p_data / (p_data + p_g) from
  :mod:`thesis_lib.studies.toy.theory`.
- :func:`algorithm1_snapshots` runs Algorithm 1 (k discriminator steps per generator step) on a
  mixture of two Gaussians and keeps, at a few moments, G's samples and D's curve.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from thesis_lib import backend, streams
from thesis_lib.studies.toy import networks as toy
from thesis_lib.studies.toy import theory
from thesis_lib.studies.toy.snapshots import train_with_snapshots
from thesis_lib.validation import positive_int


def affine_generator(mean: float, std: float) -> keras.Model:
    """G(z) = mean + std·z as a one-unit Dense layer: a network whose p_g is N(mean, std²)."""
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}.")
    gen = keras.Sequential([keras.Input((1,)), layers.Dense(1)], name="affine_generator")
    gen.layers[0].set_weights([np.array([[std]], "float32"), np.array([mean], "float32")])
    return gen


def discriminator_mlp(hidden=(64, 64), seed: int = 0) -> keras.Model:
    """A 1-D discriminator: ``hidden`` LeakyReLU(0.2) layers and a sigmoid unit."""
    keras.utils.set_random_seed(seed)
    return toy.mlp([1], hidden, 1, "sigmoid", 0.2, "discriminator")


def train_discriminator(disc: keras.Model, p_data: theory.Mixture1D, generator: keras.Model,
                        steps: int, batch: int = 512, learning_rate: float = 3e-3,
                        seed: int = 0) -> list[float]:
    """Train ``disc`` for ``steps`` Adam steps, each on ``batch`` fresh real samples (label 1)
    and ``batch`` samples G(z) (label 0), G fixed; the learning rate decays to 0 along a cosine
    so that D settles instead of jittering around its optimum. Returns the loss per step."""
    for name, value in (("steps", steps), ("batch", batch)):
        positive_int(name, value)
    rng = streams.rng(seed, "one_d_discriminator")
    real = p_data.sample(steps * batch, rng).reshape(steps, batch, 1)
    z = rng.standard_normal((steps * batch, 1)).astype("float32")
    fake = keras.ops.convert_to_numpy(generator(z)).reshape(steps, batch, 1)
    # Batches of 2·batch with real then fake, fed in order: each step sees both halves.
    x = np.concatenate([real, fake], axis=1).reshape(-1, 1)
    y = np.tile(np.r_[np.ones(batch), np.zeros(batch)], steps)[:, None].astype("float32")
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)
    disc.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule),
                 loss="binary_crossentropy", steps_per_execution=backend.steps_per_call(25))
    history = disc.fit(x, y, batch_size=2 * batch, epochs=1, shuffle=False, verbose=0)
    return history.history["loss"]


def optimal_d_gap(p_data: theory.Mixture1D, p_g_mean: float, p_g_std: float, *, steps: int,
                  batch: int = 512, seed: int = 0, floor: float = 0.02,
                  points: int = 801) -> dict:
    """Train D against the fixed :func:`affine_generator` and compare it with the closed-form
    D* on a grid. The gap is measured where both densities exceed ``floor`` (elsewhere D* is
    fixed by almost no samples). Returns the grid ``x``, ``d`` (trained), ``d_star``, the
    densities, the ``mask`` of the compared region and ``max_gap`` over it."""
    p_g = theory.Mixture1D((p_g_mean,), (p_g_std,))
    lo = min(p_data.support(4.0)[0], p_g.support(4.0)[0])
    hi = max(p_data.support(4.0)[1], p_g.support(4.0)[1])
    x = np.linspace(lo, hi, points)
    disc = discriminator_mlp(seed=seed)
    losses = train_discriminator(disc, p_data, affine_generator(p_g_mean, p_g_std), steps,
                                 batch, seed=seed)
    d = keras.ops.convert_to_numpy(disc(x[:, None].astype("float32")))[:, 0].astype("float64")
    a, b = p_data.pdf(x), p_g.pdf(x)
    d_star = theory.optimal_discriminator(a, b)
    mask = (a > floor) & (b > floor)
    return {"x": x, "d": d, "d_star": d_star, "p_data": a, "p_g": b, "mask": mask,
            "max_gap": float(np.abs(d - d_star)[mask].max()), "final_loss": float(losses[-1])}


def algorithm1_snapshots(p_data: theory.Mixture1D, *, steps: int, critic_steps: int = 1,
                         snapshots: int = 4, batch: int = 64, seed: int = 0,
                         latent_dim: int = 1, samples: int = 5000,
                         points: int = 401) -> dict:
    """Algorithm 1 with k = ``critic_steps`` on 1-D data: an MLP GAN (:func:`toy.mlp_gan`, the
    standard non-saturating loss, 2 × 32 units) trained for ``steps`` generator steps, with
    G's samples and D on a grid ``x`` recorded at step 0 and at ``snapshots`` evenly spaced
    moments (:func:`thesis_lib.studies.toy.snapshots.train_with_snapshots`); samples as 1-D arrays."""
    gan = toy.mlp_gan(data_dim=1, latent_dim=latent_dim, hidden=(32, 32),
                      critic_steps=critic_steps, seed=seed)
    lo, hi = p_data.support(3.0)
    x = np.linspace(lo - 1.0, hi + 1.0, points).astype("float32")[:, None]
    data = p_data.sample(200_000, streams.rng(seed, "one_d_data"))
    run = train_with_snapshots(gan, data, x, steps=steps, snapshots=snapshots,
                               batch=batch, seed=seed, samples=samples)
    run["x"] = x[:, 0]
    run["samples"] = [s[:, 0] for s in run["samples"]]
    return run

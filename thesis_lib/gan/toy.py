"""Small data for the theory chapter (§3.1–3.2): 1-D and 2-D distributions, small GANs that learn
them in seconds on a CPU, and the mode protocol used to judge them."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from thesis_lib.gan.model import GAN


def toy_gan(seed: int = 0, latent_dim: int = 4):
    """A GAN of two small MLPs for 1-D data, built on the same :class:`GAN` class."""
    keras.utils.set_random_seed(seed)
    gen = keras.Sequential([keras.Input((latent_dim,)), layers.Dense(16, activation="relu"),
                            layers.Dense(16, activation="relu"), layers.Dense(1)])
    disc = keras.Sequential([keras.Input((1,)), layers.Dense(32),
                             layers.LeakyReLU(negative_slope=0.2), layers.Dense(1,
                                                                              activation="sigmoid")])
    gan = GAN(disc, gen, latent_dim, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5))
    return gan


def toy_run(mean=4.0, std=0.5, steps=3000, batch=64, seed=0):
    """Train the toy GAN on N(mean, std²); return the mean and sd of 5,000 generated samples."""
    gan = toy_gan(seed)
    data = np.random.default_rng(seed).normal(mean, std, size=(steps * batch, 1)).astype("float32")
    gan.fit(data, batch_size=batch, epochs=1, shuffle=False, verbose=0)
    samples = keras.ops.convert_to_numpy(gan.generator(gan.sample_latent(5000)))
    return float(samples.mean()), float(samples.std())

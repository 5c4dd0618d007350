"""Checks that each GAN update changes its own network and only its own (run per backend).

``python -m thesis_lib.gan_checks`` prints a JSON report for the active ``KERAS_BACKEND``;
the tests run it under every installed backend.
"""

from __future__ import annotations

import json

import keras
import numpy as np


def snapshot(model):
    return [np.array(keras.ops.convert_to_numpy(v.value)) for v in model.trainable_variables]


def changed(before, model):
    return [bool(np.any(a != b)) for a, b in zip(before, snapshot(model))]


def isolation_report(gan, real):
    """Which weight tensors each update changed: {"d_step": {...}, "g_step": {...}}."""
    report = {}
    d0, g0 = snapshot(gan.discriminator), snapshot(gan.generator)
    gan.discriminator_update(real)
    report["d_step"] = {"discriminator": changed(d0, gan.discriminator),
                        "generator": changed(g0, gan.generator)}
    d0, g0 = snapshot(gan.discriminator), snapshot(gan.generator)
    gan.generator_update(2 * len(real))
    report["g_step"] = {"discriminator": changed(d0, gan.discriminator),
                        "generator": changed(g0, gan.generator)}
    return report


def classic_recipe_report(seed=0):
    """Keras 2's recipe (compile D, freeze it, compile G→D, train_on_batch): does D learn?"""
    from thesis_lib.gan_training import infer
    from thesis_lib.models import dcgan
    keras.utils.set_random_seed(seed)
    d, g = dcgan.discriminator(), dcgan.generator()
    d.compile(loss="binary_crossentropy",
              optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), metrics=["accuracy"])
    d.trainable = False
    stacked = dcgan.stacked(g, d)
    stacked.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(size=(16, 28, 28, 1)),
                        infer(g, rng.normal(size=(16, 100)))]).astype("float32")
    y = np.concatenate([np.ones((16, 1)), np.zeros((16, 1))]).astype("float32")
    before = [np.array(w) for w in d.get_weights()]
    d.train_on_batch(x, y)
    return [bool(np.any(a != b)) for a, b in zip(before, d.get_weights())]


def toy_gan(seed: int = 0, latent_dim: int = 4):
    """A GAN of two small MLPs for 1-D data, built on the same :class:`GAN` class."""
    from keras import layers

    from thesis_lib.gan import GAN
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


def main():
    """All checks on the active backend: isolation (1–2), negative control (3), toy run (4)."""
    from thesis_lib.gan import build_dcgan
    from thesis_lib.profiles import get_config
    gan = build_dcgan(get_config("dcgan", "quick"))
    real = np.random.default_rng(0).uniform(size=(8, 28, 28, 1)).astype("float32")
    report = {"backend": keras.config.backend(), **isolation_report(gan, real),
              "classic_recipe_d_changed": classic_recipe_report(),
              "toy_mean_std": toy_run(mean=4.0, std=0.5, steps=3000, seed=0)}
    print(json.dumps(report))


if __name__ == "__main__":
    main()

"""Checks that each GAN update changes its own network and only its own (run per backend).

``python -m thesis_lib.studies.isolation`` prints a JSON report for the active ``KERAS_BACKEND``;
the tests run it under every installed backend.
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import json

import keras
import numpy as np

from thesis_lib import cli
from thesis_lib.gan.latent import infer
from thesis_lib.gan.model import build_dcgan
from thesis_lib.models import dcgan
from thesis_lib.profiles import get_config
from thesis_lib.studies.toy.networks import toy_run


def snapshot(model):
    return [np.array(keras.ops.convert_to_numpy(v.value)) for v in model.trainable_variables]


def changed(before, model):
    return [bool(np.any(a != b)) for a, b in zip(before, snapshot(model))]


def isolation_report(gan, real, labels=None):
    """Which weight tensors each update changed: {"d_step": {...}, "g_step": {...}}; ``real``
    (with ``labels`` for a conditional GAN) is the D step's batch."""
    report = {}
    d0, g0 = snapshot(gan.discriminator), snapshot(gan.generator)
    gan.discriminator_update(real, labels)
    report["d_step"] = {"discriminator": changed(d0, gan.discriminator),
                        "generator": changed(g0, gan.generator)}
    d0, g0 = snapshot(gan.discriminator), snapshot(gan.generator)
    gan.generator_update(2 * len(real))
    report["g_step"] = {"discriminator": changed(d0, gan.discriminator),
                        "generator": changed(g0, gan.generator)}
    return report


def classic_recipe_report(seed=0):
    """Keras 2's recipe (compile D, freeze it, compile G→D, train_on_batch): does D learn?"""
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


def main(argv=None) -> int:
    """All checks on the active backend: isolation (1–2), negative control (3), toy run (4)."""
    cli.Parser(prog="python -m thesis_lib.studies.isolation",
               description="Which network each GAN update changes, on KERAS_BACKEND (JSON)."
               ).parse_args(argv)
    gan = build_dcgan(get_config("dcgan", "quick"))
    real = np.random.default_rng(0).uniform(size=(8, 28, 28, 1)).astype("float32")
    report = {"backend": keras.config.backend(), **isolation_report(gan, real),
              "classic_recipe_d_changed": classic_recipe_report(),
              "toy_mean_std": toy_run(mean=4.0, std=0.5, steps=3000, seed=0)}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Latent space and sampling (thesis §3.3): running a generator on latent points, pixels back
in [0, 1], interpolation between latent points, and latent points chosen for a digit."""

from __future__ import annotations

import keras
import numpy as np


def infer(model, x, chunk: int = 500) -> np.ndarray:
    """``model(x)`` in inference mode, as a float32 NumPy array, in chunks of at most ``chunk``
    rows; ``x`` is an array or a list of arrays (a model with several inputs).

    Calls the model directly instead of ``model.predict``: on TensorFlow every ``predict`` of a
    new model (or of a new batch shape, such as the last, partial batch) traces a new
    ``tf.function``, and the GAN monitors look at several models every epoch, so TensorFlow
    ended up warning about "tf.function retracing" in the middle of a chapter. A direct call
    traces nothing.
    """
    several = isinstance(x, (list, tuple))
    xs = [np.asarray(a, dtype="float32") for a in (x if several else [x])]
    if len(xs[0]) == 0:
        raise ValueError("no inputs to run the model on.")
    parts = []
    for i in range(0, len(xs[0]), chunk):
        batch = [a[i:i + chunk] for a in xs]
        out = model(batch if several else batch[0], training=False)
        parts.append(np.asarray(keras.ops.convert_to_numpy(out), dtype="float32"))
    return np.concatenate(parts)


def to_unit(images, output: str):
    return (images + 1.0) / 2.0 if output == "tanh" else images


def unit_images(generator, z, output: str = "sigmoid") -> np.ndarray:
    """Generated images with pixels in [0, 1] whatever the output activation.

    The generator is called directly, in chunks of 500 (:func:`infer`), not through
    ``predict``, which would trace a new ``tf.function`` for every generator and batch shape.
    """
    return to_unit(infer(generator, z), output)


def interpolate(z_a, z_b, steps: int = 10, method: str = "linear") -> np.ndarray:
    """``steps`` latent points from ``z_a`` to ``z_b`` (both included), thesis §3.3.

    ``linear``: (1 − t)·z_a + t·z_b. ``slerp``: along the great circle, which keeps the norm
    near that of Gaussian samples (a linear midpoint of two N(0, I) points is shorter by √2).
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (the two endpoints), got {steps}.")
    z_a, z_b = np.asarray(z_a, dtype=float), np.asarray(z_b, dtype=float)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    if method == "linear":
        return ((1 - t) * z_a + t * z_b).astype("float32")
    if method != "slerp":
        raise ValueError(f"unknown method {method!r}; valid: linear, slerp.")
    cos = np.dot(z_a, z_b) / (np.linalg.norm(z_a) * np.linalg.norm(z_b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return ((1 - t) * z_a + t * z_b).astype("float32")
    return ((np.sin((1 - t) * omega) * z_a + np.sin(t * omega) * z_b) / np.sin(omega)).astype(
        "float32")


def latent_for_digits(generator, evaluator, digits, latent_dim: int, n: int = 2000,
                      seed: int = 0, output: str = "sigmoid") -> np.ndarray:
    """For each digit, the latent point (of ``n`` drawn from N(0, I) with ``seed``) whose image
    the evaluator assigns to that digit with the highest probability."""
    z = np.random.default_rng([seed, 50_000]).normal(size=(n, latent_dim)).astype("float32")
    probs = evaluator.probabilities(unit_images(generator, z, output))
    chosen = []
    for digit in digits:
        best = int(np.argmax(probs[:, digit]))
        if probs[best].argmax() != digit:
            raise ValueError(f"none of {n} samples is classified as {digit}; the generator may "
                             f"have collapsed, or draw more samples (n).")
        chosen.append(z[best])
    return np.stack(chosen)

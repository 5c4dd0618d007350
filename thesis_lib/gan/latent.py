"""Latent space and sampling (thesis §3.3): running a generator on latent points, pixels back
in [0, 1], interpolation between latent points, and latent points chosen for a digit."""

from __future__ import annotations

import keras
import numpy as np

from thesis_lib import data, streams
from thesis_lib.validation import positive_int


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


def conditional_inputs(x, labels=None, num_classes: int = 10):
    """What a network takes: ``x`` (latent points for G, images for D), and for a conditional
    network (thesis §3.3) the classes ``labels`` as one-hot rows beside them."""
    return x if labels is None else [x, data.one_hot(labels, num_classes)]


def sample(generator, n: int, latent_dim: int, *, seed: int, stream: str,
           num_classes: int | None = None, labels=None, output: str | None = None,
           what: str = "this generator") -> np.ndarray:
    """``n`` samples from ``generator`` at latent points z ~ N(0, I) drawn from the named
    ``stream`` for ``seed``, in inference mode; with ``output`` (the generator's last activation)
    mapped to pixels in [0, 1].

    A conditional generator (``num_classes`` set) takes ``labels``, n class numbers (default
    0, 1, …, K − 1 in turn); an unconditional one refuses them.
    """
    positive_int("n", n)
    z = streams.rng(seed, stream).normal(size=(n, latent_dim)).astype("float32")
    if num_classes is None:
        if labels is not None:
            raise ValueError(f"{what} is unconditional: sample it without labels.")
    else:
        labels = np.arange(n) % num_classes if labels is None else np.asarray(labels)
        if labels.shape != (n,) or labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(f"labels must be {n} integers in 0..{num_classes - 1}, got "
                             f"shape {labels.shape}.")
    inputs = conditional_inputs(z, labels, num_classes or 10)
    return infer(generator, inputs) if output is None else unit_images(generator, inputs, output)


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
    z = streams.rng(seed, "metric_latent").normal(size=(n, latent_dim)).astype("float32")
    probs = evaluator.probabilities(unit_images(generator, z, output))
    chosen = []
    for digit in digits:
        best = int(np.argmax(probs[:, digit]))
        if probs[best].argmax() != digit:
            raise ValueError(f"none of {n} samples is classified as {digit}; the generator may "
                             f"have collapsed, or draw more samples (n).")
        chosen.append(z[best])
    return np.stack(chosen)

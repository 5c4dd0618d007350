"""Directions in the latent space (thesis §3.3, controlled generation): the thesis's method of
moving z along the gradient of a classifier, and a direction for a continuous attribute found by
regression, each with what else it changes (the "entangled Z" of the thesis, with numbers).

Generators here are functions ``fn(z, training=False)`` from latent points (n, d) to images in
[0, 1] of shape (n, 28, 28, 1) that a backend can differentiate (a Keras model, wrapped by
:func:`image_function`); the classifier is a Keras model returning class probabilities.
"""

from __future__ import annotations

import numpy as np
from keras import ops

from thesis_lib import backend
from thesis_lib.evaluation import attributes
from thesis_lib.gan.latent import infer


def image_function(generator, output: str = "sigmoid"):
    """``z ↦ images in [0, 1]`` for a Keras generator, differentiable in z; called like a model
    (``fn(z, training=False)``) so that :func:`thesis_lib.gan.latent.infer` runs it in chunks."""
    if output == "tanh":
        return lambda z, training=False: (generator(z, training=training) + 1.0) / 2.0
    return lambda z, training=False: generator(z, training=training)


def log_prob_gradient_function(images_fn, classifier, target: int):
    """``z ↦ (log p(target | G(z)) per latent point, its gradient with respect to z)``, built
    once for many calls (:func:`thesis_lib.backend.gradient_function`).

    The classifier's probabilities are floored at 1e-12 before the logarithm, so a point where
    the classifier gives the target probability 0 still has a finite (if small) gradient.
    """
    def log_probs(t):
        probs = ops.cast(classifier(images_fn(t), training=False), "float32")
        each = ops.log(ops.maximum(probs[:, target], 1e-12))
        return ops.sum(each), each

    compiled = backend.gradient_function(log_probs)

    def run(z):
        _, each, (grad,) = compiled(np.asarray(z, dtype="float32"))
        return each, grad
    return run


def classifier_walk(images_fn, classifier, z, target: int, *, step: float = 0.1,
                    n_steps: int = 50, stop_at: float | None = 0.9):
    """Gradient ascent on log p(target | G(z)) with respect to z (the thesis's "use a classifier
    to find the direction in Z"), with normalised steps of length ``step`` per latent point.

    A point stops moving once the classifier gives the target at least ``stop_at`` (None: never
    stops). Returns ``(z_final, distance, n_moved_steps)``: the moved points, the Euclidean
    distance each travelled from its start, and how many steps each took.
    """
    if step <= 0 or n_steps < 1:
        raise ValueError(f"step must be > 0 and n_steps >= 1, got {step} and {n_steps}.")
    start = np.asarray(z, dtype="float32")
    z = start.copy()
    taken = np.zeros(len(z), dtype=int)
    active = np.ones(len(z), bool)
    log_prob_and_grad = log_prob_gradient_function(images_fn, classifier, target)
    for _ in range(n_steps):
        # Only the points still moving are differentiated: the batch shrinks as they arrive.
        idx = np.flatnonzero(active)
        log_p, grad = log_prob_and_grad(z[idx])
        if stop_at is not None:
            arrived = np.exp(log_p) >= stop_at
            active[idx[arrived]] = False
            idx, grad = idx[~arrived], grad[~arrived]
        if not len(idx):
            break
        norms = np.linalg.norm(grad, axis=1, keepdims=True)
        z[idx] = (z[idx] + step * grad / np.maximum(norms, 1e-12)).astype("float32")
        taken[idx] += 1
    return z, np.linalg.norm(z - start, axis=1), taken


def regression_direction(z, values):
    """The least-squares fit ``values ≈ a + z·w`` over latent points: returns the unit direction
    w/‖w‖, the slope ‖w‖ (the attribute's change per unit step along that direction, as fitted)
    and the fit's R²."""
    z = np.asarray(z, dtype="float64")
    values = np.asarray(values, dtype="float64")
    if len(z) != len(values) or len(z) <= z.shape[1] + 1:
        raise ValueError(f"need more latent points than dimensions + 1 and one value per point; "
                         f"got {len(z)} points of dimension {z.shape[1]} and {len(values)} values.")
    design = np.column_stack([np.ones(len(z)), z])
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    w = coef[1:]
    fitted = design @ coef
    r2 = 1.0 - np.sum((values - fitted) ** 2) / np.sum((values - values.mean()) ** 2)
    slope = float(np.linalg.norm(w))
    return w / slope, slope, float(r2)


def swing_effect(images_fn, classifier, z_low, z_high) -> dict:
    """What changes between the images of two latent points per sample, ``z_low`` and
    ``z_high`` (the same points moved back and forth along one direction or code): the mean
    change of each attribute (ink, slant) from low to high, and the share of samples whose class
    (the classifier's argmax) differs between the two, overall and per class at ``z_low``."""
    low, high = infer(images_fn, np.asarray(z_low, "float32")), \
        infer(images_fn, np.asarray(z_high, "float32"))
    probs_low = infer(classifier, low)
    class_low, class_high = probs_low.argmax(axis=1), infer(classifier, high).argmax(axis=1)
    flipped = class_low != class_high
    k = probs_low.shape[1]
    counts = np.bincount(class_low, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_class = np.where(counts > 0, np.bincount(class_low[flipped], minlength=k)
                            / np.maximum(counts, 1), np.nan)
    return {**{f"{name}_change": float(np.mean(attributes.measure(high, name)
                                               - attributes.measure(low, name)))
               for name in attributes.ATTRIBUTES},
            "flip_share": float(flipped.mean()), "flip_by_class": by_class,
            "count_by_class": counts}

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

from thesis_lib import backend, intervals
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


def _design(z) -> np.ndarray:
    z = np.asarray(z, dtype="float64")
    return np.column_stack([np.ones(len(z)), z])


def cross_validated_r2(z, values, folds: int = 5, seed: int = 0) -> float:
    """The out-of-sample R² of the fit of :func:`regression_direction`: the points are split at
    random into ``folds`` parts, each part is predicted by the least-squares fit on the others,
    and R² = 1 − Σ(y − ŷ)²/Σ(y − ȳ)² over those held-out predictions. Unlike the in-sample R²,
    which a fit with p predictors on n points raises by about p/n on noise alone, it is near or
    below 0 when z says nothing about the attribute."""
    design = _design(z)
    values = np.asarray(values, dtype="float64")
    n = len(values)
    if folds < 2 or n != len(design) or n - -(-n // folds) <= design.shape[1]:
        raise ValueError(f"need folds ≥ 2 and more points per training split than "
                         f"predictors + 1; got {n} points, {design.shape[1] - 1} dimensions and "
                         f"{folds} folds.")
    predicted = np.empty(n)
    order = np.random.default_rng(seed).permutation(n)
    for held in np.array_split(order, folds):
        train = np.setdiff1d(order, held)
        coef, *_ = np.linalg.lstsq(design[train], values[train], rcond=None)
        predicted[held] = design[held] @ coef
    return float(1.0 - np.sum((values - predicted) ** 2) / np.sum((values - values.mean()) ** 2))


def permutation_r2(z, values, permutations: int = 20, folds: int = 5, seed: int = 0):
    """The chance level of :func:`cross_validated_r2`: the same procedure with the values
    shuffled among the points (so that z cannot predict them), ``permutations`` times. Returns
    the R² of each permutation."""
    rng = np.random.default_rng(seed)
    values = np.asarray(values, dtype="float64")
    return np.array([cross_validated_r2(z, rng.permutation(values), folds, seed + 1 + k)
                     for k in range(permutations)])


def direction_fit(z, values, folds: int = 5, permutations: int = 20, seed: int = 0) -> dict:
    """:func:`regression_direction` with the fit judged out of sample: the direction and slope
    (fitted on every point), the cross-validated R² and the permutation baseline (mean and sample
    sd of :func:`permutation_r2`), with n, the number of predictors, folds and permutations.
    ``r2`` is the cross-validated R² (the one to quote); the in-sample R² is kept as
    ``r2_in_sample`` for reference only."""
    direction, slope, r2_in = regression_direction(z, values)
    chance = permutation_r2(z, values, permutations, folds, seed)
    z = np.asarray(z)
    r2_cv = cross_validated_r2(z, values, folds, seed)
    return {"direction": direction, "slope": slope, "r2_in_sample": r2_in,
            "r2": r2_cv, "r2_cv": r2_cv,
            "r2_chance_mean": float(chance.mean()),
            "r2_chance_sd": float(chance.std(ddof=1)) if len(chance) > 1 else float("nan"),
            "n": len(z), "predictors": z.shape[1], "folds": folds, "permutations": permutations}


def swing_effect(images_fn, classifier, z_low, z_high) -> dict:
    """What changes between the images of two latent points per sample, ``z_low`` and
    ``z_high`` (the same points moved back and forth along one direction or code): the mean
    change of each attribute (ink, slant) from low to high, and the share of samples whose class
    (the classifier's argmax) differs between the two, overall and per class at ``z_low``, and
    per sample (``flipped``, for :func:`paired_share_difference`)."""
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
            "count_by_class": counts, "flipped": flipped}


def paired_share_difference(flipped_a, flipped_b, level: float = 0.95) -> dict:
    """The difference of two shares measured on the same points (say, the share whose class
    flips under one swing minus under another, point by point), with a normal ``level``
    interval from the per-point differences: mean ± z·sd/√n. Returns the difference, its
    interval and n."""
    a, b = np.asarray(flipped_a, dtype=float), np.asarray(flipped_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"need two equal 1-D samples of at least 2 points; got {a.shape} and "
                         f"{b.shape}.")
    ci = intervals.mean_interval(a - b, level, method="normal")
    return {"difference": ci["mean"], "low": ci["low"],
            "high": ci["high"], "n": ci["n"], "level": level}

"""Measuring a conditional generator (thesis §3.3, conditional generation; Mirza and Osindero
2014): does it draw the digit it was asked for, and how real does each digit look?

Both questions are answered with the frozen evaluator (:mod:`thesis_lib.evaluation.evaluator`): the share
of images it reads as the requested digit, and a Fréchet distance per digit against the real
test images of that digit. The same numbers for real images are the reference.
"""

from __future__ import annotations

import numpy as np

from thesis_lib.evaluation.metrics import frechet_distance


def _check(images, requested, num_classes=10):
    requested = np.asarray(requested)
    if len(images) != len(requested):
        raise ValueError(f"one requested digit per image: got {len(images)} images and "
                         f"{len(requested)} digits.")
    if requested.size and (requested.min() < 0 or requested.max() >= num_classes):
        raise ValueError(f"requested digits must lie in 0..{num_classes - 1}.")
    return requested.astype(int)


def agreement(predicted, requested, num_classes: int = 10) -> dict:
    """Share of images whose evaluator class equals the requested one, overall and per digit
    (NaN for a digit never requested)."""
    requested = _check(predicted, requested, num_classes)
    hits = np.asarray(predicted) == requested
    counts = np.bincount(requested, minlength=num_classes)
    per_digit = np.bincount(requested[hits], minlength=num_classes) / np.maximum(counts, 1)
    return {"share": float(hits.mean()),
            "per_digit": np.where(counts > 0, per_digit, np.nan), "count": counts}


def frechet_per_digit(features, requested, test_features, test_labels,
                      num_classes: int = 10) -> np.ndarray:
    """Fréchet distance of each requested digit's images to the real test images of that digit
    (evaluator features); NaN where fewer than 2 images were requested."""
    requested = _check(features, requested, num_classes)
    test_labels = np.asarray(test_labels)
    out = np.full(num_classes, np.nan)
    for digit in range(num_classes):
        mine = features[requested == digit]
        if len(mine) >= 2:
            out[digit] = frechet_distance(mine, test_features[test_labels == digit])
    return out


def evaluate(images, requested, evaluator, test_features, test_labels) -> dict:
    """:func:`agreement` and :func:`frechet_per_digit` of ``images`` drawn for ``requested``."""
    probs, features = evaluator.probabilities_and_features(images)
    result = agreement(probs.argmax(axis=1), requested, evaluator.num_classes)
    result["frechet_per_digit"] = frechet_per_digit(features, requested, test_features,
                                                    test_labels, evaluator.num_classes)
    return result


def real_reference(evaluator, mnist, per_digit: int = 1000, seed: int = 0) -> dict:
    """The same measurements on real training images (``per_digit`` of each digit, drawn with
    ``seed``) with their true labels: what a perfect conditional generator would score."""
    (x_train, y_train), (x_test, y_test) = mnist
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(np.flatnonzero(y_train == d), per_digit, replace=False)
                          for d in range(evaluator.num_classes)])
    test_features = evaluator.features(x_test)
    return {**evaluate(x_train[idx], y_train[idx], evaluator, test_features, y_test),
            "test_features": test_features}

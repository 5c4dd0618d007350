"""Evaluation metrics. Classification (thesis §4.1): confusion matrix and per-class precision,
recall and F1."""

from __future__ import annotations

import warnings

import numpy as np


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts C[i, j] of items of true class i predicted as class j (``num_classes``: by default
    the largest class seen, plus one)."""
    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y_true.shape} vs {y_pred.shape}.")
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def precision_recall_f1(matrix) -> dict[str, np.ndarray]:
    """Per-class precision C[k,k]/Σᵢ C[i,k], recall C[k,k]/Σⱼ C[k,j] and their harmonic mean.

    A class never predicted has precision 0 (and F1 0), not a division by zero.
    """
    m = np.asarray(matrix, dtype=float)
    tp = np.diag(m)
    predicted, actual = m.sum(axis=0), m.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return {"precision": precision, "recall": recall, "f1": f1, "support": actual.astype(int)}


def most_confident_errors(probabilities, y_true, k: int = 10) -> np.ndarray:
    """Indices of the ``k`` misclassified items whose wrong prediction had the highest probability."""
    probabilities = np.asarray(probabilities)
    pred = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(pred != np.asarray(y_true))
    order = np.argsort(-probabilities[wrong, pred[wrong]], kind="stable")
    return wrong[order[:k]]


# --- GAN metrics (computed with the frozen evaluator, thesis_lib.evaluation.evaluator) -------------------

def frechet_distance(features_a, features_b) -> float:
    """‖μa − μb‖² + Tr(Σa + Σb − 2(ΣaΣb)^½) between two feature samples (rows = items).

    The Fréchet distance between Gaussians fitted to each sample; with Inception features it
    is the FID, here the features are the evaluator's 64 penultimate activations.
    """
    from scipy import linalg
    a, b = np.asarray(features_a, dtype=np.float64), np.asarray(features_b, dtype=np.float64)
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    # Features constant in both samples (ReLU units that never fire) add only their mean
    # difference; leaving them out of the covariances keeps sqrtm away from singular matrices.
    live = (a.std(axis=0) > 1e-12) | (b.std(axis=0) > 1e-12)
    cov_a = np.atleast_2d(np.cov(a[:, live], rowvar=False))
    cov_b = np.atleast_2d(np.cov(b[:, live], rowvar=False))
    with warnings.catch_warnings():
        # A collapsed generator gives a (nearly) singular Σa; sqrtm then warns, but its result
        # is still usable, and the non-finite case is handled just below.
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov_a @ cov_b)
    if not np.all(np.isfinite(covmean)):  # nearly singular product: regularise slightly
        eps = 1e-6 * np.eye(len(cov_a))
        covmean = linalg.sqrtm((cov_a + eps) @ (cov_b + eps))
    covmean = np.real(covmean)
    value = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * covmean)
    return float(max(value, 0.0))


def mnist_score(probabilities, splits: int = 10) -> tuple[float, float]:
    """exp(E_x[KL(p(y|x) ‖ p(y))]) per split (the Inception score with the MNIST evaluator).

    Ranges from 1 (every image gets the same class distribution) to the number of classes
    (confident predictions spread evenly over them: 10 for MNIST). Returns (mean, sd) over
    ``splits`` equal parts.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if splits < 1 or splits > len(p):
        raise ValueError(f"splits must lie between 1 and the number of images ({len(p)}).")
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        kl = np.sum(part * (np.log(part + 1e-12) - np.log(marginal + 1e-12)), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def class_coverage(probabilities, threshold: float = 0.05) -> dict:
    """Histogram of predicted classes, its KL divergence to uniform, classes with ≥ threshold
    (as many classes as ``probabilities`` has columns)."""
    probabilities = np.asarray(probabilities)
    classes = probabilities.shape[1]
    counts = np.bincount(probabilities.argmax(axis=1), minlength=classes)
    share = counts / counts.sum()
    nonzero = share > 0
    kl = float(np.sum(share[nonzero] * np.log(share[nonzero] * classes)))
    return {"counts": counts, "share": share, "kl_to_uniform": kl,
            "classes_covered": int(np.sum(share >= threshold))}


def evaluate_images(images, evaluator, reference_features, splits: int = 10) -> dict:
    """Fréchet distance to ``reference_features``, MNIST score and class coverage of ``images``."""
    probs, features = evaluator.probabilities_and_features(images)
    return _metrics(probs, features, reference_features, splits)


def _metrics(probs, features, reference_features, splits: int = 10) -> dict:
    score, score_sd = mnist_score(probs, splits)
    coverage = class_coverage(probs)
    return {"frechet_distance": frechet_distance(features, reference_features),
            "mnist_score": score, "mnist_score_sd": score_sd,
            "classes_covered": coverage["classes_covered"],
            "kl_to_uniform": coverage["kl_to_uniform"],
            "class_share": coverage["share"].round(4).tolist()}


def real_data_references(evaluator, mnist, n: int = 10_000, seed: int = 0) -> dict:
    """The same metrics on real data: the floor and ceiling every GAN number is read against.

    Fréchet distance of ``n`` training images to the test set (what a perfect generator could
    reach with ``n`` samples), and the MNIST score and coverage of the test set.
    """
    (x_train, _), (x_test, _) = mnist
    idx = np.random.default_rng(seed).choice(len(x_train), n, replace=False)
    test_probs, test_features = evaluator.probabilities_and_features(x_test)
    floor = evaluate_images(x_train[idx], evaluator, test_features)
    ceiling = _metrics(test_probs, test_features, test_features)
    return {"train_vs_test": floor, "test_set": ceiling, "n": n, "seed": seed,
            "test_features": test_features}

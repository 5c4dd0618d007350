"""Evaluation metrics. Classification (thesis §4.1): confusion matrix and per-class precision,
recall and F1."""

from __future__ import annotations

import numpy as np


def confusion_matrix(y_true, y_pred, num_classes: int = 10) -> np.ndarray:
    """Counts C[i, j] of items of true class i predicted as class j."""
    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y_true.shape} vs {y_pred.shape}.")
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

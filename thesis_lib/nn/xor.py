"""XOR (thesis §2.2): the four points, the thesis's hand-built 2-2-1 ReLU network and its
matrices. NumPy only, so that §2.3 (:mod:`thesis_lib.nn.erm`) does not import Keras."""

from __future__ import annotations

import numpy as np

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0], dtype=float)

# The thesis's hand-built solution (§2.2, after Goodfellow et al.): θ1, c, θ2, b.
THESIS_XOR = dict(theta1=np.array([[1.0, 1.0], [1.0, 1.0]]), c=np.array([0.0, -1.0]),
                  theta2=np.array([1.0, -2.0]), b=0.0)


def xor_forward(theta1, c, theta2, b, X=XOR_X):
    """The thesis's matrices: pre-activation θ1ᵀXᵀ + c, ReLU, output θ2ᵀ h + b (columns = points)."""
    pre = np.asarray(theta1).T @ np.asarray(X).T + np.asarray(c)[:, None]
    hidden = np.maximum(pre, 0)
    out = np.asarray(theta2) @ hidden + b
    return pre, hidden, out


XOR_POINTS = ("(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)")


def xor_forward_table(pre, hidden, out):
    """The matrices of :func:`xor_forward` as one table: a row per hidden unit and stage, the
    output last, a column per XOR input (what the book shows instead of the raw arrays)."""
    import pandas as pd

    rows = {}
    for j, row in enumerate(np.asarray(pre), start=1):
        rows[f"θ⁽¹⁾ᵀx + c, neurona {j}"] = row
    for j, row in enumerate(np.asarray(hidden), start=1):
        rows[f"h = ReLU(θ⁽¹⁾ᵀx + c), neurona {j}"] = row
    rows["salida θ⁽²⁾ᵀh + b"] = np.asarray(out)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(XOR_POINTS))
    frame.columns.name = "entrada"
    return frame

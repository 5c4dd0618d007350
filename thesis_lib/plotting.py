"""Figures shared by the chapters (matplotlib; Spanish labels, since they appear in the book)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

CLASS_COLORS = ("#222222", "#f2c200")  # class 0 black, class 1 yellow, as in the thesis


def plot_boolean_problem(ax, X, y, bias=None, weights=None, title=None):
    """The four Boolean inputs coloured by class and, if given, the line b + w·x = 0.

    The half-plane where the perceptron answers 1 is shaded (thesis §2.1, figures 3–5).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    lo, hi = -0.5, 1.5
    if bias is not None:
        w1, w2 = weights
        gx, gy = np.meshgrid(np.linspace(lo, hi, 201), np.linspace(lo, hi, 201))
        ax.contourf(gx, gy, (bias + w1 * gx + w2 * gy >= 0).astype(float), levels=[0.5, 1.5],
                    colors=[CLASS_COLORS[1]], alpha=0.15)
        xs = np.array([lo, hi])
        if abs(w2) > 1e-12:
            ax.plot(xs, -(bias + w1 * xs) / w2, color="C3", lw=2)
        elif abs(w1) > 1e-12:
            ax.axvline(-bias / w1, color="C3", lw=2)
    for cls in (0, 1):
        pts = X[y == cls]
        ax.scatter(pts[:, 0], pts[:, 1], s=160, color=CLASS_COLORS[cls], edgecolor="k",
                   zorder=3, label=f"clase {cls}")
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    if title:
        ax.set_title(title)
    return ax


def plot_errors_per_epoch(ax, errors, label, cycle=None):
    """Misclassified samples in each epoch; a cycle's start is marked when there is one."""
    epochs = np.arange(1, len(errors) + 1)
    line, = ax.plot(epochs, errors, marker="o", label=label)
    if cycle is not None:
        ax.axvline(cycle[0], color=line.get_color(), ls=":", lw=1)
    ax.set(xlabel="época", ylabel="errores en la época")
    ax.set_xticks(epochs)
    ax.set_yticks(range(0, max(errors) + 1))
    return ax


def new_figure(ncols=1, width=4.0, height=4.0):
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), constrained_layout=True)
    return fig, np.atleast_1d(axes)


def plot_states(states, X, y, titles):
    """One panel per (b, w1, w2) state, each with its decision line (thesis §2.1, XOR)."""
    fig, axes = new_figure(len(states), width=3.2, height=3.4)
    for ax, (b, w1, w2), title in zip(axes, states, titles):
        plot_boolean_problem(ax, X, y, b, (w1, w2), title=title)
    return fig

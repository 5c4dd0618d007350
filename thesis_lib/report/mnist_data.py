"""MNIST as the opening of thesis §4 presents it: how many images of each digit, what the
pixels hold, and what the digits look like, computed from the project's loader
(``thesis_lib.data``) rather than stated."""

from __future__ import annotations

import numpy as np
import pandas as pd

from thesis_lib.formatting import num, spanish_ticks

SPLITS = ("entrenamiento", "prueba")


def class_counts(mnist) -> pd.DataFrame:
    """Images of each digit in the training and test sets, and each digit's share (%)."""
    (_, y_train), (_, y_test) = mnist
    frame = pd.DataFrame({"dígito": np.arange(10),
                          "entrenamiento": np.bincount(y_train, minlength=10),
                          "prueba": np.bincount(y_test, minlength=10)})
    for split in SPLITS:
        frame[f"% {split}"] = 100 * frame[split] / frame[split].sum()
    return frame


def pixel_summary(mnist) -> pd.DataFrame:
    """Per split: image count and size, the pixel range, the mean and standard deviation of the
    pixels (0–255), the share of pixels that are exactly 0 (background) and exactly 255, and
    the mean number of inked (non-zero) pixels per image."""
    rows = {}
    for split, (x, _) in zip(SPLITS, mnist):
        x = np.asarray(x)
        rows[split] = {"images": len(x), "height": x.shape[1], "width": x.shape[2],
                       "min": int(x.min()), "max": int(x.max()), "mean": float(x.mean()),
                       "std": float(x.std()), "share_zero": float(np.mean(x == 0)),
                       "share_255": float(np.mean(x == 255)),
                       "inked_per_image": float(np.mean((x > 0).sum(axis=(1, 2))))}
    return pd.DataFrame(rows).T


def pixel_table(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`pixel_summary` as a short Spanish table (one column per split)."""
    def column(r):
        return [num(int(r["images"])), f"{int(r['height'])} × {int(r['width'])}",
                f"{num(int(r['min']))} a {num(int(r['max']))}", num(r["mean"], 1),
                num(r["std"], 1), f"{num(100 * r['share_zero'], 1)} %",
                f"{num(100 * r['share_255'], 2)} %", num(r["inked_per_image"], 1)]
    names = ["imágenes", "tamaño (píxeles)", "valores de los píxeles", "media de los píxeles",
             "desviación estándar", "píxeles exactamente 0 (fondo)", "píxeles exactamente 255",
             "píxeles con tinta por imagen (media)"]
    return pd.DataFrame({"": names, **{s: column(summary.loc[s]) for s in summary.index}}
                        ).set_index("")


def examples_per_class(x, y, per_class: int = 8, seed: int = 0) -> np.ndarray:
    """``per_class`` images of each digit drawn with ``seed``, as (10, per_class, 28, 28)."""
    rng = np.random.default_rng(seed)
    return np.stack([x[rng.choice(np.flatnonzero(y == d), per_class, replace=False)]
                     for d in range(10)])


def mean_images(x, y) -> np.ndarray:
    """The average image of each digit, (10, 28, 28), in the pixels' own scale."""
    return np.stack([np.asarray(x[y == d], dtype="float64").mean(axis=0) for d in range(10)])


def mosaic(rows, gap: int = 2, fill: float = 0.0) -> np.ndarray:
    """Images (rows × columns × h × w) tiled into one array, ``gap`` pixels of ``fill``
    between neighbours: one panel, however many digits."""
    rows = np.asarray(rows, dtype="float64")
    r, c, h, w = rows.shape
    out = np.full((r * (h + gap) - gap, c * (w + gap) - gap), fill)
    for i in range(r):
        for j in range(c):
            out[i * (h + gap):i * (h + gap) + h, j * (w + gap):j * (w + gap) + w] = rows[i, j]
    return out


def plot_examples(examples, size: float = 0.75):
    """The digits of :func:`examples_per_class`, one row per digit, in one panel; 0 is white
    and 255 black, as the MNIST files define them."""
    import matplotlib.pyplot as plt

    r, c = examples.shape[:2]
    fig, ax = plt.subplots(figsize=(c * size + 0.5, r * size), constrained_layout=True)
    ax.imshow(mosaic(examples), cmap="gray_r", vmin=0, vmax=255)
    step = examples.shape[2] + 2
    ax.set_yticks([i * step + examples.shape[2] / 2 for i in range(r)], [str(d) for d in range(r)])
    ax.set_xticks([])
    ax.set_ylabel("dígito")
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def plot_shares_and_pixels(counts: pd.DataFrame, x_train):
    """Two panels: each digit's share in both splits (a balanced set would sit at 10 %), and
    the histogram of the training pixels' values (log scale: most are 0)."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(8.5, 3.4), constrained_layout=True)
    width = 0.4
    for k, split in enumerate(SPLITS):
        left.bar(counts["dígito"] + (k - 0.5) * width, counts[f"% {split}"], width, label=split)
    left.axhline(10, color="black", lw=0.8, ls="--")
    left.set(xticks=range(10), xlabel="dígito", ylabel="porcentaje de las imágenes",
             ylim=(0, 14), title="Peso de cada dígito")
    left.legend(loc="upper center", ncol=2, fontsize=9)
    values = np.bincount(np.asarray(x_train).ravel(), minlength=256)
    right.bar(np.arange(256), values, width=1.0, color="0.3")
    right.set(yscale="log", xlabel="valor del píxel (0 = fondo, 255 = tinta plena)",
              ylabel="píxeles (escala log.)", title="Valores de los píxeles (entrenamiento)")
    spanish_ticks(fig)
    return fig


def plot_mean_images(means, size: float = 0.75):
    """The average image of each digit side by side, in one panel."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10 * size, size + 0.45), constrained_layout=True)
    ax.imshow(mosaic(means[None]), cmap="gray_r", vmin=0, vmax=255)
    step = means.shape[1] + 2
    ax.set_xticks([i * step + means.shape[2] / 2 for i in range(len(means))],
                  [str(d) for d in range(len(means))])
    ax.set_yticks([])
    ax.set_xlabel("dígito")
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def most_frequent_ink(x) -> int:
    """The most frequent non-zero pixel value (the histogram's peak among inked pixels)."""
    counts = np.bincount(np.asarray(x).ravel(), minlength=256)
    return int(np.argmax(counts[1:]) + 1)


def plot_filter_grid(images, *, cmap: str, vmin: float, vmax: float, label: str,
                     ncols: int = 4, size: float = 1.2):
    """Small images on one colour scale (chapter 4.1: the evaluator's first-layer filters and
    the maps they produce), ``ncols`` to a row in reading order, without per-panel titles,
    and one colour bar for all of them, labelled ``label``."""
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    images = np.asarray(images)
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols + 1.1, size * nrows),
                             constrained_layout=True, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i].squeeze(), cmap=cmap, vmin=vmin, vmax=vmax)
    fig.get_layout_engine().set(wspace=0.04, hspace=0.04)
    bar = fig.colorbar(ScalarMappable(Normalize(vmin, vmax), cmap), ax=axes.ravel().tolist(),
                       shrink=0.85, aspect=25)
    bar.set_label(label, fontsize=10)
    bar.ax.tick_params(labelsize=10)
    spanish_ticks(fig)
    return fig

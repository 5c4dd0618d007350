"""Figures of the GAN chapters: losses against the thesis's bands, discriminator accuracy,
metrics per epoch, sample grids and latent interpolations (Spanish labels)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from thesis_lib import claims
from thesis_lib.formatting import num

GAN_LEGEND_PT = 9  # legends and titles of the GAN figures: legible at column width


def _legend_below(ax, ncol: int = 2):
    """The legend under the axes, off the data: over 100 epochs the curves fill every corner."""
    ax.legend(fontsize=GAN_LEGEND_PT, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncol=ncol, frameon=False)


def plot_gan_losses(ax, rows, title=None, bands=claims.GAN_LOSS_BANDS):
    """Per-epoch mean discriminator and generator losses with the thesis's expected bands."""
    epochs = [r["epoch"] for r in rows]
    for i, (key, label, short) in enumerate((("d_loss", "discriminador", "D"),
                                             ("g_loss", "generador", "G"))):
        ax.plot(epochs, [r[key] for r in rows], marker=".", color=f"C{i}", label=label)
        if bands and key in bands:
            lo, hi = (num(b) for b in bands[key])
            ax.axhspan(*bands[key], color=f"C{i}", alpha=0.12,
                       label=f"franja de {short}: {lo}–{hi}")
    ax.set(xlabel="época", ylabel="pérdida media de la época")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    _legend_below(ax)
    if title:
        ax.set_title(title, fontsize=GAN_LEGEND_PT + 1)
    return ax


def plot_d_accuracy(ax, rows, title=None):
    """Discriminator accuracy on 100 real and 100 generated images (``monitor.csv``)."""
    epochs = [r["epoch"] for r in rows]
    ax.plot(epochs, [100 * r["acc_real"] for r in rows], marker="o", label="imágenes reales")
    ax.plot(epochs, [100 * r["acc_fake"] for r in rows], marker="s", label="imágenes generadas")
    ax.axhline(50, color="0.5", ls=":", lw=1)
    ax.set(xlabel="época", ylabel="exactitud del discriminador (%)", ylim=(-5, 105))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    _legend_below(ax)
    if title:
        ax.set_title(title, fontsize=GAN_LEGEND_PT + 1)
    return ax


def plot_metric_curve(axes, rows, floor: dict, ceiling: dict):
    """Fréchet distance and MNIST score per epoch, each beside what real images score: the
    ``floor`` of the distance and the ``ceiling`` reference of the score (a reference, not a
    maximum: another real sample can score a little higher)."""
    epochs = [r["epoch"] for r in rows]
    ax_fd, ax_score = axes
    ax_fd.plot(epochs, [r["frechet_distance"] for r in rows], marker=".", color="C3",
               label="generador")
    ax_fd.axhline(floor["frechet_distance"], color="k", ls="--", lw=1,
                  label="imágenes reales")
    ax_fd.set(xlabel="época", ylabel="distancia de Fréchet", yscale="log",
              title="distancia de Fréchet (menor es mejor)")
    # Ticks at 1, 2 and 5 times each power of ten, written out, so that the values the text
    # quotes (a few hundred) can be read off the log axis.
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter
    ax_fd.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax_fd.yaxis.set_major_formatter(ScalarFormatter())
    ax_fd.yaxis.set_minor_formatter(NullFormatter())
    ax_score.plot(epochs, [r["mnist_score"] for r in rows], marker=".", color="C2",
                  label="generador")
    ax_score.axhline(ceiling["mnist_score"], color="k", ls="--", lw=1,
                     label="imágenes reales")
    ax_score.set(xlabel="época", ylabel="puntaje MNIST", ylim=(0, 10.5),
                 title="puntaje MNIST (mayor es mejor)")
    for ax in (ax_fd, ax_score):
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        _legend_below(ax)
        ax.title.set_fontsize(GAN_LEGEND_PT + 1)
    return axes


def plot_interpolation(rows_of_images, row_titles=(), size=0.7, labels=()):
    """Rows of images in [0, 1] (e.g. latent interpolations), one row per path, each row
    titled (``row_titles``) and each image optionally labelled underneath (``labels``, one
    sequence per row, e.g. the digit the evaluator reads). Fonts stay legible at column
    width: 10 images of ``size`` 0.7 in make a 7 in wide figure."""
    rows_of_images = [np.asarray(r) for r in rows_of_images]
    nrows, ncols = len(rows_of_images), max(len(r) for r in rows_of_images)
    row_h = size + 0.35 + (0.25 if len(labels) else 0)
    fig = plt.figure(figsize=(size * ncols, row_h * nrows))
    # One subfigure per row, so that a row's title spans the row instead of widening the
    # column of its first image.
    for r, (subfig, images) in enumerate(zip(np.atleast_1d(fig.subfigures(nrows, 1)),
                                             rows_of_images)):
        axes = subfig.subplots(1, ncols, squeeze=False)[0]
        subfig.subplots_adjust(left=0.005, right=0.995, bottom=0.2 if len(labels) else 0.02,
                               top=0.78, wspace=0.08)
        for c, ax in enumerate(axes):
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(images):
                ax.imshow(images[c].squeeze(), cmap="gray_r", vmin=0, vmax=1)
                if r < len(labels) and c < len(labels[r]):
                    ax.set_xlabel(str(labels[r][c]), fontsize=10, labelpad=2)
            else:
                ax.axis("off")
        if r < len(row_titles):
            subfig.suptitle(row_titles[r], x=0.005, ha="left", fontsize=10)
    return fig





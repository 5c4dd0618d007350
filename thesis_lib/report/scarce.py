"""Chapter 5's report (thesis §5, the closing claim on scarce data): the variants' accuracies as a
Spanish table and figures, the GANs' budget, real digits beside generated ones. The experiment
itself is :mod:`thesis_lib.studies.scarce`."""

from __future__ import annotations

import numpy as np

from thesis_lib.formatting import num, spanish_ticks
from thesis_lib.formatting import table as format_table
from thesis_lib.report.mnist_data import mosaic
from thesis_lib.studies.scarce import VARIANTS, cell_dir, labelled_subset, paired_difference

VARIANT_LABELS = {"alone": "solo las N imágenes", "classic": "aumento clásico",
              "gan": "muestras de la GAN", "both": "GAN y aumento clásico"}


def table(summary_frame):
    """The summary as a short Spanish table (percentages, decimal comma)."""
    import pandas as pd

    rows = [{"N": num(r.n), "variante": VARIANT_LABELS[r.variant], "semillas": num(r.seeds),
             "exactitud media (%)": num(100 * r["mean"], 2),
             "mín.–máx. (%)": f"{num(100 * r['min'], 1)}–{num(100 * r['max'], 1)}",
             "ganancia sobre «solo» (puntos)": "—" if r.variant == "alone" else
             f"{num(100 * r.gain, 2, sign=True)} "
             f"({num(100 * r.gain_min, 1, sign=True)} a {num(100 * r.gain_max, 1, sign=True)})"}
            for _, r in summary_frame.iterrows()]
    return format_table(pd.DataFrame(rows), index=False)


VARIANT_STYLE = {"alone": ("0.35", "o"), "classic": ("tab:blue", "s"), "gan": ("tab:orange", "^"),
             "both": ("tab:green", "D")}


def plot_accuracy(frame):
    """Two panels: test accuracy against N (each seed a point, the mean a line), and each
    variant's gain over ``alone`` seed by seed (paired), in percentage points."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(8.2, 4.3), layout="constrained")
    sizes = sorted(frame.n.unique())
    for k, variant in enumerate(VARIANTS):
        colour, marker = VARIANT_STYLE[variant]
        rows = frame[frame.variant == variant]
        jitter = 1 + 0.04 * (k - 1.5)  # side by side on the log axis
        left.scatter(rows.n * jitter, 100 * rows.accuracy, color=colour, marker=marker, s=18,
                     alpha=0.6)
        means = rows.groupby("n").accuracy.mean()
        left.plot(means.index * jitter, 100 * means.values, color=colour, marker=marker,
                  label=VARIANT_LABELS[variant])
        if variant == "alone":
            continue
        g = (100 * paired_difference(frame, variant)).groupby(level="n")
        right.errorbar(np.array(g.mean().index) * jitter, g.mean().values,
                       yerr=[g.mean().values - g.min().values, g.max().values - g.mean().values],
                       color=colour, marker=marker, capsize=3, label=VARIANT_LABELS[variant])
    right.axhline(0, color="0.35", lw=0.8)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xticks(sizes, [num(n) for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("imágenes etiquetadas N")
    left.set(ylabel="exactitud en prueba (%)", title="Exactitud de cada variante")
    right.set(ylabel="ganancia sobre «solo» (puntos)",
              title="Ganancia por semilla (media; mín.–máx.)")
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncol=4,
               fontsize=9, frameon=False)
    spanish_ticks(fig)
    return fig


def plot_real_and_generated(out_root, mnist, n: int, seed: int = 0):
    """Two panels: the N labelled images of a cell (one row per digit, at most ten each) and
    the final 10 × 10 grid of the GAN trained on them (row d asks for digit d)."""
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    x, y = labelled_subset(mnist, n, seed)
    per = min(10, n // 10)
    rows = np.stack([x[y == d][:per, ..., 0] for d in range(10)])
    grids = sorted((cell_dir(out_root, n, seed) / "gan").glob("grid-epoch*.png"))
    if not grids:
        raise FileNotFoundError(f"no sample grid in {cell_dir(out_root, n, seed) / 'gan'}; "
                                f"run python -m thesis_lib.studies.scarce --profile full first.")
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.6), constrained_layout=True)
    left.imshow(mosaic(rows, fill=0.0), cmap="gray_r", vmin=0, vmax=1)
    left.set_title(f"{'Las' if per * 10 == n else 'Algunas de las'} {num(n)} imágenes reales "
                   f"(semilla {seed})", fontsize=10)
    right.imshow(mpimg.imread(grids[-1]), cmap="gray")
    right.set_title("Muestras de la GAN entrenada con ellas", fontsize=10)
    for ax in (left, right):
        ax.axis("off")
    return fig


def gan_table(gans):
    """:func:`gan_frame` summarised per N, in Spanish."""
    import pandas as pd

    rows = []
    for n, g in gans.groupby("n"):
        rows.append({"N": num(int(n)), "GAN (semillas)": num(len(g)),
                     "pasos de G": num(int(g.steps.iloc[0])),
                     "acuerdo con el evaluador (%)":
                         f"{num(100 * g.agreement.mean(), 1)} "
                         f"({num(100 * g.agreement.min(), 1)}–{num(100 * g.agreement.max(), 1)})",
                     "minutos de CPU por GAN": num(g.seconds.mean() / 60, 1)})
    return format_table(pd.DataFrame(rows), index=False)

"""Figures of chapter 3.3 (WGAN, conditional and controlled generation; Spanish labels).

Each function returns a matplotlib figure built with :func:`thesis_lib.plotting.new_figure`
(at most three panels per row); chapters hand it to :func:`thesis_lib.plotting.glue_figure`.
"""

from __future__ import annotations

import numpy as np

from thesis_lib.formatting import num
from thesis_lib.plotting import new_figure
from thesis_lib.report.gan_theory import FAKE, REAL

FAMILY_ES = {"wasserstein_clip": "recorte de pesos", "wasserstein_gp": "penalización del gradiente"}
FAMILY_COLOR = {"wasserstein_clip": "C1", "wasserstein_gp": "C0"}


def plot_critic_surfaces(results):
    """The critic's score over the plane (shading and contour lines, each panel on its own
    scale), the real points (blue) and the generated ones (red), one panel per loss family."""
    fig, axes = new_figure(len(results), width=3.6, height=3.8)
    for ax, r in zip(axes, results):
        score = r["score"]
        levels = np.linspace(score.min(), score.max(), 13)
        ax.contourf(r["xs"], r["ys"], score, levels=levels, cmap="Greys_r", alpha=0.55)
        ax.contour(r["xs"], r["ys"], score, levels=levels, colors="0.3", linewidths=0.6)
        ax.scatter(*r["real"][:500].T, s=3, color=REAL, alpha=0.7)
        ax.scatter(*r["fake"][:500].T, s=3, color=FAKE, alpha=0.7)
        ax.set(xlim=(-r["lim"], r["lim"]), ylim=(-r["lim"], r["lim"]), aspect="equal",
               title=f"{FAMILY_ES[r['family']]}\n{num(r['steps'])} pasos de G")
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def plot_critic_diagnostics(results):
    """Left, one panel per loss family: histogram of the critic's kernel weights (dashed: ±c).
    Right: histograms of ‖∇ₓC‖ between real and generated points (log scale; dotted: 1)."""
    fig, axes = new_figure(len(results) + 1, width=3.0, height=3.0)
    for ax, r in zip(axes, results):
        ax.hist(r["weights"], bins=60, color=FAMILY_COLOR[r["family"]])
        if r["clip"]:
            for sign in (-1, 1):
                ax.axvline(sign * r["clip"], color="k", ls="--", lw=1)
            # Ticks only at −c, 0 and c: the default five ("−0,010", "−0,005", …) collide.
            ticks = [-r["clip"], 0, r["clip"]]
            ax.set_xticks(ticks, labels=[num(t) for t in ticks])
        ax.set(title=f"pesos del crítico:\n{FAMILY_ES[r['family']]}", xlabel="peso",
               ylabel="cantidad")
    ax = axes[-1]
    bins = np.logspace(-4, 1, 60)
    for r in results:
        ax.hist(np.clip(r["grad_norms"], 1e-4, 10), bins=bins, alpha=0.7,
                color=FAMILY_COLOR[r["family"]], label=FAMILY_ES[r["family"]])
    ax.axvline(1.0, color="k", ls=":", lw=1)
    ax.set(xscale="log", xlabel="‖∇ₓ C(x̂)‖", ylabel="cantidad",
           title="norma del gradiente\ndel crítico")
    # One legend for the three panels (the colours are the families' in all of them), below
    # the axes: inside, it covered the tallest bar and the dotted line at 1.
    fig.legend(handles=ax.get_legend_handles_labels()[0], fontsize=9, loc="outside lower center",
               ncol=2, frameon=False)
    return fig


def plot_estimate_vs_frechet(runs):
    """One panel per run: the epoch-mean estimate the critic (or D's loss) gives against the
    Fréchet distance of that epoch's samples, points joined in epoch order; ``runs`` are dicts
    with ``title``, ``estimate``, ``frechet``, ``label`` (the estimate's axis name) and the
    correlation of :func:`thesis_lib.studies.variant_runs.rank_correlation` (``rho``, ``n``,
    ``low``, ``high``), which the title quotes with its interval."""
    fig, axes = new_figure(len(runs), width=3.3, height=3.4)
    for ax, r in zip(axes, runs):
        ax.plot(r["estimate"], r["frechet"], color="0.6", lw=0.8)
        ax.scatter(r["estimate"], r["frechet"], c=np.arange(len(r["frechet"])), cmap="viridis",
                   s=18, zorder=3)
        interval = (f"[{num(r['low'], 2)}; {num(r['high'], 2)}]"
                    if np.isfinite(r["low"]) and np.isfinite(r["high"]) else "[—]")
        ax.set(xlabel=r["label"], ylabel="distancia de Fréchet",
               title=f"{r['title']}\nρ = {num(r['rho'], 2)} {interval}, n = {num(r['n'])}")
    return fig


def mosaic(images, ncols: int) -> np.ndarray:
    """Images (n, h, w[, 1]) tiled row by row into one array, with a one-pixel white gap."""
    images = np.asarray(images)[..., 0] if np.asarray(images).ndim == 4 else np.asarray(images)
    n, h, w = images.shape
    nrows = int(np.ceil(n / ncols))
    out = np.zeros((nrows * (h + 1) - 1, ncols * (w + 1) - 1))
    for k, image in enumerate(images):
        r, c = divmod(k, ncols)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = image
    return out


def plot_mosaics(panels, titles, ncols: int = 8, size: float = 3.3, per_row: int = 2,
                 row_labels=None, row_title: str | None = None):
    """One panel per set of images in [0, 1] (real ones first, by convention), each tiled
    ``ncols`` wide and titled; at most ``per_row`` panels per row so the digits stay large.
    ``row_labels`` (one per row of images, e.g. the digit a row stands for) go left of each
    row, under the heading ``row_title``."""
    tiles = [mosaic(images, ncols) for images in panels]
    aspect = max(t.shape[0] / t.shape[1] for t in tiles)
    fig, axes = new_figure(len(panels), width=size, height=size * aspect + 0.35,
                           per_row=per_row)
    for ax, tile, title in zip(axes, tiles, titles):
        ax.imshow(tile, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        if row_labels is not None:
            side = np.asarray(panels[0]).shape[1] + 1  # an image's height plus its gap
            ax.set_yticks([(i + 0.5) * side - 1 for i in range(len(row_labels))],
                          [str(label) for label in row_labels], fontsize=9)
            ax.tick_params(axis="y", length=0, pad=2)
            if row_title:
                ax.set_ylabel(row_title, fontsize=9)
    return fig


def plot_code_sweeps(sweeps, titles=("código c₁ de −2 a 2", "código c₂ de −2 a 2"),
                     digits=None):
    """One panel per continuous code: a row per categorical code (ordered by the digit it is
    matched to), the code swept left to right (:func:`variant_report.code_sweep`). ``digits``:
    the digit each row's code is matched to, written left of the row."""
    panels = [np.concatenate(rows) for rows in sweeps]
    ncols = len(sweeps[0][0])
    return plot_mosaics(panels, titles, ncols=ncols, size=3.6, row_labels=digits,
                        row_title="dígito emparejado" if digits is not None else None)

"""Figures of chapters 3.1–3.2 (Spanish labels: they appear in the book).

Each function returns a matplotlib figure built with :func:`thesis_lib.plotting.new_figure`
(at most three panels per row); chapters hand it to :func:`thesis_lib.plotting.glue_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from thesis_lib.formatting import num
from thesis_lib.plotting import new_figure
from thesis_lib.studies.toy import theory

REAL, FAKE, DISC = "#1f5fa8", "#d1495b", "0.25"
COSTS_ES = {"minimax": "minimax: log(1 − D(G(z)))", "non_saturating": "no saturante: −log D(G(z))"}


def plot_1d_snapshots(run: dict, p_data: theory.Mixture1D, per_row: int = 2):
    """Algorithm 1 on the line: at each moment the histogram of G(z), the density of the data
    and D's curve (right axis, with the level ½ dashed)."""
    x = run["x"]
    fig, axes = new_figure(len(run["steps"]), width=3.6, height=2.8, per_row=per_row)
    for i, (ax, step, samples, d) in enumerate(zip(axes, run["steps"], run["samples"],
                                                   run["d"])):
        ax.plot(x, p_data.pdf(x), color=REAL, lw=2, label="$p_{data}$")
        ax.hist(samples, bins=np.linspace(x[0], x[-1], 81), density=True, color=FAKE,
                alpha=0.55, label="$G(z)$")
        ax.set(xlim=(x[0], x[-1]), title=f"paso {num(step)}")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("$x$")
        if i % per_row == 0:
            ax.set_ylabel("densidad")
        right = ax.twinx()
        right.plot(x, d, color=DISC, lw=1.8, label="$D(x)$")
        right.axhline(0.5, color=DISC, ls=":", lw=1)
        right.set_ylim(0, 1)
        if i % per_row == per_row - 1 or i == len(run["steps"]) - 1:
            right.set_ylabel("$D(x)$")
        else:
            right.set_yticklabels([])
        if i == 0:
            handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
            ax.legend(handles=handles, fontsize=8, loc="upper left")
    return fig


def plot_optimal_d(results: list[dict]):
    """One panel per case: the two densities (left axis) and the trained D against the closed
    form D* = p_data/(p_data + p_g) (right axis); the shaded band is where the gap is measured."""
    fig, axes = new_figure(len(results), width=3.8, height=3.1, per_row=2)
    for ax, (title, r) in zip(axes, results):
        x = r["x"]
        ax.plot(x, r["p_data"], color=REAL, lw=1.5, label="$p_{data}$")
        ax.plot(x, r["p_g"], color=FAKE, lw=1.5, label="$p_g$")
        ax.fill_between(x, 0, 1, where=r["mask"], color="0.9", transform=ax.get_xaxis_transform(),
                        label="zona comparada")
        ax.set(xlim=(x[0], x[-1]), xlabel="$x$", ylabel="densidad", title=title)
        right = ax.twinx()
        right.plot(x, r["d_star"], color="k", lw=2.2, label="$D^*$ (fórmula)")
        right.plot(x, r["d"], color="#f2a900", lw=1.5, ls="--", label="$D$ entrenado")
        right.set(ylim=(-0.02, 1.02), ylabel="$D(x)$")
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    fig.legend(handles=handles, fontsize=9, loc="outside lower center", ncol=5, frameon=False)
    return fig


def plot_jsd_w1(family: dict):
    """Left: V(D*, G) by direct integration against −log 4 + 2·JSD, as p_g slides. Right: JSD
    (saturating at log 2) and W₁ (growing with the distance) against the shift."""
    fig, (left, right) = new_figure(2, width=3.8, height=3.1)
    s = family["shift"]
    left.plot(s, family["value"], color="k", lw=2, label="$V(D^*, G)$ integrada")
    left.plot(s, family["identity"], "o", color="#f2a900", ms=4,
              label=r"$-\log 4 + 2\,\mathrm{JSD}$")
    left.axhline(-theory.LOG4, color="0.5", ls=":", lw=1)
    left.set(xlabel=r"traslación $\delta$ de $p_g$", ylabel="valor (nats)",
             title="el criterio del generador")
    right.plot(s, family["jsd"], color="k", lw=2, label="JSD")
    right.axhline(theory.LOG2, color="k", ls=":", lw=1, label="log 2")
    right.set(xlabel=r"traslación $\delta$ de $p_g$", ylabel="JSD (nats)",
              title="JSD frente a $W_1$", ylim=(0, 0.8))
    twin = right.twinx()
    twin.plot(s, family["w1"], color=FAKE, lw=2, ls="--", label="$W_1$")
    twin.set_ylabel("$W_1$")
    handles = right.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    # Each legend below its panel, off the data: inside, the left one hid the −log 4 line and
    # the right one lay under the twin axis's W₁ curve.
    for ax, entries, ncol in ((left, left.get_legend_handles_labels()[0], 2),
                              (right, handles, 3)):
        ax.legend(handles=entries, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=ncol, frameon=False)
    return fig


def plot_nonsaturating_identity(family: dict):
    """The non-saturating cost against D* (§3.1) along a 1-D family p_θ: top, its value and
    KL(p_θ ‖ p_data) − 2·JSD, apart by log 2 + KL(p_data ‖ m); bottom, their derivatives in θ
    (D* held at θ₀, as in G's update) on top of each other, and the derivative with D*
    re-optimised at every θ, which is a different curve (Arjovsky and Bottou 2017, Thm. 2.5).

    The two panels are stacked in one column, with large fonts and the legends below the axes,
    so that the figure stays legible on a phone (column ``PHONE_COLUMN_PX`` wide)."""
    fig, (top, bottom) = new_figure(2, width=4.6, height=3.4, per_row=1)
    s = family["shift"]
    xlabel = r"$\theta$ (media de $p_\theta$)"
    top.plot(s, family["cost"], color="k", lw=2, label=r"$\mathbb{E}_{p_\theta}[-\log D^*]$")
    top.plot(s, family["criterion"], color="#f2a900", lw=2, ls="--",
             label=r"$\mathrm{KL} - 2\,\mathrm{JSD}$")
    top.fill_between(s, family["criterion"], family["cost"], color="0.88",
                     label=r"diferencia: $\log 2 + \mathrm{KL}(p_{data} \| m)$")
    top.set(xlabel=xlabel, ylabel="valor (nats)", title="valores: difieren")
    bottom.plot(s, family["grad_cost"], color="k", lw=2, label="costo no saturante, $D^*$ fijo")
    bottom.plot(s, family["grad_criterion"], "o", color="#f2a900", ms=5,
                label=r"$\mathrm{KL} - 2\,\mathrm{JSD}$")
    bottom.plot(s, family["grad_moving"], color=FAKE, lw=2, ls=":",
                label="costo con $D^*$ reoptimizado")
    bottom.set(xlabel=xlabel, ylabel=r"derivada en $\theta$", title="derivadas: coinciden")
    for ax in (top, bottom):
        ax.title.set_fontsize(12)
        ax.xaxis.label.set_fontsize(11)
        ax.yaxis.label.set_fontsize(11)
        ax.tick_params(labelsize=10)
        # Below the axes, off the curves: inside, a phone-sized legend would cover them.
        ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1,
                  frameon=False)
    return fig


# The text column of the book on a phone (390 px viewport less the page margins).
PHONE_COLUMN_PX = 358


def nonsaturating_table(family: dict, shown):
    """The rows of :func:`thesis_lib.studies.toy.theory.nonsaturating_family` at the shifts
    ``shown`` (§3.1), with short Spanish column names: the gap between the two values and the
    two derivatives (D* held fixed), which coincide. Four columns, so that it fits a phone."""
    import pandas as pd

    idx = [int(np.argmin(np.abs(family["shift"] - t))) for t in shown]
    # + 0.0 turns the −0.0 of a symmetric finite difference at θ = 0 into 0.
    return pd.DataFrame({
        "θ": family["shift"][idx],
        "diferencia de valores": family["cost"][idx] - family["criterion"][idx],
        "derivada del costo": family["grad_cost"][idx] + 0.0,
        "derivada de KL\u00a0−\u00a02·JSD": family["grad_criterion"][idx] + 0.0,
    }).set_index("θ")


def plot_generator_costs():
    """The two costs of G as functions of d = D(G(z)), and the size of their derivative with
    respect to D's logit (log scale): −d for minimax, −(1 − d) for the non-saturating cost."""
    d = np.linspace(1e-4, 1 - 1e-4, 2000)
    costs, grads = theory.generator_losses(d), theory.generator_logit_gradients(d)
    fig, (left, right) = new_figure(2, width=3.8, height=3.1)
    for name, style in (("minimax", "-"), ("non_saturating", "--")):
        left.plot(d, costs[name], ls=style, lw=2, label=COSTS_ES[name])
        right.plot(d, np.abs(grads[name]), ls=style, lw=2, label=COSTS_ES[name])
    left.set(xlabel="$D(G(z))$", ylabel="costo de G (a minimizar)", ylim=(-5, 5),
             title="los dos costos")
    left.legend(fontsize=8, loc="upper right")
    right.set(xlabel="$D(G(z))$", ylabel="|derivada respecto del logit|", yscale="log",
              ylim=(1e-4, 2), title="la señal que llega a G")
    right.axvspan(0, 0.05, color="0.9")
    return fig


def plot_gradient_norms(rows: list[dict]):
    """Arjovsky and Bottou's experiment: the norm of G's gradient under each cost (log scale)
    against the number of D steps (left) and against D's accuracy (right), one line per
    (generator, seed)."""
    fig, (left, right) = new_figure(2, width=3.8, height=3.2)
    groups = sorted({(r["generator_steps"], r["seed"]) for r in rows})
    g_steps = sorted({g for g, _ in groups})
    # The untrained generator darkest; generators trained longer lighter.
    shades = {g: 1.0 - 0.6 * i / max(1, len(g_steps) - 1) for i, g in enumerate(g_steps)}
    for g, seed in groups:
        sel = sorted((r for r in rows if (r["generator_steps"], r["seed"]) == (g, seed)),
                     key=lambda r: r["d_steps"])
        steps = [max(r["d_steps"], 1) for r in sel]
        first = seed == min(s for gg, s in groups if gg == g)
        for cost, color, style in (("minimax", "#1f5fa8", "-"),
                                   ("non_saturating", "#d1495b", "--")):
            norms = [r[f"grad_{cost}"] for r in sel]
            label = (f"{COSTS_ES[cost].split(':')[0]}, G tras {num(g)} pasos"
                     if first else None)
            left.plot(steps, norms, ls=style, color=color, alpha=shades[g], marker="o", ms=3,
                      label=label)
            right.plot([r["d_accuracy"] for r in sel], norms, ls="none", color=color,
                       alpha=shades[g], marker="o" if cost == "minimax" else "s", ms=4)
    left.set(xscale="log", yscale="log", xlabel="pasos de D (0 dibujado en 1)",
             ylabel="‖∇ de G‖", title="frente a los pasos de D")
    left.legend(fontsize=8, loc="lower left")
    right.set(yscale="log", xlabel="exactitud de D", ylabel="‖∇ de G‖",
              title="frente a la exactitud de D", xlim=(0.45, 1.03))
    return fig


def plot_2d_snapshots(run: dict, per_row: int = 3, score_label: str = "$D(x)$"):
    """Mode collapse in the plane, GAN-Lab style: at each moment D over the plane (shading:
    light = "real"), the data (blue) and G's samples (red), with the modes captured; a key
    below the panels says which is which (``score_label`` names the shading)."""
    lim, grid = run["lim"], run["grid"]
    side = int(round(np.sqrt(len(grid))))
    xs = grid[:, 0].reshape(side, side)
    ys = grid[:, 1].reshape(side, side)
    fig, axes = new_figure(len(run["steps"]), width=3.2, height=3.3, per_row=per_row)
    for ax, step, samples, d, stats in zip(axes, run["steps"], run["samples"], run["d"],
                                           run["stats"]):
        ax.contourf(xs, ys, d.reshape(side, side), levels=np.linspace(0, 1, 11), cmap="Greys_r",
                    alpha=0.55, vmin=0, vmax=1)
        ax.scatter(*run["real"][:600].T, s=3, color=REAL, alpha=0.6, label="datos")
        ax.scatter(*samples[:600].T, s=3, color=FAKE, alpha=0.6, label="muestras de $G$")
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal",
               title=f"paso {num(step)}: {stats['modes_captured']} de {len(run['centers'])} modos")
        ax.set_xticks([])
        ax.set_yticks([])
    # The key, below the panels (off the data): the two clouds and the two ends of the shading.
    shade = plt.get_cmap("Greys_r")
    handles = axes[0].get_legend_handles_labels()[0] + [
        Patch(facecolor=shade(level), alpha=0.55, edgecolor="0.3", label=f"{score_label} {word}")
        for level, word in ((1.0, "cerca de 1 (claro)"), (0.0, "cerca de 0 (oscuro)"))]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=11, markerscale=4,
               frameon=False)
    return fig

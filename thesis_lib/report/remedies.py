"""The remedies of §3.2 as the book shows them: Spanish tables and a figure built from
:func:`thesis_lib.studies.toy.remedies.load_table` / :func:`~thesis_lib.studies.toy.remedies.load_runs`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from thesis_lib.formatting import num, pct, table
from thesis_lib.plotting import new_figure
from thesis_lib.studies.toy import remedies

_PERCENT = FuncFormatter(lambda v, _: pct(v, 0))

def _pm(mean, sd, decimals=1, percent=False) -> str:
    if percent:
        return f"{pct(mean)} ± {pct(sd)}"
    return f"{num(mean, decimals)} ± {num(sd, decimals)}"


def remedies_table(frame: pd.DataFrame, dataset: str):
    """One line per variant on ``dataset``: the thesis's remedy it stands for, the seeds, modes
    captured and share of high-quality samples (mean ± sample sd over the seeds), the KL of the
    mode histogram and the CPU seconds per run (wall seconds depend on what else ran)."""
    rows = frame[frame.dataset == dataset]
    if rows.empty:
        raise ValueError(f"no runs on {dataset!r} in this table; datasets: "
                         f"{', '.join(sorted(set(frame.dataset)))}.")
    modes = len(remedies.DATASETS[dataset]["centers"]())
    out = pd.DataFrame({
        "variante": rows.label_es.values,
        "remedio de la tesis": [(remedies.VARIANTS[v].remedy if v in remedies.VARIANTS else "") or "—"
                                for v in rows.variant],
        "semillas": [num(n) for n in rows.n_seeds],
        f"modos de {modes}": [_pm(m, s) for m, s in zip(rows.modes_mean, rows.modes_sd)],
        "alta calidad": [_pm(m, s, percent=True) for m, s in zip(rows.hq_mean, rows.hq_sd)],
        "KL del histograma": [num(k, 2) if np.isfinite(k) else "—" for k in rows.kl_mean],
        "segundos de CPU por corrida": [num(s, 0) for s in rows.cpu_seconds_mean],
    })
    return table(out, index=False)


def published_table(dataset: str):
    """The published numbers for the standard GAN on ``dataset``; a figure that could not be
    checked against its paper (``unverified``) shows as "sin verificar", and a line whose mode
    count is unchecked is left out."""
    rows = [r for r in remedies.PUBLISHED
            if r["dataset"] == dataset and "modes" not in r.get("unverified", [])]

    def shown(r, field, text):
        return "sin verificar" if field in r.get("unverified", []) else text

    out = pd.DataFrame({
        "fuente": [r["source"].split(" (")[0] for r in rows],
        "método": [r["method"] for r in rows],
        "modos": [num(r["modes"], 1) + ("" if r["modes_sd"] is None
                                       else f" ± {num(r['modes_sd'], 1)}") for r in rows],
        "alta calidad": [shown(r, "high_quality", pct(r["high_quality"])) for r in rows],
    })
    return table(out, index=False)


def plot_modes(runs: pd.DataFrame):
    """Per dataset (a row of panels), the modes captured and the share of high-quality samples
    of each variant: one dot per seed, the bar at the mean; variants in :data:`remedies.VARIANTS`
    order, named on the left. Counting modes alone rewards a blurry generator: read the two
    panels of a row together."""
    datasets = [d for d in remedies.DATASETS if d in set(runs.dataset)]
    fig, axes = new_figure(2 * len(datasets), width=3.6, height=4.2, per_row=2)
    for i, dataset in enumerate(datasets):
        sel = runs[runs.dataset == dataset]
        names = [v for v in remedies.VARIANTS if v in set(sel.variant)]
        y = np.arange(len(names))[::-1]
        total = len(remedies.DATASETS[dataset]["centers"]())
        for ax, column, limit in ((axes[2 * i], "modes", total + 0.5),
                                  (axes[2 * i + 1], "high_quality", 1.0)):
            for yi, name in zip(y, names):
                values = sel[sel.variant == name][column].values
                if not len(values):
                    continue
                ax.barh(yi, values.mean(), color="0.85")
                jitter = np.linspace(-0.25, 0.25, len(values)) if len(values) > 1 else [0.0]
                ax.scatter(values, yi + np.asarray(jitter), s=12, color="#d1495b", zorder=3)
            ax.set_yticks(y)
            ax.set_xlim(-0.04 * limit, 1.04 * limit)
        left, right = axes[2 * i], axes[2 * i + 1]
        left.axvline(total, color="k", ls=":", lw=1)
        left.set_yticklabels([_short(n) for n in names])
        right.set_yticklabels([])
        left.set(xlabel="modos capturados", title=TITLES_ES.get(dataset, dataset))
        right.set(xlabel="muestras de alta calidad", title="")
        right.xaxis.set_major_formatter(_PERCENT)
    return fig


TITLES_ES = {"ring": "anillo de 8 normales", "grid": "grilla de 25 normales"}
SHORT_ES = {"standard": "estándar", "minimax": "minimax", "bigger_g": "G 4 × 256",
            "l2_d": "L2 en D", "l2_g": "L2 en G", "mode_seeking": "búsqueda de modos",
            "instance_noise": "ruido de instancia", "d_steps_2": "k = 2", "d_steps_5": "k = 5",
            "wgan_gp": "WGAN-GP", "pacgan4": "PacGAN4"}


def _short(name: str) -> str:
    return SHORT_ES.get(name, name)

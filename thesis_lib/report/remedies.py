"""The remedies of §3.2 as the book shows them: Spanish tables and a figure built from
:func:`thesis_lib.studies.toy.remedies.load_table` / :func:`~thesis_lib.studies.toy.remedies.load_runs`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from thesis_lib.formatting import listing, num, pct, table
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
    """The published numbers for the standard GAN (and PacGAN4) on ``dataset``, each checked
    against the authors' copy of their table (:data:`remedies.PUBLISHED`, field ``checked``):
    the runs behind each mean and, where the paper gives it, ± its standard error."""
    rows = [r for r in remedies.PUBLISHED if r["dataset"] == dataset]

    def pm(value, se, percent=False):
        text = pct(value) if percent else num(value, 1)
        if se is None:
            return text
        return f"{text} ± {pct(se) if percent else num(se, 1)}"

    out = pd.DataFrame({
        "fuente": [r["source"].split(" (")[0] for r in rows],
        "método": [r["method"] for r in rows],
        "corridas": [num(r["runs"]) for r in rows],
        "modos (media ± error estándar)": [pm(r["modes"], r["modes_se"]) for r in rows],
        "alta calidad (media ± error estándar)": [
            pm(r["high_quality"], r["high_quality_se"], percent=True) for r in rows],
    })
    return table(out, index=False)


def welch_interval(mean_a, sd_a, n_a, mean_b, sd_b, n_b, level: float = 0.95) -> dict:
    """The difference of two means, a − b, with Welch's ``level`` interval (separate variances,
    Welch–Satterthwaite degrees of freedom), from each group's mean, sample sd and size. Two
    groups without spread give a zero-width interval."""
    from scipy.stats import t

    va, vb = sd_a ** 2 / n_a, sd_b ** 2 / n_b
    se = np.sqrt(va + vb)
    diff = mean_a - mean_b
    if se == 0:
        return {"difference": float(diff), "low": float(diff), "high": float(diff), "df": np.inf,
                "level": level}
    df = (va + vb) ** 2 / ((va ** 2 / (n_a - 1) if va else 0) + (vb ** 2 / (n_b - 1) if vb else 0))
    half = t.ppf(0.5 + level / 2, df) * se
    return {"difference": float(diff), "low": float(diff - half), "high": float(diff + half),
            "df": float(df), "level": level}


def differences(frame: pd.DataFrame, dataset: str = "ring",
                baseline: str = "standard") -> pd.DataFrame:
    """Per variant on ``dataset``, its difference with ``baseline`` in modes captured and in the
    share of high-quality samples (in percentage points), each with Welch's 95 % interval over
    the seeds (:func:`welch_interval`)."""
    rows = frame[frame.dataset == dataset].set_index("variant")
    base = rows.loc[baseline]
    out = []
    for variant, r in rows.iterrows():
        if variant == baseline:
            continue
        modes = welch_interval(r.modes_mean, r.modes_sd, r.n_seeds,
                               base.modes_mean, base.modes_sd, base.n_seeds)
        hq = welch_interval(100 * r.hq_mean, 100 * r.hq_sd, r.n_seeds,
                            100 * base.hq_mean, 100 * base.hq_sd, base.n_seeds)
        out.append({"variant": variant, "label_es": r.label_es, "n": int(r.n_seeds),
                    "n_baseline": int(base.n_seeds),
                    **{f"modes_{k}": modes[k] for k in ("difference", "low", "high")},
                    **{f"hq_{k}": hq[k] for k in ("difference", "low", "high")}})
    return pd.DataFrame(out)


def _difference_text(d, low, high, decimals=1) -> str:
    return f"{num(d, decimals)} (IC 95 %: {num(low, decimals)} a {num(high, decimals)})"


def _reading(low, high) -> str:
    return "mayor" if low > 0 else "menor" if high < 0 else "sin diferencia que el intervalo permita afirmar"


def differences_table(frame: pd.DataFrame, dataset: str = "ring"):
    """:func:`differences` as the chapter shows it, in Spanish."""
    d = differences(frame, dataset)
    out = pd.DataFrame({
        "variante": d.label_es.values,
        "semillas (variante; estándar)": [f"{num(a)}; {num(b)}" for a, b in zip(d.n, d.n_baseline)],
        "modos: diferencia con la estándar": [
            _difference_text(*x) for x in zip(d.modes_difference, d.modes_low, d.modes_high)],
        "alta calidad: diferencia (puntos)": [
            _difference_text(*x) for x in zip(d.hq_difference, d.hq_low, d.hq_high)],
        "lectura (calidad)": [_reading(lo, hi) for lo, hi in zip(d.hq_low, d.hq_high)],
    })
    return table(out, index=False)


def difference_facts(frame: pd.DataFrame, dataset: str = "ring") -> dict[str, str]:
    """The chapter's glue texts from :func:`differences`: per variant ``{dataset}_{variant}_hq_diff``
    and ``..._modes_diff`` ("−12,7 (IC 95 %: −28,0 a 2,6)"), ``{dataset}_halfwidth`` (range of
    the quality intervals' half-widths, in points: the smallest difference these seeds can
    tell apart) and ``{dataset}_better`` / ``{dataset}_worse`` (which variants' quality
    interval lies wholly above or below 0, or "ninguna")."""
    d = differences(frame, dataset)
    facts = {}
    for _, r in d.iterrows():
        facts[f"{dataset}_{r.variant}_hq_diff"] = _difference_text(r.hq_difference, r.hq_low, r.hq_high)
        facts[f"{dataset}_{r.variant}_modes_diff"] = _difference_text(
            r.modes_difference, r.modes_low, r.modes_high)
    half = (d.hq_high - d.hq_low) / 2
    facts[f"{dataset}_halfwidth"] = f"{num(half.min(), 0)} y {num(half.max(), 0)}"
    for key, mask in (("better", d.hq_low > 0), ("worse", d.hq_high < 0)):
        names = list(d.label_es[mask])
        facts[f"{dataset}_{key}"] = listing(names) if names else "ninguna"
    return facts


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

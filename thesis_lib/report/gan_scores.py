"""Spanish tables and figures of the section «Cómo se mide una GAN» (chapter 3.3's metrics,
read by chapters 3.3 and 4.2): the committed runs' ``scores.json`` side by side with
intervals, the Fréchet distance against the number of samples, per-digit views, and synthetic
cases that show what each metric sees. The numbers come from
:mod:`thesis_lib.studies.rescore` and :mod:`thesis_lib.evaluation.gan_scores`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from thesis_lib import artifacts, runcards
from thesis_lib.evaluation import manifold
from thesis_lib.evaluation.gan_scores import MIN_CLASS
from thesis_lib.formatting import listing, num, pct
from thesis_lib.plotting import new_figure
from thesis_lib.report.dcgan import variant_name
from thesis_lib.studies import rescore
from thesis_lib.studies.mnist_gan import PAIRED_VARIANTS, VARIANTS

FAMILY_ES = {"standard": "GAN estándar", "wasserstein_gp": "WGAN-GP",
             "wasserstein_clip": "WGAN con recorte", "infogan": "InfoGAN"}
MANIFOLD_ES = {"precision": "precisión", "recall": "sensibilidad", "density": "densidad",
               "coverage": "cobertura"}


def run_label(card: dict) -> str:
    """A short Spanish name for a GAN run: its family, network and epochs (a §4.2 variant by
    its name in that chapter, :func:`thesis_lib.report.dcgan.variant_name`)."""
    options, config = card["options"], card["config"]
    if card.get("variant") in {*VARIANTS, *PAIRED_VARIANTS}:  # §4.2's DCGAN: several seeds
        variant = card.get("variant", "baseline")  # named as chapter 4.2 names it
        name = "DCGAN" + ("" if variant == "baseline" else f" ({variant_name(variant)})") + \
            f", semilla {card['seed']}"
    elif "info_noise" in options:
        name = "InfoGAN"
    elif config.get("conditional"):
        how = "proyección" if options.get("d_conditioning") == "projection" else "planos"
        name = f"condicional ({how})"
    else:
        name = FAMILY_ES.get(config.get("loss") or "standard", "GAN estándar")
    return f"{name}, {num(card['epochs'])} épocas"


def load(results: Path | None = None) -> list[dict]:
    """Every run with current scores: ``{"label", "card", "scores", "run"}``, in the order of
    the book (the §4.2 DCGAN first, then chapter 3.3's runs, then the attempts)."""
    entries = []
    for run in rescore.gan_runs(results):
        if rescore.status(run) != "current":
            continue
        card = runcards.read_card(run / "card.json")
        entries.append({"label": run_label(card), "card": card, "run": run,
                        "scores": artifacts.read_json(run / rescore.SCORES)})
    return entries


def floor(entries: list[dict]) -> dict:
    """The real-data floor the scores were written with (the same in every file)."""
    if not entries:
        raise ValueError("no run has scores yet; run `python -m thesis_lib.studies.rescore`.")
    return entries[0]["scores"]["real_floor"]


def cell(m: dict, decimals: int = 2, percent: bool = False) -> str:
    """"value ± half-width" of a 95 % interval in Spanish form (a share as a percentage). The
    bootstrap intervals are symmetric by construction (estimate ± 1.96 sd), except where a
    bound cuts them: then "value [low; high]"."""
    lo, hi, v = m["low"], m["high"], m["value"]
    if percent:
        return f"{pct(v)} [{pct(lo)}; {pct(hi)}]"
    if abs((hi - v) - (v - lo)) > 1e-9 * max(1.0, abs(v)):
        return f"{num(v, decimals)} [{num(lo, decimals)}; {num(hi, decimals)}]"
    return f"{num(v, decimals)} ± {num(hi - v, decimals)}"


def fd_inf(scores: dict) -> dict:
    """FD∞ with its interval, shaped like a metric (for :func:`cell`)."""
    inf = scores["fd_inf"]
    return {"value": inf["fd_inf"], "low": inf["low"], "high": inf["high"]}


def _rows(entries: list[dict], real: dict):
    yield "imágenes reales (piso)", real
    for e in entries:
        yield e["label"], e["scores"]["generated"]


def distance_frame(entries: list[dict]) -> pd.DataFrame:
    """Fréchet distance at N = 10 000, FD∞ and KID, each with its 95 % interval."""
    rows = []
    for label, s in _rows(entries, floor(entries)):
        rows.append({"corrida": label,
                     "Fréchet": cell(s["metrics"]["frechet_distance"], 1),
                     "Fréchet∞": cell(fd_inf(s), 1),
                     "KID": cell(s["metrics"]["kid"], 1)})
    return pd.DataFrame(rows).set_index("corrida")


def manifold_frame(entries: list[dict]) -> pd.DataFrame:
    """Precision, recall, density and coverage, each with its 95 % interval."""
    rows = []
    for label, s in _rows(entries, floor(entries)):
        row = {"corrida": label}
        for key, es in MANIFOLD_ES.items():
            row[es] = cell(s["metrics"][key], 3)
        rows.append(row)
    return pd.DataFrame(rows).set_index("corrida")


def per_class_frame(scores: dict) -> pd.DataFrame:
    """One run's per-digit view: the digit's share (Wilson interval), and where it has enough
    images, its Fréchet distance beside the real floor at the same number of images, and its
    precision and recall against the real images of that digit."""
    rows = []
    for r in scores["generated"]["per_class"]:
        rows.append({"dígito": str(r["digit"]), "imágenes": num(r["count"]),
                     "proporción": cell({"value": r["share"], "low": r["share_low"],
                                         "high": r["share_high"]}, percent=True),
                     "Fréchet": num(r["frechet_distance"], sig=3) if "frechet_distance" in r
                     else "—",
                     "piso": num(r["floor_frechet_distance"], sig=2)
                     if "floor_frechet_distance" in r else "—",
                     "precisión": num(r["precision"], 2) if "precision" in r else "—",
                     "sensibilidad": num(r["recall"], 2) if "recall" in r else "—"})
    return pd.DataFrame(rows).set_index("dígito")


# Seven markers against ten colours: no two of the first 70 curves share both.
FD_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def coinciding_runs(entries: list[dict], rtol: float = 1e-3) -> list[list[str]]:
    """Groups of runs (their labels, two or more) whose Fréchet curves coincide: the same
    distance, within ``rtol``, at every N (e.g. generators stuck on the same constant image).
    In :func:`plot_fd_curves` each group is one curve."""
    groups: list[list[dict]] = []
    for e in entries:
        curve = e["scores"]["generated"]["fd_curve"]
        for g in groups:
            other = g[0]["scores"]["generated"]["fd_curve"]
            if other["sizes"] == curve["sizes"] and np.allclose(
                    curve["frechet_distance"], other["frechet_distance"], rtol=rtol, atol=0):
                g.append(e)
                break
        else:
            groups.append([e])
    return [[e["label"] for e in g] for g in groups if len(g) > 1]


def coinciding_text(entries: list[dict]) -> str:
    """The sentence for the figure's ficha: which runs share one curve, with their distance at
    the largest N, or that no two coincide."""
    groups = coinciding_runs(entries)
    if not groups:
        return "No hay dos corridas con la misma curva."
    by_label = {e["label"]: e for e in entries}
    parts = []
    for g in groups:
        fd = by_label[g[0]]["scores"]["generated"]["fd_curve"]["frechet_distance"][-1]
        parts.append(f"{listing(f'«{label}»' for label in g)} dan la misma distancia en todos "
                     f"los N ({num(fd, 1)} con el mayor): sus curvas coinciden y se dibujan "
                     "como una sola")
    return "; ".join(parts) + "."


def plot_fd_curves(entries: list[dict]):
    """Fréchet distance against the number of generated images N (log–log), each run and the
    real floor, with FD∞ as a dashed line at each curve's right. Each run has its own colour
    and marker; runs whose curves coincide (:func:`coinciding_runs`) share one, named together;
    the legend, under the axes, lists the curves from top to bottom as they end on the right."""
    from matplotlib import colormaps
    real = floor(entries)
    together = {label: g for g in coinciding_runs(entries) for label in g}
    series, done = [], set()
    for e in entries:
        if e["label"] in done:
            continue
        group = together.get(e["label"], [e["label"]])
        done.update(group)
        label = group[0] if len(group) == 1 else \
            ";\n".join(group) + f"\n(las {num(len(group))} coinciden)"
        series.append((label, e["scores"]["generated"]))
    series.sort(key=lambda item: -item[1]["fd_curve"]["frechet_distance"][-1])
    palette = colormaps["tab10"].colors
    styles = [(palette[i % 10], FD_MARKERS[i % len(FD_MARKERS)]) for i in range(len(series))]
    series.append(("imágenes reales (piso)", real))
    styles.append(("k", "o"))
    lines = sum(label.count("\n") + 1 for label, _ in series)
    # 3,3 in of axes and labels, and room for the legend under them (10 pt lines).
    fig, (ax,) = new_figure(1, width=4.7, height=3.3 + 0.2 * lines)
    for (label, s), (colour, marker) in zip(series, styles):
        curve = s["fd_curve"]
        ax.plot(curve["sizes"], curve["frechet_distance"], ls="-", marker=marker, color=colour,
                label=label, markersize=5, lw=1.3)
        inf = s["fd_inf"]["fd_inf"]
        if inf > 0:
            ax.hlines(inf, curve["sizes"][-1], curve["sizes"][-1] * 1.6, colors=[colour],
                      linestyles="--")
    ax.set(xscale="log", yscale="log", xlabel="imágenes generadas, N",
           ylabel="distancia de Fréchet")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=1,
               fontsize=10, frameon=False, handlelength=2.6)
    return fig


def plot_class_shares(scores: dict, label: str):
    """Share of each digit among one run's generated images (evaluator's reading), with its
    Wilson interval, against the uniform 10 %."""
    rows = scores["generated"]["per_class"]
    share = np.array([r["share"] for r in rows])
    err = np.array([[r["share"] - r["share_low"] for r in rows],
                    [r["share_high"] - r["share"] for r in rows]])
    fig, (ax,) = new_figure(1, width=5.6, height=3.4)
    ax.bar(range(len(rows)), 100 * share, yerr=100 * err, color="C0", capsize=3)
    ax.axhline(10, color="0.4", linestyle="--", linewidth=1)
    ax.set(xticks=range(len(rows)), xticklabels=[str(r["digit"]) for r in rows],
           xlabel="dígito que lee el evaluador", ylabel="% de las imágenes", title=label)
    return fig


# --- what each metric sees: synthetic cases ----------------------------------------------------

def synthetic_cases(n: int = 1000, seed: int = 0, k: int = 3) -> list[dict]:
    """Three generators against a ring of 8 normals (2-D, where everything can be drawn): one
    faithful, one that keeps only 4 of the 8 modes, one that covers all 8 but blurred. Each
    with its precision, recall, density and coverage (``k``-nearest-neighbour balls)."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(8) / 8
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)

    def ring(m, modes=8, scale=0.12):
        which = rng.integers(0, modes, m)
        return centres[which] + scale * rng.normal(size=(m, 2))

    real = ring(n)
    cases = [("fiel", ring(n)), ("la mitad de los modos", ring(n, modes=4)),
             ("borrosa", ring(n, scale=0.45))]
    return [{"name": name, "real": real, "fake": fake, **manifold.prdc(real, fake, k)}
            for name, fake in cases]


def plot_synthetic_cases(cases: list[dict]):
    """One panel per synthetic generator: real points (blue), generated (red), and its four
    metrics in the title."""
    fig, axes = new_figure(len(cases), width=2.9, height=3.7)
    for ax, c in zip(axes, cases):
        ax.scatter(*c["real"].T, s=3, color="C0", alpha=0.5)
        ax.scatter(*c["fake"].T, s=3, color="C3", alpha=0.5)
        ax.set(xlim=(-3.2, 3.2), ylim=(-3.2, 3.2), aspect="equal", xticks=[], yticks=[])
        ax.set_title(f"{c['name']}\nprec. {num(c['precision'], 2)} · sens. "
                     f"{num(c['recall'], 2)}\ndens. {num(c['density'], 2)} · cob. "
                     f"{num(c['coverage'], 2)}", fontsize=11)
    return fig


def most_confident(probabilities, digit: int, n: int = 8) -> np.ndarray:
    """Indices of the ``n`` images the evaluator reads as ``digit`` with the highest
    probability."""
    p = np.asarray(probabilities)
    mine = np.flatnonzero(p.argmax(axis=1) == digit)
    return mine[np.argsort(-p[mine, digit], kind="stable")[:n]]


def plot_confident_eights(real, images, probabilities, label: str, digit: int = 8, n: int = 8):
    """Left: ``n`` real images of ``digit``; right: the ``n`` generated images the evaluator
    reads as ``digit`` with the highest probability. Returns the figure and those
    probabilities."""
    top = most_confident(probabilities, digit, n)
    p = np.asarray(probabilities)[top, digit]
    fig, axes = new_figure(2, width=3.4, height=1.9)
    for ax, group, title in ((axes[0], np.asarray(real)[:n], f"{digit} reales"),
                             (axes[1], np.asarray(images)[top], f"generadas: {label}")):
        cols = 4
        rows = -(-len(group) // cols)
        canvas = np.ones((rows * 29 + 1, cols * 29 + 1))
        for i, im in enumerate(group):
            r, c = divmod(i, cols)
            canvas[1 + 29 * r:29 * (r + 1), 1 + 29 * c:29 * (c + 1)] = 1 - np.squeeze(im) / \
                (255.0 if np.asarray(group).dtype == np.uint8 else 1.0)
        ax.imshow(canvas, cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    return fig, p


def main_dcgan(entries: list[dict]) -> dict:
    """The §4.2 DCGAN run the page discusses: the baseline trained longest."""
    runs = [e for e in entries if e["card"].get("variant") == "baseline"]
    if not runs:
        raise ValueError("no scored run of the §4.2 DCGAN; run `python -m "
                         "thesis_lib.studies.rescore`.")
    return max(runs, key=lambda e: (e["card"]["steps"], -e["card"]["seed"]))


def table_facts(entries: list[dict]) -> dict[str, str]:
    """The sentences' numbers under the runs' tables (glue names → Spanish text): the §4.2
    DCGAN against the floor, the run with the highest precision and the closest run."""
    def m(e):
        return e["scores"]["generated"]["metrics"]

    real = floor(entries)["metrics"]
    dcgan = main_dcgan(entries)
    sharp = max(entries, key=lambda e: m(e)["precision"]["value"])
    close = min(entries, key=lambda e: m(e)["frechet_distance"]["value"])
    conditional = close["card"]["config"].get("conditional", False)
    return {
        "dc_label": dcgan["label"], "dc_prec": num(m(dcgan)["precision"]["value"], 2),
        "dc_recall": num(m(dcgan)["recall"]["value"], 2),
        "dc_cov": num(m(dcgan)["coverage"]["value"], 2),
        "real_prec": num(real["precision"]["value"], 2),
        "real_cov": num(real["coverage"]["value"], 2),
        "sharp_density": num(m(sharp)["density"]["value"], 2),
        "sharp_label": sharp["label"], "sharp_prec": num(m(sharp)["precision"]["value"], 2),
        "sharp_recall": num(m(sharp)["recall"]["value"], 2),
        "sharp_cov": num(m(sharp)["coverage"]["value"], 2),
        "close_label": close["label"],
        "close_fd": num(m(close)["frechet_distance"]["value"], 1),
        "close_cov": num(m(close)["coverage"]["value"], 2),
        "close_note": ("es de las que reciben el dígito que deben dibujar; con una corrida por "
                       "configuración, eso no prueba que la condición sea la causa"
                       if conditional else "no recibe el dígito que debe dibujar"),
    }


def fooled_note(entries: list[dict], shown: dict) -> str:
    """The sentence after the evaluator's surest "8"s: whether the run shown is also the one
    with the highest precision (then its features fool the manifold metrics too)."""
    sharp = max(entries, key=lambda e: e["scores"]["generated"]["metrics"]["precision"]["value"])
    if sharp["run"] == shown["run"]:
        return ("Es además la corrida de mayor precisión de la tabla: sus características caen "
                "cerca de las de dígitos reales sin que sus imágenes lo sean.")
    return ""


def unscored_text(results: Path | None = None) -> str:
    """A sentence on the committed runs the tables leave out (no generator was kept to score),
    grouped by folder; empty when every run is scored."""
    missing = [r for r in rescore.gan_runs(results) if rescore.status(r) == "no generator"]
    if not missing:
        return "Todas las corridas guardadas están en las tablas."
    groups: dict[str, int] = {}
    for r in missing:
        group = "results/scarce" if "scarce" in r.parts else f"results/{r.parent.name}"
        groups[group] = groups.get(group, 0) + 1
    where = ", ".join(f"{num(n)} en `{g}`" for g, n in sorted(groups.items()))
    return (f"Faltan {num(len(missing))} corridas guardadas antes de que existieran estas "
            f"métricas y cuyo generador no se conservó ({where}): no se pueden volver a medir. "
            "Las corridas que entrega la campaña de la CPU se miden al entregarse y aparecen "
            "aquí solas.")


def per_class_facts(scores: dict) -> dict[str, str]:
    """The sentence under the per-digit view: the digits drawn most and least often, and the
    range of the per-digit Fréchet distances beside that of their floors."""
    rows = scores["generated"]["per_class"]
    order = sorted(rows, key=lambda r: r["share"])
    measured = [r for r in rows if "frechet_distance" in r]
    return {
        "pc_rare": listing([f"{r['digit']} ({pct(r['share'])})" for r in order[:2]]),
        "pc_common": listing([f"{r['digit']} ({pct(r['share'])})" for r in order[-2:][::-1]]),
        "pc_fd": f"{num(min(r['frechet_distance'] for r in measured), 0)} a "
                 f"{num(max(r['frechet_distance'] for r in measured), 0)}",
        "pc_floor": f"{num(min(r['floor_frechet_distance'] for r in measured), 1)} a "
                    f"{num(max(r['floor_frechet_distance'] for r in measured), 1)}",
    }


def fooled_run(entries: list[dict], digit: int = 8, min_count: int = MIN_CLASS) -> dict:
    """The unconditional run with the largest Fréchet distance among those whose generator is
    here to sample from and whose samples the evaluator reads as ``digit`` at least
    ``min_count`` times (its ``scores.json``: a collapsed run, e.g. a constant image, has no
    "8" to show). The page samples its surest ``digit``s."""
    def count(e):
        rows = e["scores"]["generated"].get("per_class", [])
        return next((r["count"] for r in rows if r["digit"] == digit), 0)

    usable = [e for e in entries if not e["card"]["config"].get("conditional")
              and (e["run"] / e["card"].get("generator_weights", "-")).is_file()
              and count(e) >= min_count]
    if not usable:
        raise ValueError(f"no scored run with its generator here draws {min_count} images the "
                         f"evaluator reads as {digit}; run `python -m thesis_lib.studies.rescore`.")
    return max(usable, key=lambda e: e["scores"]["generated"]["metrics"]["frechet_distance"]
               ["value"])
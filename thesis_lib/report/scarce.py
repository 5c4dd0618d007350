"""Chapter 5's report (thesis §5, the closing claim on scarce data): the variants' accuracies as
Spanish tables and figures, the GANs' agreement and budget, real digits beside generated ones,
and the sentences whose content depends on which design the committed cards were made with.
The experiment itself is :mod:`thesis_lib.studies.scarce`.

Design 1 (the first committed runs) gave the GAN's samples half of each batch, so its GAN
variants saw half as many real images as the others, and its GANs trained a fixed ~1,000 steps;
design 2 keeps the real images equal and trains each GAN until its agreement stops improving.
The chapter shows the newest design with cards (:func:`thesis_lib.studies.scarce.shown_design`),
and :func:`facts` words its verdict under the ledger's rules (``thesis_lib.book.verdicts``):
design 1 cannot carry one ("sin evidencia"); design 2 says what its intervals settle.
"""

from __future__ import annotations

import numpy as np

from thesis_lib.formatting import listing, num, pct, spanish_ticks
from thesis_lib.formatting import table as format_table
from thesis_lib.gan.grids import draw_grid, grid_tiles
from thesis_lib.report.dcgan import plot_sample_panels
from thesis_lib.studies.scarce import (
    VARIANTS,
    agreement_curves,
    budget,
    cell_dir,
    labelled_subset,
    paired_difference,
    paired_intervals,
    paired_wins,
)

VARIANT_LABELS = {"alone": "solo las N imágenes", "classic": "aumento clásico",
                  "gan": "muestras de la GAN", "both": "GAN y aumento clásico"}
# The comparisons the chapter makes, each paired seed by seed: (variant, baseline).
COMPARISONS = (("classic", "alone"), ("gan", "alone"), ("both", "alone"), ("both", "classic"))
FULL_SIZES = (100, 300, 1000)  # profiles: scarce_data, full (a test checks)
FULL_CELLS = 3 * len(FULL_SIZES)  # × seeds 0, 1, 2


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


def _interval(r) -> str:
    if r.pairs < 2:
        return "— (un solo par)"
    return f"{num(100 * r.low, 1, sign=True)} a {num(100 * r.high, 1, sign=True)}"


def paired_table(frame):
    """Every comparison of :data:`COMPARISONS` per N: pairs (seeds), the mean paired difference
    in points, its standard deviation over seeds, its 95 % Student-t interval and the wins."""
    import pandas as pd

    rows = []
    for variant, baseline in COMPARISONS:
        for _, r in paired_intervals(frame, variant, baseline).iterrows():
            rows.append({"comparación": f"{VARIANT_LABELS[variant]} − "
                                        f"{VARIANT_LABELS[baseline]}",
                         "N": num(int(r.n)), "pares": num(int(r.pairs)),
                         "diferencia media (puntos)": num(100 * r["mean"], 2, sign=True),
                         "desvío (puntos)": "—" if r.pairs < 2 else num(100 * r["std"], 2),
                         "intervalo del 95 %": _interval(r),
                         "mejor en": f"{num(int(r.wins))} de {num(int(r.pairs))}"})
    return format_table(pd.DataFrame(rows), index=False)


VARIANT_STYLE = {"alone": ("0.35", "o"), "classic": ("tab:blue", "s"),
                 "gan": ("tab:orange", "^"), "both": ("tab:green", "D")}


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


def final_grid(folder):
    """The grid of the generator a cell used: ``grid-best.png`` (design 2), else the last
    monitored epoch's."""
    from pathlib import Path

    folder = Path(folder)
    if (folder / "grid-best.png").is_file():
        return folder / "grid-best.png"
    grids = sorted(folder.glob("grid-epoch*.png"))
    if not grids:
        raise FileNotFoundError(f"no sample grid in {folder}; run python -m "
                                f"thesis_lib.studies.scarce --profile full first.")
    return grids[-1]


def plot_real_and_generated(out_root, mnist, n: int, seed: int = 0, design: int = 1,
                            per_row: int = 6):
    """Two panels, one row per digit: the first ``per_row`` labelled images of each digit of a
    cell (of its N / 10) and as many columns of the 10 × 10 grid of the GAN trained on them that
    the classifiers used (row d asks for digit d), both drawn as the runs draw their grids
    (:func:`thesis_lib.gan.grids.draw_grid`). Fewer than ten a row, the digits are large
    enough to judge at column width."""
    x, y = labelled_subset(mnist, n, seed)
    per = min(per_row, n // 10, 10)
    rows = np.concatenate([x[y == d][:per, ..., 0] for d in range(10)])
    real = draw_grid(rows, per).astype("float32") / 255.0
    grid = final_grid(cell_dir(out_root, n, seed, design) / "gan")
    shown = "las" if per * 10 == n else f"{num(per)} de las"
    return plot_sample_panels(
        [real, grid_tiles(grid, 10, per)],
        [f"{shown} {num(n // 10)} imágenes reales\nde cada dígito (semilla {seed})",
         f"muestras de la GAN entrenada\ncon las {num(n)}; fila d: dígito d"], ncols=2)


STOPS = {"patience": "paciencia", "cap": "tope", "fixed budget": "presupuesto fijo",
         "not stopped": "sin detener"}


def gan_table(gans):
    """:func:`thesis_lib.studies.scarce.gan_frame` summarised per N, in Spanish: seeds, the
    generator steps of the generator used, how training stopped, the agreement with the
    requested digit (mean, standard deviation and range over the GANs; its header says on how
    many samples) and the minutes."""
    import pandas as pd

    rows = []
    for n, g in gans.groupby("n"):
        k = len(g)
        steps = num(int(g.steps.iloc[0])) if g.steps.nunique() == 1 else \
            f"{num(int(g.steps.mean()))} ({num(int(g.steps.min()))}–{num(int(g.steps.max()))})"
        stops = g.stopped_by.value_counts()
        sd = f" ± {num(100 * g.agreement.std(ddof=1), 1)}" if k > 1 else ""
        rows.append({"N": num(int(n)), "GAN (semillas)": num(k),
                     "pasos de G del generador usado": steps,
                     "detención": "; ".join(f"{STOPS.get(s, s)}: {num(int(c))}"
                                            for s, c in stops.items()),
                     f"acuerdo con el evaluador (%, {samples_text(gans)} muestras por GAN)":
                         f"{num(100 * g.agreement.mean(), 1)}{sd} "
                         f"({num(100 * g.agreement.min(), 1)}–{num(100 * g.agreement.max(), 1)})",
                     "minutos de CPU por GAN": num(g.seconds.mean() / 60, 1)})
    return format_table(pd.DataFrame(rows), index=False)


N_COLOURS = {100: "tab:purple", 300: "tab:orange", 1000: "tab:green"}


def _curves(out_root, design: int):
    """The GANs' agreement curves when the design has them (design 2), else ``None``."""
    curves = agreement_curves(out_root, design) if design >= 2 else None
    return curves if curves is not None and len(curves) else None


def plot_agreement(out_root, gans, design: int):
    """The evaluator's agreement with the requested digit for each GAN, as a point: the
    generator the classifiers used, measured on fresh samples. With curves (design 2: fixed
    samples after every GAN epoch) against generator steps, each GAN's curve behind its point;
    without (design 1: one measurement, at the end of a fixed budget of about the same steps
    for every GAN) against N, the steps written under each N."""
    import matplotlib.pyplot as plt

    curves = _curves(out_root, design)
    if curves is None:
        fig, ax = plt.subplots(figsize=(5.0, 3.6), layout="constrained")
        sizes = sorted(int(n) for n in gans.n.unique())
        for n, g in gans.groupby("n"):
            colour = N_COLOURS.get(int(n), "0.3")
            jitter = 1 + 0.05 * (g.seed.to_numpy() - g.seed.mean())  # seeds side by side
            ax.scatter(n * jitter, 100 * g.agreement, color=colour, marker="o", s=36, zorder=3)
            ax.hlines(100 * g.agreement.mean(), n * 0.88, n * 1.12, color=colour, lw=1.5)
        steps = gans.groupby("n").steps.agg(["min", "max"])
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{num(n)}\n({_steps(steps.loc[n])} pasos de G)"
                              for n in sizes])
        ax.minorticks_off()
        ax.set_xlim(sizes[0] / 1.6, sizes[-1] * 1.6)
        ax.set(xlabel="imágenes etiquetadas N", ylabel="acuerdo con el dígito pedido (%)",
               ylim=(0, 100))
        spanish_ticks(fig)
        return fig
    fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    for n, g in gans.groupby("n"):
        colour = N_COLOURS.get(int(n), "0.3")
        for _, c in curves[curves.n == n].groupby("seed"):
            ax.plot(c.steps, 100 * c.agreement, color=colour, lw=1, alpha=0.7)
        ax.scatter(g.steps, 100 * g.agreement, color=colour, marker="o", s=28, zorder=3,
                   label=f"N = {num(int(n))}")
    ax.set(xlabel="pasos de G", ylabel="acuerdo con el dígito pedido (%)", ylim=(0, 100))
    ax.set_xlim(0, 1.05 * max(gans.steps_trained.max(), gans.steps.max(), curves.steps.max()))
    ax.legend(frameon=False, fontsize=9)
    spanish_ticks(fig)
    return fig


def _steps(row) -> str:
    return num(int(row["min"])) if row["min"] == row["max"] else \
        f"{num(int(row['min']))}–{num(int(row['max']))}"


def agreement_texts(out_root, gans, design: int, agreement_samples: int) -> dict[str, str]:
    """The words that :func:`plot_agreement`'s caption and ficha need, which depend on what it
    draws: ``esc_acuerdo_eje`` (what the horizontal axis and the marks are) and
    ``esc_acuerdo_ficha`` (on how many samples each mark was measured)."""
    if _curves(out_root, design) is None:
        return {"esc_acuerdo_eje": "según N; cada punto es una GAN (una semilla) y la raya, "
                                   "su media",
                "esc_acuerdo_ficha": (
                    f"Cada punto es el generador que usaron los clasificadores, medido con "
                    f"{samples_text(gans)} muestras nuevas al final de su presupuesto fijo (bajo "
                    "cada N, sus pasos de G). Las GAN de este diseño solo se midieron al final: "
                    "no hay curvas de acuerdo por época.")}
    return {"esc_acuerdo_eje": "según los pasos de G (puntos: el generador que usaron los "
                               "clasificadores; líneas: la medición tras cada época)",
            "esc_acuerdo_ficha": (
                f"Cada punto se midió con {samples_text(gans)} muestras nuevas; cada línea, "
                f"después de cada época de la GAN, con {num(agreement_samples)} muestras "
                "fijas.")}


def samples_text(gans) -> str:
    """How many generated samples each GAN's agreement was measured on (the cards'
    ``metrics.samples``): ``"2000"``, or ``"2000 a 4000"`` when the GANs differ."""
    sizes = sorted(set(int(n) for n in gans.samples))
    return num(sizes[0]) if len(sizes) == 1 else f"{num(sizes[0])} a {num(sizes[-1])}"


def _samples_of(gans) -> str:
    """``"las 2000 muestras de cada GAN (200 por dígito)"``: the samples behind the agreement,
    which asks for the ten digits in equal turns."""
    sizes = set(int(n) for n in gans.samples)
    per_digit = (f" ({num(next(iter(sizes)) // 10)} por dígito)"
                 if len(sizes) == 1 and next(iter(sizes)) % 10 == 0 else "")
    return f"las {samples_text(gans)} muestras de cada GAN{per_digit}"


def _share_of(gans) -> str:
    return (f"entre {pct(gans.agreement.min(), 0)} y {pct(gans.agreement.max(), 0)} "
            f"(media {pct(gans.agreement.mean(), 0)}, desvío "
            f"{num(100 * gans.agreement.std(ddof=1), 1)} puntos, {num(len(gans))} GAN)")


def _per_n(frame, variant: str, baseline: str = "alone") -> str:
    """Per N: the mean paired difference and its 95 % interval, as a Spanish listing."""
    parts = []
    for _, r in paired_intervals(frame, variant, baseline).iterrows():
        interval = "" if r.pairs < 2 else f"; intervalo del 95 %: {_interval(r)}"
        parts.append(f"N = {num(int(r.n))}, {num(100 * r['mean'], 1, sign=True)} puntos "
                     f"({num(int(r.pairs))} semillas{interval})")
    return listing(parts)


def _views(gans) -> str:
    """How many times each real image went through D during a GAN's training, per N."""
    parts = [f"unas {num(int(round(g.real_views.mean())))} veces con N = {num(int(n))}"
             for n, g in gans.groupby("n")]
    return listing(parts)


def _settled(frame, variant: str, baseline: str = "alone") -> tuple[list, list, list]:
    """The N where the 95 % interval of ``variant − baseline`` lies below 0, above 0, or
    holds 0 (or rests on fewer than three seeds)."""
    below, above, open_ = [], [], []
    for _, r in paired_intervals(frame, variant, baseline).iterrows():
        n = num(int(r.n))
        if r.pairs < 3 or r.sign == 0:
            open_.append(n)
        else:
            (below if r.sign < 0 else above).append(n)
    return below, above, open_


def facts(out_root, frame, gans, design: int) -> dict:
    """The chapter's glued sentences (plain Spanish text) for the design shown: which runs
    these are (``esc_corridas``), what they show (``esc_resultado``), the verdict they can carry
    under the ledger's rules (``esc_veredicto``), their cost (``esc_costo``) and the samples each
    GAN's agreement was measured on (``esc_muestras_gan``)."""
    wins = {v: paired_wins(frame, v) for v in ("classic", "gan", "both")}
    cells = frame.groupby(["n", "seed"]).ngroups
    cost = budget(out_root, design)
    hours = (cost["gan_seconds"] + cost["classifier_seconds"]) / 3600
    out = {"esc_muestras_gan": samples_text(gans)}
    if design == 1:
        out["esc_corridas"] = (
            "Las corridas guardadas son todavía del primer diseño del experimento, que tiene "
            "un defecto: las muestras de la GAN ocupaban la mitad de cada lote en lugar de "
            "sumarse, de modo que, con el mismo número de actualizaciones, las variantes con GAN "
            "vieron la mitad de imágenes reales que las otras; y cada GAN se entrenó un número "
            f"fijo de unos {num(int(round(gans.steps.mean(), -2)))} pasos de G, sin mirar si "
            "seguía mejorando. Las corridas del "
            f"diseño corregido ({num(FULL_CELLS)} celdas, una por N y semilla) están en la cola "
            "de la campaña de CPU; cuando se guarden, este capítulo las mostrará en lugar de "
            "estas. Lo que sigue describe corridas con esa confusión. Al final de su "
            "entrenamiento, el evaluador reconoce el dígito pedido en una parte de "
            f"{_samples_of(gans)} que va {_share_of(gans)}, "
            "y esa parte baja al crecer N. Una explicación posible, no comprobada: con el mismo "
            f"número de pasos, cada imagen real pasó por D {_views(gans)}, así que la GAN de "
            "menos imágenes las aprende (o las copia) antes. El diseño corregido entrena cada "
            "GAN hasta que su acuerdo deja de mejorar, lo que quita esa diferencia.")
        out["esc_resultado"] = (
            f"En estas corridas, la variante con muestras de la GAN superó a «solo las N "
            f"imágenes» en {wins['gan'][0]} de {wins['gan'][1]} pares (N, semilla), con estas "
            f"diferencias medias: {_per_n(frame, 'gan')}. El aumento clásico la superó en "
            f"{wins['classic'][0]} de {wins['classic'][1]} pares, con estas: "
            f"{_per_n(frame, 'classic')}. Pero la variante con GAN vio la mitad de las "
            "imágenes reales que «solo las N imágenes», y su diferencia mezcla dos cambios: "
            "menos datos reales y las muestras de la GAN. El experimento no permite separarlos, "
            "así que esa pérdida no puede atribuirse a las muestras.")
        out["esc_veredicto"] = (
            "Por eso, con las reglas del registro, la conclusión de la tesis queda sin "
            "evidencia en este libro: estas corridas no la sostienen ni la refutan. Lo que sí "
            "muestran, sin confusión, es que el aumento clásico ayuda con pocos datos, porque "
            "esa variante vio las mismas imágenes reales que la de referencia.")
        out["esc_costo"] = (
            f"Según las fichas, entrenar las {num(cost['gans'])} GAN llevó "
            f"{num(cost['gan_seconds'] / 60, 0)} minutos y las {num(4 * cells)} redes "
            f"{num(cost['classifier_seconds'] / 60, 0)}, unas {num(hours, 1)} horas de proceso "
            "en total, con dos procesos a la vez junto a otras tareas: tiempos de reloj, no una "
            "medida de velocidad, y una cota inferior: las fichas de este diseño cuentan solo "
            "el proceso que terminó cada GAN, y alguna se interrumpió y se retomó.")
        return out
    stops = gans.stopped_by.value_counts()
    out["esc_corridas"] = (
        f"Las corridas son del diseño corregido: {num(cells)} de las {num(FULL_CELLS)} celdas "
        "(N, semilla) del perfil completo, hechas por la campaña de CPU. Sus GAN se detuvieron "
        f"por paciencia en {num(int(stops.get('patience', 0)))} casos y por el tope en "
        f"{num(int(stops.get('cap', 0)))}; el acuerdo con el dígito pedido de la GAN usada, "
        f"medido en {samples_text(gans)} muestras nuevas de cada GAN, va {_share_of(gans)}.")
    out["esc_resultado"] = (
        f"Con las mismas imágenes reales en cada lote, la variante con muestras de la GAN "
        f"superó a «solo las N imágenes» en {wins['gan'][0]} de {wins['gan'][1]} pares (N, "
        f"semilla), con estas diferencias medias: {_per_n(frame, 'gan')}. El aumento clásico "
        f"la superó en {wins['classic'][0]} de {wins['classic'][1]}, con estas: "
        f"{_per_n(frame, 'classic')}. Sumar las muestras de la GAN al aumento clásico cambió "
        f"su exactitud así: {_per_n(frame, 'both', 'classic')}.")
    below, above, open_ = _settled(frame, "gan")
    parts = []
    if below:
        parts.append(f"con N = {listing(below)} las muestras de la GAN empeoraron la red (el "
                     "intervalo queda por debajo de cero)")
    if above:
        parts.append(f"con N = {listing(above)} la mejoraron (el intervalo queda por encima de "
                     "cero)")
    if open_:
        parts.append(f"con N = {listing(open_)} la diferencia no se distingue de cero con "
                     "tres semillas (o hay menos de tres)")
    missing = [num(n) for n in FULL_SIZES if n not in set(frame.n)]
    if missing:
        parts.append(f"N = {listing(missing)} no tiene todavía corridas de este diseño")
        open_ += missing
    if below and not above and not open_:
        verdict = ("En este escenario, la evidencia contradice la conclusión de la tesis.")
    elif above and not below and not open_:
        verdict = ("En este escenario, la evidencia respalda la conclusión de la tesis.")
    else:
        verdict = ("La evidencia no alcanza para un veredicto general sobre la conclusión de "
                   "la tesis: queda sin evidencia fuera de los valores de N que se "
                   "distinguen.")
    out["esc_veredicto"] = ("Con intervalos del 95 % sobre las semillas, "
                            + listing(parts) + ". " + verdict)
    out["esc_costo"] = (
        f"Según las fichas, las {num(cost['gans'])} GAN llevaron "
        f"{num(cost['gan_seconds'] / 60, 0)} minutos y las {num(4 * cells)} redes "
        f"{num(cost['classifier_seconds'] / 60, 0)}, unas {num(hours, 1)} horas de proceso, "
        "sumando todos los procesos que retomaron cada GAN.")
    return out


def design_numbers(config) -> dict:
    """The design's settings as the chapter's prose quotes them (glued, Spanish)."""
    return {"esc_lote": num(config.classifier_batch),
            "esc_sinteticas": num(config.synthetic_per_batch),
            "esc_pasos_epoca": num(config.gan_epoch_steps),
            "esc_muestras_acuerdo": num(config.agreement_samples),
            "esc_paciencia": num(config.gan_patience),
            "esc_delta": "un punto porcentual" if config.gan_min_delta == 0.01 else
                         f"{num(100 * config.gan_min_delta, sig=2)} puntos porcentuales",
            "esc_tope_epocas": num(config.gan_max_epochs),
            "esc_tope_pasos": num(config.gan_max_epochs * config.gan_epoch_steps)}

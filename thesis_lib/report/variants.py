"""Chapter 3.3's reading of its committed MNIST runs in Spanish (thesis §3.3): the WGAN
comparison, the conditional GAN, the directions in Z and the InfoGAN's codes as tables, facts
and sentences. The runs are made by ``tools/chapter33_runs.sh`` and measured by
:mod:`thesis_lib.studies.variant_runs`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thesis_lib import intervals
from thesis_lib.environment import hardware_text
from thesis_lib.formatting import num, pct
from thesis_lib.gan.families import FAMILIES
from thesis_lib.studies import latent_directions as directions
from thesis_lib.studies.variant_runs import expected_sign, run_budget, tracking

FAMILY_ES = {"standard": "GAN estándar (no saturante)",
             "wasserstein_gp": "WGAN con penalización del gradiente",
             "wasserstein_clip": "WGAN con recorte de pesos",
             "conditional": "GAN condicional", "infogan": "InfoGAN"}
# The same runs in a table's first column, where the long names would widen it.
SHORT_ES = {"standard": "GAN estándar", "wasserstein_gp": "WGAN-GP",
            "wasserstein_clip": "WGAN con recorte"}
COMPARISON = ("standard", "wasserstein_gp", "wasserstein_clip")
ESTIMATE_LABEL = {"standard": "pérdida de D", "wasserstein_gp": "estimación de W₁ del crítico",
                  "wasserstein_clip": "estimación del crítico recortado"}
ATTRIBUTE_ES = {"ink": "tinta", "slant": "inclinación"}
SWING_NAMES = {"ink": "DCGAN: dirección de la tinta", "slant": "DCGAN: dirección de la inclinación",
               "random": "DCGAN: dirección al azar (control)", "c1": "InfoGAN: código c₁",
               "c2": "InfoGAN: código c₂", "noise": "InfoGAN: ruido al azar (control)"}


def comparison_frame(cards: dict[str, dict]) -> pd.DataFrame:
    """The WGAN comparison as a table: budget and final metrics on the card's samples (the
    correlations over the epochs are :func:`tracking_frame`). Short headers and run names, so
    that the table fits the page's column on a laptop; the generator's and D's steps share a
    cell ("629 / 3145": a WGAN's D takes ``critic_steps`` steps per G step)."""
    rows = []
    for name in COMPARISON:
        card = cards[name]
        m = card["metrics"]
        budget = run_budget(card)
        rows.append({"corrida": SHORT_ES[name], "épocas": budget["épocas"],
                     "pasos de G / D": f"{num(budget['pasos de G'])} / "
                                       f"{num(budget['actualizaciones de D'])}",
                     "segundos": budget["segundos de entrenamiento"],
                     "Fréchet": m["frechet_distance"], "puntaje MNIST": m["mnist_score"],
                     "clases": m["classes_covered"]})
    return pd.DataFrame(rows).set_index("corrida")


def interval_text(corr: dict, decimals: int = 2) -> str:
    """A correlation's interval as Spanish text, "0,12 a 0,85" ("—" when undefined)."""
    if not (np.isfinite(corr["low"]) and np.isfinite(corr["high"])):
        return "—"
    return f"{num(corr['low'], decimals)} a {num(corr['high'], decimals)}"


def rho_cell(corr: dict, decimals: int = 2) -> str:
    """ρ with its 95 % interval in one table cell, "0,60 [0,12; 0,85]" (the interval "—" when
    undefined)."""
    rho = num(corr["rho"], decimals)
    if not (np.isfinite(corr["low"]) and np.isfinite(corr["high"])):
        return f"{rho} [—]"
    # The interval stays on one line (no-break space): a narrow column wraps before it.
    return f"{rho} [{num(corr['low'], decimals)};\u00a0{num(corr['high'], decimals)}]"


# What one interval allows (variant_runs.tracking), said plainly: it lies on the side the
# estimate would have if it followed quality, on the other side, or it straddles 0.
READING_ES = {1: "acompaña", -1: "va en contra", 0: "no se puede decidir"}


def reading_text(corr: dict, name: str) -> str:
    """What the two intervals of a run allow, over the epochs and over their first
    differences: "acompaña en las épocas; en las diferencias, no se puede decidir", or
    "acompaña, también en las diferencias" when the two agree."""
    level, diff = READING_ES[tracking(corr, name)], READING_ES[tracking(corr["diff"], name)]
    if level == diff:
        return f"{level}, también en las diferencias"
    return f"{level} en las épocas; en las diferencias, {diff}"


CI = "IC\u00a095\u00a0%"  # a header wraps before it, not inside it


def tracking_frame(corr: dict[str, dict]) -> pd.DataFrame:
    """Per run (``corr``: family → :func:`estimate_vs_frechet`): the sign ρ would have if the
    estimate followed quality, the number of epochs n, ρ over the epochs and over their first
    differences (n − 1 of them: the series without their common trend), each with its 95 %
    interval in the same cell, and what the intervals allow (:func:`reading_text`). Text cells,
    already in Spanish; five short columns, so that the table fits the page's column."""
    rows = []
    for name, c in corr.items():
        rows.append({"corrida": SHORT_ES[name],
                     "signo esperado": "+" if expected_sign(name) > 0 else "−",
                     "n (épocas)": num(c["n"]), f"ρ [{CI}]": rho_cell(c),
                     f"ρ de las diferencias [{CI}]": rho_cell(c["diff"]),
                     "lectura": reading_text(c, name)})
    return pd.DataFrame(rows).set_index("corrida")


def conditional_frame(card: dict) -> pd.DataFrame:
    """Per requested digit: the share the evaluator reads as that digit and the Fréchet distance
    to that digit's test images, for the generator and for real training images."""
    c = card["conditional"]
    frame = pd.DataFrame({
        "acuerdo (generador)": c["agreement_per_digit"],
        "acuerdo (imágenes reales)": c["real"]["agreement_per_digit"],
        "Fréchet (generador)": c["frechet_per_digit"],
        "Fréchet (imágenes reales)": c["real"]["frechet_per_digit"]})
    frame.index.name = "dígito pedido"
    return frame


SWING_COLUMNS = {"ink_change": "cambio de tinta (píxeles)",
                 "slant_change": "cambio de inclinación",
                 "flip_share": "cambian de clase"}


def swing_frame(effects: dict[str, dict]) -> pd.DataFrame:
    """One row per direction or code (``effects``: name → :func:`directions.swing_effect`):
    the ink and slant changes of the swing and the share of samples whose class flips."""
    frame = pd.DataFrame({name: {col: e[key] for key, col in SWING_COLUMNS.items()}
                          for name, e in effects.items()}).T
    frame.index.name = "dirección"
    return frame


def flips_by_class(effects: dict[str, dict]) -> pd.DataFrame:
    """Per starting digit (columns), the share whose class flips under each swing (rows)."""
    frame = pd.DataFrame({name: e["flip_by_class"] for name, e in effects.items()}).T
    frame.columns = [str(d) for d in range(frame.shape[1])]
    frame.index.name = "dirección"
    return frame


def wgan_recipe_frame() -> pd.DataFrame:
    """The two WGAN families' settings side by side, from their families' recipes
    (:mod:`thesis_lib.gan.families`)."""
    clip, gp = FAMILIES["wasserstein_clip"], FAMILIES["wasserstein_gp"]
    beta = f"({num(gp.recipe.beta_1)}; {num(gp.recipe.beta_2)})"
    return pd.DataFrame({
        "recorte de pesos": ["pesos del crítico en [−c, c] tras cada paso",
                             f"c = {num(clip.clip)}", "RMSProp",
                             num(clip.recipe.learning_rate, sig=1),
                             num(clip.recipe.critic_steps)],
        "penalización del gradiente": ["λ·E(‖∇C(x̂)‖ − 1)² en la pérdida del crítico",
                                       f"λ = {num(gp.gp_weight)}", f"Adam, β = {beta}",
                                       num(gp.recipe.learning_rate, sig=1),
                                       num(gp.recipe.critic_steps)]},
        index=pd.Index(["restricción", "constante", "optimizador", "tasa de aprendizaje",
                        "pasos del crítico por paso de G"], name=""))


def critic_frame(summaries: dict[str, dict]):
    """:func:`thesis_lib.studies.toy.critic.summary` of each loss family as a Spanish table."""
    names = {"wasserstein_clip": "recorte de pesos", "wasserstein_gp": "penalización del gradiente"}
    rows = {names[m]: {
        "pesos a menos de 1 % de ±c": "—" if np.isnan(s["at_bound"]) else pct(s["at_bound"], 0),
        "‖∇C‖: mediana": num(s["norm_median"], sig=2),
        "‖∇C‖: percentiles 5 y 95": f"{num(s['norm_p05'], sig=2)} y {num(s['norm_p95'], sig=2)}",
        "‖∇C‖ > 1,05": pct(s["above_one"], 0),
        "estimación E C(x) − E C(G(z))": num(s["estimate"], sig=2)}
        for m, s in summaries.items()}
    frame = pd.DataFrame(rows).T
    frame.index.name = "método"
    return frame


def budget_text(cards: dict[str, dict], families) -> str:
    """One Spanish sentence per run: its budget, seed, hardware and precision, from its card.
    (Not its minutes: a resumed run's card counts only the last process's.)"""
    parts = []
    for name in families:
        card = cards[name]
        c = card["config"]
        data = num(card["n_train"])
        parts.append(
            f"{FAMILY_ES[name]}: {num(card['epochs'])} épocas sobre {data} imágenes, lote "
            f"{num(c['batch_size'])}, {num(card['steps'])} pasos de G, semilla "
            f"{num(card['seed'])}, {card['precision']}, {hardware_text(card['hardware'])}")
    arch = {"narrow": "G y D de 32 canales, G con normalización por lotes",
            "narrow_projection": "G de 32 canales con normalización por lotes, D de 64 "
                                 "canales con la clase por proyección",
            "infogan": "G y D de 32 canales"}
    kinds = sorted({arch.get(cards[f]["variant"], cards[f]["variant"]) for f in families})
    return ("Corridas guardadas (" + "; ".join(kinds) + ") — " + "; ".join(parts) + ".")


def fit_frame(attr: dict) -> pd.DataFrame:
    """The regression of each attribute on z, judged out of sample
    (:func:`thesis_lib.studies.latent_directions.direction_fit`): n and predictors, the
    cross-validated R², the same procedure with shuffled attributes (mean ± sd over the
    permutations) and the slope per unit step along the direction."""
    rows = {}
    for k, v in attr.items():
        if "r2_cv" not in v:
            continue
        rows[ATTRIBUTE_ES[k]] = {
            "muestras": num(v["n"]), "predictores": num(v["predictors"]),
            f"R² con validación cruzada ({num(v['folds'])} partes)": num(v["r2_cv"], 2),
            f"R² con el atributo permutado ({num(v['permutations'])} veces)":
                f"{num(v['r2_chance_mean'], 2)} ± {num(v['r2_chance_sd'], 2)}",
            "pendiente (por unidad de z)": num(v["slope"], 3)}
    frame = pd.DataFrame(rows).T
    frame.index.name = "atributo"
    return frame


def fit_text(fit: dict) -> str:
    """One attribute's fit as the chapter's sentence reads it: cross-validated R² beside the
    permutation baseline, with n."""
    return (f"{num(fit['r2_cv'], 2)} fuera de la muestra (frente a "
            f"{num(fit['r2_chance_mean'], 2)} ± {num(fit['r2_chance_sd'], 2)} con el atributo "
            f"permutado)")


def fooled_rows(shown: dict, per_pair: int = 4):
    """From :func:`classifier_walks`'s images: per pair a row of starting images and a row of
    the moved ones, with labels (the starting digit; p(b) of the moved image) and row titles."""
    rows, labels, titles = [], [], []
    for (a, b), s in shown.items():
        k = min(per_pair, len(s["after"]))
        if k == 0:
            continue
        rows += [s["before"][:k], s["after"][:k]]
        labels += [[str(a)] * k, [num(p, 2) for p in s["p_b"][:k]]]
        titles += [f"de {a} a {b}: partida (debajo, el dígito leído)",
                   f"de {a} a {b}: llegada (debajo, p({b}))"]
    return rows, labels, titles


def join_es(items) -> str:
    """``["a", "b", "c"]`` as ``"a, b y c"``."""
    items = [str(i) for i in items]
    return ", ".join(items[:-1]) + " y " + items[-1] if len(items) > 1 else "".join(items)


def p_text(p: float) -> str:
    """A p-value for the page, with its relation: "= 0,012" (two significant digits) or
    "< 0,001"."""
    return "< 0,001" if p < 0.001 else f"= {num(p, sig=2)}"


def _corr_text(c: dict) -> str:
    return f"ρ = {num(c['rho'], 2)} (n = {num(c['n'])}; IC 95 %: {interval_text(c)})"


def tracking_sentences(corr: dict[str, dict]) -> dict[str, str]:
    """What each run's correlations allow (:func:`tracking` on the series and on their first
    differences), one Markdown sentence per run (family → text, for ``{glue:md}``, one bullet
    each), that quotes n and the intervals; only the run's name is bold."""
    sentences = {}
    for name, c in corr.items():
        level, diff = tracking(c, name), tracking(c["diff"], name)
        what = "la pérdida de D" if expected_sign(name) < 0 else "la estimación"
        head = (f"**{FAMILY_ES[name]}**: {_corr_text(c)} sobre las épocas y "
                f"{_corr_text(c['diff'])} sobre las diferencias entre épocas consecutivas")
        if level == 1 and diff == 1:
            tail = (f"en esta corrida, {what} acompaña la calidad también de una época a la "
                    f"siguiente, no solo en la tendencia")
        elif level == 1:
            tail = (f"la correlación de las series puede venir de la tendencia común del "
                    f"entrenamiento; sin ella, el intervalo no permite afirmar ni descartar que "
                    f"{what} siga los cambios de calidad")
        elif level == -1:
            tail = f"{what} se mueve en contra de la calidad"
        else:
            tail = (f"con n = {num(c['n'])} el intervalo no permite afirmar ni descartar que "
                    f"{what} acompañe la calidad")
        sentences[name] = f"{head}: {tail}."
    return sentences


def tracking_short(corr: dict[str, dict]) -> str:
    """:func:`tracking_sentences` in a few words per run, for the chapter's summary table:
    what the intervals allow over the epochs and over their differences, with n."""
    return " ".join(f"{SHORT_ES[f]} (n = {num(c['n'])}): {reading_text(c, f)}."
                    for f, c in corr.items())


def share_interval_text(share: float, n: int, level: float = 0.95) -> str:
    """A share of ``n`` items with its Wilson ``level`` interval, as Spanish text
    ("98,4 % a 98,8 %")."""
    low, high = intervals.wilson(round(share * n), n, level)
    return f"{pct(low)} a {pct(high)}"


CONDITIONING_ES = {"planes": "planos de imagen (diez canales constantes)",
                   "projection": "proyección (Miyato y Koyama)"}


def conditioning_text(card: dict) -> str:
    """How the run's discriminator receives the class, in Spanish."""
    return CONDITIONING_ES[card["options"].get("d_conditioning", "planes")]


def conditioning_frame(cards: list[dict]) -> pd.DataFrame:
    """The conditional runs side by side: how D receives the class, D's width, the budget, and
    the evaluator's agreement and Fréchet distance over 10,000 samples (§3.3)."""
    rows = []
    for card in cards:
        if not card["config"].get("conditional"):
            raise ValueError(f"{card['run_dir']} is not a conditional run.")
        rows.append({"la clase entra en D por": conditioning_text(card),
                     "canales de D": card["options"].get("d_filters", 64),
                     "épocas": card["epochs"], "pasos de G": card["steps"],
                     "acuerdo": card["conditional"]["agreement"],
                     "distancia de Fréchet": card["metrics"]["frechet_distance"]})
    return pd.DataFrame(rows).set_index("la clase entra en D por")


def swing_effects(attr: dict, codes: dict) -> dict[str, dict]:
    """The swings of :func:`attribute_directions` and :func:`infogan_codes` under their Spanish
    names, in the order the chapter's tables show them."""
    return {SWING_NAMES[k]: v["effect"] for k, v in attr.items()} | \
        {SWING_NAMES[k]: v for k, v in codes.items()}


def excess_flips(effects: dict[str, dict], name: str, control: str) -> pd.Series:
    """Per starting digit, the share of class flips under swing ``name`` minus that under the
    ``control`` swing: what the direction changes beyond what any move of its length does."""
    return pd.Series(effects[name]["flip_by_class"] - effects[control]["flip_by_class"],
                     index=[str(d) for d in range(len(effects[name]["flip_by_class"]))])


def flip_difference_text(effects: dict[str, dict], name: str, control: str) -> str:
    """The share of class flips under swing ``name`` minus under ``control`` on the same points
    (:func:`thesis_lib.studies.latent_directions.paired_share_difference`) as Spanish text:
    "21 puntos (IC 95 %: 17 a 25; n = 400)"."""
    d = directions.paired_share_difference(effects[name]["flipped"], effects[control]["flipped"])
    return (f"{num(100 * d['difference'], 0)} puntos (IC 95 %: {num(100 * d['low'], 0)} a "
            f"{num(100 * d['high'], 0)}; n = {num(d['n'])})")


def flip_difference_clear(effects: dict[str, dict], name: str, control: str) -> bool:
    """Whether swing ``name`` flips the class more often than ``control``, with the 95 %
    interval of the paired difference wholly above 0."""
    return directions.paired_share_difference(effects[name]["flipped"],
                                              effects[control]["flipped"])["low"] > 0

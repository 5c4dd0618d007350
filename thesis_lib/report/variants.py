"""Chapter 3.3's reading of its committed MNIST runs in Spanish (thesis §3.3): the WGAN
comparison, the conditional GAN, the directions in Z and the InfoGAN's codes as tables, facts
and sentences. The runs are made by ``tools/chapter33_runs.sh`` and measured by
:mod:`thesis_lib.studies.variant_runs`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thesis_lib.environment import hardware_text
from thesis_lib.formatting import num, pct
from thesis_lib.gan.families import FAMILIES
from thesis_lib.studies.variant_runs import estimate_vs_frechet, run_budget, tracks_quality

FAMILY_ES = {"standard": "GAN estándar (no saturante)",
             "wasserstein_gp": "WGAN con penalización del gradiente",
             "wasserstein_clip": "WGAN con recorte de pesos",
             "conditional": "GAN condicional", "infogan": "InfoGAN"}
COMPARISON = ("standard", "wasserstein_gp", "wasserstein_clip")
ESTIMATE_LABEL = {"standard": "pérdida de D", "wasserstein_gp": "estimación de W₁ del crítico",
                  "wasserstein_clip": "estimación del crítico recortado"}
ATTRIBUTE_ES = {"ink": "tinta", "slant": "inclinación"}
SWING_NAMES = {"ink": "DCGAN: dirección de la tinta", "slant": "DCGAN: dirección de la inclinación",
               "random": "DCGAN: dirección al azar (control)", "c1": "InfoGAN: código c₁",
               "c2": "InfoGAN: código c₂", "noise": "InfoGAN: ruido al azar (control)"}


def comparison_frame(cards: dict[str, dict]) -> pd.DataFrame:
    """The WGAN comparison as a table: budget, final metrics on the card's samples, and the rank
    correlation of the estimate with the Fréchet distance over the epochs."""
    rows = []
    for name in COMPARISON:
        card = cards[name]
        m, corr = card["metrics"], estimate_vs_frechet(card)
        rows.append({"corrida": FAMILY_ES[name], **run_budget(card),
                     "distancia de Fréchet": m["frechet_distance"],
                     "puntaje MNIST": m["mnist_score"], "clases cubiertas": m["classes_covered"],
                     "ρ de Spearman (estimación, Fréchet)": corr["rho"]})
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
    """The regression of each attribute on z: R² and the slope per unit step along the
    direction."""
    frame = pd.DataFrame({ATTRIBUTE_ES[k]: {"R²": v["r2"], "pendiente (por unidad de z)": v["slope"]}
                          for k, v in attr.items() if "r2" in v}).T
    frame.index.name = "atributo"
    return frame


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


def tracking_sentence(corr: dict[str, dict]) -> str:
    """Which runs' estimates follow sample quality (:func:`tracks_quality`), as a Spanish
    sentence."""
    yes = [FAMILY_ES[f] for f in corr if tracks_quality(corr[f], f)]
    no = [FAMILY_ES[f] for f in corr if not tracks_quality(corr[f], f)]
    join = join_es
    parts = []
    if yes:
        parts.append(f"la acompañan: {join(yes)}")
    if no:
        parts.append(f"no la acompañan: {join(no)}")
    return "Con ese criterio, " + "; ".join(parts) + "."


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

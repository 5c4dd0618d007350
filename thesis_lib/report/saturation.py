"""Chapter 4.2's saturation section in Spanish (thesis §4.2, the `tanh` output): facts, the run
card and the figure, from the traces :mod:`thesis_lib.studies.saturation` records."""

from __future__ import annotations

import numpy as np

from thesis_lib import environment, plotting
from thesis_lib.formatting import listing, num, pct
from thesis_lib.studies.saturation import (
    RECOVERED,
    SATURATED,
    first_step,
    recovery_step,
)

LABELS_ES = {"sigmoid": "modelo base (sigmoide)", "tanh": "tanh",
             "tanh_batchnorm": "tanh con normalización por lotes"}


NUMBER_WORDS = ("ninguna", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
                "nueve", "diez")


def runs_text(k: int, n: int) -> str:
    """"las tres corridas", "dos de las tres corridas", "ninguna de las tres corridas"."""
    word = (lambda i: NUMBER_WORDS[i] if i < len(NUMBER_WORDS) else num(i))
    if k == n:
        return f"las {word(n)} corridas" if n > 1 else "la corrida"
    return f"{word(k)} de las {word(n)} corridas"


def numbers(items) -> str:
    """Numbers written with a decimal comma, listed with semicolons: "−8,3; −8,1 y −8,0"."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{'; '.join(items[:-1])} y {items[-1]}"


def facts(traces: dict) -> dict:
    """The numbers the chapter's text quotes, in Spanish: seeds, steps, when most of tanh's
    pixels saturated, whether each run ended saturated, and how far tanh_batchnorm stayed."""
    out = {"trace_seeds": num(len(traces["tanh"])),
           "trace_steps": num(traces["tanh"][0]["steps"]),
           "saturated_threshold": pct(SATURATED, 0), "recovered_threshold": pct(RECOVERED, 0)}
    for kind, cards in traces.items():
        ends = [c["rows"][-1] for c in cards]
        firsts = [first_step(c["rows"], "saturated", SATURATED) for c in cards]
        out[f"{kind}_first"] = listing([num(f) if f is not None else "nunca" for f in firsts])
        out[f"{kind}_end_saturated"] = numbers([pct(e["saturated"], 1) for e in ends])
        out[f"{kind}_end_spread"] = numbers([num(e["spread"], 3) for e in ends])
        out[f"{kind}_end_pre"] = numbers([num(e["pre_activation"], 1) for e in ends])
        out[f"{kind}_ended_saturated"] = runs_text(
            sum(e["saturated"] >= SATURATED for e in ends), len(ends))
        out[f"{kind}_max_saturated"] = pct(max(r["saturated"] for c in cards
                                               for r in c["rows"]), 1)
        out[f"{kind}_seeds"] = NUMBER_WORDS[len(cards)] if len(cards) < 11 else num(len(cards))
        back = [recovery_step(c["rows"]) for c in cards]
        out[f"{kind}_recovered"] = runs_text(sum(b is not None for b in back), len(back))
        out[f"{kind}_recovery_step"] = listing([num(b) if b is not None else "nunca"
                                                for b in back])
    if "tanh" in traces:  # the slope of tanh at the seeds' mean final pre-activation
        pre = float(np.mean([c["rows"][-1]["pre_activation"] for c in traces["tanh"]]))
        out["tanh_pre_mean"] = num(pre, 1)
        out["tanh_slope"] = num(1 - np.tanh(pre) ** 2, sig=1)
    return out


def run_card(traces: dict) -> str:
    """The traces' provenance in one Spanish paragraph, for the chapter's collapsed run card."""
    cards = [c for kind in traces.values() for c in kind]
    seeds = sorted({c["seed"] for c in cards})
    minutes = sum(c["seconds"] for c in cards) / 60
    return (f"Perfil full (la configuración de la tesis); semillas {listing(map(num, seeds))}; "
            f"{num(cards[0]['steps'])} pasos por corrida; precisión "
            f"{listing(sorted({c['precision'] for c in cards}))}; "
            f"{listing(sorted({environment.hardware_text(c['hardware']) for c in cards}))}; "
            f"código {listing(sorted({c['environment']['commit'] for c in cards}))} "
            f"(«+dirty»: había cambios sin commit en el árbol de trabajo cuando empezó el "
            f"proceso); {num(minutes, 0)} minutos de proceso para las {num(len(cards))} "
            f"corridas, una tras otra, mientras la máquina hacía otras tareas.")


def plot_traces(traces: dict):
    """Three panels against the step: saturated share, mean pre-activation, and the spread of
    the images (one line per seed, one colour per kind; the legend below the panels)."""
    fig, axes = plotting.new_figure(3, width=3.1, height=2.9)
    panels = (("saturated", "píxeles saturados (%)", 100.0),
              ("pre_activation", "preactivación media", 1.0),
              ("spread", "diferencia entre imágenes", 1.0))
    for i, kind in enumerate(k for k in LABELS_ES if k in traces):
        for j, card in enumerate(traces[kind]):
            steps = [r["step"] for r in card["rows"]]
            for ax, (key, _, scale) in zip(axes, panels):
                ax.plot(steps, [scale * r[key] for r in card["rows"]], color=f"C{i}", lw=1.2,
                        alpha=0.85, label=LABELS_ES[kind] if j == 0 else None)
    for ax, (_, label, _) in zip(axes, panels):
        ax.set(xlabel="paso de entrenamiento", ylabel=label)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=10,
               frameon=False)
    return fig

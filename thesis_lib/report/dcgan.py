"""Chapter 4.2's report (thesis §4.2): the DCGAN runs as tables, facts and sample grids, in Spanish.

Reads run folders through :mod:`thesis_lib.studies.gan_results`; every sentence a chapter glues is
built here from a card, a history or the metrics, never typed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from thesis_lib import claims
from thesis_lib.environment import hardware_text
from thesis_lib.formatting import listing, num, pct, span, table
from thesis_lib.gan.grids import grid_tiles
from thesis_lib.plotting import new_figure
from thesis_lib.profiles import GANConfig
from thesis_lib.report.hyperparameters import VALUE_NAMES
from thesis_lib.studies.gan_results import (
    best_epoch,
    epochs_in_band,
    history,
    profile_epochs,
)

METRICS = {"frechet_distance": "distancia de Fréchet", "mnist_score": "puntaje MNIST",
           "classes_covered": "clases cubiertas"}


# A run whose samples cover fewer than this many digits is counted as failed: collapsed onto a
# few shapes, or images the evaluator cannot read (the threshold is the book's reading of the
# thesis's "mode collapse", see thesis_lib.claims).
COLLAPSED_BELOW = claims.COLLAPSED_BELOW


# How the book names a variant in its prose, tables and figures (the chapter's table of
# variants pairs each with its command-line name; ``tanh`` keeps it, and so does any other).
VARIANT_NAMES = {"baseline": "modelo base", "small": "modelo reducido (G de 64 canales)",
                 "narrow": "modelo angosto (G y D de 32 canales, G con normalización por lotes)",
                 "latent50": "latente 50", "latent200": "latente 200",
                 "batchnorm": "normalización por lotes", "upsample": "sobremuestreo",
                 "tanh_batchnorm": "tanh con normalización por lotes"}


def variant_name(variant: str) -> str:
    """The name a reader sees for a variant: ``"modelo base"`` for ``baseline``, ``"latente
    50"`` for ``latent50``."""
    return VARIANT_NAMES.get(variant, variant)


def training_text(card: dict) -> str:
    """How a run trained, as the provenance line says it: the loss and critic steps when they
    are not the §4.2 recipe's, conditioning, and always the precision."""
    config = card.get("config", {})
    parts = []
    if config.get("loss", "non_saturating") != "non_saturating":
        parts.append(f"pérdida {VALUE_NAMES['loss'][config['loss']]}")
    if config.get("critic_steps", 1) != 1:
        parts.append(f"{num(config['critic_steps'])} pasos de D por paso de G")
    if config.get("conditional"):
        parts.append("condicionada a la clase")
    precision = card.get("precision", "float32")
    parts.append(f"precisión {VALUE_NAMES['precision'][precision]}")
    return ", ".join(parts) + ", "


def describe(card: dict) -> str:
    """One line saying how a run was obtained (Spanish, for the book). A run trained for other
    epochs than its profile's (``--epochs``) says so: "perfil full con 10 épocas en lugar de
    100"."""
    env = card.get("environment", {})
    epochs = f"{num(card['epochs'])} época" + ("" if card["epochs"] == 1 else "s")
    default = profile_epochs(card)
    profile = f"perfil {card['profile']}"
    if default is not None and default != card["epochs"]:
        profile += f" con {epochs} en lugar de {num(default)}"
        epochs = ""
    else:
        epochs += " = "
    return (f"{variant_name(card['variant'])}, {profile}, semilla {card['seed']}, "
            f"{epochs}{num(card['steps'])} pasos con {num(card['n_train'])} imágenes, "
            f"{training_text(card)}"
            f"{hardware_text(card['hardware'])}, Keras {env.get('versions', {}).get('keras')}, "
            f"commit {env.get('commit')}")


HISTORY_COLUMNS = {"d_loss": "pérdida de D", "g_loss": "pérdida de G",
                   "d_acc": "exactitud de D (lotes de entrenamiento)"}


MONITOR_COLUMNS = {"acc_real": "D acierta: 100 reales", "acc_fake": "D acierta: 100 generadas"}


ACCURACY_COLUMNS = (HISTORY_COLUMNS["d_acc"], *MONITOR_COLUMNS.values())


def epoch_frame(history_rows: list[dict], monitor_rows: list[dict] = ()):
    """Per-epoch mean losses and discriminator accuracies (``history.csv`` joined with
    ``monitor.csv``), with Spanish column names and ``época`` as index."""
    import pandas as pd
    frame = (pd.DataFrame(history_rows).set_index("epoch")[list(HISTORY_COLUMNS)]
             .rename(columns=HISTORY_COLUMNS))
    if len(monitor_rows):
        monitor = (pd.DataFrame(monitor_rows).set_index("epoch")[list(MONITOR_COLUMNS)]
                   .rename(columns=MONITOR_COLUMNS))
        frame = frame.join(monitor)
    frame.index.name = "época"
    return frame


def epoch_table(history_rows: list[dict], monitor_rows: list[dict] = ()):
    """:func:`epoch_frame` ready to show: losses with three decimals, accuracies in %."""
    frame = epoch_frame(history_rows, monitor_rows)
    decimals = {c: (0 if c in ACCURACY_COLUMNS else 3) for c in frame.columns}
    return table(frame, decimals, percent=ACCURACY_COLUMNS)


METRICS_DECIMALS = {"distancia de Fréchet": 1, "puntaje MNIST": 2, "clases cubiertas": 0}


def metric_samples(card: dict) -> int:
    """How many generated images a run's final metrics (and as many real training images, for
    the floor) were computed on: the card's ``config.metric_samples`` (or ``metrics.samples``);
    cards written before the setting existed scored ``GANConfig``'s default, 10,000."""
    n = card.get("config", {}).get("metric_samples") or card.get("metrics", {}).get("samples")
    return int(n or GANConfig.metric_samples)


def samples_text(cards) -> str:
    """The number of samples behind the final metrics of ``cards``, as the prose says it:
    ``"10 000"``, or ``"2000 a 10 000"`` when the runs differ."""
    sizes = sorted({metric_samples(c) for c in cards})
    return num(sizes[0]) if len(sizes) == 1 else f"{num(sizes[0])} a {num(sizes[-1])}"


def metrics_frame(card: dict, label: str | None = None):
    """The final metrics of a run beside the real-data references its card holds: as many
    training images as generated ones (:func:`metric_samples`, 10,000) against the test set (the
    floor a perfect generator could reach) and the test set against itself (Fréchet distance 0
    by construction; the score's reference, not its maximum: the training sample, which the
    evaluator learned from, scores a little higher). ``label`` names the run's row (default:
    "generador (10 000 muestras)")."""
    import pandas as pd
    real = card["real_data"]
    n = metric_samples(card)
    label = label or f"generador ({num(n)} muestras)"
    rows = {label: card["metrics"],
            f"{num(n)} imágenes reales de entrenamiento": real["train_vs_test"],
            "conjunto de prueba (contra sí mismo)": real["test_set"]}
    frame = pd.DataFrame({METRICS[k]: [m[k] for m in rows.values()] for k in METRICS},
                         index=list(rows))
    frame["clases cubiertas"] = frame["clases cubiertas"].astype(int)
    frame.index.name = "imágenes"
    return frame


def metrics_table(card: dict, label: str | None = None):
    """:func:`metrics_frame` ready to show."""
    return table(metrics_frame(card, label), METRICS_DECIMALS)


def startup_frame(cards: list[dict], order=None):
    """One row per run of an equal-budget comparison: its metrics and its last mean
    discriminator loss, variants in ``order`` (default: alphabetical), then by seed. The
    metrics' headers say how many samples they were computed on ("distancia de Fréchet
    (10 000 muestras)"); runs scored on different numbers get a column of their own instead."""
    import pandas as pd
    order = list(order or sorted({c["variant"] for c in cards}))
    sizes = {metric_samples(c) for c in cards}
    suffix = f" ({num(sizes.pop())} muestras)" if len(sizes) == 1 else ""
    rows = []
    for c in sorted(cards, key=lambda c: (order.index(c["variant"]), c["seed"])):
        rows.append({"variante": variant_name(c["variant"]), "semilla": c["seed"],
                     **({} if suffix else {"muestras generadas": metric_samples(c)}),
                     **{label + suffix: c["metrics"][key] for key, label in METRICS.items()},
                     "pérdida media de D": history(c["run_dir"])[-1]["d_loss"]})
    frame = pd.DataFrame(rows)
    classes = METRICS["classes_covered"] + suffix
    frame[classes] = frame[classes].astype(int)
    return frame


def startup_table(cards: list[dict], order=None):
    """:func:`startup_frame` ready to show."""
    frame = startup_frame(cards, order)
    decimals = {column: d for label, d in METRICS_DECIMALS.items() for column in frame.columns
                if column.startswith(label)}
    return table(frame, {**decimals, "pérdida media de D": 2}, index=False)


def _pct_span(values) -> str:
    values = list(values)
    return f"{pct(min(values), 0)} y {pct(max(values), 0)}"


def _range(values, decimals: int) -> str:
    """``"0,14 y 0,15"``, or one number when both ends read the same at ``decimals``."""
    low, high = num(min(values), decimals), num(max(values), decimals)
    return low if low == high else f"{low} y {high}"


def campaign_text(card: dict) -> str:
    """How a run trained, as one Spanish line: by the campaign (its processes, each resuming the
    last checkpoint, and their CPU hours in all) or in one process."""
    record = card.get("campaign")
    if not record:
        return f"{num(card['seconds_this_process'] / 3600, 1)} horas en un solo proceso"
    processes = record["processes"]
    return (f"{num(record['total_seconds'] / 3600, 1)} horas de CPU en {num(processes)} "
            f"proceso{'s' if processes != 1 else ''} de la campaña"
            + (", cada uno retomando el último punto de control del anterior"
               if processes > 1 else ""))


def repeat_facts(cards: list[dict], long: dict) -> dict[str, str]:
    """Whether the first epoch repeats across runs with ``long``'s seed. ``repeat_same`` is a
    sentence: whether the baseline runs from one processor (one process each) logged the same
    first-epoch losses, pair by pair; ``repeat_other``, by how much ``long``'s first epoch
    differs from a run on another processor (the largest absolute difference of D's and G's
    losses), when there is one."""
    def machine(c):
        return c["environment"].get("cpu"), c.get("campaign", {}).get("processes", 1)

    mine = [c for c in cards if c["variant"] == "baseline" and c["seed"] == long["seed"]
            and c["n_train"] == long["n_train"]]
    first = {c["run_dir"]: history(c["run_dir"])[0] for c in mine}
    keys = ("d_loss", "g_loss", "d_acc")
    pairs = [(a, b) for a in mine for b in mine if str(a["run_dir"]) < str(b["run_dir"])
             and machine(a) == machine(b)]
    if not pairs:
        same = (f"no hay dos corridas del modelo base con la semilla {long['seed']} hechas en "
                "un mismo procesador para comprobarlo")
    else:
        equal = all(all(first[a["run_dir"]][k] == first[b["run_dir"]][k] for k in keys)
                    for a, b in pairs)
        who = ("las dos corridas" if len(pairs) == 1 else f"los {num(len(pairs))} pares de "
               "corridas")
        epochs = (f" (de {listing(num(c['epochs']) for c in pairs[0])} épocas)"
                  if len(pairs) == 1 else "")
        same = (f"{who} del modelo base con la semilla {long['seed']} hechas en un mismo "
                f"procesador{epochs} registran {'exactamente las mismas' if equal else 'distintas'}"
                " pérdidas en su primera época")
    facts = {"repeat_same": same}
    other = [c for c in mine if machine(c) != machine(long)]
    if other:
        gap = max(abs(first[c["run_dir"]][k] - first[long["run_dir"]][k])
                  for c in other for k in ("d_loss", "g_loss"))
        facts["repeat_other"] = num(gap, 4)
    return facts


def reading_changes(readings, row_names) -> str:
    """Where the evaluator's reading changes along each row of an interpolation figure, as a
    Spanish clause: "una sola vez en cada fila: entre las imágenes 4 y 5 del segmento y entre
    la 3 y la 4 del arco" (positions counted from 1)."""
    parts, counts = [], []
    for row, name in zip(readings, row_names):
        row = [int(r) for r in row]
        changes = [i for i in range(1, len(row)) if row[i] != row[i - 1]]
        counts.append(len(changes))
        where = listing(f"{num(i)} y {num(i + 1)}" for i in changes) or "ningún par"
        parts.append(f"entre las imágenes {where} {name}" if changes else f"nunca {name}")
    how = ("una sola vez en cada fila" if set(counts) == {1} else
           "ninguna vez" if set(counts) == {0} else "varias veces")
    return f"{how}: {listing(parts)}"


def monitor_cadence(monitor_rows: list[dict]) -> str:
    """When a run measured D's accuracy, as the prose says it: "al final de cada época" or
    "al final de cada 10 épocas"."""
    epochs = [int(r["epoch"]) for r in monitor_rows]
    gaps = set(np.diff(epochs).tolist()) if len(epochs) > 1 else {1}
    if gaps == {1}:
        return "al final de cada época"
    if len(gaps) == 1:
        return f"al final de cada {num(gaps.pop())} épocas"
    return "al final de algunas épocas (" + listing(num(e) for e in epochs) + ")"


def long_run_facts(card: dict, history_rows: list[dict], monitor_rows: list[dict],
                   bands: dict) -> dict[str, str]:
    """The numbers the chapter quotes about a long run's losses and D accuracy, as text."""
    seconds = (card.get("campaign") or {}).get("total_seconds", card.get("seconds_this_process"))
    facts = {"long_epochs": num(card["epochs"]),
             "long_steps": num(card["steps"]),
             "long_cpu_hours": "—" if seconds is None else num(seconds / 3600, 0),
             "monitor_cadence": monitor_cadence(monitor_rows),
             "monitor_n": num(len(monitor_rows))}
    for key, name in (("d_loss", "d_in_band"), ("g_loss", "g_in_band")):
        facts[name] = f"{len(epochs_in_band(history_rows, key, bands[key]))} de " \
                      f"{len(history_rows)}"
    for key in ("acc_real", "acc_fake"):
        facts[f"{key}_range"] = _pct_span(r[key] for r in monitor_rows)
    later = history_rows[1:] or history_rows  # the first epoch starts from an untrained D
    facts["d_acc_range"] = _pct_span(r["d_acc"] for r in later)
    # Where D's threshold leaned most: calling most images generated (right on the generated,
    # wrong on the real) and the other way.
    for name, lean in (("d_leans_fake", lambda r: r["acc_fake"] - r["acc_real"]),
                       ("d_leans_real", lambda r: r["acc_real"] - r["acc_fake"])):
        row = max(monitor_rows, key=lean)
        facts[f"{name}_epoch"] = num(int(row["epoch"]))
        facts[f"{name}_acc"] = (f"el {pct(row['acc_real'], 0)} de las reales y el "
                                f"{pct(row['acc_fake'], 0)} de las generadas")
    return facts


def class_balance(share) -> str:
    """How evenly the evaluator spreads a generator's samples over the ten digits, as a Spanish
    clause: the digits under 5 % and over 15 % when there are any, else the range of shares."""
    share = np.asarray(share, dtype=float)
    rare = [f"{d} ({pct(share[d], 1)})" for d in np.flatnonzero(share < 0.05)]
    common = [f"{d} ({pct(share[d], 0)})" for d in np.flatnonzero(share > 0.15)]
    if rare or common:
        parts = ([f"pocos {listing(rare)}"] if rare else []) + \
                ([f"demasiados {listing(common)}"] if common else [])
        return "el evaluador ve " + " y ".join(parts)
    low, high = int(share.argmin()), int(share.argmax())
    return (f"ningún dígito queda por debajo del {pct(0.05, 0)} ni por encima del {pct(0.15, 0)}: "
            f"van del "
            f"{pct(share[low], 1)} (el {low}) al {pct(share[high], 1)} (el {high})")


def metric_facts(card: dict) -> dict[str, str]:
    """The final metrics of a run and its real-data references, as the prose quotes them, with
    the number of samples they were computed on (``long_samples``)."""
    m, real = card["metrics"], card["real_data"]
    return {"long_samples": num(metric_samples(card)),
            "long_fd": num(m["frechet_distance"], 1), "long_score": num(m["mnist_score"], 2),
            "long_classes": num(m["classes_covered"]),
            "class_balance": class_balance(m["class_share"]),
            "floor_fd": num(real["train_vs_test"]["frechet_distance"], 1),
            "ceiling_score": num(real["test_set"]["mnist_score"], 2),
            "train_score": num(real["train_vs_test"]["mnist_score"], 2)}


def stopping_facts(metric_rows: list[dict], floor_fd: float, from_epoch: int = 3
                   ) -> dict[str, str]:
    """The per-epoch metrics of a run (``metrics.csv``) summarised for "when to stop": the best
    epoch, the first values and the spread from ``from_epoch`` on, with its worst epoch; the
    value at each tenth of the run (``fd_at``); the range over its last quarter; and the
    largest rise from one epoch to the next in its second half."""
    best, best_fd = best_epoch(metric_rows)
    later = [r for r in metric_rows if r["epoch"] >= from_epoch] or metric_rows
    worst = max(later, key=lambda r: r["frechet_distance"])
    n = len(metric_rows)
    quarter = metric_rows[-max(n // 4, 1):]
    half = metric_rows[n // 2:]
    rises = [(b["frechet_distance"] - a["frechet_distance"], a, b)
             for a, b in zip(half, half[1:])] or [(0.0, metric_rows[-1], metric_rows[-1])]
    rise, before, after = max(rises, key=lambda t: t[0])
    marks = sorted({metric_rows[min(n - 1, max(0, round(n * f) - 1))]["epoch"]
                    for f in (0.1, 0.5, 1.0)})
    by_epoch = {r["epoch"]: r for r in metric_rows}
    return {"best_epoch": num(best), "best_fd": num(best_fd, 1), "floor_2000": num(floor_fd, 1),
            "fd_epoch1": num(metric_rows[0]["frechet_distance"], 0),
            "fd_epoch3": num(later[0]["frechet_distance"], 0),
            "fd_later_min": num(min(r["frechet_distance"] for r in later), 0),
            "fd_later_max": num(worst["frechet_distance"], 0),
            "worst_epoch": num(worst["epoch"]),
            "score_range": span([r["mnist_score"] for r in later], 1),
            "fd_at": listing(f"{num(by_epoch[e]['frechet_distance'], 0)} en la época {num(e)}"
                             for e in marks),
            "quarter_from": num(quarter[0]["epoch"]),
            "fd_quarter": span([r["frechet_distance"] for r in quarter], 0),
            "score_quarter": span([r["mnist_score"] for r in quarter], 1),
            "biggest_rise": (f"de {num(before['frechet_distance'], 1)} en la época "
                             f"{num(before['epoch'])} a {num(after['frechet_distance'], 1)} en "
                             f"la {num(after['epoch'])}")}


def best_final_facts(result: dict) -> dict[str, str]:
    """:func:`thesis_lib.studies.gan_results.best_against_final` as the prose quotes it."""
    d = result["difference"]
    return {"bf_n": num(result["n"]), "bf_best_epoch": num(result["best_epoch"]),
            "bf_best_fd": num(result["frechet_distance_a"], 1),
            "bf_final_fd": num(result["frechet_distance_b"], 1),
            "bf_best_then": num(result["best_epoch_frechet_distance"], 1),
            "bf_best_then_n": num(result["best_epoch_samples"]),
            "bf_difference": (f"{num(d['value'], 1)} (IC {pct(0.95, 0)}: {num(d['low'], 1)} a "
                              f"{num(d['high'], 1)}; {num(result['replicates'])} remuestras "
                              f"bootstrap de los puntos latentes)")}


def variant_facts(cards: list[dict], band: tuple[float, float]) -> dict[str, str]:
    """What the chapter says about an equal-budget comparison: the samples behind each run's
    metrics (``budget_samples``); per variant the mean Fréchet distance, minutes per run and
    last mean D loss; and the runs whose last mean D loss lies inside ``band`` (the thesis's
    range) against the others."""
    last_d = np.array([history(c["run_dir"])[-1]["d_loss"] for c in cards])
    fd = np.array([c["metrics"]["frechet_distance"] for c in cards])
    variants = np.array([c["variant"] for c in cards])
    minutes = np.array([c["seconds_this_process"] / 60 for c in cards])
    facts = {"budget_steps": num(cards[0]["steps"]), "budget_samples": samples_text(cards)}
    inside = (last_d >= band[0]) & (last_d <= band[1])
    for name, mask in (("band", inside), ("out", ~inside)):
        facts[f"{name}_n"] = num(int(mask.sum()))
        facts[f"{name}_fd"] = span(fd[mask], 0, sep=" a ") if mask.any() else "—"
        facts[f"{name}_dloss"] = span(last_d[mask], 2, sep=" a ") if mask.any() else "—"
    for v in dict.fromkeys(variants):
        mine = variants == v
        facts[f"fd_{v}"] = num(fd[mine].mean(), 0)
        facts[f"min_{v}"] = num(minutes[mine].mean(), 0)
        facts[f"dloss_{v}"] = _range(last_d[mine], 2)
    facts["seed_or_variant"] = seed_or_variant(started(cards, band))
    return facts


def started(cards: list[dict], band: tuple[float, float]) -> dict[str, dict[int, bool]]:
    """Per variant (in the cards' order) and seed, whether the run got going: its last mean
    discriminator loss lies inside ``band``, the thesis's range (below it, the discriminator
    won from the start)."""
    out = {}
    for c in cards:
        d_loss = history(c["run_dir"])[-1]["d_loss"]
        out.setdefault(c["variant"], {})[c["seed"]] = bool(band[0] <= d_loss <= band[1])
    return out


def seed_or_variant(outcome: dict[str, dict[int, bool]]) -> str:
    """Whether the variant or the seed decided if training got going (:func:`started`), as a
    Spanish clause: in how many variants all seeds agreed, which variants started with every
    seed and which with none, and in which the seed decided."""
    def name(v):  # "el modelo base", but «sobremuestreo»
        n = variant_name(v)
        return f"el {n}" if n.startswith("modelo") else f"«{n}»"
    always = [name(v) for v, runs in outcome.items() if all(runs.values())]
    never = [name(v) for v, runs in outcome.items() if not any(runs.values())]
    mixed = [name(v) for v, runs in outcome.items() if any(runs.values()) and
             not all(runs.values())]
    n_seeds = {len(runs) for runs in outcome.values()}
    every = ("las dos semillas" if n_seeds == {2} else
             f"las {num(n_seeds.pop())} semillas" if len(n_seeds) == 1 else "todas sus semillas")
    parts = []
    if always:
        parts.append(f"{listing(always)} arranc{'ó' if len(always) == 1 else 'aron'} con {every}")
    if never:
        parts.append(f"{listing(never)}, con ninguna")
    text = (f"la variante decidió si el entrenamiento arrancaba en "
            f"{num(len(always) + len(never))} de las {num(len(outcome))} variantes")
    if parts:
        text += f" ({'; '.join(parts)})"
    if mixed:
        text += f"; solo en {listing(mixed)} el arranque dependió de la semilla"
    return text


def final_grids(cards: list[dict], order=None, blank_below: float = 0.01):
    """The last sample grid of each run, variants in ``order`` then by seed, for a figure:
    ``(paths, titles, blank)``. Grids with no visible stroke (pixel standard deviation under
    ``blank_below``, e.g. a generator stuck on a constant image) are left out and named in
    ``blank`` instead: an empty panel reads as a broken figure."""
    import matplotlib.image as mpimg
    order = list(order or sorted({c["variant"] for c in cards}))
    paths, titles, blank = [], [], []
    for c in sorted(cards, key=lambda c: (order.index(c["variant"]), c["seed"])):
        path = Path(c["run_dir"]) / f"grid-epoch{c['epochs']:03d}.png"
        title = f"{variant_name(c['variant'])}, semilla {c['seed']}"
        if mpimg.imread(path)[..., :3].std() < blank_below:
            blank.append(title)
        else:
            paths.append(path)
            titles.append(title)
    return paths, titles, blank


# --- figures -------------------------------------------------------------------------------------

FIGURE_PT = 10  # titles, labels and legends of the chapter's own figures


def _epoch_ticks(ax, last_epoch: int):
    """Every 20 epochs on a long run (ten labels of three digits would touch), whole numbers
    otherwise."""
    import matplotlib.pyplot as plt
    if last_epoch > 50:
        ax.xaxis.set_major_locator(plt.MultipleLocator(20))
    else:
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))


def plot_long_run(history_rows: list[dict], monitor_rows: list[dict],
                  bands: dict = claims.GAN_LOSS_BANDS):
    """The long run's monitoring, two panels. Left: the per-epoch mean losses of D and G over
    the thesis's bands (D's filled, G's hatched, each with its edges, so the overlap still
    shows both), with an inset that zooms on the curves from the second epoch on: both sit
    near ln 2, too close to tell apart at the scale of the bands. Right: D's accuracy on 100
    real and 100 generated images (``monitor.csv``)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    fig, (left, right) = new_figure(2, width=3.6, height=3.3)
    epochs = np.array([r["epoch"] for r in history_rows])
    last = int(max(epochs.max(), max((r["epoch"] for r in monitor_rows), default=0)))
    series = {"d_loss": ("discriminador", "C0", "-"), "g_loss": ("generador", "C1", "--")}
    band_style = {"d_loss": dict(facecolor="C0", alpha=0.2, edgecolor="none"),
                  "g_loss": dict(facecolor="none", hatch="///", edgecolor="C1", alpha=0.45)}
    handles = []
    for key, (label, colour, ls) in series.items():
        line, = left.plot(epochs, [r[key] for r in history_rows], color=colour, ls=ls, lw=1.6,
                          label=label)
        handles.append(line)
    for key, (label, colour, _) in series.items():
        if key not in (bands or {}):
            continue
        lo, hi = bands[key]
        left.axhspan(lo, hi, lw=0, zorder=0, **band_style[key])
        for y in (lo, hi):  # the band's edges, in its colour
            left.axhline(y, color=colour, lw=0.9, ls=":" if key == "g_loss" else "-",
                         zorder=1)
        handles.append(Patch(**{**band_style[key], "edgecolor": colour, "lw": 0.9},
                             label=f"franja de {label[0].upper()}: {num(lo)}–{num(hi)}"))
    values = [r[k] for r in history_rows for k in series]
    top = max([*values, *(b[1] for b in (bands or {}).values())])
    bottom = min([*values, *(b[0] for b in (bands or {}).values())])
    left.set_ylim(bottom - 0.1, top + 0.1)
    left.set(xlabel="época", ylabel="pérdida media de la época")
    left.set_title("pérdidas y franjas de la tesis", fontsize=FIGURE_PT)
    _epoch_ticks(left, last)
    later = [r for r in history_rows if r["epoch"] >= 2]
    if len(later) >= 2:
        zoom = left.inset_axes([0.24, 0.5, 0.72, 0.36])
        for key, (label, colour, ls) in series.items():
            zoom.plot([r["epoch"] for r in later], [r[key] for r in later], color=colour,
                      ls=ls, lw=1.2)
        seen = [r[k] for r in later for k in series]
        pad = 0.15 * (max(seen) - min(seen)) or 0.005
        zoom.set_ylim(min(seen) - pad, max(seen) + pad)
        zoom.set_xlim(later[0]["epoch"], later[-1]["epoch"])
        _epoch_ticks(zoom, last)
        zoom.yaxis.set_major_locator(plt.MaxNLocator(3))
        zoom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: num(v, 2)))
        zoom.tick_params(labelsize=9)
        zoom.set_title(f"detalle desde la época {num(later[0]['epoch'])}", fontsize=9, pad=2,
                       bbox=dict(facecolor="white", edgecolor="none", pad=1))
        left.indicate_inset_zoom(zoom, edgecolor="0.3")
    left.legend(handles=handles, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                ncol=2, frameon=False)
    m_epochs = [r["epoch"] for r in monitor_rows]
    right.plot(m_epochs, [100 * r["acc_real"] for r in monitor_rows], marker="o",
               label="imágenes reales")
    right.plot(m_epochs, [100 * r["acc_fake"] for r in monitor_rows], marker="s", ls="--",
               label="imágenes generadas")
    right.axhline(50, color="0.5", ls=":", lw=1)
    right.set(xlabel="época", ylabel="exactitud del discriminador (%)", ylim=(-5, 105))
    right.set_title("exactitud de D", fontsize=FIGURE_PT)
    _epoch_ticks(right, last)
    right.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
                 frameon=False)
    if last > 50:
        right.set_xlim(0, last + 5)
        left.set_xlim(0, last + 2)
    return fig


def plot_sample_panels(images, titles=(), ncols: int = 1, width: float = 6.8,
                       title_pt: float = FIGURE_PT, gap: float = 0.15):
    """Sample grids as panels, ``ncols`` to a row, the figure ``width`` inches wide: each panel
    keeps its image's shape (a strip of 5 × 10 digits is half as tall as it is wide), so no
    room is lost around it, and ``gap`` inches of white separate neighbouring panels. Images
    are RGB (or gray) arrays in [0, 1], as :func:`thesis_lib.gan.grids.grid_tiles` cuts them;
    titles may hold several lines."""
    import matplotlib.pyplot as plt
    images = [np.asarray(i) for i in images]
    ncols = max(1, min(ncols, len(images)))
    nrows = -(-len(images) // ncols)
    panel_w = (width - (ncols - 1) * gap) / ncols
    lines = max((str(t).count("\n") + 1 for t in titles), default=0)
    title_h = lines * 1.3 * title_pt / 72 + 0.08 if lines else 0.0
    row_h = [max(panel_w * i.shape[0] / i.shape[1]
                 for i in images[r * ncols:(r + 1) * ncols]) for r in range(nrows)]
    height = sum(row_h) + nrows * title_h + (nrows - 1) * gap
    fig = plt.figure(figsize=(width, height))
    y = height
    for r in range(nrows):
        y -= title_h + row_h[r]
        for c, k in enumerate(range(r * ncols, min((r + 1) * ncols, len(images)))):
            image = images[k]
            h = panel_w * image.shape[0] / image.shape[1]
            ax = fig.add_axes([c * (panel_w + gap) / width, (y + row_h[r] - h) / height,
                               panel_w / width, h / height])
            ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="antialiased")
            ax.set_axis_off()
            if k < len(titles):
                ax.set_title(titles[k], fontsize=title_pt, pad=4)
        y -= gap
    return fig


def plot_real_and_final(real_png, final_png, epoch: int, rows: int = 5, cols: int = 10):
    """Real digits above the long run's final samples, each the top-left ``rows × cols`` of its
    10 × 10 grid (drawn alike, by :func:`thesis_lib.gan.grids.save_grid`): stacked rather than
    side by side, the digits are twice as large at column width."""
    n = num(rows * cols)
    return plot_sample_panels(
        [grid_tiles(real_png, rows, cols), grid_tiles(final_png, rows, cols)],
        [f"{n} dígitos reales de prueba, al azar", f"{n} muestras del generador, época {num(epoch)}"])


def plot_epoch_grids(grid_pngs, rows: int = 2, cols: int = 10):
    """The same latent points at several epochs: the first ``rows × cols`` samples of each
    epoch's grid (files named ``grid-epochNNN.png``), one epoch above the next, so that a
    column follows one point."""
    return plot_sample_panels([grid_tiles(p, rows, cols) for p in grid_pngs],
                              [f"época {num(int(Path(p).stem[-3:]))}" for p in grid_pngs])


def plot_variant_grids(paths, titles, real_png=None, side: int = 4, ncols: int = 3):
    """The equal-budget comparison's final grids (:func:`final_grids`), ``side × side``
    samples of each, ``ncols`` panels to a row, after a panel of real digits drawn alike when
    ``real_png`` is given. A title "variant, semilla s" is set on two lines, variant first."""
    images = [grid_tiles(p, side, side) for p in paths]
    titles = [t.rsplit(", ", 1)[0] + "\n" + t.rsplit(", ", 1)[1] if ", " in t else t
              for t in titles]
    if real_png is not None:
        images.insert(0, grid_tiles(real_png, side, side))
        titles.insert(0, "MNIST (reales)\nprueba, al azar")
    return plot_sample_panels(images, titles, ncols=ncols)

"""Reading DCGAN run directories (thesis §4.2): cards, histories, the variant ranking, the saved
generator (hash-checked) and latent interpolation (thesis §3.3, figure 55).

A run directory is what :mod:`thesis_lib.gan_runs` writes: ``card.json``, ``history.csv``,
``monitor.csv``, ``metrics.csv``, ``grid-epochNNN.png`` and ``generator.weights.h5``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from thesis_lib import artifacts
from thesis_lib.callbacks import read_csv

METRICS = {"frechet_distance": "distancia de Fréchet", "mnist_score": "puntaje MNIST",
           "classes_covered": "clases cubiertas"}

# A run whose samples cover fewer than 5 of the 10 digits (5 % share each, metrics.class_coverage)
# is counted as failed: collapsed onto a few shapes, or images the evaluator cannot read.
COLLAPSED_BELOW = 5


class GeneratorWeightsError(ValueError):
    """The generator weights are missing or are not the ones the run card records."""


def load_cards(results_dir: str | Path, profile: str | None = "full") -> list[dict]:
    """Every ``*/card.json`` under ``results_dir`` (of one profile, or all with None), each with
    its ``run_dir`` added, sorted by variant, epochs and seed."""
    cards = []
    for path in sorted(Path(results_dir).glob("*/card.json")):
        card = artifacts.read_json(path)
        if profile is None or card["profile"] == profile:
            cards.append({**card, "run_dir": path.parent})
    return sorted(cards, key=lambda c: (c["variant"], c["steps"], c["seed"]))


def longest_run(cards: list[dict], variant: str = "baseline") -> dict:
    """The card of ``variant`` with the most training steps."""
    mine = [c for c in cards if c["variant"] == variant]
    if not mine:
        raise ValueError(f"no run of variant {variant!r}; run `python -m thesis_lib.gan_runs "
                         f"--variant {variant}` first.")
    return max(mine, key=lambda c: (c["steps"], -c["seed"]))


def equal_budget(cards: list[dict], steps: int, n_train: int) -> list[dict]:
    """The cards trained with exactly ``steps`` steps on ``n_train`` images."""
    return [c for c in cards if c["steps"] == steps and c["n_train"] == n_train]


def comparison_budget(cards: list[dict], variants) -> tuple[int, int]:
    """The (steps, n_train) budget at which every variant was run, with the most runs; other
    cards (a longer run, a user's trial with a subset) stay out of the comparison."""
    groups = {}
    for c in cards:
        groups.setdefault((c["steps"], c["n_train"]), []).append(c)
    complete = {k: v for k, v in groups.items() if set(variants) <= {c["variant"] for c in v}}
    if not complete:
        raise ValueError(f"no budget at which all of {', '.join(variants)} were run; run "
                         f"`python -m thesis_lib.gan_runs --variant all --seed 0 1 ...` first.")
    return max(complete, key=lambda k: (len(complete[k]), -k[0]))


def history(run_dir: str | Path, name: str = "history") -> list[dict]:
    """``history.csv``, ``monitor.csv`` or ``metrics.csv`` of a run, as a list of rows."""
    path = Path(run_dir) / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; is {run_dir} a finished DCGAN run?")
    return read_csv(path)


def variant_table(cards: list[dict], baseline: str = "baseline"):
    """Mean and standard deviation over seeds of each metric, per variant, ranked by Fréchet
    distance (lower is better); ``menos de 5 dígitos`` counts runs covering fewer than
    ``COLLAPSED_BELOW`` digits; ``Δ FD`` is the mean difference to the baseline's."""
    import pandas as pd
    variants = sorted({c["variant"] for c in cards})
    rows = []
    for variant in variants:
        mine = [c for c in cards if c["variant"] == variant]
        row = {"variante": variant, "semillas": len(mine),
               "menos de 5 dígitos": sum(c["metrics"]["classes_covered"] < COLLAPSED_BELOW
                                         for c in mine)}
        for key, label in METRICS.items():
            values = np.array([c["metrics"][key] for c in mine], dtype=float)
            row[f"{label} (media)"] = values.mean()
            row[f"{label} (desvío)"] = values.std(ddof=1) if len(values) > 1 else np.nan
        rows.append(row)
    table = pd.DataFrame(rows).set_index("variante")
    fd = f"{METRICS['frechet_distance']} (media)"
    if baseline in table.index:
        table["Δ FD frente a baseline"] = table[fd] - table.loc[baseline, fd]
    return table.sort_values(fd)


def ranking_summary(table):
    """The ranking as 'mean ± sd' strings, one column per metric, for display."""
    import pandas as pd
    out = pd.DataFrame(index=table.index)
    out["semillas"] = table["semillas"]
    out["menos de 5 dígitos"] = table["menos de 5 dígitos"]
    for label, digits in zip(METRICS.values(), (1, 2, 1)):
        mean, sd = table[f"{label} (media)"], table[f"{label} (desvío)"]
        out[label] = [f"{m:.{digits}f} ± {s:.{digits}f}" for m, s in zip(mean, sd)]
    if "Δ FD frente a baseline" in table:
        out["Δ FD frente a baseline"] = table["Δ FD frente a baseline"].map(lambda v: f"{v:+.1f}")
    return out


def load_generator(card: dict, run_dir: str | Path | None = None):
    """The generator a run saved, rebuilt from its card and loaded only if the SHA-256 of the
    weights file equals the card's."""
    from thesis_lib.models import dcgan
    run_dir = Path(run_dir or card["run_dir"])
    path = run_dir / card["generator_weights"]
    if not path.exists():
        raise GeneratorWeightsError(
            f"{path} is missing; only the long baseline run's weights are committed. Rerun "
            f"`python -m thesis_lib.gan_runs --variant {card['variant']} --profile "
            f"{card['profile']} --epochs {card['epochs']} --seed {card['seed']}` to recreate it.")
    digest = artifacts.sha256(path)
    if digest != card["generator_sha256"]:
        raise GeneratorWeightsError(
            f"{path} has SHA-256 {digest[:16]}…, the card records "
            f"{card['generator_sha256'][:16]}…: the file is corrupt or from another run. "
            f"Restore it with `git checkout -- {path}` or rerun the training.")
    options = card["options"]
    generator = dcgan.generator(card["config"]["latent_dim"], options.get("output", "sigmoid"),
                                options.get("batch_norm", False),
                                options.get("upsampling", "transpose"))
    generator.load_weights(path)
    return generator


def unit_images(generator, z, output: str = "sigmoid") -> np.ndarray:
    """Generated images with pixels in [0, 1] whatever the output activation."""
    from thesis_lib.gan_runs import to_unit
    return to_unit(generator.predict(np.asarray(z, dtype="float32"), verbose=0, batch_size=500),
                   output)


def interpolate(z_a, z_b, steps: int = 10, method: str = "linear") -> np.ndarray:
    """``steps`` latent points from ``z_a`` to ``z_b`` (both included), thesis §3.3.

    ``linear``: (1 − t)·z_a + t·z_b. ``slerp``: along the great circle, which keeps the norm
    near that of Gaussian samples (a linear midpoint of two N(0, I) points is shorter by √2).
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (the two endpoints), got {steps}.")
    z_a, z_b = np.asarray(z_a, dtype=float), np.asarray(z_b, dtype=float)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    if method == "linear":
        return ((1 - t) * z_a + t * z_b).astype("float32")
    if method != "slerp":
        raise ValueError(f"unknown method {method!r}; valid: linear, slerp.")
    cos = np.dot(z_a, z_b) / (np.linalg.norm(z_a) * np.linalg.norm(z_b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return ((1 - t) * z_a + t * z_b).astype("float32")
    return ((np.sin((1 - t) * omega) * z_a + np.sin(t * omega) * z_b) / np.sin(omega)).astype(
        "float32")


def latent_for_digits(generator, evaluator, digits, latent_dim: int, n: int = 2000,
                      seed: int = 0, output: str = "sigmoid") -> np.ndarray:
    """For each digit, the latent point (of ``n`` drawn from N(0, I) with ``seed``) whose image
    the evaluator assigns to that digit with the highest probability."""
    z = np.random.default_rng([seed, 50_000]).normal(size=(n, latent_dim)).astype("float32")
    probs = evaluator.probabilities(unit_images(generator, z, output))
    chosen = []
    for digit in digits:
        best = int(np.argmax(probs[:, digit]))
        if probs[best].argmax() != digit:
            raise ValueError(f"none of {n} samples is classified as {digit}; the generator may "
                             f"have collapsed, or draw more samples (n).")
        chosen.append(z[best])
    return np.stack(chosen)


def epochs_in_band(rows: list[dict], key: str, band: tuple[float, float]) -> list[int]:
    """The epochs whose mean ``key`` (``d_loss`` or ``g_loss``) lies inside ``band``."""
    lo, hi = band
    return [r["epoch"] for r in rows if lo <= r[key] <= hi]


def best_epoch(rows: list[dict], key: str = "frechet_distance") -> tuple[int, float]:
    """The epoch with the best value of ``key`` in ``metrics.csv`` rows (lowest Fréchet
    distance; highest MNIST score or coverage) and that value: the thesis's "when to stop"."""
    if not rows:
        raise ValueError("no metric rows; was the run monitored (monitor_every)?")
    pick = min if key == "frechet_distance" else max
    row = pick(rows, key=lambda r: r[key])
    return int(row["epoch"]), float(row[key])


def describe(card: dict) -> str:
    """One line saying how a run was obtained (Spanish, for the book)."""
    env = card.get("environment", {})
    return (f"{card['variant']}, perfil {card['profile']}, semilla {card['seed']}, "
            f"{card['epochs']} épocas = {_thousands(card['steps'])} pasos con "
            f"{_thousands(card['n_train'])} imágenes, {card['hardware']}, "
            f"Keras {env.get('versions', {}).get('keras')}, commit {env.get('commit')}")


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u2009")

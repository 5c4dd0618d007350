"""Reading GAN run directories (thesis §4.2, chapter 3): cards, histories, equal budgets, the
saved generator (hash-checked) and samples from it. The chapters' Spanish text about them is
:mod:`thesis_lib.report.dcgan`.

A run directory is what :mod:`thesis_lib.studies.mnist_gan` writes: ``card.json``, ``history.csv``,
``monitor.csv``, ``metrics.csv``, ``grid-epochNNN.png`` and ``generator.weights.h5``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from thesis_lib import artifacts, runcards, streams
from thesis_lib.callbacks import read_csv
from thesis_lib.evaluation.gan_scores import paired_fd_difference
from thesis_lib.gan import infogan, latent
from thesis_lib.gan.latent import unit_images
from thesis_lib.models import dcgan
from thesis_lib.profiles import get_config
from thesis_lib.validation import positive_int


class GeneratorWeightsError(ValueError):
    """The generator weights are missing or are not the ones the run card records."""


def load_cards(results_dir: str | Path, profile: str | None = "full") -> list[dict]:
    """Every ``*/card.json`` under ``results_dir`` (of one profile, or all with None), each with
    its ``run_dir`` added, sorted by variant, epochs and seed."""
    cards = []
    for path in sorted(Path(results_dir).glob("*/card.json")):
        card = runcards.read_card(path, "gan")
        if profile is None or card["profile"] == profile:
            cards.append({**card, "run_dir": path.parent})
    return sorted(cards, key=lambda c: (c["variant"], c["steps"], c["seed"]))


# "The long run" of chapters 4.2, 3.3 and 5 and of their ledger rows: the campaign's 100-epoch
# run, the thesis's own budget (results/dcgan/baseline-full-e100-seed1). A longer run committed
# later is not picked up silently: its prose, check cells and rows would move with it, in one
# change that raises this.
CHAPTER_LONG_RUN_EPOCHS = 100


def longest_run(cards: list[dict], variant: str = "baseline", max_epochs: int | None = None
                ) -> dict:
    """The card of ``variant`` with the most training steps (of at most ``max_epochs``)."""
    mine = [c for c in cards if c["variant"] == variant
            and (max_epochs is None or c["epochs"] <= max_epochs)]
    if not mine:
        raise ValueError(f"no run of variant {variant!r}; run `python -m thesis_lib.studies.mnist_gan "
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
                         f"`python -m thesis_lib.studies.mnist_gan --variant all --seed 0 1 ...` first.")
    return max(complete, key=lambda k: (len(complete[k]), -k[0]))


def history(run_dir: str | Path, name: str = "history") -> list[dict]:
    """``history.csv``, ``monitor.csv`` or ``metrics.csv`` of a run, as a list of rows."""
    path = Path(run_dir) / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; is {run_dir} a finished DCGAN run?")
    return read_csv(path)


def load_generator(card: dict, run_dir: str | Path | None = None):
    """The generator a run saved, rebuilt from its card and loaded only if the SHA-256 of the
    weights file equals the card's."""
    run_dir = Path(run_dir or card["run_dir"])
    path = run_dir / card["generator_weights"]
    if not path.exists():
        raise GeneratorWeightsError(
            f"{path} is missing; only the long baseline run's weights are committed. Rerun "
            f"`python -m thesis_lib.studies.mnist_gan --variant {card['variant']} --profile "
            f"{card['profile']} --epochs {card['epochs']} --seed {card['seed']}` to recreate it.")
    digest = artifacts.sha256(path)
    if digest != card["generator_sha256"]:
        raise GeneratorWeightsError(
            f"{path} has SHA-256 {digest[:16]}…, the card records "
            f"{card['generator_sha256'][:16]}…: the file is corrupt or from another run. "
            f"Restore it with `git checkout -- {path}` or rerun the training.")
    options = card["options"]
    conditional = card["config"].get("conditional", False)
    latent_dim = card["config"]["latent_dim"]
    if "info_noise" in options:  # an InfoGAN: noise, then its codes
        latent_dim = options["info_noise"] + infogan.CATEGORIES + infogan.CONTINUOUS
    generator = dcgan.generator(latent_dim, options.get("output", "sigmoid"),
                                options.get("g_batch_norm", options.get("batch_norm", False)),
                                options.get("upsampling", "transpose"),
                                num_classes=10 if conditional else None,
                                filters=options.get("g_filters", 128))
    generator.load_weights(path)
    return generator


def at_epochs(rows: list[dict], marks: list[dict]) -> list[dict]:
    """The rows of ``rows`` (a history) at the epochs of ``marks`` (e.g. the monitor's), in
    order: a long run's table at the epochs where everything was measured."""
    wanted = {int(m["epoch"]) for m in marks}
    return [r for r in rows if int(r["epoch"]) in wanted]


def load_best_generator(card: dict):
    """The generator a run kept at its best epoch by the per-epoch Fréchet distance (the card's
    ``best``: file and SHA-256), hash-checked like :func:`load_generator`."""
    best = card.get("best")
    if not best or not best.get("generator"):
        raise GeneratorWeightsError(
            f"{card['run_dir']} kept no best-epoch generator; runs keep one with `--keep-best` "
            "(the campaign's 100-epoch run does).")
    return load_generator({**card, "generator_weights": best["generator"],
                           "generator_sha256": best["generator_sha256"]})


def best_against_final(card: dict, evaluator, reference_features, n: int = 10_000,
                       seed: int = 0, replicates: int = 200) -> dict:
    """The run's best-epoch generator and its final one on the same ``n`` fresh latent points
    (stream ``best_vs_final``), their Fréchet distances to ``reference_features`` and the paired
    bootstrap interval of best − final (:func:`thesis_lib.evaluation.gan_scores.paired_fd_difference`).
    The best epoch was chosen as the minimum of many per-epoch distances on fewer samples, so
    part of its lead can be luck; fresh samples tell (thesis §4.2, when to stop)."""
    z = streams.rng(seed, "best_vs_final").normal(size=(n, card["config"]["latent_dim"]))
    output = card["options"].get("output", "sigmoid")
    features = [evaluator.features(latent.unit_images(g, z, output))
                for g in (load_best_generator(card), load_generator(card))]
    out = paired_fd_difference(reference_features, *features, replicates=replicates, seed=seed)
    return {**out, "best_epoch": int(card["best"]["epoch"]), "final_epoch": int(card["epochs"]),
            "best_epoch_samples": int(card["best"]["samples"]),
            "best_epoch_frechet_distance": float(card["best"]["frechet_distance"])}


def monitor_inputs(gan, n: int, seed: int, stream: str = "monitor_inputs"):
    """``(z, inputs)``: ``n`` latent points drawn from the named ``stream`` for ``seed`` and the
    generator's input built from them (a conditional GAN gets the classes in equal shares)."""
    z = gan.numpy_latent(n, streams.rng(seed, stream))
    labels = np.arange(n) % gan.num_classes if gan.conditional else None
    return z, latent.conditional_inputs(z, labels, gan.num_classes or 10)


def generated_images(gan, n: int, seed: int, output: str,
                     stream: str = "monitor_inputs") -> np.ndarray:
    """``n`` images in [0, 1] from a GAN being trained, from latent points drawn from the named
    ``stream`` for ``seed``; a conditional GAN gets the classes in equal shares."""
    return unit_images(gan.generator, monitor_inputs(gan, n, seed, stream)[1], output)


def sample_images(card: dict, n: int, labels=None, seed: int = 0) -> np.ndarray:
    """``n`` images, shaped (n, 28, 28, 1) in [0, 1], from the generator a committed run saved
    (thesis §3.3): its weights are checked against the card's SHA-256 before use.

    Latent points are N(0, I) draws with ``seed``. A conditional run takes ``labels`` (n digits;
    default 0, 1, …, 9 in turn); an InfoGAN takes them as its categorical code (default random;
    continuous codes uniform in [−1, 1]); an unconditional one refuses them.
    """
    positive_int("n", n)
    generator = load_generator(card)
    if "info_noise" in card["options"]:
        z = infogan.latent_points(n, card["options"]["info_noise"], labels, None, seed)
        return unit_images(generator, z, card["options"].get("output", "sigmoid"))
    output = card["options"].get("output", "sigmoid")
    conditional = card["config"].get("conditional", False)
    return latent.sample(generator, n, card["config"]["latent_dim"], seed=seed,
                         stream="sample_images", num_classes=10 if conditional else None,
                         labels=labels, output=output, what="this run's generator")


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


def profile_epochs(card: dict) -> int | None:
    """The epochs the card's profile trains by default (None for an unknown profile)."""
    try:
        return get_config("dcgan", card["profile"]).epochs
    except ValueError:
        return None


# --- what the §4.2 chapter shows: Spanish tables and the numbers its prose quotes ------------


































"""Chapter 3.3's committed runs read and measured (thesis §3.3): the runs by family, the
critic's estimate against the Fréchet distance, walks along a classifier's gradient and along
attribute directions, the InfoGAN's codes, conditional grids. The Spanish tables and sentences
built from them are :mod:`thesis_lib.report.variants`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm, spearmanr

from thesis_lib import data, runcards, streams
from thesis_lib.evaluation import attributes, metrics
from thesis_lib.gan import infogan, latent
from thesis_lib.gan.latent import infer, unit_images
from thesis_lib.studies import latent_directions as directions
from thesis_lib.studies.gan_results import history, load_cards, load_generator


def default_dir() -> Path:
    return runcards.results_dir() / "mnist_gan"


def attempts_dir() -> Path:
    """Conditional runs kept as evidence for a choice, outside the families
    (``cards_by_family`` reads only :func:`default_dir`)."""
    return runcards.results_dir() / "mnist_gan_attempts"


def family(card: dict) -> str:
    """Which of the chapter's families a card belongs to."""
    if "info_noise" in card["options"]:
        return "infogan"
    if card["config"].get("conditional"):
        return "conditional"
    loss = card["config"]["loss"]
    return loss if loss.startswith("wasserstein") else "standard"


def cards_by_family(root: str | Path | None = None) -> dict[str, dict]:
    """The committed card of each family (one run each; a second would be ambiguous)."""
    found: dict[str, dict] = {}
    for card in load_cards(root or default_dir(), profile=None):
        name = family(card)
        if name in found:
            raise ValueError(f"two {name} runs under {card['run_dir'].parent}: "
                             f"{found[name]['run_dir'].name} and {card['run_dir'].name}; keep one.")
        found[name] = card
    return found


def critic_estimate(card: dict, rows: list[dict]) -> np.ndarray:
    """Per epoch, what the run's D says about the distance between real and generated data: for a
    WGAN the critic's estimate of W₁, E[C(x)] − E[C(G(z))] = −(d_loss − λ·gp) (the history's
    d_loss holds the penalty, its gp column does not hold λ); for a standard GAN its loss."""
    d_loss = np.array([float(r["d_loss"]) for r in rows])
    loss = card["config"]["loss"]
    if not loss.startswith("wasserstein"):
        return d_loss
    penalty = np.array([float(r.get("gp", 0.0) or 0.0) for r in rows])
    weight = card["config"].get("gp_weight") or (10.0 if loss == "wasserstein_gp" else 0.0)
    return -(d_loss - weight * penalty)


def rank_interval(rho: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """An approximate ``level`` confidence interval for Spearman's ρ over ``n`` pairs: Fisher's
    z = atanh ρ with the standard error of Bonett and Wright (2000) for Spearman's coefficient,
    √((1 + ρ²/2)/(n − 3)), mapped back with tanh. Approximate for small n (Bonett and Wright
    studied n ≥ 10); (nan, nan) below 4 pairs or for a non-finite ρ."""
    if n < 4 or not np.isfinite(rho):
        return float("nan"), float("nan")
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    half = norm.ppf(0.5 + level / 2) * np.sqrt((1 + rho ** 2 / 2) / (n - 3))
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def rank_correlation(x, y, level: float = 0.95) -> dict:
    """Spearman's ρ of two paired series with its p-value, ``n`` and :func:`rank_interval`;
    ρ is nan below three pairs (nothing is claimed)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    rho, p = spearmanr(x, y) if n >= 3 else (np.nan, np.nan)
    low, high = rank_interval(float(rho), n, level)
    return {"rho": float(rho), "p_value": float(p), "n": n, "low": low, "high": high,
            "level": level}


def estimate_vs_frechet(card: dict, level: float = 0.95) -> dict:
    """The run's per-epoch estimate (:func:`critic_estimate`) beside the Fréchet distance of that
    epoch's samples (``metrics.csv``), and their Spearman rank correlation with its interval
    (:func:`rank_correlation`). The WGAN paper's claim is that the critic's estimate falls as
    samples improve: a positive ρ.

    Both series trend with training time, so two series that only share that trend correlate
    too. ``diff`` holds the same correlation over first differences (epoch t+1 minus epoch t,
    n − 1 pairs): whether the estimate moves with the quality from one epoch to the next."""
    rows = history(card["run_dir"])
    fd_rows = {int(r["epoch"]): float(r["frechet_distance"])
               for r in history(card["run_dir"], "metrics")}
    by_epoch = {int(r["epoch"]): e for r, e in zip(rows, critic_estimate(card, rows))}
    epochs = sorted(set(by_epoch) & set(fd_rows))
    estimate = np.array([by_epoch[e] for e in epochs])
    frechet = np.array([fd_rows[e] for e in epochs])
    return {"epochs": epochs, "estimate": estimate, "frechet": frechet,
            **rank_correlation(estimate, frechet, level),
            "diff": rank_correlation(np.diff(estimate), np.diff(frechet), level)}


def expected_sign(name: str) -> int:
    """The sign of ρ(estimate, Fréchet distance) when the estimate follows quality: + for a
    WGAN's critic (its estimate falls with the distance), − for a standard GAN's D loss (it
    rises as the samples improve and D is fooled more)."""
    return 1 if name.startswith("wasserstein") else -1


def tracking(corr: dict, name: str) -> int:
    """What the interval of one correlation (:func:`rank_correlation`) allows: +1 if it lies
    wholly on the expected side of 0 (:func:`expected_sign`), −1 if wholly on the other side,
    0 if it contains 0 or is undefined (neither claim is allowed)."""
    sign = expected_sign(name)
    low, high = sorted((sign * corr["low"], sign * corr["high"]))
    if not (np.isfinite(low) and np.isfinite(high)):
        return 0
    return 1 if low > 0 else -1 if high < 0 else 0


def run_budget(card: dict) -> dict:
    config = card["config"]
    k = config["critic_steps"]
    steps = card["steps"]
    return {"épocas": card["epochs"], "pasos de G": steps, "actualizaciones de D": steps * k,
            "segundos de entrenamiento": card["seconds_this_process"]}


def _generator_fn(card: dict):
    return directions.image_function(load_generator(card), card["options"].get("output",
                                                                              "sigmoid"))


def classifier_walks(card: dict, evaluator, pairs, n: int = 100, seed: int = 0,
                     step: float = 0.25, n_steps: int = 40, reference: dict | None = None):
    """The thesis's "use a classifier to find the direction in Z", on the run's generator: for
    each (a, b) in ``pairs``, ``n`` latent points whose images the evaluator reads as a are moved
    up the gradient of log p(b | G(z)). Returns one row per pair (share that became b, median
    distance moved, Fréchet distance of the moved images to the test b's beside that of ``n``
    real training b's, as a same-size reference) and the images (start, moved) per pair."""
    images_fn = _generator_fn(card)
    latent_dim = card["config"]["latent_dim"]
    z_all = streams.rng(seed, "classifier_walks").normal(size=(30 * n, latent_dim)).astype(
        "float32")
    start_classes = evaluator.predict(infer(images_fn, z_all))
    (x_train, y_train), (x_test, y_test) = reference or data.load_mnist()
    rows, shown = [], {}
    for a, b in pairs:
        z = z_all[start_classes == a][:n]
        if len(z) < n:
            raise ValueError(f"only {len(z)} of {len(z_all)} samples read as {a}; lower n.")
        moved, distance, _ = directions.classifier_walk(images_fn, evaluator.model, z, b,
                                                        step=step, n_steps=n_steps)
        before, after = infer(images_fn, z), infer(images_fn, moved)
        probs, features = evaluator.probabilities_and_features(after)
        real_b = x_train[y_train == b][:n]
        test_b = evaluator.features(x_test[y_test == b])
        rows.append({"de": a, "a": b, "se volvió b": float(np.mean(probs.argmax(1) == b)),
                     "distancia recorrida (mediana)": float(np.median(distance)),
                     "‖z‖ inicial (mediana)": float(np.median(np.linalg.norm(z, axis=1))),
                     "Fréchet a los b reales": metrics.frechet_distance(features, test_b),
                     "Fréchet de b reales (referencia)": metrics.frechet_distance(
                         evaluator.features(real_b), test_b)})
        confident = np.flatnonzero(probs[:, b] >= 0.9)
        order = confident[np.argsort(-distance[confident])]  # the farthest confident moves
        shown[(a, b)] = {"before": before[order], "after": after[order],
                         "p_b": probs[order, b], "distance": distance[order]}
    return pd.DataFrame(rows), shown


def random_direction(dim: int, seed: int = 0) -> np.ndarray:
    """A unit direction drawn uniformly (the control: what any move of that length changes)."""
    d = streams.rng(seed, "random_direction").normal(size=dim)
    return (d / np.linalg.norm(d)).astype("float32")


def attribute_directions(card: dict, evaluator, n: int = 10_000, seed: int = 0):
    """For ink and slant: the regression direction of the attribute on z over ``n`` samples of
    the run's generator, its fit judged out of sample (cross-validated R² beside the same
    procedure on shuffled attributes: :func:`thesis_lib.studies.latent_directions.direction_fit`),
    and what a swing of ±1 standard deviation along it changes
    (:func:`thesis_lib.studies.latent_directions.swing_effect`); and, as the control, the same swing along a
    random direction (key ``random``, no fit). Returns (that dict, the latent points used)."""
    images_fn = _generator_fn(card)
    z = streams.rng(seed, "attribute_directions").normal(
        size=(n, card["config"]["latent_dim"])).astype("float32")
    images = infer(images_fn, z)
    out = {}
    for name in attributes.ATTRIBUTES:
        out[name] = directions.direction_fit(z, attributes.measure(images, name), seed=seed)
    out["random"] = {"direction": random_direction(z.shape[1], seed)}
    for entry in out.values():
        d = entry["direction"].astype("float32")[None]
        entry["effect"] = directions.swing_effect(images_fn, evaluator.model, z - d, z + d)
    return out, z


def infogan_codes(card: dict, evaluator, n: int = 10_000, seed: int = 0) -> dict:
    """For each continuous code of the run's InfoGAN: the swing from −1/√3 to +1/√3 (one
    standard deviation of the uniform code each side) with everything else held, measured as for
    the z directions; and, as the control (key ``noise``), a swing of the same length (±1/√3)
    along a random direction of the noise."""
    generator = load_generator(card)
    images_fn = directions.image_function(generator, card["options"].get("output", "sigmoid"))
    noise_dim = card["options"]["info_noise"]
    z = infogan.latent_points(n, noise_dim, seed=seed)
    sd = 1 / np.sqrt(3)
    out = {}
    for i in range(infogan.CONTINUOUS):
        low, high = z.copy(), z.copy()
        column = noise_dim + infogan.CATEGORIES + i
        low[:, column], high[:, column] = -sd, sd
        out[f"c{i + 1}"] = directions.swing_effect(images_fn, evaluator.model, low, high)
    d = np.zeros(z.shape[1], "float32")
    d[:noise_dim] = sd * random_direction(noise_dim, seed)  # as long as a code's swing
    out["noise"] = directions.swing_effect(images_fn, evaluator.model, z - d, z + d)
    return out


def code_sweep(card: dict, code: int, values, seed: int = 0) -> list[np.ndarray]:
    """For every categorical code (ordered by the digit the card maps it to), images as the
    continuous code ``code`` (0 or 1) takes ``values``, noise and the other code held."""
    generator = load_generator(card)
    noise_dim = card["options"]["info_noise"]
    mapping = card["infogan"]["code_to_digit"]
    rows = []
    base = infogan.latent_points(1, noise_dim, 0, [0.0, 0.0], seed)[0]
    for category in np.argsort(mapping):
        z = np.repeat(base[None], len(values), axis=0)
        z[:, noise_dim:noise_dim + infogan.CATEGORIES] = np.eye(infogan.CATEGORIES)[category]
        z[:, noise_dim + infogan.CATEGORIES + code] = values
        rows.append(unit_images(generator, z, card["options"].get("output", "sigmoid")))
    return rows


def conditional_grid(card: dict, columns: int = 10, seed: int = 0) -> np.ndarray:
    """The conditional run's 10 × ``columns`` grid, row d = digit d requested, column j = the
    same latent point z_j in every row (the class changes, the style is held). Images (10 ·
    columns, 28, 28, 1), row by row."""
    if not card["config"].get("conditional"):
        raise ValueError("conditional_grid needs a conditional run's card.")
    generator = load_generator(card)
    z = streams.rng(seed, "conditional_grid").normal(
        size=(columns, card["config"]["latent_dim"])).astype("float32")
    z = np.tile(z, (10, 1))
    inputs = latent.conditional_inputs(z, np.repeat(np.arange(10), columns))
    return unit_images(generator, inputs, card["options"].get("output", "sigmoid"))


def real_by_digit(images, labels, columns: int = 10, seed: int = 0) -> np.ndarray:
    """``columns`` real images of each digit, row by row (the reference beside
    :func:`conditional_grid`)."""
    rng = streams.rng(seed, "real_by_digit")
    picks = [rng.choice(np.flatnonzero(labels == d), columns, replace=False) for d in range(10)]
    return np.asarray(images)[np.concatenate(picks)]


def walk_along(card: dict, direction, z, distances) -> list[np.ndarray]:
    """Images of each latent point in ``z`` moved by each of ``distances`` along the unit
    ``direction`` (one row per point)."""
    images_fn = _generator_fn(card)
    direction = np.asarray(direction, "float32")
    return [infer(images_fn, (point[None] + np.asarray(distances, "float32")[:, None]
                              * direction[None]).astype("float32")) for point in z]





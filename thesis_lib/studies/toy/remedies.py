"""The thesis's remedies for mode collapse (§3.2), tested on the ring of 8 and the grid of 25
Gaussians with VEEGAN's mode protocol (:func:`thesis_lib.studies.toy.mixtures.mode_stats`).

§3.2 lists five remedies without evidence: a deeper or wider generator, L1/L2 regularization,
extra loss terms that reward diversity, data augmentation, and a different ratio of
discriminator to generator updates. Each is one of :data:`VARIANTS`, a documented variant of the
standard GAN (:func:`toy.mlp_gan`: non-saturating loss, Adam 2·10⁻⁴ with β₁ = 0.5, three hidden
layers of 128, a 2-D latent space) with everything else identical: the same data stream, seeds,
number of generator steps, batch and networks. Two references from the literature complete the
table: WGAN-GP (Gulrajani et al. 2017) and PacGAN's packing (Lin et al. 2018). Where the
thesis is vague, the variant says which published method stands for it:

- *regularization*: an L2 penalty λ·Σ‖W‖² on the kernels of D (``l2_d``) or of G (``l2_g``).
  The thesis says L1 or L2 regularization "penalizes samples that are too similar"; a weight
  penalty does no such thing (it shrinks weights), so the variant tests what the words usually
  mean, and the diversity variant tests what the sentence describes;
- *extra loss terms that reward diversity* (the thesis names MMI and a "Jensen-Shannon
  diversity" without a reference): the mode-seeking term of MSGAN (Mao et al. 2019), G's loss
  plus λ/(r + ε) with r = mean|G(z₁) − G(z₂)| / mean|z₁ − z₂| over pairs of latent points;
- *data augmentation* for points in the plane: instance noise (Sønderby et al. 2017; Arjovsky
  and Bottou 2017), Gaussian noise added to every point D sees, real and generated, annealed
  linearly to zero. Noise on the real points only would change the target distribution to
  the data convolved with the noise.

Every run is judged as VEEGAN does (Srivastava et al. 2017, §5.1): 2,500 samples, a sample of
high quality within 3 σ of its nearest centre, a mode captured when it is the nearest of at
least one high-quality sample; ``kl`` is the KL divergence of the high-quality samples' mode
histogram from the uniform one (PacGAN's "reverse KL"). Each run writes a card
(:mod:`thesis_lib.runcards`, kind ``toy_gan``) and the samples it counted (``samples.npy``),
so that :func:`recount` can check the numbers.

The published numbers (:data:`PUBLISHED`, each checked against the authors' copy of their
table) come from other setups. VEEGAN reports, as means of 5 runs of the standard GAN, 1 of 8
ring modes with 99.3 % high-quality samples and 3.3 of 25 grid modes (0.5 %). PacGAN reports
6.3 ± 0.5 of 8 and 17.3 ± 0.8 of 25 for the same GAN (means ± standard errors of 10 runs). Its
released code (github.com/fjxmlzn/PacGAN, ``synthetic_data_experiments``) trains a generator
of 4 × 400 ReLU units with batch normalization and a discriminator of 3 × 200 maxout units
(5 pieces), Adam 10⁻⁴ with β₁ = 0.8, batches of 100, 100,000 training points for 400 epochs
(400,000 generator steps), a 2-D latent space, 10 runs; its ring has radius 1 and σ = 0.01
and its grid σ = 0.05 (2.5 times ours, so its 3σ high-quality disc is 6.25 times larger in
area). Here: 3 × 128 LeakyReLU units without normalization, Adam 2·10⁻⁴ with β₁ = 0.5, batches
of 64, the full profile's generator steps (:func:`settings`), σ = 0.02 on both mixtures.

    python -m thesis_lib.studies.toy.remedies --out results/toy/remedies --profile full
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import dataclasses
import io
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from keras import layers

from thesis_lib import artifacts, cli, environment, runcards
from thesis_lib.gan.model import GAN
from thesis_lib.profiles import PROFILES, get_config
from thesis_lib.studies.toy import mixtures
from thesis_lib.studies.toy import networks as toy
from thesis_lib.studies.toy.remedy_gan import InstanceNoise, Pack, RemedyGAN
from thesis_lib.validation import non_negative_ints, positive_int


# --- the variants -----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Variant:
    """A variant of the standard GAN: what differs from it (``options`` for
    :func:`toy.mlp_gan`, ``gan_options`` for :class:`RemedyGAN`, ``noise``: instance noise's
    initial σ, annealed to 0 over the run), a Spanish label and an English description."""

    name: str
    label_es: str
    description: str
    options: dict = dataclasses.field(default_factory=dict)
    gan_options: dict = dataclasses.field(default_factory=dict)
    noise: float | None = None
    remedy: str = ""  # which item of §3.2 it stands for ("" for baselines and references)

    @property
    def loss(self) -> str:
        return self.options.get("loss", "non_saturating")

    @property
    def critic_steps(self) -> int:
        steps = self.options.get("critic_steps")
        return steps if steps is not None else (5 if self.loss.startswith("wasserstein") else 1)

    @property
    def pac(self) -> int:
        return self.gan_options.get("pac", 1)

    def as_dict(self) -> dict:
        return {"name": self.name, "loss": self.loss, "critic_steps": self.critic_steps,
                "options": dict(self.options), "gan_options": dict(self.gan_options),
                "noise": self.noise, "remedy": self.remedy, "description": self.description}


L2_WEIGHT = 1e-3        # λ of the weight penalties: Σ‖W‖² of D is about 130 at initialization,
                        # so the penalty starts near 0.13, a tenth of D's loss.
MODE_SEEKING_WEIGHT = 1.0   # MSGAN's λ_ms for every task of the paper
NOISE_STDDEV = 0.5      # instance noise's initial σ: a third of the gap between neighbouring
                        # ring modes (1.53), so D's view of them overlaps early on
PAC = 4                 # PacGAN4, the paper's best on the grid

_VARIANTS = [
    Variant("standard", "GAN estándar (no saturante)",
        "The standard GAN: non-saturating loss, Adam 2e-4 (beta1 0.5), G and D 3 x 128 "
        "LeakyReLU, 2-D latent, one D step per G step (toy.mlp_gan defaults)."),
    Variant("minimax", "GAN minimax (saturante)",
        "The thesis's value function as written: G minimises log(1 - D(G(z))).",
        options={"loss": "minimax"}),
    Variant("bigger_g", "Generador más profundo y ancho (4 × 256)",
        "G with 4 hidden layers of 256 instead of 3 of 128 (about 6 times the weights); D "
        "unchanged.", options={"g_hidden": (256, 256, 256, 256)}, remedy="arquitectura"),
    Variant("l2_d", "Regularización L2 de D (λ = 10⁻³)",
        "L2 penalty 1e-3 * sum of D's squared kernel weights added to D's loss.",
        gan_options={"d_l2": L2_WEIGHT}, remedy="regularización"),
    Variant("l2_g", "Regularización L2 de G (λ = 10⁻³)",
        "L2 penalty 1e-3 * sum of G's squared kernel weights added to G's loss.",
        gan_options={"g_l2": L2_WEIGHT}, remedy="regularización"),
    Variant("mode_seeking", "Término de diversidad (búsqueda de modos, MSGAN)",
        "MSGAN's mode-seeking term (Mao et al. 2019), lambda = 1, added to G's loss.",
        gan_options={"mode_seeking": MODE_SEEKING_WEIGHT}, remedy="pérdidas adicionales"),
    Variant("instance_noise", "Aumento de datos: ruido de instancia (σ 0,5 → 0)",
        "Instance noise: N(0, s^2) added to every point D sees (real and generated) in "
        "training, s annealed linearly from 0.5 to 0 over the run.",
        noise=NOISE_STDDEV, remedy="aumento de datos"),
    Variant("d_steps_2", "2 pasos de D por paso de G",
        "k = 2 discriminator updates (each on its own real batch) per generator update.",
        options={"critic_steps": 2}, remedy="frecuencia de actualización"),
    Variant("d_steps_5", "5 pasos de D por paso de G",
        "k = 5 discriminator updates per generator update (WGAN's ratio, with the standard "
        "loss).", options={"critic_steps": 5}, remedy="frecuencia de actualización"),
    Variant("wgan_gp", "WGAN-GP (referencia)",
        "WGAN-GP (Gulrajani et al. 2017): lambda = 10, 5 critic steps, Adam beta (0, 0.9), "
        "1e-4 for G and 3e-4 for the critic (toy.mlp_gan defaults).",
        options={"loss": "wasserstein_gp"}),
    Variant("pacgan4", "PacGAN, paquetes de 4 (referencia)",
        "PacGAN4 (Lin et al. 2018): D scores packs of 4 samples concatenated (8 inputs); the "
        "same samples per step, so D sees m/4 real and m/4 generated packs.",
        gan_options={"pac": PAC}),
]
VARIANTS: dict[str, Variant] = {variant.name: variant for variant in _VARIANTS}

DATASETS = {
    "ring": {"label_es": "anillo de 8 gaussianas", "sampler": mixtures.ring_of_gaussians,
             "centers": mixtures.ring_centers, "std": 0.02,
             "params": {"modes": 8, "radius": 2.0, "std": 0.02}},
    "grid": {"label_es": "rejilla de 25 gaussianas", "sampler": mixtures.grid_of_gaussians,
             "centers": mixtures.grid_centers, "std": 0.02,
             "params": {"side": 5, "spacing": 2.0, "std": 0.02}},
}

# The published numbers for the standard GAN (and PacGAN4), for the table's last lines, each
# checked against the authors' own copy of their table (``checked``: where; issue 29). VEEGAN
# gives means of 5 runs without spread; PacGAN's ± is the standard error over 10 runs.
VEEGAN_TABLE = ("github.com/akashgit/VEEGAN (the paper's project page): tab.png is the paper's "
                "Table 1; index.md: 2500 samples per model, 'average the numbers over five runs'")
PACGAN_TABLE = ("github.com/fjxmlzn/PacGAN: synthetic_data_experiments/results/Table1.png is the "
                "paper's Table 1, 'averaged over 10 trials shown with the standard error'")
PUBLISHED = [
    {"source": "VEEGAN (Srivastava et al. 2017, Table 1)", "runs": 5, "dataset": "ring",
     "method": "GAN", "modes": 1.0, "modes_se": None, "high_quality": 0.993,
     "high_quality_se": None, "checked": VEEGAN_TABLE},
    {"source": "VEEGAN (Srivastava et al. 2017, Table 1)", "runs": 5, "dataset": "grid",
     "method": "GAN", "modes": 3.3, "modes_se": None, "high_quality": 0.005,
     "high_quality_se": None, "checked": VEEGAN_TABLE},
    {"source": "PacGAN (Lin et al. 2018, Table 1)", "runs": 10, "dataset": "ring",
     "method": "GAN", "modes": 6.3, "modes_se": 0.5, "high_quality": 0.982,
     "high_quality_se": 0.002, "checked": PACGAN_TABLE},
    {"source": "PacGAN (Lin et al. 2018, Table 1)", "runs": 10, "dataset": "grid",
     "method": "GAN", "modes": 17.3, "modes_se": 0.8, "high_quality": 0.948,
     "high_quality_se": 0.007, "checked": PACGAN_TABLE},
    {"source": "PacGAN (Lin et al. 2018, Table 1)", "runs": 10, "dataset": "ring",
     "method": "PacGAN4", "modes": 7.8, "modes_se": 0.1, "high_quality": 0.959,
     "high_quality_se": 0.014, "checked": PACGAN_TABLE},
    {"source": "PacGAN (Lin et al. 2018, Table 1)", "runs": 10, "dataset": "grid",
     "method": "PacGAN4", "modes": 24.8, "modes_se": 0.2, "high_quality": 0.936,
     "high_quality_se": 0.006, "checked": PACGAN_TABLE},
]

BATCH = 64            # m: real points per D update (toy.train_toy)
N_TRAIN = 100_000     # training points per seed (PacGAN's 100,000)
N_SAMPLES = 2_500     # points counted per run (VEEGAN's and PacGAN's 2,500)
# Compile settings of every variant: XLA and 25 steps per call halve the CPU time per step of
# these small networks on TensorFlow (the results do not depend on them beyond rounding).
COMPILE = {"jit_compile": True, "steps_per_execution": 25}

def settings(profile: str) -> dict:
    """The grid of ``profile`` (``profiles.get_config("gan_remedies", profile)``) as the keyword
    arguments of :func:`run_grid` and :func:`plan_runs`: seeds, steps, datasets and the variants
    of each dataset (every one where the profile says None)."""
    config = get_config("gan_remedies", profile)
    return {"seeds": config.seeds, "steps": config.steps, "datasets": config.datasets,
            "variants": {d: tuple(VARIANTS) if names is None else names
                         for d, names in config.variants}}


# --- one run ----------------------------------------------------------------------------------
def build(variant: str | Variant, *, seed: int = 0, steps: int = 1000,
          compile_options=None) -> GAN:
    """The compiled GAN of ``variant`` (a name of :data:`VARIANTS`) for a run of ``steps``
    steps."""
    spec = _variant(variant)
    head = []
    if spec.noise:
        # D is called once per D update and once per G update: k + 1 calls per step.
        head.append(InstanceNoise(spec.noise, anneal_calls=steps * (spec.critic_steps + 1),
                                  seed=seed, name="instance_noise"))
    if spec.pac > 1:
        head.append(Pack(spec.pac, name="pack"))
    return toy.mlp_gan(seed=seed, d_head=head, gan_class=RemedyGAN,
                       gan_options=spec.gan_options,
                       **{**COMPILE, **(compile_options or {}), **spec.options})


def count(samples, dataset: str) -> dict:
    """:func:`mixtures.mode_stats` of ``samples`` on ``dataset`` (VEEGAN's protocol), JSON-ready:
    ``kl`` is None when no sample is of high quality; a diverged generator (NaN samples)
    counts as no mode, no high-quality sample."""
    data = _dataset(dataset)
    centers = data["centers"]()
    samples = np.asarray(samples, dtype="float32")
    if not np.isfinite(samples).all():
        return {"high_quality": 0.0, "modes_captured": 0, "per_mode": [0] * len(centers),
                "kl": None, "diverged": True}
    stats = mixtures.mode_stats(samples, centers, data["std"])
    return {**stats, "kl": None if math.isnan(stats["kl"]) else stats["kl"], "diverged": False}


def run_dir(out_dir, dataset: str, variant: str, seed: int) -> Path:
    return Path(out_dir) / dataset / variant / f"seed{seed}"


def run_one(variant: str, dataset: str, seed: int, steps: int, out_dir, *, batch: int = BATCH,
            n_train: int = N_TRAIN, n_samples: int = N_SAMPLES, profile: str = "custom",
            provenance: dict | None = None, compile_options: dict | None = None) -> dict:
    """Train ``variant`` on ``dataset`` with ``seed`` for ``steps`` generator steps; write
    ``out_dir/<dataset>/<variant>/seed<seed>/samples.npy`` (the ``n_samples`` points counted) and
    then ``card.json`` (atomically; the card marks the run as done). A run whose card exists is
    not run again: its card is returned. ``compile_options`` override :data:`COMPILE` (tests
    skip XLA's compilation, which costs more than a few steps)."""
    spec, data = _variant(variant), _dataset(dataset)
    non_negative_ints("seeds", [seed])
    for name, value in (("steps", steps), ("batch", batch), ("n_train", n_train),
                        ("n_samples", n_samples)):
        positive_int(name, value)
    if batch % spec.pac:
        raise ValueError(f"batch ({batch}) must be a multiple of pac ({spec.pac}).")
    folder = run_dir(out_dir, dataset, spec.name, seed)
    if (folder / "card.json").exists():
        return runcards.read_card(folder / "card.json", kind="toy_gan")
    provenance = provenance or environment.provenance()
    x, _ = data["sampler"](n_train, seed=seed)
    compile_options = {**COMPILE, **(compile_options or {})}
    gan = build(spec, seed=seed, steps=steps, compile_options=compile_options)
    cpu = time.process_time()
    result = toy.train_toy(gan, x, steps=steps, batch=batch, seed=seed)
    cpu = time.process_time() - cpu
    samples = gan.generate(n_samples, seed=seed)
    buffer = io.BytesIO()
    np.save(buffer, samples.astype("float32"))
    artifacts.atomic_write_bytes(folder / "samples.npy", buffer.getvalue())
    history = result["history"]
    # "row": the key the committed cards (results/toy/remedies) have for the variant's spec.
    config = {"row": spec.as_dict(), "dataset": dataset, **data["params"], "batch": batch,
              "n_train": n_train, "n_samples": n_samples, "steps": steps,
              "latent_dim": gan.latent_dim,
              "d_hidden": _widths(gan.discriminator), "g_hidden": _widths(gan.generator),
              "d_learning_rate": float(gan.d_optimizer.learning_rate),
              "g_learning_rate": float(gan.g_optimizer.learning_rate),
              "beta_1": float(getattr(gan.d_optimizer, "beta_1", float("nan"))),
              "beta_2": float(getattr(gan.d_optimizer, "beta_2", float("nan"))),
              **compile_options}
    card = runcards.new_card(
        "toy_gan", provenance=provenance, profile=profile, seed=seed, config=config,
        variant=spec.name, dataset=dataset, loss=spec.loss, critic_steps=spec.critic_steps,
        steps=steps, batch=batch, metrics={**count(samples, dataset), "n_samples": n_samples},
        seconds=round(result["seconds"], 2), cpu_seconds=round(cpu, 2),
        final={k: v[-1] for k, v in history.items() if k != "step"},
        history=history)
    runcards.write_card(folder / "card.json", card)
    return card


def run_grid(out_dir, *, seeds, steps: int, datasets=("ring", "grid"), variants=None,
             on_done=None, profile: str = "custom") -> list[dict]:
    """Every (seed, dataset, variant) run, seed by seed so that an interrupted grid leaves the same
    seeds for every variant; finished runs are skipped. ``variants``: names for every dataset, or a
    dict dataset → names (default: every variant). ``on_done(card, skipped)`` after each run."""
    plan = plan_runs(seeds=seeds, datasets=datasets, variants=variants)
    positive_int("steps", steps)
    provenance = environment.provenance()
    cards = []
    for seed, dataset, variant in plan:
        skipped = (run_dir(out_dir, dataset, variant, seed) / "card.json").exists()
        card = run_one(variant, dataset, seed, steps, out_dir, profile=profile,
                       provenance=provenance)
        if card["steps"] != steps:
            raise ValueError(f"{run_dir(out_dir, dataset, variant, seed)} holds a run of "
                             f"{card['steps']} steps, not {steps}: use another --out.")
        cards.append(card)
        if on_done is not None:
            on_done(card, skipped)
    return cards


def plan_runs(*, seeds, datasets=("ring", "grid"), variants=None) -> list[tuple[int, str, str]]:
    """The (seed, dataset, variant) triples of a grid, in the order :func:`run_grid` runs them."""
    seeds = non_negative_ints("seeds", seeds)
    datasets = list(datasets)
    for d in datasets:
        _dataset(d)
    if variants is None:
        variants = {d: list(VARIANTS) for d in datasets}
    elif not isinstance(variants, dict):
        variants = {d: list(variants) for d in datasets}
    for d in datasets:
        if d not in variants:
            raise ValueError(f"no variants given for dataset {d!r}.")
        for r in variants[d]:
            _variant(r)
    return [(s, d, r) for s in seeds for d in datasets for r in variants[d]]


# --- reading the results ----------------------------------------------------------------------
def default_dir() -> Path:
    return runcards.results_dir() / "toy" / "remedies"


def load_cards(out_dir=None) -> list[dict]:
    out_dir = Path(out_dir) if out_dir is not None else default_dir()
    return [runcards.read_card(p, kind="toy_gan")
            for p in sorted(out_dir.glob("*/*/seed*/card.json"))]


def load_runs(out_dir=None) -> pd.DataFrame:
    """One line per run: dataset, variant, seed, steps, modes, high_quality, kl, seconds,
    cpu_seconds, hardware."""
    lines = [{"dataset": c["dataset"], "variant": c["variant"], "seed": c["seed"],
              "steps": c["steps"], "modes": c["metrics"]["modes_captured"],
              "high_quality": c["metrics"]["high_quality"],
              "kl": np.nan if c["metrics"]["kl"] is None else c["metrics"]["kl"],
              "seconds": c["seconds"], "cpu_seconds": c.get("cpu_seconds", np.nan),
              "hardware": c["hardware"]} for c in load_cards(out_dir)]
    columns = ["dataset", "variant", "seed", "steps", "modes", "high_quality", "kl", "seconds",
               "cpu_seconds", "hardware"]
    return _ordered(pd.DataFrame(lines, columns=columns), extra=["seed"])


def load_table(out_dir=None) -> pd.DataFrame:
    """One line per (dataset, variant), in :data:`VARIANTS` order: the number of seeds, modes
    captured and high-quality share (mean, sample sd and standard error over the seeds), mean
    KL of the mode histogram (over the runs with high-quality samples), mean wall and CPU
    seconds per run, generator steps and hardware."""
    runs = load_runs(out_dir)
    lines = []
    for (dataset, variant), g in runs.groupby(["dataset", "variant"], sort=False):
        n = len(g)
        lines.append({
            "dataset": dataset, "variant": variant,
            "label_es": VARIANTS[variant].label_es if variant in VARIANTS else variant,
            "n_seeds": n, "steps": int(g["steps"].iloc[0]) if g["steps"].nunique() == 1
            else -1,
            "modes_mean": g["modes"].mean(), "modes_sd": _sd(g["modes"]),
            "modes_se": _sd(g["modes"]) / math.sqrt(n),
            "hq_mean": g["high_quality"].mean(), "hq_sd": _sd(g["high_quality"]),
            "hq_se": _sd(g["high_quality"]) / math.sqrt(n),
            "kl_mean": g["kl"].mean(), "seconds_mean": g["seconds"].mean(),
            "cpu_seconds_mean": g["cpu_seconds"].mean(),
            "hardware": "; ".join(sorted(set(g["hardware"])))})
    columns = ["dataset", "variant", "label_es", "n_seeds", "steps", "modes_mean", "modes_sd",
               "modes_se", "hq_mean", "hq_sd", "hq_se", "kl_mean", "seconds_mean",
               "cpu_seconds_mean", "hardware"]
    return _ordered(pd.DataFrame(lines, columns=columns))


def recount(out_dir=None) -> pd.DataFrame:
    """The metrics recomputed from each run's ``samples.npy`` beside the card's: one line per
    run with ``modes``, ``high_quality``, ``kl``, ``per_mode`` (recounted) and ``card_modes``,
    ``card_high_quality``, ``card_kl``, ``card_per_mode``, and ``same`` (all equal)."""
    out_dir = Path(out_dir) if out_dir is not None else default_dir()
    lines = []
    for card in load_cards(out_dir):
        folder = run_dir(out_dir, card["dataset"], card["variant"], card["seed"])
        stats = count(np.load(folder / "samples.npy"), card["dataset"])
        m = card["metrics"]
        same = (stats["modes_captured"] == m["modes_captured"]
                and stats["high_quality"] == m["high_quality"]
                and stats["per_mode"] == m["per_mode"]
                and (stats["kl"] == m["kl"] or (stats["kl"] is None and m["kl"] is None)))
        lines.append({"dataset": card["dataset"], "variant": card["variant"],
                      "seed": card["seed"], "modes": stats["modes_captured"],
                      "high_quality": stats["high_quality"], "kl": stats["kl"],
                      "per_mode": stats["per_mode"], "card_modes": m["modes_captured"],
                      "card_high_quality": m["high_quality"], "card_kl": m["kl"],
                      "card_per_mode": m["per_mode"], "same": same})
    columns = ["dataset", "variant", "seed", "modes", "high_quality", "kl", "per_mode",
               "card_modes", "card_high_quality", "card_kl", "card_per_mode", "same"]
    return _ordered(pd.DataFrame(lines, columns=columns), extra=["seed"])


def published_table() -> pd.DataFrame:
    return pd.DataFrame(PUBLISHED)


# --- helpers ----------------------------------------------------------------------------------
def _variant(variant) -> Variant:
    if isinstance(variant, Variant):
        return variant
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; valid: {', '.join(VARIANTS)}.")
    return VARIANTS[variant]


def _dataset(name: str) -> dict:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; valid: {', '.join(DATASETS)}.")
    return DATASETS[name]


def _widths(model) -> list[int]:
    return [layer.units for layer in model.layers if isinstance(layer, layers.Dense)][:-1]


def _sd(values) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")


def _ordered(frame: pd.DataFrame, extra=()) -> pd.DataFrame:
    if frame.empty:
        return frame
    data_rank = {d: i for i, d in enumerate(DATASETS)}
    rank = {r: i for i, r in enumerate(VARIANTS)}
    keys = frame.assign(_d=frame["dataset"].map(data_rank).fillna(len(DATASETS)),
                        _r=frame["variant"].map(rank).fillna(len(VARIANTS)))
    keys = keys.sort_values(["_d", "_r", *extra], kind="stable")
    return keys.drop(columns=["_d", "_r"]).reset_index(drop=True)


# --- command line -----------------------------------------------------------------------------
def parser() -> cli.Parser:
    p = cli.Parser(prog="python -m thesis_lib.studies.toy.remedies",
                   description="The remedies for mode collapse of thesis §3.2 on the ring and "
                               "grid of Gaussians: a resumable grid of runs with cards.")
    p.add_argument("--out", type=Path, default=None,
                   help="results folder (default: results/toy/remedies)")
    p.add_argument("--profile", choices=PROFILES, default="quick")
    p.add_argument("--seeds", type=int, nargs="+", default=None, help="override the profile's")
    p.add_argument("--steps", type=int, default=None, help="generator steps per run")
    p.add_argument("--datasets", nargs="+", default=None, help=f"of {', '.join(DATASETS)}")
    p.add_argument("--variants", "--rows", nargs="+", default=None,
                   help=f"of {', '.join(VARIANTS)} (--rows: the old name)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    return p


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    grid = settings(args.profile)
    seeds = args.seeds if args.seeds is not None else grid["seeds"]
    steps = args.steps if args.steps is not None else grid["steps"]
    datasets = args.datasets or grid["datasets"]
    variants = args.variants if args.variants is not None else grid["variants"]
    out = args.out or default_dir()
    def check():
        positive_int("steps", steps)
        return plan_runs(seeds=seeds, datasets=datasets, variants=variants)

    plan = cli.run_checked(p, check)
    if args.dry_run:
        for seed, dataset, variant in plan:
            print(f"{dataset} {variant} seed {seed}: {steps} steps")
        return 0
    print(f"{len(plan)} runs of {steps} generator steps into {out}", flush=True)
    done = {"n": 0}

    def report(card, skipped):
        done["n"] += 1
        m = card["metrics"]
        what = "skipped (done)" if skipped else f"{card['seconds']:.0f} s"
        print(f"[{done['n']}/{len(plan)}] {card['dataset']} {card['variant']} seed "
              f"{card['seed']}: {m['modes_captured']} modes, high quality "
              f"{m['high_quality']:.3f}, {what}", flush=True)

    run_grid(out, seeds=seeds, steps=steps, datasets=datasets, variants=variants,
             on_done=report, profile=args.profile)
    table = load_table(out)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.drop(columns=["label_es", "hardware"]).round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

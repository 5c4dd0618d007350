"""Run profiles: typed hyperparameters for each (experiment, profile) pair.

``quick`` runs in minutes on a 2-core CPU (CI and the book build); ``full`` is the thesis's own
setting, meant for a GPU. A chapter's papermill ``parameters`` cell holds ``profile`` and an
``overrides`` dict, and calls :func:`get_config`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from thesis_lib.gan.families import NAMES
from thesis_lib.validation import (
    choice,
    non_negative_ints,
    positive_float,
    positive_int,
    positive_ints,
)

PROFILES = ("quick", "full")
MNIST_TRAIN_SIZE = 60_000
MNIST_TEST_SIZE = 10_000


def _subset(name: str, value, limit: int) -> None:
    positive_int(name, value, allow_none=True)
    if value is not None and value > limit:
        raise ValueError(f"{name}={value} is larger than the data ({limit} images); "
                         f"use a value between 1 and {limit}, or None for all of it.")


# Choices of a GAN run: the loss families of the registry (thesis_lib.gan.families), the
# precisions that thesis_lib.gan.model.precision applies.
GAN_LOSSES = NAMES
OPTIMIZERS = ("adam", "rmsprop")
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


@dataclass(frozen=True)
class PerceptronConfig:
    """Thesis §2.1: the AND example (η = 0.3, b = w₁ = w₂ = 1) and the XOR counter-example."""

    learning_rate: float = 0.3
    initial_bias: float = 1.0
    initial_weights: tuple[float, float] = (1.0, 1.0)
    max_epochs: int = 100

    def __post_init__(self):
        positive_float("learning_rate", self.learning_rate)
        positive_int("max_epochs", self.max_epochs)
        if len(self.initial_weights) != 2:
            raise ValueError("initial_weights must hold two numbers (w1, w2), "
                             f"got {self.initial_weights!r}.")


@dataclass(frozen=True)
class ClassifierConfig:
    """Thesis §4.1: MNIST classifiers trained with Adam on (a subset of) the data."""

    epochs: int
    batch_size: int
    train_subset: int | None = None  # None: all 60,000 training images
    test_subset: int | None = None   # None: all 10,000 test images
    seed: int = 0

    def __post_init__(self):
        positive_int("epochs", self.epochs)
        positive_int("batch_size", self.batch_size)
        _subset("train_subset", self.train_subset, MNIST_TRAIN_SIZE)
        _subset("test_subset", self.test_subset, MNIST_TEST_SIZE)


@dataclass(frozen=True)
class GANConfig:
    """Thesis §4.2: the DCGAN (Brownlee's recipe: batch 256 = 128 real + 128 generated)."""

    epochs: int
    batch_size: int = 256
    latent_dim: int = 100
    train_subset: int | None = None
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    monitor_every: int = 10
    seed: int = 0
    beta_2: float = 0.999
    optimizer: str = "adam"
    loss: str = "non_saturating"
    critic_steps: int = 1
    clip: float | None = None       # only for wasserstein_clip (its default: 0.01)
    gp_weight: float | None = None  # only for wasserstein_gp (its default: 10)
    conditional: bool = False
    precision: str = "float32"
    # Generated (and real training) images behind a run's final metrics; every committed full
    # run uses 10,000. Fewer make a smoke test cheaper: on a CPU, generating and scoring 10,000
    # images costs more than the quick profile's training.
    metric_samples: int = 10_000
    # Every how many epochs the metrics are computed on 2,000 samples (None: as monitor_every);
    # the CPU campaign (thesis_lib.studies.campaign) scores every epoch and draws grids every tenth.
    metrics_every: int | None = None
    # None: an epoch is one pass over the data (Brownlee's 234 steps for MNIST at batch 256);
    # a number: an "epoch" is that many generator steps of the same data stream, so that runs
    # with different k can be checkpointed and scored at equal generator steps (thesis §3.3).
    steps_per_epoch: int | None = None

    def __post_init__(self):
        positive_int("epochs", self.epochs)
        positive_int("metrics_every", self.metrics_every, allow_none=True)
        positive_int("steps_per_epoch", self.steps_per_epoch, allow_none=True)
        positive_int("batch_size", self.batch_size)
        choice("loss", self.loss, GAN_LOSSES)
        choice("optimizer", self.optimizer, OPTIMIZERS)
        choice("precision", self.precision, PRECISIONS)
        positive_int("critic_steps", self.critic_steps)
        if self.clip is not None:
            positive_float("clip", self.clip)
            if self.loss != "wasserstein_clip":
                raise ValueError(f"clip applies to loss wasserstein_clip only, not {self.loss!r}.")
        if self.gp_weight is not None:
            if isinstance(self.gp_weight, bool) or not isinstance(self.gp_weight, (int, float)) \
                    or self.gp_weight < 0:
                raise ValueError(f"gp_weight must be a number >= 0, got {self.gp_weight!r}.")
            if self.loss != "wasserstein_gp":
                raise ValueError(f"gp_weight applies to loss wasserstein_gp only, not "
                                 f"{self.loss!r}.")
        if not isinstance(self.conditional, bool):
            raise ValueError(f"conditional must be True or False, got {self.conditional!r}.")
        if self.batch_size % 2:
            raise ValueError(f"batch_size must be even (half real, half generated), got "
                             f"{self.batch_size}.")
        positive_int("latent_dim", self.latent_dim)
        _subset("train_subset", self.train_subset, MNIST_TRAIN_SIZE)
        # One training step takes k half batches of real images from each half of a pass
        # (gan.training.EpochShuffled): fewer images than that cannot make a single step.
        per_step = self.batch_size * self.critic_steps
        if self.train_subset is not None and self.train_subset < per_step:
            raise ValueError(f"train_subset {self.train_subset} is too small for one step of "
                             f"{per_step} images (batch {self.batch_size} × "
                             f"{self.critic_steps} critic steps); use at least {per_step} or a "
                             f"smaller batch_size.")
        positive_float("learning_rate", self.learning_rate)
        positive_int("monitor_every", self.monitor_every)
        positive_int("metric_samples", self.metric_samples)
        if self.metric_samples < 100:
            raise ValueError(f"metric_samples must be at least 100 (the MNIST score splits them "
                             f"in 10), got {self.metric_samples}.")


@dataclass(frozen=True)
class FeedforwardConfig:
    """Thesis §2.2: XOR trained from many seeds, and universal approximation against width."""

    xor_seeds: int = 100
    xor_epochs: int = 3000
    xor_learning_rate: float = 0.01
    ua_widths: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64)
    ua_steps: int = 5000
    ua_learning_rate: float = 0.02
    seed: int = 0

    def __post_init__(self):
        positive_int("xor_seeds", self.xor_seeds)
        positive_int("xor_epochs", self.xor_epochs)
        positive_int("ua_steps", self.ua_steps)
        positive_float("xor_learning_rate", self.xor_learning_rate)
        positive_float("ua_learning_rate", self.ua_learning_rate)
        positive_ints("ua_widths", self.ua_widths)


@dataclass(frozen=True)
class GanTheoryConfig:
    """Thesis §3.1–3.2 on 1-D and 2-D toys (chapters 3.1 and 3.2): how long each experiment
    trains and over how many seeds. The remedies table of §3.2 has its own settings
    (``thesis_lib.studies.toy.remedies``)."""

    seeds: int = 1                 # seeds of the vanishing-gradient measurements
    dstar_seeds: int = 3           # seeds of the optimal-D check (>= 3: its sentence is about seeds)
    alg1_steps: int = 3000         # generator steps of Algorithm 1 on the 1-D mixture
    dstar_steps: int = 2500        # discriminator steps against a fixed generator
    dstar_batch: int = 512         # real (and as many generated) samples per D step
    vanishing_d_steps: tuple[int, ...] = (0, 10, 30, 100, 300, 1000)
    vanishing_g_steps: tuple[int, ...] = (0,)  # GAN steps before G is frozen
    collapse_steps: int = 2000     # standard GAN on the ring and the grid (snapshot figures)
    seed: int = 0

    def __post_init__(self):
        for name in ("seeds", "dstar_seeds", "alg1_steps", "dstar_steps", "dstar_batch",
                     "collapse_steps"):
            positive_int(name, getattr(self, name))
        for name in ("vanishing_d_steps", "vanishing_g_steps"):
            non_negative_ints(name, getattr(self, name), "step counts >= 0")


@dataclass(frozen=True)
class GanVariantsConfig:
    """Thesis §3.3 (chapter 3.3): the 2-D critic study's training and how many samples the
    chapter draws from the committed MNIST runs for each measurement."""

    critic_2d_steps: int = 300     # generator steps of each 2-D WGAN (k = 5 critic steps each)
    walk_samples: int = 10         # latent points per pair of digits in the classifier walks
    attribute_samples: int = 400   # samples for the attribute regressions and swings
    code_samples: int = 400        # samples for the InfoGAN code swings
    seed: int = 0

    def __post_init__(self):
        for name in ("critic_2d_steps", "walk_samples", "attribute_samples", "code_samples"):
            positive_int(name, getattr(self, name))


@dataclass(frozen=True)
class GanMetricsConfig:
    """The section «Cómo se mide una GAN» (beside thesis §3.3): the scores of the committed runs
    are read from their ``scores.json``; the page itself draws only these samples."""

    synthetic_samples: int = 1000   # points of each 2-D synthetic generator (and of the ring)
    confident_samples: int = 2000   # images drawn from a run to find the evaluator's surest ones
    seed: int = 0

    def __post_init__(self):
        for name in ("synthetic_samples", "confident_samples"):
            positive_int(name, getattr(self, name))


@dataclass(frozen=True)
class TrainingConfig:
    """Thesis §2.3: empirical risk minimisation of the 2-2-1 ReLU network on a noisy XOR
    sample, by plain gradient descent (``thesis_lib.nn.erm``). ``seed`` draws the sample and,
    on streams of their own, the initial weights of each of the ``restarts`` trainings."""

    n_train: int = 20                # training points
    n_heldout: int = 2_000           # held-out points (never used to fit)
    noise: float = 0.2               # standard deviation around each corner
    learning_rate: float = 1.0
    iterations: int = 3_000          # gradient-descent steps
    restarts: int = 10               # trainings from different initial weights
    seed: int = 0

    def __post_init__(self):
        for name in ("n_train", "n_heldout", "iterations", "restarts"):
            positive_int(name, getattr(self, name))
        positive_float("noise", self.noise)
        positive_float("learning_rate", self.learning_rate)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}.")


@dataclass(frozen=True)
class RemediesConfig:
    """Thesis §3.2's remedies for mode collapse, tested on the 2-D mixtures (chapter 3.2; the
    experiment is ``thesis_lib.studies.toy.remedies``): the seeds, the generator steps of every
    run, the mixtures, and which variants run on each (None: all of them)."""

    seeds: tuple[int, ...] = (0,)
    steps: int = 200
    datasets: tuple[str, ...] = ("ring",)
    # (mixture, variant names or None for every variant) for each mixture in ``datasets``.
    variants: tuple = (("ring", ("standard", "mode_seeking", "pacgan4")),)

    def __post_init__(self):
        non_negative_ints("seeds", self.seeds, "seed numbers >= 0")
        positive_int("steps", self.steps)
        if not self.datasets or [d for d, _ in self.variants] != list(self.datasets):
            raise ValueError(f"variants must name the variants of each dataset in order "
                             f"{self.datasets!r}, got {self.variants!r}.")


@dataclass(frozen=True)
class ScarceDataConfig:
    """Thesis §5 (its closing claim): the §4.1 CNN trained on N labelled MNIST images alone,
    with classic augmentation, with samples of a conditional GAN trained on the same N images,
    or with both (``thesis_lib.studies.scarce``).

    ``design`` 2, equal real data: every variant's batch holds the same ``classifier_batch``
    real images, and the GAN variants add ``synthetic_per_batch`` generated ones on top (design
    1, retired, replaced half of each batch). The GAN trains in epochs of ``gan_epoch_steps``
    generator steps; after each, the evaluator reads fixed samples; training stops once the
    share read as the requested digit has not risen by more than ``gan_min_delta`` above its
    best for ``gan_patience`` epochs, or after ``gan_max_epochs`` epochs (the cap), and the
    best epoch's generator is the one used."""

    design: int = 2                   # the experiment's design version (cards record it)
    sizes: tuple[int, ...] = (100,)   # labelled training images N (class-balanced)
    seeds: int = 1                    # seeds per N: subset, GAN and classifier all follow it
    gan_epoch_steps: int = 10         # generator steps per GAN epoch (about; whole copies of N)
    gan_max_epochs: int = 3           # the cap on GAN epochs
    gan_patience: int = 2             # epochs without improvement before the GAN stops
    gan_min_delta: float = 0.01       # a rise in agreement that counts as an improvement
    gan_batch: int = 64               # half real, half generated
    gan_precision: str = "float32"   # mixed bfloat16 measured 2.3 times slower here
    classifier_steps: int = 20        # CNN updates in every variant (the same budget for all)
    classifier_batch: int = 64        # real images in every batch of every variant
    synthetic_per_batch: int = 64     # GAN samples added to each batch (variants gan, both)
    synthetic_pool: int = 200         # GAN samples drawn once, class-balanced, per GAN
    shift_pixels: float = 2.0         # classic augmentation: random shifts up to this
    rotation_degrees: float = 10.0    # ... and random rotations up to this
    test_subset: int | None = 1_000   # None: all 10,000 test images
    agreement_samples: int = 500      # GAN samples the evaluator reads each GAN epoch

    def __post_init__(self):
        if self.design != 2:
            raise ValueError(f"design must be 2 (equal real images in every variant); design 1 "
                             f"(half of each batch generated) is retired, got {self.design!r}.")
        if not self.sizes or any(isinstance(n, bool) or not isinstance(n, int) or n <= 0
                                 or n % 10 for n in self.sizes):
            raise ValueError(f"sizes must be positive multiples of 10 (class-balanced), got "
                             f"{self.sizes!r}.")
        for name in ("seeds", "gan_epoch_steps", "gan_max_epochs", "gan_patience", "gan_batch",
                     "classifier_steps", "classifier_batch", "synthetic_per_batch",
                     "synthetic_pool", "agreement_samples"):
            positive_int(name, getattr(self, name))
        choice("gan_precision", self.gan_precision, PRECISIONS)
        if isinstance(self.gan_min_delta, bool) or \
                not isinstance(self.gan_min_delta, (int, float)) or \
                not 0 <= self.gan_min_delta < 1:
            raise ValueError(f"gan_min_delta must be a share between 0 and 1, got "
                             f"{self.gan_min_delta!r}.")
        if self.gan_batch % 2:
            raise ValueError(f"gan_batch must be even (half real, half generated), got "
                             f"{self.gan_batch}.")
        for name in ("shift_pixels", "rotation_degrees"):
            positive_float(name, getattr(self, name))
        _subset("test_subset", self.test_subset, MNIST_TEST_SIZE)

# (experiment, profile) -> config. Full = the thesis / the authors' notebook
# (../shared/thesis/original-code-facts.md); quick = minutes on a 2-core CPU.
_REGISTRY = {
    "perceptron": {
        "quick": PerceptronConfig(),
        "full": PerceptronConfig(max_epochs=1000),
    },
    # The thesis runs no experiment in §2.3: full = more restarts and longer training.
    "training": {
        "quick": TrainingConfig(),
        "full": TrainingConfig(iterations=10_000, restarts=100),
    },
    "feedforward": {
        "quick": FeedforwardConfig(),
        "full": FeedforwardConfig(xor_seeds=1000, xor_epochs=10_000, ua_steps=30_000),
    },
    "regularization": {
        "quick": ClassifierConfig(epochs=40, batch_size=128, train_subset=2_000,
                                  test_subset=2_000),
        "full": ClassifierConfig(epochs=100, batch_size=128, train_subset=10_000),
    },
    "dense_classifier": {
        # The dense model trains in seconds on a CPU: both profiles are the thesis's setting.
        "quick": ClassifierConfig(epochs=10, batch_size=512),
        "full": ClassifierConfig(epochs=10, batch_size=512),
    },
    "cnn_classifier": {
        "quick": ClassifierConfig(epochs=2, batch_size=128, train_subset=3_000,
                                  test_subset=2_000),
        "full": ClassifierConfig(epochs=15, batch_size=128),
    },
    "dcgan": {
        "quick": GANConfig(epochs=2, train_subset=512, monitor_every=2, metric_samples=500),
        "full": GANConfig(epochs=100),
    },
    # The thesis runs no experiment in §3.1–3.2: full = more seeds and longer training.
    "gan_theory": {
        "quick": GanTheoryConfig(),
        "full": GanTheoryConfig(seeds=5, dstar_seeds=5, alg1_steps=6000, dstar_steps=4000, dstar_batch=1024,
                                vanishing_d_steps=(0, 10, 30, 100, 300, 1000, 3000, 10000),
                                vanishing_g_steps=(0, 500, 2000), collapse_steps=5000),
    },
    # The thesis runs no experiment in §3.3: full = the numbers the issue asks for.
    # The thesis runs no such experiment: full = what issue 14 asks (3 sizes × 3 seeds × 4 arms),
    # sized for about an hour of a 2-core CPU; quick = a smoke test of the pipeline.
    "scarce_data": {
        "quick": ScarceDataConfig(),
        # The GAN's stopping rule (issue 29): epochs of about 100 generator steps, 8 epochs
        # (800 steps) of patience for a rise of one point of agreement, at most 50 epochs
        # (5,000 steps, chapter 3.3's budget per family; 5 times the first design's 1,000).
        "full": ScarceDataConfig(sizes=(100, 300, 1000), seeds=3, gan_epoch_steps=100,
                                 gan_max_epochs=50, gan_patience=8, gan_min_delta=0.01,
                                 classifier_steps=300, synthetic_pool=10_000, test_subset=None,
                                 agreement_samples=2_000),
    },
    # The budget: 3,000 generator steps for every variant, the budget in which WGAN-GP covers the
    # ring with the toy defaults (tests/test_gan_toy.py) and in which the standard GAN's share
    # of high-quality ring samples has stopped rising (it oscillates between about 0.25 and 0.75
    # from 2,000 steps to 10,000). Every variant runs on the ring; the grid, where the published
    # numbers differ most, runs the standard GAN and the two references (the whole grid is
    # about an hour of CPU time on one core; the three grid variants a fifth of it).
    "gan_remedies": {
        "quick": RemediesConfig(),
        "full": RemediesConfig(seeds=(0, 1, 2, 3, 4), steps=3000, datasets=("ring", "grid"),
                               variants=(("ring", None),
                                         ("grid", ("standard", "wgan_gp", "pacgan4")))),
    },
    "gan_metrics": {
        "quick": GanMetricsConfig(),
        "full": GanMetricsConfig(synthetic_samples=2000, confident_samples=10_000),
    },
    "gan_variants": {
        "quick": GanVariantsConfig(),
        "full": GanVariantsConfig(critic_2d_steps=3000, walk_samples=100,
                                  attribute_samples=10_000, code_samples=10_000),
    },
}

EXPERIMENTS = tuple(_REGISTRY)


def get_config(experiment: str, profile: str = "quick", **overrides):
    """Typed hyperparameters of ``experiment`` in ``profile``, with ``overrides`` applied.

    Raises ValueError naming the valid choices for an unknown experiment, profile or
    override, and for invalid values (epochs <= 0, batch size 0, a subset larger than the data).
    """
    if experiment not in _REGISTRY:
        raise ValueError(f"unknown experiment {experiment!r}; valid experiments: "
                         f"{', '.join(EXPERIMENTS)}.")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)} "
                         f"(quick: minutes on a 2-core CPU; full: the thesis's settings).")
    base = _REGISTRY[experiment][profile]
    names = [f.name for f in dataclasses.fields(base)]
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        raise ValueError(f"unknown override(s) {', '.join(unknown)} for experiment "
                         f"{experiment!r}; valid overrides: {', '.join(names)}.")
    for key in ("initial_weights", "ua_widths", "sizes", "vanishing_d_steps", "vanishing_g_steps"):  # papermill/YAML deliver lists
        if key in overrides:
            overrides[key] = tuple(overrides[key])
    return dataclasses.replace(base, **overrides)





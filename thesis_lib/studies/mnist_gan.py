"""GAN runs on MNIST (thesis §4.2 and chapter 3) from the command line, with a run card.

    python -m thesis_lib.studies.mnist_gan --variant baseline --profile full --epochs 10 --seed 0
    python -m thesis_lib.studies.mnist_gan --variant all --profile full --seed 0 1 2   # the §4.2 grid
    python -m thesis_lib.studies.mnist_gan --loss wasserstein_gp --critic-steps 5 --conditional

Writes ``results/dcgan/<variant>-<profile>-e<epochs>[-n<subset>][-b<batch>][-<loss>][-k<k>]
[-cond][-<precision>]-seed<N>/``: ``history.csv``, ``monitor.csv``, ``metrics.csv`` (Fréchet
distance, MNIST score and coverage every ``monitor_every`` epochs, on 2,000 samples), sample
grids, the final generator weights with their SHA-256, and ``card.json`` (final metrics on
``metric_samples`` generated images, 10,000 unless set, against the test set, the real-data
floor and ceiling on as many training images, timing, seed, precision,
hardware, versions, commit). Rerunning the same command after a crash resumes from the last
epoch.
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from thesis_lib import artifacts, cli, data, environment, runcards, streams
from thesis_lib.callbacks import EpochLog, Progress
from thesis_lib.evaluation import class_agreement as cond_metrics
from thesis_lib.evaluation import evaluator, metrics
from thesis_lib.gan.families import family
from thesis_lib.gan.infogan import CATEGORIES, CONTINUOUS, build_infogan, code_accuracy
from thesis_lib.gan.latent import conditional_inputs, unit_images
from thesis_lib.gan.model import build_dcgan
from thesis_lib.gan.training import train_gan
from thesis_lib.profiles import GAN_LOSSES, PRECISIONS, get_config
from thesis_lib.studies.gan_results import generated_images, monitor_inputs

VARIANTS = {
    "baseline": {},
    "tanh": {"output": "tanh"},
    "latent50": {"latent_dim": 50},
    "latent200": {"latent_dim": 200},
    "batchnorm": {"batch_norm": True},
    "upsample": {"upsampling": "upsample"},
}
# Narrower networks for the chapter-3 runs on MNIST, which must fit a 2-core CPU (at most an
# hour each), and for smoke tests. Not part of the §4.2 grid (``VARIANTS``, which
# thesis_lib.studies.batch runs on a GPU).
CPU_VARIANTS = {
    # G's hidden layers at 64 channels instead of 128; D as the thesis's.
    "small": {"g_filters": 64},
    # G at 32 channels (about a sixteenth of its cost per image), D at 32 instead of 64, batch
    # normalization in G's hidden layers (as Radford et al. 2016; D has none, which a gradient
    # penalty forbids). Without it this generator saturates its output in the first epoch
    # (blank images, as the §4.2 ``tanh`` runs) and, under a WGAN critic or a conditional D,
    # never leaves it: the first chapter-3.3 runs, tanh and no normalization, ended so.
    "narrow": {"g_filters": 32, "d_filters": 32, "g_batch_norm": True},
    # For the conditional GAN: ``narrow``'s generator; D at the thesis's 64 channels (D is
    # cheap) with the class entering by projection (Miyato and Koyama 2018) instead of as
    # image planes. With planes and 32 channels, the narrow conditional GAN drew the requested
    # digit only 73 % of the time after 9 epochs.
    "narrow_projection": {"g_filters": 32, "d_filters": 64, "g_batch_norm": True,
                          "d_conditioning": "projection"},
    # InfoGAN (thesis §3.3, the disentangled Z): 62 noise numbers + a 10-way code + 2
    # continuous codes, as in Chen et al. 2016 for MNIST; D's body shared with the Q head.
    # Both networks at 32 channels, as ``narrow`` (0.34 s per step at batch 64 on 2 cores).
    "infogan": {"g_filters": 32, "d_filters": 32, "info_noise": 62},
}
# Chapter 3.3's families at the thesis's widths (G 128 channels, D 64), for a GPU
# (thesis_lib.studies.batch): G with batch normalization, as ``narrow`` and for the same reason; the
# conditional one with the class entering D by projection, as ``narrow_projection``.
GPU_VARIANTS = {"gbatchnorm": {"g_batch_norm": True},
                "gbatchnorm_projection": {"g_batch_norm": True, "d_conditioning": "projection"},
                "infogan_wide": {"info_noise": 62}}
# §4.2's tanh output paired with the thesis's batch normalization (G's and D's hidden layers), as
# Radford et al. (2016) use them together: tanh alone drives G's output units into saturation
# within the first ~50 steps and they never come back (thesis_lib.studies.saturation); with the
# normalization they stay near zero. Run beside the grid by the CPU campaign.
PAIRED_VARIANTS = {"tanh_batchnorm": {"output": "tanh", "batch_norm": True}}
ALL_VARIANTS = {**VARIANTS, **PAIRED_VARIANTS, **CPU_VARIANTS, **GPU_VARIANTS}


def prepare_images(config, output: str, mnist=None, with_labels: bool = False):
    """Training images scaled for the generator's output: [0, 1] (sigmoid) or [−1, 1] (tanh);
    with ``with_labels``, also their digits."""
    (x_train, y_train), _ = mnist or data.load_mnist()
    if config.train_subset:
        x_train, y_train = data.stratified_subset(x_train, y_train, config.train_subset,
                                                  config.seed)
    scale = data.scale_pm1 if output == "tanh" else data.scale_01
    images = data.add_channel(scale(x_train))
    return (images, np.asarray(y_train)) if with_labels else images


class MetricsMonitor(keras.callbacks.Callback):
    """Every ``every`` epochs: the GAN metrics on ``n`` generated images (``metrics.csv``); for
    an InfoGAN also its code accuracy on them. With ``keep_best``, the generator of the epoch
    with the lowest Fréchet distance so far is kept as ``generator-best-epochNNN.weights.h5``,
    named by ``best.json`` with its distance, across resumed runs (thesis §4.2, "when to stop").
    """

    def __init__(self, evaluator, reference_features, out_dir, every, output, n=2000, seed=0,
                 keep_best: bool = False):
        super().__init__()
        self.evaluator, self.reference = evaluator, reference_features
        self.out_dir = Path(out_dir)
        self.log, self.every, self.output = EpochLog(self.out_dir / "metrics.csv"), every, output
        self.n, self.seed, self.keep_best = n, seed, keep_best

    def _best(self, before_epoch: int):
        """The best epoch before ``before_epoch`` on record (a resumed run's earlier epochs)."""
        path = self.out_dir / "best.json"
        if not path.is_file():
            return None
        best = artifacts.read_json(path)
        return best if best["epoch"] < before_epoch else None

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done != self.params.get("epochs"):
            return
        z, inputs = monitor_inputs(self.model, self.n, self.seed)
        images = unit_images(self.model.generator, inputs, self.output)
        result = metrics.evaluate_images(images, self.evaluator, self.reference)
        row = {k: result[k] for k in ("frechet_distance", "mnist_score", "classes_covered",
                                      "kl_to_uniform")}
        if hasattr(self.model, "noise_dim"):  # an InfoGAN: its categorical code against digits
            noise = self.model.noise_dim
            codes = z[:, noise:noise + CATEGORIES].argmax(axis=1)
            row["code_accuracy"] = code_accuracy(codes, self.evaluator.predict(images))[0]
        self.log.write(done, row)
        if self.keep_best:
            best = self._best(done)
            if best is None or row["frechet_distance"] < best["frechet_distance"]:
                # Named by epoch and pointed to by best.json once complete, so the pointer never
                # names the generator of an epoch that a killed process left half done. Weights,
                # not a .keras archive: that records when it was saved, so equal weights would
                # hash differently and a resumed run could not be checked against a whole one.
                name = f"generator-best-epoch{done:03d}.weights.h5"
                artifacts.atomic_save(self.model.generator.save_weights, self.out_dir / name)
                artifacts.write_json(self.out_dir / "best.json",
                                     {"epoch": done, "generator": name, "samples": self.n,
                                      "frechet_distance": row["frechet_distance"]})
                best = {"generator": name}
            for old in self.out_dir.glob("generator-best-epoch*.weights.h5"):
                if old.name != best["generator"]:
                    old.unlink()


def conditional_card(gan, ev, mnist, seed: int, output: str, per_digit: int = 1000) -> dict:
    """What a conditional run adds to its card (thesis §3.3): the share of ``10 × per_digit``
    samples the evaluator reads as the requested digit, and the Fréchet distance per digit to
    that digit's test images; the same for real training images as the reference."""
    requested = np.repeat(np.arange(10), per_digit)
    z = gan.numpy_latent(len(requested), streams.rng(seed, "metric_latent"))
    images = unit_images(gan.generator, conditional_inputs(z, requested), output)
    _, (x_test, y_test) = mnist
    got = cond_metrics.evaluate(images, requested, ev, ev.features(x_test), y_test)
    real = cond_metrics.real_reference(ev, mnist, per_digit, seed)

    def summary(result):
        return {"agreement": result["share"],
                "agreement_per_digit": [float(v) for v in result["per_digit"]],
                "frechet_per_digit": [float(v) for v in result["frechet_per_digit"]]}

    return {"samples": len(requested), **summary(got), "real": summary(real)}


def infogan_card(gan, ev, seed: int, output: str, n: int = 10_000) -> dict:
    """What an InfoGAN run adds to its card: how well its categorical code matches the
    evaluator's digit on ``n`` samples (codes in equal shares), after the best one-to-one
    matching of codes to digits (no label is used in training)."""
    z = gan.numpy_latent(n, streams.rng(seed, "metric_latent"))
    codes = z[:, -(CATEGORIES + CONTINUOUS):-CONTINUOUS].argmax(axis=1)
    classes = ev.predict(unit_images(gan.generator, z, output))
    accuracy, mapping = code_accuracy(codes, classes)
    return {"samples": n, "code_accuracy": accuracy, "code_to_digit": [int(v) for v in mapping]}


def run_name(variant: str, profile: str, config, overrides: dict) -> str:
    """The run directory's name: what differs from the §4.2 baseline recipe is in it."""
    parts = [variant, profile, f"e{config.epochs}"]
    if config.steps_per_epoch is not None:  # "epochs" of this many generator steps
        parts.append(f"steps{config.steps_per_epoch}")
    if "train_subset" in overrides:
        parts.append(f"n{config.train_subset}")
    if config.batch_size != 256:  # the thesis's batch
        parts.append(f"b{config.batch_size}")
    if config.loss != "non_saturating":
        parts.append(config.loss)
    if config.critic_steps != 1:
        parts.append(f"k{config.critic_steps}")
    if config.conditional:
        parts.append("cond")
    if config.precision != "float32":
        parts.append(config.precision)
    return "-".join(parts + [f"seed{config.seed}"])


def variant_config(variant: str, profile: str, seed: int = 0, **overrides):
    """``(config, options, overrides)`` of ``variant``: its builder options, with a latent size
    it fixes (``latent50``) or implies (an InfoGAN's noise and codes) moved into the config."""
    if variant not in ALL_VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; valid: {', '.join(ALL_VARIANTS)}.")
    options = dict(ALL_VARIANTS[variant])
    if "latent_dim" in options:
        overrides.setdefault("latent_dim", options.pop("latent_dim"))
    if "info_noise" in options:  # the card then names the generator's whole input
        overrides["latent_dim"] = options["info_noise"] + CATEGORIES + CONTINUOUS
    return get_config("dcgan", profile, seed=seed, **overrides), options, overrides


def build_variant(config, options: dict, **kwargs):
    """The compiled GAN of a variant's ``options`` (``variant_config``); ``kwargs`` go to
    ``build_dcgan`` (image shape, number of classes)."""
    if "info_noise" in options:
        return build_infogan(config, noise_dim=options["info_noise"],
                             g_filters=options.get("g_filters", 128),
                             d_filters=options.get("d_filters", 64))
    return build_dcgan(config, **options, **kwargs)


def run(variant: str, profile: str, seed: int = 0, out_root: str | Path = "results/dcgan",
        mnist=None, verbose: int = 1, keep_best: bool = False, jit_compile: bool | None = None,
        progress: bool = False, **overrides) -> dict:
    """Train one variant; write artifacts and the card; return the card (plus ``run_dir``).

    ``keep_best`` keeps the generator of the epoch with the lowest Fréchet distance
    (``generator-best-epochNNN.weights.h5``, named in the card with its SHA-256).
    ``jit_compile`` compiles the training step with XLA (None: Keras' choice); it changes speed
    and rounding, not the recipe, so it is not part of the run's name (the CPU campaign picks
    it per process). ``progress`` writes ``progress.json`` and a line a minute (long runs)."""
    config, options, overrides = variant_config(variant, profile, seed, **overrides)
    provenance = environment.provenance()  # the code that runs is the code loaded now
    out_dir = Path(out_root) / run_name(variant, profile, config, overrides)
    mnist = mnist or data.load_mnist()
    output = options.get("output", "sigmoid")
    images, labels = prepare_images(config, output, mnist, with_labels=True)
    ev = evaluator.load_evaluator()
    n_metrics = config.metric_samples
    refs = metrics.real_data_references(ev, mnist, n=n_metrics)
    gan = build_variant(config, options, image_shape=images.shape[1:],
                        num_classes=ev.num_classes)
    if jit_compile is not None:
        gan.jit_compile = bool(jit_compile)
    monitor = MetricsMonitor(ev, refs["test_features"], out_dir,
                             config.metrics_every or config.monitor_every, output,
                             n=min(2000, n_metrics), seed=seed, keep_best=keep_best)
    start = time.perf_counter()
    extra = [monitor] + ([Progress(out_dir / "progress.json")] if progress else [])
    train_gan(gan, images, config, out_dir, labels=labels if config.conditional else None,
              verbose=verbose, extra_callbacks=extra,
              pixel_range=(-1.0, 1.0) if output == "tanh" else (0.0, 1.0))
    seconds = time.perf_counter() - start
    final = metrics.evaluate_images(generated_images(gan, n_metrics, seed, output, "final_metrics"), ev,
                                    refs["test_features"])
    weights = artifacts.atomic_save(gan.generator.save_weights, out_dir / "generator.weights.h5")
    steps_per_epoch = config.steps_per_epoch or \
        len(images) // (config.batch_size * config.critic_steps)
    card = runcards.new_card(
        "gan", provenance=provenance, precision=config.precision,
        variant=variant, options=ALL_VARIANTS[variant], profile=profile, seed=seed,
        config=runcards.config_dict(config), epochs=config.epochs,
        steps=config.epochs * steps_per_epoch, n_train=len(images),
        seconds_this_process=round(seconds, 1), metrics=final,
        real_data={"train_vs_test": {k: v for k, v in refs["train_vs_test"].items()
                                     if k != "class_share"},
                   "test_set": {k: v for k, v in refs["test_set"].items()
                                if k != "class_share"}},
        generator_weights=weights.name, generator_sha256=artifacts.sha256(weights))
    card["jit_compile"] = bool(gan.jit_compile)
    if keep_best:
        best = artifacts.read_json(out_dir / "best.json")
        card["best"] = {**best, "generator_sha256": artifacts.sha256(out_dir / best["generator"])}
    if config.conditional:
        card["conditional"] = conditional_card(gan, ev, mnist, seed, output)
    if "info_noise" in options:
        card["infogan"] = infogan_card(gan, ev, seed, output)
    runcards.write_card(out_dir / "card.json", card)
    return {**card, "run_dir": out_dir}


def default_out_root(profile: str) -> Path:
    """Where a chapter's own run goes: ``results/dcgan`` for ``full`` (kept, resumable), a fresh
    temporary folder for ``quick`` (a few steps, nothing worth keeping or resuming)."""
    if profile == "quick":
        return Path(tempfile.mkdtemp(prefix="dcgan-quick-"))
    return runcards.results_dir() / "dcgan"


def parser() -> cli.Parser:
    p = cli.Parser(prog="python -m thesis_lib.studies.mnist_gan", description=__doc__.splitlines()[0])
    p.add_argument("--variant", nargs="+", choices=sorted(ALL_VARIANTS) + ["all"],
                   default=["baseline"], help="one or more variants, or 'all' (the §4.2 grid)")
    p.add_argument("--profile", default="quick")
    p.add_argument("--seed", nargs="+", type=int, default=[0],
                   help="one or more seeds; runs go seed by seed, every variant per seed")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--monitor-every", type=int, default=None,
                   help="grids, D's accuracy and a generator every this many epochs")
    p.add_argument("--metrics-every", type=int, default=None,
                   help="metrics on 2,000 samples every this many epochs (default: as "
                        "--monitor-every)")
    p.add_argument("--steps-per-epoch", type=int, default=None,
                   help="an epoch of this many generator steps instead of one pass")
    p.add_argument("--keep-best", action="store_true",
                   help="keep the generator of the epoch with the lowest Fréchet distance")
    p.add_argument("--xla", choices=("on", "off", "auto"), default="auto",
                   help="compile the training step with XLA (default: Keras' choice)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="images per step, half real and half generated (default 256)")
    p.add_argument("--latent-dim", type=int, default=None)
    p.add_argument("--train-subset", type=int, default=None,
                   help="train on a stratified subset of this many images")
    p.add_argument("--recipe", choices=GAN_LOSSES, default=None,
                   help="a loss family with its paper's recipe (optimizer, learning rate, "
                        "betas, critic steps; thesis_lib.gan.families); flags given as well "
                        "override the recipe's")
    p.add_argument("--loss", choices=GAN_LOSSES, default=None)
    p.add_argument("--critic-steps", type=int, default=None,
                   help="discriminator (critic) updates per generator update")
    p.add_argument("--clip", type=float, default=None, help="weight clipping c (WGAN)")
    p.add_argument("--gp-weight", type=float, default=None, help="penalty weight λ (WGAN-GP)")
    p.add_argument("--learning-rate", type=float, default=None)
    p.add_argument("--optimizer", choices=("adam", "rmsprop"), default=None)
    p.add_argument("--beta-1", type=float, default=None)
    p.add_argument("--beta-2", type=float, default=None)
    p.add_argument("--conditional", action="store_true", help="condition G and D on the digit")
    p.add_argument("--precision", choices=PRECISIONS, default=None)
    p.add_argument("--metric-samples", type=int, default=None,
                   help="generated images behind the final metrics (default 10000)")
    p.add_argument("--out", type=Path, default=Path("results/dcgan"))
    return p


OVERRIDES = ("epochs", "batch_size", "latent_dim", "monitor_every", "metrics_every",
             "steps_per_epoch", "train_subset", "loss",
             "critic_steps", "clip",
             "gp_weight", "learning_rate", "optimizer", "beta_1", "beta_2", "precision",
             "metric_samples")


def overrides_from_args(args) -> dict:
    """The config overrides a parsed command line asks for: a ``--recipe``'s settings, then the
    flags given explicitly."""
    overrides = {}
    if getattr(args, "recipe", None):
        if args.loss is not None and args.loss != args.recipe:
            raise ValueError(f"--recipe {args.recipe} trains the {args.recipe} loss; drop "
                             f"--loss {args.loss} or choose --recipe {args.loss}.")
        overrides = {"loss": args.recipe, **family(args.recipe).recipe.overrides()}
    overrides.update({k: getattr(args, k) for k in OVERRIDES if getattr(args, k) is not None})
    if args.conditional:
        overrides["conditional"] = True
    return overrides


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    variants = list(VARIANTS) if "all" in args.variant else list(dict.fromkeys(args.variant))
    overrides = cli.run_checked(p, lambda: overrides_from_args(args))
    # Fail on bad input (epochs <= 0, a negative λ, ...) before any data or training.
    cli.run_checked(p, lambda: [get_config("dcgan", args.profile, seed=s, **overrides)
                                for s in args.seed])
    mnist = data.load_mnist()
    for seed in args.seed:
        for variant in variants:
            card = run(variant, args.profile, seed, args.out, mnist=mnist, verbose=2,
                       keep_best=args.keep_best, progress=True,
                       jit_compile={"on": True, "off": False}.get(args.xla), **overrides)
            m = card["metrics"]
            print(f"{variant} seed {seed}: Fréchet distance {m['frechet_distance']:.2f} (floor "
                  f"{card['real_data']['train_vs_test']['frechet_distance']:.2f}), MNIST score "
                  f"{m['mnist_score']:.2f} (ceiling "
                  f"{card['real_data']['test_set']['mnist_score']:.2f}), "
                  f"{m['classes_covered']} classes", flush=True)
    return 0




if __name__ == "__main__":
    raise SystemExit(main())

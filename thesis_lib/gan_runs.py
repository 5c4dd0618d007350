"""DCGAN runs (thesis §4.2) from the command line, with a run card and metrics.

    python -m thesis_lib.gan_runs --variant baseline --profile full --epochs 10 --seed 0
    python -m thesis_lib.gan_runs --variant all --profile full --seed 0 1 2   # the batch

Writes ``results/dcgan/<variant>-<profile>-e<epochs>[-n<subset>]-seed<N>/``: ``history.csv``,
``monitor.csv``, ``metrics.csv`` (Fréchet distance, MNIST score and coverage every
``monitor_every`` epochs, on 2,000 samples), sample grids, the final generator weights with
their SHA-256, and ``card.json`` (final metrics on 10,000 samples against the test set, the
real-data floor and ceiling, timing, seed, hardware, versions, commit). Rerunning the same
command after a crash resumes from the last epoch.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np

from thesis_lib import artifacts, data, environment, gan_results, metrics
from thesis_lib.profiles import get_config

VARIANTS = {
    "baseline": {},
    "tanh": {"output": "tanh"},
    "latent50": {"latent_dim": 50},
    "latent200": {"latent_dim": 200},
    "batchnorm": {"batch_norm": True},
    "upsample": {"upsampling": "upsample"},
}


def prepare_images(config, output: str, mnist=None):
    """Training images scaled for the generator's output: [0, 1] (sigmoid) or [−1, 1] (tanh)."""
    (x_train, y_train), _ = mnist or data.load_mnist()
    if config.train_subset:
        x_train, _ = data.stratified_subset(x_train, y_train, config.train_subset, config.seed)
    scale = data.scale_pm1 if output == "tanh" else data.scale_01
    return data.add_channel(scale(x_train))


def to_unit(images, output: str):
    return (images + 1.0) / 2.0 if output == "tanh" else images


class MetricsMonitor(keras.callbacks.Callback):
    """Every ``every`` epochs: the GAN metrics on ``n`` generated images (``metrics.csv``)."""

    def __init__(self, evaluator, reference_features, out_dir, every, output, n=2000, seed=0):
        super().__init__()
        self.evaluator, self.reference = evaluator, reference_features
        self.path, self.every, self.output = Path(out_dir) / "metrics.csv", every, output
        self.n, self.seed = n, seed

    def on_epoch_end(self, epoch, logs=None):
        from thesis_lib.callbacks import read_csv, write_csv
        done = epoch + 1
        if done % self.every and done != self.params.get("epochs"):
            return
        z = np.random.default_rng([self.seed, 30_000]).normal(
            size=(self.n, self.model.latent_dim)).astype("float32")
        images = gan_results.unit_images(self.model.generator, z, self.output)
        result = metrics.evaluate_images(images, self.evaluator, self.reference)
        rows = [r for r in read_csv(self.path) if r["epoch"] < done]
        rows.append({"epoch": done, "frechet_distance": result["frechet_distance"],
                     "mnist_score": result["mnist_score"],
                     "classes_covered": result["classes_covered"],
                     "kl_to_uniform": result["kl_to_uniform"]})
        write_csv(self.path, rows)


def run(variant: str, profile: str, seed: int = 0, out_root: str | Path = "results/dcgan",
        mnist=None, verbose: int = 1, **overrides) -> dict:
    """Train one variant; write artifacts and the card; return the card (plus ``run_dir``)."""
    from thesis_lib import evaluator as ev_module
    from thesis_lib.gan import build_dcgan
    from thesis_lib.gan_training import train_gan

    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; valid: {', '.join(VARIANTS)}.")
    options = dict(VARIANTS[variant])
    if "latent_dim" in options:
        overrides.setdefault("latent_dim", options.pop("latent_dim"))
    config = get_config("dcgan", profile, seed=seed, **overrides)
    provenance = environment.provenance()  # the code that runs is the code loaded now
    subset = f"-n{config.train_subset}" if "train_subset" in overrides else ""
    out_dir = Path(out_root) / f"{variant}-{profile}-e{config.epochs}{subset}-seed{seed}"
    mnist = mnist or data.load_mnist()
    output = options.get("output", "sigmoid")
    images = prepare_images(config, output, mnist)
    evaluator = ev_module.load_evaluator()
    refs = metrics.real_data_references(evaluator, mnist)
    gan = build_dcgan(config, **options)
    monitor = MetricsMonitor(evaluator, refs["test_features"], out_dir, config.monitor_every,
                             output, seed=seed)
    start = time.perf_counter()
    train_gan(gan, images, config, out_dir, verbose=verbose, extra_callbacks=[monitor],
              pixel_range=(-1.0, 1.0) if output == "tanh" else (0.0, 1.0))
    seconds = time.perf_counter() - start
    z = np.random.default_rng([seed, 40_000]).normal(size=(10_000, config.latent_dim))
    final = metrics.evaluate_images(gan_results.unit_images(gan.generator, z, output),
                                    evaluator, refs["test_features"])
    weights = artifacts.atomic_save(gan.generator.save_weights, out_dir / "generator.weights.h5")
    steps_per_epoch = len(images) // config.batch_size
    card = {
        "variant": variant, "options": VARIANTS[variant], "profile": profile, "seed": seed,
        "config": {k: getattr(config, k) for k in config.__dataclass_fields__},
        "epochs": config.epochs, "steps": config.epochs * steps_per_epoch,
        "n_train": len(images),
        "seconds_this_process": round(seconds, 1),
        "metrics": final,
        "real_data": {"train_vs_test": {k: v for k, v in refs["train_vs_test"].items()
                                        if k != "class_share"},
                      "test_set": {k: v for k, v in refs["test_set"].items()
                                   if k != "class_share"}},
        "generator_weights": weights.name, "generator_sha256": artifacts.sha256(weights),
        "hardware": environment.hardware_label(provenance), "environment": provenance,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    artifacts.write_json(out_dir / "card.json", card)
    return {**card, "run_dir": out_dir}


def default_out_root(profile: str) -> Path:
    """Where a chapter's own run goes: ``results/dcgan`` for ``full`` (kept, resumable), a fresh
    temporary folder for ``quick`` (a few steps, nothing worth keeping or resuming)."""
    if profile == "quick":
        import tempfile
        return Path(tempfile.mkdtemp(prefix="dcgan-quick-"))
    from thesis_lib.classifier_runs import results_dir
    return results_dir() / "dcgan"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", nargs="+", choices=sorted(VARIANTS) + ["all"],
                        default=["baseline"], help="one or more variants, or 'all'")
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seed", nargs="+", type=int, default=[0],
                        help="one or more seeds; runs go seed by seed, every variant per seed")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--monitor-every", type=int, default=None)
    parser.add_argument("--train-subset", type=int, default=None,
                        help="train on a stratified subset of this many images")
    parser.add_argument("--out", type=Path, default=Path("results/dcgan"))
    args = parser.parse_args(argv)
    variants = list(VARIANTS) if "all" in args.variant else list(dict.fromkeys(args.variant))
    overrides = {k: v for k, v in (("epochs", args.epochs),
                                   ("monitor_every", args.monitor_every),
                                   ("train_subset", args.train_subset)) if v is not None}
    get_config("dcgan", args.profile, **overrides)  # fail on bad input before any training
    mnist = data.load_mnist()
    for seed in args.seed:
        for variant in variants:
            card = run(variant, args.profile, seed, args.out, mnist=mnist, verbose=2,
                       **overrides)
            m = card["metrics"]
            print(f"{variant} seed {seed}: Fréchet distance {m['frechet_distance']:.2f} (floor "
                  f"{card['real_data']['train_vs_test']['frechet_distance']:.2f}), MNIST score "
                  f"{m['mnist_score']:.2f} (ceiling "
                  f"{card['real_data']['test_set']['mnist_score']:.2f}), "
                  f"{m['classes_covered']} classes", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

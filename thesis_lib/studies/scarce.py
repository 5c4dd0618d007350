"""The thesis's closing claim put to the test (§5): do a GAN's samples help a classifier when
labelled data are scarce?

For each N labelled MNIST training images (class-balanced, drawn with the seed) the §4.1 CNN
is trained with the same budget of updates in four variants:

* ``alone``: batches of the N images;
* ``classic``: the same, through random shifts and rotations (active in training only);
* ``gan``: half of each batch from a pool of samples of a conditional GAN trained on the same
  N images and nothing else (its labels are the classes it was asked for);
* ``both``: the GAN's samples and the classic augmentation together.

The real test set scores each. One seed fixes the subset, the GAN and the classifier of a
cell, so the spread over seeds includes which N images were drawn.

    python -m thesis_lib.studies.scarce --profile full --out results/scarce

writes ``n<N>-seed<S>/gan/`` (the GAN's history, grid and ``card.json``) and
``n<N>-seed<S>/<variant>.json`` (a classifier card per variant). A rerun skips every card that exists
and resumes a GAN from its last epoch.
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import math
import os
import time
from pathlib import Path

import keras
import numpy as np

from thesis_lib import artifacts, cli, data, environment, runcards, streams
from thesis_lib.evaluation import evaluator
from thesis_lib.gan.model import build_dcgan
from thesis_lib.gan.training import train_gan as fit_gan
from thesis_lib.models import classifiers
from thesis_lib.profiles import get_config
from thesis_lib.studies.mnist_gan import ALL_VARIANTS

VARIANTS = ("alone", "classic", "gan", "both")
# A GAN epoch of about this many generator steps: N = 100 images would otherwise make an
# epoch of 3 steps, and the per-epoch checkpoint would cost more than the training.
GAN_EPOCH_STEPS = 100
# The settings a cell's GAN depends on (its card records these; the classifiers' are theirs).
GAN_FIELDS = ("gan_steps", "gan_batch", "gan_precision", "synthetic_pool", "agreement_samples")
GAN_VARIANT = "narrow_projection"  # the conditional GAN of chapter 3.3 (98.6 % on all MNIST)


def cell_dir(out_root, n: int, seed: int) -> Path:
    return Path(out_root) / f"n{n}-seed{seed}"


def labelled_subset(mnist, n: int, seed: int):
    """The N labelled training images of a cell: ``(x, y)``, x in [0, 1] as (n, 28, 28, 1)."""
    (x_train, y_train), _ = mnist
    idx = data.balanced_indices(y_train, n, seed)
    return data.add_channel(data.scale_01(x_train[idx])), np.asarray(y_train[idx])


class ElapsedSeconds(keras.callbacks.Callback):
    """Training seconds summed over every process that trained the GAN (``seconds.json`` beside
    its checkpoint): a GAN resumed after an interruption still reports its whole cost."""

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)

    def on_train_begin(self, logs=None):
        self.total = artifacts.read_json(self.path)["seconds"] if self.path.is_file() else 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.total += time.perf_counter() - self.start
        artifacts.write_json(self.path, {"seconds": round(self.total, 1), "epochs": epoch + 1})


def train_gan(x, y, config, seed: int, out_dir, verbose: int = 0):
    """A conditional GAN (chapter 3.3's ``narrow_projection``) trained on ``x, y`` only, for
    about ``config.gan_steps`` generator steps; resumes from ``out_dir``'s checkpoint."""
    # An epoch shows each stored image once as real (Brownlee's recipe: len // batch steps).
    reps = math.ceil(min(GAN_EPOCH_STEPS, config.gan_steps) * config.gan_batch / len(x))
    images, labels = np.tile(x, (reps, 1, 1, 1)), np.tile(y, reps)
    steps_per_epoch = len(images) // config.gan_batch
    epochs = max(1, round(config.gan_steps / steps_per_epoch))
    gan_config = get_config("dcgan", "full", epochs=epochs, batch_size=config.gan_batch,
                            conditional=True, seed=seed, precision=config.gan_precision,
                            monitor_every=epochs)
    gan = build_dcgan(gan_config, **ALL_VARIANTS[GAN_VARIANT], num_classes=10)
    seconds = ElapsedSeconds(Path(out_dir) / "seconds.json")
    fit_gan(gan, images, gan_config, out_dir, labels=labels, verbose=verbose,
            extra_callbacks=[seconds])
    return gan, {"variant": GAN_VARIANT, "seconds_all_processes": round(seconds.total, 1),
                 "epochs": epochs, "steps": epochs * steps_per_epoch,
                 "copies_of_the_n_images_per_epoch": reps,
                 "config": runcards.config_dict(gan_config)}


def synthetic_pool(gan, size: int, seed: int):
    """``size`` GAN samples in [0, 1], classes in equal turns, and their requested classes."""
    labels = np.arange(size) % 10
    images = gan.generate(size, labels=labels, seed=seed).astype("float32")
    return np.clip(images, 0.0, 1.0), labels


class MixedBatches(keras.utils.PyDataset):
    """``steps`` batches of ``batch`` images: real ones from ``real``, and, with ``synthetic``,
    a share of each batch from that pool. Batch ``i`` depends only on ``(seed, i)``."""

    def __init__(self, real, synthetic=None, *, steps: int, batch: int, share: float = 0.5,
                 seed: int = 0):
        super().__init__()
        self.real, self.synthetic = real, synthetic
        self.steps, self.batch, self.seed = steps, batch, seed
        self.n_synthetic = 0 if synthetic is None else int(round(batch * share))

    def __len__(self):
        return self.steps

    def __getitem__(self, i):
        rng = streams.rng(self.seed, "scarce_batches", part=i)
        n_real = self.batch - self.n_synthetic
        x, y = self.real
        pick = rng.choice(len(x), n_real, replace=len(x) < n_real)
        xs, ys = [x[pick]], [y[pick]]
        if self.n_synthetic:
            sx, sy = self.synthetic
            pick = rng.choice(len(sx), self.n_synthetic, replace=len(sx) < self.n_synthetic)
            xs.append(sx[pick])
            ys.append(sy[pick])
        return np.concatenate(xs), data.one_hot(np.concatenate(ys))


def classifier(variant: str, config, seed: int) -> keras.Model:
    """The §4.1 CNN, preceded for the ``classic`` and ``both`` variants by random shifts and
    rotations that act in training only (the same weights, the same count)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; valid: {', '.join(VARIANTS)}.")
    keras.utils.set_random_seed(seed)
    cnn = classifiers.cnn_classifier()
    if variant in ("classic", "both"):
        shift = config.shift_pixels / 28
        cnn = keras.Sequential([
            keras.Input((28, 28, 1)),
            keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed),
            keras.layers.RandomRotation(config.rotation_degrees / 360, fill_mode="constant",
                                        seed=seed + 1),
            cnn], name=f"cnn_{variant}")
    return classifiers.compile_classifier(cnn)


def train_variant(variant: str, real, synthetic, test, config, seed: int) -> dict:
    """Train one variant; what its card records about the training and the test set."""
    model = classifier(variant, config, seed)
    batches = MixedBatches(real, synthetic if variant in ("gan", "both") else None,
                           steps=config.classifier_steps, batch=config.classifier_batch,
                           share=config.synthetic_share, seed=seed)
    start = time.perf_counter()
    history = model.fit(batches, epochs=1, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(test[0], data.one_hot(test[1]), batch_size=1000, verbose=0)
    return {"parameters": int(model.count_params()), "test_accuracy": float(accuracy),
            "test_loss": float(loss), "train_loss_last_step": float(history.history["loss"][-1]),
            "synthetic_per_batch": batches.n_synthetic, "seconds": round(seconds, 1)}


def gan_check(gan, ev, config, seed: int) -> dict:
    """How often the evaluator (trained on all of MNIST; used here only to describe the GAN,
    never in training) reads a GAN sample as the class it was asked for."""
    images, requested = synthetic_pool(gan, config.agreement_samples, seed + 1)
    return {"agreement": float(np.mean(ev.predict(images) == requested)),
            "samples": int(config.agreement_samples)}


def run_cell(n: int, seed: int, config, profile: str, out_root, mnist, ev=None,
             verbose: int = 0) -> list[dict]:
    """The four variants of (N, seed), training the cell's GAN first when a variant needs it; cards
    that exist are read, not redone."""
    out = cell_dir(out_root, n, seed)
    paths = {variant: out / f"cnn-{variant}.json" for variant in VARIANTS}
    if all(p.is_file() for p in paths.values()):
        return [runcards.read_card(p, "classifier") for p in paths.values()]
    provenance = environment.provenance()
    real = labelled_subset(mnist, n, seed)
    _, (x_test, y_test) = mnist
    if config.test_subset:
        idx = data.stratified_indices(y_test, config.test_subset, 0)
        x_test, y_test = x_test[idx], y_test[idx]
    test = (data.add_channel(data.scale_01(x_test)), np.asarray(y_test))
    synthetic = None
    if not (paths["gan"].is_file() and paths["both"].is_file()):
        start = time.perf_counter()
        gan, gan_info = train_gan(*real, config, seed, out / "gan", verbose=verbose)
        synthetic = synthetic_pool(gan, config.synthetic_pool, seed)
        if not (out / "gan" / "card.json").is_file():  # a GAN resumed after its card is done
            gan_info["seconds_this_process"] = round(time.perf_counter() - start, 1)
            if ev is not None:
                gan_info["evaluator_check"] = gan_check(gan, ev, config, seed)
            gan_card = runcards.new_card(
                "gan", provenance=provenance, precision=config.gan_precision,
                variant=GAN_VARIANT, options={"trained_on": f"the {n} labelled images only"},
                profile=profile, seed=seed,
                config={k: getattr(config, k) for k in GAN_FIELDS},
                epochs=gan_info["epochs"], steps=gan_info["steps"], n_train=n,
                metrics=gan_info.get("evaluator_check", {}), details=gan_info)
            runcards.write_card(out / "gan" / "card.json", gan_card)
    cards = []
    for variant in VARIANTS:
        if paths[variant].is_file():
            cards.append(runcards.read_card(paths[variant], "classifier"))
            continue
        result = train_variant(variant, real, synthetic, test, config, seed)
        # The cards keep the key "arm" they were written with (results/scarce/).
        card = runcards.new_card(
            "classifier", provenance=provenance, model="cnn", arm=variant, profile=profile,
            seed=seed, config=runcards.config_dict(config), n_train=n, n_test=len(test[0]),
            **result)
        runcards.write_card(paths[variant], card)
        cards.append(card)
    return cards


def _claim(out: Path) -> bool:
    """Take the cell for this process (a lock file naming its PID), unless a live process holds
    it: two processes can share a grid without training the same cell twice."""
    out.mkdir(parents=True, exist_ok=True)
    lock = out / ".lock"
    try:
        holder = int(lock.read_text())
        os.kill(holder, 0)
        return holder == os.getpid()
    except (FileNotFoundError, ValueError, ProcessLookupError):
        lock.write_text(str(os.getpid()))
        return True


def run(profile: str = "quick", out_root=None, mnist=None, verbose: int = 0, **overrides):
    """Every cell of the profile, N by N and seed by seed; returns the cards. A cell another
    live process is training is left to it (and its cards to a later rerun)."""
    config = get_config("scarce_data", profile, **overrides)
    out_root = Path(out_root or runcards.results_dir() / "scarce")
    mnist = mnist or data.load_mnist()
    ev = evaluator.load_evaluator()
    cards = []
    for n in config.sizes:
        for seed in range(config.seeds):
            if not _claim(cell_dir(out_root, n, seed)):
                if verbose:
                    print(f"N = {n}, seed {seed}: another process is training it", flush=True)
                continue
            cards += run_cell(n, seed, config, profile, out_root, mnist, ev)
            (cell_dir(out_root, n, seed) / ".lock").unlink(missing_ok=True)
            if verbose:
                print(f"N = {n}, seed {seed}: " + ", ".join(
                    f"{c['arm']} {c['test_accuracy']:.3f}" for c in cards[-len(VARIANTS):]),
                    flush=True)
    return cards


def load_cards(out_root) -> list[dict]:
    """Every classifier card under ``out_root`` (one per N, seed and variant)."""
    paths = sorted(Path(out_root).glob("n*-seed*/cnn-*.json"))
    if not paths:
        raise FileNotFoundError(f"no scarce-data cards under {out_root}; run "
                                f"python -m thesis_lib.studies.scarce --profile full first.")
    return [runcards.read_card(p, "classifier") for p in paths]


def load_gan_cards(out_root) -> list[dict]:
    """The card of every conditional GAN under ``out_root``."""
    return [runcards.read_card(p, "gan") for p in sorted(Path(out_root).glob("n*-seed*/gan/card.json"))]


def results_frame(cards):
    """One row per card: N, seed, variant, test accuracy and seconds."""
    import pandas as pd

    return pd.DataFrame([{"n": c["n_train"], "seed": c["seed"], "variant": c["arm"],
                          "accuracy": c["test_accuracy"], "seconds": c["seconds"]}
                         for c in cards])


def summary(frame):
    """Mean, standard deviation, min and max test accuracy per (N, variant), and the mean gain of
    each variant over ``alone`` computed seed by seed (paired: the same N images)."""
    gains = {(variant, n, seed): g for variant in VARIANTS
             for (n, seed), g in paired_difference(frame, variant).items()}
    frame = frame.assign(gain=[gains[(r.variant, r.n, r.seed)] for r in frame.itertuples()])
    out = frame.groupby(["n", "variant"], sort=False).agg(
        seeds=("accuracy", "size"), mean=("accuracy", "mean"), std=("accuracy", "std"),
        min=("accuracy", "min"), max=("accuracy", "max"), gain=("gain", "mean"),
        gain_min=("gain", "min"), gain_max=("gain", "max")).reset_index()
    out["variant"] = out["variant"].astype("category").cat.set_categories(VARIANTS)
    return out.sort_values(["n", "variant"]).reset_index(drop=True)


def parser() -> cli.Parser:
    p = cli.Parser(prog="python -m thesis_lib.studies.scarce", description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="quick")
    p.add_argument("--sizes", nargs="+", type=int, default=None)
    p.add_argument("--seeds", type=int, default=None)
    p.add_argument("--out", type=Path, default=None,
                   help="where the cards go (default: results/scarce)")
    return p


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    overrides = {k: v for k, v in (("sizes", args.sizes), ("seeds", args.seeds)) if v}
    cli.run_checked(p, lambda: get_config("scarce_data", args.profile, **overrides))
    run(args.profile, args.out, verbose=1, **overrides)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def gan_seconds(card: dict) -> float:
    """A GAN's training seconds: over all its processes where the card has them (runs from
    this version on), else those of the process that wrote the card."""
    details = card["details"]
    return details.get("seconds_all_processes", details.get("seconds_this_process", 0.0))


def budget(out_root) -> dict:
    """CPU seconds spent, read from the cards: the GANs' training and the classifiers'."""
    gans = load_gan_cards(out_root)
    return {"gan_seconds": sum(gan_seconds(c) for c in gans),
            "classifier_seconds": sum(c["seconds"] for c in load_cards(out_root)),
            "gans": len(gans)}


def gan_frame(out_root):
    """Per GAN: N, seed, generator steps, the evaluator's agreement with the requested digit
    and the training seconds, from the cards."""
    import pandas as pd

    return pd.DataFrame([{"n": c["n_train"], "seed": c["seed"], "steps": c["steps"],
                          "agreement": c["metrics"].get("agreement"),
                          "seconds": gan_seconds(c)}
                         for c in load_gan_cards(out_root)])


def paired_difference(frame, variant: str, baseline: str = "alone"):
    """``variant``'s accuracy minus ``baseline``'s for every (N, seed): the same N images, so the
    difference is free of which images were drawn."""
    base = frame[frame.variant == baseline].set_index(["n", "seed"])["accuracy"]
    return (frame[frame.variant == variant].set_index(["n", "seed"])["accuracy"] - base).dropna()


def paired_wins(frame, variant: str, baseline: str = "alone") -> tuple[int, int]:
    """In how many (N, seed) pairs ``variant`` beats ``baseline``, of how many."""
    diff = paired_difference(frame, variant, baseline)
    return int((diff > 0).sum()), int(len(diff))

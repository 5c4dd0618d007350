"""The thesis's closing claim put to the test (§5): do a GAN's samples help a classifier when
labelled data are scarce?

For each N labelled MNIST training images (class-balanced, drawn with the seed) the §4.1 CNN
is trained with the same number of updates, and the same real images in every update, in
four variants:

* ``alone``: batches of ``classifier_batch`` images drawn from the N;
* ``classic``: the same batches, through random shifts and rotations (active in training only);
* ``gan``: the same real batches plus ``synthetic_per_batch`` samples added on top, from a pool
  drawn from a conditional GAN trained on the same N images and nothing else (its labels are
  the classes it was asked for);
* ``both``: the GAN's samples and the classic augmentation together.

The real test set scores each. One seed fixes the subset, the GAN and the classifier of a
cell, so the spread over seeds includes which N images were drawn.

Design 2 (the config's ``design``; issue 29). The first design (design 1, the cards in
``results/scarce/n<N>-seed<S>/``) gave the GAN's samples half of each batch, so at an equal
number of updates the GAN variants saw half as many real images as the others, and its GANs
trained a fixed ~1,000 generator steps. Now:

* equal real data: batch ``i`` of every variant holds the same real images, drawn first from
  the same stream; the generated ones are added, never substituted. Equal real-image epochs
  with twice the updates for the GAN variants was the other way out, but it would hand them
  more updates, a second confound. The price of adding is a larger batch, so in the mean loss
  a real image weighs half as much in the GAN variants; the CNN trains with Adam, whose step
  is insensitive to the gradient's overall scale, so what remains is the 1:1 weight of a real
  and a generated image, which is what "adding GAN samples" means;
* the GAN trains until its agreement with the requested digit stops improving: after every
  GAN epoch (about ``gan_epoch_steps`` generator steps) the frozen evaluator reads
  ``agreement_samples`` samples from fixed latent points (``agreement.csv``); :class:`StoppingRule`
  stops after ``gan_patience`` epochs without a rise above ``gan_min_delta``, or at the cap
  ``gan_max_epochs``, and the best epoch's generator draws the pool. Its agreement is also
  measured on fresh samples (``agreement_fresh``), free of the selection.

    python -m thesis_lib.studies.scarce --profile full --out results/scarce
    python -m thesis_lib.studies.scarce --profile full --sizes 100 --seed 2   # one cell

writes ``design2-n<N>-seed<S>/gan/`` (the GAN's histories, grids and ``card.json``),
``design2-n<N>-seed<S>/cnn-<variant>.json`` (a classifier card per variant) and, last,
``cell.json`` (the cell's summary: what the CPU campaign waits for). A rerun skips every card
that exists and resumes a GAN from its last epoch.
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from thesis_lib import artifacts, cli, data, environment, intervals, runcards, streams
from thesis_lib.callbacks import EpochLog, Progress
from thesis_lib.evaluation import evaluator
from thesis_lib.gan.grids import save_grid
from thesis_lib.gan.latent import conditional_inputs, infer
from thesis_lib.gan.model import build_dcgan
from thesis_lib.gan.training import fixed_labels
from thesis_lib.gan.training import train_gan as fit_gan
from thesis_lib.models import classifiers
from thesis_lib.profiles import get_config
from thesis_lib.studies.mnist_gan import ALL_VARIANTS

VARIANTS = ("alone", "classic", "gan", "both")
DESIGN = 2  # what this code runs; cards without a design are design 1
# The settings a cell's GAN depends on (its card records these; the classifiers' are theirs).
GAN_FIELDS = ("design", "gan_epoch_steps", "gan_max_epochs", "gan_patience", "gan_min_delta",
              "gan_batch", "gan_precision", "synthetic_pool", "agreement_samples")
GAN_VARIANT = "narrow_projection"  # the conditional GAN of chapter 3.3 (98.6 % on all MNIST)
CELL_SUMMARY = "cell.json"  # written last: a cell is complete once it exists


def design_of(card: dict) -> int:
    """The design a card was made with (1 for cards from before the field existed)."""
    return int(card.get("config", {}).get("design", 1))


def cell_dir(out_root, n: int, seed: int, design: int = DESIGN) -> Path:
    """A cell's folder: ``n<N>-seed<S>`` for design 1, ``design<D>-n<N>-seed<S>`` after."""
    name = f"n{n}-seed{seed}" if design == 1 else f"design{design}-n{n}-seed{seed}"
    return Path(out_root) / name


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


@dataclass(frozen=True)
class StoppingRule:
    """When a cell's GAN stops (design 2), from its agreement curve alone.

    ``curve[e - 1]`` is the share of fixed samples the evaluator reads as the requested digit
    after epoch ``e``. An epoch improves on the best so far if it beats it by more than
    ``min_delta`` (the first epoch sets the first best); the GAN stops once ``patience`` epochs
    have passed since the last improvement, or after ``max_epochs`` epochs. The generator kept
    is the best epoch's."""

    patience: int
    min_delta: float
    max_epochs: int

    @classmethod
    def from_config(cls, config) -> StoppingRule:
        return cls(config.gan_patience, config.gan_min_delta, config.gan_max_epochs)

    def best_epoch(self, curve) -> int:
        """The epoch (1-based) of the last improvement; 0 for an empty curve."""
        best, value = 0, -math.inf
        for epoch, agreement in enumerate(curve, start=1):
            if agreement > value + self.min_delta:
                best, value = epoch, agreement
        return best

    def stop(self, curve) -> str | None:
        """``"patience"`` or ``"cap"`` once the GAN must stop after the last epoch of
        ``curve``, else None."""
        epochs = len(curve)
        if epochs and epochs - self.best_epoch(curve) >= self.patience:
            return "patience"
        if epochs >= self.max_epochs:
            return "cap"
        return None

    def card(self) -> dict:
        return {"rule": "stop after `patience` epochs without a rise above the best by more "
                        "than `min_delta`, or after `max_epochs`; keep the best epoch's generator",
                "patience": self.patience, "min_delta": self.min_delta,
                "max_epochs": self.max_epochs}


def agreement(gan, ev, n: int, seed: int) -> float:
    """The share of ``n`` samples (classes in equal turns, latent points fixed by ``seed``) that
    the evaluator reads as the class they were asked for. The evaluator (trained on all of
    MNIST) describes the GAN and decides when it stops; it never enters the classifiers'
    training. Picking the GAN's epoch with it is a small advantage for the GAN variants (one
    choice among at most ``gan_max_epochs`` generators), which chapter 5 states."""
    images, requested = synthetic_pool(gan, n, seed)
    return float(np.mean(ev.predict(images) == requested))


class AgreementCurve(keras.callbacks.Callback):
    """After every GAN epoch: the agreement on fixed samples (a row of ``agreement.csv``), the
    best epoch's generator (``generator-best-epochNNN.weights.h5``, named by ``best.json``) and
    the stopping rule. Placed before the checkpoint, so a killed epoch is redone whole."""

    def __init__(self, ev, rule: StoppingRule, out_dir, samples: int, seed: int,
                 steps_per_epoch: int):
        super().__init__()
        self.ev, self.rule, self.out_dir = ev, rule, Path(out_dir)
        self.samples, self.seed, self.steps_per_epoch = samples, seed, steps_per_epoch
        self.log = EpochLog(self.out_dir / "agreement.csv")

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        value = agreement(self.model, self.ev, self.samples, self.seed)
        self.log.write(done, {"steps": done * self.steps_per_epoch, "agreement": value})
        curve = agreement_values(self.log.rows(), done)
        if self.rule.best_epoch(curve) == done:
            name = f"generator-best-epoch{done:03d}.weights.h5"
            artifacts.atomic_save(self.model.generator.save_weights, self.out_dir / name)
            artifacts.write_json(self.out_dir / "best.json", {"epoch": done, "generator": name,
                                                              "agreement": value})
            for old in self.out_dir.glob("generator-best-epoch*.weights.h5"):
                if old.name != name:
                    old.unlink()
        if self.rule.stop(curve):
            self.model.stop_training = True


def agreement_values(rows, up_to: int) -> list[float]:
    """The curve of ``agreement.csv``'s rows up to epoch ``up_to``, one value per epoch."""
    rows = sorted((r for r in rows if r["epoch"] <= up_to), key=lambda r: r["epoch"])
    if [r["epoch"] for r in rows] != list(range(1, len(rows) + 1)):
        raise ValueError(f"agreement.csv lacks an epoch before {up_to}; delete the GAN's folder "
                         "and train it again.")
    return [r["agreement"] for r in rows]


def gan_data(x, y, config):
    """The N images tiled into a GAN epoch of about ``gan_epoch_steps`` steps (each image the
    same number of times, Brownlee's ``len // batch`` steps): ``(images, labels, steps)``."""
    reps = math.ceil(config.gan_epoch_steps * config.gan_batch / len(x))
    images, labels = np.tile(x, (reps, 1, 1, 1)), np.tile(y, reps)
    return images, labels, len(images) // config.gan_batch


def _checkpoint_epoch(out_dir: Path) -> int:
    state = out_dir / "checkpoint" / "state.json"
    return int(artifacts.read_json(state)["epoch"]) if state.is_file() else 0


def train_gan(x, y, config, seed: int, out_dir, ev, verbose: int = 0,
              jit_compile: bool | None = None, progress: Path | None = None):
    """A conditional GAN (chapter 3.3's ``narrow_projection``) trained on ``x, y`` only until
    :class:`StoppingRule` stops it; resumes from ``out_dir``'s checkpoint. Returns the GAN
    holding its best epoch's generator and what its card records."""
    out_dir = Path(out_dir)
    images, labels, steps_per_epoch = gan_data(x, y, config)
    rule = StoppingRule.from_config(config)
    gan_config = get_config("dcgan", "full", epochs=config.gan_max_epochs,
                            batch_size=config.gan_batch, conditional=True, seed=seed,
                            precision=config.gan_precision,
                            monitor_every=min(10, config.gan_max_epochs))
    gan = build_dcgan(gan_config, **ALL_VARIANTS[GAN_VARIANT], num_classes=10)
    if jit_compile is not None:
        gan.jit_compile = bool(jit_compile)
    seconds = ElapsedSeconds(out_dir / "seconds.json")
    curve = AgreementCurve(ev, rule, out_dir, config.agreement_samples, seed + 1,
                           steps_per_epoch)
    done = _checkpoint_epoch(out_dir)
    # A process killed after the stopping epoch's checkpoint must not train on past the rule.
    if not (done and rule.stop(agreement_values(curve.log.rows(), done))):
        extra = [curve, seconds] + ([Progress(progress)] if progress else [])
        fit_gan(gan, images, gan_config, out_dir, labels=labels, verbose=verbose,
                extra_callbacks=extra)
    done = _checkpoint_epoch(out_dir)
    values = agreement_values(curve.log.rows(), done)
    best = artifacts.read_json(out_dir / "best.json")
    if best["epoch"] != rule.best_epoch(values):
        raise RuntimeError(f"{out_dir}: best.json names epoch {best['epoch']}, the curve epoch "
                           f"{rule.best_epoch(values)}; delete the folder and train it again.")
    gan.generator.load_weights(str(out_dir / best["generator"]))
    fixed = gan.numpy_latent(100, streams.rng(seed, "monitor_latent"))  # GANMonitor's points
    save_grid(infer(gan.generator, conditional_inputs(fixed, fixed_labels(100, 10), 10)),
              out_dir / "grid-best.png")
    total = artifacts.read_json(out_dir / "seconds.json")["seconds"]
    return gan, {"variant": GAN_VARIANT, "seconds_all_processes": total, "epochs": done,
                 "steps": done * steps_per_epoch, "steps_per_epoch": steps_per_epoch,
                 "copies_of_the_n_images_per_epoch": len(images) // len(x),
                 "stopped_by": rule.stop(values) or "not stopped",
                 "best_epoch": best["epoch"], "best_steps": best["epoch"] * steps_per_epoch,
                 "stopping_rule": rule.card(), "config": runcards.config_dict(gan_config)}


def synthetic_pool(gan, size: int, seed: int):
    """``size`` GAN samples in [0, 1], classes in equal turns, and their requested classes."""
    labels = np.arange(size) % 10
    images = gan.generate(size, labels=labels, seed=seed).astype("float32")
    return np.clip(images, 0.0, 1.0), labels


class MixedBatches(keras.utils.PyDataset):
    """``steps`` batches, each of ``batch`` real images drawn from ``real`` and, with
    ``synthetic``, ``extra`` images from that pool added after them. The real images are drawn
    first from the same stream whatever is added, so batch ``i`` holds the same real images in
    every variant; batch ``i`` depends only on ``(seed, i)``."""

    def __init__(self, real, synthetic=None, *, steps: int, batch: int, extra: int = 0,
                 seed: int = 0):
        super().__init__()
        self.real, self.synthetic = real, synthetic
        self.steps, self.batch, self.seed = steps, batch, seed
        self.n_synthetic = 0 if synthetic is None else int(extra)

    def __len__(self):
        return self.steps

    def __getitem__(self, i):
        rng = streams.rng(self.seed, "scarce_batches", part=i)
        x, y = self.real
        pick = rng.choice(len(x), self.batch, replace=len(x) < self.batch)
        xs, ys = [x[pick]], [y[pick]]
        if self.n_synthetic:
            sx, sy = self.synthetic
            pick = rng.choice(len(sx), self.n_synthetic, replace=len(sx) < self.n_synthetic)
            xs.append(sx[pick])
            ys.append(sy[pick])
        return np.concatenate(xs), data.one_hot(np.concatenate(ys))


def variant_batches(variant: str, real, synthetic, config, seed: int) -> MixedBatches:
    """The batches ``variant`` trains on: ``classifier_batch`` real images in every variant,
    plus ``synthetic_per_batch`` GAN samples in ``gan`` and ``both``."""
    adds = variant in ("gan", "both")
    return MixedBatches(real, synthetic if adds else None, steps=config.classifier_steps,
                        batch=config.classifier_batch,
                        extra=config.synthetic_per_batch if adds else 0, seed=seed)


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
    batches = variant_batches(variant, real, synthetic, config, seed)
    start = time.perf_counter()
    history = model.fit(batches, epochs=1, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(test[0], data.one_hot(test[1]), batch_size=1000, verbose=0)
    return {"parameters": int(model.count_params()), "test_accuracy": float(accuracy),
            "test_loss": float(loss), "train_loss_last_step": float(history.history["loss"][-1]),
            "real_per_batch": batches.batch, "synthetic_per_batch": batches.n_synthetic,
            "real_images_seen": batches.batch * len(batches), "seconds": round(seconds, 1)}


def _test_set(mnist, config):
    _, (x_test, y_test) = mnist
    if config.test_subset:
        idx = data.stratified_indices(y_test, config.test_subset, 0)
        x_test, y_test = x_test[idx], y_test[idx]
    return data.add_channel(data.scale_01(x_test)), np.asarray(y_test)


def _gan_card(gan_dir: Path, n: int, seed: int, config, profile: str, provenance: dict, gan, ev,
              info: dict, start: float) -> dict:
    """The GAN's card: its stopping, its agreement at the best epoch on the curve's samples
    and on fresh ones (free of the selection), its cost."""
    values = agreement_values(EpochLog(gan_dir / "agreement.csv").rows(), info["epochs"])
    info["seconds_this_process"] = round(time.perf_counter() - start, 1)
    metrics = {"agreement": values[info["best_epoch"] - 1],
               "agreement_fresh": agreement(gan, ev, config.agreement_samples, seed + 2),
               "samples": int(config.agreement_samples)}
    card = runcards.new_card(
        "gan", provenance=provenance, precision=config.gan_precision, variant=GAN_VARIANT,
        options={"trained_on": f"the {n} labelled images only"}, profile=profile, seed=seed,
        config={k: getattr(config, k) for k in GAN_FIELDS}, epochs=info["epochs"],
        steps=info["steps"], n_train=n, metrics=metrics, details=info)
    runcards.write_card(gan_dir / "card.json", card)
    return card


def run_cell(n: int, seed: int, config, profile: str, out_root, mnist, ev=None,
             verbose: int = 0, jit_compile: bool | None = None,
             progress: bool = False) -> list[dict]:
    """The four variants of (N, seed), training the cell's GAN first when a variant needs it;
    cards that exist are read, not redone. ``cell.json`` comes last."""
    out = cell_dir(out_root, n, seed, config.design)
    paths = {variant: out / f"cnn-{variant}.json" for variant in VARIANTS}
    if all(p.is_file() for p in paths.values()):
        cards = [runcards.read_card(p, "classifier") for p in paths.values()]
        if not (out / CELL_SUMMARY).is_file():
            _write_summary(out, cards, profile)
        return cards
    provenance = environment.provenance()
    real = labelled_subset(mnist, n, seed)
    test = _test_set(mnist, config)
    synthetic = None
    if not (paths["gan"].is_file() and paths["both"].is_file()):
        if ev is None:
            raise ValueError("a cell's GAN stops by the evaluator's agreement: pass ev= "
                             "(thesis_lib.evaluation.evaluator.load_evaluator()).")
        start = time.perf_counter()
        gan, info = train_gan(*real, config, seed, out / "gan", ev, verbose=verbose,
                              jit_compile=jit_compile,
                              progress=out / "progress.json" if progress else None)
        (out / "progress.json").unlink(missing_ok=True)  # live state only
        synthetic = synthetic_pool(gan, config.synthetic_pool, seed)
        if not (out / "gan" / "card.json").is_file():  # a GAN resumed after its card is done
            _gan_card(out / "gan", n, seed, config, profile, provenance, gan, ev, info, start)
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
    _write_summary(out, cards, profile)
    return cards


def _write_summary(out: Path, cards: list[dict], profile: str) -> None:
    """``cell.json``: the cell's four accuracies and its GAN, in one small file (the CPU
    campaign delivers a cell once it exists and adds its record there)."""
    gan_path = out / "gan" / "card.json"
    gan = runcards.read_card(gan_path, "gan") if gan_path.is_file() else None
    first = cards[0]
    artifacts.write_json(out / CELL_SUMMARY, {
        "design": design_of(first), "n": first["n_train"], "seed": first["seed"],
        "profile": profile, "precision": first["precision"],
        "test_accuracy": {c["arm"]: c["test_accuracy"] for c in cards},
        "gan": None if gan is None else {
            "epochs": gan["epochs"], "steps": gan["steps"],
            "best_epoch": gan["details"].get("best_epoch"),
            "stopped_by": gan["details"].get("stopped_by"), **gan["metrics"]},
        "cards": [f"cnn-{c['arm']}.json" for c in cards] + ["gan/card.json"],
        "finished_at": environment_now()})


def environment_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


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


def run(profile: str = "quick", out_root=None, mnist=None, verbose: int = 0, seeds=None,
        jit_compile: bool | None = None, progress: bool = False, **overrides):
    """Every cell of the profile (``seeds``: only these seeds), N by N and seed by seed;
    returns the cards. A cell another live process is training is left to it (and its cards
    to a later rerun)."""
    config = get_config("scarce_data", profile, **overrides)
    out_root = Path(out_root or runcards.results_dir() / "scarce")
    mnist = mnist or data.load_mnist()
    ev = evaluator.load_evaluator()
    cards = []
    for n in config.sizes:
        for seed in range(config.seeds) if seeds is None else seeds:
            out = cell_dir(out_root, n, seed, config.design)
            if not _claim(out):
                if verbose:
                    print(f"N = {n}, seed {seed}: another process is training it", flush=True)
                continue
            cards += run_cell(n, seed, config, profile, out_root, mnist, ev, verbose=verbose,
                              jit_compile=jit_compile, progress=progress)
            (out / ".lock").unlink(missing_ok=True)
            if verbose:
                print(f"N = {n}, seed {seed}: " + ", ".join(
                    f"{c['arm']} {c['test_accuracy']:.3f}" for c in cards[-len(VARIANTS):]),
                    flush=True)
    return cards


def _cells(out_root) -> list[Path]:
    """The cell folders of every design (not a delivery's hidden temporary copy)."""
    return sorted(p for p in Path(out_root).glob("*n*-seed*")
                  if p.is_dir() and not p.name.startswith("."))


def designs(out_root) -> list[int]:
    """The designs with classifier cards under ``out_root``, oldest first."""
    return sorted({design_of(runcards.read_card(p, "classifier"))
                   for cell in _cells(out_root) for p in cell.glob("cnn-*.json")})


def shown_design(out_root) -> int:
    """The design a chapter shows: the newest with cards (design 2 replaces design 1 as soon
    as one of its cells is delivered)."""
    found = designs(out_root)
    if not found:
        raise FileNotFoundError(f"no scarce-data cards under {out_root}; run "
                                f"python -m thesis_lib.studies.scarce --profile full first.")
    return found[-1]


def load_cards(out_root, design: int | None = None) -> list[dict]:
    """Every classifier card under ``out_root`` (one per N, seed and variant); with
    ``design``, only that design's."""
    cards = [runcards.read_card(p, "classifier")
             for cell in _cells(out_root) for p in sorted(cell.glob("cnn-*.json"))]
    cards = [c for c in cards if design is None or design_of(c) == design]
    if not cards:
        raise FileNotFoundError(f"no scarce-data cards under {out_root}"
                                + ("" if design is None else f" of design {design}")
                                + "; run python -m thesis_lib.studies.scarce --profile full "
                                  "first.")
    return cards


def load_gan_cards(out_root, design: int | None = None) -> list[dict]:
    """The card of every conditional GAN under ``out_root`` (of ``design``, if given)."""
    cards = [runcards.read_card(cell / "gan" / "card.json", "gan") for cell in _cells(out_root)
             if (cell / "gan" / "card.json").is_file()]
    return [c for c in cards if design is None or design_of(c) == design]


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


def gan_seconds(card: dict) -> float:
    """A GAN's training seconds: over all its processes where the card has them (runs from
    this version on), else those of the process that wrote the card."""
    details = card["details"]
    return details.get("seconds_all_processes", details.get("seconds_this_process", 0.0))


def budget(out_root, design: int | None = None) -> dict:
    """CPU seconds spent, read from the cards: the GANs' training and the classifiers'."""
    gans = load_gan_cards(out_root, design)
    return {"gan_seconds": sum(gan_seconds(c) for c in gans),
            "classifier_seconds": sum(c["seconds"] for c in load_cards(out_root, design)),
            "gans": len(gans)}


def gan_frame(out_root, design: int | None = None):
    """Per GAN: N, seed, generator steps (to the generator used), the evaluator's agreement
    with the requested digit (on fresh samples where the card has it: design 2 picks its
    generator on the curve's own samples) and the number of samples it was measured on, how
    it stopped and the training seconds."""
    import pandas as pd

    return pd.DataFrame([{"n": c["n_train"], "seed": c["seed"], "design": design_of(c),
                          "steps": c["details"].get("best_steps", c["steps"]),
                          "steps_trained": c["steps"],
                          "agreement": c["metrics"].get("agreement_fresh",
                                                        c["metrics"].get("agreement")),
                          # the generated samples behind it (both designs record them)
                          "samples": int(c["metrics"].get(
                              "samples", c["config"].get("agreement_samples", 0))),
                          "stopped_by": c["details"].get("stopped_by", "fixed budget"),
                          # real images through D per image of the N: half of each batch
                          "real_views": c["steps"] * c["config"]["gan_batch"] / 2
                          / c["n_train"],
                          "seconds": gan_seconds(c)}
                         for c in load_gan_cards(out_root, design)])


def agreement_curves(out_root, design: int = DESIGN):
    """Every GAN's agreement curve (``agreement.csv``; design 2 only): N, seed, epoch,
    generator steps and agreement, with ``best`` marking the epoch whose generator was used."""
    import pandas as pd

    rows = []
    for card in load_gan_cards(out_root, design):
        folder = cell_dir(out_root, card["n_train"], card["seed"], design) / "gan"
        best = card["details"].get("best_epoch")
        rows += [{"n": card["n_train"], "seed": card["seed"], **r, "best": r["epoch"] == best}
                 for r in EpochLog(folder / "agreement.csv").rows()]
    return pd.DataFrame(rows, columns=["n", "seed", "epoch", "steps", "agreement", "best"])


def paired_difference(frame, variant: str, baseline: str = "alone"):
    """``variant``'s accuracy minus ``baseline``'s for every (N, seed): the same N images, so the
    difference is free of which images were drawn."""
    base = frame[frame.variant == baseline].set_index(["n", "seed"])["accuracy"]
    return (frame[frame.variant == variant].set_index(["n", "seed"])["accuracy"] - base).dropna()


def paired_wins(frame, variant: str, baseline: str = "alone") -> tuple[int, int]:
    """In how many (N, seed) pairs ``variant`` beats ``baseline``, of how many."""
    diff = paired_difference(frame, variant, baseline)
    return int((diff > 0).sum()), int(len(diff))


def paired_intervals(frame, variant: str, baseline: str = "alone", level: float = 0.95):
    """Per N: the pairs (seeds), the mean paired difference ``variant − baseline``, its
    standard deviation over seeds, a Student-t interval at ``level`` (NaN with fewer than two
    pairs), the wins and the sign the interval settles (+1, −1, or 0 when it holds 0)."""
    import pandas as pd

    rows = []
    for n, d in paired_difference(frame, variant, baseline).groupby(level="n"):
        k, mean = len(d), float(d.mean())
        ci = intervals.mean_interval(d.to_numpy(), level) if k > 1 else \
            {"sd": math.nan, "low": math.nan, "high": math.nan}
        sd, low, high = ci["sd"], ci["low"], ci["high"]
        sign = 0 if k < 2 or low <= 0 <= high else (1 if low > 0 else -1)
        rows.append({"n": int(n), "pairs": k, "mean": mean, "std": sd, "low": low,
                     "high": high, "wins": int((d > 0).sum()), "sign": sign})
    return pd.DataFrame(rows, columns=["n", "pairs", "mean", "std", "low", "high", "wins",
                                       "sign"])


def parser() -> cli.Parser:
    p = cli.Parser(prog="python -m thesis_lib.studies.scarce", description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="quick")
    p.add_argument("--sizes", nargs="+", type=int, default=None)
    p.add_argument("--seeds", type=int, default=None, help="seeds 0 … SEEDS − 1 per N")
    p.add_argument("--seed", nargs="+", type=int, default=None,
                   help="only these seeds (one cell per N and seed: the CPU campaign's jobs)")
    p.add_argument("--xla", choices=("on", "off", "auto"), default="auto",
                   help="compile the GAN's training step with XLA (default: Keras' choice)")
    p.add_argument("--out", type=Path, default=None,
                   help="where the cards go (default: results/scarce)")
    return p


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    overrides = {k: v for k, v in (("sizes", args.sizes), ("seeds", args.seeds)) if v}
    cli.run_checked(p, lambda: get_config("scarce_data", args.profile, **overrides))
    if args.seed is not None and (args.seeds is not None or min(args.seed) < 0):
        p.error("--seed takes seeds >= 0 and replaces --seeds; give one of them")
    run(args.profile, args.out, verbose=1, seeds=args.seed, progress=True,
        jit_compile={"on": True, "off": False}.get(args.xla), **overrides)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

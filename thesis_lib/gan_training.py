"""Running a GAN for hours: deterministic data order, monitoring, and resumable checkpoints.

Artifacts in ``out_dir`` (every one written to a temporary file, then renamed):

- ``history.csv``: d_loss, g_loss, d_acc per epoch;
- ``monitor.csv``: every ``monitor_every`` epochs, discriminator accuracy on 100 real and 100
  generated images (as the thesis does), plus ``grid-epochNNN.png`` (10 × 10 samples from fixed
  latent points) and ``generator-epochNNN.keras``;
- ``checkpoint/``: the full training state after every epoch (both networks, both optimizers,
  random-generator states); a restarted run continues from it.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from thesis_lib import artifacts
from thesis_lib.callbacks import ResumableCheckpoint, read_csv, write_csv


class EpochShuffled(keras.utils.PyDataset):
    """Real images in half batches, reshuffled each epoch by ``rng([seed, epoch])``.

    The order depends only on the seed and the epoch number (set by :class:`EpochSync`), so a
    resumed run sees exactly the batches an uninterrupted run would. Like Brownlee's recipe, an
    epoch has ``len(images) // (2 · half_batch)`` steps (234 for MNIST with batch 256).
    """

    def __init__(self, images, half_batch: int, seed: int = 0):
        super().__init__()
        self.images, self.half_batch, self.seed, self.epoch = images, half_batch, seed, 0
        self.steps = len(images) // (2 * half_batch)
        if self.steps < 1:
            raise ValueError(f"{len(images)} images are too few for a batch of "
                             f"{2 * half_batch}; use more images or a smaller batch.")

    def __len__(self):
        return self.steps

    def __getitem__(self, idx):
        order = np.random.default_rng([self.seed, self.epoch]).permutation(len(self.images))
        return self.images[order[idx * self.half_batch:(idx + 1) * self.half_batch]]


class EpochSync(keras.callbacks.Callback):
    def __init__(self, dataset: EpochShuffled):
        super().__init__()
        self.dataset = dataset

    def on_epoch_begin(self, epoch, logs=None):
        self.dataset.epoch = epoch


class HistoryCSV(keras.callbacks.Callback):
    """Loss history, one row per epoch, kept across resumed runs."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)

    def on_epoch_end(self, epoch, logs=None):
        rows = [r for r in read_csv(self.path) if r["epoch"] <= epoch]
        rows.append({"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}})
        write_csv(self.path, rows)


class GANMonitor(keras.callbacks.Callback):
    """Every ``every`` epochs: D accuracy on 100 real and 100 fake images, a 10×10 grid of
    samples from fixed latent points, and a generator checkpoint (thesis §4.2)."""

    def __init__(self, images, out_dir: str | Path, every: int = 10, seed: int = 0,
                 pixel_range=(0.0, 1.0), verbose: bool = False):
        super().__init__()
        self.images, self.out_dir, self.every = images, Path(out_dir), every
        self.seed, self.pixel_range, self.verbose = seed, pixel_range, verbose
        self.fixed_latent = None

    def on_train_begin(self, logs=None):
        rng = np.random.default_rng([self.seed, 10_000])
        self.fixed_latent = rng.normal(size=(100, self.model.latent_dim)).astype("float32")

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done != self.params.get("epochs"):
            return
        rng = np.random.default_rng([self.seed, 20_000 + done])
        real = self.images[rng.choice(len(self.images), min(100, len(self.images)), replace=False)]
        z = rng.normal(size=(100, self.model.latent_dim)).astype("float32")
        fake = infer(self.model.generator, z)
        d = self.model.discriminator
        acc_real = float(np.mean(infer(d, real) > 0.5))
        acc_fake = float(np.mean(infer(d, fake) <= 0.5))
        rows = [r for r in read_csv(self.out_dir / "monitor.csv") if r["epoch"] < done]
        rows.append({"epoch": done, "acc_real": acc_real, "acc_fake": acc_fake})
        write_csv(self.out_dir / "monitor.csv", rows)
        samples = infer(self.model.generator, self.fixed_latent)
        save_grid(samples, self.out_dir / f"grid-epoch{done:03d}.png", self.pixel_range)
        artifacts.atomic_save(self.model.generator.save,
                              self.out_dir / f"generator-epoch{done:03d}.keras")
        if self.verbose:  # a line for the command line; a chapter shows monitor.csv instead
            print(f"\nepoch {done}: D accuracy real {acc_real:.0%}, fake {acc_fake:.0%}")


def infer(model, x, chunk: int = 500) -> np.ndarray:
    """``model(x)`` in inference mode, as a NumPy array, in chunks of at most ``chunk`` rows.

    Calls the model directly instead of ``model.predict``: on TensorFlow every ``predict`` of a
    new model (or of a new batch shape, such as the last, partial batch) traces a new
    ``tf.function``, and the monitors below look at several models every epoch, so TensorFlow
    ended up warning about "tf.function retracing" in the middle of a chapter. A direct call
    traces nothing.
    """
    x = np.asarray(x, dtype="float32")
    if len(x) == 0:
        raise ValueError("no inputs to run the model on.")
    parts = [keras.ops.convert_to_numpy(model(x[i:i + chunk], training=False))
             for i in range(0, len(x), chunk)]
    return np.concatenate(parts)


def save_grid(samples, path: str | Path, pixel_range=(0.0, 1.0), n: int = 10):
    """Save an n × n grid of images as a PNG (atomically)."""
    # A bare Figure (no pyplot) needs no backend switch: calling matplotlib.use("Agg") here
    # would take a notebook kernel off its inline backend and hide every later figure.
    from matplotlib.figure import Figure
    lo, hi = pixel_range
    fig = Figure(figsize=(n * 0.6, n * 0.6))
    axes = fig.subplots(n, n)
    for ax, img in zip(axes.ravel(), samples[: n * n]):
        ax.imshow(np.squeeze(img), cmap="gray_r", vmin=lo, vmax=hi)
        ax.axis("off")
    fig.subplots_adjust(wspace=0.05, hspace=0.05, left=0, right=1, bottom=0, top=1)
    artifacts.atomic_save(lambda p: fig.savefig(p, dpi=60), path)


def train_gan(gan, images, config, out_dir: str | Path, *, verbose: int = 1, extra_callbacks=(),
              pixel_range=(0.0, 1.0)):
    """Train ``gan`` on ``images`` for ``config.epochs`` epochs, resuming if ``out_dir`` holds a
    checkpoint. Returns the full per-epoch history read back from ``history.csv``.

    ``verbose=0`` prints nothing (what a chapter wants: it shows the CSV files instead); with
    ``verbose`` > 0, Keras' progress and one line per monitored epoch, for the command line.
    """
    out_dir = Path(out_dir)
    dataset = EpochShuffled(images, config.batch_size // 2, config.seed)
    callbacks = [EpochSync(dataset),
                 ResumableCheckpoint(out_dir / "checkpoint", verbose=bool(verbose)),
                 HistoryCSV(out_dir / "history.csv"),
                 GANMonitor(images, out_dir, config.monitor_every, config.seed, pixel_range,
                            verbose=bool(verbose)),
                 *extra_callbacks]
    # shuffle=False: Keras would otherwise shuffle the batch order with its global random state,
    # which a resumed run cannot reproduce; EpochShuffled already shuffles, by seed and epoch.
    gan.fit(dataset, epochs=config.epochs, callbacks=callbacks, verbose=verbose, shuffle=False)
    return read_csv(out_dir / "history.csv")

"""Running a GAN for hours: deterministic data order, monitoring, and resumable checkpoints.

Artifacts in ``out_dir`` (every one written to a temporary file, then renamed):

- ``history.csv``: d_loss, g_loss, d_acc (and gp, with a gradient penalty) per epoch;
- ``monitor.csv``: every ``monitor_every`` epochs, discriminator accuracy on 100 real and 100
  generated samples (as the thesis does), plus, for images, ``grid-epochNNN.png`` (10 × 10
  samples from fixed latent points; for a conditional GAN, one row per class) and
  ``generator-epochNNN.keras``;
- ``checkpoint/``: the full training state after every epoch (both networks, both optimizers,
  random-generator states); a restarted run continues from it.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from thesis_lib import artifacts, streams
from thesis_lib.callbacks import EpochLog, ResumableCheckpoint
from thesis_lib.gan.grids import save_grid
from thesis_lib.gan.latent import conditional_inputs, infer


class EpochShuffled(keras.utils.PyDataset):
    """Real samples (with their labels, if given) in batches of ``critic_steps`` × ``half_batch``,
    reshuffled each epoch by ``rng([seed, epoch])``: each training step's k critic updates take
    one half batch each.

    The order depends only on the seed and the epoch number (set by :class:`EpochSync`), so a
    resumed run sees exactly the batches an uninterrupted run would. Like Brownlee's recipe, a
    pass has ``len(images) // (2 · half_batch · critic_steps)`` steps (234 for MNIST with batch
    256 and one critic step): the same number of real images per pass whatever k is.

    By default an epoch is one pass. With ``steps_per_epoch``, an epoch is that many steps of
    the same stream of passes (global step ``g`` takes step ``g mod pass`` of pass
    ``g // pass``), so runs with different k can be checkpointed and scored every so many
    generator steps while drawing exactly the batches they would draw pass by pass.
    """

    def __init__(self, images, half_batch: int, seed: int = 0, labels=None,
                 critic_steps: int = 1, steps_per_epoch: int | None = None):
        super().__init__()
        self.images, self.half_batch, self.seed, self.epoch = images, half_batch, seed, 0
        self.labels = None if labels is None else np.asarray(labels, dtype="int32")
        if self.labels is not None and len(self.labels) != len(images):
            raise ValueError(f"{len(self.labels)} labels for {len(images)} samples; pass one "
                             f"label per sample.")
        self.per_step = half_batch * critic_steps
        self.steps = len(images) // (2 * self.per_step)
        if self.steps < 1:
            raise ValueError(f"{len(images)} samples are too few for a step of "
                             f"{2 * self.per_step} (batch {2 * half_batch} × {critic_steps} "
                             f"critic steps); use more data or a smaller batch.")
        self.steps_per_epoch = steps_per_epoch

    def __len__(self):
        return self.steps if self.steps_per_epoch is None else self.steps_per_epoch

    def __getitem__(self, idx):
        data_pass = self.epoch
        if self.steps_per_epoch is not None:
            data_pass, idx = divmod(self.epoch * self.steps_per_epoch + idx, self.steps)
        order = streams.rng(self.seed, "data_order", data_pass).permutation(len(self.images))
        chosen = order[idx * self.per_step:(idx + 1) * self.per_step]
        if self.labels is None:
            return self.images[chosen]
        return self.images[chosen], self.labels[chosen]


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
        self.log = EpochLog(path)

    def on_epoch_end(self, epoch, logs=None):
        self.log.write(epoch + 1, logs or {})


def fixed_labels(n: int, num_classes: int | None):
    """Class of each of the ``n`` monitored samples: one class per row of a 10-wide grid."""
    return None if num_classes is None else (np.arange(n) // 10) % num_classes


class GANMonitor(keras.callbacks.Callback):
    """Every ``every`` epochs: D accuracy on 100 real and 100 generated samples and a generator
    checkpoint; for images also a 10×10 grid of samples from fixed latent points (thesis §4.2)."""

    def __init__(self, images, out_dir: str | Path, every: int = 10, seed: int = 0,
                 pixel_range=(0.0, 1.0), verbose: bool = False, labels=None):
        super().__init__()
        self.images, self.out_dir, self.every = images, Path(out_dir), every
        self.labels = None if labels is None else np.asarray(labels)
        self.seed, self.pixel_range, self.verbose = seed, pixel_range, verbose
        self.log = EpochLog(self.out_dir / "monitor.csv")
        self.fixed_latent = None

    def on_train_begin(self, logs=None):
        rng = streams.rng(self.seed, "monitor_latent")
        self.fixed_latent = self.model.numpy_latent(100, rng)

    def _inputs(self, z, labels):
        if not self.model.conditional:
            return z
        return conditional_inputs(z, labels, self.model.num_classes)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done != self.params.get("epochs"):
            return
        gan = self.model
        rng = streams.rng(self.seed, "monitor_epoch", done)
        idx = rng.choice(len(self.images), min(100, len(self.images)), replace=False)
        labels = None if self.labels is None else self.labels[idx]
        z = gan.numpy_latent(len(idx), rng)
        fake = infer(gan.generator, self._inputs(z, labels))
        real_out = infer(gan.score_model, self._inputs(self.images[idx], labels))
        fake_out = infer(gan.score_model, self._inputs(fake, labels))
        threshold = 0.5 if not gan.loss_strategy.wasserstein else \
            0.5 * (real_out.mean() + fake_out.mean())
        acc_real = float(np.mean(real_out > threshold))
        acc_fake = float(np.mean(fake_out <= threshold))
        self.log.write(done, {"acc_real": acc_real, "acc_fake": acc_fake})
        if np.ndim(self.images) == 4:
            grid_labels = fixed_labels(100, gan.num_classes)
            samples = infer(gan.generator, self._inputs(self.fixed_latent, grid_labels))
            save_grid(samples, self.out_dir / f"grid-epoch{done:03d}.png", self.pixel_range)
        artifacts.atomic_save(gan.generator.save, self.out_dir / f"generator-epoch{done:03d}.keras")
        if self.verbose:  # a line for the command line; a chapter shows monitor.csv instead
            print(f"\nepoch {done}: D accuracy real {acc_real:.0%}, fake {acc_fake:.0%}")


def train_gan(gan, images, config, out_dir: str | Path, *, labels=None, verbose: int = 1,
              extra_callbacks=(), pixel_range=(0.0, 1.0)):
    """Train ``gan`` on ``images`` (and their ``labels``, for a conditional GAN) for
    ``config.epochs`` epochs, resuming if ``out_dir`` holds a checkpoint. Returns the full
    per-epoch history read back from ``history.csv``.

    ``verbose=0`` prints nothing (what a chapter wants: it shows the CSV files instead); with
    ``verbose`` > 0, Keras' progress and one line per monitored epoch, for the command line.
    """
    if gan.conditional and labels is None:
        raise ValueError("a conditional GAN trains on labelled data: pass labels=.")
    out_dir = Path(out_dir)
    dataset = EpochShuffled(images, config.batch_size // 2, config.seed,
                            labels if gan.conditional else None, gan.critic_steps,
                            config.steps_per_epoch)
    # The checkpoint comes last: an epoch counts as done only once everything it logs (losses,
    # grids, metrics, the best generator) is written, so a process killed in between redoes
    # the whole epoch instead of resuming past a metrics row it never wrote.
    callbacks = [EpochSync(dataset),
                 HistoryCSV(out_dir / "history.csv"),
                 GANMonitor(images, out_dir, config.monitor_every, config.seed, pixel_range,
                            verbose=bool(verbose), labels=labels if gan.conditional else None),
                 *extra_callbacks,
                 ResumableCheckpoint(out_dir / "checkpoint", verbose=bool(verbose))]
    # shuffle=False: Keras would otherwise shuffle the batch order with its global random state,
    # which a resumed run cannot reproduce; EpochShuffled already shuffles, by seed and epoch.
    gan.fit(dataset, epochs=config.epochs, callbacks=callbacks, verbose=verbose, shuffle=False)
    return EpochLog(out_dir / "history.csv").rows()

"""Callbacks shared by every long run: resumable checkpoints, timing, and per-epoch CSV logs.

All files are written atomically (``thesis_lib.artifacts``).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import keras
import numpy as np

from thesis_lib import artifacts


class Timer(keras.callbacks.Callback):
    """Seconds per epoch (``epochs``) and per training step (``steps``)."""

    def on_train_begin(self, logs=None):
        self.epochs, self.steps = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(time.perf_counter() - self._epoch_start)

    def on_train_batch_begin(self, batch, logs=None):
        self._step_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append(time.perf_counter() - self._step_start)


class Progress(keras.callbacks.Callback):
    """For runs that take hours: at most every ``every_s`` seconds, one line (epoch, step, the
    recent seconds per step, the time left) and ``progress.json`` beside the run's logs, which
    ``python -m thesis_lib.studies.batch --campaign --status`` reads."""

    def __init__(self, path: str | Path, every_s: float = 60.0, clock=time.monotonic,
                 printer=print):
        super().__init__()
        self.path, self.every_s, self.clock, self.printer = Path(path), every_s, clock, printer
        self.recent = []  # (time, global step) pairs of the last few reports

    def on_train_begin(self, logs=None):
        self.epochs = self.params.get("epochs") or 0
        self.steps = self.params.get("steps") or 0
        self.recent, self._last = [], None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        now = self.clock()
        step = self.epoch * self.steps + batch + 1
        if not self.recent:
            self.recent.append((now, step))  # the first step includes tracing: not timed
            self._last = now
            return
        if now - self._last < self.every_s and batch + 1 != self.steps:
            return
        self._last = now
        self.recent = (self.recent + [(now, step)])[-10:]
        (t0, s0), (t1, s1) = self.recent[0], self.recent[-1]
        per_step = (t1 - t0) / (s1 - s0) if s1 > s0 else None
        left = self.epochs * self.steps - step
        info = {"epoch": self.epoch + 1, "epochs": self.epochs, "step": batch + 1,
                "steps_per_epoch": self.steps, "seconds_per_step": per_step,
                "hours_left": None if per_step is None else per_step * left / 3600,
                "updated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        artifacts.write_json(self.path, info)
        if per_step is not None:
            self.printer(f"epoch {self.epoch + 1}/{self.epochs}, step {batch + 1}/{self.steps}: "
                         f"{per_step:.2f} s/step, {info['hours_left']:.1f} h left", flush=True)


def _seed_states(model):
    """The random-generator states of a model (latent sampling, dropout masks).

    Keras' weight files do not include them, yet without them a resumed run draws different
    random numbers from an uninterrupted one.
    """
    return [v for v in model.non_trainable_variables if v.path.endswith("seed_generator_state")]


def global_rng_states() -> dict:
    """Random states outside the model that training consumes, by backend.

    Keras' PyTorch backend draws the mask of a Dropout layer built without a seed from torch's
    global generator (its unseeded "fast path"), not from the layer's ``SeedGenerator``; the
    TensorFlow and JAX backends use the layer's generator, whose state is a model variable.
    So on PyTorch a resumed run must also get torch's global generator back (CPU, and every
    GPU's), or its dropout masks differ from an uninterrupted run's from the resumed epoch on.
    """
    if keras.backend.backend() != "torch":
        return {}
    import torch

    states = {"torch_cpu": _b64(torch.get_rng_state())}
    if torch.cuda.is_available():
        states["torch_cuda"] = [_b64(s) for s in torch.cuda.get_rng_state_all()]
    return states


def set_global_rng_states(states: dict) -> None:
    """Restore what :func:`global_rng_states` saved (a no-op for the other backends)."""
    if not states:
        return
    if keras.backend.backend() != "torch":
        raise ValueError("this checkpoint holds PyTorch random states but the Keras backend is "
                         f"{keras.backend.backend()!r}; resume it with KERAS_BACKEND=torch")
    import torch

    torch.set_rng_state(_unb64(states["torch_cpu"]))
    if "torch_cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([_unb64(s) for s in states["torch_cuda"]])


def _b64(tensor) -> str:
    import base64
    return base64.b64encode(tensor.cpu().numpy().tobytes()).decode("ascii")


def _unb64(text: str):
    import base64

    import torch
    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.uint8)


class ResumableCheckpoint(keras.callbacks.Callback):
    """Full training state after every epoch; restored at the start of ``fit``."""

    def __init__(self, directory: str | Path, verbose: bool = True):
        super().__init__()
        self.directory = Path(directory)
        self.state_file = self.directory / "state.json"
        self.verbose = verbose

    def on_train_begin(self, logs=None):
        if not self.state_file.is_file():
            return
        state = artifacts.read_json(self.state_file)
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and not optimizer.built:  # its slots must exist to be loaded
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(str(self.directory / state["weights"]))
        for var, value in zip(_seed_states(self.model), state["seed_states"]):
            var.assign(np.asarray(value, dtype=var.dtype))
        set_global_rng_states(state.get("global_rng", {}))
        self.model._initial_epoch = state["epoch"]  # what keras' BackupAndRestore sets
        if self.verbose:
            print(f"resuming from the checkpoint of epoch {state['epoch']}")

    def on_epoch_end(self, epoch, logs=None):
        name = f"state-epoch{epoch + 1:03d}.weights.h5"
        artifacts.atomic_save(self.model.save_weights, self.directory / name)
        # The pointer moves only once the new weights are complete; then old ones go.
        seeds = [np.asarray(keras.ops.convert_to_numpy(v.value)).tolist()
                 for v in _seed_states(self.model)]
        artifacts.write_json(self.state_file, {"epoch": epoch + 1, "weights": name,
                                               "seed_states": seeds,
                                               "global_rng": global_rng_states()})
        for old in self.directory.glob("state-epoch*.weights.h5"):
            if old.name != name:
                old.unlink()


class EpochLog:
    """A CSV file with one row per epoch that survives resumed runs.

    Writing the row of epoch ``e`` drops any earlier row of ``e`` or later (left by a run that
    crashed after writing them and resumed from an older checkpoint), keeps the rest, appends the
    new row and rewrites the file atomically.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def rows(self) -> list[dict]:
        return read_csv(self.path)

    def write(self, epoch: int, values: dict) -> None:
        rows = [r for r in self.rows() if r["epoch"] < epoch]
        rows.append({"epoch": int(epoch), **{k: float(v) for k, v in values.items()}})
        write_csv(self.path, rows)


def write_csv(path: Path, rows: list[dict]):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    artifacts.atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))


def read_csv(path: str | Path) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: (int(v) if k == "epoch" else float(v)) for k, v in row.items()}
                for row in csv.DictReader(fh)]



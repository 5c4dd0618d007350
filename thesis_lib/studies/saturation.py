"""Why §4.2's ``tanh`` variant draws one constant image (issue 27): the generator's output
activation traced step by step.

    python -m thesis_lib.studies.saturation --steps 150 --seeds 0 1 2   # -> results/saturation/

A generator whose output units sit where their activation is flat gets almost no gradient there:
for ``tanh``, d tanh(a)/da = 1 − tanh(a)²; for the sigmoid, σ'(a) = σ(a)(1 − σ(a)), at most ¼.
A pixel is counted *saturated* when its activation's slope is below 1 % of that activation's
largest slope (|tanh| > 0.995, or σ < 0.0025 or > 0.9975: |a| above about 3.0 and 6.0). The
trace records, every few steps, on a fixed batch of latent points: the saturated share, the mean
pixel (in [0, 1] whatever the output), how much the images differ from one another (the mean
over pixels of their standard deviation across samples: 0 for one constant image), the
pre-activation's mean, and D's mean output on those samples and on a fixed real batch.
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import time
from pathlib import Path

import keras
import numpy as np

from thesis_lib import cli, data, environment, runcards, streams
from thesis_lib.gan.latent import infer, to_unit
from thesis_lib.gan.training import EpochShuffled
from thesis_lib.profiles import get_config
from thesis_lib.studies.mnist_gan import VARIANTS, build_variant, prepare_images, variant_config

# The slope below which a pixel counts as saturated, relative to the activation's largest slope.
FLAT = 0.01


def pre_activation(images, output: str) -> np.ndarray:
    """The output layer's pre-activation recovered from its output (float64; saturated values
    come back large, as float32 rounds them to the bound)."""
    x = np.asarray(images, dtype=np.float64)
    if output == "tanh":
        return np.arctanh(np.clip(x, -1 + 1e-7, 1 - 1e-7))
    p = np.clip(x, 1e-7, 1 - 1e-7)
    return np.log(p) - np.log1p(-p)


def saturated_share(images, output: str, flat: float = FLAT) -> float:
    """The share of pixels where the output activation's slope is below ``flat`` × its largest
    slope."""
    x = np.asarray(images, dtype=np.float64)
    slope = 1 - x ** 2 if output == "tanh" else 4 * x * (1 - x)
    return float(np.mean(slope < flat))


class SaturationTrace(keras.callbacks.Callback):
    """Every ``every`` steps, the statistics of the module docstring (``rows``)."""

    def __init__(self, output: str, real, n: int = 256, every: int = 5, seed: int = 0):
        super().__init__()
        self.output, self.every, self.rows = output, every, []
        self.real = np.asarray(real[:n], dtype="float32")
        self.n, self.seed, self.z = n, seed, None

    def on_train_begin(self, logs=None):
        rng = streams.rng(self.seed, "saturation_latent")
        self.z = self.model.numpy_latent(self.n, rng)
        self._record(0, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.step = getattr(self, "step", 0) + 1
        if self.step % self.every == 0:
            self._record(self.step, logs)

    def _record(self, step, logs):
        fake = infer(self.model.generator, self.z)
        unit = to_unit(fake, self.output)
        pre = pre_activation(fake, self.output)
        d_fake = infer(self.model.score_model, fake)
        d_real = infer(self.model.score_model, self.real)
        self.rows.append({"step": step, "saturated": saturated_share(fake, self.output),
                          "mean_pixel": float(unit.mean()),
                          "spread": float(unit.std(axis=0).mean()),
                          "pre_activation": float(pre.mean()),
                          "d_fake": float(np.mean(d_fake)), "d_real": float(np.mean(d_real)),
                          **{k: float(v) for k, v in (logs or {}).items()}})


def trace(variant: str = "tanh", steps: int = 120, seed: int = 0, every: int = 5, mnist=None,
          options: dict | None = None, **overrides) -> list[dict]:
    """Train §4.2's ``variant`` (thesis_lib.studies.mnist_gan.VARIANTS, the full profile's settings;
    ``options`` adds builder options, e.g. ``{"g_batch_norm": True}``) for ``steps`` steps on
    all of MNIST, as a run would, and return the trace."""
    config, variant_options, _ = variant_config(variant, "full", seed, **overrides)
    options = {**variant_options, **(options or {})}
    output = options.get("output", "sigmoid")
    images = prepare_images(config, output, mnist or data.load_mnist())
    gan = build_variant(config, options)
    stream = EpochShuffled(images, config.batch_size // 2, seed,
                           steps_per_epoch=steps)
    real = images[streams.rng(seed, "saturation_real").choice(len(images), 256, False)]
    recorder = SaturationTrace(output, real, every=every, seed=seed)
    gan.fit(stream, epochs=1, shuffle=False, verbose=0, callbacks=[recorder])
    return recorder.rows


# What is traced: the thesis's baseline (sigmoid output, pixels in [0, 1]), its tanh variant
# (pixels in [−1, 1]), and tanh with the thesis's batch normalization (G's and D's hidden
# layers), as Radford et al. (2016) pair them: thesis_lib.studies.mnist_gan' ``tanh_batchnorm``.
KINDS = {"sigmoid": ("baseline", {}), "tanh": ("tanh", {}),
         "tanh_batchnorm": ("tanh", {"batch_norm": True})}


def run(kind: str, seed: int, steps: int, out_dir: Path, every: int = 5, mnist=None) -> dict:
    """Trace ``kind`` and write its card (``<kind>-seed<S>.json``, the rows inside)."""
    variant, options = KINDS[kind]
    provenance = environment.provenance()
    start = time.perf_counter()
    rows = trace(variant, steps=steps, seed=seed, every=every, mnist=mnist, options=options)
    card = runcards.new_card("gan_trace", provenance=provenance, profile="full", seed=seed,
                             config=runcards.config_dict(get_config("dcgan", "full", seed=seed)),
                             variant=variant, options={**VARIANTS[variant], **options},
                             trace=kind, steps=steps, every=every, rows=rows,
                             seconds=round(time.perf_counter() - start, 1))
    runcards.write_card(Path(out_dir) / f"{kind}-seed{seed}.json", card)
    return card


# --- what chapter 4.2 shows ---------------------------------------------------------------------

SATURATED = 0.9  # "most pixels saturated": the share the facts below count from
RECOVERED = 0.1  # ...and back under this share: the run came out of it


def load_traces(directory: Path) -> dict:
    """``{kind: [card, ...]}`` (seeds in order) from ``results/saturation/``."""
    found = {}
    for path in sorted(Path(directory).glob("*-seed*.json")):
        card = runcards.read_card(path, "gan_trace")
        found.setdefault(card["trace"], []).append(card)
    return {k: sorted(v, key=lambda c: c["seed"]) for k, v in found.items()}


def first_step(rows, key: str, at_least: float):
    """The first traced step whose ``key`` is at least ``at_least``, or None."""
    return next((r["step"] for r in rows if r[key] >= at_least), None)


def recovery_step(rows, high: float = SATURATED, low: float = RECOVERED):
    """The first traced step at which a run that had at least ``high`` of its pixels saturated
    is back under ``low``; None if it never got there or never came back."""
    peak = first_step(rows, "saturated", high)
    if peak is None:
        return None
    return next((r["step"] for r in rows if r["step"] > peak and r["saturated"] < low), None)


def parser() -> cli.Parser:
    p = cli.Parser(prog="python -m thesis_lib.studies.saturation",
                   description=__doc__.splitlines()[0])
    p.add_argument("--kinds", nargs="+", choices=list(KINDS), default=list(KINDS))
    p.add_argument("--seeds", nargs="+", type=cli.non_negative_int, default=[0, 1, 2])
    p.add_argument("--steps", type=cli.positive_int, default=150)
    p.add_argument("--every", type=cli.positive_int, default=5)
    p.add_argument("--out", type=Path, default=None, help="default: results/saturation")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    out = args.out or runcards.results_dir() / "saturation"
    mnist = data.load_mnist()
    for seed in args.seeds:
        for kind in args.kinds:
            if (out / f"{kind}-seed{seed}.json").is_file():
                continue  # resumable: a trace with a card is done
            card = run(kind, seed, args.steps, out, args.every, mnist)
            last = card["rows"][-1]
            print(f"{kind} seed {seed}: saturated {last['saturated']:.3f}, spread "
                  f"{last['spread']:.4f} after {args.steps} steps ({card['seconds']:.0f} s)",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

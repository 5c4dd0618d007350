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

import keras
import numpy as np

import time
from pathlib import Path

from thesis_lib import cli, data, environment, plotting, runcards
from thesis_lib.formatting import listing, num, pct
from thesis_lib.gan.latent import infer, to_unit
from thesis_lib.studies.mnist_gan import VARIANTS, build_variant, prepare_images, variant_config
from thesis_lib.gan.training import EpochShuffled
from thesis_lib.profiles import get_config

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
        rng = np.random.default_rng([self.seed, 90_000])
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
    real = images[np.random.default_rng([seed, 90_001]).choice(len(images), 256, False)]
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

LABELS_ES = {"sigmoid": "modelo base (sigmoide)", "tanh": "tanh",
             "tanh_batchnorm": "tanh con normalización por lotes"}
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


NUMBER_WORDS = ("ninguna", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
                "nueve", "diez")


def runs_text(k: int, n: int) -> str:
    """"las tres corridas", "dos de las tres corridas", "ninguna de las tres corridas"."""
    word = (lambda i: NUMBER_WORDS[i] if i < len(NUMBER_WORDS) else num(i))
    if k == n:
        return f"las {word(n)} corridas" if n > 1 else "la corrida"
    return f"{word(k)} de las {word(n)} corridas"


def numbers(items) -> str:
    """Numbers written with a decimal comma, listed with semicolons: "−8,3; −8,1 y −8,0"."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{'; '.join(items[:-1])} y {items[-1]}"


def facts(traces: dict) -> dict:
    """The numbers the chapter's text quotes, in Spanish: seeds, steps, when most of tanh's
    pixels saturated, whether each run ended saturated, and how far tanh_batchnorm stayed."""
    out = {"trace_seeds": num(len(traces["tanh"])),
           "trace_steps": num(traces["tanh"][0]["steps"]),
           "saturated_threshold": pct(SATURATED, 0), "recovered_threshold": pct(RECOVERED, 0)}
    for kind, cards in traces.items():
        ends = [c["rows"][-1] for c in cards]
        firsts = [first_step(c["rows"], "saturated", SATURATED) for c in cards]
        out[f"{kind}_first"] = listing([num(f) if f is not None else "nunca" for f in firsts])
        out[f"{kind}_end_saturated"] = numbers([pct(e["saturated"], 1) for e in ends])
        out[f"{kind}_end_spread"] = numbers([num(e["spread"], 3) for e in ends])
        out[f"{kind}_end_pre"] = numbers([num(e["pre_activation"], 1) for e in ends])
        out[f"{kind}_ended_saturated"] = runs_text(
            sum(e["saturated"] >= SATURATED for e in ends), len(ends))
        out[f"{kind}_max_saturated"] = pct(max(r["saturated"] for c in cards
                                               for r in c["rows"]), 1)
        out[f"{kind}_seeds"] = NUMBER_WORDS[len(cards)] if len(cards) < 11 else num(len(cards))
        back = [recovery_step(c["rows"]) for c in cards]
        out[f"{kind}_recovered"] = runs_text(sum(b is not None for b in back), len(back))
        out[f"{kind}_recovery_step"] = listing([num(b) if b is not None else "nunca"
                                                for b in back])
    if "tanh" in traces:  # the slope of tanh at the seeds' mean final pre-activation
        pre = float(np.mean([c["rows"][-1]["pre_activation"] for c in traces["tanh"]]))
        out["tanh_pre_mean"] = num(pre, 1)
        out["tanh_slope"] = num(1 - np.tanh(pre) ** 2, sig=1)
    return out


def run_card(traces: dict) -> str:
    """The traces' provenance in one Spanish paragraph, for the chapter's collapsed run card."""
    cards = [c for kind in traces.values() for c in kind]
    seeds = sorted({c["seed"] for c in cards})
    minutes = sum(c["seconds"] for c in cards) / 60
    return (f"Perfil full (la configuración de la tesis); semillas {listing(map(num, seeds))}; "
            f"{num(cards[0]['steps'])} pasos por corrida; precisión "
            f"{listing(sorted({c['precision'] for c in cards}))}; "
            f"{listing(sorted({environment.hardware_text(c['hardware']) for c in cards}))}; "
            f"código {listing(sorted({c['environment']['commit'] for c in cards}))} "
            f"(«+dirty»: había cambios sin commit en el árbol de trabajo cuando empezó el "
            f"proceso); {num(minutes, 0)} minutos de proceso para las {num(len(cards))} "
            f"corridas, una tras otra, mientras la máquina hacía otras tareas.")


def plot_traces(traces: dict):
    """Three panels against the step: saturated share, mean pre-activation, and the spread of
    the images (one line per seed, one colour per kind; the legend below the panels)."""
    fig, axes = plotting.new_figure(3, width=3.1, height=2.9)
    panels = (("saturated", "píxeles saturados (%)", 100.0),
              ("pre_activation", "preactivación media", 1.0),
              ("spread", "diferencia entre imágenes", 1.0))
    for i, kind in enumerate(k for k in LABELS_ES if k in traces):
        for j, card in enumerate(traces[kind]):
            steps = [r["step"] for r in card["rows"]]
            for ax, (key, _, scale) in zip(axes, panels):
                ax.plot(steps, [scale * r[key] for r in card["rows"]], color=f"C{i}", lw=1.2,
                        alpha=0.85, label=LABELS_ES[kind] if j == 0 else None)
    for ax, (_, label, _) in zip(axes, panels):
        ax.set(xlabel="paso de entrenamiento", ylabel=label)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=10,
               frameon=False)
    return fig


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

"""A GAN to watch and steer (§3.1–3.2, in the spirit of GAN Lab, Kahng et al. 2019): every
combination of data, loss, critic steps k and learning rate in a small grid, trained once with
snapshots of G's samples and of D over the data space, and kept in ``results/toy/playground/``.

The chapter's viewers (:mod:`thesis_lib.report.playground`) only read these files: the static
one in the HTML book, the ipywidgets one in JupyterLab. Command line::

    python -m thesis_lib.studies.toy.playground            # the runs not yet kept (about 20 min on 2 cores)
    python -m thesis_lib.studies.toy.playground --force    # all of them again
    python -m thesis_lib.studies.toy.playground --list

Each run: the small MLP GAN of :func:`thesis_lib.studies.toy.networks.mlp_gan` (3 × 128
LeakyReLU units, a 2-D latent space), batches of 64, seed 0, :data:`STEPS` generator steps with
:data:`FRAMES` + 1 snapshots (step 0 included). A snapshot keeps G(z) for the same
:data:`SAMPLES` latent points, D's output on a grid of the data space, the losses of the block
and VEEGAN's mode count (:func:`thesis_lib.studies.toy.mixtures.mode_stats`).
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thesis_lib import artifacts, cli, environment, runcards
from thesis_lib.studies.toy import mixtures, snapshots
from thesis_lib.studies.toy import networks as toy

DATASETS = ("mixture1d", "ring")
LOSSES = ("minimax", "non_saturating", "wasserstein_gp")
CRITIC_STEPS = (1, 5)
LEARNING_RATES = (1e-4, 1e-3)
STEPS = 3000
FRAMES = 10
SAMPLES = 500
BATCH = 64
SEED = 0
# The 1-D mixture: two Gaussians far apart, one narrower than the other, equal weights.
MIXTURE_CENTERS = np.array([[-2.0], [2.0]], dtype="float32")
MIXTURE_STD = 0.3
LIMITS = {"mixture1d": 4.0, "ring": 3.0}  # the data space shown: [−lim, lim] (squared in 2-D)
GRID_POINTS = {"mixture1d": 161, "ring": 31}


@dataclass(frozen=True)
class Choice:
    """One combination of the steerable settings."""

    dataset: str
    loss: str
    critic_steps: int
    learning_rate: float

    def __post_init__(self):
        for name, value, valid in (("dataset", self.dataset, DATASETS),
                                   ("loss", self.loss, LOSSES),
                                   ("critic_steps", self.critic_steps, CRITIC_STEPS),
                                   ("learning_rate", self.learning_rate, LEARNING_RATES)):
            if value not in valid:
                raise ValueError(f"unknown {name} {value!r}; valid: "
                                 f"{', '.join(map(str, valid))}.")

    @property
    def key(self) -> str:
        """The run's folder name, e.g. ``ring-non_saturating-k1-lr0.001``."""
        return f"{self.dataset}-{self.loss}-k{self.critic_steps}-lr{self.learning_rate:g}"


def choices() -> list[Choice]:
    """Every combination, in a fixed order (data, loss, k, learning rate)."""
    return [Choice(*c) for c in itertools.product(DATASETS, LOSSES, CRITIC_STEPS,
                                                  LEARNING_RATES)]


def data_of(dataset: str, n: int = 100_000, seed: int = SEED):
    """(samples, centres, std) of ``dataset``: the 1-D mixture or the ring of 8 Gaussians."""
    if dataset == "ring":
        samples, _ = mixtures.ring_of_gaussians(n, seed=seed)
        return samples, mixtures.ring_centers(), 0.02
    if dataset == "mixture1d":
        samples, _ = mixtures.mixture(n, MIXTURE_CENTERS, MIXTURE_STD, seed)
        return samples, MIXTURE_CENTERS, MIXTURE_STD
    raise ValueError(f"unknown dataset {dataset!r}; valid: {', '.join(DATASETS)}.")


def grid_of(dataset: str) -> np.ndarray:
    """The points of the data space where D is evaluated: (p, 1) or (p², 2)."""
    lim, points = LIMITS[dataset], GRID_POINTS[dataset]
    if dataset == "ring":
        return snapshots.plane_grid(lim, points)
    return np.linspace(-lim, lim, points, dtype="float32")[:, None]


def build(choice: Choice):
    """The compiled GAN of ``choice`` (both networks at its learning rate)."""
    data_dim = 1 if choice.dataset == "mixture1d" else 2
    return toy.mlp_gan(data_dim=data_dim, loss=choice.loss, critic_steps=choice.critic_steps,
                       learning_rate=choice.learning_rate, seed=SEED)


def run(choice: Choice, steps: int = STEPS, frames: int = FRAMES,
        samples: int = SAMPLES) -> dict:
    """Train ``choice`` with snapshots; returns the arrays a viewer needs and the run's card."""
    provenance = environment.provenance(with_gpus=False)
    data, centers, std = data_of(choice.dataset)
    grid = grid_of(choice.dataset)
    gan = build(choice)
    shot = snapshots.train_with_snapshots(gan, data, grid, steps=steps, snapshots=frames,
                                          batch=BATCH, seed=SEED, samples=samples)
    stats = [mixtures.mode_stats(s, centers, std) for s in shot["samples"]]
    history = shot["history"]
    # One setting, the same in every profile (the chapter only reads these runs): "full".
    config = {"dataset": choice.dataset, "loss": choice.loss,
              "critic_steps": choice.critic_steps, "learning_rate": choice.learning_rate,
              "steps": steps, "frames": frames, "samples": samples, "batch": BATCH,
              "seed": SEED, "hidden": [128, 128, 128], "latent_dim": 2}
    card = runcards.new_card(
        "toy_gan", provenance=provenance, profile="full", config=config, variant=choice.key,
        dataset=choice.dataset, loss=choice.loss, steps=steps, batch=BATCH,
        seconds=round(shot["seconds"], 1), seed=SEED,
        metrics={"modes_captured": [int(s["modes_captured"]) for s in stats],
                 "high_quality": [float(s["high_quality"]) for s in stats],
                 "modes": len(centers)})
    return {"card": card, "steps": np.asarray(shot["steps"], "int32"),
            "samples": np.stack(shot["samples"]).astype("float32"),
            "d": np.stack(shot["d"]).astype("float32"), "grid": grid,
            "d_loss": np.asarray(history.get("d_loss", []), "float32"),
            "g_loss": np.asarray(history.get("g_loss", []), "float32")}


def default_dir() -> Path:
    return runcards.results_dir() / "toy" / "playground"


def save(result: dict, out: Path) -> Path:
    """``out/<key>/card.json`` and ``frames.npz`` (both written atomically)."""
    folder = Path(out) / result["card"]["variant"]
    arrays = {k: v for k, v in result.items() if k != "card"}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    artifacts.atomic_write_bytes(folder / "frames.npz", buffer.getvalue())
    runcards.write_card(folder / "card.json", result["card"])
    return folder


def load(choice: Choice, out: Path | None = None) -> dict:
    """A kept run: its card and arrays; a clear error naming the command when it is missing."""
    folder = Path(out or default_dir()) / choice.key
    if not (folder / "card.json").is_file():
        raise FileNotFoundError(f"{folder} is missing: run `python -m "
                                f"thesis_lib.studies.toy.playground` to train the grid.")
    with np.load(folder / "frames.npz") as f:
        arrays = {k: f[k] for k in f.files}
    return {"card": runcards.read_card(folder / "card.json", "toy_gan"), **arrays}


def main(argv=None) -> int:
    parser = cli.Parser(prog="python -m thesis_lib.studies.toy.playground",
                        description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="train every run again")
    parser.add_argument("--list", action="store_true", help="list the runs and whether kept")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: results)")
    args = parser.parse_args(argv)
    out = args.out or default_dir()
    for choice in choices():
        kept = (out / choice.key / "card.json").is_file()
        if args.list:
            print(f"{choice.key:45} {'kept' if kept else 'missing'}")
            continue
        if kept and not args.force:
            continue
        result = run(choice)
        folder = save(result, out)
        print(f"{choice.key}: {result['card']['seconds']} s -> {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Re-score every committed GAN run on MNIST with the full set of metrics (book section «Cómo se
mide una GAN»; thesis §3.3 and §4.2): a ``scores.json`` beside each run's ``card.json``, which
stays as it was.

    python -m thesis_lib.studies.rescore               # every run whose scores are missing or stale
    python -m thesis_lib.studies.rescore --force       # all of them again
    python -m thesis_lib.studies.rescore --list        # which runs have scores, which cannot
    python -m thesis_lib.studies.rescore --under results/dcgan/baseline-full-e100-seed1

A run is re-scored from its committed generator, loaded only if its SHA-256 matches the card's;
``scores.json`` records that hash, so a generator replaced later makes the scores stale. A run
whose generator is neither committed nor scored is reported, not scored; a run scored where its
generator was (the campaign scores each run it delivers) keeps its scores. The real reference (the 10,000 test
images) and the real-data floor (10,000 training images scored the same way) are computed once
per invocation and written into each file, so that every file reads on its own.
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import sys
from pathlib import Path

import numpy as np

from thesis_lib import artifacts, cli, environment, runcards
from thesis_lib.data import load_mnist
from thesis_lib.evaluation import gan_scores
from thesis_lib.evaluation.evaluator import load_evaluator
from thesis_lib.studies import gan_results

SCORES = "scores.json"
SCHEMA = 2  # 2: intervals cut at each metric's bounds
N_GENERATED = 10_000
SEED = 0
GROUPS = ("dcgan", "mnist_gan", "mnist_gan_attempts", "scarce")


def gan_runs(results: Path | None = None) -> list[Path]:
    """Folders of every committed MNIST GAN run (a GAN card) under ``results``."""
    results = Path(results or runcards.results_dir())
    runs = []
    for group in GROUPS:
        for card in sorted((results / group).rglob("card.json")):
            if runcards.read_card(card).get("kind") == "gan":
                runs.append(card.parent)
    return runs


def status(run: Path) -> str:
    """'current' (scores written from the generator the card records), 'stale' (from another
    generator, or an older schema), 'missing' (a generator to score, no scores yet) or 'no
    generator'. Scores stay current where the generator itself is not committed: the campaign
    scores a run when it delivers it, and only the 100-epoch baseline's weights are kept."""
    card = runcards.read_card(run / "card.json")
    if (run / SCORES).is_file():
        scores = artifacts.read_json(run / SCORES)
        current = scores.get("generator_sha256") == card.get("generator_sha256") and \
            scores.get("schema") == SCHEMA
        return "current" if current else "stale"
    weights = card.get("generator_weights")
    return "missing" if weights and (run / weights).is_file() else "no generator"


class Reference:
    """The evaluator, the test set's features and labels, and the real-data floor's scores."""

    def __init__(self, replicates: int, seed: int = SEED):
        self.evaluator = load_evaluator()
        (x_train, y_train), (x_test, y_test) = load_mnist()
        self.test_probs, self.features = self.evaluator.probabilities_and_features(x_test)
        self.labels = y_test
        idx = np.random.default_rng(seed).choice(len(x_train), N_GENERATED, replace=False)
        probs, feats = self.evaluator.probabilities_and_features(x_train[idx])
        self.train_features, self.train_labels = feats, y_train[idx]
        self.floor = gan_scores.score(self.features, feats, probs, replicates=replicates,
                                      seed=seed)
        self.floor["per_class"] = gan_scores.per_class(self.features, y_test, feats,
                                                       probs.argmax(axis=1))


def score_run(run: Path, ref: Reference, replicates: int, seed: int = SEED) -> dict:
    """The scores of one run's generator (``N_GENERATED`` images, seed ``seed``)."""
    card = {**runcards.read_card(run / "card.json"), "run_dir": run}
    conditional = card["config"].get("conditional", False)
    images = gan_results.sample_images(card, N_GENERATED, seed=seed)
    probs, feats = ref.evaluator.probabilities_and_features(images)
    out = gan_scores.score(ref.features, feats, probs, replicates=replicates, seed=seed)
    # A conditional generator's class is the one it was asked for (sample_images asks for
    # 0, 1, …, 9 in turn); otherwise the evaluator's reading.
    classes = np.arange(N_GENERATED) % 10 if conditional else probs.argmax(axis=1)
    out["per_class"] = gan_scores.per_class(ref.features, ref.labels, feats, classes,
                                            floor_features=ref.train_features,
                                            floor_labels=ref.train_labels, seed=seed)
    out["classes_by"] = "requested" if conditional else "evaluator"
    return out


def write_scores(run: Path, scores: dict, ref: Reference) -> Path:
    card = runcards.read_card(run / "card.json")
    payload = {"schema": SCHEMA, "run": run.name, "generator_sha256": card["generator_sha256"],
               "generated": scores, "real_floor": ref.floor,
               "reference": "the 10,000 MNIST test images",
               "floor": "10,000 MNIST training images (seed 0) scored as a generator would be",
               "environment": environment.provenance(with_gpus=False)}
    return artifacts.write_json(run / SCORES, payload)


def main(argv=None) -> int:
    parser = cli.Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=None, help="results/ folder")
    parser.add_argument("--force", action="store_true", help="re-score current runs too")
    parser.add_argument("--list", action="store_true", help="only say where each run stands")
    parser.add_argument("--replicates", type=cli.bounded(int, 20, False, "an integer >= 20"),
                        default=200, help="bootstrap replicates (default 200)")
    parser.add_argument("--under", type=Path, default=None,
                        help="only the runs in this folder (a run, or a campaign delivery)")

    args = parser.parse_args(argv)

    def action() -> int:
        runs = gan_runs(args.results)
        if args.under:
            under = args.under.resolve()
            runs = [r for r in runs if r.resolve() == under or under in r.resolve().parents]
        states = {r: status(r) for r in runs}
        if args.list:
            for r, s in states.items():
                print(f"{s:13} {r.relative_to(r.parents[1])}")
            return 0
        todo = [r for r, s in states.items()
                if s in ("missing", "stale") or (args.force and s == "current")]
        for r, s in states.items():
            if s == "no generator":
                print(f"not scored (no committed generator): {r}")
        if not todo:
            print("every run with a committed generator has current scores")
            return 0
        ref = Reference(args.replicates)
        for r in todo:
            print(f"scoring {r} …", flush=True)
            write_scores(r, score_run(r, ref, args.replicates), ref)
        return 0

    return cli.run_checked(parser, action)


if __name__ == "__main__":
    sys.exit(main())

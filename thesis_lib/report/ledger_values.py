"""Values the chapters compute only when they run, computed again here and kept as small
committed files, ``results/values/NAME.json``, that the claims ledger (``results/claims.yml``)
and its tests re-read: no number of the ledger rests on a chapter label alone (issue 29).

Each function below repeats its chapter's call chain exactly (same profile, same seed, same
``thesis_lib`` calls; its docstring names the chapter and the glued names) and returns the value the
chapter glues, beside what a reader needs to weigh it: for a proportion, ``k`` of ``n`` and a
95 % Wilson interval; where the chapter runs one seed, the same pipeline over more seeds, so that
the difference it reports can be set against the seed-to-seed spread. The file's ``value`` is
the chapter's number (the ledger's ``key: value``); ``text`` is how the chapter prints it.

Command line (each value takes seconds to a few minutes on a 2-core CPU)::

    python -m thesis_lib.report.ledger_values                 # every value, quick profile
    python -m thesis_lib.report.ledger_values --only xor_solved confusion_row0
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import functools
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
from scipy import stats

from thesis_lib import artifacts, cli, data, environment, intervals, profiles, runcards
from thesis_lib.evaluation import evaluator, metrics
from thesis_lib.formatting import pct
from thesis_lib.gan.latent import infer
from thesis_lib.nn import feedforward, regularization
from thesis_lib.report.dcgan import best_final_facts
from thesis_lib.studies import classifiers, gan_results, variant_runs
from thesis_lib.studies import latent_directions as directions
from thesis_lib.studies.toy import critic

SCHEMA_VERSION = 1
KIND = "ledger_value"
# Keys that say where and when a value was computed, not what it is: a rerun may change them.
# ``seconds`` is this value's own time: the dense networks that ``overlap`` and
# ``confusion_row0`` share are trained once per process and counted where they were trained.
PROVENANCE_KEYS = ("hardware", "environment", "finished_at", "seconds")
CONFIDENCE = 0.95


def values_dir() -> Path:
    return runcards.results_dir() / "values"


def wilson(k: int, n: int, level: float = CONFIDENCE) -> dict:
    """``k`` of ``n`` as a proportion with its Wilson score interval (scipy's)."""
    low, high = intervals.wilson(k, n, level)
    return {"k": int(k), "n": int(n), "share": k / n,
            "interval": {"level": level, "method": "wilson", "low": low, "high": high}}


def _spread(values) -> dict:
    """Mean, sample standard deviation, minimum and maximum of a few numbers (one per seed),
    and, from three on, the 95 % prediction interval of one more run, mean ± t·sd·√(1 + 1/n)
    (normal runs): where another seed's number, such as the thesis's own run, would fall."""
    v = np.asarray(values, dtype=float)
    out = {"n": int(len(v)), "mean": float(v.mean()),
           "sd": float(v.std(ddof=1)) if len(v) > 1 else None,
           "min": float(v.min()), "max": float(v.max())}
    if len(v) >= 3:
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, len(v) - 1) * out["sd"] * np.sqrt(1 + 1 / len(v))
        out["next_run_interval"] = {"level": CONFIDENCE, "low": out["mean"] - half,
                                    "high": out["mean"] + half}
    return out


# --- chapter 2.2: XOR from many seeds ----------------------------------------------------------

def xor_solved(profile: str = "quick") -> dict:
    """Chapter 02-2 (thesis §2.2, the universal approximation theorem says nothing of how to
    find the weights), the cells that train the XOR networks: the share of 2-2-1 ReLU networks
    trained on XOR, one per seed, that solve it (``glue("xor_solved", ...)``)."""
    config = profiles.get_config("feedforward", profile)
    runs = feedforward.train_xor_nets(range(config.xor_seeds), epochs=config.xor_epochs,
                                      learning_rate=config.xor_learning_rate)
    k, n = int(runs.solved.sum()), len(runs.seeds)
    return {"value": runs.solved.mean(), "text": pct(runs.solved.mean(), 0), **wilson(k, n),
            "outcomes": runs.outcome_counts(),
            "dead_at_init": wilson(int(np.sum(runs.dead_at_init > 0)), n),
            "seeds": list(runs.seeds), "config": runcards.config_dict(config)}


# --- chapter 2.4: the penalties on a small MNIST classifier ------------------------------------

def _regularizers_for_seed(config, mnist) -> dict:
    """Chapter 02-4's MNIST comparison for one configuration: test accuracy of each variant."""
    (x_train, y_train), (x_test, y_test) = mnist
    x_train, y_train = data.stratified_subset(x_train, y_train, config.train_subset, config.seed)
    if config.test_subset:
        x_test, y_test = data.stratified_subset(x_test, y_test, config.test_subset, config.seed)

    def prep(x):
        return data.scale_01(x).reshape(-1, 784)

    results = regularization.compare_regularizers(
        prep(x_train), data.one_hot(y_train), prep(x_test), data.one_hot(y_test),
        epochs=config.epochs, batch_size=config.batch_size, seed=config.seed)
    summary = regularization.summary_table(results)
    glued = regularization.summary_numbers(summary, results, x_train, len(x_test))
    test = summary["exactitud en prueba"]
    n_test = len(x_test)
    return {"seed": config.seed, "text": glued["reg_spread"],
            "spread_points": float(100 * (test.max() - test.min())),
            "best": str(test.idxmax()), "worst": str(test.idxmin()),
            "test_accuracy": {v: wilson(round(a * n_test), n_test) for v, a in test.items()},
            "train_accuracy": {v: float(a) for v, a in
                               summary["exactitud en entrenamiento"].items()}}


def reg_spread(profile: str = "quick", seeds=(0, 1, 2)) -> dict:
    """Chapter 02-4 (thesis §2.4, regularization improves generalization), its MNIST comparison: how
    far apart, in percentage points, the four variants' test accuracies are (``reg_spread``, seed 0
    in the book), and the same pipeline (subset and initialisation both follow the seed) over
    ``seeds``: the spread between variants in each seed, each variant's seed-to-seed spread (the
    yardstick the chapter's sentence compares it with) and each variant's paired difference with the
    unregularized network."""
    mnist = data.load_mnist()
    base = profiles.get_config("regularization", profile)
    per_seed = [_regularizers_for_seed(profiles.get_config("regularization", profile, seed=s),
                                       mnist) for s in seeds]
    chapter = next(r for r in per_seed if r["seed"] == base.seed)
    variants = list(chapter["test_accuracy"])
    by_variant = {v: _spread([100 * r["test_accuracy"][v]["share"] for r in per_seed])
                  for v in variants}
    # Each variant against the unregularized network of the same seed (same data, same
    # initialisation): the paired difference, in points, with its t interval over the seeds.
    baseline = regularization.VARIANTS[0]
    paired = {}
    for v in (v for v in variants if v != baseline):
        d = np.array([100 * (r["test_accuracy"][v]["share"]
                             - r["test_accuracy"][baseline]["share"]) for r in per_seed])
        ci = intervals.mean_interval(d, CONFIDENCE)
        paired[v] = {"n": ci["n"], "mean": ci["mean"], "sd": ci["sd"],
                     "interval": {"level": CONFIDENCE, "method": "paired Student t over seeds",
                                  "low": ci["low"], "high": ci["high"]},
                     "by_seed": d.tolist()}
    return {"value": chapter["spread_points"], "text": chapter["text"], "unit": "points",
            "seed": base.seed, "seeds": list(seeds),
            "difference_with_no_regularization_points": paired,
            "between_variants_by_seed": _spread([r["spread_points"] for r in per_seed]),
            "test_accuracy_points_by_variant": by_variant,
            "best_by_seed": {str(r["seed"]): r["best"] for r in per_seed},
            "per_seed": per_seed, "config": runcards.config_dict(base)}


# --- chapter 3.3: weight clipping ---------------------------------------------------------------

def cs_at_bound(profile: str = "quick", seeds=(0, 1, 2)) -> dict:
    """Chapter 03-3 (thesis §3.3, clipping can take the critic's capacity away), its 2-D critic
    study: the share of the clipped 2-D critic's kernel weights within 1 % of ±c after training
    (``cs_at_bound``, seed 0 in the book; the check cell asks for more than a quarter), and the same
    run with other seeds."""
    config = profiles.get_config("gan_variants", profile)
    rows = []
    for seed in seeds:
        result = critic.run("wasserstein_clip", steps=config.critic_2d_steps, seed=seed)
        share = critic.summary(result)["at_bound"]
        weights = np.abs(result["weights"])
        k = int(np.sum(weights >= 0.99 * result["clip"]))
        if k != round(share * weights.size):  # the chapter's share, counted
            raise RuntimeError(f"seed {seed}: {k} weights at the bound, the chapter's share "
                               f"is {share}")
        rows.append({"seed": seed, "clip": result["clip"], "text": pct(share, 0),
                     "max_abs_weight": float(weights.max()), **wilson(k, weights.size)})
    chapter = next(r for r in rows if r["seed"] == config.seed)
    return {"value": chapter["share"], "text": chapter["text"], "seed": config.seed,
            "k": chapter["k"], "n": chapter["n"], "seeds": list(seeds),
            "by_seed": _spread([r["share"] for r in rows]), "per_seed": rows,
            "steps": config.critic_2d_steps, "config": runcards.config_dict(config),
            "note": "n counts kernel weights of one network; they are not independent draws, "
                    "so the Wilson interval describes counting, and the seeds give the spread."}


# --- chapter 3.3: the ink direction and the digit ------------------------------------------------

def _per_sample_flips(images_fn, model, z, direction) -> np.ndarray:
    """Whether the classifier's digit differs between G(z − d) and G(z + d), per sample (what
    :func:`thesis_lib.studies.latent_directions.swing_effect` averages)."""
    d = np.asarray(direction, "float32")[None]
    low = infer(model, infer(images_fn, z - d)).argmax(axis=1)
    high = infer(model, infer(images_fn, z + d)).argmax(axis=1)
    return low != high


def flip_ink(profile: str = "quick") -> dict:
    """Chapter 03-3 (thesis §3.3, an entangled Z), its attribute directions and swings: on the
    longest committed baseline DCGAN, the share of samples whose digit (the evaluator's reading)
    changes when z moves ±1 along the ink regression direction (``flip_ink``), beside a random unit
    direction (``flip_random``, the control) on the same samples: a paired comparison (discordant
    pairs, exact McNemar test, normal interval of the paired difference)."""
    config = profiles.get_config("gan_variants", profile)
    card = gan_results.longest_run(gan_results.load_cards(runcards.results_dir() / "dcgan"),
                                   max_epochs=gan_results.CHAPTER_LONG_RUN_EPOCHS)
    ev = evaluator.load_evaluator()
    attr, z = variant_runs.attribute_directions(card, ev, n=config.attribute_samples,
                                                seed=config.seed)
    images_fn = directions.image_function(gan_results.load_generator(card),
                                          card["options"].get("output", "sigmoid"))
    flips = {k: _per_sample_flips(images_fn, ev.model, z, attr[k]["direction"])
             for k in ("ink", "random")}
    for k, f in flips.items():  # the per-sample flags are the chapter's numbers, unaveraged
        if not np.isclose(f.mean(), attr[k]["effect"]["flip_share"]):
            raise RuntimeError(f"{k}: per-sample flips {f.mean()} differ from the chapter's "
                               f"{attr[k]['effect']['flip_share']}")
    ink, rand = flips["ink"], flips["random"]
    b, c = int(np.sum(ink & ~rand)), int(np.sum(rand & ~ink))
    d = ink.astype(float) - rand.astype(float)
    ci = intervals.mean_interval(d, CONFIDENCE, method="normal")
    return {"value": float(ink.mean()), "text": pct(ink.mean(), 0),
            **wilson(int(ink.sum()), len(ink)),
            "random": {"text": pct(rand.mean(), 0), **wilson(int(rand.sum()), len(rand))},
            "difference": {"value": float(d.mean()), "ink_only": b, "random_only": c,
                           "mcnemar_exact_p": float(stats.binomtest(b, b + c).pvalue)
                           if b + c else 1.0,
                           "interval": {"level": CONFIDENCE,
                                        "method": "paired normal: mean ± z·sd/√n of the "
                                                  "per-sample differences",
                                        "low": ci["low"], "high": ci["high"]}},
            "seed": config.seed,
            "generator": {"run": card["run_dir"].name, "epochs": card["epochs"],
                          "steps": card["steps"], "seed": card["seed"],
                          "sha256": card["generator_sha256"]},
            "evaluator_sha256": ev.card["weights_sha256"], "config": runcards.config_dict(config)}


# --- chapter 4.2: the best epoch's generator against the final one -----------------------------

def best_vs_final(profile: str = "quick") -> dict:
    """Chapter 04-2 (thesis §4.2, when to stop; glued ``bf_difference``): the long run's
    generator kept at its best epoch (by the per-epoch Fréchet distance on 2,000 samples) and
    its final one, re-measured on the same 10,000 fresh latent points against the test set; the
    value is best − final with its paired bootstrap interval. The same in every profile: it
    reads committed generators."""
    card = gan_results.longest_run(gan_results.load_cards(runcards.results_dir() / "dcgan"),
                                   max_epochs=gan_results.CHAPTER_LONG_RUN_EPOCHS)
    ev = evaluator.load_evaluator()
    test_features = ev.features(data.scale_01(_mnist()[1][0]))
    result = gan_results.best_against_final(card, ev, test_features)
    return {"value": result["difference"]["value"],
            "text": best_final_facts(result)["bf_difference"],
            **{k: v for k, v in result.items() if k != "seed"},
            "bootstrap_seed": result["seed"], "epochs": card["epochs"], "seed": card["seed"],
            "generator": {"run": card["run_dir"].name, "epochs": card["epochs"],
                          "seed": card["seed"], "sha256": card["generator_sha256"],
                          "best_sha256": card["best"]["generator_sha256"]},
            "evaluator_sha256": ev.card["weights_sha256"]}


# --- chapter 4.1: the dense classifier's errors ------------------------------------------------

@functools.lru_cache(maxsize=None)
def _mnist():
    return data.load_mnist()


@functools.lru_cache(maxsize=None)
def _dense_run(profile: str, seed: int) -> dict:
    """Chapter 04-1's dense network, its confusion matrix and its errors, for one seed: the network
    trained under ``profile``, its confusion matrix on the test set and its ten most confident
    errors (kept for the process: :func:`confusion_row0` and :func:`overlap` read the same runs)."""
    mnist = _mnist()
    model, card = classifiers.train("dense", profile, mnist=mnist, seed=seed)
    (_, _), (x_test, y_test) = mnist
    probs = model.predict(data.scale_01(x_test).reshape(-1, 784), verbose=0, batch_size=2000)
    pred = probs.argmax(axis=1)
    return {"seed": seed, "test_accuracy": card["test_accuracy"],
            "confusion": metrics.confusion_matrix(y_test, pred),
            "wrong": metrics.most_confident_errors(probs, y_test, k=10),
            "error_indices": np.flatnonzero(pred != y_test),
            "errors": int(np.sum(pred != y_test))}


def _dense_runs(profile: str, seeds) -> list[dict]:
    """:func:`_dense_run` for each seed, each beside the committed full-profile card of its
    seed: the dense model's quick and full profiles are both the thesis's setting, so a
    retrained run should reach its card's test accuracy."""
    committed = {c["seed"]: c["test_accuracy"] for c in
                 classifiers.load_cards(runcards.results_dir() / "classifiers", "dense")}
    out = []
    for seed in seeds:
        run = _dense_run(profile, seed)
        card = committed.get(seed)
        out.append({**run, "committed_full_card_accuracy": card,
                    "matches_committed_card": None if card is None
                    else bool(np.isclose(card, run["test_accuracy"], atol=5e-5))})
    return out


def confusion_row0(profile: str = "quick", seeds=(0, 1, 2, 3, 4)) -> dict:
    """Chapter 04-1 (thesis §4.1: the row of the zeros holds 972 right and 8 wrong): the dense
    network's row 0 of the confusion matrix on the 10,000 test images (seed 0 in the book:
    ``row0_correct``, ``row0_errors``, ``row0_detail``), and the same over ``seeds``."""
    config = profiles.get_config("dense_classifier", profile)
    rows = []
    for r in _dense_runs(profile, seeds):
        row = r["confusion"][0]
        rows.append({"seed": r["seed"], "correct": int(row[0]), "errors": int(row.sum() - row[0]),
                     "row": row.tolist(),
                     "detail": ", ".join(f"{n} como {d}" for d, n in enumerate(row) if d and n),
                     "test_accuracy": r["test_accuracy"],
                     "matches_committed_card": r["matches_committed_card"],
                     "committed_full_card_accuracy": r["committed_full_card_accuracy"]})
    chapter = next(r for r in rows if r["seed"] == config.seed)
    n = int(sum(chapter["row"]))
    return {"value": chapter["correct"], "errors": chapter["errors"], "detail": chapter["detail"],
            "recall": wilson(chapter["correct"], n), "seed": config.seed, "seeds": list(seeds),
            "correct_by_seed": _spread([r["correct"] for r in rows]),
            "errors_by_seed": _spread([r["errors"] for r in rows]),
            "per_seed": rows, "thesis": {"correct": 972, "errors": 8},
            "config": runcards.config_dict(config)}


def overlap(profile: str = "quick", seeds=(0, 1, 2, 3, 4)) -> dict:
    """Chapter 04-1 (thesis §4.1: the CNN's most confident errors were the dense network's):
    how many of the dense network's ten most confident test errors are also among the shipped
    evaluator CNN's ten (``overlap``, seed 0 in the book), and the same over ``seeds`` of the
    dense network (the evaluator is the one committed CNN)."""
    config = profiles.get_config("dense_classifier", profile)
    (_, _), (x_test, y_test) = _mnist()
    ev = evaluator.load_evaluator()
    ev_probs = ev.probabilities(x_test)
    ev_wrong = set(metrics.most_confident_errors(ev_probs, y_test, k=10).tolist())
    rows = [{"seed": r["seed"], "overlap": len(ev_wrong & set(r["wrong"].tolist())),
             "dense_top10": r["wrong"].tolist(), "dense_errors": r["errors"],
             # Chance level: ten of the dense network's errors drawn at random would hold on
             # average 10/E of the evaluator's ten that are among its E errors at all.
             "chance_expectation": 10 * len(ev_wrong & set(r["error_indices"].tolist()))
             / r["errors"],
             "test_accuracy": r["test_accuracy"],
             "matches_committed_card": r["matches_committed_card"]}
            for r in _dense_runs(profile, seeds)]
    chapter = next(r for r in rows if r["seed"] == config.seed)
    ev_errors = int(np.sum(ev_probs.argmax(axis=1) != y_test))
    return {"value": chapter["overlap"], "of": 10, "seed": config.seed, "seeds": list(seeds),
            "evaluator_top10": sorted(ev_wrong), "evaluator_errors": ev_errors,
            "evaluator_sha256": ev.card["weights_sha256"],
            "chance_expectation": chapter["chance_expectation"],
            "overlap_by_seed": _spread([r["overlap"] for r in rows]), "per_seed": rows,
            "config": runcards.config_dict(config)}


# --- the registry and the files ---------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """A glued value of a chapter: the function that computes it and where it appears."""

    compute: Callable[..., dict]
    chapter: str
    section: str
    glue: tuple[str, ...]


VALUES = {
    "xor_solved": Value(xor_solved, "02-2-redes-prealimentadas", "2.2", ("xor_solved",)),
    "reg_spread": Value(reg_spread, "02-4-regularizacion", "2.4", ("reg_spread",)),
    "cs_at_bound": Value(cs_at_bound, "03-3-variantes", "3.3", ("cs_at_bound",)),
    "flip_ink": Value(flip_ink, "03-3-variantes", "3.3", ("flip_ink", "flip_random")),
    "best_vs_final": Value(best_vs_final, "04-2-dcgan", "4.2",
                           ("bf_difference", "bf_best_fd", "bf_final_fd")),
    "overlap": Value(overlap, "04-1-clasificadores", "4.1", ("overlap",)),
    "confusion_row0": Value(confusion_row0, "04-1-clasificadores", "4.1",
                            ("row0_correct", "row0_errors", "row0_detail")),
}


def _plain(obj):
    """``obj`` with NumPy scalars and arrays as JSON values."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def compute(name: str, profile: str = "quick") -> dict:
    """The file's content for value ``name``: what the chapter computes, its spread, and the
    provenance of this computation (profile, seeds, hardware, versions, commit)."""
    if name not in VALUES:
        raise ValueError(f"unknown value {name!r}; valid: {', '.join(VALUES)}.")
    spec = VALUES[name]
    provenance = environment.provenance()
    start = time.perf_counter()
    result = spec.compute(profile)
    return _plain({"schema_version": SCHEMA_VERSION, "kind": KIND, "name": name,
                   "chapter": spec.chapter, "section": spec.section, "glue": list(spec.glue),
                   "profile": profile, **result, "precision": "float32",
                   "seconds": round(time.perf_counter() - start, 1),
                   "hardware": environment.hardware_label(provenance),
                   "environment": provenance,
                   "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})


def path_for(name: str, profile: str = "quick", out: str | Path | None = None) -> Path:
    """``results/values/NAME.json`` (the quick profile, the book's) or ``NAME-PROFILE.json``."""
    stem = name if profile == "quick" else f"{name}-{profile}"
    return Path(out or values_dir()) / f"{stem}.json"


def read(name: str, profile: str = "quick") -> dict:
    """The committed file of value ``name``, for a chapter that shows it without recomputing
    it (a measurement too slow for the quick profile)."""
    path = path_for(name, profile)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `python -m thesis_lib.report.ledger_values "
                                f"--only {name}` to compute it.")
    return artifacts.read_json(path)


def without_provenance(record: dict) -> dict:
    """A value file without the keys a rerun may change (:data:`PROVENANCE_KEYS`)."""
    return {k: v for k, v in record.items() if k not in PROVENANCE_KEYS}


def main(argv=None) -> int:
    parser = cli.Parser(prog="python -m thesis_lib.report.ledger_values",
                        description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(VALUES), metavar="NAME",
                        help=f"values to compute (default: all): {', '.join(VALUES)}")
    parser.add_argument("--profile", choices=profiles.PROFILES, default="quick")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder of the files (default: results/values)")
    args = parser.parse_args(argv)
    for name in args.only or list(VALUES):
        record = compute(name, args.profile)
        path = artifacts.write_json(path_for(name, args.profile, args.out), record)
        print(f"{name}: {record['value']} ({record['seconds']} s) -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

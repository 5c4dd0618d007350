"""Training the §4.1 classifiers under a profile, with a run card for every run.

Command line (papermill-free batch runs; resumable: rerun the same command after a crash)::

    python -m thesis_lib.studies.classifiers --model cnn --profile full --seeds 0 1 2 \\
        --out results/classifiers
"""

from __future__ import annotations

if __name__ == "__main__":  # a command line: TensorFlow's start-up lines are noise there
    from thesis_lib.logs import quiet_tensorflow

    quiet_tensorflow()

import statistics
import warnings
from pathlib import Path

import keras

from thesis_lib import artifacts, cli, data, environment, runcards
from thesis_lib.callbacks import ResumableCheckpoint, Timer
from thesis_lib.evaluation import evaluator
from thesis_lib.models import classifiers
from thesis_lib.profiles import PROFILES, get_config

MODELS = {"dense": "dense_classifier", "cnn": "cnn_classifier", "cnn64": "cnn_classifier"}


def build(model: str) -> keras.Model:
    if model == "dense":
        return classifiers.dense_classifier()
    if model == "cnn":
        return classifiers.cnn_classifier(128)
    if model == "cnn64":
        return classifiers.cnn_classifier(64, name="cnn_classifier_64")
    raise ValueError(f"unknown model {model!r}; valid models: {', '.join(MODELS)}.")


def prepare(model: str, config, mnist=None, data_dir=None):
    """Thesis §4.1 preparation: scale to [0, 1], flatten or add a channel, one-hot labels."""
    (x_train, y_train), (x_test, y_test) = mnist or data.load_mnist(data_dir)
    if config.train_subset:
        x_train, y_train = data.stratified_subset(x_train, y_train, config.train_subset,
                                                  config.seed)
    if config.test_subset:
        x_test, y_test = data.stratified_subset(x_test, y_test, config.test_subset, config.seed)
    shape = (-1, 784) if model == "dense" else (-1, 28, 28, 1)
    return ((data.scale_01(x_train).reshape(shape), data.one_hot(y_train)),
            (data.scale_01(x_test).reshape(shape), data.one_hot(y_test)))


def train(model_name: str, profile: str = "quick", *, mnist=None, backup_dir=None,
          verbose: int = 0, **overrides):
    """Train one classifier; return ``(model, card)``. Thesis §4.1."""
    config = get_config(MODELS.get(model_name, model_name), profile, **overrides)
    # Provenance is taken now: the code that runs is the code loaded at the start, even if the
    # repository moves on during a long run.
    provenance = environment.provenance()
    (x_train, y_train), (x_test, y_test) = prepare(model_name, config, mnist)
    keras.utils.set_random_seed(config.seed)
    model = classifiers.compile_classifier(build(model_name))
    timer = Timer()
    callbacks = [timer]
    if backup_dir is not None:
        callbacks.insert(0, ResumableCheckpoint(backup_dir))
    history = model.fit(x_train, y_train, batch_size=config.batch_size, epochs=config.epochs,
                        callbacks=callbacks, verbose=verbose)
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    card = runcards.new_card(
        "classifier", provenance=provenance, model=model_name,
        parameters=int(model.count_params()), profile=profile,
        config=runcards.config_dict(config), seed=config.seed,
        n_train=int(len(x_train)), n_test=int(len(x_test)),
        test_accuracy=float(test_accuracy), test_loss=float(test_loss),
        train_accuracy_last_epoch=float(history.history["accuracy"][-1]),
        train_loss_last_epoch=float(history.history["loss"][-1]),
        epochs_run_in_this_process=len(timer.epochs),
        seconds_per_epoch=[round(s, 2) for s in timer.epochs],
        median_seconds_per_epoch=round(statistics.median(timer.epochs), 2)
        if timer.epochs else None)
    return model, card


def run_name(model: str, profile: str, seed: int) -> str:
    return f"{model}-{profile}-seed{seed}"


def main(argv=None) -> int:
    parser = cli.Parser(prog="python -m thesis_lib.studies.classifiers",
                        description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="cnn")
    parser.add_argument("--profile", choices=PROFILES, default="quick")
    parser.add_argument("--seeds", type=cli.non_negative_int, nargs="+", default=[0])
    parser.add_argument("--out", type=Path, default=Path("results/classifiers"))
    parser.add_argument("--save-weights", action="store_true",
                        help="also write <run>.weights.h5 next to the card")
    parser.add_argument("--export-evaluator", action="store_true",
                        help="instead of training, ship the best full CNN run as the evaluator")
    args = parser.parse_args(argv)
    # Fail on bad input before any data or training.
    cli.run_checked(parser, lambda: get_config(MODELS[args.model], args.profile))
    if args.export_evaluator:
        card = export_best_cnn(args.out)
        print(f"evaluator: seed {card['seed']}, test accuracy {card['test_accuracy']:.4f}, "
              f"sha256 {card['weights_sha256']}")
        return 0
    mnist = data.load_mnist()
    for seed in args.seeds:
        name = run_name(args.model, args.profile, seed)
        card_path = args.out / f"{name}.json"
        if card_path.exists():
            print(f"{name}: card exists, skipping")
            continue
        model, card = train(args.model, args.profile, mnist=mnist, seed=seed, verbose=2,
                            backup_dir=args.out / "backup" / name)
        if args.save_weights:
            weights = artifacts.atomic_save(model.save_weights, args.out / f"{name}.weights.h5")
            card["weights_sha256"] = artifacts.sha256(weights)
        runcards.write_card(card_path, card)
        print(f"{name}: test accuracy {card['test_accuracy']:.4f}, "
              f"{card['median_seconds_per_epoch']} s/epoch")
    return 0


def load_cards(results_dir: str | Path, model: str, profile: str = "full") -> list[dict]:
    """Every committed run card of ``model`` in ``profile``, ordered by seed."""
    cards = [runcards.read_card(p, "classifier")
             for p in Path(results_dir).glob(f"{model}-{profile}-seed*.json")]
    return sorted(cards, key=lambda c: c["seed"])


def export_best_cnn(results_dir: str | Path, minimum_accuracy: float = 0.992) -> dict:
    """Ship the most accurate full-profile CNN run as the evaluator (weights + card)."""
    cards = [c for c in load_cards(results_dir, "cnn") if "weights_sha256" in c]
    if not cards:
        raise FileNotFoundError(f"no full-profile CNN run with saved weights in {results_dir}; "
                                "run with --save-weights first.")
    best = max(cards, key=lambda c: c["test_accuracy"])
    if best["test_accuracy"] < minimum_accuracy:
        raise ValueError(f"best CNN reaches {best['test_accuracy']:.4f} < {minimum_accuracy}; "
                         "not good enough to serve as the evaluator.")
    path = Path(results_dir) / f"{run_name('cnn', 'full', best['seed'])}.weights.h5"
    if artifacts.sha256(path) != best["weights_sha256"]:
        raise ValueError(f"{path} does not match the SHA-256 in its card.")
    model = classifiers.compile_classifier(build("cnn"))
    with warnings.catch_warnings():  # the run's Adam state is deliberately left behind
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        model.load_weights(str(path))
    card = {k: v for k, v in best.items() if k != "weights_sha256"}
    card["selected_from"] = [{"seed": c["seed"], "test_accuracy": c["test_accuracy"]}
                             for c in cards]
    return evaluator.export(model, card)



def summarize_cards(cards: list[dict]):
    """Per-seed table of full-run cards plus mean and sample standard deviation rows."""
    import pandas as pd
    rows = {f"semilla {c['seed']}": {"exactitud en prueba": c["test_accuracy"],
                                     "pérdida en prueba": c["test_loss"],
                                     "segundos por época": c["median_seconds_per_epoch"]}
            for c in cards}
    table = pd.DataFrame(rows).T
    stats = pd.DataFrame({"media": table.mean(), "desvío estándar": table.std(ddof=1)}).T
    return pd.concat([table, stats])


def summarize_runs(groups: dict[str, list[dict]]):
    """:func:`summarize_cards` of several models in one table, rows (red, semilla)."""
    import pandas as pd
    table = pd.concat({name: summarize_cards(cards) for name, cards in groups.items()},
                      names=["red", "corrida"])
    return table


if __name__ == "__main__":
    raise SystemExit(main())

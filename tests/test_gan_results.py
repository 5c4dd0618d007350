"""Reading DCGAN runs: cards, the variant table, the hash-checked generator, interpolation, and
the committed results the §4.2 chapter shows."""

import shutil

import numpy as np
import pytest

from thesis_lib import artifacts, data, gan_results, gan_runs, metrics
from thesis_lib.classifier_runs import results_dir

COMMITTED = results_dir() / "dcgan"


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return data.load_mnist(mnist_dir)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, mnist):
    root = tmp_path_factory.mktemp("runs")
    card = gan_runs.run("baseline", "quick", seed=3, out_root=root, mnist=mnist, verbose=0,
                        epochs=1, train_subset=256, batch_size=64, latent_dim=8)
    return root, card


def test_cards_are_found_with_their_directory(tiny_run):
    root, card = tiny_run
    cards = gan_results.load_cards(root, profile="quick")
    assert len(cards) == 1 and cards[0]["generator_sha256"] == card["generator_sha256"]
    assert cards[0]["run_dir"] == root / "baseline-quick-e1-n256-seed3"
    assert gan_results.load_cards(root, profile="full") == []
    assert gan_results.history(cards[0]["run_dir"])[0]["epoch"] == 1


def test_loaded_generator_reproduces_the_card_metrics(tiny_run, mnist):
    """The saved weights, rebuilt from the card alone, give the card's final metrics again."""
    from thesis_lib.evaluator import load_evaluator
    root, _ = tiny_run
    card = gan_results.load_cards(root, profile="quick")[0]
    generator = gan_results.load_generator(card)
    z = np.random.default_rng([card["seed"], 40_000]).normal(size=(10_000, 8))
    ev = load_evaluator()
    again = metrics.evaluate_images(gan_results.unit_images(generator, z), ev,
                                    ev.features(mnist[1][0]))
    assert again["frechet_distance"] == pytest.approx(card["metrics"]["frechet_distance"], rel=1e-4)
    assert again["classes_covered"] == card["metrics"]["classes_covered"]


def test_tampered_or_missing_weights_are_refused(tiny_run, tmp_path):
    root, _ = tiny_run
    card = gan_results.load_cards(root, profile="quick")[0]
    copy = tmp_path / "copy"
    shutil.copytree(card["run_dir"], copy)
    weights = copy / card["generator_weights"]
    raw = bytearray(weights.read_bytes())
    raw[-100] ^= 0xFF
    weights.write_bytes(bytes(raw))
    with pytest.raises(gan_results.GeneratorWeightsError, match="SHA-256.*git checkout"):
        gan_results.load_generator(card, copy)
    weights.unlink()
    with pytest.raises(gan_results.GeneratorWeightsError, match="missing.*gan_runs --variant baseline"):
        gan_results.load_generator(card, copy)


def test_linear_and_spherical_interpolation():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    path = gan_results.interpolate(a, b, 5)
    np.testing.assert_allclose(path[0], a, rtol=1e-6)
    np.testing.assert_allclose(path[-1], b, rtol=1e-6)
    np.testing.assert_allclose(path[2], (a + b) / 2, rtol=1e-5)
    b_same_norm = b * np.linalg.norm(a) / np.linalg.norm(b)
    sph = gan_results.interpolate(a, b_same_norm, 7, method="slerp")
    np.testing.assert_allclose(np.linalg.norm(sph, axis=1), np.linalg.norm(a), rtol=1e-5)
    np.testing.assert_allclose(sph[-1], b_same_norm, rtol=1e-5)
    with pytest.raises(ValueError, match="at least 2"):
        gan_results.interpolate(a, b, 1)
    with pytest.raises(ValueError, match="valid: linear, slerp"):
        gan_results.interpolate(a, b, 3, method="cubic")


class _LookupGenerator:
    """Stand-in generator: latent point z returns the real image number int(z[0])."""

    def __init__(self, images):
        self.images = images

    def predict(self, z, **_):
        return self.images[np.abs(z[:, 0] * 1000).astype(int) % len(self.images)]


class _LabelEvaluator:
    def __init__(self, images, labels):
        self.lookup = {im.tobytes(): lab for im, lab in zip(images, labels)}

    def probabilities(self, images):
        return np.eye(10)[[self.lookup[im.tobytes()] for im in images]]


def test_latent_points_are_chosen_by_the_evaluators_class(mnist):
    (x, y), _ = mnist
    images, labels = x[:500].astype("float32") / 255, y[:500]
    gen, ev = _LookupGenerator(images), _LabelEvaluator(images, labels)
    z = gan_results.latent_for_digits(gen, ev, [8, 9], latent_dim=4, n=300)
    assert [ev.probabilities(gen.predict(z[i:i + 1]))[0].argmax() for i in range(2)] == [8, 9]
    only_threes = images[labels == 3]
    with pytest.raises(ValueError, match="none of 50 samples is classified as 8"):
        gan_results.latent_for_digits(_LookupGenerator(only_threes),
                                      _LabelEvaluator(only_threes, np.full(len(only_threes), 3)),
                                      [8], latent_dim=4, n=50)


def _card(variant, seed, fd, score, classes, steps=117):
    return {"variant": variant, "seed": seed, "steps": steps, "n_train": 30_000,
            "metrics": {"frechet_distance": fd, "mnist_score": score, "classes_covered": classes}}


def test_variant_table_ranks_by_mean_frechet_distance_with_spread():
    cards = [_card("baseline", 0, 10.0, 5.0, 9), _card("baseline", 1, 14.0, 6.0, 10),
             _card("tanh", 0, 6.0, 7.0, 10), _card("tanh", 1, 8.0, 8.0, 10),
             _card("baseline", 1, 1.0, 9.0, 10, steps=2340)]
    table = gan_results.variant_table(gan_results.equal_budget(cards, 117, 30_000))
    assert list(table.index) == ["tanh", "baseline"]
    assert table.loc["baseline", "distancia de Fréchet (media)"] == 12.0
    assert table.loc["baseline", "distancia de Fréchet (desvío)"] == pytest.approx(np.std([10, 14], ddof=1))
    assert table.loc["tanh", "Δ FD frente a baseline"] == -5.0
    assert table.loc["baseline", "menos de 5 dígitos"] == 0
    assert gan_results.longest_run(cards)["steps"] == 2340
    assert gan_results.comparison_budget(cards, ["baseline", "tanh"]) == (117, 30_000)
    with pytest.raises(ValueError, match="no budget at which all of baseline, upsample"):
        gan_results.comparison_budget(cards, ["baseline", "upsample"])
    with pytest.raises(ValueError, match="gan_runs --variant upsample"):
        gan_results.longest_run(cards, "upsample")


# --- the results the chapter shows ------------------------------------------------------------

def _committed_cards():
    return gan_results.load_cards(COMMITTED) if COMMITTED.is_dir() else []


committed = pytest.mark.skipif(not _committed_cards(), reason="no DCGAN runs in results/dcgan")


@committed
def test_committed_runs_are_complete():
    cards = gan_results.load_cards(COMMITTED)
    for card in cards:
        run = card["run_dir"]
        rows = gan_results.history(run)
        assert [r["epoch"] for r in rows] == list(range(1, card["epochs"] + 1)), run
        assert (run / f"grid-epoch{card['epochs']:03d}.png").is_file(), run
        assert card["real_data"]["train_vs_test"]["frechet_distance"] < 5, run
    long = gan_results.longest_run(cards)
    assert long["epochs"] >= 10
    budget = gan_results.equal_budget(cards, *gan_results.comparison_budget(cards, gan_runs.VARIANTS))
    assert {c["variant"] for c in budget} == set(gan_runs.VARIANTS)
    assert all(sum(c["variant"] == v for c in budget) >= 2 for v in gan_runs.VARIANTS)


@committed
def test_committed_long_run_generator_reproduces_its_card(mnist):
    from thesis_lib.evaluator import load_evaluator
    card = gan_results.longest_run(gan_results.load_cards(COMMITTED))
    assert (card["run_dir"] / card["generator_weights"]).stat().st_size <= 5 * 2**20
    generator = gan_results.load_generator(card)
    z = np.random.default_rng([card["seed"], 40_000]).normal(size=(10_000, card["config"]["latent_dim"]))
    ev = load_evaluator()
    again = metrics.evaluate_images(gan_results.unit_images(generator, z), ev,
                                    ev.features(mnist[1][0]))
    assert again["frechet_distance"] == pytest.approx(card["metrics"]["frechet_distance"], rel=1e-3)
    assert again["mnist_score"] == pytest.approx(card["metrics"]["mnist_score"], rel=1e-3)


def test_ranking_summary_shows_mean_and_spread():
    cards = [_card("baseline", 0, 10.0, 5.0, 9), _card("baseline", 1, 14.0, 6.0, 10),
             _card("tanh", 0, 6.0, 7.0, 4), _card("tanh", 1, 8.0, 8.0, 10)]
    summary = gan_results.ranking_summary(gan_results.variant_table(cards))
    assert summary.loc["baseline", "distancia de Fréchet"] == "12.0 ± 2.8"
    assert summary.loc["tanh", "puntaje MNIST"] == "7.50 ± 0.71"
    assert summary.loc["tanh", "Δ FD frente a baseline"] == "-5.0"
    assert summary.loc["tanh", "menos de 5 dígitos"] == 1


def test_pinned_process_reports_its_usable_cores():
    import os
    from thesis_lib import environment
    assert environment.provenance(with_gpus=False)["cpu_count"] == len(os.sched_getaffinity(0))


def test_provenance_names_the_code_imported_not_a_later_head(monkeypatch):
    from thesis_lib import environment
    monkeypatch.setattr(environment, "git_commit", lambda: "later-commit")
    assert environment.provenance(with_gpus=False)["commit"] == environment.COMMIT_AT_IMPORT


@committed
def test_a_short_run_repeats_the_first_epoch_of_the_long_run_exactly():
    """Same seed, same data order, same code path: the 1-epoch run of the comparison and the
    first epoch of the long run must log the same losses (the runs are deterministic)."""
    cards = gan_results.load_cards(COMMITTED)
    long = gan_results.longest_run(cards)
    short = [c for c in cards if c["variant"] == "baseline" and c["seed"] == long["seed"]
             and c["epochs"] == 1 and c["n_train"] == long["n_train"]]
    if not short:
        pytest.skip("no 1-epoch baseline run with the long run's seed")
    first = gan_results.history(long["run_dir"])[0]
    again = gan_results.history(short[0]["run_dir"])[0]
    assert {k: again[k] for k in ("d_loss", "g_loss", "d_acc")} == \
        {k: first[k] for k in ("d_loss", "g_loss", "d_acc")}

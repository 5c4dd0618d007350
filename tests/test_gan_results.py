"""Reading DCGAN runs: cards, the variant table, the hash-checked generator, interpolation, and
the committed results the §4.2 chapter shows."""

import re
import shutil

import numpy as np
import pytest

from thesis_lib import environment
from thesis_lib.evaluation import metrics
from thesis_lib.gan import grids, latent
from thesis_lib.report import dcgan as dcgan_report
from thesis_lib.report import gan_figures as plots
from thesis_lib.runcards import results_dir
from thesis_lib.studies import gan_results
from thesis_lib.studies import mnist_gan as gan_runs

COMMITTED = results_dir() / "dcgan"


# tiny_dcgan_run (conftest.py): one tiny run of the narrow variant (G with batch normalization), shared with
# test_gan_runs.py.

def test_cards_are_found_with_their_directory(tiny_dcgan_run):
    root, card, _ = tiny_dcgan_run
    cards = gan_results.load_cards(root, profile="quick")
    assert len(cards) == 1 and cards[0]["generator_sha256"] == card["generator_sha256"]
    assert cards[0]["run_dir"] == root / "narrow-quick-e1-n256-b64-seed1"
    assert gan_results.load_cards(root, profile="full") == []
    assert gan_results.history(cards[0]["run_dir"])[0]["epoch"] == 1


def test_loaded_generator_reproduces_the_card_metrics(tiny_dcgan_run, test_set_features):
    """The saved weights, rebuilt from the card alone, give the card's final metrics again."""
    from thesis_lib.evaluation.evaluator import load_evaluator
    root, _, samples = tiny_dcgan_run
    card = gan_results.load_cards(root, profile="quick")[0]
    generator = gan_results.load_generator(card)
    z = np.random.default_rng([card["seed"], 40_000]).normal(size=(samples, 8))
    images = latent.unit_images(generator, z, card["options"].get("output", "sigmoid"))
    again = metrics.evaluate_images(images, load_evaluator(), test_set_features)
    assert again["frechet_distance"] == pytest.approx(card["metrics"]["frechet_distance"], rel=1e-4)
    assert again["classes_covered"] == card["metrics"]["classes_covered"]


def tampered_copy(card, folder):
    """A copy of the run's folder whose generator weights have one byte flipped."""
    shutil.copytree(card["run_dir"], folder)
    weights = folder / card["generator_weights"]
    raw = bytearray(weights.read_bytes())
    raw[-100] ^= 0xFF
    weights.write_bytes(bytes(raw))
    return weights


def test_tampered_or_missing_weights_are_refused(tiny_dcgan_run, tmp_path):
    root, _, _ = tiny_dcgan_run
    card = gan_results.load_cards(root, profile="quick")[0]
    copy = tmp_path / "copy"
    weights = tampered_copy(card, copy)
    with pytest.raises(gan_results.GeneratorWeightsError, match="SHA-256.*git checkout"):
        gan_results.load_generator(card, copy)
    weights.unlink()
    with pytest.raises(gan_results.GeneratorWeightsError,
                       match="missing.*studies.mnist_gan --variant narrow"):
        gan_results.load_generator(card, copy)


def test_sample_images_from_a_card_checks_the_weights(tiny_dcgan_run, tmp_path):
    root, _, _ = tiny_dcgan_run
    card = gan_results.load_cards(root, profile="quick")[0]
    images = gan_results.sample_images(card, 12, seed=5)
    assert images.shape == (12, 28, 28, 1) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert np.array_equal(images, gan_results.sample_images(card, 12, seed=5))
    assert not np.array_equal(images, gan_results.sample_images(card, 12, seed=6))
    with pytest.raises(ValueError, match="unconditional"):
        gan_results.sample_images(card, 3, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="positive integer"):
        gan_results.sample_images(card, 0)
    tampered_copy(card, tmp_path / "copy")
    with pytest.raises(gan_results.GeneratorWeightsError, match="SHA-256"):
        gan_results.sample_images({**card, "run_dir": tmp_path / "copy"}, 4)


def test_linear_and_spherical_interpolation():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    path = latent.interpolate(a, b, 5)
    np.testing.assert_allclose(path[0], a, rtol=1e-6)
    np.testing.assert_allclose(path[-1], b, rtol=1e-6)
    np.testing.assert_allclose(path[2], (a + b) / 2, rtol=1e-5)
    b_same_norm = b * np.linalg.norm(a) / np.linalg.norm(b)
    sph = latent.interpolate(a, b_same_norm, 7, method="slerp")
    np.testing.assert_allclose(np.linalg.norm(sph, axis=1), np.linalg.norm(a), rtol=1e-5)
    np.testing.assert_allclose(sph[-1], b_same_norm, rtol=1e-5)
    with pytest.raises(ValueError, match="at least 2"):
        latent.interpolate(a, b, 1)
    with pytest.raises(ValueError, match="valid: linear, slerp"):
        latent.interpolate(a, b, 3, method="cubic")


class _LookupGenerator:
    """Stand-in generator: latent point z returns the real image number int(z[0])."""

    def __init__(self, images):
        self.images = images

    def __call__(self, z, training=False):
        return self.images[np.abs(z[:, 0] * 1000).astype(int) % len(self.images)]

    predict = __call__


class _LabelEvaluator:
    def __init__(self, images, labels):
        self.lookup = {im.tobytes(): lab for im, lab in zip(images, labels)}

    def probabilities(self, images):
        return np.eye(10)[[self.lookup[im.tobytes()] for im in images]]


def test_latent_points_are_chosen_by_the_evaluators_class(mnist):
    (x, y), _ = mnist
    images, labels = x[:500].astype("float32") / 255, y[:500]
    gen, ev = _LookupGenerator(images), _LabelEvaluator(images, labels)
    z = latent.latent_for_digits(gen, ev, [8, 9], latent_dim=4, n=300)
    assert [ev.probabilities(gen.predict(z[i:i + 1]))[0].argmax() for i in range(2)] == [8, 9]
    only_threes = images[labels == 3]
    with pytest.raises(ValueError, match="none of 50 samples is classified as 8"):
        latent.latent_for_digits(_LookupGenerator(only_threes),
                                      _LabelEvaluator(only_threes, np.full(len(only_threes), 3)),
                                      [8], latent_dim=4, n=50)


def _card(variant, seed, fd, score, classes, steps=117):
    return {"variant": variant, "seed": seed, "steps": steps, "n_train": 30_000,
            "epochs": steps // 117,
            "metrics": {"frechet_distance": fd, "mnist_score": score, "classes_covered": classes}}


def test_budgets_pick_the_longest_run_and_the_budget_every_variant_shares():
    cards = [_card("baseline", 0, 10.0, 5.0, 9), _card("baseline", 1, 14.0, 6.0, 10),
             _card("tanh", 0, 6.0, 7.0, 10), _card("tanh", 1, 8.0, 8.0, 10),
             _card("baseline", 1, 1.0, 9.0, 10, steps=2340)]
    assert len(gan_results.equal_budget(cards, 117, 30_000)) == 4
    assert gan_results.longest_run(cards)["steps"] == 2340
    assert gan_results.longest_run(cards, max_epochs=9)["steps"] == 117
    assert gan_results.comparison_budget(cards, ["baseline", "tanh"]) == (117, 30_000)
    with pytest.raises(ValueError, match="no budget at which all of baseline, upsample"):
        gan_results.comparison_budget(cards, ["baseline", "upsample"])
    with pytest.raises(ValueError, match="studies.mnist_gan --variant upsample"):
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


@pytest.mark.slow
@committed
def test_committed_long_run_generator_reproduces_its_card(test_set_features):
    from thesis_lib.evaluation.evaluator import load_evaluator
    card = gan_results.longest_run(gan_results.load_cards(COMMITTED))
    assert (card["run_dir"] / card["generator_weights"]).stat().st_size <= 5 * 2**20
    generator = gan_results.load_generator(card)
    z = np.random.default_rng([card["seed"], 40_000]).normal(size=(10_000, card["config"]["latent_dim"]))
    again = metrics.evaluate_images(latent.unit_images(generator, z), load_evaluator(),
                                    test_set_features)
    assert again["frechet_distance"] == pytest.approx(card["metrics"]["frechet_distance"], rel=1e-3)
    assert again["mnist_score"] == pytest.approx(card["metrics"]["mnist_score"], rel=1e-3)


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
    """Same seed, data order and processor: the 1-epoch run of the comparison and the
    first epoch of a longer baseline run must log the same losses (the runs are deterministic
    there; the campaign's 100-epoch run, resumed on AMD and Intel processors, differs in the
    fourth decimal)."""
    cards = gan_results.load_cards(COMMITTED)

    def machine(c):  # a run resumed by several processes may have changed processor
        return c["environment"]["cpu"], c.get("campaign", {}).get("processes", 1)

    pairs = [(long, short) for long in cards for short in cards
             if long["variant"] == short["variant"] == "baseline" and long["epochs"] > 1
             and short["epochs"] == 1 and long["seed"] == short["seed"]
             and long["n_train"] == short["n_train"] and machine(long) == machine(short)]
    if not pairs:
        pytest.skip("no 1-epoch and longer baseline runs from the same processor")
    for long, short in pairs:
        first = gan_results.history(long["run_dir"])[0]
        again = gan_results.history(short["run_dir"])[0]
        assert {k: again[k] for k in ("d_loss", "g_loss", "d_acc")} == \
            {k: first[k] for k in ("d_loss", "g_loss", "d_acc")}, (long["run_dir"], short["run_dir"])


# --- what the chapter shows: Spanish tables and the numbers its prose quotes -----------------

DECIMAL_POINT = re.compile(r"\d\.\d")
ENGLISH = re.compile(r"\b(?:epoch|d_loss|g_loss|d_acc|acc_real|acc_fake|frechet_distance|"
                     r"mnist_score|classes_covered)\b")


def _long_card(run_dir=None):
    return {"variant": "baseline", "profile": "full", "seed": 1, "epochs": 10, "steps": 2340,
            "n_train": 60_000, "hardware": "1 × CPU", "run_dir": run_dir,
            "environment": {"versions": {"keras": "3.15.1"}, "commit": "abc1234"},
            "metrics": {"frechet_distance": 226.38, "mnist_score": 5.822, "classes_covered": 7,
                        "class_share": [0.0479, 0.0202, 0.1323, 0.2278, 0.0979, 0.0526,
                                        0.0215, 0.2094, 0.0658, 0.1246]},
            "real_data": {"train_vs_test": {"frechet_distance": 1.6666, "mnist_score": 9.895,
                                            "classes_covered": 10},
                          "test_set": {"frechet_distance": 0.0, "mnist_score": 9.867,
                                       "classes_covered": 10}}}


HISTORY = [{"epoch": 1, "d_acc": 0.7257, "d_loss": 0.583, "g_loss": 0.936},
           {"epoch": 2, "d_acc": 0.531, "d_loss": 0.692, "g_loss": 0.722},
           {"epoch": 3, "d_acc": 0.519, "d_loss": 0.693, "g_loss": 2.5}]
MONITOR = [{"epoch": 1, "acc_real": 0.74, "acc_fake": 0.52},
           {"epoch": 2, "acc_real": 0.48, "acc_fake": 0.76},
           {"epoch": 3, "acc_real": 0.41, "acc_fake": 0.82}]


def _all_text(facts):
    assert all(isinstance(v, str) for v in facts.values()), facts
    text = " | ".join(facts.values())
    # The book's own check (versions such as "Keras 3.15.1" are not decimal numbers).
    from thesis_lib.book.checks import DECIMAL, NOT_DECIMALS, _snippets
    assert not _snippets(DECIMAL, text, allow=NOT_DECIMALS), text
    return text


def test_describe_writes_numbers_the_spanish_way():
    text = dcgan_report.describe({**_long_card(), "profile": "quick", "epochs": 2, "steps": 20,
                                 "n_train": 2560})
    assert text.startswith("modelo base, perfil quick, semilla 1, 2 épocas = 20 pasos con 2560 "
                           "imágenes")
    assert "Keras 3.15.1, commit abc1234" in text
    assert "perfil quick con 1 época en lugar de 2, " in dcgan_report.describe(
        {**_long_card(), "profile": "quick", "epochs": 1})


def test_describe_says_when_a_run_overrode_its_profiles_epochs():
    """The committed long run used the full profile's settings for 10 of its 100 epochs: its
    label must not read as the full profile."""
    text = dcgan_report.describe(_long_card())
    assert "perfil full con 10 épocas en lugar de 100, semilla 1, 2340 pasos con 60\u202f000 " \
           "imágenes" in text
    assert "perfil full, semilla 1, 100 épocas = 23\u202f400 pasos" in dcgan_report.describe(
        {**_long_card(), "epochs": 100, "steps": 23_400})
    assert "imágenes, precisión float32, " in text  # a version-1 card: float32, as it ran
    wgan = {**_long_card(), "precision": "mixed_bfloat16",
            "config": {"loss": "wasserstein_gp", "critic_steps": 5,
                       "conditional": True}}
    assert ("pérdida Wasserstein con penalización del gradiente, 5 pasos de D por paso de G, "
            "condicionada a la clase, precisión mixta bfloat16, ") in dcgan_report.describe(wgan)


def test_hardware_and_variants_are_named_in_spanish():
    assert environment.hardware_text("1 × AMD EPYC (CPU), backend tensorflow") == \
        "1 × AMD EPYC (CPU), motor TensorFlow"
    assert environment.hardware_text("1 × H100 (GPU), backend jax").endswith("motor JAX")
    assert environment.hardware_text("1 × CPU") == "1 × CPU"
    assert dcgan_report.variant_name("baseline") == "modelo base"
    assert dcgan_report.variant_name("tanh") == "tanh"
    # The §4.2 variants by the Spanish names of the chapter's table, in figures and tables too.
    assert [dcgan_report.variant_name(v) for v in ("latent50", "latent200", "batchnorm",
                                                   "upsample")] == \
        ["latente 50", "latente 200", "normalización por lotes", "sobremuestreo"]
    assert all(dcgan_report.variant_name(v) != v for v in gan_runs.VARIANTS if v != "tanh")
    assert "backend" not in dcgan_report.describe(
        {**_long_card(), "hardware": "1 × CPU, backend torch"})


def test_epoch_table_has_spanish_headers_and_numbers():
    frame = dcgan_report.epoch_frame(HISTORY, MONITOR)
    assert frame.index.name == "época" and list(frame.index) == [1, 2, 3]
    assert list(frame.columns) == [*dcgan_report.HISTORY_COLUMNS.values(),
                                   *dcgan_report.MONITOR_COLUMNS.values()]
    html = dcgan_report.epoch_table(HISTORY, MONITOR).to_html()
    assert "0,583" in html and "73\u00a0%" in html and "82\u00a0%" in html
    assert not ENGLISH.search(html) and not DECIMAL_POINT.search(html.split("<table")[1])
    assert list(dcgan_report.epoch_frame(HISTORY).columns) == list(
        dcgan_report.HISTORY_COLUMNS.values())


def test_metrics_table_puts_the_run_beside_the_real_data_references():
    frame = dcgan_report.metrics_frame(_long_card(), "corrida larga")
    assert list(frame.index) == ["corrida larga", "10\u202f000 imágenes reales de entrenamiento",
                                 "conjunto de prueba (contra sí mismo)"]
    # A run scored on fewer images says so in the real row it is read against.
    smaller = _long_card()
    smaller["config"] = {**smaller.get("config", {}), "metric_samples": 2000}
    assert dcgan_report.metrics_frame(smaller).index[1] == "2000 imágenes reales de entrenamiento"
    assert frame.loc["conjunto de prueba (contra sí mismo)", "distancia de Fréchet"] == 0
    assert frame["clases cubiertas"].tolist() == [7, 10, 10]
    html = dcgan_report.metrics_table(_long_card()).to_html()
    assert "226,4" in html and "5,82" in html and "1,7" in html and ">7<" in html
    assert not ENGLISH.search(html)


def test_facts_about_the_long_run_are_spanish_text():
    facts = dcgan_report.long_run_facts(_long_card(), HISTORY, MONITOR,
                                       {"d_loss": (0.5, 0.8), "g_loss": (0.5, 2.0)})
    _all_text(facts)
    assert facts["d_in_band"] == "3 de 3" and facts["g_in_band"] == "2 de 3"
    assert facts["acc_real_range"] == "41\u00a0% y 74\u00a0%"
    assert facts["d_acc_range"] == "52\u00a0% y 53\u00a0%"  # from the second epoch on
    assert facts["long_steps"] == "2340" and facts["long_epochs"] == "10"
    # Where D leaned most each way.
    assert facts["d_leans_fake_epoch"] == "3"
    assert facts["d_leans_fake_acc"] == ("el 41\u00a0% de las reales y el 82\u00a0% de las "
                                         "generadas")
    assert facts["d_leans_real_epoch"] == "1"
    assert facts["monitor_cadence"] == "al final de cada época" and facts["monitor_n"] == "3"
    assert facts["long_cpu_hours"] == "—"  # a card that recorded no time
    timed = {**_long_card(), "seconds_this_process": 7200.0,
             "campaign": {"total_seconds": 35_868.0}}
    assert dcgan_report.long_run_facts(timed, HISTORY, MONITOR, {"d_loss": (0.5, 0.8), "g_loss":
                                       (0.5, 2.0)})["long_cpu_hours"] == "10"


def test_the_monitors_cadence_is_read_from_its_epochs():
    every = [{"epoch": e} for e in (10, 20, 30)]
    assert dcgan_report.monitor_cadence(every) == "al final de cada 10 épocas"
    assert dcgan_report.monitor_cadence([{"epoch": e} for e in (1, 2, 5)]) == \
        "al final de algunas épocas (1, 2 y 5)"


def test_facts_about_the_metrics_name_rare_and_common_digits():
    facts = dcgan_report.metric_facts(_long_card())
    _all_text(facts)
    assert facts["long_fd"] == "226,4" and facts["long_score"] == "5,82"
    assert facts["long_samples"] == "10\u202f000"  # cards without metric_samples scored 10,000
    assert facts["class_balance"] == ("el evaluador ve pocos 0 (4,8\u00a0%), 1 (2,0\u00a0%) y "
                                      "6 (2,1\u00a0%) y demasiados 3 (23\u00a0%) y 7 (21\u00a0%)")
    even = {**_long_card()["metrics"], "class_share": [0.097, 0.0813, 0.1209, 0.1084, 0.0844,
                                                        0.0991, 0.0644, 0.1338, 0.084, 0.1267]}
    assert dcgan_report.metric_facts({**_long_card(), "metrics": even})["class_balance"] == (
        "ningún dígito queda por debajo del 5\u00a0% ni por encima del 15\u00a0%: van del "
        "6,4\u00a0% (el 6) al 13,4\u00a0% (el 7)")
    assert facts["floor_fd"] == "1,7" and facts["ceiling_score"] == "9,87"
    # The training sample scores above the test set: the score's reference is not a maximum.
    assert facts["train_score"] == "9,89"


def test_stopping_facts_find_the_best_and_the_worst_epoch():
    rows = [{"epoch": 1, "frechet_distance": 444.8, "mnist_score": 5.73},
            {"epoch": 2, "frechet_distance": 296.7, "mnist_score": 5.54},
            {"epoch": 3, "frechet_distance": 253.3, "mnist_score": 5.96},
            {"epoch": 4, "frechet_distance": 345.9, "mnist_score": 4.0},
            {"epoch": 5, "frechet_distance": 227.1, "mnist_score": 5.71}]
    facts = dcgan_report.stopping_facts(rows, 3.04)
    _all_text(facts)
    assert (facts["best_epoch"], facts["best_fd"], facts["floor_2000"]) == ("5", "227,1", "3,0")
    assert (facts["fd_epoch1"], facts["fd_epoch3"]) == ("445", "253")
    assert (facts["fd_later_min"], facts["fd_later_max"], facts["worst_epoch"]) == \
        ("227", "346", "4")
    assert facts["score_range"] == "4,0 y 6,0"
    # Tenths of the run, its last quarter, and the largest rise in its second half.
    assert facts["fd_at"] == "445 en la época 1, 297 en la época 2 y 227 en la época 5"
    assert (facts["quarter_from"], facts["fd_quarter"]) == ("5", "227 y 227")
    assert facts["biggest_rise"] == "de 253,3 en la época 3 a 345,9 en la 4"


def test_reading_changes_say_where_the_evaluators_digit_switches():
    text = dcgan_report.reading_changes([[8, 8, 8, 8, 9, 9], [8, 8, 8, 9, 9, 9]],
                                        ["del segmento", "del arco"])
    assert text == ("una sola vez en cada fila: entre las imágenes 4 y 5 del segmento y entre "
                    "las imágenes 3 y 4 del arco")
    assert dcgan_report.reading_changes([[8, 9, 8], [8, 8, 8]], ["arriba", "abajo"]) == \
        "varias veces: entre las imágenes 1 y 2 y 2 y 3 arriba y nunca abajo"


def test_best_final_facts_quote_both_distances_and_the_paired_interval():
    result = {"n": 10_000, "replicates": 200, "best_epoch": 97, "best_epoch_samples": 2000,
              "best_epoch_frechet_distance": 49.549, "frechet_distance_a": 51.07,
              "frechet_distance_b": 55.32,
              "difference": {"value": -4.25, "sd": 0.41, "low": -5.06, "high": -3.44}}
    facts = dcgan_report.best_final_facts(result)
    _all_text(facts)
    assert (facts["bf_best_fd"], facts["bf_final_fd"], facts["bf_best_then"]) == \
        ("51,1", "55,3", "49,5")
    assert facts["bf_difference"].startswith("−4,2 (IC 95\u00a0%: −5,1 a −3,4; 200 remuestras")


def _comparison(tmp_path):
    from thesis_lib.callbacks import write_csv
    cards = []
    for variant, seed, fd, d_loss, seconds in (("baseline", 0, 1120.9, 0.387, 624),
                                               ("baseline", 1, 442.1, 0.583, 564),
                                               ("upsample", 0, 384.9, 0.695, 1164),
                                               ("upsample", 1, 473.2, 0.698, 1230)):
        run_dir = tmp_path / f"{variant}-{seed}"
        run_dir.mkdir()
        write_csv(run_dir / "history.csv", [{"epoch": 1, "d_acc": 0.5, "d_loss": d_loss,
                                             "g_loss": 1.0}])
        cards.append({**_card(variant, seed, fd, 4.0, 6, steps=234), "run_dir": run_dir,
                      "seconds_this_process": seconds})
    return cards


def test_startup_table_lists_every_run_in_the_given_order(tmp_path):
    cards = _comparison(tmp_path)
    frame = dcgan_report.startup_frame(cards[::-1], order=["upsample", "baseline"])
    assert list(zip(frame["variante"], frame["semilla"])) == [
        ("sobremuestreo", 0), ("sobremuestreo", 1), ("modelo base", 0), ("modelo base", 1)]
    assert frame["pérdida media de D"].tolist() == [0.695, 0.698, 0.387, 0.583]
    html = dcgan_report.startup_table(cards, ["baseline", "upsample"]).to_html()
    assert "1120,9" in html and "0,39" in html and not ENGLISH.search(html)
    # The headers say how many samples the metrics used (cards without the setting: 10,000);
    # runs scored on different numbers get a column of their own.
    assert "distancia de Fréchet (10\u202f000 muestras)" in frame.columns
    cards[0] = {**cards[0], "config": {"metric_samples": 2000}}
    frame = dcgan_report.startup_frame(cards)
    assert "distancia de Fréchet" in frame.columns
    assert frame["muestras generadas"].tolist() == [2000, 10_000, 10_000, 10_000]
    assert ">2000<" in dcgan_report.startup_table(cards).to_html()


def test_variant_facts_split_the_runs_by_the_loss_band(tmp_path):
    facts = dcgan_report.variant_facts(_comparison(tmp_path), (0.5, 0.8))
    _all_text(facts)
    assert (facts["band_n"], facts["out_n"]) == ("3", "1")
    assert facts["band_fd"] == "385 a 473" and facts["out_fd"] == "1121 a 1121"
    assert facts["out_dloss"] == "0,39 a 0,39"
    assert facts["fd_baseline"] == "782" and facts["min_upsample"] == "20"
    assert facts["budget_steps"] == "234" and facts["budget_samples"] == "10\u202f000"
    # Per-variant D losses as the table shows them: a range, or one number if both read alike.
    assert facts["dloss_baseline"] == "0,39 y 0,58"
    assert facts["dloss_upsample"] == "0,69 y 0,70"  # 0,695 and 0,698, as the table rounds them
    assert dcgan_report._range([0.141, 0.144], 2) == "0,14"
    assert facts["seed_or_variant"] == (
        "la variante decidió si el entrenamiento arrancaba en 1 de las 2 variantes "
        "(«sobremuestreo» arrancó con las dos semillas); solo en el modelo base el arranque "
        "dependió de la semilla")


def test_seed_or_variant_reads_what_decided_the_startup():
    outcome = {"baseline": {0: False, 1: True}, "tanh": {0: False, 1: False},
               "latent50": {0: False, 1: True}, "latent200": {0: False, 1: False},
               "batchnorm": {0: False, 1: False}, "upsample": {0: True, 1: True}}
    assert dcgan_report.seed_or_variant(outcome) == (
        "la variante decidió si el entrenamiento arrancaba en 4 de las 6 variantes "
        "(«sobremuestreo» arrancó con las dos semillas; «tanh», «latente 200» y «normalización "
        "por lotes», con ninguna); solo en el modelo base y «latente 50» el arranque dependió de "
        "la semilla")
    assert dcgan_report.seed_or_variant({"a": {0: True, 1: True, 2: True},
                                        "b": {0: True, 1: True, 2: True}}) == (
        "la variante decidió si el entrenamiento arrancaba en 2 de las 2 variantes («a» y «b» "
        "arrancaron con las 3 semillas)")


def test_started_uses_the_last_mean_d_loss_against_the_band(tmp_path):
    outcome = dcgan_report.started(_comparison(tmp_path), (0.5, 0.8))
    assert outcome == {"baseline": {0: False, 1: True}, "upsample": {0: True, 1: True}}


def test_real_grid_matches_the_size_of_a_runs_sample_grid(tmp_path, mnist):
    import matplotlib.image as mpimg
    real = grids.real_grid(mnist[1][0], tmp_path / "real.png")
    grids.save_grid(np.zeros((100, 28, 28, 1)), tmp_path / "fake.png")
    a, b = mpimg.imread(real), mpimg.imread(tmp_path / "fake.png")
    assert a.shape == b.shape and a.std() > 0.1  # digits, not a blank image


def test_unit_images_calls_the_generator_without_tracing_predict():
    """``predict`` traces a tf.function per model and batch shape (TensorFlow then warns about
    retracing in the chapter); generating images must not create one."""
    from thesis_lib.models import dcgan
    generator = dcgan.generator(latent_dim=8, filters=16)  # narrow: the same calls, cheaper
    z = np.random.default_rng(0).normal(size=(1203, 8))
    images = latent.unit_images(generator, z)
    assert images.shape == (1203, 28, 28, 1) and 0 <= images.min() and images.max() <= 1
    assert getattr(generator, "predict_function", None) is None
    np.testing.assert_allclose(images[:5], generator.predict(z[:5], verbose=0), atol=1e-5)


def test_final_grids_leave_out_blank_ones_and_name_them(tmp_path):
    cards = []
    for variant, seed, value in (("tanh", 0, -1.0), ("baseline", 1, None), ("baseline", 0, None)):
        run_dir = tmp_path / f"{variant}-{seed}"
        run_dir.mkdir()
        images = (np.full((100, 28, 28, 1), value) if value is not None else
                  np.random.default_rng(seed).uniform(-1, 1, size=(100, 28, 28, 1)))
        grids.save_grid(images, run_dir / "grid-epoch001.png", (-1.0, 1.0))
        cards.append({"variant": variant, "seed": seed, "epochs": 1, "run_dir": run_dir})
    paths, titles, blank = dcgan_report.final_grids(cards, order=["baseline", "tanh"])
    assert titles == ["modelo base, semilla 0", "modelo base, semilla 1"]
    assert paths == [tmp_path / "baseline-0" / "grid-epoch001.png",
                     tmp_path / "baseline-1" / "grid-epoch001.png"]
    assert blank == ["tanh, semilla 0"]


def test_the_chapters_figures_are_legible_at_column_width(tmp_path):
    """The §4.2 figures as the chapter draws them pass the book's legibility check (no text
    under ``plotting.MIN_TEXT_PX`` once the page scales the figure to its column), and two
    sample grids side by side do not touch."""
    import matplotlib
    matplotlib.use("Agg")
    from thesis_lib import plotting
    fig, axes = plotting.new_figure(2, width=3.5, height=3.0)
    plots.plot_gan_losses(axes[0], HISTORY, title="pérdidas")
    plots.plot_d_accuracy(axes[1], MONITOR, title="exactitud de D")
    plotting.finish_figure(fig)

    def legends_below_the_data(fig):  # over 100 epochs a curve reaches every corner
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            legend = ax.get_legend()
            assert legend is not None
            assert legend.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0

    legends_below_the_data(fig)
    rows = [{"epoch": e, "frechet_distance": 400.0 / e, "mnist_score": 5.0 + e / 10}
            for e in (1, 2, 3)]
    fig, axes = plotting.new_figure(2, width=3.5, height=3.0)
    plots.plot_metric_curve(axes, rows, {"frechet_distance": 3.4}, {"mnist_score": 9.87})
    plotting.finish_figure(fig)
    legends_below_the_data(fig)
    images = np.random.default_rng(0).random((10, 28, 28))
    fig = plots.plot_interpolation([images, images], ["segmento", "arco"],
                                      labels=[[8] * 10, [9] * 10])
    plotting.finish_figure(fig)
    assert plotting.smallest_text_px(fig)[0] >= 10
    for name in ("a", "b"):
        grids.save_grid(np.random.default_rng(1).random((100, 28, 28, 1)), tmp_path / f"{name}.png")
    fig = plotting.show_pngs([tmp_path / "a.png", tmp_path / "b.png"], ["reales", "generadas"],
                             size=3.4)
    plotting.finish_figure(fig)
    left, right = (ax.get_window_extent() for ax in fig.axes)
    assert right.x0 - left.x1 > 0.02 * left.width  # a visible gap between the two grids


def _long_history(epochs=100):
    rng = np.random.default_rng(0)
    history = [{"epoch": e, "d_loss": 0.69 - 0.005 * rng.random(), "g_loss": 0.71 + 0.005 *
                rng.random()} for e in range(1, epochs + 1)]
    monitor = [{"epoch": e, "acc_real": rng.random(), "acc_fake": rng.random()}
               for e in range(10, epochs + 1, 10)]
    return history, monitor


def test_the_long_run_figure_separates_the_curves_and_both_bands():
    """Fig. «fig-long-losses»: the losses over both bands of the thesis (each drawn its own
    way: D's filled, G's hatched, as their legend entries), an inset where D's and G's curves,
    0,02 apart, do not touch, epochs every 20 on a 100-epoch run, legends under the panels."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.patches import Patch

    from thesis_lib import plotting
    history, monitor = _long_history()
    fig = plotting.finish_figure(dcgan_report.plot_long_run(history, monitor))
    left, right = fig.axes
    low, high = left.get_ylim()
    assert low < 0.5 and high > 2.0  # both bands whole
    bands = [p for p in left.get_legend().legend_handles if isinstance(p, Patch)]
    assert len(bands) == 2 and bands[0].get_hatch() is None and bands[1].get_hatch() == "///"
    (zoom,) = left.child_axes
    z_low, z_high = zoom.get_ylim()
    assert z_high - z_low < 0.1  # the inset spreads the curves over its height
    fig.canvas.draw()
    for ax in (left, right):
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert np.all(np.diff(ticks) == 20)
        legend = ax.get_legend().get_window_extent()
        assert legend.y1 <= ax.get_window_extent().y0
    assert plotting.smallest_text_px(fig)[0] >= plotting.MIN_TEXT_PX


def test_sample_grids_show_digits_large_enough_at_column_width(tmp_path):
    """Figures of sample grids (long run by epoch, real against generated, the variants'
    comparison) draw each digit at least 45 pixels wide in the book's column, real digits
    among them, and cut the saved 10 × 10 grids at their pitch."""
    import matplotlib
    matplotlib.use("Agg")
    from thesis_lib import plotting
    rng = np.random.default_rng(3)
    for name in ("grid-epoch001", "grid-epoch002", "real"):
        grids.save_grid(rng.random((100, 28, 28, 1)), tmp_path / f"{name}.png")
    tiles = grids.grid_tiles(tmp_path / "real.png", 5, 10)
    assert tiles.shape == (180, 360, 3)
    # The cut ends in the gap after an image: white there, as the margin at the start.
    assert tiles[:, -1].min() == 1.0 and tiles[-1].min() == 1.0 and tiles[0].min() == 1.0
    np.testing.assert_array_equal(grids.draw_grid(rng.random((7, 28, 28)), 3).shape,
                                  (3 * 34 + 2 * 2 + 2, 3 * 34 + 2 * 2 + 2))

    def digit_px(fig, across):  # a panel's width in the column, over its digits across
        plotting.finish_figure(fig)
        width = fig.get_size_inches()[0] * fig.dpi
        panel = fig.axes[0].get_window_extent().width
        return panel * min(1.0, plotting.COLUMN_PX / width) / across * 34 / 36

    paths = [tmp_path / "grid-epoch001.png", tmp_path / "grid-epoch002.png"]
    fig = dcgan_report.plot_epoch_grids(paths)
    assert [ax.get_title() for ax in fig.axes] == ["época 1", "época 2"]
    assert digit_px(fig, 10) >= 45
    fig = dcgan_report.plot_real_and_final(tmp_path / "real.png", paths[1], 100)
    top, bottom = fig.axes
    assert "reales" in top.get_title() and top.get_window_extent().y0 > \
        bottom.get_window_extent().y1  # real digits above the generated ones
    assert digit_px(fig, 10) >= 45
    fig = dcgan_report.plot_variant_grids(paths, ["latente 50, semilla 0", "sobremuestreo, "
                                                  "semilla 1"], tmp_path / "real.png")
    assert [ax.get_title() for ax in fig.axes] == [
        "MNIST (reales)\nprueba, al azar", "latente 50\nsemilla 0", "sobremuestreo\nsemilla 1"]
    assert digit_px(fig, 4) >= 45


def test_grids_saved_as_rgb_rgba_or_gray_show_side_by_side(tmp_path):
    # The committed long run's grids are RGBA (drawn by Matplotlib), new ones RGB.
    import matplotlib.image as mpimg

    from thesis_lib import plotting
    grids.save_grid(np.random.default_rng(2).random((100, 28, 28, 1)), tmp_path / "rgb.png")
    image = mpimg.imread(tmp_path / "rgb.png")
    mpimg.imsave(tmp_path / "rgba.png", image)
    mpimg.imsave(tmp_path / "gray.png", image[..., 0], cmap="gray")
    assert mpimg.imread(tmp_path / "rgba.png").shape[-1] == 4
    fig = plotting.show_pngs([tmp_path / n for n in ("rgb.png", "rgba.png", "gray.png")],
                             ["a", "b", "c"], ncols=3)
    shown = [ax.get_images()[0].get_array() for ax in fig.axes]
    assert all(a.shape == (360, 360, 3) for a in shown)
    np.testing.assert_allclose(shown[0], shown[1], atol=1 / 255)

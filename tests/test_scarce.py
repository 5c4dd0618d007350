"""The scarce-data experiment (thesis §5's closing claim): balanced subsets, the batches each
variant sees (the same real images in every variant), the GAN's stopping rule, the variants'
networks, the paired summary and intervals, resuming from cards, and a chapter that reads the
cards of either design."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from thesis_lib import artifacts, data, runcards
from thesis_lib.profiles import get_config
from thesis_lib.report import scarce as scarce_report
from thesis_lib.studies import scarce


def test_balanced_indices_take_the_same_count_of_every_class():
    labels = np.repeat(np.arange(10), [50, 30, 40, 20, 60, 25, 35, 45, 55, 65])
    idx = data.balanced_indices(labels, 100, seed=3)
    assert np.bincount(labels[idx], minlength=10).tolist() == [10] * 10
    assert len(set(idx)) == 100
    np.testing.assert_array_equal(idx, data.balanced_indices(labels, 100, seed=3))
    assert not np.array_equal(idx, data.balanced_indices(labels, 100, seed=4))


@pytest.mark.parametrize("size, message", [(15, "multiple of 10"), (0, "multiple of 10"),
                                           (300, "fewer than the 30")])
def test_balanced_indices_name_the_problem(size, message):
    labels = np.repeat(np.arange(10), [50, 30, 40, 20, 60, 25, 35, 45, 55, 65])
    with pytest.raises(ValueError, match=message):
        data.balanced_indices(labels, size)


def test_config_refuses_unbalanced_sizes_and_bad_settings():
    with pytest.raises(ValueError, match="multiples of 10"):
        get_config("scarce_data", "quick", sizes=(105,))
    with pytest.raises(ValueError, match="gan_min_delta"):
        get_config("scarce_data", "quick", gan_min_delta=1.5)
    with pytest.raises(ValueError, match="synthetic_per_batch"):
        get_config("scarce_data", "quick", synthetic_per_batch=0)
    with pytest.raises(ValueError, match="design 1"):
        get_config("scarce_data", "quick", design=1)
    full = get_config("scarce_data", "full")
    assert full.sizes == (100, 300, 1000) and full.seeds >= 3  # ≥ 3 seeds per N (issue 29)
    assert full.design == scarce.DESIGN == 2
    # the stopping rule is written in the profile: patience within the cap, 5,000 steps at most
    assert full.gan_patience < full.gan_max_epochs
    assert full.gan_max_epochs * full.gan_epoch_steps == 5000
    assert full.synthetic_per_batch == full.classifier_batch  # a real and a GAN image 1:1


def _marked(n_real=20, n_synthetic=50):
    """Real images whose pixels carry their index + 1; GAN samples all −1."""
    x = np.repeat(np.arange(1, n_real + 1, dtype="float32"), 28 * 28).reshape(n_real, 28, 28, 1)
    real = (x, np.arange(n_real) % 10)
    synthetic = (-np.ones((n_synthetic, 28, 28, 1), "float32"), np.arange(n_synthetic) % 10)
    return real, synthetic


def real_images_per_batch(batches) -> list[list[int]]:
    """The real images (by index) in each batch of a variant, over an epoch of its updates."""
    return [sorted(int(v) - 1 for v in x[:, 0, 0, 0] if v > 0)
            for x, _ in (batches[i] for i in range(len(batches)))]


def test_every_variant_sees_the_same_real_images_in_every_update():
    config = get_config("scarce_data", "quick", classifier_steps=7, classifier_batch=16,
                        synthetic_per_batch=16)
    real, synthetic = _marked()
    seen = {v: real_images_per_batch(scarce.variant_batches(v, real, synthetic, config, seed=3))
            for v in scarce.VARIANTS}
    counts = {v: sum(map(len, batches)) for v, batches in seen.items()}
    assert counts == {v: 7 * 16 for v in scarce.VARIANTS}  # equal real data (issue 29)
    assert all(seen[v] == seen["alone"] for v in scarce.VARIANTS)  # the very same images
    x, y = scarce.variant_batches("gan", real, synthetic, config, seed=3)[2]
    assert x.shape == (32, 28, 28, 1) and (x[:16] > 0).all() and (x[16:] == -1).all()
    np.testing.assert_array_equal(y.sum(axis=1), np.ones(32))
    assert len(scarce.variant_batches("alone", real, synthetic, config, seed=3)[0][0]) == 16
    # The first design (half of each batch generated) fails this count: half the real images.
    old = scarce.MixedBatches(real, synthetic, steps=7, batch=8, extra=8, seed=3)
    assert sum(map(len, real_images_per_batch(old))) == counts["alone"] // 2


def test_mixed_batches_depend_only_on_the_seed_and_the_batch():
    real, synthetic = _marked()
    batches = scarce.MixedBatches(real, synthetic, steps=3, batch=12, extra=4, seed=0)
    x, _ = batches[1]
    again, _ = scarce.MixedBatches(real, synthetic, steps=3, batch=12, extra=4, seed=0)[1]
    np.testing.assert_array_equal(x, again)
    other, _ = scarce.MixedBatches(real, synthetic, steps=3, batch=12, extra=4, seed=1)[1]
    assert not np.array_equal(x, other)
    only_real, _ = scarce.MixedBatches(real, None, steps=3, batch=12, extra=4, seed=0)[1]
    np.testing.assert_array_equal(only_real, x[:12])


RULE = scarce.StoppingRule(patience=3, min_delta=0.01, max_epochs=20)


def stopping_epoch(curve, rule=RULE):
    """The epoch after which ``rule`` stops a GAN whose agreement follows ``curve``."""
    for epoch in range(1, len(curve) + 1):
        if rule.stop(curve[:epoch]):
            return epoch, rule.stop(curve[:epoch]), rule.best_epoch(curve[:epoch])
    return None


def test_the_stopping_rule_waits_while_agreement_improves():
    rising = [0.1 + 0.02 * e for e in range(20)]
    assert all(RULE.stop(rising[:e]) is None for e in range(1, 20))
    assert stopping_epoch(rising) == (20, "cap", 20)
    # slow but real progress (above min_delta every other epoch) never trips the patience
    stairs = [0.3 + 0.015 * (e // 2) for e in range(20)]
    assert stopping_epoch(stairs) == (20, "cap", 19)


def test_the_stopping_rule_stops_after_patience_without_improvement():
    plateau = [0.2, 0.4, 0.55, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    assert stopping_epoch(plateau) == (7, "patience", 4)
    # changes within min_delta are not improvements; a fall is not one either
    noisy = [0.5, 0.7, 0.705, 0.698, 0.709, 0.65]
    assert stopping_epoch(noisy) == (5, "patience", 2)
    # an improvement resets the count; the generator kept is the best epoch's
    late = [0.5, 0.6, 0.6, 0.6, 0.65, 0.65, 0.65, 0.65]
    assert stopping_epoch(late) == (8, "patience", 5)
    assert RULE.stop([]) is None and RULE.best_epoch([]) == 0
    assert scarce.StoppingRule(patience=8, min_delta=0.01, max_epochs=50).card()["patience"] == 8


class _FakeGAN:
    """What AgreementCurve touches: samples whose class is right with a chosen probability."""

    def __init__(self):
        self.share, self.stop_training = 0.0, False
        self.generator = self

    def generate(self, n, labels, seed):
        right = np.random.default_rng(seed).random(n) < self.share  # the same draws each time
        images = np.where(right, labels, (labels + 1) % 10).astype("float32") / 10
        return np.broadcast_to(images[:, None, None, None], (n, 1, 1, 1)).copy()

    def save_weights(self, path):
        Path(path).write_text(str(self.share))


class _FakeEvaluator:
    def predict(self, images):
        return np.rint(10 * images[:, 0, 0, 0]).astype(int)


def test_the_agreement_curve_is_logged_and_stops_the_gan(tmp_path):
    rule = scarce.StoppingRule(patience=2, min_delta=0.01, max_epochs=10)
    callback = scarce.AgreementCurve(_FakeEvaluator(), rule, tmp_path, 500, seed=1,
                                     steps_per_epoch=100)
    gan = _FakeGAN()
    callback.set_model(gan)
    for epoch, share in enumerate([0.3, 0.6, 0.6, 0.6, 0.9]):
        gan.share = share
        callback.on_epoch_end(epoch)
        if gan.stop_training:
            break
    rows = callback.log.rows()
    assert [r["epoch"] for r in rows] == [1, 2, 3, 4] and gan.stop_training
    assert rows[1]["steps"] == 200 and abs(rows[1]["agreement"] - 0.6) < 0.06
    best = artifacts.read_json(tmp_path / "best.json")
    assert best["epoch"] == 2 and best["generator"] == "generator-best-epoch002.weights.h5"
    assert [p.name for p in tmp_path.glob("generator-best-*")] == [best["generator"]]
    assert scarce.agreement_values(rows, 3) == [r["agreement"] for r in rows[:3]]
    with pytest.raises(ValueError, match="lacks an epoch"):
        scarce.agreement_values(rows[1:], 4)


def test_a_gan_epoch_is_whole_copies_of_the_n_images():
    config = get_config("scarce_data", "full")
    for n, steps in ((100, 100), (300, 103), (1000, 109)):
        x, y = np.zeros((n, 28, 28, 1), "float32"), np.arange(n) % 10
        images, labels, per_epoch = scarce.gan_data(x, y, config)
        assert per_epoch == steps and len(images) % n == 0 and len(labels) == len(images)


def test_variants_share_the_cnn_and_augment_only_in_training():
    config = get_config("scarce_data", "quick")
    models = {variant: scarce.classifier(variant, config, seed=0) for variant in scarce.VARIANTS}
    assert len({m.count_params() for m in models.values()}) == 1  # 280,010: the §4.1 CNN
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    augmented = models["classic"].layers[0]
    np.testing.assert_allclose(augmented(x, training=False), x)
    assert not np.allclose(np.asarray(augmented(x, training=True)), x)
    with pytest.raises(ValueError, match="unknown variant"):
        scarce.classifier("mixup", config, 0)


def cards(values):
    return [{"n_train": n, "seed": s, "arm": variant, "test_accuracy": acc, "seconds": 1.0}
            for (n, s, variant), acc in values.items()]


def test_summary_pairs_each_variant_with_alone_on_the_same_seed():
    values = {(100, 0, "alone"): 0.70, (100, 1, "alone"): 0.80,
              (100, 0, "gan"): 0.75, (100, 1, "gan"): 0.79,
              (100, 0, "classic"): 0.72, (100, 1, "classic"): 0.84,
              (100, 0, "both"): 0.70, (100, 1, "both"): 0.80}
    out = scarce.summary(scarce.results_frame(cards(values))).set_index("variant")
    assert out.loc["gan", "mean"] == pytest.approx(0.77)
    assert out.loc["gan", "gain"] == pytest.approx((0.05 - 0.01) / 2)
    assert out.loc["gan", "gain_min"] == pytest.approx(-0.01)
    assert out.loc["classic", "gain_max"] == pytest.approx(0.04)
    assert out.loc["alone", "gain"] == 0
    assert out.loc["alone", "std"] == pytest.approx(np.std([0.7, 0.8], ddof=1))
    assert list(out.index) == list(scarce.VARIANTS)
    shown = scarce_report.table(out.reset_index()).data
    assert "+2,00 (−1,0 a +5,0)" in shown["ganancia sobre «solo» (puntos)"].tolist()


def test_a_cell_with_every_card_is_read_not_trained(tmp_path):
    config = get_config("scarce_data", "quick")
    out = scarce.cell_dir(tmp_path, 100, 0)
    assert out.name == "design2-n100-seed0"
    assert scarce.cell_dir(tmp_path, 100, 0, design=1).name == "n100-seed0"
    out.mkdir(parents=True)
    for variant in scarce.VARIANTS:
        card = runcards.new_card("classifier", provenance={}, model="cnn", arm=variant,
                                 profile="quick", seed=0, config={"design": 2}, n_train=100,
                                 n_test=10, parameters=1, test_accuracy=0.5, test_loss=1.0,
                                 seconds=1.0)
        (out / f"cnn-{variant}.json").write_text(json.dumps(card))
    got = scarce.run_cell(100, 0, config, "quick", tmp_path, mnist=None)
    assert [c["arm"] for c in got] == list(scarce.VARIANTS)
    assert len(scarce.load_cards(tmp_path)) == 4
    summary = artifacts.read_json(out / scarce.CELL_SUMMARY)  # what the campaign waits for
    assert summary["design"] == 2 and summary["test_accuracy"]["gan"] == 0.5


def test_load_cards_says_how_to_make_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m thesis_lib.studies.scarce"):
        scarce.load_cards(tmp_path)


TINY = dict(sizes=(10,), gan_epoch_steps=2, gan_max_epochs=3, gan_patience=1,
            gan_min_delta=0.5, gan_batch=8, classifier_steps=2, classifier_batch=8,
            synthetic_per_batch=8, synthetic_pool=20, test_subset=100, agreement_samples=20)


@pytest.mark.slow
def test_one_tiny_cell_end_to_end(tmp_path, mnist):
    got = scarce.run("quick", tmp_path, mnist, **TINY)
    assert [c["arm"] for c in got] == list(scarce.VARIANTS)
    assert all(0 <= c["test_accuracy"] <= 1 and c["n_test"] == 100 for c in got)
    assert all(c["real_per_batch"] == 8 and c["real_images_seen"] == 16 for c in got)
    assert [c["synthetic_per_batch"] for c in got] == [0, 0, 8, 8]
    folder = scarce.cell_dir(tmp_path, 10, 0) / "gan"
    gan = runcards.read_card(folder / "card.json", "gan")
    # min_delta 0.5 with patience 1: no second epoch can improve, so it stops after epoch 2
    assert gan["n_train"] == 10 and gan["epochs"] == 2 and gan["details"]["best_epoch"] == 1
    assert gan["details"]["stopped_by"] == "patience" and gan["config"]["design"] == 2
    assert 0 <= gan["metrics"]["agreement_fresh"] <= 1
    assert scarce.agreement_curves(tmp_path).epoch.tolist() == [1, 2]
    assert (folder / "grid-best.png").is_file() and (folder / "agreement.csv").is_file()
    # a cell whose GAN variants must be redone reuses the stopped GAN, without training it on
    curve = (folder / "agreement.csv").read_text()
    for name in ("cnn-gan.json", "cnn-both.json", scarce.CELL_SUMMARY):
        (folder.parent / name).unlink()
    again = scarce.run("quick", tmp_path, mnist, **TINY)
    assert (folder / "agreement.csv").read_text() == curve
    assert again[2]["test_accuracy"] == pytest.approx(got[2]["test_accuracy"], abs=0.02)
    assert (folder.parent / scarce.CELL_SUMMARY).is_file()


def test_elapsed_seconds_add_up_over_processes(tmp_path):
    path = tmp_path / "seconds.json"
    for expected_epochs in (1, 2):  # a second process resumes the count
        tracker = scarce.ElapsedSeconds(path)
        tracker.on_train_begin()
        tracker.on_epoch_begin(0)
        tracker.on_epoch_end(expected_epochs - 1)
    saved = artifacts.read_json(path)
    assert saved["epochs"] == 2 and saved["seconds"] >= 0
    card = {"details": {"seconds_this_process": 5.0, "seconds_all_processes": 12.0}}
    assert scarce.gan_seconds(card) == 12.0
    assert scarce.gan_seconds({"details": {"seconds_this_process": 5.0}}) == 5.0


def test_paired_wins_count_seed_by_seed():
    values = {(100, 0, "alone"): 0.70, (100, 1, "alone"): 0.80, (300, 0, "alone"): 0.9,
              (100, 0, "gan"): 0.75, (100, 1, "gan"): 0.79, (300, 0, "gan"): 0.95}
    assert scarce.paired_wins(scarce.results_frame(cards(values)), "gan") == (2, 3)


def test_paired_difference_against_another_variant():
    values = {(100, 0, "classic"): 0.80, (100, 0, "both"): 0.78, (100, 1, "classic"): 0.7,
              (100, 1, "both"): 0.75}
    diff = scarce.paired_difference(scarce.results_frame(cards(values)), "both", "classic")
    np.testing.assert_allclose(sorted(diff), [-0.02, 0.05])
    assert scarce.paired_wins(scarce.results_frame(cards(values)), "both", "classic") == (1, 2)


def test_paired_intervals_are_student_t_over_the_seeds():
    values = {(100, s, v): acc for s, (a, g) in enumerate([(0.70, 0.71), (0.80, 0.82),
                                                            (0.75, 0.78)])
              for v, acc in (("alone", a), ("gan", g))}
    values.update({(300, 0, "alone"): 0.9, (300, 0, "gan"): 0.89})
    out = scarce.paired_intervals(scarce.results_frame(cards(values)), "gan").set_index("n")
    half = 4.302653 * 0.01 / math.sqrt(3)  # t(0.975, 2) · sd / √3, differences 1, 2, 3 points
    assert out.loc[100, "pairs"] == 3 and out.loc[100, "mean"] == pytest.approx(0.02)
    assert out.loc[100, "std"] == pytest.approx(0.01)
    assert out.loc[100, "low"] == pytest.approx(0.02 - half, abs=1e-6)
    assert out.loc[100, "high"] == pytest.approx(0.02 + half, abs=1e-6)
    assert out.loc[100, "sign"] == 0 and out.loc[100, "wins"] == 3  # the interval holds 0
    assert out.loc[300, "pairs"] == 1 and math.isnan(out.loc[300, "low"])
    assert out.loc[300, "sign"] == 0


# --- the chapter reads the cards of either design ---------------------------------------------

def _write_cell(root, n, seed, design, accuracies, agreement=0.7):
    """A cell's synthetic cards, as ``run_cell`` (design 2) or the first design wrote them."""
    out = scarce.cell_dir(root, n, seed, design)
    (out / "gan").mkdir(parents=True)
    config = {"classifier_batch": 64} if design == 1 else {"design": 2, "classifier_batch": 64}
    for variant, acc in accuracies.items():
        card = runcards.new_card("classifier", provenance={}, model="cnn", arm=variant,
                                 profile="full", seed=seed, config=config, n_train=n,
                                 n_test=10_000, parameters=1, test_accuracy=acc,
                                 test_loss=1.0, seconds=60.0)
        (out / f"cnn-{variant}.json").write_text(json.dumps(card))
    gan_config = {"gan_batch": 64, **({} if design == 1 else {"design": 2})}
    details = {"seconds_this_process": 600.0} if design == 1 else {
        "seconds_all_processes": 1200.0, "best_epoch": 3, "best_steps": 300,
        "stopped_by": "patience"}
    metrics = {"agreement": agreement, "samples": 2000}
    if design == 2:
        metrics["agreement_fresh"] = agreement - 0.01
        rows = "epoch,steps,agreement\n" + "".join(
            f"{e},{100 * e},{agreement - 0.1 + 0.02 * min(e, 3)}\n" for e in range(1, 12))
        (out / "gan" / "agreement.csv").write_text(rows)
    card = runcards.new_card("gan", provenance={}, variant=scarce.GAN_VARIANT, options={},
                             profile="full", seed=seed, config=gan_config,
                             epochs=1 if design == 1 else 11, steps=1000 if design == 1 else 1100,
                             n_train=n, metrics=metrics, details=details)
    (out / "gan" / "card.json").write_text(json.dumps(card))


def _grid(root, design, sizes, gan_effect):
    for n in sizes:
        for seed in range(3):
            alone = 0.80 + 0.01 * seed
            _write_cell(root, n, seed, design, {
                "alone": alone, "classic": alone + 0.03,
                "gan": alone + gan_effect + 0.002 * seed, "both": alone + 0.02})


def test_the_chapter_shows_design_1_as_confounded_and_without_a_verdict(tmp_path):
    _grid(tmp_path, 1, (100, 300, 1000), gan_effect=-0.03)
    assert scarce.shown_design(tmp_path) == 1
    frame = scarce.results_frame(scarce.load_cards(tmp_path, 1))
    gans = scarce.gan_frame(tmp_path, 1)
    assert set(gans.stopped_by) == {"fixed budget"} and gans.real_views.iloc[0] > 0
    facts = scarce_report.facts(tmp_path, frame, gans, 1)
    assert "sin evidencia" in facts["esc_veredicto"] and "no se sostiene" not in str(facts)
    assert "mitad" in facts["esc_corridas"] and "9 GAN" in facts["esc_corridas"]
    # Every agreement names the samples it was measured on (the cards' metrics.samples).
    assert "las 2000 muestras de cada GAN (200 por dígito)" in facts["esc_corridas"]
    assert facts["esc_muestras_gan"] == "2000" and set(gans.samples) == {2000}
    assert "acuerdo con el evaluador (%, 2000 muestras por GAN)" in \
        scarce_report.gan_table(gans).data.columns
    assert "0 de 9 pares" in facts["esc_resultado"] and "intervalo del 95 %" in \
        facts["esc_resultado"]
    shown = scarce_report.paired_table(frame).data
    assert len(shown) == 4 * 3 and "intervalo del 95 %" in shown.columns
    assert "presupuesto fijo: 3" in scarce_report.gan_table(gans).data["detención"].tolist()
    # Design 1 measured each GAN once, at the end of its fixed budget: agreement against N
    # (each N's steps under it), and a caption and ficha that speak of points, not lines.
    import matplotlib.pyplot as plt
    fig = scarce_report.plot_agreement(tmp_path, gans, 1)
    (ax,) = fig.axes
    assert not ax.get_lines() and ax.get_xlabel() == "imágenes etiquetadas N"
    low, high = ax.get_xlim()
    assert low < 100 and high > 1000 and high / low < 3 * 1000 / 100  # spans the data
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "100\n(1000 pasos de G)"
    plt.close(fig)
    texts = scarce_report.agreement_texts(tmp_path, gans, 1, 400)
    assert "línea" not in " ".join(texts.values()) and "según N" in texts["esc_acuerdo_eje"]


def test_the_chapter_shows_design_2_once_delivered_and_says_what_it_settles(tmp_path):
    _grid(tmp_path, 1, (100, 300, 1000), gan_effect=-0.03)
    _grid(tmp_path, 2, (100,), gan_effect=-0.03)  # the campaign has delivered N = 100 only
    assert scarce.designs(tmp_path) == [1, 2] and scarce.shown_design(tmp_path) == 2
    assert len(scarce.load_cards(tmp_path, 2)) == 12 and len(scarce.load_cards(tmp_path)) == 48
    frame = scarce.results_frame(scarce.load_cards(tmp_path, 2))
    gans = scarce.gan_frame(tmp_path, 2)
    assert gans.agreement.tolist() == pytest.approx([0.69] * 3)  # fresh samples, not the curve's
    assert gans.steps.tolist() == [300] * 3 and set(gans.stopped_by) == {"patience"}
    facts = scarce_report.facts(tmp_path, frame, gans, 2)
    assert "3 de las 9 celdas" in facts["esc_corridas"]
    assert "medido en 2000 muestras nuevas de cada GAN" in facts["esc_corridas"]
    assert "N = 100 las muestras de la GAN empeoraron" in facts["esc_veredicto"]
    assert "300 y 1000 no tiene todavía corridas" in facts["esc_veredicto"]
    assert "no alcanza" in facts["esc_veredicto"]
    curves = scarce.agreement_curves(tmp_path, 2)
    assert len(curves) == 3 * 11 and curves.best.sum() == 3
    _grid(tmp_path, 2, (300, 1000), gan_effect=-0.03)
    frame = scarce.results_frame(scarce.load_cards(tmp_path, 2))
    facts = scarce_report.facts(tmp_path, frame, scarce.gan_frame(tmp_path, 2), 2)
    assert "contradice" in facts["esc_veredicto"]
    # Design 2 has a curve per GAN: against G's steps, the axis no longer than the curves.
    import matplotlib.pyplot as plt
    gans = scarce.gan_frame(tmp_path, 2)
    fig = scarce_report.plot_agreement(tmp_path, gans, 2)
    (ax,) = fig.axes
    assert len(ax.get_lines()) == 9 and ax.get_xlabel() == "pasos de G"
    assert ax.get_xlim()[1] <= 1.05 * curves.steps.max() + 1e-9
    plt.close(fig)
    texts = scarce_report.agreement_texts(tmp_path, gans, 2, 400)
    assert "líneas" in texts["esc_acuerdo_eje"] and "400 muestras fijas" in \
        texts["esc_acuerdo_ficha"]


def test_the_full_sizes_of_the_report_are_the_profiles():
    full = get_config("scarce_data", "full")
    assert scarce_report.FULL_SIZES == full.sizes
    assert scarce_report.FULL_CELLS == len(full.sizes) * full.seeds


def test_the_labelled_images_stand_beside_the_gan_samples_large_enough(tmp_path, mnist):
    """Fig. «fig-escasez-muestras»: a row per digit, six real images of each beside six GAN
    samples of the same row, each digit at least 45 pixels wide in the book's column."""
    import matplotlib
    matplotlib.use("Agg")
    from thesis_lib import plotting
    from thesis_lib.gan import grids
    folder = scarce.cell_dir(tmp_path, 100, 0, 1) / "gan"
    folder.mkdir(parents=True)
    grids.save_grid(np.random.default_rng(0).random((100, 28, 28)), folder / "grid-epoch001.png")
    fig = plotting.finish_figure(scarce_report.plot_real_and_generated(tmp_path, mnist, 100))
    left, right = fig.axes
    shapes = [ax.get_images()[0].get_array().shape[:2] for ax in (left, right)]
    assert shapes[0] == shapes[1]
    assert left.get_title().startswith("6 de las 10 imágenes reales")
    width = fig.get_size_inches()[0] * fig.dpi
    digit = left.get_window_extent().width * min(1, plotting.COLUMN_PX / width) / 6 * 34 / 36
    assert digit >= 45

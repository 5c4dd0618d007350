"""The scarce-data experiment (thesis §5's closing claim): balanced subsets, the batches each
variant sees, the variants' networks, the paired summary and resuming from cards."""

import json

import numpy as np
import pytest

from thesis_lib import data, runcards
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


def test_config_refuses_unbalanced_sizes_and_bad_shares():
    with pytest.raises(ValueError, match="multiples of 10"):
        get_config("scarce_data", "quick", sizes=(105,))
    with pytest.raises(ValueError, match="synthetic_share"):
        get_config("scarce_data", "quick", synthetic_share=1.0)
    full = get_config("scarce_data", "full")
    assert full.sizes == (100, 300, 1000) and full.seeds >= 3  # what issue 14 asks


def test_mixed_batches_draw_the_share_from_each_pool_by_seed():
    real = (np.zeros((20, 28, 28, 1), "float32"), np.arange(20) % 10)
    synthetic = (np.ones((50, 28, 28, 1), "float32"), np.arange(50) % 10)
    batches = scarce.MixedBatches(real, synthetic, steps=3, batch=16, share=0.25, seed=0)
    x, y = batches[1]
    assert len(batches) == 3 and x.shape == (16, 28, 28, 1) and y.shape == (16, 10)
    assert x[:12].max() == 0 and x[12:].min() == 1  # 12 real, then 4 synthetic
    np.testing.assert_array_equal(y.sum(axis=1), np.ones(16))
    again, _ = scarce.MixedBatches(real, synthetic, steps=3, batch=16, share=0.25, seed=0)[1]
    np.testing.assert_array_equal(x, again)
    only_real, _ = scarce.MixedBatches(real, None, steps=3, batch=16, seed=0)[1]
    assert only_real.max() == 0


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
    out.mkdir(parents=True)
    for variant in scarce.VARIANTS:
        card = runcards.new_card("classifier", provenance={}, model="cnn", arm=variant,
                                 profile="quick", seed=0, config={}, n_train=100, n_test=10,
                                 parameters=1, test_accuracy=0.5, test_loss=1.0, seconds=1.0)
        (out / f"cnn-{variant}.json").write_text(json.dumps(card))
    got = scarce.run_cell(100, 0, config, "quick", tmp_path, mnist=None)
    assert [c["arm"] for c in got] == list(scarce.VARIANTS)
    assert len(scarce.load_cards(tmp_path)) == 4


def test_load_cards_says_how_to_make_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m thesis_lib.studies.scarce"):
        scarce.load_cards(tmp_path)


@pytest.mark.slow
def test_one_tiny_cell_end_to_end(tmp_path, mnist):
    config = get_config("scarce_data", "quick", sizes=(10,), gan_steps=2, gan_batch=8,
                        classifier_steps=2, classifier_batch=8, synthetic_pool=20,
                        test_subset=100, agreement_samples=20)
    got = scarce.run("quick", tmp_path, mnist, sizes=(10,), gan_steps=2, gan_batch=8,
                     classifier_steps=2, classifier_batch=8, synthetic_pool=20,
                     test_subset=100, agreement_samples=20)
    assert [c["arm"] for c in got] == list(scarce.VARIANTS)
    assert all(0 <= c["test_accuracy"] <= 1 and c["n_test"] == 100 for c in got)
    assert got[2]["synthetic_per_batch"] == 4 and got[0]["synthetic_per_batch"] == 0
    gan = runcards.read_card(tmp_path / "n10-seed0" / "gan" / "card.json", "gan")
    assert gan["n_train"] == 10 and 0 <= gan["metrics"]["agreement"] <= 1
    assert config.sizes == (10,)


def test_elapsed_seconds_add_up_over_processes(tmp_path):
    path = tmp_path / "seconds.json"
    for expected_epochs in (1, 2):  # a second process resumes the count
        tracker = scarce.ElapsedSeconds(path)
        tracker.on_train_begin()
        tracker.on_epoch_begin(0)
        tracker.on_epoch_end(expected_epochs - 1)
    from thesis_lib import artifacts
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

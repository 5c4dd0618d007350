"""DCGAN runs from the command line: a tiny run writes a complete, verifiable card."""

import numpy as np
import pytest

from thesis_lib import artifacts
from thesis_lib.callbacks import EpochLog, read_csv
from thesis_lib.gan import latent
from thesis_lib.studies import mnist_gan as gan_runs


def test_tiny_narrow_run_writes_card_metrics_and_weights(tiny_dcgan_run):
    # gan_runs.run("narrow", "quick", seed=1, epochs=1, train_subset=256, batch_size=64,
    # latent_dim=8), shared with test_gan_results.py (conftest.py)
    root, card, _ = tiny_dcgan_run
    out = root / "narrow-quick-e1-n256-b64-seed1"
    assert card["steps"] == 4
    assert card["options"] == {"g_filters": 32, "d_filters": 32, "g_batch_norm": True}
    assert card["generator_sha256"] == artifacts.sha256(out / card["generator_weights"])
    for key in ("frechet_distance", "mnist_score", "classes_covered"):
        assert key in card["metrics"]
    assert card["real_data"]["test_set"]["mnist_score"] > 9.5
    assert [r["epoch"] for r in read_csv(out / "metrics.csv")] == [1]
    assert artifacts.read_json(out / "card.json")["seed"] == 1


def test_images_are_scaled_for_the_output_activation(mnist):
    from thesis_lib.profiles import get_config
    cfg = get_config("dcgan", "quick", train_subset=100, batch_size=64)
    sig, tanh = gan_runs.prepare_images(cfg, "sigmoid", mnist), gan_runs.prepare_images(cfg, "tanh", mnist)
    assert sig.shape == (100, 28, 28, 1) and sig.min() == 0 and sig.max() == 1
    assert tanh.min() == -1 and tanh.max() == 1
    np.testing.assert_allclose(latent.to_unit(tanh, "tanh"), sig, atol=1e-6)


def test_unknown_variant():
    with pytest.raises(ValueError, match="valid: baseline"):
        gan_runs.run("wgan", "quick")


@pytest.mark.slow  # two runs through the whole command path: a minute each in CI
@pytest.mark.parametrize("variant, conditional", [("infogan", False),
                                                  ("narrow_projection", True)])
def test_chapter3_runs_sample_by_code_or_digit_from_their_card(variant, conditional, tmp_path,
                                                               mnist):
    from thesis_lib.studies import gan_results as results
    card = gan_runs.run(variant, "quick", seed=0, out_root=tmp_path, mnist=mnist, verbose=0,
                        epochs=1, train_subset=128, batch_size=32, metric_samples=100,
                        conditional=conditional)
    assert card["options"]["g_filters"] == gan_runs.ALL_VARIANTS[variant]["g_filters"]
    if variant == "infogan":  # 62 noise numbers, a 10-way code and 2 continuous codes
        assert card["config"]["latent_dim"] == 74
    last = EpochLog(card["run_dir"] / "metrics.csv").rows()[-1]  # InfoGAN: code accuracy too
    assert ("code_accuracy" in last) == (variant == "infogan")
    assert 0 <= last.get("code_accuracy", 0) <= 1
    images = results.sample_images(card, 10, labels=list(range(10)), seed=1)
    assert images.shape == (10, 28, 28, 1) and 0 <= images.min() and images.max() <= 1
    # The requested digit (or code) is an input: asking for others changes the images.
    assert not np.array_equal(images, results.sample_images(card, 10, labels=[0] * 10, seed=1))

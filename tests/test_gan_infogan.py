"""InfoGAN (Chen et al. 2016; thesis §3.3, the disentangled latent space): the information term
against a NumPy reference, latent codes, and each update changing only its own network, the Q
head included in D's."""

import keras
import numpy as np
import pytest

from thesis_lib.gan import infogan
from thesis_lib.gan.training import train_gan
from thesis_lib.profiles import get_config
from thesis_lib.studies import isolation as checks

REAL = np.random.default_rng(0).uniform(size=(8, 28, 28, 1)).astype("float32")


def small(info_weight=1.0):
    cfg = get_config("dcgan", "quick", batch_size=8)
    return infogan.build_infogan(cfg, noise_dim=4, g_filters=8, d_filters=8,
                                 info_weight=info_weight)


def test_info_loss_equals_cross_entropy_plus_half_squared_error():
    rng = np.random.default_rng(1)
    category = rng.integers(0, 10, 5)
    codes = np.concatenate([np.eye(10)[category], rng.uniform(-1, 1, (5, 2))], axis=1)
    q = rng.normal(size=(5, 12))
    logits = q[:, :10] - q[:, :10].max(axis=1, keepdims=True)
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -log_softmax[np.arange(5), category].mean() + \
        0.5 * ((codes[:, 10:] - q[:, 10:]) ** 2).sum(axis=1).mean()
    got = keras.ops.convert_to_numpy(infogan.info_loss(
        keras.ops.convert_to_tensor(codes, "float32"), keras.ops.convert_to_tensor(q, "float32")))
    assert float(got) == pytest.approx(expected, rel=1e-5)


def test_latent_points_hold_noise_a_one_hot_code_and_continuous_codes():
    z = infogan.latent_points(6, 4, category=[0, 1, 2, 3, 4, 9], continuous=[0.5, -0.25], seed=3)
    assert z.shape == (6, 16) and z.dtype == np.float32
    assert z[:, 4:14].argmax(axis=1).tolist() == [0, 1, 2, 3, 4, 9]
    assert np.all(z[:, 4:14].sum(axis=1) == 1) and np.all(z[:, 14:] == [0.5, -0.25])
    assert np.array_equal(z, infogan.latent_points(6, 4, [0, 1, 2, 3, 4, 9], [0.5, -0.25], 3))
    free = infogan.latent_points(500, 4, seed=0)
    assert np.all(np.abs(free[:, 14:]) <= 1) and len(np.unique(free[:, 4:14].argmax(1))) == 10


@pytest.mark.all_backends
def test_each_update_changes_only_its_own_network_q_head_included():
    gan = small()
    report = checks.isolation_report(gan, REAL)
    assert all(report["d_step"]["discriminator"]) and not any(report["d_step"]["generator"])
    assert all(report["g_step"]["generator"]) and not any(report["g_step"]["discriminator"])


def test_the_q_head_learns_only_from_the_information_term():
    """With λ = 0 nothing reaches Q's layers in D's step; with λ = 1 they change."""
    def q_changed(info_weight):
        gan = small(info_weight)
        q_layers = [layer for layer in gan.discriminator.layers if "dense" in layer.name
                    and layer.output.shape[-1] != 1] + [gan.discriminator.get_layer("q")]
        before = [np.array(keras.ops.convert_to_numpy(w)) for layer in q_layers
                  for w in layer.weights]
        gan.discriminator_update(REAL)
        after = [np.array(keras.ops.convert_to_numpy(w)) for layer in q_layers
                 for w in layer.weights]
        return [bool(np.any(a != b)) for a, b in zip(before, after)]
    assert not any(q_changed(0.0))
    assert all(q_changed(1.0))


def test_fit_logs_the_usual_metrics_and_generate_takes_codes(tmp_path):
    gan = small()
    cfg = get_config("dcgan", "quick", epochs=1, batch_size=8, monitor_every=1)
    history = train_gan(gan, REAL.repeat(2, axis=0), cfg, tmp_path, verbose=0)
    assert {"d_loss", "g_loss", "d_acc"} <= set(history[-1]) and \
        all(np.isfinite(history[-1][k]) for k in ("d_loss", "g_loss"))
    assert (tmp_path / "grid-epoch001.png").is_file()
    images = gan.generate(4, category=7, continuous=[1.0, 0.0], seed=1)
    assert images.shape == (4, 28, 28, 1)
    with pytest.raises(ValueError, match="category="):
        gan.generate(4, labels=[1, 2, 3, 4])
    with pytest.raises(ValueError, match="unconditional"):
        infogan.build_infogan(get_config("dcgan", "quick", conditional=True))
    with pytest.raises(ValueError, match="gradient penalty"):
        infogan.build_infogan(get_config("dcgan", "quick", loss="wasserstein_gp"))


def test_code_accuracy_finds_the_best_matching_of_codes_to_classes():
    rng = np.random.default_rng(2)
    classes = rng.integers(0, 10, 1000)
    permutation = rng.permutation(10)
    codes = np.argsort(permutation)[classes]  # code c stands for class permutation[c]
    accuracy, mapping = infogan.code_accuracy(codes, classes)
    assert accuracy == 1.0 and mapping.tolist() == permutation.tolist()
    noisy = codes.copy()
    noisy[:100] = (noisy[:100] + 1) % 10  # 10 % of the codes wrong
    assert infogan.code_accuracy(noisy, classes)[0] == pytest.approx(0.9, abs=0.01)
    # A code that ignores the class matches no better than the largest class share.
    assert infogan.code_accuracy(rng.integers(0, 10, 1000), classes)[0] < 0.2
    with pytest.raises(ValueError, match="same length"):
        infogan.code_accuracy(codes[:5], classes)

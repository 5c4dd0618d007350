"""The GAN trainer (thesis Algorithm 1): each update changes its own network and only its own;
the classic Keras 2 recipe fails that check (on every backend); training moves a toy generator
to the data. The isolation of every update on JAX and PyTorch, for every loss, with labels and
k critic steps, is in test_gan_losses.py (``all_backends``)."""


import keras
import numpy as np
import pytest

from thesis_lib.gan.model import build_dcgan
from thesis_lib.models import dcgan
from thesis_lib.profiles import get_config
from thesis_lib.studies import isolation as gan_checks
from thesis_lib.studies.toy import networks as toy

REAL = np.random.default_rng(0).uniform(size=(8, 28, 28, 1)).astype("float32")


def test_dcgan_parameter_counts():
    d, g = dcgan.discriminator(), dcgan.generator()
    assert d.count_params() == 40_705
    assert g.count_params() == 1_164_289
    assert dcgan.stacked(g, d).count_params() == 1_204_994


def test_variants_build_with_the_expected_outputs():
    assert dcgan.generator(upsampling="upsample").count_params() == 1_164_289
    assert dcgan.generator(latent_dim=50).input_shape == (None, 50)
    z = np.random.default_rng(0).normal(size=(4, 100)).astype("float32")
    out = keras.ops.convert_to_numpy(dcgan.generator(output="tanh")(z))
    assert out.shape == (4, 28, 28, 1) and out.min() >= -1 and out.max() <= 1
    assert any(isinstance(layer, keras.layers.BatchNormalization)
               for layer in dcgan.generator(batch_norm=True).layers)
    with pytest.raises(ValueError, match="valid: sigmoid, tanh"):
        dcgan.generator(output="relu")
    with pytest.raises(ValueError, match="latent_dim"):
        dcgan.generator(latent_dim=0)


def test_network_widths_count_as_the_layers_say():
    # G: dense 100 → 7·7·f, two 4×4 transposed convolutions f → f, a 7×7 convolution f → 1.
    for f in (128, 64, 16):
        expected = (100 + 1) * 49 * f + 2 * (16 * f * f + f) + 49 * f + 1
        assert dcgan.generator(filters=f).count_params() == expected
    assert dcgan.generator(filters=128).count_params() == 1_164_289  # the thesis's
    # D: two 3×3 stride-2 convolutions (1 → f, f → f) and a dense unit on 7·7·f.
    for f in (64, 32):
        expected = (9 + 1) * f + (9 * f * f + f) + 49 * f + 1
        assert dcgan.discriminator(filters=f).count_params() == expected
    assert dcgan.discriminator().count_params() == 40_705
    with pytest.raises(ValueError, match="filters must be a positive integer"):
        dcgan.generator(filters=0)


@pytest.fixture
def report():
    return gan_checks.isolation_report(build_dcgan(get_config("dcgan", "quick")), REAL)


def test_discriminator_update_changes_all_of_d_and_none_of_g(report):
    assert all(report["d_step"]["discriminator"])
    assert not any(report["d_step"]["generator"])


def test_generator_update_changes_all_of_g_and_none_of_d(report):
    assert all(report["g_step"]["generator"])
    assert not any(report["g_step"]["discriminator"])


@pytest.mark.all_backends
def test_negative_control_classic_keras2_recipe_leaves_d_frozen():
    # The trap the thesis's code falls into under Keras 3: D's train_on_batch changes nothing.
    assert not any(gan_checks.classic_recipe_report())


def test_fit_updates_both_networks_and_both_optimizers():
    gan = build_dcgan(get_config("dcgan", "quick"))
    history = gan.fit(np.concatenate([REAL] * 4), batch_size=8, epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_acc"}
    assert int(gan.d_optimizer.iterations.numpy()) == 4
    assert int(gan.g_optimizer.iterations.numpy()) == 4


def test_untrained_toy_generator_is_far_from_the_data():
    gan = toy.toy_gan(seed=0)
    samples = keras.ops.convert_to_numpy(gan.generator(gan.sample_latent(2000)))
    assert abs(samples.mean() - 4.0) > 2.0


@pytest.mark.parametrize("seed", [0, 1])
def test_training_moves_a_toy_generator_to_the_data(seed):
    mean, std = toy.toy_run(mean=4.0, std=0.5, steps=3000, seed=seed)
    assert abs(mean - 4.0) < 0.3
    assert abs(std - 0.5) < 0.25


def test_projection_head_computes_w_phi_plus_b_plus_class_embedding_dot_phi():
    d = dcgan.discriminator(num_classes=10, filters=8, conditioning="projection",
                            output="linear")
    head = d.get_layer("projection")
    rng = np.random.default_rng(1)
    head.set_weights([rng.normal(size=w.shape).astype("float32") for w in head.get_weights()])
    features = keras.Model(d.inputs, head.input[0])
    x, y = REAL[:4], np.eye(10, dtype="float32")[[0, 3, 3, 9]]
    phi = keras.ops.convert_to_numpy(features([x, y]))
    kernel, bias, embedding = head.get_weights()
    expected = phi @ kernel + bias + np.sum((y @ embedding) * phi, axis=1, keepdims=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(d([x, y])), expected, rtol=1e-4,
                               atol=1e-4)
    other = np.eye(10, dtype="float32")[[1, 1, 1, 1]]
    assert not np.allclose(keras.ops.convert_to_numpy(d([x, other])), expected, atol=1e-3)


def test_projection_discriminator_reloads_and_refuses_unknown_conditioning(tmp_path):
    d = dcgan.discriminator(num_classes=10, filters=8, conditioning="projection")
    x, y = REAL[:2], np.eye(10, dtype="float32")[[2, 7]]
    d.save(tmp_path / "d.keras")
    again = keras.saving.load_model(tmp_path / "d.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again([x, y])),
                               keras.ops.convert_to_numpy(d([x, y])), rtol=1e-6)
    with pytest.raises(ValueError, match="valid: planes, projection"):
        dcgan.discriminator(num_classes=10, conditioning="embedding")


def test_projection_conditional_gan_updates_only_its_own_network():
    gan = build_dcgan(get_config("dcgan", "quick", conditional=True), g_filters=8, d_filters=8,
                      g_batch_norm=True, d_conditioning="projection")
    report = gan_checks.isolation_report(gan, REAL[:4], np.array([0, 1, 2, 3]))
    assert all(report["d_step"]["discriminator"]) and not any(report["d_step"]["generator"])
    assert all(report["g_step"]["generator"]) and not any(report["g_step"]["discriminator"])

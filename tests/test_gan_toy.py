"""The 2-D toys of the theory chapter (§3.1–3.2): the mixtures, VEEGAN's mode protocol on
hand-made samples, small MLP GANs, a conditional GAN that puts each class in its own mode and a
WGAN-GP that covers a ring of 8 Gaussians."""

import math

import keras
import numpy as np
import pytest

from thesis_lib import backend
from thesis_lib.gan.model import GAN
from thesis_lib.studies.toy import mixtures
from thesis_lib.studies.toy import networks as toy

# The conditioning toy: 4 Gaussians on a circle of radius 2 (neighbours 2.8 apart), sd 0.1, the
# class naming the mode; two hidden layers of 64, Adam(2e-4, β₁ = 0.5), batches of 64, 1,000
# steps. A sample counts for its class when its nearest centre is the class's *and* it lies
# within 3 sd (0.3) of it (mode_stats' high quality), stricter than the nearest centre alone.
COND_MODES, COND_STD, COND_STEPS = 4, 0.1, 1000


# The conditional toys' score: no chapter uses it, so it lives with its tests.
def conditional_accuracy(samples, labels, centers, std: float, threshold: float = 3.0) -> list:
    """For a conditional generator whose class k should produce mode k: for each class, the
    share of its samples that are of high quality (within ``threshold`` · ``std`` of their nearest
    centre, as in :func:`mode_stats`) *at that class's mode*. NaN for a class with no samples."""
    nearest, dist = mixtures.nearest_mode(samples, centers)
    labels = np.asarray(labels)
    if labels.shape != (len(nearest),):
        raise ValueError(f"labels must have shape ({len(nearest)},), got {labels.shape}.")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}.")
    right = (nearest == labels) & (dist <= threshold * std)
    return [float(right[labels == k].mean()) if (labels == k).any() else float("nan")
            for k in range(len(np.asarray(centers)))]


# The ring: VEEGAN's 8 Gaussians of sd 0.02 on a circle of radius 2; WGAN-GP with λ = 10 and
# 5 critic steps, Adam with β = (0, 0.9), 10⁻⁴ for G and 3·10⁻⁴ for the critic, 3 hidden layers
# of 128, batches of 64, 3,000 generator steps (15,000 critic steps); judged on 2,500 samples as
# VEEGAN does.
RING_STD, RING_STEPS, RING_BATCH = 0.02, 3000, 64


# --- data -------------------------------------------------------------------------------------
def test_ring_of_gaussians_lies_on_the_ring():
    x, y = mixtures.ring_of_gaussians(8000, seed=3)
    centers = mixtures.ring_centers()
    assert x.shape == (8000, 2) and x.dtype == np.float32 and y.shape == (8000,)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0, rtol=1e-6)
    np.testing.assert_allclose(centers[0], [2.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(centers[2], [0.0, 2.0], atol=1e-6)
    assert set(np.unique(y)) == set(range(8))
    assert np.bincount(y).min() > 800                       # about 1,000 per mode
    offsets = x - centers[y]
    assert abs(offsets.std() - 0.02) < 0.001                # each coordinate's sd
    again, y_again = mixtures.ring_of_gaussians(8000, seed=3)
    np.testing.assert_array_equal(x, again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(x, mixtures.ring_of_gaussians(8000, seed=4)[0])


def test_grid_of_gaussians():
    centers = mixtures.grid_centers()
    assert centers.shape == (25, 2)
    assert sorted(set(centers[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    x, y = mixtures.grid_of_gaussians(5000, std=0.05)
    assert x.shape == (5000, 2) and set(np.unique(y)) == set(range(25))
    assert np.abs(x - centers[y]).max() < 0.05 * 6


# --- the mode protocol ------------------------------------------------------------------------
def test_mode_stats_on_samples_at_three_of_eight_centres():
    centers = mixtures.ring_centers()
    at_modes = np.repeat(centers[[0, 2, 5]], 10, axis=0)    # 10 points exactly at 3 centres
    outliers = np.array([[0.0, 0.0], [5.0, 5.0], [-3.0, 0.5], [0.0, 1.0], [1.0, 1.0]] * 2)
    stats = mixtures.mode_stats(np.concatenate([at_modes, outliers]), centers, std=0.02)
    assert stats["modes_captured"] == 3
    assert stats["high_quality"] == pytest.approx(30 / 40)
    assert stats["per_mode"] == [10, 0, 10, 0, 0, 10, 0, 0]
    assert stats["kl"] == pytest.approx(math.log(8 / 3))    # uniform over 3 of 8 modes
    even = mixtures.mode_stats(centers, centers, std=0.02)
    assert even["modes_captured"] == 8 and even["high_quality"] == 1.0
    assert even["kl"] == pytest.approx(0.0, abs=1e-12)


def test_mode_stats_threshold_is_three_standard_deviations():
    centers, std = mixtures.ring_centers(), 0.02
    outward = centers[1] / np.linalg.norm(centers[1])
    inside = centers[1] + 2.9 * std * outward
    outside = centers[3] + 3.1 * std * outward
    stats = mixtures.mode_stats(np.stack([inside, outside]), centers, std)
    assert stats["per_mode"] == [0, 1, 0, 0, 0, 0, 0, 0]
    assert stats["high_quality"] == 0.5 and stats["modes_captured"] == 1
    # A wider std makes the second one count too, and the threshold is a parameter.
    assert mixtures.mode_stats(np.stack([inside, outside]), centers, 0.021)["modes_captured"] == 2
    assert mixtures.mode_stats(np.stack([inside, outside]), centers, std,
                          threshold=2.5)["modes_captured"] == 0
    none = mixtures.mode_stats(np.array([[0.0, 0.0]]), centers, std)
    assert none["modes_captured"] == 0 and none["high_quality"] == 0.0 and math.isnan(none["kl"])


@pytest.mark.parametrize("samples, centers, std, match", [
    (np.zeros(5), mixtures.ring_centers(), 0.02, "samples must be"),
    (np.zeros((5, 3)), mixtures.ring_centers(), 0.02, "3 coordinates but centers have 2"),
    (np.zeros((0, 2)), mixtures.ring_centers(), 0.02, "non-empty"),
    (np.zeros((5, 2)), np.zeros(2), 0.02, "centers must be"),
    (np.zeros((5, 2)), mixtures.ring_centers(), 0.0, "std must be positive"),
    (np.full((5, 2), np.nan), mixtures.ring_centers(), 0.02, "NaN"),
])
def test_mode_stats_rejects_bad_inputs(samples, centers, std, match):
    with pytest.raises(ValueError, match=match):
        mixtures.mode_stats(samples, centers, std)


def test_conditional_accuracy_counts_the_right_mode_only():
    centers = mixtures.ring_centers(4)
    samples = np.concatenate([centers[[0, 0, 1, 1]], centers[[1]] + [0.0, 0.5]])
    labels = np.array([0, 1, 1, 1, 1])                     # one wrong mode, one too far
    acc = conditional_accuracy(samples, labels, centers, std=0.1)
    assert acc[0] == 1.0 and acc[1] == pytest.approx(2 / 4) and math.isnan(acc[2])
    with pytest.raises(ValueError, match="labels must have shape"):
        conditional_accuracy(samples, labels[:3], centers, std=0.1)


# --- the small GANs ---------------------------------------------------------------------------
@pytest.mark.all_backends
@pytest.mark.parametrize("loss, activation", [("non_saturating", "sigmoid"),
                                              ("minimax", "sigmoid"),
                                              ("least_squares", "linear"),
                                              ("wasserstein_gp", "linear")])
def test_mlp_gan_output_follows_the_loss(loss, activation):
    gan = toy.mlp_gan(loss=loss, hidden=(8,))
    assert gan.discriminator.layers[-1].activation.__name__ == activation
    assert gan.generator.layers[-1].activation.__name__ == "linear"
    x = gan.generate(5, seed=0)
    assert x.shape == (5, 2)
    assert keras.ops.convert_to_numpy(gan.discriminator(x)).shape == (5, 1)


def test_mlp_gan_defaults_follow_the_papers():
    gp = toy.mlp_gan(loss="wasserstein_gp")
    assert gp.critic_steps == 5 and gp.loss_strategy.gp_weight == 10.0
    assert isinstance(gp.d_optimizer, keras.optimizers.Adam)
    assert float(gp.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(gp.d_optimizer.learning_rate) == pytest.approx(3e-4)    # two time scales
    equal = toy.mlp_gan(loss="wasserstein_gp", learning_rate=1e-4)
    assert float(equal.d_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(toy.mlp_gan(loss="wasserstein_gp", d_learning_rate=5e-4)
                 .d_optimizer.learning_rate) == pytest.approx(5e-4)
    assert (gp.d_optimizer.beta_1, gp.d_optimizer.beta_2) == (0.0, 0.9)
    clip = toy.mlp_gan(loss="wasserstein_clip")
    assert clip.critic_steps == 5 and clip.loss_strategy.clip == 0.01
    assert isinstance(clip.g_optimizer, keras.optimizers.RMSprop)
    assert float(clip.g_optimizer.learning_rate) == pytest.approx(5e-5)
    ns = toy.mlp_gan(critic_steps=2, learning_rate=3e-3, hidden=(16, 16), latent_dim=8)
    assert toy.mlp_gan().critic_steps == 1
    assert float(toy.mlp_gan().g_optimizer.learning_rate) == pytest.approx(2e-4)
    assert ns.critic_steps == 2 and float(ns.d_optimizer.learning_rate) == pytest.approx(3e-3)
    assert ns.generator.input_shape == (None, 8)
    assert [layer.units for layer in ns.generator.layers
            if isinstance(layer, keras.layers.Dense)] == [16, 16, 2]
    with pytest.raises(ValueError, match="unknown GAN loss"):
        toy.mlp_gan(loss="hinge")
    with pytest.raises(ValueError, match="unknown optimizer"):
        toy.mlp_gan(optimizer="sgd")
    with pytest.raises(ValueError, match="d_learning_rate must be positive"):
        toy.mlp_gan(d_learning_rate=0.0)


@pytest.mark.all_backends
def test_mlp_gan_options_for_the_remedies():
    class Tagged(GAN):
        def __init__(self, *args, tag=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.tag = tag

    head = keras.layers.GaussianNoise(0.1, name="noise_in_front")
    gan = toy.mlp_gan(hidden=(8,), g_hidden=(16, 16), d_head=[head], gan_class=Tagged,
                      gan_options={"tag": "x"}, jit_compile=False, steps_per_execution=5)
    assert isinstance(gan, Tagged) and gan.tag == "x"
    assert [layer.units for layer in gan.generator.layers
            if isinstance(layer, keras.layers.Dense)] == [16, 16, 2]
    assert [layer.units for layer in gan.discriminator.layers
            if isinstance(layer, keras.layers.Dense)] == [8, 1]
    assert gan.discriminator.layers[1] is head             # right after the input
    # PyTorch's trainer takes one step per call (thesis_lib.backend.steps_per_call).
    assert gan.steps_per_execution == backend.steps_per_call(5) and gan.jit_compile is False
    with pytest.raises(ValueError, match="g_hidden must name"):
        toy.mlp_gan(g_hidden=())
    with pytest.raises(ValueError, match="single-input"):
        toy.mlp_gan(num_classes=3, d_head=[keras.layers.GaussianNoise(0.1)])


def test_conditional_mlp_gan_takes_the_class_beside_its_input():
    gan = toy.mlp_gan(num_classes=3, latent_dim=5, hidden=(8,))
    assert [tuple(t.shape) for t in gan.generator.inputs] == [(None, 5), (None, 3)]
    assert [tuple(t.shape) for t in gan.discriminator.inputs] == [(None, 2), (None, 3)]
    assert gan.generate(6, labels=np.array([0, 1, 2, 2, 1, 0])).shape == (6, 2)


def test_train_toy_checks_its_inputs():
    x, y = mixtures.ring_of_gaussians(256, modes=4)
    with pytest.raises(ValueError, match="conditional: pass one label"):
        toy.train_toy(toy.mlp_gan(num_classes=4, hidden=(8,)), x, steps=1)
    with pytest.raises(ValueError, match="unconditional"):
        toy.train_toy(toy.mlp_gan(hidden=(8,)), x, y, steps=1)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        toy.train_toy(toy.mlp_gan(hidden=(8,)), x, steps=0)
    with pytest.raises(ValueError, match="log_every must be a positive integer"):
        toy.train_toy(toy.mlp_gan(hidden=(8,)), x, steps=5, log_every=0)


@pytest.mark.all_backends
def test_train_toy_runs_k_critic_steps_per_step_and_is_deterministic():
    x, _ = mixtures.ring_of_gaussians(2000)

    def run(log_every=5):
        gan = toy.mlp_gan(loss="wasserstein_gp", hidden=(16, 16), seed=1)
        result = toy.train_toy(gan, x, steps=12, batch=8, seed=2, log_every=log_every,
                               on_log=lambda step, g: (step, g.generate(2, seed=0).tolist()))
        return gan, result

    gan, result = run()
    assert int(gan.d_optimizer.iterations.numpy()) == 12 * 5    # k = 5 critic updates a step
    assert int(gan.g_optimizer.iterations.numpy()) == 12
    history = result["history"]
    assert history["step"] == [5, 10, 12]
    assert set(history) == {"step", "d_loss", "g_loss", "d_acc", "gp", "logged"}
    assert [step for step, _ in history["logged"]] == [5, 10, 12]
    assert history["logged"][-1][1] == gan.generate(2, seed=0).tolist()
    assert result["seconds"] > 0
    # A second model, built and trained apart, in one logging block instead of three: the same
    # samples in the same order, so the same weights (and the run is deterministic).
    one_block, again = run(log_every=12)
    np.testing.assert_array_equal(gan.generate(50, seed=3), one_block.generate(50, seed=3))
    assert again["history"]["step"] == [12]


# --- what the theory chapter claims -----------------------------------------------------------
# On TensorFlow only: how class labels reach both networks on every backend is checked by
# test_gan_losses.py (each update, conditional, changes only its own network).
def test_conditional_gan_puts_each_class_in_its_mode():
    x, y = mixtures.ring_of_gaussians(20_000, modes=COND_MODES, std=COND_STD, seed=0)
    centers = mixtures.ring_centers(COND_MODES)
    labels = np.repeat(np.arange(COND_MODES), 500)
    gan = toy.mlp_gan(num_classes=COND_MODES, hidden=(64, 64), seed=0)
    # Control: the untrained generator puts its samples near the origin, in no mode. (Trained
    # on shuffled labels it stays below 10 % per class too: the classes must carry the mode.)
    before = conditional_accuracy(gan.generate(len(labels), labels=labels, seed=1), labels,
                                      centers, COND_STD)
    assert max(before) < 0.1
    result = toy.train_toy(gan, x, y, steps=COND_STEPS, batch=64, seed=0)
    after = conditional_accuracy(gan.generate(len(labels), labels=labels, seed=1), labels,
                                     centers, COND_STD)
    print(f"\nconditional {keras.config.backend()}: {COND_STEPS} steps in "
          f"{result['seconds']:.1f} s, per-class accuracy {np.round(after, 3).tolist()}")
    assert min(after) >= 0.9, after


@pytest.mark.slow
def test_wgan_gp_covers_the_ring_of_eight_gaussians():
    # Not marked all_backends: it passes on JAX (about 15 s) and PyTorch, but PyTorch needs
    # minutes on two CPU cores for the 3,000 steps.
    x, _ = mixtures.ring_of_gaussians(100_000, std=RING_STD, seed=0)
    centers = mixtures.ring_centers()
    gan = toy.mlp_gan(loss="wasserstein_gp", seed=0)
    # Control: the untrained generator, a small blob at the origin, captures no mode.
    assert mixtures.mode_stats(gan.generate(2500, seed=1), centers, RING_STD)["modes_captured"] == 0
    result = toy.train_toy(gan, x, steps=RING_STEPS, batch=RING_BATCH, seed=0)
    stats = mixtures.mode_stats(gan.generate(2500, seed=1), centers, RING_STD)
    print(f"\nring {keras.config.backend()}: {RING_STEPS} steps in {result['seconds']:.1f} s, "
          f"{stats['modes_captured']} modes, high quality {stats['high_quality']:.3f}, "
          f"per mode {stats['per_mode']}")
    assert stats["modes_captured"] >= 7, stats
    # Captured modes alone would reward a wide blob that drops a few samples near each centre.
    assert stats["high_quality"] >= 0.1, stats

"""Attributes measured without labels and latent directions (thesis §3.3), against hand-built
images whose thickness and slant are known by construction, finite differences and a known
linear model."""

import keras
import numpy as np
import pytest
from keras import layers, ops

from thesis_lib.evaluation import attributes
from thesis_lib.studies import latent_directions as directions

# --- attributes ------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_ink_is_length_times_width_of_a_stroke(width):
    image = attributes.stroke(length=16, width=width)
    assert attributes.ink(image)[0] == pytest.approx(16 * width)


def test_ink_grows_in_proportion_to_width_whatever_the_slant():
    thin = attributes.ink([attributes.stroke(width=2, shear=0.3)])[0]
    thick = attributes.ink([attributes.stroke(width=4, shear=0.3)])[0]
    assert thick == pytest.approx(2 * thin)


@pytest.mark.parametrize("shear", [-0.5, -0.25, 0.0, 0.2, 0.4, 0.6])
def test_slant_reads_the_shear_a_stroke_was_built_with(shear):
    # Columns are rounded to whole pixels, so the stroke's shear is exact only on average.
    image = attributes.stroke(length=20, width=2, shear=shear)
    assert attributes.slant(image)[0] == pytest.approx(shear, abs=0.03)


def test_upright_stroke_has_zero_slant_and_a_mirror_negates_it():
    assert attributes.slant(attributes.stroke(shear=0.0))[0] == 0.0
    leaning = attributes.stroke(shear=0.35, width=3)
    assert attributes.slant(leaning[:, ::-1])[0] == pytest.approx(-attributes.slant(leaning)[0])


def test_slant_ignores_thickness_and_position():
    a = attributes.stroke(width=1, shear=0.3)
    b = np.roll(attributes.stroke(width=4, shear=0.3), (2, -3), axis=(0, 1))
    assert attributes.slant(np.stack([a, b])) == pytest.approx(
        [attributes.slant(a)[0]] * 2, abs=0.03)


def test_attributes_accept_channel_last_batches_and_blank_images():
    batch = np.stack([attributes.stroke(width=2), np.zeros((28, 28))])[..., None]
    assert attributes.ink(batch).tolist() == [32.0, 0.0]
    assert attributes.slant(batch)[1] == 0.0
    assert attributes.measure(batch, "ink").tolist() == [32.0, 0.0]


def test_bad_inputs_are_refused_with_the_fix():
    with pytest.raises(ValueError, match="to_unit"):
        attributes.ink(np.full((1, 28, 28), -1.0))
    with pytest.raises(ValueError, match=r"\(n, h, w\)"):
        attributes.slant(np.zeros((2, 28, 28, 3)))
    with pytest.raises(ValueError, match="valid: ink, slant"):
        attributes.measure(np.zeros((1, 28, 28)), "colour")


# --- directions ------------------------------------------------------------------------------

def test_regression_direction_recovers_a_known_linear_attribute():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2000, 8))
    w = np.array([2.0, 0.0, -1.0, 0.0, 0.0, 0.5, 0.0, 0.0])
    values = 3.0 + z @ w + rng.normal(scale=0.1, size=2000)
    direction, slope, r2 = directions.regression_direction(z, values)
    assert slope == pytest.approx(np.linalg.norm(w), rel=0.01)
    assert direction == pytest.approx(w / np.linalg.norm(w), abs=0.01)
    assert r2 > 0.99
    with pytest.raises(ValueError, match="more latent points"):
        directions.regression_direction(z[:5], values[:5])


def toy_models(seed=0, latent_dim=4):
    keras.utils.set_random_seed(seed)
    generator = keras.Sequential([keras.Input((latent_dim,)),
                                  layers.Dense(28 * 28, activation="sigmoid"),
                                  layers.Reshape((28, 28, 1))])
    classifier = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(),
                                   layers.Dense(10, activation="softmax")])
    return generator, classifier


def test_log_prob_gradient_matches_finite_differences():
    generator, classifier = toy_models()
    images_fn = directions.image_function(generator)
    z = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    log_p, grad = directions.log_prob_gradient_function(images_fn, classifier, 7)(z)
    eps = 1e-2
    for i in range(4):
        step = np.zeros_like(z)
        step[:, i] = eps
        up, _ = directions.log_prob_gradient_function(images_fn, classifier, 7)(z + step)
        down, _ = directions.log_prob_gradient_function(images_fn, classifier, 7)(z - step)
        assert grad[:, i] == pytest.approx((up - down) / (2 * eps), rel=0.05, abs=1e-3)
    assert np.all(log_p < 0)


def test_classifier_walk_raises_the_target_and_stops_once_confident():
    generator, classifier = toy_models(seed=2)
    images_fn = directions.image_function(generator)
    z = np.random.default_rng(3).normal(size=(6, 4)).astype("float32")
    before, _ = directions.log_prob_gradient_function(images_fn, classifier, 2)(z)
    moved, distance, taken = directions.classifier_walk(images_fn, classifier, z, 2, step=0.25,
                                                        n_steps=40, stop_at=0.9)
    after, _ = directions.log_prob_gradient_function(images_fn, classifier, 2)(moved)
    assert np.all(after > before)
    assert np.all(distance <= 0.25 * taken + 1e-4)
    stopped = taken < 40
    assert np.all(np.exp(after[stopped]) >= 0.9)


def test_swing_effect_measures_both_attributes_and_flips_against_a_known_model():
    # Ink is 20 + z₀ on a 10×10 square; the classifier says 1 when the ink exceeds 20, else 0.
    mask = np.zeros((1, 28, 28, 1), "float32")
    mask[:, 9:19, 9:19] = 1.0
    images_fn = lambda z, training=False: ops.convert_to_tensor(mask) * (  # noqa: E731
        0.2 + 0.01 * ops.reshape(ops.convert_to_tensor(z)[:, 0], (-1, 1, 1, 1)))
    classifier = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(),
                                   layers.Dense(10, activation="softmax")])
    weights = np.zeros((28 * 28, 10), "float32")
    weights[:, 1] = mask.ravel()
    classifier.layers[-1].set_weights([weights, np.eye(10, dtype="float32")[1] * -20.0])
    z = np.random.default_rng(5).normal(size=(40, 3)).astype("float32")
    low, high = z.copy(), z.copy()
    low[:, 0], high[:, 0] = -1.0, 1.0
    effect = directions.swing_effect(images_fn, classifier, low, high)
    assert effect["ink_change"] == pytest.approx(2.0, rel=1e-4)
    assert effect["slant_change"] == pytest.approx(0.0, abs=1e-9)
    assert effect["flip_share"] == 1.0 and effect["count_by_class"][0] == 40
    assert effect["flip_by_class"][0] == 1.0 and np.isnan(effect["flip_by_class"][1])
    # The same point twice: nothing changes.
    same = directions.swing_effect(images_fn, classifier, high, high)
    assert same["ink_change"] == 0.0 and same["flip_share"] == 0.0

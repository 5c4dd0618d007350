"""thesis_lib.profiles: quick/full hyperparameters and their validation."""

import pytest

from thesis_lib.profiles import EXPERIMENTS, PROFILES, ClassifierConfig, GANConfig, get_config


@pytest.mark.parametrize("experiment", EXPERIMENTS)
@pytest.mark.parametrize("profile", PROFILES)
def test_every_pair_is_defined(experiment, profile):
    assert get_config(experiment, profile) is not None


def test_full_profiles_are_the_thesis_settings():
    dense, cnn = get_config("dense_classifier", "full"), get_config("cnn_classifier", "full")
    assert (dense.epochs, dense.batch_size, dense.train_subset) == (10, 512, None)
    assert (cnn.epochs, cnn.batch_size, cnn.train_subset) == (15, 128, None)
    gan = get_config("dcgan", "full")
    assert (gan.epochs, gan.batch_size, gan.latent_dim, gan.learning_rate, gan.beta_1) == \
        (100, 256, 100, 2e-4, 0.5)
    p = get_config("perceptron", "full")
    assert (p.learning_rate, p.initial_bias, p.initial_weights) == (0.3, 1.0, (1.0, 1.0))


def test_quick_is_smaller_than_full():
    assert get_config("dense_classifier", "quick") == get_config("dense_classifier", "full")
    for exp in ("cnn_classifier", "dcgan", "regularization"):
        q, f = get_config(exp, "quick"), get_config(exp, "full")
        assert q.epochs < f.epochs and q.train_subset is not None
        assert f.train_subset is None or f.train_subset > q.train_subset


def test_overrides_apply_and_keep_types():
    cfg = get_config("dense_classifier", "quick", epochs=1, train_subset=500)
    assert isinstance(cfg, ClassifierConfig) and cfg.epochs == 1 and cfg.train_subset == 500
    assert get_config("perceptron", initial_weights=[0, 0]).initial_weights == (0, 0)


def test_unknown_profile_names_the_valid_ones():
    with pytest.raises(ValueError, match="unknown profile 'fast'.*quick, full"):
        get_config("dcgan", "fast")


def test_unknown_experiment():
    with pytest.raises(ValueError, match="unknown experiment 'gan'.*dcgan"):
        get_config("gan")


def test_unknown_override_names_the_valid_ones():
    with pytest.raises(ValueError, match="unknown override.*epoch\\b.*valid overrides: epochs"):
        get_config("cnn_classifier", "quick", epoch=3)


@pytest.mark.parametrize("overrides, message", [
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"epochs": -1}, "epochs must be a positive integer"),
    ({"epochs": 2.5}, "epochs must be a positive integer"),
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"train_subset": 60001}, "larger than the data"),
    ({"test_subset": 10001}, "larger than the data"),
    ({"train_subset": 0}, "train_subset must be a positive integer"),
])
def test_invalid_classifier_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        get_config("dense_classifier", "quick", **overrides)


def test_invalid_gan_values():
    with pytest.raises(ValueError, match="even"):
        get_config("dcgan", batch_size=255)
    with pytest.raises(ValueError, match="learning_rate"):
        get_config("dcgan", learning_rate=0)
    with pytest.raises(ValueError, match="max_epochs"):
        get_config("perceptron", max_epochs=0)


def test_configs_validate_when_built_directly():
    with pytest.raises(ValueError):
        ClassifierConfig(epochs=1, batch_size=0)
    with pytest.raises(ValueError):
        GANConfig(epochs=0)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
@pytest.mark.parametrize("profile", PROFILES)
def test_every_hyperparameter_has_a_spanish_row(experiment, profile):
    import dataclasses

    from thesis_lib import profiles
    from thesis_lib.report import hyperparameters
    config = profiles.get_config(experiment, profile)
    html = hyperparameters.table(config, profile).to_html()
    assert f"perfil {profile}" in html
    for field in dataclasses.fields(config):
        hidden = field.name in hyperparameters.HIDDEN_WHEN_NONE and getattr(config, field.name) is None
        assert (hyperparameters.LABELS[field.name] in html) != hidden
        assert f">{field.name}<" not in html  # no Python identifiers as row names
    assert "Config(" not in html and ">None<" not in html


@pytest.mark.parametrize("loss", ["minimax", "non_saturating", "least_squares",
                                  "wasserstein_clip", "wasserstein_gp"])
def test_gan_choices_show_in_spanish_and_bad_ones_are_refused(loss):
    from thesis_lib import profiles
    from thesis_lib.report import hyperparameters
    config = profiles.get_config("dcgan", "quick", loss=loss, precision="mixed_bfloat16")
    html = hyperparameters.table(config, "quick").to_html()
    assert hyperparameters.VALUE_NAMES["loss"][loss] in html and "mixta bfloat16" in html
    with pytest.raises(ValueError, match="valid: minimax, non_saturating"):
        profiles.get_config("dcgan", "quick", loss="hinge")
    with pytest.raises(ValueError, match="valid: float32, mixed_bfloat16, mixed_float16"):
        profiles.get_config("dcgan", "quick", precision="float16")
    with pytest.raises(ValueError, match="gp_weight must be a number >= 0"):
        profiles.get_config("dcgan", "quick", loss="wasserstein_gp", gp_weight=-1.0)
    with pytest.raises(ValueError, match="clip must be a positive number"):
        profiles.get_config("dcgan", "quick", loss="wasserstein_clip", clip=-0.01)
    with pytest.raises(ValueError, match="clip applies to loss wasserstein_clip only"):
        profiles.get_config("dcgan", "quick", loss=loss if loss != "wasserstein_clip" else
                            "minimax", clip=0.01)
    with pytest.raises(ValueError, match="critic_steps must be a positive integer"):
        profiles.get_config("dcgan", "quick", critic_steps=0)

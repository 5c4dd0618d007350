"""The GAN core of chapter 3: every loss family, k critic steps, class conditioning and mixed
precision, checked on every backend (``all_backends``) against independent computations."""

import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import layers

from thesis_lib import backend
from thesis_lib.callbacks import read_csv
from thesis_lib.gan import losses
from thesis_lib.gan.model import GAN, build_dcgan, precision
from thesis_lib.gan.training import train_gan
from thesis_lib.profiles import GAN_LOSSES, get_config
from thesis_lib.studies import isolation as checks
from thesis_lib.studies import mnist_gan as runs

RNG = np.random.default_rng(0)
# The DCGAN's architecture on 8 × 8 images: every code path of the 28 × 28 model, a fraction of
# its cost (these tests run on three backends).
SHAPE = (8, 8, 1)
IMAGES = RNG.uniform(size=(64, *SHAPE)).astype("float32")
LABELS = RNG.integers(0, 10, size=64)


def _config(loss, **overrides):
    return get_config("dcgan", "quick", loss=loss, batch_size=8, latent_dim=8, **overrides)


def build(config, **options):
    # Narrow networks too: the code paths are the same at any width.
    return build_dcgan(config, image_shape=SHAPE, g_filters=16, d_filters=16, **options)


# --- 1. isolation: every update changes its own network and only its own ---------------------

# Every loss with labels and k = 2 (the fullest path), and one loss without labels; the
# unconditional non-saturating DCGAN is checked in test_gan.py.
ISOLATION = [(loss, True) for loss in GAN_LOSSES] + [("wasserstein_gp", False)]


@pytest.mark.all_backends
@pytest.mark.parametrize("loss, conditional", ISOLATION)
def test_each_update_changes_only_its_own_network(loss, conditional):
    gan = build(_config(loss, critic_steps=2, conditional=conditional))
    report = checks.isolation_report(gan, IMAGES[:4], LABELS[:4] if conditional else None)
    d_changed = report["d_step"]["discriminator"]
    # A Wasserstein critic's output bias has gradient E[1] − E[1] = 0: it never moves.
    assert sum(d_changed) == len(d_changed) - (1 if loss.startswith("wasserstein") else 0)
    assert not any(report["d_step"]["generator"])
    assert all(report["g_step"]["generator"]) and not any(report["g_step"]["discriminator"])


@pytest.mark.all_backends
def test_a_training_step_makes_k_critic_updates_each_on_its_own_real_batch():
    gan = build(_config("wasserstein_gp", critic_steps=3))
    seen = []
    original = gan.discriminator_step if keras.config.backend() != "jax" else None
    if original is not None:  # stateful backends: record the real batches the D steps get
        def spy(real, labels=None):
            seen.append(np.asarray(keras.ops.convert_to_numpy(real)))
            return original(real, labels)
        gan.discriminator_step = spy
        gan.run_eagerly = True
    history = gan.fit(IMAGES[:24], batch_size=12, epochs=1, verbose=0, shuffle=False)
    assert int(gan.d_optimizer.iterations.numpy()) == 6  # 2 steps × 3 critic updates
    assert int(gan.g_optimizer.iterations.numpy()) == 2
    assert set(history.history) == {"d_loss", "g_loss", "d_acc", "gp"}
    if original is not None:
        batches = np.concatenate(seen)
        assert len(seen) == 6 and all(len(b) == 4 for b in seen)
        np.testing.assert_array_equal(batches, IMAGES[:24])  # 6 distinct batches, in order


# --- 2. weight clipping ------------------------------------------------------------------------

@pytest.mark.all_backends
def test_wasserstein_clip_keeps_every_critic_weight_in_the_box():
    c = 0.01
    gan = build(_config("wasserstein_clip", critic_steps=2, clip=c))
    for step in range(3):
        gan.discriminator_update(IMAGES[4 * step:4 * step + 4])
        for weights in checks.snapshot(gan.discriminator):
            assert np.abs(weights).max() <= c + 1e-9
    gan.fit(IMAGES[:16], batch_size=8, epochs=1, verbose=0, shuffle=False)
    values = np.concatenate([w.ravel() for w in checks.snapshot(gan.discriminator)])
    assert np.abs(values).max() <= c + 1e-9
    assert np.isclose(np.abs(values).max(), c)  # the box is active, not trivially satisfied


# --- 3. the gradient penalty against finite differences ----------------------------------------

PARAMS = {"w1": RNG.normal(size=(3, 5)), "b1": RNG.normal(size=5) * 0.1,
          "w2": RNG.normal(size=(5, 1))}
REAL3, FAKE3, ALPHA3 = RNG.normal(size=(6, 3)), RNG.normal(size=(6, 3)), RNG.uniform(size=6)


def _critic(w1, b1, w2):
    return lambda x: keras.ops.matmul(keras.ops.tanh(keras.ops.matmul(x, w1) + b1), w2)


def _numpy_penalty(params, h=1e-6):
    """(‖∇C(x̂)‖ − 1)² averaged, with ∇C by central differences, in float64 NumPy."""
    def critic(x):
        return np.tanh(x @ params["w1"] + params["b1"]) @ params["w2"]
    x_hat = ALPHA3[:, None] * REAL3 + (1 - ALPHA3[:, None]) * FAKE3
    grads = np.zeros_like(x_hat)
    for j in range(x_hat.shape[1]):
        step = np.zeros(x_hat.shape[1])
        step[j] = h
        grads[:, j] = (critic(x_hat + step) - critic(x_hat - step))[:, 0] / (2 * h)
    return np.mean((np.linalg.norm(grads, axis=1) - 1.0) ** 2)


@pytest.mark.all_backends
def test_gradient_penalty_equals_finite_differences_and_is_differentiable():
    def penalty(w1, b1, w2):
        return losses.gradient_penalty(_critic(w1, b1, w2), keras.ops.convert_to_tensor(REAL3,
                                       "float32"), FAKE3.astype("float32"),
                                       ALPHA3.astype("float32"))

    # The penalty, and its gradient with respect to the weights (a gradient of a gradient).
    value, grads = backend.gradient(penalty, PARAMS["w1"], PARAMS["b1"], PARAMS["w2"])
    expected = _numpy_penalty(PARAMS)
    assert value == pytest.approx(expected, rel=1e-4)
    h = 1e-4
    for (name, array), grad in zip(PARAMS.items(), grads):
        for index in [(0,) * array.ndim, tuple(s - 1 for s in array.shape)]:
            up, down = dict(PARAMS), dict(PARAMS)
            up[name], down[name] = array.copy(), array.copy()
            up[name][index] += h
            down[name][index] -= h
            numeric = (_numpy_penalty(up) - _numpy_penalty(down)) / (2 * h)
            assert grad[index] == pytest.approx(numeric, rel=2e-3, abs=1e-4), (name, index)


@pytest.mark.all_backends
def test_gradient_penalty_is_finite_where_the_critic_is_flat():
    # C(x) = x·w with w = 0: ∇ₓC = 0, where the norm's own gradient g/‖g‖ would be 0/0.
    def penalty(w):
        return losses.gradient_penalty(lambda x: keras.ops.matmul(x, w), REAL3.astype("float32"),
                                       FAKE3.astype("float32"), ALPHA3.astype("float32"))
    value, (grad,) = backend.gradient(penalty, np.zeros((3, 1)))
    assert value == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(grad, 0.0, atol=1e-5)


def test_a_critic_with_batch_norm_is_refused_for_the_penalty():
    with pytest.raises(ValueError, match="without batch normalization"):
        build(_config("wasserstein_gp"), batch_norm=True)


# --- 4. the losses themselves ------------------------------------------------------------------

@pytest.mark.all_backends
def test_losses_match_their_formulas():
    real = np.array([[0.9], [0.6]], "float32")
    fake = np.array([[0.2], [0.7]], "float32")
    value = lambda x: float(keras.ops.convert_to_numpy(x))  # noqa: E731
    bce_d = -np.mean(np.log(real)) / 2 - np.mean(np.log(1 - fake)) / 2
    for name in ("minimax", "non_saturating"):
        assert value(losses.get(name).d_loss(real, fake)) == pytest.approx(bce_d, rel=1e-5)
    assert value(losses.get("minimax").g_loss(fake)) == pytest.approx(np.mean(np.log(1 - fake)))
    assert value(losses.get("non_saturating").g_loss(fake)) == pytest.approx(
        -np.mean(np.log(fake)))
    ls = losses.get("least_squares")
    assert value(ls.d_loss(real, fake)) == pytest.approx(
        0.5 * np.mean((real - 1) ** 2) + 0.5 * np.mean(fake ** 2))
    assert value(ls.g_loss(fake)) == pytest.approx(0.5 * np.mean((fake - 1) ** 2))
    w = losses.get("wasserstein_gp")
    assert value(w.d_loss(real, fake)) == pytest.approx(fake.mean() - real.mean())
    assert value(w.g_loss(fake)) == pytest.approx(-fake.mean())
    assert (w.gp_weight, losses.get("wasserstein_clip").clip) == (10.0, 0.01)
    # Wasserstein accuracy: real strictly above the midpoint of the two mean scores (0.6 here),
    # fake at or below it: 0.9 and 0.2 are right, 0.6 and 0.7 wrong.
    assert value(w.accuracy(real, fake)) == pytest.approx(0.5)
    assert value(losses.get("minimax").accuracy(real, fake)) == pytest.approx(0.75)


def test_bad_loss_settings_name_the_valid_choices():
    with pytest.raises(ValueError, match="valid: minimax, non_saturating, least_squares"):
        losses.get("hinge")
    with pytest.raises(ValueError, match="clip applies to wasserstein_clip only"):
        losses.get("minimax", clip=0.1)
    with pytest.raises(ValueError, match="gp_weight must be >= 0"):
        losses.get("wasserstein_gp", gp_weight=-1.0)
    with pytest.raises(ValueError, match="critic_steps must be a positive integer"):
        GAN(keras.Sequential([keras.Input((2,)), layers.Dense(1)]),
            keras.Sequential([keras.Input((2,)), layers.Dense(2)]), 2, critic_steps=0)


# --- 5. conditioning and sampling -------------------------------------------------------------

@pytest.mark.all_backends
def test_generate_takes_labels_only_when_conditional():
    cond = build(_config("non_saturating", conditional=True))
    images = cond.generate(12, seed=3)
    assert images.shape == (12, *SHAPE)
    np.testing.assert_array_equal(images, cond.generate(12, seed=3))
    by_label = cond.generate(2, labels=[7, 7], seed=3)
    assert not np.allclose(by_label[0], images[0])  # same z, another class: another image
    with pytest.raises(ValueError, match="labels must be 2 integers in 0..9"):
        cond.generate(2, labels=[3, 10])
    plain = build(_config("non_saturating"))
    with pytest.raises(ValueError, match="unconditional"):
        plain.generate(2, labels=[1, 2])


def test_conditional_models_take_the_class_as_extra_channels_and_input():
    gan = build_dcgan(_config("wasserstein_gp", conditional=True), image_shape=(8, 12, 3),
                      num_classes=4)
    assert gan.discriminator.input_shape == [(None, 8, 12, 3), (None, 4)]
    assert gan.generator.output_shape == (None, 8, 12, 3)
    assert gan.generate(4, seed=0).shape == (4, 8, 12, 3)
    with pytest.raises(ValueError, match="multiples of 4"):
        build_dcgan(_config("minimax"), image_shape=(10, 10, 1))


# --- 6. mixed precision -----------------------------------------------------------------------

def test_precision_scope_restores_the_global_policy():
    before = keras.config.dtype_policy().name
    with precision("mixed_bfloat16"):
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == before
    with pytest.raises(ValueError, match="valid: float32, mixed_bfloat16, mixed_float16"):
        with precision("float8"):
            pass


@pytest.mark.all_backends
@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_computes_in_16_bits_and_keeps_losses_in_float32(policy):
    gan = build(_config("wasserstein_gp", precision=policy))
    assert gan.generator.layers[0].dtype_policy.name == policy
    assert gan.discriminator.layers[-1].compute_dtype == "float32"  # the head
    assert all(v.dtype == "float32" for v in gan.trainable_variables)  # master weights
    scaled = isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (policy == "mixed_float16")
    history = gan.fit(IMAGES[:16], batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert keras.config.dtype_policy().name == "float32"


# --- 7. exact resume with every new setting -----------------------------------------------------

class Crash(keras.callbacks.Callback):
    # 64 images in steps of 2 critic batches of 4 real ones: 4 steps an epoch, so the 6th
    # generator update is the middle of epoch 2, after the checkpoint of epoch 1.
    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.g_optimizer.iterations.numpy()) == 6:
            raise RuntimeError("killed")


@pytest.mark.all_backends
def test_resume_is_exact_with_critic_steps_labels_and_mixed_precision(tmp_path):
    cfg = get_config("dcgan", "quick", epochs=2, batch_size=8, latent_dim=8, monitor_every=1,
                     loss="wasserstein_gp", critic_steps=2, conditional=True,
                     precision="mixed_bfloat16")
    straight = build(cfg)
    train_gan(straight, IMAGES, cfg, tmp_path / "straight", labels=LABELS, verbose=0)
    with pytest.raises(RuntimeError, match="killed"):
        train_gan(build(cfg), IMAGES, cfg, tmp_path / "resumed", labels=LABELS,
                  verbose=0, extra_callbacks=[Crash()])
    # The crash left epoch 1 behind: the run below resumes from a checkpoint, not from scratch.
    assert read_csv(tmp_path / "resumed" / "history.csv")[-1]["epoch"] == 1
    resumed = build(cfg)
    history = train_gan(resumed, IMAGES, cfg, tmp_path / "resumed", labels=LABELS, verbose=0)
    assert [row["epoch"] for row in history] == [1, 2]
    for a, b in zip(straight.weights, resumed.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a.value),
                                      keras.ops.convert_to_numpy(b.value))
    assert read_csv(tmp_path / "straight" / "history.csv") == history
    assert (tmp_path / "resumed" / "grid-epoch002.png").is_file()


# --- 8. the command line ----------------------------------------------------------------------

CLI_ERRORS = [
    (["--loss", "hinge"], "argument --loss: invalid choice: 'hinge'"),
    (["--variant", "wide"], "argument --variant: invalid choice: 'wide'"),
    (["--epochs", "0"], "epochs must be a positive integer, got 0."),
    (["--loss", "wasserstein_gp", "--gp-weight", "-1"], "gp_weight must be a number >= 0"),
    (["--loss", "wasserstein_clip", "--clip", "-0.01"], "clip must be a positive number"),
    (["--train-subset", "10"], "train_subset 10 is too small for one step of 256 images"),
    (["--recipe", "wasserstein_gp", "--loss", "minimax"], "drop --loss minimax"),
    (["--critic-steps", "0"], "critic_steps must be a positive integer"),
]


@pytest.mark.parametrize("args, message", CLI_ERRORS)
def test_command_line_errors_are_one_line_and_status_2(args, message, capsys):
    # In this process: a new one would spend seconds importing the backend for each case.
    with pytest.raises(SystemExit) as stop:
        runs.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in err, err


def test_the_command_prints_its_error_alone():
    """What a user sees from a real process: the one line, without backend import noise; the
    line's content for every bad input is checked above."""
    args, message = CLI_ERRORS[-1]
    out = subprocess.run([sys.executable, "-m", "thesis_lib.studies.mnist_gan", *args],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in out.stderr, out.stderr


# --- 9. the registry of loss families and their recipes ----------------------------------------

def test_every_family_declares_its_losses_output_threshold_and_recipe():
    from thesis_lib.gan.families import FAMILIES
    from thesis_lib.profiles import OPTIMIZERS
    assert tuple(FAMILIES) == GAN_LOSSES
    for name, f in FAMILIES.items():
        assert f.output in ("probability", "score") and f.threshold in ("half", "midpoint")
        assert callable(f.d_loss) and callable(f.g_loss)
        assert f.recipe.optimizer in OPTIMIZERS and f.recipe.learning_rate > 0
        assert f.recipe.critic_steps >= 1 and f.recipe.source
        strategy = losses.get(name)
        assert strategy.output == f.output and strategy.wasserstein == f.wasserstein
    # The papers' numbers (Arjovsky et al. 2017, Algorithm 1; Gulrajani et al. 2017, Algorithm 1).
    clip, gp = FAMILIES["wasserstein_clip"], FAMILIES["wasserstein_gp"]
    assert (clip.clip, clip.recipe.optimizer, clip.recipe.learning_rate,
            clip.recipe.critic_steps) == (0.01, "rmsprop", 5e-5, 5)
    assert (gp.gp_weight, gp.recipe.optimizer, gp.recipe.learning_rate, gp.recipe.beta_1,
            gp.recipe.beta_2, gp.recipe.critic_steps) == (10.0, "adam", 1e-4, 0.0, 0.9, 5)
    # The thesis's DCGAN defaults are the classic families' recipe.
    cfg = get_config("dcgan", "full")
    ns = FAMILIES["non_saturating"].recipe
    assert (cfg.optimizer, cfg.learning_rate, cfg.beta_1, cfg.beta_2, cfg.critic_steps) == \
        (ns.optimizer, ns.learning_rate, ns.beta_1, ns.beta_2, ns.critic_steps)


def test_a_recipe_on_the_command_line_sets_the_papers_settings_and_flags_override_it():
    args = runs.parser().parse_args(["--recipe", "wasserstein_gp"])
    cfg = get_config("dcgan", "full", **runs.overrides_from_args(args))
    assert (cfg.loss, cfg.optimizer, cfg.learning_rate, cfg.beta_1, cfg.beta_2,
            cfg.critic_steps) == ("wasserstein_gp", "adam", 1e-4, 0.0, 0.9, 5)
    assert runs.run_name("narrow", "full", cfg, {}).endswith("-wasserstein_gp-k5-seed0")
    args = runs.parser().parse_args(["--recipe", "wasserstein_clip", "--learning-rate", "1e-4"])
    cfg = get_config("dcgan", "full", **runs.overrides_from_args(args))
    assert (cfg.loss, cfg.optimizer, cfg.learning_rate, cfg.critic_steps) == \
        ("wasserstein_clip", "rmsprop", 1e-4, 5)


def test_the_batch_the_campaign_and_the_script_ask_for_recipes_not_flags():
    from pathlib import Path

    from thesis_lib.studies import batch, campaign
    for name in ("wasserstein_gp", "wasserstein_clip"):
        assert batch.FAMILIES[name][1] == ["--recipe", name]
        job = next(j for j in campaign.QUEUE if j.name == f"mnist-{name}-g5000")
        assert "--recipe" in job.args and "--learning-rate" not in job.args
    script = (Path(__file__).resolve().parent.parent / "tools" / "chapter33_runs.sh").read_text()
    assert "--recipe wasserstein_gp" in script and "--beta-2" not in script


def test_the_registry_is_read_without_loading_keras():
    out = subprocess.run([sys.executable, "-c",
                          "import sys, thesis_lib.gan.families, thesis_lib.profiles\n"
                          "print('keras' in sys.modules)"],
                         capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"

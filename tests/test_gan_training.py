"""Long-run safety of GAN training: monitoring artifacts, and exact resume after a crash."""

import keras
import numpy as np
import pytest

from thesis_lib.callbacks import read_csv
from thesis_lib.gan.latent import infer
from thesis_lib.gan.model import build_dcgan
from thesis_lib.gan.training import EpochShuffled, train_gan
from thesis_lib.profiles import get_config

CFG = get_config("dcgan", "quick", epochs=3, batch_size=16, latent_dim=8, monitor_every=2,
                 train_subset=64)
IMAGES = np.random.default_rng(0).uniform(size=(64, 28, 28, 1)).astype("float32")
# The DCGAN's layers at a sixth of their width: what these tests check does not depend on it.
NARROW = {"g_filters": 16, "d_filters": 16}


class Crash(keras.callbacks.Callback):
    """Simulates a killed run: raises in the middle of the second epoch."""

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.d_optimizer.iterations.numpy()) == 6:
            raise RuntimeError("killed")


def weights(gan):
    return [np.array(v.numpy()) for v in gan.weights]


# On TensorFlow only: the JAX and PyTorch reruns check exact resumption with the richer
# setting of test_gan_losses.py (critic steps, labels, a gradient penalty, mixed precision).
def test_resumed_run_ends_with_the_same_weights_as_an_uninterrupted_one(tmp_path):
    straight = build_dcgan(CFG, **NARROW)
    train_gan(straight, IMAGES, CFG, tmp_path / "straight", verbose=0)

    crashed = build_dcgan(CFG, **NARROW)
    with pytest.raises(RuntimeError, match="killed"):
        train_gan(crashed, IMAGES, CFG, tmp_path / "resumed", verbose=0,
                  extra_callbacks=[Crash()])
    assert read_csv(tmp_path / "resumed" / "history.csv")[-1]["epoch"] == 1

    resumed = build_dcgan(CFG, **NARROW)  # a new process would start from scratch like this
    history = train_gan(resumed, IMAGES, CFG, tmp_path / "resumed", verbose=0)
    assert [row["epoch"] for row in history] == [1, 2, 3]
    for a, b in zip(weights(straight), weights(resumed)):
        np.testing.assert_array_equal(a, b)
    assert read_csv(tmp_path / "straight" / "history.csv") == history


@pytest.mark.all_backends
def test_monitoring_artifacts(tmp_path, capsys):
    gan = build_dcgan(CFG, **NARROW)
    train_gan(gan, IMAGES, CFG, tmp_path, verbose=0)
    # Quiet means quiet: a chapter shows monitor.csv, not English log lines ...
    assert capsys.readouterr().out == ""
    # ... and the monitor calls the networks directly: no predict function was traced (each
    # new one made TensorFlow warn about tf.function retracing in the middle of a chapter).
    assert gan.generator.predict_function is None and gan.discriminator.predict_function is None
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["checkpoint", "generator-epoch002.keras", "generator-epoch003.keras",
                     "grid-epoch002.png", "grid-epoch003.png", "history.csv", "monitor.csv"]
    assert not list(tmp_path.rglob("*.tmp")) and not list(tmp_path.rglob(".tmp-*"))
    monitor = read_csv(tmp_path / "monitor.csv")
    assert [r["epoch"] for r in monitor] == [2, 3]
    assert all(0 <= r["acc_real"] <= 1 and 0 <= r["acc_fake"] <= 1 for r in monitor)
    assert (tmp_path / "grid-epoch002.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    gen = keras.saving.load_model(tmp_path / "generator-epoch003.keras")
    assert gen.output_shape == (None, 28, 28, 1)
    assert len(list((tmp_path / "checkpoint").glob("*.weights.h5"))) == 1


@pytest.mark.all_backends
def test_epoch_order_depends_only_on_seed_and_epoch():
    a, b = EpochShuffled(IMAGES, 8, seed=1), EpochShuffled(IMAGES, 8, seed=1)
    b.epoch = 1
    assert len(a) == 4  # 64 images // (2 * 8): Brownlee's steps per epoch
    assert not np.array_equal(a[0], b[0])
    b.epoch = 0
    np.testing.assert_array_equal(a[3], b[3])
    with pytest.raises(ValueError, match="too few"):
        EpochShuffled(IMAGES[:10], 8)


def test_verbose_runs_print_one_line_per_monitored_epoch(tmp_path, capsys):
    train_gan(build_dcgan(CFG, **NARROW), IMAGES, CFG, tmp_path, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert [line.split(":")[0] for line in lines] == ["epoch 2", "epoch 3"]
    assert "D accuracy real" in lines[0]
    train_gan(build_dcgan(CFG, **NARROW), IMAGES, CFG, tmp_path, verbose=2)  # finished: resumes at 3
    assert "resuming from the checkpoint of epoch 3" in capsys.readouterr().out


@pytest.mark.all_backends
def test_infer_runs_a_model_in_chunks():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    x = np.random.default_rng(0).normal(size=(11, 3))
    np.testing.assert_allclose(infer(model, x, chunk=4), model.predict(x, verbose=0), atol=1e-6)
    with pytest.raises(ValueError, match="no inputs"):
        infer(model, x[:0])


def test_progress_reports_rate_and_time_left_at_most_every_interval(tmp_path):
    from thesis_lib import artifacts
    from thesis_lib.callbacks import Progress

    now, lines = [0.0], []
    progress = Progress(tmp_path / "progress.json", every_s=60, clock=lambda: now[0],
                        printer=lambda text, **_: lines.append(text))
    progress.set_params({"epochs": 10, "steps": 100})
    progress.on_train_begin()
    progress.on_epoch_begin(0)
    for batch in range(100):  # 2 s a step: a report every 30 steps (60 s)
        now[0] += 2.0
        progress.on_train_batch_end(batch)
    assert len(lines) == 4  # after 60, 120 and 180 s, and at the epoch's last step
    info = artifacts.read_json(tmp_path / "progress.json")
    assert info["epoch"] == 1 and info["step"] == 100 and info["epochs"] == 10
    assert info["seconds_per_step"] == pytest.approx(2.0)
    assert info["hours_left"] == pytest.approx(900 * 2.0 / 3600)
    assert lines[-1] == "epoch 1/10, step 100/100: 2.00 s/step, 0.5 h left"

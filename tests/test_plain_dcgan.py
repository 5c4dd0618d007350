"""The self-contained DCGAN of chapter 4.2 (examples/dcgan_keras.py): its networks are the
thesis's, and one of its steps equals the library's (thesis_lib.studies.plain_dcgan)."""

import keras
import numpy as np
import pytest

from thesis_lib.models import dcgan

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="the example uses tf.GradientTape")


@pytest.fixture(scope="module")
def example():
    from thesis_lib.studies import plain_dcgan
    return plain_dcgan.load_example()


def test_its_networks_are_the_librarys(example):
    for plain, lib in ((example.build_discriminator(), dcgan.discriminator()),
                       (example.build_generator(), dcgan.generator())):
        assert [w.shape for w in plain.get_weights()] == [w.shape for w in lib.get_weights()]
        assert plain.count_params() == lib.count_params()


def test_one_step_equals_the_librarys(example):
    from thesis_lib.studies import plain_dcgan
    real = np.random.default_rng(1).uniform(size=(16, 28, 28, 1)).astype("float32")
    d = plain_dcgan.one_step_difference(example, real, seed=3)
    assert d["D_change"] > 1e-4 and d["G_change"] > 1e-4  # both networks moved
    assert d["D_difference"] < 1e-6 and d["G_difference"] < 1e-6, d


def test_its_fit_runs_on_a_few_images(example):
    images = np.random.default_rng(2).uniform(size=(32, 28, 28, 1)).astype("float32")
    gan = example.train(images, epochs=1, batch_size=16)
    assert np.isfinite(gan.history.history["d_loss"][-1])

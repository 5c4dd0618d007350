"""The plain-Keras DCGAN of ``examples/dcgan_keras.py`` (shown in full in chapter 4.2) against
the library's :class:`thesis_lib.gan.model.GAN`: from the same weights, batch, latent points
and dropout state, one training step of each must change both networks the same way (thesis
§4.2, Algorithm 1). TensorFlow only: the example uses ``tf.GradientTape``, as Colab runs it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import keras
import numpy as np

from thesis_lib import runcards
from thesis_lib.gan import model as gan_model
from thesis_lib.profiles import get_config


def example_path() -> Path:
    """``examples/dcgan_keras.py`` of the repository (a clone, or Colab's)."""
    path = runcards.results_dir().parent / "examples" / "dcgan_keras.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run the book from a clone of the repository.")
    return path


def load_example(path: Path | None = None):
    """The example as a module (it imports TensorFlow: refused on another backend)."""
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("the plain-Keras DCGAN uses tf.GradientTape: run it with "
                           "KERAS_BACKEND=tensorflow.")
    path = path or example_path()
    spec = importlib.util.spec_from_file_location("dcgan_keras", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _queue(arrays):
    items = iter(arrays)
    return lambda n: keras.ops.convert_to_tensor(next(items))


def one_step_difference(example, real, seed: int = 0) -> dict:
    """Largest absolute difference between the two implementations' D and G weights after one
    step from identical starting points, and the weights' largest change (so that "equal" is
    not "nothing moved"). ``real``: (m, 28, 28, 1) images in [0, 1]."""
    real = np.asarray(real, dtype="float32")
    m = len(real)
    lib = gan_model.build_dcgan(get_config("dcgan", "quick", seed=seed))
    plain = example.DCGAN(example.build_discriminator(), example.build_generator(), seed=seed)
    plain.compile(keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5),
                  keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5))
    plain.discriminator.set_weights(lib.discriminator.get_weights())
    plain.generator.set_weights(lib.generator.get_weights())
    # The same dropout masks: each Dropout layer's random state copied in order.
    drops = [[la for la in net.layers if isinstance(la, keras.layers.Dropout)]
             for net in (lib.discriminator, plain.discriminator)]
    for a, b in zip(*drops):
        b.seed_generator.state.assign(a.seed_generator.state.value)
    rng = np.random.default_rng(seed)
    z = [rng.normal(size=(m, 100)).astype("float32"),
         rng.normal(size=(2 * m, 100)).astype("float32")]
    lib.sample_latent, plain.latent = _queue(z), _queue(z)
    before = {"D": lib.discriminator.get_weights(), "G": lib.generator.get_weights()}
    lib.train_step(keras.ops.convert_to_tensor(real))
    plain.train_step(keras.ops.convert_to_tensor(real))
    out = {}
    for name, a, b in (("D", lib.discriminator, plain.discriminator),
                       ("G", lib.generator, plain.generator)):
        wa, wb = a.get_weights(), b.get_weights()
        out[f"{name}_difference"] = max(float(np.abs(x - y).max()) for x, y in zip(wa, wb))
        out[f"{name}_change"] = max(float(np.abs(x - y).max()) for x, y in zip(wa, before[name]))
    return out

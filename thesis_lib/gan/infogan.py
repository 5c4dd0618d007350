"""InfoGAN (Chen et al. 2016): the "regularization term that ties each index of the noise vector
to a feature" with which the thesis ends §3.3, without a single label.

The generator's input is ``[noise, c]``: ``c`` is a categorical code (one of 10, one-hot) and
two continuous codes, uniform in [−1, 1]. The discriminator shares its body with a second head,
Q, that guesses ``c`` back from the image. Both players add λ·L_I to their loss, where L_I is the
cross-entropy of Q's guess of the categorical code plus the negative log-likelihood of the
continuous codes under a unit-variance Gaussian centred on Q's guess (½·squared error): a lower
bound of the mutual information I(c; G(noise, c)), up to constants. D's optimizer trains Q (it
owns the head), G's optimizer trains G; each update still changes only its own network.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops
from scipy.optimize import linear_sum_assignment

from thesis_lib import streams
from thesis_lib.gan import losses
from thesis_lib.gan.latent import infer
from thesis_lib.gan.model import D_ACTIVATIONS, GAN, make_optimizer, precision
from thesis_lib.models import dcgan

CATEGORIES = 10
CONTINUOUS = 2


class InfoGAN(GAN):
    """A :class:`GAN` whose latent points end with the codes ``c`` and whose discriminator
    returns ``[score, q]`` (q: 10 logits and 2 means). ``latent_dim`` counts the noise only."""

    def __init__(self, discriminator, generator, noise_dim: int, *, info_weight: float = 1.0,
                 **kwargs):
        if kwargs.get("num_classes") is not None:
            raise ValueError("an InfoGAN learns its categories without labels: build it "
                             "unconditional (num_classes=None).")
        super().__init__(discriminator, generator, noise_dim + CATEGORIES + CONTINUOUS,
                         **kwargs)
        if self.loss_strategy.gp_weight:
            raise ValueError("the gradient penalty is not implemented for a discriminator with "
                             "a second (Q) head; use a non_saturating or minimax loss.")
        if not info_weight >= 0:
            raise ValueError(f"info_weight must be >= 0, got {info_weight!r}.")
        self.noise_dim = noise_dim
        self.info_weight = float(info_weight)

    @property
    def score_model(self):
        # Built on demand, not kept: as an attribute Keras would track it, and its variables
        # (D's own) would appear twice among the GAN's.
        return keras.Model(self.discriminator.input, self.discriminator.outputs[0])

    def numpy_latent(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Noise from ``rng``, the categorical code cycling by rows of ten (row r of a 10 × 10
        grid has code r), the continuous codes uniform in [−1, 1]."""
        noise = rng.normal(size=(n, self.noise_dim))
        continuous = rng.uniform(-1, 1, (n, CONTINUOUS))
        return _assemble(noise, (np.arange(n) // 10) % CATEGORIES, continuous)

    def sample_latent(self, n):
        noise = keras.random.normal((n, self.noise_dim), seed=self.seed_generator)
        category = keras.random.randint((n,), 0, CATEGORIES, seed=self.seed_generator)
        continuous = keras.random.uniform((n, CONTINUOUS), -1.0, 1.0, seed=self.seed_generator)
        return ops.concatenate([noise, ops.one_hot(category, CATEGORIES, dtype=noise.dtype),
                                ops.cast(continuous, noise.dtype)], axis=1)

    def score_of(self, outputs):
        return outputs[0]

    def extra_loss(self, outputs, z, start):
        if z is None:
            return None
        q = ops.cast(outputs[1][start:], "float32")
        codes = ops.cast(z[:, self.noise_dim:], "float32")
        return self.info_weight * info_loss(codes, q)

    def generate(self, n: int, labels=None, seed: int = 0, *, category=None, continuous=None):
        """``n`` samples (NumPy) with the codes given (``category``: n digits' codes or one for
        all, default random; ``continuous``: (n, 2) or (2,) values, default uniform in
        [−1, 1]) and noise drawn with ``seed``. An InfoGAN takes no labels."""
        if labels is not None:
            raise ValueError("an InfoGAN takes no labels: choose its categorical code with "
                             "category=.")
        return infer(self.generator, latent_points(n, self.noise_dim, category, continuous,
                                                   seed))


def info_loss(codes, q):
    """L_I: cross-entropy of the categorical code under Q's logits plus ½·mean squared error of
    the continuous codes (a unit-variance Gaussian's negative log-likelihood, up to a constant)."""
    category, continuous = codes[:, :CATEGORIES], codes[:, CATEGORIES:]
    logits, means = q[:, :CATEGORIES], q[:, CATEGORIES:]
    cross_entropy = ops.mean(keras.losses.categorical_crossentropy(category, logits,
                                                                   from_logits=True))
    squared = ops.mean(ops.sum(ops.square(continuous - means), axis=1))
    return cross_entropy + 0.5 * squared


def latent_points(n: int, noise_dim: int, category=None, continuous=None, seed: int = 0):
    """``[noise, one-hot category, continuous]`` as NumPy (float32), noise drawn with ``seed``."""
    rng = streams.rng(seed, "infogan_codes")
    noise = rng.normal(size=(n, noise_dim))
    category = rng.integers(0, CATEGORIES, n) if category is None else \
        np.broadcast_to(np.asarray(category, int), (n,))
    continuous = rng.uniform(-1, 1, (n, CONTINUOUS)) if continuous is None else \
        np.broadcast_to(np.asarray(continuous, float), (n, CONTINUOUS))
    return _assemble(noise, category, continuous)


def _assemble(noise, category, continuous) -> np.ndarray:
    """``[noise, one-hot category, continuous]`` as one float32 array."""
    return np.concatenate([noise, np.eye(CATEGORIES)[category], continuous],
                          axis=1).astype("float32")


def discriminator(output: str = "sigmoid", filters: int = 64, q_units: int = 128,
                  name: str = "info_discriminator") -> keras.Model:
    """The thesis's discriminator body (two strided 3×3 convolutions) with two heads: the score
    and Q (a hidden layer of ``q_units``, then 10 logits and 2 means)."""
    body = dcgan.discriminator(output=output, filters=filters)
    image = keras.Input(dcgan.MNIST_SHAPE, name="image")
    x = image
    for layer in body.layers[:-1]:  # everything up to the score's Dense
        x = layer(x)
    score = body.layers[-1](x)
    h = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(q_units)(x))
    q = layers.Dense(CATEGORIES + CONTINUOUS, dtype="float32", name="q")(h)
    return keras.Model(image, [score, q], name=name)


def build_infogan(config, *, noise_dim: int = 62, g_filters: int = 64, d_filters: int = 64,
                  info_weight: float = 1.0) -> InfoGAN:
    """A compiled :class:`InfoGAN` from a ``GANConfig`` (its loss, optimizers, precision and
    seed; ``config.latent_dim`` is ignored: the generator reads ``noise_dim`` + 12 numbers)."""
    if config.conditional:
        raise ValueError("an InfoGAN is unconditional: set conditional=False.")
    loss = losses.get(config.loss, clip=config.clip, gp_weight=config.gp_weight)
    keras.utils.set_random_seed(config.seed)
    with precision(config.precision):
        gan = InfoGAN(discriminator(D_ACTIVATIONS[loss.output], d_filters),
                      dcgan.generator(noise_dim + CATEGORIES + CONTINUOUS, filters=g_filters),
                      noise_dim, loss=loss, critic_steps=config.critic_steps, seed=config.seed,
                      info_weight=info_weight)
    gan.compile(d_optimizer=make_optimizer(config, "d"), g_optimizer=make_optimizer(config, "g"))
    return gan


def code_accuracy(codes, classes, k: int = CATEGORIES) -> tuple[float, np.ndarray]:
    """How well the categorical code matches the digit, without labels: the share of samples
    whose code maps to their evaluator class under the best one-to-one matching of codes to
    classes (Hungarian algorithm on the code × class counts). Returns (accuracy, mapping) with
    ``mapping[code] = class``."""
    codes, classes = np.asarray(codes, int), np.asarray(classes, int)
    if codes.shape != classes.shape or codes.ndim != 1:
        raise ValueError(f"codes and classes must be two 1-D arrays of the same length, got "
                         f"{codes.shape} and {classes.shape}.")
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (codes, classes), 1)
    rows, cols = linear_sum_assignment(-counts)
    mapping = np.empty(k, dtype=int)
    mapping[rows] = cols
    return float(counts[rows, cols].sum() / len(codes)), mapping

"""A GAN as a ``keras.Model`` with its own ``train_step``: the thesis's Algorithm 1 (§3.1).

Each training step, with ``critic_steps`` (k) batches of m real images:

1. k discriminator (critic) updates, each on its own real batch and m generated images (the
   generator's output is not differentiated here); for ``wasserstein_clip`` every critic weight
   is clipped to [−c, c] after each update;
2. one generator update on 2m latent points, gradients flowing through the discriminator into
   the generator; only the generator's weights change.

With k = 1 and the ``non_saturating`` loss this is Brownlee's recipe that the thesis runs
(batch 256 = 128 real + 128 generated for D, 256 latent points for G), without its Keras 2 trap:
each update names the variables it changes, so ``trainable`` flags play no role.

Conditioning (Mirza and Osindero 2014): with ``num_classes`` set, both networks receive the
class as a one-hot vector beside their usual input, ``[z, y]`` for G and ``[x, y]`` for D. How a
network uses it is the model builder's business: :mod:`thesis_lib.models.dcgan` concatenates it
to z for G, and for D either appends it as extra image channels or, with
``d_conditioning="projection"``, adds a learned projection of the class to D's score (Miyato
and Koyama 2018). Generated images in a D step get the labels of the real batch; the generator
step draws its labels uniformly.

The loss families and their recipes live in :mod:`thesis_lib.gan.families` (the losses as a
strategy in :mod:`thesis_lib.gan.losses`); the objectives below are written once and
called by the stateful path (TensorFlow, PyTorch) and by :mod:`thesis_lib.gan.jax_step`.
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np
from keras import ops

from thesis_lib import backend
from thesis_lib.gan import latent, losses
from thesis_lib.models import dcgan
from thesis_lib.profiles import OPTIMIZERS, PRECISIONS
from thesis_lib.validation import positive_int


class GAN(keras.Model):
    """Discriminator + generator trained by alternating updates; driven by ``fit()``.

    ``fit`` yields k·m real images per step (with their integer labels for a conditional GAN):
    see :class:`thesis_lib.gan.training.EpochShuffled`. Metrics: ``d_loss`` (mean over the k
    critic steps, penalty included), ``g_loss``, ``d_acc`` (the discriminator's accuracy on its
    batches, :meth:`GANLoss.accuracy`) and, with a gradient penalty, ``gp`` (without λ).
    """

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int,
                 *, loss: str | losses.GANLoss = "non_saturating", critic_steps: int = 1,
                 num_classes: int | None = None, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        positive_int("critic_steps", critic_steps)
        if num_classes is not None and (not isinstance(num_classes, int) or num_classes < 2):
            raise ValueError(f"num_classes must be an integer >= 2 or None, got {num_classes!r}.")
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.loss_strategy = losses.get(loss) if isinstance(loss, str) else loss
        self.critic_steps = critic_steps
        self.num_classes = num_classes
        self.seed_generator = keras.random.SeedGenerator(seed)
        if self.loss_strategy.gp_weight and any(
                isinstance(layer, keras.layers.BatchNormalization)
                for layer in _all_layers(discriminator)):
            raise ValueError("a gradient penalty needs a critic without batch normalization "
                             "(each sample's gradient must depend on that sample only); build "
                             "the discriminator with batch_norm=False.")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_acc_tracker = keras.metrics.Mean(name="d_acc")
        self.gp_tracker = keras.metrics.Mean(name="gp") if self.loss_strategy.gp_weight else None
        # Built by construction (both parts are); on JAX and torch fit() would otherwise try
        # to build it by calling it on data and fail.
        self.built = True

    @property
    def conditional(self) -> bool:
        return self.num_classes is not None

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker, self.d_acc_tracker]
        return trackers + ([self.gp_tracker] if self.gp_tracker is not None else [])

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(optimizer=d_optimizer, **kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)
        # Tracked as model state so checkpoints and the JAX trainer carry both optimizers.
        self.optimizer_state = [*d_optimizer.variables, *g_optimizer.variables]

    # --- inputs ------------------------------------------------------------------------------
    def numpy_latent(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` latent points as NumPy, drawn from ``rng`` (monitors, metrics, sampling)."""
        return rng.normal(size=(n, self.latent_dim)).astype("float32")

    @property
    def score_model(self):
        """The model that maps images to D's score alone (D itself for a plain GAN)."""
        return self.discriminator

    def sample_latent(self, n):
        return keras.random.normal((n, self.latent_dim), seed=self.seed_generator)

    def sample_alpha(self, m):
        """One interpolation weight per sample for the gradient penalty."""
        return keras.random.uniform((m,), seed=self.seed_generator)

    def sample_classes(self, n):
        return keras.random.randint((n,), 0, self.num_classes, seed=self.seed_generator)

    def one_hot(self, labels):
        if labels is None or not self.conditional:
            return None
        return ops.one_hot(ops.cast(ops.reshape(labels, (-1,)), "int32"), self.num_classes)

    def generator_inputs(self, z, onehot):
        return z if onehot is None else [z, ops.cast(onehot, z.dtype)]

    def discriminator_inputs(self, x, onehot):
        return x if onehot is None else [x, ops.cast(onehot, x.dtype)]

    # --- the objectives, shared by every backend ----------------------------------------------
    def critic_objective(self, d_call, real, fake, onehot, alpha, penalty_call=None, z=None):
        """D's loss on m real and m generated images; returns (loss, (accuracy, penalty)).

        ``d_call(images, onehot)`` runs D in training mode; ``penalty_call`` (default
        ``d_call``) is the one the gradient penalty differentiates with respect to its input;
        ``z`` are the latent points the generated images came from (for :meth:`extra_loss`).
        """
        m = ops.shape(real)[0]
        images = ops.concatenate([real, ops.cast(fake, real.dtype)], axis=0)
        both = None if onehot is None else ops.concatenate([onehot, onehot], axis=0)
        outputs = d_call(images, both)
        scores = losses.critic_scores(self.score_of(outputs))
        real_out, fake_out = scores[:m], scores[m:]
        loss = self.loss_strategy.d_loss(real_out, fake_out)
        extra = self.extra_loss(outputs, z, start=m)
        if extra is not None:
            loss = loss + extra
        penalty = ops.zeros(())
        if self.loss_strategy.gp_weight:
            call = penalty_call or d_call
            penalty = losses.gradient_penalty(lambda x: call(x, onehot), real, fake, alpha)
            loss = loss + self.loss_strategy.gp_weight * penalty
        return loss, (self.loss_strategy.accuracy(real_out, fake_out), penalty)

    def generator_objective(self, g_call, d_call, z, onehot):
        """G's loss on the images it makes from ``z`` (and the classes ``onehot``)."""
        outputs = d_call(g_call(z, onehot), onehot)
        loss = self.loss_strategy.g_loss(losses.critic_scores(self.score_of(outputs)))
        extra = self.extra_loss(outputs, z, start=0)
        return loss if extra is None else loss + extra

    # --- hooks for variants whose D has more than a score (InfoGAN) ---------------------------
    def score_of(self, outputs):
        """D's real/fake score among its outputs (all of them for a plain GAN)."""
        return outputs

    def extra_loss(self, outputs, z, start):
        """A term both players add to their loss, computed from D's outputs on the generated
        images (rows ``start:``) and the latent points ``z`` they came from; None here."""
        return None

    # --- the two updates (stateful backends) ------------------------------------------------
    def _d_call(self, x, onehot):
        return self.discriminator(self.discriminator_inputs(x, onehot), training=True)

    def _g_call(self, z, onehot):
        return self.generator(self.generator_inputs(z, onehot), training=True)

    def discriminator_step(self, real, labels=None):
        m = ops.shape(real)[0]
        onehot = self.one_hot(labels)
        z = self.sample_latent(m)
        alpha = self.sample_alpha(m) if self.loss_strategy.gp_weight else None
        with backend.no_grad():
            fake = ops.stop_gradient(self._g_call(z, onehot))
        out = {}

        def loss():
            out["loss"], out["aux"] = self.critic_objective(self._d_call, real, fake, onehot,
                                                            alpha, z=z)
            return losses.scale_loss(self.d_optimizer, out["loss"])

        variables = self.discriminator.trainable_variables
        _, grads = backend.value_and_grads(loss, variables)
        self.d_optimizer.apply(grads, variables)
        if self.loss_strategy.clip is not None:
            losses.clip_weights(variables, self.loss_strategy.clip)
        # Plain values: on PyTorch they would otherwise hold the step's autograd graph.
        return tuple(ops.stop_gradient(v) for v in (out["loss"], *out["aux"]))

    def generator_step(self, n):
        z = self.sample_latent(n)
        onehot = self.one_hot(self.sample_classes(n)) if self.conditional else None
        out = {}

        def loss():
            out["loss"] = self.generator_objective(self._g_call, self._d_call, z, onehot)
            return losses.scale_loss(self.g_optimizer, out["loss"])

        variables = self.generator.trainable_variables
        _, grads = backend.value_and_grads(loss, variables)
        self.g_optimizer.apply(grads, variables)
        return ops.stop_gradient(out["loss"])

    def discriminator_update(self, real, labels=None):
        """One discriminator step, on any backend; returns (loss, accuracy, penalty)."""
        real = ops.convert_to_tensor(np.asarray(real, dtype="float32"))
        labels = None if labels is None else ops.convert_to_tensor(np.asarray(labels))
        if backend.name() == "jax":
            from thesis_lib.gan import jax_step  # imports jax, present on JAX only
            return jax_step.discriminator_step(self, real, labels)
        return self.discriminator_step(real, labels)

    def generator_update(self, n):
        """One generator step on ``n`` latent points, on any backend; returns the loss."""
        if backend.name() == "jax":
            from thesis_lib.gan import jax_step
            return jax_step.generator_step(self, n)
        return self.generator_step(n)

    def train_step(self, *args):
        if backend.name() == "jax":  # the JAX trainer passes (state, data)
            from thesis_lib.gan import jax_step
            return jax_step.train_step(self, *args)
        real, labels = losses.split_batch(args[0])
        k = self.critic_steps
        m = ops.shape(real)[0] // k
        for i in range(k):  # each critic step on its own real batch (Algorithm 1)
            part = slice(i * m, (i + 1) * m)
            d_loss, d_acc, penalty = self.discriminator_step(
                real[part], None if labels is None else labels[part])
            self.d_loss_tracker.update_state(d_loss)
            self.d_acc_tracker.update_state(d_acc)
            if self.gp_tracker is not None:
                self.gp_tracker.update_state(penalty)
        self.g_loss_tracker.update_state(self.generator_step(2 * m))
        return {t.name: t.result() for t in self.metrics}

    # --- sampling -----------------------------------------------------------------------------
    def generate(self, n: int, labels=None, seed: int = 0) -> np.ndarray:
        """``n`` generated samples (NumPy, inference mode) from latent points drawn with ``seed``.

        A conditional GAN takes ``labels`` (n class numbers; default: 0, 1, …, K − 1 in turn);
        an unconditional one refuses them.
        """
        return latent.sample(self.generator, n, self.latent_dim, seed=seed, stream="generate",
                             num_classes=self.num_classes if self.conditional else None,
                             labels=labels, what="this GAN")


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


@contextlib.contextmanager
def precision(name: str):
    """Build models under a precision (``float32``, ``mixed_bfloat16`` — CPUs with AVX-512
    BF16 or AMX, Ampere-or-newer GPUs — or ``mixed_float16`` — older GPUs such as Colab's T4,
    with loss scaling), restoring the global policy afterwards. Layers keep the policy they
    were built with, so training needs no global state."""
    if name not in PRECISIONS:
        raise ValueError(f"unknown precision {name!r}; valid: {', '.join(PRECISIONS)}.")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def make_optimizer(config, role: str = "d"):
    """The optimizer a config names (Adam with β₁, β₂, or RMSProp), wrapped for loss scaling
    under ``mixed_float16``."""
    if config.optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {config.optimizer!r}; valid: {', '.join(OPTIMIZERS)}.")
    if config.optimizer == "adam":
        opt = keras.optimizers.Adam(learning_rate=config.learning_rate, beta_1=config.beta_1,
                                    beta_2=config.beta_2, name=f"{role}_adam")
    else:
        opt = keras.optimizers.RMSprop(learning_rate=config.learning_rate, name=f"{role}_rmsprop")
    if config.precision == "mixed_float16":
        opt = keras.optimizers.LossScaleOptimizer(opt, name=f"{role}_loss_scale")
    return opt


def build_gan(config, discriminator_fn, generator_fn, *, num_classes: int | None = None
              ) -> GAN:
    """A compiled :class:`GAN` from a config (``thesis_lib.profiles.GANConfig``) and two
    builders, each called as ``fn(output_or_none)`` under the config's precision; the loss
    decides D's output (a sigmoid probability or a linear score)."""
    loss = losses.get(config.loss, clip=config.clip, gp_weight=config.gp_weight)
    keras.utils.set_random_seed(config.seed)
    with precision(config.precision):
        gan = GAN(discriminator_fn(loss.output), generator_fn(), config.latent_dim, loss=loss,
                  critic_steps=config.critic_steps,
                  num_classes=num_classes if config.conditional else None, seed=config.seed)
    gan.compile(d_optimizer=make_optimizer(config, "d"), g_optimizer=make_optimizer(config, "g"))
    return gan


# D's last activation for each kind of loss output (losses.GANLoss.output).
D_ACTIVATIONS = {"probability": "sigmoid", "score": "linear"}


def build_dcgan(config, *, output: str = "sigmoid", batch_norm: bool = False,
                upsampling: str = "transpose", image_shape=(28, 28, 1),
                num_classes: int = 10, g_filters: int = 128, d_filters: int = 64,
                g_batch_norm: bool | None = None, d_conditioning: str = "planes") -> GAN:
    """The thesis's DCGAN (or a variant) wrapped in :class:`GAN` and compiled; with the default
    config, as Brownlee does: both optimizers Adam(learning_rate=0.0002, beta_1=0.5).

    ``output`` is G's last activation; D's follows the config's loss. ``image_shape`` and
    ``num_classes`` describe the data (MNIST by default; classes matter only when
    ``config.conditional``); ``g_filters`` and ``d_filters`` the networks' widths (the
    thesis's 128 and 64 by default). ``g_batch_norm`` normalizes G's hidden layers only
    (default: as ``batch_norm``), as a critic with a gradient penalty must go without.
    ``d_conditioning`` is how a conditional D receives the class (see
    :func:`thesis_lib.models.dcgan.discriminator`).
    """
    g_batch_norm = batch_norm if g_batch_norm is None else g_batch_norm
    classes = num_classes if config.conditional else None
    return build_gan(
        config,
        lambda d_output: dcgan.discriminator(batch_norm=batch_norm,
                                             output=D_ACTIVATIONS[d_output],
                                             image_shape=image_shape, num_classes=classes,
                                             filters=d_filters,
                                             conditioning=d_conditioning),
        lambda: dcgan.generator(config.latent_dim, output, g_batch_norm, upsampling,
                                image_shape=image_shape, num_classes=classes,
                                filters=g_filters),
        num_classes=num_classes)

"""A GAN as a ``keras.Model`` with its own ``train_step``: the thesis's Algorithm 1 (§3.1).

Each step, with a batch of m real images:

1. discriminator update: m real images labelled 1 and m generated images labelled 0 (the
   generator's output is not differentiated here);
2. generator update: 2m latent points labelled "real", gradients flowing through the
   discriminator into the generator; only the generator's weights change.

This is Brownlee's recipe that the thesis runs (batch 256 = 128 real + 128 generated for D, 256
latent points for G), without its Keras 2 trap: here each update names the variables it
changes, so ``trainable`` flags play no role (see the negative-control test).
"""

from __future__ import annotations

import keras
from keras import ops

from thesis_lib import backend


class GAN(keras.Model):
    """Discriminator + generator trained by alternating updates; driven by ``fit()``.

    ``fit`` yields the real half batch: pass ``batch_size = config.batch_size // 2``.
    Metrics: ``d_loss``, ``g_loss`` and ``d_acc`` (discriminator accuracy on the D-step batch).
    """

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int,
                 seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_acc_tracker = keras.metrics.Mean(name="d_acc")
        # Built by construction (both parts are); on JAX and torch fit() would otherwise try
        # to build it by calling it on data and fail.
        self.built = True

    def call(self, z, training=False):
        return self.generator(z, training=training)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_acc_tracker]

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(optimizer=d_optimizer, **kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = keras.losses.BinaryCrossentropy()
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)
        # Tracked as model state so checkpoints and the JAX trainer carry both optimizers.
        self.optimizer_state = [*d_optimizer.variables, *g_optimizer.variables]

    def sample_latent(self, n):
        return keras.random.normal((n, self.latent_dim), seed=self.seed_generator)

    # --- the two updates (stateful backends) ------------------------------------------------
    def discriminator_step(self, real):
        m = ops.shape(real)[0]
        with backend.no_grad():
            fake = ops.stop_gradient(self.generator(self.sample_latent(m), training=True))
        images = ops.concatenate([real, ops.cast(fake, real.dtype)], axis=0)
        labels = ops.concatenate([ops.ones((m, 1)), ops.zeros((m, 1))], axis=0)
        outputs = {}

        def loss():
            outputs["pred"] = self.discriminator(images, training=True)
            return self.loss_fn(labels, outputs["pred"])

        variables = self.discriminator.trainable_variables
        value, grads = backend.value_and_grads(loss, variables)
        self.d_optimizer.apply(grads, variables)
        correct = ops.cast(ops.equal(ops.cast(outputs["pred"] > 0.5, "float32"), labels),
                           "float32")
        return value, ops.mean(correct)

    def generator_step(self, n):
        z = self.sample_latent(n)
        labels = ops.ones((n, 1))

        def loss():
            return self.loss_fn(labels, self.discriminator(self.generator(z, training=True),
                                                           training=True))

        variables = self.generator.trainable_variables
        value, grads = backend.value_and_grads(loss, variables)
        self.g_optimizer.apply(grads, variables)
        return value

    def discriminator_update(self, real):
        """One discriminator step, on any backend; returns (loss, accuracy)."""
        if backend.name() == "jax":
            from thesis_lib import gan_jax
            return gan_jax.discriminator_step(self, real)
        return self.discriminator_step(ops.convert_to_tensor(real))

    def generator_update(self, n):
        """One generator step on ``n`` latent points, on any backend; returns the loss."""
        if backend.name() == "jax":
            from thesis_lib import gan_jax
            return gan_jax.generator_step(self, n)
        return self.generator_step(n)

    def train_step(self, *args):
        if backend.name() == "jax":  # the JAX trainer passes (state, data)
            from thesis_lib import gan_jax
            return gan_jax.train_step(self, *args)
        real = args[0]
        if isinstance(real, (tuple, list)):
            real = real[0]
        d_loss, d_acc = self.discriminator_step(real)
        g_loss = self.generator_step(2 * ops.shape(real)[0])
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_acc_tracker.update_state(d_acc)
        return {m.name: m.result() for m in self.metrics}


def build_dcgan(config, *, output: str = "sigmoid", batch_norm: bool = False,
                upsampling: str = "transpose") -> GAN:
    """The thesis's DCGAN (or a variant) wrapped in :class:`GAN` and compiled as Brownlee does.

    Both optimizers: Adam(learning_rate=0.0002, beta_1=0.5); ``config`` is a GANConfig.
    """
    from thesis_lib.models import dcgan
    keras.utils.set_random_seed(config.seed)
    gan = GAN(dcgan.discriminator(batch_norm=batch_norm),
              dcgan.generator(config.latent_dim, output, batch_norm, upsampling),
              config.latent_dim, seed=config.seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
                g_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1))
    return gan

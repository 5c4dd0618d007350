"""The pieces of §3.2's remedies that live inside the networks and the update (the experiment is
:mod:`thesis_lib.studies.toy.remedies`): instance noise and PacGAN's packing as Keras layers, the
L2 weight penalty and MSGAN's mode-seeking term, and the GAN subclass that adds them to the loss."""

from __future__ import annotations

import keras
from keras import layers, ops

from thesis_lib.gan import losses
from thesis_lib.gan.model import GAN
from thesis_lib.validation import positive_int


# --- the pieces the rows need -----------------------------------------------------------------
class InstanceNoise(layers.Layer):
    """Instance noise (Sønderby et al. 2017; Arjovsky and Bottou 2017): Gaussian noise of sd σ
    added to every input in training calls, none at inference. σ falls linearly from
    ``stddev`` to 0 over ``anneal_calls`` training calls (``None``: constant). Put in front of D,
    it blurs real and generated points alike, so D's optimum still asks for p_g = p_data."""

    def __init__(self, stddev: float, anneal_calls: int | None = None, seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        if not stddev > 0:
            raise ValueError(f"stddev must be positive, got {stddev!r}.")
        positive_int("anneal_calls", anneal_calls, allow_none=True)
        self.stddev = float(stddev)
        self.anneal_calls = anneal_calls
        self.seed_generator = keras.random.SeedGenerator(seed)
        # A variable, not a Python counter: it advances inside compiled steps (and on JAX it is
        # part of the state the stateless step returns).
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="calls")

    def current_stddev(self):
        if self.anneal_calls is None:
            return ops.convert_to_tensor(self.stddev, "float32")
        return self.stddev * ops.maximum(0.0, 1.0 - self.calls / float(self.anneal_calls))

    def call(self, x, training=False):
        if not training:
            return x
        sd = ops.cast(self.current_stddev(), x.dtype)
        self.calls.assign(self.calls + 1.0)
        return x + sd * keras.random.normal(ops.shape(x), seed=self.seed_generator,
                                            dtype=x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape


class Pack(layers.Layer):
    """PacGAN's packing (Lin et al. 2018): each ``pac`` consecutive samples of the batch become
    one input of pac·d numbers, so D scores packs: (n, d) → (n / pac, pac·d). n must be a
    multiple of ``pac``; real and generated samples never share a pack because D's batch is m
    real then m generated with m a multiple of ``pac``."""

    def __init__(self, pac: int, **kwargs):
        super().__init__(**kwargs)
        positive_int("pac", pac)
        self.pac = pac

    def call(self, x):
        return ops.reshape(x, (-1, self.pac * x.shape[-1]))

    def compute_output_shape(self, input_shape):
        n = input_shape[0]
        return (None if n is None else n // self.pac, self.pac * input_shape[-1])


def l2_penalty(model):
    """Σ‖W‖² over the kernels of ``model``'s Dense layers (biases are not penalized, as with
    Keras' ``kernel_regularizer``)."""
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, layers.Dense)]
    return sum(ops.sum(ops.square(ops.cast(k, "float32"))) for k in kernels)


def mode_seeking_term(fake, z, eps: float = 1e-5):
    """MSGAN's term (Mao et al. 2019) on a batch of 2h generated points and their latent
    points: 1 / (r + ε), r = mean|G(z₁) − G(z₂)| / mean|z₁ − z₂|, the first half of the batch
    paired with the second, as in the authors' code. Small when G maps distant latent points
    to distant outputs."""
    h = ops.shape(fake)[0] // 2
    fake = ops.cast(fake, "float32")
    z = ops.cast(z, "float32")
    ratio = (ops.mean(ops.abs(fake[:h] - fake[h:2 * h]))
             / ops.mean(ops.abs(z[:h] - z[h:2 * h])))
    return 1.0 / (ratio + eps)


class RemedyGAN(GAN):
    """:class:`GAN` with the remedies that change the objectives.

    ``d_l2`` and ``g_l2`` add λ·Σ‖W‖² (:func:`l2_penalty`) to D's and G's loss;
    ``mode_seeking`` adds λ times :func:`mode_seeking_term` to G's loss; ``pac`` > 1 says that
    D scores packs of ``pac`` samples (:class:`Pack` at D's input), so the critic objective
    splits D's n / pac outputs in half (real packs, then generated ones) instead of at m.

    The weight penalties read the variables themselves: the stateful backends (TensorFlow,
    PyTorch) differentiate them directly, and JAX's stateless step maps them to the values it
    differentiates (:func:`thesis_lib.gan.jax_step._reading`), so all three agree.
    """

    def __init__(self, *args, d_l2: float = 0.0, g_l2: float = 0.0, mode_seeking: float = 0.0,
                 pac: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in (("d_l2", d_l2), ("g_l2", g_l2), ("mode_seeking", mode_seeking)):
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}.")
        positive_int("pac", pac)
        if pac > 1 and (self.loss_strategy.gp_weight or self.conditional):
            raise ValueError("packing is implemented for unconditional GANs without a gradient "
                             "penalty only.")
        self.d_l2, self.g_l2 = float(d_l2), float(g_l2)
        self.mode_seeking, self.pac = float(mode_seeking), pac

    def critic_objective(self, d_call, real, fake, onehot, alpha, penalty_call=None, z=None):
        if self.pac == 1:
            loss, aux = super().critic_objective(d_call, real, fake, onehot, alpha, penalty_call,
                                                 z=z)
        else:
            images = ops.concatenate([real, ops.cast(fake, real.dtype)], axis=0)
            scores = losses.critic_scores(d_call(images, None))
            half = ops.shape(scores)[0] // 2  # m / pac real packs, then as many generated
            real_out, fake_out = scores[:half], scores[half:]
            loss = self.loss_strategy.d_loss(real_out, fake_out)
            aux = (self.loss_strategy.accuracy(real_out, fake_out), ops.zeros(()))
        if self.d_l2:
            loss = loss + self.d_l2 * l2_penalty(self.discriminator)
        return loss, aux

    def generator_objective(self, g_call, d_call, z, onehot):
        fake = g_call(z, onehot)
        loss = self.loss_strategy.g_loss(losses.critic_scores(d_call(fake, onehot)))
        if self.mode_seeking:
            loss = loss + self.mode_seeking * mode_seeking_term(fake, z)
        if self.g_l2:
            loss = loss + self.g_l2 * l2_penalty(self.generator)
        return loss

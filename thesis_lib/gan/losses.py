"""The losses of the GAN families (thesis §3.1–3.3) as a strategy a GAN holds, and the pieces
the Wasserstein families add: weight clipping and the gradient penalty.

The families themselves, with their papers' recipes, are :mod:`thesis_lib.gan.families`: a
strategy is a family with this run's settings (c or λ). The same code serves TensorFlow,
PyTorch and JAX (it uses ``keras.ops`` only). Every loss reads the discriminator's outputs on
real images (``real``) and on generated ones (``fake``), as float32 columns.
"""

from __future__ import annotations

import dataclasses

import keras
from keras import ops

from thesis_lib import backend
from thesis_lib.gan.families import EPSILON as EPSILON  # re-exported: the tests clip with it
from thesis_lib.gan.families import FAMILIES, family


@dataclasses.dataclass(frozen=True)
class GANLoss:
    """A loss family and this run's settings. ``output`` is what D's last layer must produce:
    ``"probability"`` (a sigmoid) or ``"score"`` (a linear unit)."""

    name: str
    output: str
    clip: float | None = None
    gp_weight: float = 0.0

    def d_loss(self, real, fake):
        """D's (critic's) loss on its outputs for real and generated images, without penalty."""
        return FAMILIES[self.name].d_loss(real, fake)

    def g_loss(self, fake):
        """G's loss on D's outputs for its samples."""
        return FAMILIES[self.name].g_loss(fake)

    def accuracy(self, real, fake):
        """Share of the batch D classifies right: real outputs above the family's threshold
        (0.5, or the midpoint of the batch's mean real and mean generated score for a critic,
        which has no scale), generated ones at or below it."""
        real, fake = ops.convert_to_tensor(real), ops.convert_to_tensor(fake)
        if FAMILIES[self.name].threshold == "half":
            threshold = 0.5
        else:
            threshold = 0.5 * (ops.mean(real) + ops.mean(fake))
        right = ops.concatenate([ops.cast(real > threshold, "float32"),
                                 ops.cast(fake <= threshold, "float32")], axis=0)
        return ops.mean(right)

    @property
    def wasserstein(self) -> bool:
        return FAMILIES[self.name].wasserstein


def get(name: str, *, clip: float | None = None, gp_weight: float | None = None) -> GANLoss:
    """The strategy ``name`` (a family of :mod:`thesis_lib.gan.families`) with its settings;
    ``clip`` (only for ``wasserstein_clip``) and ``gp_weight`` (only for ``wasserstein_gp``)
    default to the papers' values."""
    f = family(name)
    if clip is not None and f.clip is None:
        raise ValueError(f"clip applies to wasserstein_clip only, not {name!r}.")
    if gp_weight is not None and f.gp_weight is None:
        raise ValueError(f"gp_weight applies to wasserstein_gp only, not {name!r}.")
    if f.clip is not None:
        clip = f.clip if clip is None else clip
        if not clip > 0:
            raise ValueError(f"clip must be positive, got {clip!r}.")
    if f.gp_weight is not None:
        gp_weight = f.gp_weight if gp_weight is None else gp_weight
        if gp_weight < 0:
            raise ValueError(f"gp_weight must be >= 0, got {gp_weight!r}.")
    return GANLoss(name, f.output, clip, float(gp_weight or 0.0))


def clip_weights(variables, clip: float) -> None:
    """Clip every variable to [−clip, clip] in place (WGAN's Lipschitz constraint)."""
    for v in variables:
        v.assign(ops.clip(v, -clip, clip))


def interpolates(real, fake, alpha):
    """x̂ = αx + (1 − α)G(z), with one α per sample (a column broadcast over its features)."""
    real = ops.convert_to_tensor(real)
    alpha = ops.reshape(ops.cast(alpha, real.dtype), (-1,) + (1,) * (len(real.shape) - 1))
    return alpha * real + (1.0 - alpha) * ops.cast(fake, real.dtype)


def gradient_penalty(critic, real, fake, alpha):
    """E[(‖∇ₓ̂ C(x̂)‖₂ − 1)²] at x̂ = αx + (1 − α)G(z) (Gulrajani et al. 2017), without λ.

    ``critic`` maps a batch to one score per sample (a Keras model, or a function of the
    inputs); ``alpha`` holds one number in [0, 1] per sample. The result is differentiable with
    respect to the critic's weights on every backend (a gradient of a gradient). The norm is
    taken as √(Σg² + ε) so that its gradient stays finite where ∇C is exactly 0.
    """
    x_hat = interpolates(real, fake, alpha)
    grads = ops.cast(backend.input_gradient(lambda x: ops.sum(ops.cast(critic(x), "float32")),
                                            x_hat), "float32")
    flat = ops.reshape(grads, (ops.shape(grads)[0], -1))
    norms = ops.sqrt(ops.sum(ops.square(flat), axis=1) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


def critic_scores(outputs):
    """D's outputs as one float32 column (mixed precision computes them in 16 bits)."""
    return ops.cast(ops.reshape(outputs, (-1, 1)), "float32")


def split_batch(data):
    """(images, labels or None) from what ``fit`` passes to ``train_step``."""
    if isinstance(data, (tuple, list)):
        if len(data) >= 2 and data[1] is not None:
            return data[0], data[1]
        return data[0], None
    return data, None


def scale_loss(optimizer, loss, optimizer_values=None):
    """The loss times the optimizer's loss scale under ``mixed_float16`` (``apply`` divides the
    gradients back and skips a step whose gradients overflowed); the loss itself otherwise.
    ``optimizer_values``: the optimizer's variables inside a JAX step."""
    if not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return loss
    if optimizer_values is None:
        return optimizer.scale_loss(loss)
    with keras.StatelessScope(state_mapping=list(zip(optimizer.variables, optimizer_values))):
        return optimizer.scale_loss(loss)

"""The value functions of the thesis (§3.1–3.3) and of the papers it cites, as named strategies.

A strategy says how the discriminator (or critic) scores its batch and how the generator scores
its samples; the same code serves TensorFlow, PyTorch and JAX (it uses ``keras.ops`` only).
Every loss reads the discriminator's outputs on real images (``real``) and on generated ones
(``fake``), as float32 columns:

- ``minimax``: D maximises E log D(x) + E log(1 − D(G(z))) and G *minimises*
  E log(1 − D(G(z))): the value function of the thesis (Goodfellow et al. 2014), whose gradient
  vanishes for G while D rejects its samples confidently (it "saturates");
- ``non_saturating``: the same D, but G maximises E log D(G(z)) (Goodfellow's remedy; Brownlee's
  recipe and the DCGAN of §4.2);
- ``least_squares``: LSGAN (Mao et al. 2017), D fits 1 on real and 0 on fake by least squares
  and G pushes D(G(z)) towards 1; the thesis names the mean squared error as an alternative;
- ``wasserstein_clip``: the WGAN critic (Arjovsky, Chintala and Bottou 2017) with a linear
  output maximises E C(x) − E C(G(z)); every critic weight is clipped to [−c, c] after each
  critic step (c = 0.01, RMSProp 5·10⁻⁵, 5 critic steps per generator step);
- ``wasserstein_gp``: the same critic with the penalty λ·E(‖∇C(x̂)‖₂ − 1)² at points x̂ between
  real and generated samples instead of clipping (Gulrajani et al. 2017: λ = 10, 5 critic steps,
  Adam 10⁻⁴ with β = (0, 0.9)).
"""

from __future__ import annotations

import dataclasses

import keras
from keras import ops

from thesis_lib import backend, claims
from thesis_lib.profiles import GAN_LOSSES

# Keras' own clipping of probabilities before a logarithm (keras.losses.binary_crossentropy).
EPSILON = 1e-7


def _log(p):
    return ops.log(ops.clip(p, EPSILON, 1.0 - EPSILON))


def _bce(target: float, p):
    """Per-sample binary cross-entropy of probabilities ``p`` against a constant target."""
    return -(target * _log(p) + (1.0 - target) * _log(1.0 - p))


@dataclasses.dataclass(frozen=True)
class GANLoss:
    """A loss family and its settings. ``output`` is what D's last layer must produce:
    ``"probability"`` (a sigmoid) or ``"score"`` (a linear unit)."""

    name: str
    output: str
    clip: float | None = None
    gp_weight: float = 0.0

    def d_loss(self, real, fake):
        """D's (critic's) loss on its outputs for real and generated images, without penalty."""
        if self.name in ("minimax", "non_saturating"):
            # Mean over the 2m images of the batch, as Keras' loss on the stacked batch would.
            return ops.mean(ops.concatenate([_bce(1.0, real), _bce(0.0, fake)], axis=0))
        if self.name == "least_squares":
            return 0.5 * ops.mean(ops.square(real - 1.0)) + 0.5 * ops.mean(ops.square(fake))
        return ops.mean(fake) - ops.mean(real)  # Wasserstein: minus the estimated distance

    def g_loss(self, fake):
        """G's loss on D's outputs for its samples."""
        if self.name == "minimax":
            return ops.mean(_log(1.0 - fake))  # minimised: log(1 − D(G(z))), negative
        if self.name == "non_saturating":
            return ops.mean(_bce(1.0, fake))
        if self.name == "least_squares":
            return 0.5 * ops.mean(ops.square(fake - 1.0))
        return -ops.mean(fake)

    def accuracy(self, real, fake):
        """Share of the batch D classifies right. Probabilities and least squares: real above
        0.5; a Wasserstein critic has no threshold, so its real scores must lie above the
        midpoint of the batch's mean real and mean fake score."""
        if self.output == "probability" or self.name == "least_squares":
            threshold = 0.5
        else:
            threshold = 0.5 * (ops.mean(real) + ops.mean(fake))
        right = ops.concatenate([ops.cast(real > threshold, "float32"),
                                 ops.cast(fake <= threshold, "float32")], axis=0)
        return ops.mean(right)

    @property
    def wasserstein(self) -> bool:
        return self.name.startswith("wasserstein")


def get(name: str, *, clip: float | None = None, gp_weight: float | None = None) -> GANLoss:
    """The strategy ``name`` (one of ``GAN_LOSSES``) with its settings; ``clip`` (only for
    ``wasserstein_clip``) and ``gp_weight`` (only for ``wasserstein_gp``) default to the
    papers' values."""
    if name not in GAN_LOSSES:
        raise ValueError(f"unknown GAN loss {name!r}; valid: {', '.join(GAN_LOSSES)}.")
    if clip is not None and name != "wasserstein_clip":
        raise ValueError(f"clip applies to wasserstein_clip only, not {name!r}.")
    if gp_weight is not None and name != "wasserstein_gp":
        raise ValueError(f"gp_weight applies to wasserstein_gp only, not {name!r}.")
    if name == "wasserstein_clip":
        clip = claims.WGAN_CLIP["clip"] if clip is None else clip
        if not clip > 0:
            raise ValueError(f"clip must be positive, got {clip!r}.")
    if name == "wasserstein_gp":
        gp_weight = claims.WGAN_GP["gp_weight"] if gp_weight is None else gp_weight
        if gp_weight < 0:
            raise ValueError(f"gp_weight must be >= 0, got {gp_weight!r}.")
    output = "probability" if name in ("minimax", "non_saturating") else "score"
    return GANLoss(name, output, clip, float(gp_weight or 0.0))


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

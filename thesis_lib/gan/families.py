"""The GAN loss families and their papers' recipes: one registry (thesis §3.1–3.3).

Each family declares what D (or the critic) and G minimise, what D's last layer must produce,
how a batch's accuracy is thresholded, and the default recipe of the paper that introduced it
(optimizer, learning rate, betas, critic steps k, and the clipping constant c or the penalty
weight λ). A run asks for a family by name (``--recipe wasserstein_gp``) instead of repeating
the paper's flags; :mod:`thesis_lib.gan.losses` computes the losses, the profiles validate loss
names, the GPU batch, the campaign and ``tools/chapter33_runs.sh`` read the recipes.

Adding a family is one entry of :data:`FAMILIES` plus its test in ``tests/test_gan_losses.py``.
Keras is imported when a loss is first computed, not with the registry: the profiles and the
command lines read it without loading TensorFlow.

§3.3 attributes the Wasserstein GAN to Brownlee's book [22]; it is Arjovsky, Chintala and Bottou
(2017), whose settings ``wasserstein_clip`` holds, and Gulrajani et al. (2017) for the gradient
penalty.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

# Keras' own clipping of probabilities before a logarithm (keras.losses.binary_crossentropy).
EPSILON = 1e-7


def _ops():
    from keras import ops  # on the first loss computed, not when the registry is read

    return ops


def _log(p):
    ops = _ops()
    return ops.log(ops.clip(p, EPSILON, 1.0 - EPSILON))


def _bce(target: float, p):
    """Per-sample binary cross-entropy of probabilities ``p`` against a constant target."""
    return -(target * _log(p) + (1.0 - target) * _log(1.0 - p))


def _bce_d(real, fake):
    # Mean over the 2m images of the batch, as Keras' loss on the stacked batch would.
    ops = _ops()
    return ops.mean(ops.concatenate([_bce(1.0, real), _bce(0.0, fake)], axis=0))


def _minimax_g(fake):
    return _ops().mean(_log(1.0 - fake))  # minimised: log(1 − D(G(z))), negative


def _non_saturating_g(fake):
    return _ops().mean(_bce(1.0, fake))


def _least_squares_d(real, fake):
    ops = _ops()
    return 0.5 * ops.mean(ops.square(real - 1.0)) + 0.5 * ops.mean(ops.square(fake))


def _least_squares_g(fake):
    ops = _ops()
    return 0.5 * ops.mean(ops.square(fake - 1.0))


def _wasserstein_d(real, fake):
    ops = _ops()
    return ops.mean(fake) - ops.mean(real)  # minus the estimated distance


def _wasserstein_g(fake):
    return -_ops().mean(fake)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A paper's training settings for its family: the fields of
    :class:`thesis_lib.profiles.GANConfig` that a ``--recipe`` sets."""

    optimizer: str
    learning_rate: float
    beta_1: float | None = None
    beta_2: float | None = None
    critic_steps: int = 1
    source: str = ""

    def overrides(self) -> dict:
        """The config fields this recipe sets (betas only for Adam)."""
        out = {"optimizer": self.optimizer, "learning_rate": self.learning_rate,
               "critic_steps": self.critic_steps}
        if self.optimizer == "adam":
            out.update(beta_1=self.beta_1, beta_2=self.beta_2)
        return out


@dataclasses.dataclass(frozen=True)
class Family:
    """One loss family. ``output``: what D's last layer produces, ``"probability"`` (a sigmoid)
    or ``"score"`` (a linear unit). ``threshold``: a batch's accuracy counts real outputs above
    0.5 (``"half"``) or, for a critic without a scale, above the midpoint of the batch's mean
    real and mean generated score (``"midpoint"``). ``clip`` and ``gp_weight`` are the paper's
    c and λ, for the families that have them."""

    name: str
    output: str
    threshold: str
    d_loss: Callable
    g_loss: Callable
    recipe: Recipe
    clip: float | None = None
    gp_weight: float | None = None

    @property
    def wasserstein(self) -> bool:
        return self.name.startswith("wasserstein")


# The DCGAN setting the thesis uses for the classic losses (Radford et al. 2016; Brownlee [22]):
# Adam 2·10⁻⁴, β₁ = 0.5; LSGAN (Mao et al. 2017) trained with the same.
_DCGAN = Recipe("adam", 2e-4, 0.5, 0.999, 1, "Radford et al. 2016")
FAMILIES: dict[str, Family] = {f.name: f for f in (
    # The thesis's value function (Goodfellow et al. 2014): G minimises E log(1 − D(G(z))).
    Family("minimax", "probability", "half", _bce_d, _minimax_g, _DCGAN),
    # Goodfellow's remedy, G maximises E log D(G(z)): Brownlee's recipe and the DCGAN of §4.2.
    Family("non_saturating", "probability", "half", _bce_d, _non_saturating_g, _DCGAN),
    # LSGAN: D fits 1 on real and 0 on generated images by least squares.
    Family("least_squares", "score", "half", _least_squares_d, _least_squares_g,
           dataclasses.replace(_DCGAN, source="Mao et al. 2017")),
    # WGAN: a linear critic maximises E C(x) − E C(G(z)), its weights clipped to [−c, c].
    Family("wasserstein_clip", "score", "midpoint", _wasserstein_d, _wasserstein_g,
           Recipe("rmsprop", 5e-5, critic_steps=5, source="Arjovsky, Chintala and Bottou 2017"),
           clip=0.01),
    # WGAN-GP: the same critic with λ·E(‖∇C(x̂)‖₂ − 1)² instead of clipping.
    Family("wasserstein_gp", "score", "midpoint", _wasserstein_d, _wasserstein_g,
           Recipe("adam", 1e-4, 0.0, 0.9, 5, "Gulrajani et al. 2017"), gp_weight=10.0),
)}
NAMES = tuple(FAMILIES)


def family(name: str) -> Family:
    """The family ``name``, or a one-line error naming the valid ones."""
    if name not in FAMILIES:
        raise ValueError(f"unknown GAN loss {name!r}; valid: {', '.join(NAMES)}.")
    return FAMILIES[name]


def recipe_flags(name: str) -> list[str]:
    """The command-line flags of ``python -m thesis_lib.studies.mnist_gan`` that train ``name``
    with its paper's recipe."""
    family(name)
    return ["--recipe", name]


def run_suffix(name: str) -> str:
    """What the family's recipe adds to a run folder's name (as ``mnist_gan.run_name`` writes
    it): the loss unless it is the default non-saturating one, and k unless it is 1."""
    f = family(name)
    parts = ([name] if name != "non_saturating" else []) + \
        ([f"k{f.recipe.critic_steps}"] if f.recipe.critic_steps != 1 else [])
    return "".join(f"-{part}" for part in parts)

"""The small GANs of the theory chapter (§3.1–3.2), which learn in seconds on a CPU.

- 1-D: :func:`toy_gan` and :func:`toy_run` learn N(μ, σ²) (the picture of §3.1: G moves its
  distribution onto the data's).
- 2-D: :func:`mlp_gan` builds a GAN of two small MLPs (optionally conditional, Mirza and Osindero
  2014) for any loss of :mod:`thesis_lib.gan.losses`; :func:`train_toy` trains it for a fixed
  number of steps on a deterministic stream of samples (the data: :mod:`.mixtures`).
"""

from __future__ import annotations

import time

import keras
import numpy as np
from keras import layers

from thesis_lib import backend, streams
from thesis_lib.gan import losses
from thesis_lib.gan.families import FAMILIES
from thesis_lib.gan.model import D_ACTIVATIONS, GAN
from thesis_lib.validation import positive_int


# --- 1-D --------------------------------------------------------------------------------------
def toy_gan(seed: int = 0, latent_dim: int = 4):
    """A GAN of two small MLPs for 1-D data, built on the same :class:`GAN` class."""
    keras.utils.set_random_seed(seed)
    gen = keras.Sequential([keras.Input((latent_dim,)), layers.Dense(16, activation="relu"),
                            layers.Dense(16, activation="relu"), layers.Dense(1)])
    disc = keras.Sequential([keras.Input((1,)), layers.Dense(32),
                             layers.LeakyReLU(negative_slope=0.2), layers.Dense(1,
                                                                              activation="sigmoid")])
    gan = GAN(disc, gen, latent_dim, seed=seed)
    # Many steps on 64 numbers each: the per-step overhead is most of the cost, and running 50
    # steps per call halves a 3,000-step run on TensorFlow.
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
                steps_per_execution=backend.steps_per_call(50))
    return gan


def toy_run(mean=4.0, std=0.5, steps=3000, batch=64, seed=0):
    """Train the toy GAN on N(mean, std²); return the mean and sd of 5,000 generated samples."""
    gan = toy_gan(seed)
    data = np.random.default_rng(seed).normal(mean, std, size=(steps * batch, 1)).astype("float32")
    gan.fit(data, batch_size=batch, epochs=1, shuffle=False, verbose=0)
    samples = keras.ops.convert_to_numpy(gan.generator(gan.sample_latent(5000)))
    return float(samples.mean()), float(samples.std())


# --- small GANs -------------------------------------------------------------------------------
# Optimizer defaults per loss: (kind, G's learning rate, D's learning rate, β₁, β₂), from the
# families' recipes (thesis_lib.gan.families): the DCGAN setting the thesis uses for the
# classic losses (Radford et al. 2016; Brownlee), RMSProp 5·10⁻⁵ for wasserstein_clip. For
# wasserstein_gp, Gulrajani et al.'s Adam (10⁻⁴, β = (0, 0.9)) with the critic's rate tripled,
# a two time-scale update rule (Heusel et al. 2017). On the ring of 8 Gaussians (3 × 128 units,
# batches of 64; seeds 0–7 on JAX, 0–3 on TensorFlow, 0 on PyTorch) it captured all 8 modes
# within 3,000 steps every time; the paper's equal rates needed up to 6,000 and still missed
# most modes after 6,000 for one seed of 8 on JAX and for seed 0 on PyTorch; β₁ = 0.5 (their
# toy script's) with equal rates missed for one seed of 4 on JAX.
CRITIC_RATE_FACTOR = {"wasserstein_gp": 3.0}
OPTIMIZER_DEFAULTS = {
    name: (f.recipe.optimizer, f.recipe.learning_rate,
           CRITIC_RATE_FACTOR.get(name, 1.0) * f.recipe.learning_rate, f.recipe.beta_1,
           f.recipe.beta_2)
    for name, f in FAMILIES.items()}


def mlp(input_dims, hidden, output_dim: int, output: str, negative_slope: float, name: str,
        head=()):
    """An MLP with one ``keras.Input`` per entry of ``input_dims`` (several are concatenated),
    ``hidden`` Dense layers each followed by a LeakyReLU, and a Dense output of ``output_dim``
    units with activation ``output``. ``head``: layers applied, in order, to the first input
    before anything else (instance noise or packing in front of a discriminator, see
    :mod:`thesis_lib.studies.toy.remedies`)."""
    if head and len(input_dims) > 1:
        raise ValueError("head layers apply to a single-input MLP only (not conditional).")
    inputs = [keras.Input((d,)) for d in input_dims]
    x = inputs[0] if len(inputs) == 1 else layers.Concatenate()(inputs)
    for layer in head:
        x = layer(x)
    for width in hidden:
        x = layers.Dense(width)(x)
        x = layers.LeakyReLU(negative_slope=negative_slope)(x)
    out = layers.Dense(output_dim, activation=output)(x)
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], out, name=name)


def mlp_gan(data_dim: int = 2, latent_dim: int = 2, hidden=(128, 128, 128), *,
            loss: str = "non_saturating", critic_steps: int | None = None,
            num_classes: int | None = None, seed: int = 0, negative_slope: float = 0.2,
            optimizer: str | None = None, learning_rate: float | None = None,
            d_learning_rate: float | None = None, beta_1: float | None = None,
            beta_2: float | None = None, clip: float | None = None,
            gp_weight: float | None = None, g_hidden=None, d_head=(), gan_class=GAN,
            gan_options: dict | None = None, jit_compile="auto",
            steps_per_execution: int = 25) -> GAN:
    """A compiled :class:`GAN` of two MLPs for ``data_dim``-dimensional data (§3.1–3.2).

    G maps ``latent_dim`` Gaussian numbers (and, with ``num_classes``, a one-hot class:
    ``[z, onehot]``) through ``hidden`` LeakyReLU layers to a linear output of ``data_dim``; D
    maps ``x`` (or ``[x, onehot]``, concatenated, as in Mirza and Osindero 2014) through the same
    widths to one unit whose activation the loss decides (:attr:`GANLoss.output`: a sigmoid
    probability for ``minimax`` and ``non_saturating``, a linear score otherwise). The defaults,
    3 hidden layers of 128 and a 2-D latent space, are a smaller version of Gulrajani et al.'s
    toy networks (3 × 512, ReLU).

    Optimizers (:data:`OPTIMIZER_DEFAULTS`): Adam(2·10⁻⁴, β₁ = 0.5) for both networks with the
    classic losses (DCGAN's setting, the thesis's); RMSProp(5·10⁻⁵) for ``wasserstein_clip``
    (Arjovsky et al. 2017); for ``wasserstein_gp`` Adam with β = (0, 0.9) (Gulrajani et al.
    2017), 10⁻⁴ for G and 3·10⁻⁴ for the critic (a two time-scale rule, Heusel et al. 2017,
    which covered the ring of 8 Gaussians in half the steps of equal rates). ``optimizer``
    (``"adam"`` or ``"rmsprop"``), ``beta_1`` and ``beta_2`` override them for both networks;
    ``learning_rate`` sets G's rate and also D's unless ``d_learning_rate`` is given.
    ``critic_steps`` defaults to 5 for the Wasserstein losses (both papers) and 1 otherwise;
    ``clip`` and ``gp_weight`` default to the papers' 0.01 and 10 (:func:`losses.get`).

    For the remedies of §3.2 (:mod:`thesis_lib.studies.toy.remedies`): ``g_hidden`` gives G its own
    widths (default ``hidden``); ``d_head`` holds layers put in front of D's MLP (instance noise,
    packing); ``gan_class`` (a :class:`GAN` subclass) receives ``gan_options`` as extra keyword
    arguments; ``jit_compile`` and ``steps_per_execution`` go to ``compile`` (25 steps per call
    give the same numbers as one and cut the CPU time of these small networks by a quarter on
    TensorFlow and by three quarters on JAX; PyTorch runs one).
    """
    strategy = losses.get(loss, clip=clip, gp_weight=gp_weight)
    if critic_steps is None:
        critic_steps = 5 if strategy.wasserstein else 1
    kind, g_lr, d_lr, b1, b2 = OPTIMIZER_DEFAULTS[strategy.name]
    kind = optimizer or kind
    if kind not in ("adam", "rmsprop"):
        raise ValueError(f"unknown optimizer {kind!r}; valid: adam, rmsprop.")
    if learning_rate is not None:
        g_lr = d_lr = learning_rate
    if d_learning_rate is not None:
        d_lr = d_learning_rate
    for name, value in (("learning_rate", g_lr), ("d_learning_rate", d_lr)):
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value!r}.")
    b1 = (0.5 if b1 is None else b1) if beta_1 is None else beta_1
    b2 = (0.999 if b2 is None else b2) if beta_2 is None else beta_2
    hidden = tuple(int(w) for w in hidden)
    g_hidden = hidden if g_hidden is None else tuple(int(w) for w in g_hidden)
    for name, widths in (("hidden", hidden), ("g_hidden", g_hidden)):
        if not widths or min(widths) < 1:
            raise ValueError(f"{name} must name at least one positive width, got {widths!r}.")

    def make(role, lr):
        if kind == "adam":
            return keras.optimizers.Adam(lr, beta_1=b1, beta_2=b2, name=f"{role}_adam")
        return keras.optimizers.RMSprop(lr, name=f"{role}_rmsprop")

    keras.utils.set_random_seed(seed)
    extra = [] if num_classes is None else [num_classes]
    disc = mlp([data_dim, *extra], hidden, 1, D_ACTIVATIONS[strategy.output], negative_slope,
               "discriminator", head=d_head)
    gen = mlp([latent_dim, *extra], g_hidden, data_dim, "linear", negative_slope, "generator")
    gan = gan_class(disc, gen, latent_dim, loss=strategy, critic_steps=critic_steps,
                    num_classes=num_classes, seed=seed, **(gan_options or {}))
    if backend.name() == "torch":
        # torch.compile of these tiny networks costs more than it saves: a speed-up only.
        jit_compile = False
    gan.compile(d_optimizer=make("d", d_lr), g_optimizer=make("g", g_lr),
                jit_compile=jit_compile,
                steps_per_execution=backend.steps_per_call(steps_per_execution))
    return gan


def train_toy(gan: GAN, data, labels=None, steps: int = 1000, batch: int = 64, seed: int = 0,
              log_every: int | None = None, on_log=None) -> dict:
    """Train ``gan`` for ``steps`` steps of Algorithm 1 on samples of ``data`` (and ``labels``
    for a conditional GAN); returns ``{"history": ..., "seconds": ...}``, the seconds spent in
    ``fit`` (compilation included, ``on_log`` excluded).

    ``batch`` is m, the real samples of each critic update (D sees m real and m generated; G's
    update uses 2m latent points), so a step reads k·m samples for k = ``gan.critic_steps``.
    The samples are drawn from ``data`` with replacement by ``rng(seed)`` and fed in that order
    (``shuffle=False``), so the run depends on the seeds only, not on ``log_every``. The history
    holds the mean of each metric (``d_loss``, ``g_loss``, ``d_acc``, and ``gp`` with a penalty)
    over each block of ``log_every`` steps (default: steps / 10) and the steps at their ends
    (``step``); ``on_log(step, gan)``, if given, is called after each block (to take snapshots
    of the generator, say) and what it returns is kept in the history's ``logged`` list.
    """
    for name, value in (("steps", steps), ("batch", batch), ("log_every", log_every)):
        if value is None and name == "log_every":
            log_every = max(1, steps // 10)
        else:
            positive_int(name, value)
    data = np.asarray(data, dtype="float32")
    if data.ndim < 2 or len(data) == 0:
        raise ValueError(f"data must be a non-empty (n, dim) array, got shape {data.shape}.")
    if gan.conditional and labels is None:
        raise ValueError("this GAN is conditional: pass one label per sample.")
    if not gan.conditional and labels is not None:
        raise ValueError("this GAN is unconditional: train it without labels.")
    if labels is not None:
        labels = np.asarray(labels, dtype="int32")
        if labels.shape != (len(data),):
            raise ValueError(f"labels must have shape ({len(data)},), got {labels.shape}.")
    per_step = gan.critic_steps * batch
    rng = streams.rng(seed, "toy_training")
    history: dict[str, list] = {"step": []}
    seconds, done = 0.0, 0
    while done < steps:
        block = min(log_every, steps - done)
        idx = rng.integers(len(data), size=block * per_step)
        args = (data[idx],) if labels is None else (data[idx], labels[idx])
        start = time.perf_counter()
        logs = gan.fit(*args, batch_size=per_step, epochs=1, shuffle=False, verbose=0).history
        seconds += time.perf_counter() - start
        done += block
        history["step"].append(done)
        for key, values in logs.items():
            history.setdefault(key, []).append(float(values[-1]))
        if on_log is not None:
            history.setdefault("logged", []).append(on_log(done, gan))
    return {"history": history, "seconds": seconds}

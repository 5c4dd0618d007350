"""The WGAN critic in the plane (thesis §3.3): weight clipping against the gradient penalty, as in
Gulrajani et al.'s (2017) toy figures, on the ring of 8 Gaussians of §3.2.

For each loss family one WGAN of two small MLPs is trained (:func:`thesis_lib.studies.toy.networks.mlp_gan` with
the papers' optimizers and k = 5); the study keeps what the figures need: the critic's score over
the plane, real and generated points, every critic weight (clipping piles them at ±c, the
capacity problem the thesis calls "clipping collapse") and ‖∇ₓC(x)‖ at points between the real
and the generated ones, where the 1-Lipschitz condition asks for norms of at most 1.
"""

from __future__ import annotations

import numpy as np
from keras import ops

from thesis_lib import backend, streams
from thesis_lib.gan.latent import infer
from thesis_lib.studies.toy import mixtures
from thesis_lib.studies.toy import networks as toy

CRITIC_FAMILIES = ("wasserstein_clip", "wasserstein_gp")


def critic_input_gradients(critic, points) -> np.ndarray:
    """∇ₓC(x) at each point (rows): the critic scores each sample on its own, so the gradient of
    the sum holds every per-point gradient."""
    _, (grad,) = backend.gradient(lambda x: ops.sum(ops.cast(critic(x), "float32")), points)
    return grad


def critic_weights(critic) -> np.ndarray:
    """Every kernel entry of the critic (biases left out: clipping bounds them too, but the
    capacity argument is about the kernels), as one flat array."""
    return np.concatenate([np.ravel(ops.convert_to_numpy(v)) for v in critic.trainable_weights
                           if len(v.shape) == 2])


def run(family: str, steps: int = 2000, seed: int = 0, n_points: int = 2000, lim: float = 3.0,
        side: int = 121) -> dict:
    """Train one WGAN (``family``: ``wasserstein_clip`` or ``wasserstein_gp``) on the ring for
    ``steps`` generator steps of k = 5 critic updates each; return its history, ``n_points``
    real and generated points, the critic over a ``side`` × ``side`` grid of [−lim, lim]², its
    kernel weights, and ‖∇ₓC‖ at ``n_points`` interpolates αx + (1 − α)G(z)."""
    if family not in CRITIC_FAMILIES:
        raise ValueError(f"unknown family {family!r}; valid: {', '.join(CRITIC_FAMILIES)}.")
    data, _ = mixtures.ring_of_gaussians(100_000, seed=seed)
    gan = toy.mlp_gan(loss=family, seed=seed)
    trained = toy.train_toy(gan, data, steps=steps, seed=seed)
    rng = streams.rng(seed, "critic_study")
    real = data[rng.choice(len(data), n_points, replace=False)]
    fake = infer(gan.generator, rng.normal(size=(n_points, gan.latent_dim)).astype("float32"))
    alpha = rng.uniform(size=(n_points, 1))
    between = (alpha * real + (1 - alpha) * fake).astype("float32")
    axis = np.linspace(-lim, lim, side, dtype="float32")
    xs, ys = np.meshgrid(axis, axis)
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    critic = gan.discriminator
    return {"family": family, "steps": steps, "seed": seed, "lim": lim,
            "clip": gan.loss_strategy.clip,
            "history": trained["history"], "seconds": trained["seconds"],
            "real": real, "fake": fake, "xs": xs, "ys": ys,
            "score": infer(critic, grid)[:, 0].reshape(side, side),
            "weights": critic_weights(critic),
            "grad_norms": np.linalg.norm(critic_input_gradients(critic, between), axis=1),
            "estimate": float(infer(critic, real).mean() - infer(critic, fake).mean())}


def summary(result: dict) -> dict:
    """The numbers the chapter quotes: share of kernel weights within 1 % of ±c (clipping only),
    the gradient norms' median and 5–95 % range, and the share of norms above 1.05."""
    norms, weights = result["grad_norms"], np.abs(result["weights"])
    clip = result["clip"]
    at_bound = float(np.mean(weights >= 0.99 * clip)) if result["family"] == "wasserstein_clip" \
        else float("nan")
    return {"at_bound": at_bound, "norm_median": float(np.median(norms)),
            "norm_p05": float(np.percentile(norms, 5)),
            "norm_p95": float(np.percentile(norms, 95)),
            "above_one": float(np.mean(norms > 1.05)), "estimate": result["estimate"]}

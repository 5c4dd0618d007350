"""The vanishing gradient of §3.2, measured: hold G fixed, make D stronger, watch G's gradient.

The thesis (§3.2, citing [21]) says the generator's gradient vanishes when the discriminator
becomes too good, and blames the sigmoid's saturation. Arjovsky and Bottou (2017, §2.2, Fig. 2)
measured it: train a GAN for a while, freeze G, train a fresh D from scratch, and record the norm
of the gradient of G's cost with respect to G's weights as D improves. :func:`gradient_vs_d`
repeats that experiment on the 2-D toys of :mod:`thesis_lib.studies.toy.networks` for both generator costs:

- ``minimax``: G minimises E log(1 − D(G(z))), the thesis's value function;
- ``non_saturating``: G minimises −E log D(G(z)) (the DCGAN's, and the book's default).

Both use the same D, with the same sigmoid: only the cost differs. The costs are written out on
D's probabilities without the 10⁻⁷ clipping of :mod:`thesis_lib.gan.losses` (Keras' own), which
would cut the non-saturating gradient to exactly 0 once D(G(z)) < 10⁻⁷ and so fake a vanishing
gradient that the mathematics does not have.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from thesis_lib import backend, streams
from thesis_lib.studies.toy import networks as toy

COSTS = ("minimax", "non_saturating")


def generator_cost(name: str, d_fake):
    """G's cost on D's probabilities for its samples (no clipping; see the module docstring)."""
    if name == "minimax":
        return ops.mean(ops.log1p(-d_fake))
    if name == "non_saturating":
        # The floor only guards float32 underflow to 0 (log 0); it is far below any clipping.
        return -ops.mean(ops.log(ops.maximum(d_fake, 1e-30)))
    raise ValueError(f"unknown generator cost {name!r}; valid: {', '.join(COSTS)}.")


def generator_gradient_norm(generator: keras.Model, discriminator: keras.Model, z,
                            cost: str) -> float:
    """‖∇_θG cost‖₂ over all of G's weights, at the latent points ``z``, D fixed."""
    grads = backend.model_gradients(generator, z,
                                    lambda x: generator_cost(cost, discriminator(x)))
    return float(np.sqrt(sum(float((g ** 2).sum()) for g in grads)))


def gradient_vs_d(data, *, generator_steps: int = 0, d_steps=(0, 10, 30, 100, 300, 1000),
                  seed: int = 0, batch: int = 64, n_eval: int = 2048,
                  d_learning_rate: float = 1e-3) -> list[dict]:
    """Arjovsky and Bottou's experiment on a 2-D toy.

    A standard GAN (:func:`toy.mlp_gan`) trains for ``generator_steps`` steps of Algorithm 1 on
    ``data``; then G is frozen and a *fresh* D of the same architecture trains by binary
    cross-entropy (Adam, ``d_learning_rate``) on batches of ``batch`` real and ``batch``
    generated points. At each count of D steps in ``d_steps`` it records, on ``n_eval`` new real
    and generated points: D's accuracy (threshold ½), the mean D(G(z)), and the norm of G's
    gradient under each cost in :data:`COSTS`. Returns one dict per count.
    """
    d_steps = sorted(int(s) for s in d_steps)
    if not d_steps or d_steps[0] < 0:
        raise ValueError(f"d_steps must be non-negative step counts, got {d_steps!r}.")
    data = np.asarray(data, dtype="float32")
    gan = toy.mlp_gan(data_dim=data.shape[1], seed=seed)
    if generator_steps:
        toy.train_toy(gan, data, steps=generator_steps, batch=batch, seed=seed)
    generator = gan.generator
    rng = streams.rng(seed, "vanishing")
    latent = lambda n: rng.standard_normal((n, gan.latent_dim)).astype("float32")  # noqa: E731
    z_eval = latent(n_eval)
    real_eval = data[rng.integers(len(data), size=n_eval)]
    fake_eval = keras.ops.convert_to_numpy(generator(z_eval))

    keras.utils.set_random_seed(seed + 1)
    disc = toy.mlp([data.shape[1]], (128, 128, 128), 1, "sigmoid", 0.2, "fresh_discriminator")
    disc.compile(optimizer=keras.optimizers.Adam(learning_rate=d_learning_rate),
                 loss="binary_crossentropy", steps_per_execution=backend.steps_per_call(25))
    rows, done = [], 0
    for target in d_steps:
        if target > done:
            n = target - done
            real = data[rng.integers(len(data), size=n * batch)].reshape(n, batch, -1)
            fake = keras.ops.convert_to_numpy(generator(latent(n * batch))).reshape(n, batch, -1)
            x = np.concatenate([real, fake], axis=1).reshape(-1, data.shape[1])
            y = np.tile(np.r_[np.ones(batch), np.zeros(batch)], n)[:, None].astype("float32")
            disc.fit(x, y, batch_size=2 * batch, epochs=1, shuffle=False, verbose=0)
            done = target
        d_real = keras.ops.convert_to_numpy(disc(real_eval))[:, 0]
        d_fake = keras.ops.convert_to_numpy(disc(fake_eval))[:, 0]
        row = {"generator_steps": int(generator_steps), "d_steps": target, "seed": seed,
               "d_accuracy": float(0.5 * ((d_real > 0.5).mean() + (d_fake <= 0.5).mean())),
               "mean_d_fake": float(d_fake.mean()), "min_d_fake": float(d_fake.min())}
        for cost in COSTS:
            row[f"grad_{cost}"] = generator_gradient_norm(generator, disc, z_eval, cost)
        rows.append(row)
    return rows

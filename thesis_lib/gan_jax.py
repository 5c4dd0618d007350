"""Algorithm 1 on the JAX backend, written in Keras' stateless style.

JAX has no mutable variables inside a compiled step: the trainer passes every variable's value
in (``state``) and expects the new values back. Each update below takes values, computes the
loss with ``stateless_call`` and ``jax.value_and_grad``, and returns new values. The random
latent points come from the GAN's ``SeedGenerator`` through a ``StatelessScope``, so its state
advances between steps (inside ``jit`` it would otherwise repeat the same numbers).
Both optimizers' variables are part of the model's non-trainable state (see ``GAN.compile``).
"""

from __future__ import annotations

import jax
import keras
from keras import ops


def _positions(references, variables):
    where = {id(v): i for i, v in enumerate(references)}
    return [where[id(v)] for v in variables]


def _layout(gan):
    """Where each part's variables sit in the model's flat variable lists (cached)."""
    if getattr(gan, "_jax_layout", None) is None:
        tv, ntv = gan.trainable_variables, gan.non_trainable_variables
        gan._jax_layout = {
            "d_tv": _positions(tv, gan.discriminator.trainable_variables),
            "g_tv": _positions(tv, gan.generator.trainable_variables),
            "d_ntv": _positions(ntv, gan.discriminator.non_trainable_variables),
            "g_ntv": _positions(ntv, gan.generator.non_trainable_variables),
            "d_opt": _positions(ntv, gan.d_optimizer.variables),
            "g_opt": _positions(ntv, gan.g_optimizer.variables),
            "seed": _positions(ntv, [gan.seed_generator.state])[0],
        }
    return gan._jax_layout


def _take(values, idx):
    return [values[i] for i in idx]


def _put(values, idx, new):
    values = list(values)
    for i, v in zip(idx, new):
        values[i] = v
    return values


def _latent(gan, seed_state, n):
    with keras.StatelessScope(state_mapping=[(gan.seed_generator.state, seed_state)]) as scope:
        z = gan.sample_latent(n)
    return z, scope.get_current_value(gan.seed_generator.state)


def discriminator_update(gan, tv, ntv, real):
    """One D step on values; returns (tv, ntv, loss, accuracy)."""
    lay = _layout(gan)
    m = real.shape[0]
    z, seed = _latent(gan, ntv[lay["seed"]], m)
    ntv = _put(ntv, [lay["seed"]], [seed])
    fake, g_ntv = gan.generator.stateless_call(_take(tv, lay["g_tv"]), _take(ntv, lay["g_ntv"]),
                                               z, training=True)
    ntv = _put(ntv, lay["g_ntv"], g_ntv)
    images = ops.concatenate([real, jax.lax.stop_gradient(fake).astype(real.dtype)], axis=0)
    labels = ops.concatenate([ops.ones((m, 1)), ops.zeros((m, 1))], axis=0)

    def loss_fn(d_tv, d_ntv):
        pred, d_ntv = gan.discriminator.stateless_call(d_tv, d_ntv, images, training=True)
        return gan.loss_fn(labels, pred), (pred, d_ntv)

    (loss, (pred, d_ntv)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        _take(tv, lay["d_tv"]), _take(ntv, lay["d_ntv"]))
    d_tv, d_opt = gan.d_optimizer.stateless_apply(_take(ntv, lay["d_opt"]), grads,
                                                  _take(tv, lay["d_tv"]))
    tv = _put(tv, lay["d_tv"], d_tv)
    ntv = _put(_put(ntv, lay["d_ntv"], d_ntv), lay["d_opt"], d_opt)
    accuracy = ops.mean(ops.cast(ops.equal(ops.cast(pred > 0.5, "float32"), labels), "float32"))
    return tv, ntv, loss, accuracy


def generator_update(gan, tv, ntv, n):
    """One G step on values (2m latent points labelled real); returns (tv, ntv, loss)."""
    lay = _layout(gan)
    z, seed = _latent(gan, ntv[lay["seed"]], n)
    ntv = _put(ntv, [lay["seed"]], [seed])
    labels = ops.ones((n, 1))
    d_tv = _take(tv, lay["d_tv"])

    def loss_fn(g_tv, g_ntv, d_ntv):
        images, g_ntv = gan.generator.stateless_call(g_tv, g_ntv, z, training=True)
        pred, d_ntv = gan.discriminator.stateless_call(d_tv, d_ntv, images, training=True)
        return gan.loss_fn(labels, pred), (g_ntv, d_ntv)

    (loss, (g_ntv, d_ntv)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        _take(tv, lay["g_tv"]), _take(ntv, lay["g_ntv"]), _take(ntv, lay["d_ntv"]))
    g_tv, g_opt = gan.g_optimizer.stateless_apply(_take(ntv, lay["g_opt"]), grads,
                                                  _take(tv, lay["g_tv"]))
    tv = _put(tv, lay["g_tv"], g_tv)
    ntv = _put(_put(_put(ntv, lay["g_ntv"], g_ntv), lay["d_ntv"], d_ntv), lay["g_opt"], g_opt)
    return tv, ntv, loss


def train_step(gan, state, data):
    """The JAX trainer's entry point: (state, data) -> (logs, state)."""
    tv, ntv, _optimizer_values, metric_values = state
    real = data[0] if isinstance(data, (tuple, list)) else data
    tv, ntv, d_loss, d_acc = discriminator_update(gan, tv, ntv, real)
    tv, ntv, g_loss = generator_update(gan, tv, ntv, 2 * real.shape[0])
    logs, new_metrics, start = {}, [], 0
    for tracker, value in zip(gan.metrics, (d_loss, g_loss, d_acc)):
        count = len(tracker.variables)
        updated = tracker.stateless_update_state(metric_values[start:start + count], value)
        logs[tracker.name] = tracker.stateless_result(updated)
        new_metrics += list(updated)
        start += count
    # gan.optimizer is the discriminator's optimizer: return its values as the trainer expects.
    lay = _layout(gan)
    return logs, (tv, ntv, _take(ntv, lay["d_opt"]), new_metrics)


def _apply(gan, update, *args):
    """Run one pure update on the model's current values and write the results back."""
    tv = [v.value for v in gan.trainable_variables]
    ntv = [v.value for v in gan.non_trainable_variables]
    tv, ntv, *rest = update(gan, tv, ntv, *args)
    for var, value in zip(gan.trainable_variables, tv):
        var.assign(value)
    for var, value in zip(gan.non_trainable_variables, ntv):
        var.assign(value)
    return rest


def discriminator_step(gan, real):
    """Stateful D step (tests and tools); the same code fit() compiles."""
    return _apply(gan, discriminator_update, ops.convert_to_tensor(real))


def generator_step(gan, n):
    return _apply(gan, generator_update, n)[0]

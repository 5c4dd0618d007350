"""Algorithm 1 on the JAX backend, written in Keras' stateless style.

JAX has no mutable variables inside a compiled step: the trainer passes every variable's value
in (``state``) and expects the new values back. Each update below takes values, computes the
loss with ``stateless_call`` and ``jax.value_and_grad``, and returns new values. The losses are
the GAN's own objectives (:meth:`GAN.critic_objective`, :meth:`GAN.generator_objective`), the
same code the TensorFlow and PyTorch paths run. Random draws (latent points, classes, the
penalty's α) come from the GAN's ``SeedGenerator`` through a ``StatelessScope``, so its state
advances between steps (inside ``jit`` it would otherwise repeat the same numbers). Both
optimizers' variables are part of the model's non-trainable state (see ``GAN.compile``).
"""

from __future__ import annotations

import jax
import keras
from keras import ops

from thesis_lib.gan.losses import scale_loss, split_batch


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


def _reading(network, values):
    """A scope in which ``network``'s trainable variables read as ``values``, the weights being
    differentiated. An objective that reads the weights themselves (an L2 penalty on the
    kernels, §3.2's remedies) then depends on them inside ``jax.grad``, as it does on the
    stateful backends; without it the variables would read as constants."""
    return keras.StatelessScope(state_mapping=list(zip(network.trainable_variables, values)))


def _draw(gan, ntv, *draws):
    """Call each ``draw()`` (which uses the GAN's SeedGenerator) on the seed state in ``ntv``;
    returns the draws and ``ntv`` with the advanced state."""
    seed = _layout(gan)["seed"]
    with keras.StatelessScope(state_mapping=[(gan.seed_generator.state, ntv[seed])]) as scope:
        values = [draw() for draw in draws]
    return values, _put(ntv, [seed], [scope.get_current_value(gan.seed_generator.state)])


def discriminator_update(gan, tv, ntv, real, onehot=None):
    """One D step on values; returns (tv, ntv, loss, accuracy, penalty)."""
    lay = _layout(gan)
    m = real.shape[0]
    gp = bool(gan.loss_strategy.gp_weight)
    (z, alpha), ntv = _draw(gan, ntv, lambda: gan.sample_latent(m),
                            lambda: gan.sample_alpha(m) if gp else None)
    fake, g_ntv = gan.generator.stateless_call(_take(tv, lay["g_tv"]), _take(ntv, lay["g_ntv"]),
                                               gan.generator_inputs(z, onehot), training=True)
    ntv = _put(ntv, lay["g_ntv"], g_ntv)
    fake = jax.lax.stop_gradient(fake)
    d_opt = _take(ntv, lay["d_opt"])

    def loss_fn(d_tv, d_ntv):
        state = {"ntv": d_ntv}

        def d_call(x, oh):
            out, state["ntv"] = gan.discriminator.stateless_call(
                d_tv, state["ntv"], gan.discriminator_inputs(x, oh), training=True)
            return out

        def penalty_call(x, oh):  # inside jax.grad: its state updates must not escape
            return gan.discriminator.stateless_call(d_tv, d_ntv, gan.discriminator_inputs(x, oh),
                                                    training=True)[0]

        with _reading(gan.discriminator, d_tv):  # a weight penalty sees the traced weights
            loss, (accuracy, penalty) = gan.critic_objective(d_call, real, fake, onehot, alpha,
                                                             penalty_call, z=z)
        return scale_loss(gan.d_optimizer, loss, d_opt), (loss, accuracy, penalty, state["ntv"])

    (_, (loss, accuracy, penalty, d_ntv)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        _take(tv, lay["d_tv"]), _take(ntv, lay["d_ntv"]))
    d_tv, d_opt = gan.d_optimizer.stateless_apply(d_opt, grads, _take(tv, lay["d_tv"]))
    if gan.loss_strategy.clip is not None:
        c = gan.loss_strategy.clip
        d_tv = [ops.clip(v, -c, c) for v in d_tv]
    tv = _put(tv, lay["d_tv"], d_tv)
    ntv = _put(_put(ntv, lay["d_ntv"], d_ntv), lay["d_opt"], d_opt)
    return tv, ntv, loss, accuracy, penalty


def generator_update(gan, tv, ntv, n):
    """One G step on values (n latent points, judged as real); returns (tv, ntv, loss)."""
    lay = _layout(gan)
    (z, classes), ntv = _draw(gan, ntv, lambda: gan.sample_latent(n),
                              lambda: gan.sample_classes(n) if gan.conditional else None)
    onehot = gan.one_hot(classes)
    d_tv = _take(tv, lay["d_tv"])
    g_opt = _take(ntv, lay["g_opt"])

    def loss_fn(g_tv, g_ntv, d_ntv):
        state = {"g": g_ntv, "d": d_ntv}

        def g_call(z_, oh):
            out, state["g"] = gan.generator.stateless_call(g_tv, state["g"],
                                                           gan.generator_inputs(z_, oh),
                                                           training=True)
            return out

        def d_call(x, oh):
            out, state["d"] = gan.discriminator.stateless_call(
                d_tv, state["d"], gan.discriminator_inputs(x, oh), training=True)
            return out

        with _reading(gan.generator, g_tv):
            loss = gan.generator_objective(g_call, d_call, z, onehot)
        return scale_loss(gan.g_optimizer, loss, g_opt), (loss, state["g"], state["d"])

    (_, (loss, g_ntv, d_ntv)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        _take(tv, lay["g_tv"]), _take(ntv, lay["g_ntv"]), _take(ntv, lay["d_ntv"]))
    g_tv, g_opt = gan.g_optimizer.stateless_apply(g_opt, grads, _take(tv, lay["g_tv"]))
    tv = _put(tv, lay["g_tv"], g_tv)
    ntv = _put(_put(_put(ntv, lay["g_ntv"], g_ntv), lay["d_ntv"], d_ntv), lay["g_opt"], g_opt)
    return tv, ntv, loss


def train_step(gan, state, data):
    """The JAX trainer's entry point: (state, data) -> (logs, state)."""
    tv, ntv, _optimizer_values, metric_values = state
    real, labels = split_batch(data)
    k = gan.critic_steps
    m = real.shape[0] // k
    d_losses, d_accs, penalties = [], [], []
    for i in range(k):  # each critic step on its own real batch (Algorithm 1)
        onehot = None if labels is None else gan.one_hot(labels[i * m:(i + 1) * m])
        tv, ntv, d_loss, d_acc, penalty = discriminator_update(gan, tv, ntv,
                                                               real[i * m:(i + 1) * m], onehot)
        d_losses.append(d_loss)
        d_accs.append(d_acc)
        penalties.append(penalty)
    tv, ntv, g_loss = generator_update(gan, tv, ntv, 2 * m)
    values = [d_losses, [g_loss], d_accs] + ([penalties] if gan.gp_tracker is not None else [])
    logs, new_metrics, start = {}, [], 0
    for tracker, batch in zip(gan.metrics, values):
        count = len(tracker.variables)
        updated = metric_values[start:start + count]
        for value in batch:  # one update per step, as the stateful path does
            updated = tracker.stateless_update_state(updated, value)
        logs[tracker.name] = tracker.stateless_result(updated)
        new_metrics += list(updated)
        start += count
    # gan.optimizer is the discriminator's optimizer: return its values as the trainer expects.
    lay = _layout(gan)
    return logs, (tv, ntv, _take(ntv, lay["d_opt"]), new_metrics)


def _compiled(gan, update, *static):
    """``update`` for this GAN under ``jax.jit`` (``static``: its arguments that fix shapes),
    compiled once per GAN: run op by op, a DCGAN update compiles hundreds of small programs,
    one per operation and shape, which on a CPU costs ten times one compiled update."""
    # In the instance's __dict__: Keras would track a dict set as an attribute.
    cache = gan.__dict__.setdefault("_jax_updates", {})
    key = (update, static)
    if key not in cache:
        cache[key] = jax.jit(lambda tv, ntv, *args: update(gan, tv, ntv, *args, *static))
    return cache[key]


def _apply(gan, update, *args, static=()):
    """Run one pure update on the model's current values and write the results back."""
    tv = [v.value for v in gan.trainable_variables]
    ntv = [v.value for v in gan.non_trainable_variables]
    tv, ntv, *rest = _compiled(gan, update, *static)(tv, ntv, *args)
    for var, value in zip(gan.trainable_variables, tv):
        var.assign(value)
    for var, value in zip(gan.non_trainable_variables, ntv):
        var.assign(value)
    return rest


def discriminator_step(gan, real, labels=None):
    """Stateful D step (tests and tools); the same code fit() compiles."""
    return _apply(gan, discriminator_update, ops.convert_to_tensor(real), gan.one_hot(labels))


def generator_step(gan, n):
    return _apply(gan, generator_update, static=(int(n),))[0]

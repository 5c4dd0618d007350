"""The one place that knows which Keras backend computes gradients.

Keras 3 runs on TensorFlow, JAX or PyTorch, but taking a gradient is backend-specific:
``tf.GradientTape``, ``jax.grad`` or ``torch.autograd``. Everything else in ``thesis_lib`` calls
:func:`gradient` and stays backend-neutral.
"""

from __future__ import annotations

import keras
import numpy as np


def name() -> str:
    return keras.config.backend()


def steps_per_call(steps: int) -> int:
    """What to pass as ``compile(steps_per_execution=...)``: ``steps`` training steps per
    compiled call, or 1 on PyTorch (Keras' PyTorch trainer refuses more). For the small networks
    of chapters 2–3 the per-call overhead is most of a step; the result is the same either way."""
    return 1 if name() == "torch" else steps


def _to_numpy(t) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(t), dtype=np.float64)


def _tape(fn, tensors):
    """TensorFlow: ``fn(*tensors)`` → (value, aux) and the value's gradient per tensor (eager,
    or traced when called inside a ``tf.function``)."""
    import tensorflow as tf
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        value, aux = fn(*tensors)
    return value, aux, tape.gradient(value, tensors)


def _value_aux_and_gradient(fn, args):
    """``fn(*args)`` → (scalar, auxiliary or None), differentiated eagerly: the value, the
    auxiliary and the gradient with respect to each argument, as float64 numpy values."""
    backend = name()
    tensors = [keras.ops.convert_to_tensor(np.asarray(a, dtype="float32")) for a in args]
    if backend == "tensorflow":
        value, aux, grads = _tape(fn, tensors)
    elif backend == "jax":
        import jax
        (value, aux), grads = jax.value_and_grad(fn, argnums=tuple(range(len(args))),
                                                 has_aux=True)(*tensors)
    elif backend == "torch":
        import torch
        tensors = [t.detach().clone().requires_grad_(True) for t in tensors]
        value, aux = fn(*tensors)
        grads = torch.autograd.grad(value, tensors)
        aux = None if aux is None else aux.detach()
    else:
        raise ValueError(f"unsupported Keras backend {backend!r}; use tensorflow, jax or torch.")
    return (_to_numpy(value), None if aux is None else _to_numpy(aux),
            [_to_numpy(g) for g in grads])


def gradient(fn, *args):
    """Value of ``fn(*args)`` (a scalar) and its gradient with respect to each argument.

    ``args`` are numbers or arrays; results come back as float64 numpy values.
    """
    value, _, grads = _value_aux_and_gradient(lambda *t: (fn(*t), None), args)
    return value, grads


def gradient_function(fn):
    """``fn`` (arrays → (scalar, auxiliary array)) as a reusable ``g(*arrays)`` that returns
    ``(value, auxiliary, [gradient per argument])`` as float64 numpy values.

    For a gradient taken many times over the same networks (a walk in a generator's latent
    space): on TensorFlow the computation is traced once into a graph (``tf.function``, shapes
    generalised after a second batch size), where the backward pass skips what nobody asked for
    (eagerly, each convolution's backward pass also computes its filters' gradient) and the ops
    pay no Python dispatch; a walk of the DCGAN generator runs about twice as fast. JAX and
    PyTorch differentiate eagerly, as :func:`gradient` does.
    """
    if name() != "tensorflow":
        return lambda *args: _value_aux_and_gradient(fn, args)
    import tensorflow as tf

    traced = tf.function(lambda *tensors: _tape(fn, list(tensors)), reduce_retracing=True)

    def run(*args):
        value, aux, grads = traced(*[tf.constant(np.asarray(a, dtype="float32")) for a in args])
        return _to_numpy(value), _to_numpy(aux), [_to_numpy(g) for g in grads]
    return run


def derivative(fn, x):
    """Elementwise derivative of an elementwise function ``fn`` at the points ``x``."""
    _, (grad,) = gradient(lambda t: keras.ops.sum(fn(t)), np.asarray(x))
    return grad


def value_and_grads(loss_fn, variables):
    """``loss_fn()`` and its gradients w.r.t. Keras ``variables``, on a stateful backend.

    TensorFlow records the computation on a tape; PyTorch uses autograd. JAX has no stateful
    equivalent: GAN training on JAX goes through ``thesis_lib.gan.jax_step`` instead.
    """
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf
        with tf.GradientTape() as tape:
            loss = loss_fn()
        return loss, tape.gradient(loss, variables)
    if backend == "torch":
        import torch
        loss = loss_fn()
        return loss, list(torch.autograd.grad(loss, [v.value for v in variables]))
    raise ValueError(f"value_and_grads needs a stateful backend (tensorflow or torch), "
                     f"not {backend!r}.")


def model_gradients(model, inputs, fn):
    """Gradients of the scalar ``fn(model(inputs))`` with respect to ``model``'s trainable
    weights, on any backend (JAX through ``stateless_call``), as float64 numpy arrays. For
    measuring a gradient, not for training."""
    x = keras.ops.convert_to_tensor(np.asarray(inputs, dtype="float32"))
    if name() == "jax":
        import jax
        frozen = [v.value for v in model.non_trainable_variables]

        def loss(weights):
            return fn(model.stateless_call(weights, frozen, x, training=False)[0])

        grads = jax.grad(loss)([v.value for v in model.trainable_variables])
    else:
        _, grads = value_and_grads(lambda: fn(model(x, training=False)),
                                   model.trainable_variables)
    return [np.asarray(keras.ops.convert_to_numpy(g), dtype=np.float64) for g in grads]


def input_gradient(fn, x):
    """∇ₓ of the scalar ``fn(x)``, itself differentiable (for a gradient penalty, whose loss
    holds a gradient and is differentiated again with respect to the weights).

    TensorFlow: an inner tape (an outer tape records its work); PyTorch: ``autograd.grad`` with
    ``create_graph=True``; JAX: ``jax.grad``, which composes with the outer transformation.
    """
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = fn(x)
        return tape.gradient(value, x)
    if backend == "torch":
        import torch
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        return torch.autograd.grad(fn(x), x, create_graph=True)[0]
    if backend == "jax":
        import jax
        return jax.grad(fn)(x)
    raise ValueError(f"unsupported Keras backend {backend!r}; use tensorflow, jax or torch.")


def no_grad():
    """Context in which no gradient is recorded (PyTorch); a no-op on the other backends."""
    import contextlib
    if name() == "torch":
        import torch
        return torch.no_grad()
    return contextlib.nullcontext()

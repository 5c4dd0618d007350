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


def gradient(fn, *args):
    """Value of ``fn(*args)`` (a scalar) and its gradient with respect to each argument.

    ``args`` are numbers or arrays; results come back as float64 numpy values.
    """
    backend = name()
    tensors = [keras.ops.convert_to_tensor(np.asarray(a, dtype="float32")) for a in args]
    if backend == "tensorflow":
        import tensorflow as tf
        with tf.GradientTape() as tape:
            for t in tensors:
                tape.watch(t)
            value = fn(*tensors)
        grads = tape.gradient(value, tensors)
    elif backend == "jax":
        import jax
        value, grads = jax.value_and_grad(lambda *a: fn(*a), argnums=tuple(range(len(args))))(
            *tensors)
    elif backend == "torch":
        import torch
        tensors = [t.detach().clone().requires_grad_(True) for t in tensors]
        value = fn(*tensors)
        grads = torch.autograd.grad(value, tensors)
    else:
        raise ValueError(f"unsupported Keras backend {backend!r}; use tensorflow, jax or torch.")
    to_np = lambda t: np.asarray(keras.ops.convert_to_numpy(t), dtype=np.float64)  # noqa: E731
    return to_np(value), [to_np(g) for g in grads]


def derivative(fn, x):
    """Elementwise derivative of an elementwise function ``fn`` at the points ``x``."""
    _, (grad,) = gradient(lambda t: keras.ops.sum(fn(t)), np.asarray(x))
    return grad

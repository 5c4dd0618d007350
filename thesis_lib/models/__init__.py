"""Keras 3 model builders: the §4.1 ``classifiers``, the §4.2 ``dcgan`` and its variants, and the
``layers`` they share (a transposed convolution that is fast on JAX)."""

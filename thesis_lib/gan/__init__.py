"""The GAN engine (thesis §3.1's Algorithm 1 and its variants), free of plotting, Spanish text
and studies (``tests/test_layout.py``).

``model`` (the ``keras.Model`` with its ``train_step``), ``families`` (the loss registry: each
family's losses, D's output, its accuracy threshold and its paper's recipe), ``losses`` (the
family with this run's settings, clipping and the gradient penalty), ``jax_step`` (the same
updates in JAX's stateless style), ``training`` (data order, monitors, resumable runs),
``latent`` (inputs, sampling, interpolation), ``infogan`` and ``grids`` (sample grids as PNG).
"""

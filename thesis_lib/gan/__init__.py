"""Chapter 3 and §4.2: generative adversarial networks.

``model`` (the ``keras.Model`` with its ``train_step``), ``losses`` (the value functions of the
thesis and of the papers it cites), ``jax_step`` (the same updates in JAX's stateless style),
``training`` (data order, callbacks, monitors, resumable runs), ``runs`` (the command line),
``results`` (reading run cards and histories), ``latent`` (sampling and interpolation),
``toy`` (1-D and 2-D data for the theory chapter, the mode protocol), ``checks`` (which
network each update changes) and ``plots``.
"""

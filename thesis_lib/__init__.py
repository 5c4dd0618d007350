"""Shared code of the executable book on the thesis *Redes Generativas Adversarias*.

Cesano & Fuidio, Universidad de la República, 2024. One room per role (DEVELOPERS.md has the
table; ``tests/test_layout.py`` keeps the rooms apart):

- the shared modules here: ``data`` (MNIST), ``profiles`` (quick/full hyperparameters),
  ``claims`` (what the thesis asserts as numbers), ``formatting`` (numbers the Spanish way),
  ``plotting``, ``environment`` (provenance), ``backend`` (the only backend-specific gradient
  code), ``artifacts`` (atomic writes), ``callbacks``, ``cli``, ``runcards``, ``validation``
  (argument checks), ``streams`` (the named random streams), ``logs``;
- ``nn/``: chapter 2 and the appendix, with their figures;
- ``models/``: the Keras builders; ``evaluation/``: the frozen evaluator and every metric;
- ``gan/``: the GAN engine (model, losses, the JAX step, training, latent space, InfoGAN,
  sample grids): no plotting, no Spanish text, no study;
- ``studies/``: one module per experiment (spec, runner, command line, result reader), with
  ``toy/`` for §3.1–3.2 and the GPU batch and CPU campaign;
- ``report/``: one module per chapter's tables, facts and figures, in Spanish;
- ``book/``: the setup cells, the ledger, the built-book checks, the bibliography style.

Importing any of it has no side effect; a notebook's setup cell and the command lines call
:func:`thesis_lib.logs.quiet_tensorflow` themselves.
"""

__version__ = "0.1.0"

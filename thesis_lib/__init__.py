"""Shared code of the executable book on the thesis *Redes Generativas Adversarias*.

Cesano & Fuidio, Universidad de la República, 2024. Modules: ``data`` (MNIST and its
preprocessing), ``profiles`` (quick/full hyperparameters), ``perceptron`` (§2.1), ``plotting``,
``environment`` (provenance of reported numbers) and ``book`` (chapter maintenance).
"""

__version__ = "0.1.0"

"""Shared code of the executable book on the thesis *Redes Generativas Adversarias*.

Cesano & Fuidio, Universidad de la República, 2024. Data and settings: ``data`` (MNIST and its
preprocessing), ``profiles`` (quick/full hyperparameters). Chapter 2 and appendix:
``perceptron`` (§2.1), ``feedforward`` (§2.2), ``regularization`` (§2.4), ``autodiff`` (§2.5),
``convolution`` (§2.6), ``optim`` (§6). Practice: ``models`` (classifiers, DCGAN),
``classifier_runs``, ``evaluator``, ``metrics``, ``gan`` / ``gan_jax`` / ``gan_training`` /
``gan_checks``. Support: ``plotting``, ``environment`` (provenance), ``backend`` (the only
backend-specific gradient code), ``artifacts`` (atomic writes), ``book`` and ``bibstyle``.
"""

__version__ = "0.1.0"

import os as _os
from pathlib import Path as _Path

# On a machine without an NVIDIA driver TensorFlow prints a page of CUDA-stub errors on import
# that say nothing about the book; silence them there only (GPU machines keep every message).
if not _Path("/proc/driver/nvidia").exists():
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

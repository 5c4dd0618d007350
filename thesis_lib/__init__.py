"""Shared code of the executable book on the thesis *Redes Generativas Adversarias*.

Cesano & Fuidio, Universidad de la República, 2024. Modules: ``data`` (MNIST and its
preprocessing), ``profiles`` (quick/full hyperparameters), ``perceptron`` (§2.1), ``plotting``,
``environment`` (provenance of reported numbers) and ``book`` (chapter maintenance).
"""

__version__ = "0.1.0"

import os as _os
from pathlib import Path as _Path

# On a machine without an NVIDIA driver TensorFlow prints a page of CUDA-stub errors on import
# that say nothing about the book; silence them there only (GPU machines keep every message).
if not _Path("/proc/driver/nvidia").exists():
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

"""TensorFlow's start-up lines, kept off a reader's page and a command's terminal.

An explicit call (the chapters' setup cell, the command lines): importing the package changes
nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 pointed at /dev/null.

    TensorFlow 2.21 writes its start-up lines ("All log messages before absl::InitializeLog()",
    "oneDNN custom operations are on", "Could not find cuda drivers") from C++ before any log
    setting applies (TF_CPP_MIN_LOG_LEVEL does not stop them), and a notebook kernel shows
    them under the first cell that imports Keras. Only the import is silenced: an import error
    still raises, and later messages still reach stderr.
    """
    import importlib.util

    if "tensorflow" in sys.modules or os.environ.get("KERAS_BACKEND", "tensorflow") != \
            "tensorflow" or importlib.util.find_spec("tensorflow") is None:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _QuietTensorFlowOnFirstUse:
    """An import hook that finds nothing itself: the first import of ``keras`` or
    ``tensorflow`` anywhere in the process first imports TensorFlow quietly.

    Importing TensorFlow costs about 9 s of one core; the chapters and commands that never touch
    Keras (the history, the perceptron, MNIST counted, the ledger) no longer pay for it.
    """

    def __init__(self):
        self.done = False

    def find_spec(self, name, path=None, target=None):
        if not self.done and name in ("keras", "tensorflow"):
            # Set first: the import below comes back through this hook.
            self.done = True
            _import_tensorflow_quietly()
        return None  # the usual finders do the import itself


def quiet_tensorflow() -> None:
    """On a machine without an NVIDIA driver, where TensorFlow prints a page of CUDA-stub errors
    that say nothing about the book: raise its log level and import it quietly on first use.
    GPU machines keep every message. Idempotent; once TensorFlow is imported
    only the log level changes."""
    if Path("/proc/driver/nvidia").exists():
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if not any(isinstance(f, _QuietTensorFlowOnFirstUse) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowOnFirstUse())

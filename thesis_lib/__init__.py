"""Shared code of the executable book on the thesis *Redes Generativas Adversarias*.

Cesano & Fuidio, Universidad de la República, 2024. The package follows the book:

- ``nn/``: chapter 2 and the appendix (perceptron §2.1, feedforward and xor §2.2, erm §2.3,
  regularization §2.4, autodiff §2.5, convolution §2.6, optim §6); ``history``: the §2.1
  ILSVRC tables;
- ``gan/``: chapter 3 and §4.2 (model, losses, jax_step, training, runs, results, latent, toy,
  checks, plots);
- ``models/``: the networks (the §4.1 classifiers, the DCGAN, a JAX-friendly transposed
  convolution, their Spanish description); ``classifier_runs``, ``evaluator`` and ``metrics``:
  the §4.1 experiments and the frozen evaluator every GAN metric uses;
- ``data_summary``: §4's opening (MNIST counted); ``scarce``: §5's closing claim tested;
  ``ledger``: the claims ledger and its page;
- ``claims``: what the thesis asserts and the code uses as a number; ``runcards``: where
  results live and what a run card holds; ``batch``: the one-command GPU batch;
- support: ``data`` (MNIST), ``profiles`` (quick/full hyperparameters), ``plotting``,
  ``formatting`` (numbers the Spanish way), ``environment`` (provenance), ``backend`` (the only
  backend-specific gradient code), ``artifacts`` (atomic writes), ``callbacks``, ``cli``;
- the book itself: ``book`` (setup cells, execution cache, check cells), ``book_checks`` and
  ``browser`` (the built HTML as a reader sees it), ``bibstyle`` (numbered citations).
"""

__version__ = "0.1.0"

import os as _os
from pathlib import Path as _Path

# On a machine without an NVIDIA driver TensorFlow prints a page of CUDA-stub errors on import
# that say nothing about the book; silence them there only (GPU machines keep every message).
if not _Path("/proc/driver/nvidia").exists():
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 pointed at /dev/null.

    TensorFlow 2.21 writes its start-up lines ("All log messages before absl::InitializeLog()",
    "oneDNN custom operations are on", "Could not find cuda drivers") from C++ before any log
    setting applies (TF_CPP_MIN_LOG_LEVEL does not stop them), and a notebook kernel shows
    them under the first cell that imports Keras. Only the import is silenced: an import error
    still raises, and later messages still reach stderr.
    """
    import importlib.util
    import sys

    if "tensorflow" in sys.modules or _os.environ.get("KERAS_BACKEND", "tensorflow") != \
            "tensorflow" or importlib.util.find_spec("tensorflow") is None:
        return
    sys.stderr.flush()
    saved = _os.dup(2)
    try:
        with open(_os.devnull, "w") as devnull:
            _os.dup2(devnull.fileno(), 2)
            import tensorflow  # noqa: F401
    finally:
        _os.dup2(saved, 2)
        _os.close(saved)


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


if not _Path("/proc/driver/nvidia").exists():
    import sys as _sys

    if not any(isinstance(f, _QuietTensorFlowOnFirstUse) for f in _sys.meta_path):
        _sys.meta_path.insert(0, _QuietTensorFlowOnFirstUse())

"""Where a number came from: hardware, backend, library versions and code version.

Every reported number in the book is labelled with the profile, seed, hardware and code
version that produced it; :func:`provenance` collects the last three.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def git_commit() -> str:
    """Short commit of the checkout holding this package, with ``+dirty`` for local edits."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=_REPO, text=True,
                                capture_output=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=_REPO, text=True, capture_output=True, timeout=10).stdout
        return commit + ("+dirty" if dirty.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return f"thesis_lib {_version('thesis_lib') or 'unknown'} (no git checkout)"


# A process (a notebook kernel, a batch of runs) keeps running the code it imported, even after
# later commits; its cards must name that code, not whatever HEAD is when a run ends or starts.
COMMIT_AT_IMPORT = git_commit()


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cpus() -> int:
    """Cores this process may run on (fewer than the machine's when pinned with taskset)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def gpus() -> list[str]:
    """GPUs the active Keras backend can use (empty on a CPU-only machine)."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    # Without an NVIDIA driver there is nothing to find; skipping the framework import saves
    # seconds and a page of CUDA warnings on CPU-only machines.
    if not Path("/proc/driver/nvidia").exists() and shutil.which("nvidia-smi") is None:
        return []
    try:
        if backend == "tensorflow":
            import tensorflow as tf
            return [d.name for d in tf.config.list_physical_devices("GPU")]
        if backend == "jax":
            import jax
            return [str(d) for d in jax.devices() if d.platform == "gpu"]
        if backend == "torch":
            import torch
            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except ImportError:
        pass
    return []


def provenance(*, with_gpus: bool = True) -> dict:
    """Hardware, backend, versions and commit, for run cards and figure labels."""
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpu": cpu_name(),
        "cpu_count": usable_cpus(),
        "keras_backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
        "versions": {p: _version(p) for p in ("thesis_lib", "keras", "tensorflow", "jax",
                                               "torch", "numpy") if _version(p)},
        "commit": COMMIT_AT_IMPORT,
        "colab": "google.colab" in sys.modules,
    }
    if with_gpus:
        info["gpus"] = gpus()
    return info


def hardware_label(info: dict | None = None) -> str:
    """One line such as '2 × AMD EPYC ... (CPU), tensorflow backend'."""
    info = info or provenance()
    device = ", ".join(info.get("gpus") or []) or f"{info['cpu_count']} × {info['cpu']} (CPU)"
    return f"{device}, backend {info['keras_backend']}"


ENGINE_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def hardware_text(hardware: str) -> str:
    """A card's hardware line (:func:`hardware_label`) for a Spanish page:
    ``"…, backend tensorflow"`` becomes ``"…, motor TensorFlow"``."""
    head, sep, backend = hardware.rpartition(", backend ")
    if not sep:
        return hardware
    return f"{head}, motor {ENGINE_NAMES.get(backend, backend)}"


def report() -> str:
    """The setup cell's summary: where the notebook runs and whether a GPU is in use."""
    info = provenance()
    gpu = f"sí: {', '.join(info['gpus'])}" if info["gpus"] else "no (se usa la CPU)"
    lines = [
        f"Entorno: {'Google Colab' if info['colab'] else 'local'}; Python {info['python']}",
        f"Keras {info['versions'].get('keras', '?')} sobre "
        f"{ENGINE_NAMES.get(info['keras_backend'], info['keras_backend'])}; "
        f"código {info['commit']}",
        f"CPU: {info['cpu_count']} × {info['cpu']}; GPU en uso: {gpu}",
    ]
    return "\n".join(lines)

import os
from pathlib import Path

import pytest

from thesis_lib.data import ENV_VAR

ROOT = Path(__file__).resolve().parent.parent
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The real MNIST files: $THESIS_MNIST_DIR, else ../shared/data/mnist beside the repo."""
    env = os.environ.get(ENV_VAR)
    path = Path(env) if env else SHARED_MNIST
    if not (path / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"MNIST files not available (set {ENV_VAR}); looked in {path}")
    return path


@pytest.fixture
def isolated_env(monkeypatch, tmp_path):
    """No MNIST env var, an empty cache, and no repo data dir: every lookup starts clean."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("thesis_lib.data.repo_data_dir", lambda: tmp_path / "repo" / "data" / "mnist")
    return tmp_path

"""Properties every Keras backend must have, checked on JAX and PyTorch too.

A test marked ``all_backends`` states something that cannot depend on the backend: exact resume
of a long run, what a checkpoint holds, deterministic data order, that the frozen evaluator
loads and scores the same, that the metrics built on it behave. It runs in-process on the
default backend (TensorFlow) with the rest of the suite; this file reruns all of them in a
subprocess per other backend (Keras fixes its backend at import). ``THESIS_REQUIRE_ALL_BACKENDS``
(set by ``.ci/run``) turns a missing backend into a failure.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

from thesis_lib.book import ROOT


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_all_backends_tests_pass_on(backend):
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        pytest.skip("already inside a run on another backend")
    if importlib.util.find_spec(backend) is None:
        if os.environ.get("THESIS_REQUIRE_ALL_BACKENDS"):
            pytest.fail(f"{backend} is not installed but THESIS_REQUIRE_ALL_BACKENDS is set")
        pytest.skip(f"{backend} not installed")
    env = dict(os.environ, KERAS_BACKEND=backend, MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-m", "all_backends", str(ROOT / "tests"),
                          # it reads a built book, and skips at import when there is none
                          "--ignore", str(ROOT / "tests" / "test_built_book.py")],
                         env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, f"on {backend}:\n{out.stdout[-4000:]}\n{out.stderr[-2000:]}"
    assert " passed" in out.stdout and "skipped" not in out.stdout.splitlines()[-1], \
        out.stdout[-500:]

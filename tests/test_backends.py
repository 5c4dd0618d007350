"""Properties every Keras backend must have, checked on JAX and PyTorch too.

A test marked ``all_backends`` states something that cannot depend on the backend: exact resume
of a long run, what a checkpoint holds, deterministic data order, that the frozen evaluator
loads and scores the same, that the metrics built on it behave. It runs in-process on the
default backend (TensorFlow) with the rest of the suite; this file reruns all of them in a
subprocess per other backend (Keras fixes its backend at import). ``THESIS_REQUIRE_ALL_BACKENDS``
(set by ``.ci/run``) turns a missing backend into a failure.

The two reruns start with the session and run beside the in-process tests (see
``BackgroundJobs`` in conftest.py); the tests below only wait for them and read their results.
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from thesis_lib.book.setup import ROOT

BACKENDS = ["jax", "torch"]
FAST_XLA_COMPILE = ["--xla_backend_optimization_level=0",
                    "--xla_llvm_disable_expensive_passes=true"]


def _reason_not_to_run(backend):
    """Why this test does not start its rerun: ('skip' or 'fail', message), or None."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return "skip", "already inside a run on another backend"
    if importlib.util.find_spec(backend) is None:
        if os.environ.get("THESIS_REQUIRE_ALL_BACKENDS"):
            return "fail", f"{backend} is not installed but THESIS_REQUIRE_ALL_BACKENDS is set"
        return "skip", f"{backend} not installed"
    return None


def background_job(item, tmp_dir):
    backend = item.callspec.params["backend"]
    if _reason_not_to_run(backend):
        return None
    env = dict(os.environ, KERAS_BACKEND=backend, MPLBACKEND="Agg")
    if backend == "jax":
        # Several tests build the same model two or three times (a straight run, a crashed one
        # and its resumption): identical programs, which JAX compiles again for every new model
        # unless the persistent cache serves the later ones. A fresh folder per session: nothing
        # compiled by another version or another checkout is ever reused.
        env.update(JAX_COMPILATION_CACHE_DIR=str(tmp_dir / "jax-cache"),
                   JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0.5")
        # These tests compile many small programs and run each a few times: XLA's LLVM
        # optimizations cost more than they save (the rerun took 400 s with them, about 300 s
        # without, on 2 cores). The book and the runs keep XLA's defaults.
        env["XLA_FLAGS"] = " ".join(filter(None, [env.get("XLA_FLAGS", ""), *FAST_XLA_COMPILE]))
    # Only the files that hold such tests, and without nbval: collecting the whole suite
    # imported every test module and nbval's notebook stack (seconds of a core per rerun).
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:nbval",
            "-m", "all_backends", *map(str, files_with_all_backends_tests())]
    return argv, env, 1200


def files_with_all_backends_tests() -> list:
    """The test files that mention the ``all_backends`` marker (this one aside)."""
    return [path for path in sorted((ROOT / "tests").glob("test_*.py"))
            if path.name != "test_backends.py"
            and "all_backends" in path.read_text(encoding="utf-8")]


@pytest.mark.background_job
@pytest.mark.parametrize("backend", BACKENDS)
def test_all_backends_tests_pass_on(backend, background_result):
    reason = _reason_not_to_run(backend)
    if reason:
        getattr(pytest, reason[0])(reason[1])
    returncode, stdout, stderr = background_result()
    assert returncode is not None, f"on {backend}: no result within 1200 s\n{stdout[-4000:]}"
    assert returncode == 0, f"on {backend}:\n{stdout[-4000:]}\n{stderr[-2000:]}"
    assert " passed" in stdout and "skipped" not in stdout.splitlines()[-1], stdout[-500:]


def test_the_reruns_cover_every_all_backends_test_of_this_session(request):
    marked = {Path(str(item.path)) for item in request.session.items
              if item.get_closest_marker("all_backends")}
    if not marked:
        pytest.skip("no all_backends test was collected in this session")
    assert marked <= set(files_with_all_backends_tests())

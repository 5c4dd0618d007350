"""thesis_lib.logs: TensorFlow's start-up lines silenced by an explicit call, and nothing done by
importing the package."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOISE = "oneDNN custom operations"
NO_GPU = not Path("/proc/driver/nvidia").exists()


def _run(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**env, "KERAS_BACKEND": "tensorflow"}, timeout=300, check=True)


def test_importing_the_package_changes_neither_the_environment_nor_the_import_system():
    out = _run("import os, sys\n"
               "before = (dict(os.environ), list(sys.meta_path))\n"
               "import thesis_lib, thesis_lib.formatting, thesis_lib.profiles, thesis_lib.logs\n"
               "import thesis_lib.book.ledger, thesis_lib.report.ilsvrc\n"
               "print(before == (dict(os.environ), list(sys.meta_path)))").stdout
    assert out.strip() == "True"


@pytest.mark.skipif(not NO_GPU, reason="on a GPU machine every TensorFlow message is kept")
def test_quiet_tensorflow_keeps_the_start_up_lines_off_stderr_and_without_it_they_show():
    loud = _run("import keras").stderr
    quiet = _run("from thesis_lib.logs import quiet_tensorflow\nquiet_tensorflow()\n"
                 "quiet_tensorflow()\nimport keras\nprint(keras.ops.ones(2).shape)")
    assert NOISE in loud  # the control: the line exists to be silenced
    assert NOISE not in quiet.stderr and quiet.stdout.strip() == "(2,)"

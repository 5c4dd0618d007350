"""The Colab branch of every chapter's setup cell, run for real outside Colab.

A fresh virtual environment stands in for a Colab runtime: it sees the project's installed
packages (Colab ships Keras, TensorFlow, numpy, ...) but not ``thesis_lib``, and a stub
``google.colab`` module makes the cell take its Colab branch. The cell's repository URL points at
a ``file://`` clone of this repository's committed HEAD. The test checks that the cell clones it,
installs ``thesis_lib`` from the clone under the pinned constraints, and that every import of
every chapter then succeeds with the installed package (not this checkout).

Slow (about a minute: a venv, a clone, a wheel build): marked ``colab``; ``.ci/run`` runs it.
The fresh environment runs on the interpreter that runs the tests (it borrows their compiled
packages, so it cannot be another version): ``PYTHON=python3.12 bash .ci/run test`` runs the
branch on Colab's Python 3.12.
"""

import ast
import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from thesis_lib.book import setup as book

pytestmark = pytest.mark.colab


def chapter_imports() -> list[str]:
    """Every top-level import statement of every chapter's code cells (setup cell aside)."""
    found = []
    for path in book.chapter_notebooks():
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or source.startswith("# Preparación del entorno"):
                continue
            for node in ast.parse(source).body:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    found.append(ast.unparse(node))
    return sorted(set(found))


def test_chapters_import_something_from_thesis_lib():
    assert any("thesis_lib" in line for line in chapter_imports())


def test_colab_branch_installs_the_package_and_the_chapters_import(tmp_path):
    if subprocess.run(["git", "-C", str(book.ROOT), "rev-parse", "HEAD"],
                      capture_output=True).returncode:
        pytest.skip("not a git checkout: the Colab cell clones the repository")
    venv = tmp_path / "colab-venv"
    # Without its own pip: Colab has one preinstalled, and so has the path entry below.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                                "get_paths()['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    # Colab's preinstalled packages: this environment's site-packages as a plain path entry
    # (its .pth files, among them the editable install of thesis_lib, are not processed).
    (site / "colab_preinstalled.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    stub = tmp_path / "stub"
    (stub / "google" / "colab").mkdir(parents=True)
    (stub / "google" / "colab" / "__init__.py").write_text("")
    target = tmp_path / "content" / "libro"
    cell = book.setup_cell_source().replace(book.repository_url(), book.ROOT.as_uri()) \
        .replace("/content/libro", str(target))
    script = "\n".join([
        "import importlib.util, sys",
        "import google.colab  # a Colab runtime has it imported before any cell runs",
        "assert importlib.util.find_spec('thesis_lib') is None, 'thesis_lib visible before install'",
        cell, *chapter_imports(),
        "import thesis_lib",
        "print('THESIS_LIB_AT', thesis_lib.__file__)"])
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "PYTHONPATH": str(stub), "HOME": str(tmp_path),
           "KERAS_BACKEND": "tensorflow", "MPLBACKEND": "Agg", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run([str(python), "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (target / "requirements.txt").is_file(), "the cell did not clone the repository"
    location = result.stdout.split("THESIS_LIB_AT", 1)[1].strip()
    assert str(venv) in location, f"thesis_lib imported from {location}, not the Colab install"
    assert "Entorno: Google Colab" in result.stdout

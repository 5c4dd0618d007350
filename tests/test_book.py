"""Book hygiene: every chapter opens with the current setup cell, has a parameters cell, is
committed without outputs except deliberate nbval checks, and the table of contents lists only
files that exist."""

import json
import re
from pathlib import Path

import pytest
import yaml

from thesis_lib import book

ROOT = book.ROOT
NOTEBOOKS = book.chapter_notebooks()


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks in chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_title_then_current_setup_cell(path):
    title, setup = load(path)["cells"][:2]
    assert title["cell_type"] == "markdown" and "".join(title["source"]).startswith("# "), \
        f"{path.name}: the page must open with its title, not with the (hidden) setup cell"
    assert "".join(setup["source"]) == book.setup_cell_source(), \
        f"{path.name}: setup cell out of date; run `python -m thesis_lib.book`"
    assert setup["metadata"].get("tags") == book.SETUP_TAGS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_declares_profile(path):
    cells = [c for c in load(path)["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(cells) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    namespace = {}
    exec("".join(cells[0]["source"]), namespace)
    assert namespace["profile"] == "quick" and namespace["overrides"] == {}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_only_in_deliberate_check_cells(path):
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell["metadata"].get("keep_output"):
            assert cell["outputs"], f"{path.name} cell {i}: keep_output cell has no stored output"
            assert cell["execution_count"], f"{path.name} cell {i}: nbval skips unnumbered cells"
            assert "nbval-ignore-output" not in cell["metadata"].get("tags", [])
        else:
            assert not cell["outputs"], f"{path.name} cell {i}: strip outputs (nbstripout)"
            assert cell["execution_count"] is None


def test_setup_cell_sync_puts_the_current_cell_after_the_title(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_config.yml").write_text("repository:\n  url: https://example.org/r\n")
    stale = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": "# Preparación del entorno (old)\n"}
    title = {"cell_type": "markdown", "metadata": {}, "source": "# Título\n"}
    nb = {"cells": [stale, title], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "chapters" / "x.ipynb").write_text(json.dumps(nb))
    assert book.sync_setup_cells(tmp_path) == [tmp_path / "chapters" / "x.ipynb"]
    cells = load(tmp_path / "chapters" / "x.ipynb")["cells"]
    assert len(cells) == 2 and cells[0]["source"] == "# Título\n"
    assert 'REPOSITORY = "https://example.org/r"' in "".join(cells[1]["source"])
    assert book.sync_setup_cells(tmp_path) == []


def test_setup_cell_sync_refuses_a_chapter_without_title(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_config.yml").write_text("repository:\n  url: https://example.org/r\n")
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "texto\n"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "chapters" / "x.ipynb").write_text(json.dumps(nb))
    with pytest.raises(ValueError, match="no title cell"):
        book.sync_setup_cells(tmp_path)


def toc_files(entries):
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        yield from toc_files(entry.get("chapters", []) + entry.get("sections", []))


def test_toc_lists_existing_pages_and_every_chapter():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + list(toc_files(toc["parts"]))
    for f in files:
        assert any((ROOT / f"{f}{ext}").is_file() for ext in (".md", ".ipynb")), f
    listed = {f for f in files if f.startswith("chapters/")}
    present = {f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.*")
               if p.suffix in (".md", ".ipynb")}
    assert listed == present


def test_bibliography_has_the_thesis_references():
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    assert bib.count("\n@") + bib.startswith("@") == 27  # the thesis's 26 + the thesis itself
    numbers = sorted(int(n) for n in re.findall(r"thesisnumber = \{(\d+)\}", bib))
    assert numbers == list(range(1, 27))  # numbered as in the thesis, each once


def test_notebooks_pass_nbstripout_verify():
    import subprocess
    import sys
    # --keep-count: check cells carry an execution count, which nbval requires.
    result = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", "--keep-count",
                             *map(str, NOTEBOOKS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_figures_rendered_as_text_are_detected(tmp_path):
    from thesis_lib.book import unrendered_figures
    (tmp_path / "ok.html").write_text('<img src="data:image/png;base64,xyz">', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.html").write_text("<pre>&lt;Figure size 600x400 with 1 Axes&gt;</pre>" * 2,
                                               encoding="utf-8")
    assert unrendered_figures(tmp_path) == {"sub/bad.html": 2}

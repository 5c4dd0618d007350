"""Book hygiene: every chapter opens with the current setup cell, has a parameters cell, is
committed without outputs except deliberate nbval checks, and the table of contents lists only
files that exist."""

import json
import re
from pathlib import Path

import pytest
import yaml

from thesis_lib.book import setup as book

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
        f"{path.name}: setup cell out of date; run `python -m thesis_lib.book.setup`"
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
    numbers = sorted(int(n) for n in re.findall(r"thesisnumber = \{(\d+)\}", bib))
    assert numbers == list(range(1, 27))  # numbered as in the thesis, each once
    assert "@phdthesis{cesano2024gan" in bib or "cesano2024gan," in bib
    # The papers chapter 3 needs that the thesis does not cite (WGAN, WGAN-GP, cGAN, InfoGAN,
    # VEEGAN's mode protocol).
    for key in ("arjovsky2017wasserstein", "gulrajani2017improved",
                "mirza2014conditional", "chen2016infogan", "srivastava2017veegan"):
        assert f"{{{key}," in bib


def test_the_thesis_is_entry_27_before_the_added_papers():
    from pybtex.database import parse_file

    from thesis_lib.book.bibstyle import ThesisLabels, ThesisOrder
    entries = ThesisOrder().sort(parse_file(ROOT / "references.bib").entries.values())
    labels = dict(zip((e.key for e in entries), ThesisLabels().format_labels(entries)))
    assert labels["cesano2024gan"] == "27"
    assert int(labels["arjovsky2017wasserstein"]) > 27


def test_notebooks_pass_nbstripout_verify():
    import subprocess
    import sys
    # --keep-count: check cells carry an execution count, which nbval requires.
    result = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", "--keep-count",
                             *map(str, NOTEBOOKS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _nb_with_check(tmp_path, text):
    import nbformat
    nb = nbformat.v4.new_notebook()
    check = nbformat.v4.new_code_cell("print('x')", metadata={"keep_output": True})
    check.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    other = nbformat.v4.new_code_cell("print('y')")
    nb.cells = [check, other]
    path = tmp_path / "ch.ipynb"
    nbformat.write(nb, path)
    return path, nb


def test_check_outputs_compares_only_check_cells(tmp_path, monkeypatch):
    import copy

    import nbformat
    path, nb = _nb_with_check(tmp_path, "a = 1\n")
    ran = copy.deepcopy(nb)
    # The kernel may split a stream in chunks; the other cell's output is not compared.
    ran.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="a = "),
                            nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    ran.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="anything")]
    monkeypatch.setattr(book, "executed_notebook", lambda p, c: ran)
    assert book.check_outputs([path], tmp_path) == []
    ran.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="a = 2\n")]
    problems = book.check_outputs([path], tmp_path)
    assert len(problems) == 1 and "ch.ipynb cell 0" in problems[0] and "a = 2" in problems[0]


def test_executed_notebook_without_a_build_says_what_to_do(tmp_path):
    path, _ = _nb_with_check(tmp_path, "a\n")
    with pytest.raises(KeyError, match="build the book first"):
        book.executed_notebook(path, tmp_path / "cache")


def test_code_fingerprint_follows_library_requirements_and_results(tmp_path):
    (tmp_path / "thesis_lib").mkdir()
    (tmp_path / "thesis_lib" / "m.py").write_text("x = 1\n")
    (tmp_path / "requirements.txt").write_text("keras==3\n")
    first = book.code_fingerprint(tmp_path)
    assert book.code_fingerprint(tmp_path) == first
    (tmp_path / "thesis_lib" / "m.py").write_text("x = 2\n")
    second = book.code_fingerprint(tmp_path)
    assert second != first
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "card.json").write_text("{}")
    assert book.code_fingerprint(tmp_path) != second


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_hides_its_stderr(path):
    # Library noise is silenced at its source (thesis_lib's quiet TensorFlow import), so a real
    # warning or error printed to stderr still reaches the page and fails the HTML checks.
    for i, cell in enumerate(load(path)["cells"]):
        assert "remove-stderr" not in cell["metadata"].get("tags", []), f"{path.name} cell {i}"


def test_pre_execute_fills_the_cache_the_build_reads_and_skips_what_is_there(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "ch.ipynb"
    nbformat.write(nb, path)
    cache = tmp_path / "cache"
    assert book.pre_execute([path], cache) == []
    assert book.executed_notebook(path, cache).cells[0].outputs[0]["text"] == "42\n"
    from jupyter_cache import get_cache
    assert len(get_cache(str(cache)).list_cache_records()) == 1
    assert book.pre_execute([path], cache) == []  # already there: not run again
    assert len(get_cache(str(cache)).list_cache_records()) == 1
    broken = tmp_path / "broken.ipynb"
    nb.cells[0].source = "raise ValueError('no')"
    nbformat.write(nb, broken)
    assert book.pre_execute([broken], cache) == ["broken.ipynb: CellExecutionError"]

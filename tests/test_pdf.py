"""The book as one PDF (``bash .ci/run pdf``, thesis_lib.book.pdf).

The quick tests check the extension's pieces on their own: what a LaTeX build shows for an
HTML-only output (a pandas Styler's table as a table), and the download menu's ".pdf" entry.
The slow ones build the PDF as ``bash .ci/run pdf`` does (one to two minutes on 2 cores after an
HTML build, whose execution cache it reuses; with a cold cache it executes every chapter first)
and read it back: pages, every chapter's title, Spanish text and hyphenation, every character
set in a font that has it, figures, tables and the bibliography; then the HTML build that links
to it. CI (``bash .ci/run test``) cannot afford them; ``bash .ci/run slow`` runs them.
"""

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from docutils import nodes
from sphinx import addnodes

from thesis_lib.book import pdf
from thesis_lib.formatting import table

ROOT = Path(__file__).resolve().parent.parent


def test_a_styler_table_becomes_a_table_with_its_header_spans_and_math():
    frame = pd.DataFrame({("pérdida", "$D$"): [0.5, 1.25], ("pérdida", "$G$"): [2.0, 0.75]},
                         index=["estándar", "WGAN"])
    converted = pdf.html_table(table(frame, 2).to_html()).next_node(nodes.table)
    assert isinstance(converted, nodes.table)
    rows = [[entry.astext() for entry in row.findall(nodes.entry)]
            for row in converted.findall(nodes.row)]
    assert rows[-2:] == [["estándar", "0,50", "2,00"], ["WGAN", "1,25", "0,75"]]
    # The two-level header: "pérdida" spans both columns; "$D$" is math, not dollars.
    spanning = [e for e in converted.findall(nodes.entry) if e.astext() == "pérdida"]
    assert len(spanning) == 1 and spanning[0]["morecols"] == 1
    assert [m.astext() for m in converted.findall(nodes.math)] == ["D", "G"]
    assert len({len(list(converted.findall(nodes.colspec)))}) == 1
    assert pdf.html_table("<div><video src='a.mp4'></video></div>") is None
    # A viewer that happens to hold a table is not a table; a DataFrame's size line is kept.
    assert pdf.html_table("<table><tr><td>1</td></tr></table><script>go()</script>") is None
    cut = pdf.html_table(pd.DataFrame({"a": range(100)}).to_html(max_rows=4, show_dimensions=True))
    assert cut.astext().endswith("100 rows × 1 columns")
    assert isinstance(cut[0], nodes.table)


def _bundle(**kinds):
    """A cell output as myst-nb renders it for Sphinx, one rendering per mime type."""
    out = {}
    for kind, text in kinds.items():
        kind = kind.replace("_", "/")
        node = nodes.container(mime_type=kind)
        node += (nodes.raw(text, text, format="html") if kind == "text/html"
                 else nodes.literal_block(text, text))
        out[kind] = node
    return out


def test_latex_shows_an_html_only_output_as_a_table_or_a_note_never_its_repr():
    styler = table(pd.DataFrame({"a": [1, 2]}), 0).to_html()
    shown = pdf.latex_output(_bundle(text_html=styler, text_plain="<pandas.io.formats."
                                                                 "style.Styler at 0x7f00>"))
    assert isinstance(shown.next_node(nodes.table), nodes.table)
    animation = _bundle(text_html="<div><script>anim()</script></div>",
                        text_plain="<IPython.core.display.HTML object>")
    assert pdf.latex_output(animation).astext() == pdf.HTML_ONLY_NOTE
    # Myst-nb's own choice stands where it has something to show: an image, real text.
    assert pdf.latex_output(_bundle(text_html="<table><tr><td>1</td></tr></table>",
                                    image_png="...")) is None
    assert pdf.latex_output(_bundle(text_html="<b>x</b>", text_plain="x = 1")) is None
    assert pdf.latex_output(_bundle(text_plain="<Figure size 640x480 with 1 Axes>")) is None


def _menu(buttons):
    return [{"type": "group", "label": "download-buttons", "buttons": buttons}]


def _theme_menu():
    return _menu([
        {"type": "link", "url": "_sources/x.ipynb", "text": ".ipynb",
         "label": "download-notebook-button"},
        {"type": "javascript", "javascript": "window.print()", "text": ".pdf",
         "label": "download-pdf-button"},
    ])


class _App:
    def __init__(self, thesis_pdf):
        self.config = type("Config", (), {"thesis_pdf": thesis_pdf})()


def test_the_download_menu_links_to_the_pdf_relatively_only_when_it_exists():
    def pathto(name, resource):
        assert resource == 1
        return f"../{name}"

    context = {"header_buttons": _theme_menu(), "pathto": pathto}
    pdf._link_pdf(_App("libro.pdf"), "chapters/x", "page.html", context, None)
    buttons = context["header_buttons"][0]["buttons"]
    assert [b["type"] for b in buttons] == ["link", "link"]  # no print dialog left
    assert buttons[-1]["url"] == "../libro.pdf" and "PDF" in buttons[-1]["tooltip"]

    context = {"header_buttons": _theme_menu(), "pathto": pathto}
    pdf._link_pdf(_App(""), "chapters/x", "page.html", context, None)
    assert context["header_buttons"] == _theme_menu()


def test_the_pdf_name_comes_from_the_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["latex"]["latex_engine"] == "xelatex"
    assert pdf.pdf_name() == Path(config["latex"]["latex_documents"]["targetname"]).stem + ".pdf"
    assert "thesis_lib.book.pdf" in config["sphinx"]["extra_extensions"]


# --- the built PDF ---------------------------------------------------------------------------

def _titles() -> list[str]:
    """The title of every page in the table of contents, the root page's aside (it is the
    PDF's title page)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [entry["file"] for part in toc["parts"] for chapter in part["chapters"]
             for entry in [chapter, *chapter.get("sections", [])]]
    titles = []
    for name in files:
        path = ROOT / f"{name}.ipynb"
        if path.exists():
            text = "\n".join(c.source for c in nbformat.read(path, 4).cells
                             if c.cell_type == "markdown")
        else:
            text = (ROOT / f"{name}.md").read_text(encoding="utf-8")
        titles.append(next(line[2:].strip() for line in text.splitlines()
                           if line.startswith("# ")))
    return titles


def _figure_count() -> int:
    """Figures the chapters show: every glued figure."""
    return sum("\n".join(c.source for c in nbformat.read(path, 4).cells).count("{glue:figure}")
               for path in sorted((ROOT / "chapters").glob("*.ipynb")))


def _plain(text: str) -> str:
    """PDF text for searching: ligatures undone, hyphenation across lines joined, whitespace
    collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def built():
    for tool in ("xelatex", "latexmk", "pdftotext", "pdfinfo", "pdfimages"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: `bash .ci/run pdf` installs TeX and poppler-utils")
    published = pdf.build(ROOT)
    latex = ROOT / "_build" / "latex"
    return {
        "pdf": published,
        "tex": (latex / published.with_suffix(".tex").name).read_text(encoding="utf-8"),
        "log": (latex / published.with_suffix(".log").name).read_text(encoding="utf-8",
                                                                       errors="replace"),
        "text": subprocess.run(["pdftotext", "-enc", "UTF-8", str(published), "-"],
                               capture_output=True, text=True, check=True).stdout,
    }


@pytest.mark.slow
def test_the_pdf_builds_with_every_chapter_in_spanish(built):
    info = subprocess.run(["pdfinfo", str(built["pdf"])], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert 150 <= pages <= 1000, pages
    # The document's metadata names the authors as the HTML's footer does (the title page's
    # line breaks become ", " there).
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert re.search(r"^Author:\s+(.*)$", info, re.M).group(1) == config["author"]
    text = _plain(built["text"])
    missing = [title for title in _titles() if _plain(title) not in text]
    assert not missing, f"chapter titles not in the PDF's text: {missing}"
    for words in ("Índice general", "Capítulo 3. El perceptrón", "Figura 3.1", "Bibliografía",
                  "también", "según", "señal", "función de pérdida", "¿"):
        assert words in text, words
    # Spanish hyphenation patterns and captions (polyglossia), no undefined reference, and
    # every character in a font that has it (a missing one is left out of the page).
    assert re.search(r"\\setmainlanguage(\[[^]]*\])?\{spanish\}", built["tex"])
    assert "Package polyglossia Info: Default language is spanish" in built["log"]
    assert "There were undefined references" not in built["log"]
    assert "??" not in text
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", built["log"])))
    assert not missing, f"characters no font of the PDF has: {missing}"


@pytest.mark.slow
def test_the_pdf_has_every_figure_table_and_reference(built):
    figures = _figure_count()
    assert built["tex"].count("\\sphinxincludegraphics") >= figures >= 40
    listed = subprocess.run(["pdfimages", "-list", str(built["pdf"])], capture_output=True,
                            text=True, check=True).stdout.splitlines()[2:]
    assert sum(line.split()[2] == "image" for line in listed) >= figures
    # Tables shown as HTML in the book (pandas Stylers) are tables here, not their repr.
    text = _plain(built["text"])
    assert "Styler" not in text and "<pandas" not in text
    assert built["tex"].count("\\begin{tabulary}") + built["tex"].count("\\begin{longtable}") >= 30
    # The bibliography, numbered as in the thesis, and a citation of it in the text.
    assert re.search(r"\\bibitem\[22\]", built["tex"])
    assert "Goodfellow" in text and re.search(r"\[\d+\]", text)
    # Display equations are typeset (amsmath), none left as source.
    assert "\\begin{equation" in built["tex"] or "\\begin{align" in built["tex"]
    assert "\\begin{aligned}" not in text and "\\frac" not in text


@pytest.mark.slow
def test_the_html_built_after_it_links_to_it_from_every_page(built):
    html = ROOT / "_build" / "html"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # inline figures
    done = subprocess.run([str(Path(sys.executable).with_name("jupyter-book")), "build",
                           str(ROOT)], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (html / built["pdf"].name).read_bytes() == built["pdf"].read_bytes()
    for page, prefix in (("intro.html", ""), ("chapters/02-1-perceptron.html", "../")):
        menu = BeautifulSoup((html / page).read_text(encoding="utf-8"), "html.parser").select(
            ".dropdown-download-buttons a.btn-download-pdf-button")
        assert [a["href"] for a in menu] == [prefix + built["pdf"].name], page
        assert "window.print" not in str(menu)


def test_numeric_columns_are_right_aligned_as_in_the_html():
    frame = pd.DataFrame({"FD": [1444.9397, 12.5], "clases": ["7 de 10", "10 de 10"],
                          "diferencia": ["−4,2 [−5,1; −3,4]", "0,3 [0,1; 0,5]"]},
                         index=["estándar", "WGAN"])
    converted = pdf.html_table(table(frame, 2).to_html())
    specs = [n["spec"] for n in converted.findall(addnodes.tabular_col_spec)]
    assert specs == ["TRTR"]  # row labels and "7 de 10" are text; FD and the intervals numbers
    # The spec precedes its table, which is where Sphinx's LaTeX writer takes it from.
    assert isinstance(converted[0], addnodes.tabular_col_spec)
    assert isinstance(converted[1], nodes.table)
    words = pdf.html_table(table(pd.DataFrame({"a": ["x", "y"]}, index=["p", "q"]), 0).to_html())
    assert isinstance(words, nodes.table)  # all text: Sphinx's own spec
    # A table of more than 30 rows becomes a longtable, which has no tabulary column types.
    assert pdf.column_spec([[("1", 1, 1)]] * 31, 31) is None
    assert pdf.column_spec([[("1", 1, 1)]], 1) == "R"
    spread = pdf.html_table(table(pd.DataFrame({"FD": ["1444,9 ± 0,0"]}, index=["a"]), 0).to_html())
    assert [e.astext() for e in spread.findall(nodes.entry)][-1] == "1444,9\xa0±\xa00,0"

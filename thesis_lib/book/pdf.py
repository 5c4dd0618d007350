"""The book as one PDF: a Sphinx extension for its LaTeX build and the HTML's link to it, and
``python -m thesis_lib.book.pdf``, which builds it.

The PDF comes from jupyter-book's LaTeX builder with XeLaTeX (``_config.yml``'s ``latex:`` and
``latex_*`` settings), reusing the chapters' execution cache, and is published as
``_build/pdf/<name>.pdf``, the name being ``latex.latex_documents.targetname`` with ``.pdf``.
``bash .ci/run pdf`` installs TeX, runs this and then rebuilds the HTML.

- In a LaTeX build, an output only HTML can show would print its ``text/plain`` instead (a
  pandas Styler's is ``<pandas.io.formats.style.Styler at 0x...>``). An HTML table becomes a
  table (``$...$`` in its cells, math); any other HTML-only output keeps a meaningful
  ``text/plain`` or, when that is a bare repr, becomes a one-line note that it is in the HTML
  only. Nothing an output holds can break the LaTeX build.
- jupyter-book's LaTeX class loads ``bbm``, whose Debian package is 1.4 GB: a stand-in is
  written next to the ``.tex``.
- In an HTML build, when ``_build/pdf/<name>.pdf`` exists, it is copied into the site and the
  ".pdf" entry of the theme's download menu (which otherwise opens the browser's print dialog
  for the page) becomes a relative link to it, so it also works offline. Without the PDF the
  menu stays as the theme makes it.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from thesis_lib.cli import Parser

ROOT = Path(__file__).resolve().parent.parent.parent

# The theme's labels (sphinx_book_theme.header_buttons.add_header_buttons, priority 501).
_MENU, _PRINT = "download-buttons", "download-pdf-button"
# Mime types myst-nb's LaTeX priority puts before text/plain: an output with one keeps it.
_RICHER = ("application/pdf", "image/png", "image/jpeg", "text/latex", "text/markdown")
_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def pdf_name(root: Path = ROOT) -> str:
    """The PDF's file name, from ``_config.yml`` (``latex.latex_documents.targetname``)."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    target = config["latex"]["latex_documents"]["targetname"]
    return str(Path(target).with_suffix(".pdf"))


def published_pdf(build_dir: Path, root: Path = ROOT) -> Path:
    """Where ``bash .ci/run pdf`` leaves the PDF: ``_build/pdf/<name>.pdf``."""
    return Path(build_dir) / "pdf" / pdf_name(root)


# XeLaTeX stops at the first error, with the file and line, instead of waiting for input.
LATEXOPTS = "-interaction=nonstopmode -halt-on-error -file-line-error"


def build(root: Path = ROOT) -> Path:
    """Build the PDF with jupyter-book's LaTeX builder (the chapters' outputs come from the
    execution cache in ``_build/.jupyter_cache``, executing what it lacks) and publish it as
    ``_build/pdf/<name>.pdf``. Warnings are errors, as in CI's HTML build: a chapter that fails
    to execute stops the build instead of leaving its outputs out of the PDF. Raises
    ``RuntimeError`` if the build fails."""
    root = Path(root)
    name = pdf_name(root)
    built = root / "_build" / "latex" / name
    built.unlink(missing_ok=True)
    env = {**os.environ, "LATEXOPTS": LATEXOPTS}
    env.pop("MPLBACKEND", None)  # the kernels would lose their inline figures
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = str(jupyter_book) if jupyter_book.exists() else "jupyter-book"
    done = subprocess.run([command, "build", "-W", "--keep-going", str(root), "--builder",
                           "pdflatex"],
                          cwd=root, env=env, stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not built.is_file():
        log = built.with_suffix(".log")
        raise RuntimeError(f"the PDF build failed (status {done.returncode}); see the output "
                           f"above and {log.relative_to(root)}")
    published = published_pdf(root / "_build", root)
    published.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, published)
    return published


# --- cell outputs for LaTeX -----------------------------------------------------------------

def _cell_content(text: str) -> nodes.paragraph:
    """A cell's text as a paragraph, ``$...$`` as inline math (MathJax typesets it in HTML)."""
    para, last = nodes.paragraph(), 0
    for match in _MATH.finditer(text):
        if match.start() > last:
            para += nodes.Text(text[last:match.start()])
        para += nodes.math(match.group(1), match.group(1))
        last = match.end()
    if last < len(text):
        para += nodes.Text(text[last:])
    return para


def _grid(rows) -> tuple[list[list], int]:
    """The rows of an HTML table as (text, colspan, rowspan) entries, the spans resolved into
    a rectangular grid: ``None`` marks a position covered by a span."""
    grid, pending = [], {}  # pending: column -> rows still covered from above
    for tr in rows:
        row, col = [], 0
        cells = tr.find_all(["th", "td"], recursive=False)
        cells.reverse()
        while cells or any(c >= col for c in pending):
            if pending.get(col, 0) > 0:
                pending[col] -= 1
                row.append(None)
                col += 1
                continue
            if not cells:
                break
            cell = cells.pop()
            span = max(1, int(cell.get("colspan", 1) or 1))
            down = max(1, int(cell.get("rowspan", 1) or 1))
            text = " ".join(cell.get_text(" ", strip=True).split()).replace("\xa0", " ")
            # An estimate and its spread stay on one line ("1444,9 ± 0,0"): a narrow tabulary
            # column would otherwise break after the ±.
            text = text.replace(" ± ", "\xa0±\xa0")
            row.append((text.strip(), span, down))
            for k in range(span):
                if down > 1:
                    pending[col + k] = down - 1
                if k:
                    row.append(None)
            col += span
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    return [r + [("", 1, 1)] * (width - len(r)) for r in grid], width


# An HTML output with any of these is a page element of its own (a viewer, a player), not a table.
_INTERACTIVE = ["script", "canvas", "input", "button", "select", "iframe", "video", "audio",
                "svg", "img", "object"]


def html_table(html: str) -> nodes.Element | None:
    """An HTML output that is a table (a pandas Styler or DataFrame: styles, the table, perhaps
    a line of text such as "100 rows × 3 columns") as a docutils table (in a container with that
    text after it, if any), or ``None`` for any other HTML."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table")
    if table is None or soup.find(_INTERACTIVE) is not None:
        return None
    head = [tr for part in table.find_all("thead", recursive=False)
            for tr in part.find_all("tr", recursive=False)]
    body = [tr for tr in table.find_all("tr") if all(tr is not h for h in head)]
    grid, width = _grid(head + body)
    if not width or not body:
        return None
    out = nodes.table(classes=["colwidths-auto", "html-table"])
    group = nodes.tgroup(cols=width)
    out += group
    for _ in range(width):
        group += nodes.colspec(colwidth=1)
    for part, rows in ((nodes.thead(), grid[:len(head)]), (nodes.tbody(), grid[len(head):])):
        if not rows:
            continue
        for row in rows:
            line = nodes.row()
            for cell in row:
                if cell is None:
                    continue
                text, span, down = cell
                entry = nodes.entry()
                if span > 1:
                    entry["morecols"] = span - 1
                if down > 1:
                    entry["morerows"] = down - 1
                if text:
                    entry += _cell_content(text)
                line += entry
            part += line
        group += part
    for tag in soup.find_all(["style", "table"]):
        tag.decompose()
    rest = " ".join(soup.get_text(" ").split())
    spec = column_spec(grid[len(head):], len(grid))
    if spec is None:
        return nodes.container("", out, _cell_content(rest)) if rest else out
    # Sphinx's ``tabularcolumns``: the spec applies to the table that follows it.
    parts = [addnodes.tabular_col_spec(spec=spec), out] + ([_cell_content(rest)] if rest else [])
    return nodes.container("", *parts)


# A number as the book prints it (formatting.number): Spanish decimals, thousands apart by a
# narrow space, a sign, a unit, an interval in brackets ("−4,2 [−5,1; −3,4]", "99,33 %").
_NUMBER = re.compile(r"^[−+±-]?\d[\d\s\u202f,.;:%±−+\-\[\]()×/]*$")


def column_spec(body, rows: int) -> str | None:
    """The LaTeX column spec of a converted table: numbers right-aligned, as in the HTML (the
    pandas Stylers align them right), text in tabulary's justified ``T`` columns. ``None``
    where every column is text, or for a table long enough to become a ``longtable`` (more
    than 30 rows), where tabulary's column types do not exist."""
    if rows > 30 or not body:
        return None
    kinds = []
    for col in range(len(body[0])):
        texts = [row[col][0] for row in body if row[col] is not None and row[col][0]]
        numeric = bool(texts) and all(_NUMBER.match(t) for t in texts)
        kinds.append("R" if numeric else "T")
    return "".join(kinds) if "R" in kinds else None


# A repr that only names the object: what an output without text shows as its text/plain.
_BARE_REPR = re.compile(r"^<[\w.]+( object)?( at 0x[0-9a-f]+)?>$")
HTML_ONLY_NOTE = "(Esta salida solo se ve en la versión HTML del libro.)"


def latex_output(kinds: dict[str, nodes.Element]) -> nodes.Element | None:
    """What a LaTeX build shows for a cell output with these mime types (rendered by myst-nb,
    by type), when it should not be myst-nb's own choice: ``None`` to leave that choice (an
    image, LaTeX, Markdown or meaningful text), an HTML table as a table, and a short note
    instead of a bare repr (``<IPython.core.display.HTML object>``) of an HTML-only output."""
    if any(kind in kinds for kind in _RICHER) or "text/html" not in kinds:
        return None
    html = "".join(raw.astext() for raw in kinds["text/html"].findall(nodes.raw))
    table = html_table(html)
    if table is not None:
        return table
    plain = kinds["text/plain"].astext().strip() if "text/plain" in kinds else ""
    if plain and not _BARE_REPR.match(plain):
        return None
    return nodes.paragraph("", "", nodes.emphasis(HTML_ONLY_NOTE, HTML_ONLY_NOTE))


class HtmlOutputsForLatex(SphinxPostTransform):
    """In a LaTeX build, before myst-nb picks each output's mime type (its SelectMimeType,
    priority 4): :func:`latex_output` for every output."""

    default_priority = 3
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        def is_bundle(node):
            return (isinstance(node, nodes.container)
                    and node.get("nb_element", "") == "mime_bundle")

        for bundle in list(self.document.findall(is_bundle)):
            shown = latex_output({child.get("mime_type"): child for child in bundle.children})
            if shown is not None:
                bundle.replace_self(shown)


# jupyter-book's LaTeX class (sphinx_jupyterbook_latex's jupyterBook.cls) loads bbm, whose
# Debian package (texlive-fonts-extra) is 1.4 GB for one font. The book never writes \mathbbm
# (MathJax has no such command); the class only defines shorthands with it, so this stand-in
# makes \mathbbm the blackboard bold of amssymb.
BBM_STANDIN = r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesPackage{bbm}[2026/01/01 stand-in from thesis_lib.book.pdf: amssymb blackboard bold]
\RequirePackage{amssymb}
\providecommand{\mathbbm}[1]{\mathbb{#1}}
"""


def _latex_files(app) -> None:
    if app.builder.name == "latex":
        Path(app.outdir).mkdir(parents=True, exist_ok=True)
        (Path(app.outdir) / "bbm.sty").write_text(BBM_STANDIN, encoding="utf-8")


# --- the HTML's link to the PDF --------------------------------------------------------------

def _find_pdf(app, config) -> None:
    try:
        pdf = published_pdf(Path(app.outdir).parent)
    except (KeyError, TypeError, OSError):  # a configuration without the PDF's name
        config.thesis_pdf = ""
        return
    config.thesis_pdf = pdf.name if pdf.is_file() else ""


def _link_pdf(app, pagename, templatename, context, doctree) -> None:
    """The download menu's ".pdf" entry: the book's PDF instead of printing the page."""
    if not app.config.thesis_pdf:
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != _MENU:
            continue
        buttons = [b for b in group.get("buttons", []) if b.get("label") != _PRINT]
        buttons.append({
            "type": "link",
            "url": context["pathto"](app.config.thesis_pdf, 1),
            "text": ".pdf (libro completo)",
            "tooltip": "Descargar el libro completo en PDF",
            "icon": "fas fa-file-pdf",
            "label": _PRINT,
        })
        group["buttons"] = buttons


def _copy_pdf(app, exception) -> None:
    if exception is None and app.config.thesis_pdf and app.builder.format == "html":
        pdf = published_pdf(Path(app.outdir).parent)
        shutil.copyfile(pdf, Path(app.outdir) / pdf.name)


def main(argv: list[str]) -> int:
    """``python -m thesis_lib.book.pdf``: build the PDF and publish it (``bash .ci/run pdf``
    also installs TeX and rebuilds the HTML so that it links to it)."""
    parser = Parser(prog="python -m thesis_lib.book.pdf", description=main.__doc__)
    parser.parse_args(argv)
    start = time.monotonic()
    try:
        published = build()
    except RuntimeError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 1
    print(f"== the PDF ({published.stat().st_size / 1e6:.1f} MB) built in "
          f"{time.monotonic() - start:.0f} s: {published}")
    return 0


def setup(app):
    # "html": a PDF appearing or disappearing rewrites every page (their menus), re-reads none.
    app.add_config_value("thesis_pdf", "", "html")
    app.connect("config-inited", _find_pdf)
    app.connect("html-page-context", _link_pdf, priority=502)
    app.connect("build-finished", _copy_pdf)
    app.connect("builder-inited", _latex_files)
    app.add_post_transform(HtmlOutputsForLatex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

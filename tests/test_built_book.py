"""The built book as a reader sees it: every page passes the HTML checks, the bibliography and
citations are numbered, and, with the network cut off, a browser typesets every formula and
no display equation overflows the column.

Runs over ``$THESIS_BOOK_HTML`` (default ``_build/html``) after a book build: ``.ci/run`` builds
the book, then runs this file with ``THESIS_REQUIRE_BUILT_BOOK=1``, which turns "no build" and
"no browser" from a skip into a failure. Screenshots land in ``_build/screenshots/`` for a
person to look at.
"""

import os
import re
from pathlib import Path

import pytest

from thesis_lib.book import browser
from thesis_lib.book import checks as book_checks
from thesis_lib.book import setup as book

HTML = Path(os.environ.get("THESIS_BOOK_HTML", book.ROOT / "_build" / "html"))
REQUIRED = os.environ.get("THESIS_REQUIRE_BUILT_BOOK") == "1"
SCREENSHOTS = HTML.parent / "screenshots"
# Pages photographed offline: chapters full of equations, the DCGAN chapter, the bibliography.
PHOTOGRAPHED = ("chapters/02-2-redes-prealimentadas.html", "chapters/03-3-variantes.html",
                "chapters/04-2-dcgan.html", "referencias.html")

if not (HTML / "index.html").is_file():
    if REQUIRED:
        raise RuntimeError(f"no built book at {HTML}: build it first (jupyter-book build .)")
    pytest.skip(f"no built book at {HTML}; run `bash .ci/run book` first",
                allow_module_level=True)

PAGES = [str(p.relative_to(HTML)) for p in book_checks.pages(HTML)]


def read(name):
    return (HTML / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("check", list(book_checks.CHECKS))
@pytest.mark.parametrize("name", PAGES)
def test_page_passes(name, check):
    found = book_checks.CHECKS[check](read(name))
    assert not found, f"{name}: {check}: " + " | ".join(found[:5])


def test_every_chapter_is_in_the_build():
    for nb in book.chapter_notebooks():
        assert f"chapters/{nb.stem}.html" in PAGES


def test_bibliography_is_numbered_as_in_the_thesis_and_spanish():
    from bs4 import BeautifulSoup
    html = read("referencias.html")
    labels = [int(span.get_text().strip("[] ")) for span in
              BeautifulSoup(html, "html.parser").select("span.label")]
    # The thesis's 26, the thesis itself [27], then the papers the book adds (chapter 3).
    assert labels == list(range(1, len(labels) + 1)) and len(labels) >= 33, labels
    text = book_checks.text_of(html)
    assert "~mdelbra" in text, "reference [5] lost the ~ of its URL"
    entries = [" ".join(e.get_text(" ").split()) for e in
               BeautifulSoup(html, "html.parser").select("div.citation")]
    authors = [e.split("] ", 1)[1].split(". ")[0] for e in entries]  # up to the first ". "
    assert len(authors) == len(labels)
    assert not [a for a in authors if " and " in a], "authors joined with 'and', not 'y'"
    assert "Cesano y Mathias Fuidio" in authors[26]  # [27]
    assert "Arjovsky" in " ".join(authors[27:])


@pytest.mark.parametrize("name", [p for p in PAGES if p.startswith("chapters/")])
def test_citations_are_numbered(name):
    text = book_checks.text_of(read(name))
    author_year = re.findall(r"\[\s*[A-ZÁÉÍÓÚ][^\]\[]{0,80}?,\s*\d{4}[a-z]?\s*\]", text)
    assert not author_year, f"{name}: author-year citations {author_year[:3]}"


@pytest.fixture(scope="module")
def chromium():
    path = browser.find_chromium()
    if path is None:
        message = ("no Chromium: install Debian's `chromium` (apt-get install chromium) or set "
                   "CHROMIUM to a Chrome/Chromium binary")
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return path


MATH_PAGES = [p for p in PAGES if 'class="math' in read(p)]


@pytest.fixture(scope="module")
def probes(chromium):
    """Every page with formulas, and every photographed page, probed in one browser."""
    names = sorted(set(MATH_PAGES) | set(PHOTOGRAPHED))
    found = browser.probe_pages([HTML / n for n in names], chromium)
    return {n: found[(HTML / n).resolve()] for n in names}


@pytest.mark.parametrize("name", MATH_PAGES)
def test_offline_math_is_typeset_and_fits_the_column(name, probes):
    result = probes[name]
    assert result["mathjax"], f"{name}: MathJax did not load offline ({result})"
    assert result["formulas"] > 0 and result["untypeset"] == 0, result
    assert not result["wide"], f"{name}: equations wider than the column: {result['wide']}"


@pytest.mark.parametrize("name", PHOTOGRAPHED)
def test_offline_screenshot(name, chromium, probes):
    assert name in PAGES
    shot = SCREENSHOTS / name.replace("/", "__").replace(".html", ".png")
    shot.unlink(missing_ok=True)
    result = probes[name]
    assert "error" not in result, result
    assert result["untypeset"] == 0, result
    browser.save_screenshot(HTML / name, shot, chromium)
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_the_probe_sees_a_wide_equation_and_a_page_without_mathjax(chromium):
    # Two altered copies of a real page, beside it so that its _static/ links resolve.
    name = next(p for p in MATH_PAGES if p.startswith("chapters/"))
    page, html = HTML / name, read(name)
    wide = page.with_name(".test-wide.html")
    no_mathjax = page.with_name(".test-no-mathjax.html")
    equation = '<div class="math notranslate nohighlight">\\[' + " + ".join(["x_{1}"] * 150) + \
        "\\]</div>"
    wide.write_text(html.replace("</main>", equation + "</main>", 1), encoding="utf-8")
    no_mathjax.write_text(re.sub(r"<script[^>]*mathjax[^>]*>\s*</script>", "", html),
                          encoding="utf-8")
    try:
        found = browser.probe_pages([page, wide, no_mathjax], chromium)
    finally:
        wide.unlink()
        no_mathjax.unlink()
    assert not found[page.resolve()]["wide"] and found[page.resolve()]["mathjax"]
    assert len(found[wide.resolve()]["wide"]) == 1
    assert found[no_mathjax.resolve()]["mathjax"] is False
    assert found[no_mathjax.resolve()]["untypeset"] > 0

"""The built book as a reader sees it: every page passes the HTML checks, the bibliography and
citations are numbered, and, with the network cut off, a browser typesets every formula and
no display equation overflows the column; the claims ledger's pages have an anchor per row,
counts that link to one page per verdict, and fit a laptop (1280 px) and a phone (390 px):
no sideways scrolling, no row or evidence cut at the column's edge.

Runs over ``$THESIS_BOOK_HTML`` (default ``_build/html``) after a book build: ``.ci/run`` builds
the book, then runs this file with ``THESIS_REQUIRE_BUILT_BOOK=1``, which turns "no build" and
"no browser" from a skip into a failure. Screenshots land in ``_build/screenshots/`` for a
person to look at.
"""

import os
import re
from pathlib import Path

import pytest

from thesis_lib.book import browser, ledger
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
    # Every DOI and arXiv identifier in references.bib is a link on the page.
    from pybtex.database import parse_file
    links = {a["href"] for a in BeautifulSoup(html, "html.parser").select("div.citation a[href]")}
    for key, entry in parse_file(book.ROOT / "references.bib").entries.items():
        if "doi" in entry.fields:
            assert f"https://doi.org/{entry.fields['doi']}" in links, key
        if "eprint" in entry.fields:
            assert f"https://arxiv.org/abs/{entry.fields['eprint']}" in links, key


def test_each_citation_shows_the_number_of_the_entry_it_links_to():
    """One work, one number, on every page: a citation's number is the label of the entry it
    links to on the reference page (issue 31 found Minsky and Papert numbered differently in
    two chapters)."""
    from bs4 import BeautifulSoup
    labels = {div["id"]: div.select_one("span.label").get_text().strip("[] ")
              for div in BeautifulSoup(read("referencias.html"), "html.parser")
              .select("div.citation")}
    wrong, seen = [], 0
    for name in PAGES:
        for a in BeautifulSoup(read(name), "html.parser").select('a[href*="referencias.html#"]'):
            number = a.get_text().strip()
            if number.isdigit():
                seen += 1
                if labels.get(a["href"].split("#", 1)[1]) != number:
                    wrong.append(f"{name}: [{number}] links to {a['href']}")
    assert seen > 50 and not wrong, wrong[:5]


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
    clipped = page.with_name(".test-clipped.html")
    wide.write_text(html.replace("</main>", equation + "</main>", 1), encoding="utf-8")
    clipped.write_text(html.replace("</main>", equation.replace(
        '<div class="math', '<div style="overflow-x: hidden" class="math') + "</main>", 1),
        encoding="utf-8")
    no_mathjax.write_text(re.sub(r"<script[^>]*mathjax[^>]*>\s*</script>", "", html),
                          encoding="utf-8")
    try:
        found = browser.probe_pages([page, wide, clipped, no_mathjax], chromium)
    finally:
        for path in (wide, clipped, no_mathjax):
            path.unlink()
    assert not found[page.resolve()]["wide"] and found[page.resolve()]["mathjax"]
    assert len(found[wide.resolve()]["wide"]) == 1 and found[wide.resolve()]["wide"][0]["scrolls"]
    assert [w["scrolls"] for w in found[clipped.resolve()]["wide"]] == [False]
    assert found[no_mathjax.resolve()]["mathjax"] is False
    assert found[no_mathjax.resolve()]["untypeset"] > 0


# The claims ledger: the page with every row, and one page per verdict.
LEDGER_PAGE = "chapters/registro.html"
VERDICT_PAGES = {v: f"chapters/{ledger.verdict_page(v)}.html" for v in ledger.VERDICTS}
LEDGER_PAGES = [LEDGER_PAGE, *VERDICT_PAGES.values()]
ENTRIES = ledger.load()
WIDTHS = (browser.WINDOW[0], browser.PHONE[0])
# Each row's block and its evidence block: neither may be wider than the column.
ROW_BLOCKS = "div.fila, div.evidencia"


def _soup(name):
    from bs4 import BeautifulSoup
    return BeautifulSoup(read(name), "html.parser")


def test_the_ledger_page_has_an_anchor_per_row_and_counts_linking_to_each_verdict():
    soup = _soup(LEDGER_PAGE)
    blocks = soup.select("div.fila")
    assert [b.get("id") for b in blocks] == [f"fila-{e['id']}" for e in sorted(
        ENTRIES, key=lambda e: ledger.toc_order().index(e["chapter"]))]
    assert all(b.select("div.evidencia") for b in blocks)
    tally = ledger.counts(ENTRIES)
    for verdict, page in VERDICT_PAGES.items():
        link = soup.find("article").find("a", href=page.removeprefix("chapters/"))
        assert link is not None and link.get_text(" ", strip=True) == verdict, verdict
        count = link.find_parent("td").find_next_sibling("td").get_text(strip=True)
        assert count == str(tally.get(verdict, 0)), (verdict, count)


@pytest.mark.parametrize("verdict", ledger.VERDICTS)
def test_each_verdict_page_shows_exactly_its_rows_linking_to_their_anchors(verdict):
    soup = _soup(VERDICT_PAGES[verdict])
    blocks = soup.select("div.fila")
    assert not [b for b in blocks if b.get("id")], "row anchors belong to the ledger page"
    assert {c for b in blocks for c in b["class"] if c.startswith("v-")} <= \
        {"v-" + verdict.replace(" ", "-")}
    links = [a["href"] for b in blocks for a in b.select("a[href^='registro.html#fila-']")]
    assert sorted(links) == sorted(f"registro.html#fila-{e['id']}" for e in ENTRIES
                                   if e["verdict"] == verdict)


@pytest.fixture(scope="module")
def ledger_layout(chromium):
    """The ledger's pages laid out at a laptop's and a phone's width, offline."""
    found = {}
    for width in WIDTHS:
        result = browser.probe_pages([HTML / n for n in LEDGER_PAGES], chromium, width=width,
                                     measure=ROW_BLOCKS)
        found[width] = {n: result[(HTML / n).resolve()] for n in LEDGER_PAGES}
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", LEDGER_PAGES)
def test_the_ledger_fits_the_screen_with_no_evidence_clipped(name, width, ledger_layout):
    result = ledger_layout[width][name]
    assert "error" not in result, result
    assert result["width"] == width, result
    rows = len(ENTRIES) if name == LEDGER_PAGE else \
        ledger.counts(ENTRIES).get(next(v for v, p in VERDICT_PAGES.items() if p == name), 0)
    assert result["measured"] == 2 * rows, result  # each row's block and its evidence
    assert result["overflow"] == 0, f"{name} scrolls sideways by {result['overflow']} px at {width}"
    assert not result["clipped"], f"{name} at {width} px: " + " | ".join(
        f"{c['id']}: needs {c['reach']} px of {c['room']}" for c in result["clipped"][:5])


@pytest.mark.parametrize("window", [browser.WINDOW, browser.PHONE])
def test_ledger_screenshot(window, chromium):
    shot = SCREENSHOTS / f"chapters__registro-{window[0]}px.png"
    shot.unlink(missing_ok=True)
    browser.save_screenshot(HTML / LEDGER_PAGE, shot, chromium, window=window)
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_the_layout_probe_sees_a_page_that_scrolls_and_a_clipped_name(chromium):
    # An altered copy of the ledger page, beside it: the identifiers may no longer wrap.
    page, html = HTML / LEDGER_PAGE, read(LEDGER_PAGE)
    rigid = page.with_name(".test-rigid.html")
    rigid.write_text(html.replace("</head>", "<style>div.fila code, div.fila code span.pre "
                                  "{white-space: nowrap !important; overflow-wrap: normal "
                                  "!important; word-break: normal !important}</style></head>", 1),
                     encoding="utf-8")
    try:
        found = browser.probe_pages([page, rigid], chromium, width=browser.PHONE[0],
                                    measure=ROW_BLOCKS)
    finally:
        rigid.unlink()
    assert found[page.resolve()]["overflow"] == 0 and not found[page.resolve()]["clipped"]
    assert found[rigid.resolve()]["overflow"] > 0
    assert found[rigid.resolve()]["clipped"]


# The steerable toy GAN's static viewer (chapter 3.2): offline, its script draws the first run,
# redraws when a selector changes, and fits a phone's width.
PLAYGROUND_DRIVE = """
var root = document.getElementById("gan-playground");
if (!root) { report({error: "no viewer"}); return; }
function inked() {
  var c = root.querySelector("canvas"), ctx = c.getContext("2d");
  var data = ctx.getImageData(0, 0, c.width, c.height).data, n = 0;
  for (var i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
  return n / (data.length / 4);
}
var first = root.getAttribute("data-drawn"), firstInk = inked();
var s = root.querySelector("select[data-name='dataset']");
s.value = "ring"; s.dispatchEvent(new Event("change"));
var slider = root.querySelector("input[type='range']");
slider.value = 0; slider.dispatchEvent(new Event("input"));
var box = root.getBoundingClientRect();
report({first: first, firstInk: firstInk, after: root.getAttribute("data-drawn"),
        afterInk: inked(), status: root.querySelector(".pg-status").textContent,
        width: box.width, right: box.right, window: window.innerWidth});
"""


@pytest.mark.parametrize("width", [browser.WINDOW[0], browser.PHONE[0]])
def test_the_toy_gan_viewer_draws_and_answers_its_controls_offline(width, chromium):
    result = browser.run_in_page(HTML / "chapters/03-2-desafios.html", PLAYGROUND_DRIVE,
                                 chromium, width=width)
    assert result and "error" not in result, result
    assert result["first"].startswith("mixture1d-minimax-k1-lr0.0001@")
    assert result["after"] == "ring-minimax-k1-lr0.0001@0"
    assert result["firstInk"] > 0.05 and result["afterInk"] > 0.5  # the ring's map fills it
    assert result["status"].startswith("paso 0 de 3\u202f000")
    assert result["right"] <= result["window"] + 1  # fits the screen, no sideways scroll


# Every chapter at a phone's width: no page scrolls sideways, and a display equation wider than
# the column scrolls inside its own box instead of being clipped (_static/book.css).
PHONE_PAGES = [n for n in PAGES if n.startswith("chapters/")] + \
    [n for n in ("intro.html", "referencias.html") if n in PAGES]


@pytest.fixture(scope="module")
def phone_probes(chromium):
    found = browser.probe_pages([HTML / n for n in PHONE_PAGES], chromium,
                                width=browser.PHONE[0])
    return {n: found[(HTML / n).resolve()] for n in PHONE_PAGES}


@pytest.mark.parametrize("name", PHONE_PAGES)
def test_every_page_fits_a_phone(name, phone_probes):
    result = phone_probes[name]
    assert "error" not in result, result
    assert result["width"] == browser.PHONE[0], result
    assert result["overflow"] == 0, f"{name} scrolls sideways by {result['overflow']} px"
    clipped = [w for w in result["wide"] if not w["scrolls"]]
    assert not clipped, f"{name}: equations cut at the column's edge: {clipped}"

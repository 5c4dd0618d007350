"""Checks over the built HTML book: what a reader sees, not what the sources say.

Each check takes one page's HTML and returns the offending snippets (empty when the page is
clean), so a test can name the page and the text. ``python -m thesis_lib.book.checks HTML_DIR``
runs them all over a build and exits non-zero on any finding; ``tests/test_built_book.py`` runs
them in CI, together with the offline browser check of :mod:`thesis_lib.book.browser`.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from thesis_lib import cli
from thesis_lib.book.interface import LABELS

# Library output that must never reach a page (TensorFlow/absl start-up, XLA/CUDA probing,
# tf.function retracing, the kernel's transport warnings, Python warnings).
LOG_NOISE = re.compile(
    r"absl::InitializeLog|cuda drivers|cuInit|oneDNN custom operations|TF_ENABLE_ONEDNN_OPTS"
    r"|tf\.function retracing|triggered tf\.function|running over TCP|Kernel is running"
    r"|WARNING:tensorflow|WARNING: All log messages|\b[IWE]\d{4} \d\d:\d\d:\d\d"
    r"|\w+Warning: |^Warning: |Traceback \(most recent call last\)", re.MULTILINE)

# Python reprs and English bookkeeping that a reader should see as Spanish text or a table.
DUMPS = re.compile(
    r"\b[A-Z]\w*Config\(|\bnp\.(?:float|int|bool)\w*\(|\barray\(\[|\bdtype=|object at 0x"
    r"|<thesis_lib\.|\bepoch \d+:|\bD accuracy\b"
    r"|\b(?:d_acc|d_loss|g_loss|acc_real|acc_fake|frechet_distance|mnist_score|"
    r"classes_covered|test_accuracy|val_accuracy|seconds_per_epoch)\b")

# A decimal point between digits. Allowed where the point is not a decimal point: section
# numbers of the thesis ("sección 4.2", "§3.1 y 3.2"), version strings ("Keras 3.15.1"),
# arXiv identifiers and DOIs in the bibliography.
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?:\.\d+)*(?![\w.]*\w)")
NOT_DECIMALS = re.compile(
    r"(?:§|\b(?:[Ss]ecci[oó]n|[Ss]ubsecci[oó]n|[Aa]lgoritmo|[Ff]igura|[Cc]uadro|[Tt]abla"
    r"|[Ee]cuaci[oó]n|[Tt]eorema|[Dd]efinici[oó]n|[Ee]jemplo)(?:es|s)?|\b[Cc]ap[ií]tulos?"
    r"|\bapartados?)"
    r"\s*\d+(?:\.\d+)+(?:\s*(?:,|y|a|–|-)\s*\d+(?:\.\d+)+)*"
    r"|\b(?:Python|Keras|TensorFlow|JAX|PyTorch|NumPy|jupyter-book|Sphinx|MathJax|torch|jax"
    r"|numpy|tensorflow|keras|CUDA|versi[oó]n|v)\s*\d+(?:\.\d+)+"
    r"|\b\d+\.\d+\.\d+(?:\.\w+)*"          # three-part version numbers
    r"|arXiv:\s*\d+\.\d+|\b10\.\d{4,}/\S+"  # preprint ids and DOIs
)

_NEVER_TEXT = ("script", "style", "noscript", "template")


def _article(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("article") or soup.find("main") or soup
    for tag in main.find_all(_NEVER_TEXT):
        tag.decompose()
    return main


def _drop(node, selectors) -> None:
    for selector in selectors:
        for tag in node.select(selector):
            tag.decompose()


# Where code lives in a jupyter-book page: cell inputs, code blocks of the prose (a
# ``highlight-LANG`` div that is not a cell's output), literal blocks, inline literals.
CODE = ("div.cell_input", "div[class*='highlight-']:not(.output)", "pre.literal-block", "code",
        "tt")
# Math as the reader's browser receives it (typeset by MathJax).
MATH = ("span.math", "div.math")
# Numbering added by Sphinx ("2.1.", "Figura 3"): not numbers of the content.
NUMBERING = ("span.section-number", "span.caption-number", "span.eqno")
# Text printed by code cells (stdout, stderr, plain-text results): checked for noise and dumps
# but allowed to print Python numbers (a float's exact repr is sometimes the point).
STREAMS = ("div.output.stream", "div.output.stderr", "div.output.text_plain",
           "div.cell_output pre")


@functools.lru_cache(maxsize=32)
def text_of(html: str, *, code=False, math=True, streams=True) -> str:
    """Visible text of a page's article, optionally without code, math or printed output.

    Memoised: every check of a page asks for its text, and parsing a chapter takes a while."""
    main = _article(html)
    _drop(main, NUMBERING)
    if not code:
        _drop(main, CODE)
    if not math:
        _drop(main, MATH)
    if not streams:
        _drop(main, STREAMS)
    return main.get_text(" ")


def _snippets(pattern, text, width=40, allow=None):
    found = []
    for m in pattern.finditer(text):
        if allow is not None and any(a.start() <= m.start() and m.end() <= a.end()
                                     for a in allow.finditer(text)):
            continue
        start, end = max(0, m.start() - width), m.end() + width
        found.append(" ".join(text[start:end].split()))
    return found


def remote_math(html: str) -> list[str]:
    """Math scripts loaded from another host (the book must typeset math offline)."""
    soup = BeautifulSoup(html, "html.parser")
    return [s["src"] for s in soup.find_all("script", src=True)
            if re.match(r"(https?:)?//", s["src"]) and re.search(r"mathjax|katex", s["src"], re.I)]


def log_noise(html: str) -> list[str]:
    """Library log lines and warnings, anywhere on the page outside code sources."""
    return _snippets(LOG_NOISE, text_of(html))


def python_dumps(html: str) -> list[str]:
    """Python reprs (configs, numpy scalars, arrays) and English log or column names."""
    return _snippets(DUMPS, text_of(html))


def decimal_points(html: str) -> list[str]:
    """Numbers written with a decimal point in prose, math, tables and glued text."""
    return _snippets(DECIMAL, text_of(html, streams=False), allow=NOT_DECIMALS)


def stray_dollars(html: str) -> list[str]:
    """A ``$`` left in the text: math that MyST did not parse (e.g. display math in a list)."""
    return _snippets(re.compile(r"\$"), text_of(html, math=False))


def math_in_headings(html: str) -> list[str]:
    """Headings with math: the page's contents panel shows them as raw or clipped formulas."""
    main = _article(html)
    return [" ".join(h.get_text(" ").split()) for h in main.find_all(re.compile(r"^h[1-6]$"))
            if h.select("span.math")]


def figures_as_text(html: str) -> list[str]:
    """Figures that came out as their repr instead of an image (no inline backend)."""
    return _snippets(re.compile(r"<Figure size [^>]*>"), text_of(html, code=True))


# A caption reads as one or two plain lines: at 1280 px the article column holds about 110
# characters of caption text a line. Provenance (profile, seed, run, sample sizes) goes in the
# collapsed «Ficha de la figura» below the figure, how to read it in the prose around it.
CAPTION_MAX_CHARS = 220


def caption_length(caption) -> int:
    """Characters a caption shows: its text without the "Figura N" numbering, each formula
    counted at half its LaTeX source (``\\mathrm{JSD}`` shows as three letters)."""
    caption = BeautifulSoup(str(caption), "html.parser")
    _drop(caption, NUMBERING + ("a.headerlink",))
    formulas = 0
    for span in caption.select("span.math"):
        formulas += (len(span.get_text().strip()) + 1) // 2
        span.decompose()
    return len(" ".join(caption.get_text(" ").split())) + formulas


def long_captions(html: str) -> list[str]:
    """Figure captions longer than two lines at 1280 px (:data:`CAPTION_MAX_CHARS`)."""
    main = _article(html)
    found = []
    for caption in main.select("figcaption"):
        n = caption_length(caption)
        if n > CAPTION_MAX_CHARS:
            text = " ".join(caption.get_text(" ").split())
            found.append(f"{n} characters: {text[:90]}…")
    return found


def english_toolbar(html: str) -> list[str]:
    """Toolbar labels the theme left in English (:mod:`thesis_lib.book.interface` translates
    them)."""
    soup = BeautifulSoup(html, "html.parser")
    labels = (span.get_text(strip=True) for span in soup.select("span.btn__text-container"))
    return [label for label in labels if label in LABELS]


CHECKS = {
    "math loaded from the internet": remote_math,
    "library log lines": log_noise,
    "Python dumps or English bookkeeping": python_dumps,
    "decimal point instead of comma": decimal_points,
    "stray $ (unparsed math)": stray_dollars,
    "math in a heading": math_in_headings,
    "figure rendered as text": figures_as_text,
    "English toolbar label": english_toolbar,
    "caption longer than two lines": long_captions,
}


def pages(html_dir) -> list[Path]:
    """The book's content pages (chapters, front matter, bibliography)."""
    root = Path(html_dir)
    skip = {"genindex.html", "search.html"}
    return [p for p in sorted(root.rglob("*.html"))
            if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts]


def check_book(html_dir) -> dict[str, dict[str, list[str]]]:
    """Every finding of every check, by page and check name (empty when the book is clean)."""
    found = {}
    for page in pages(html_dir):
        html = page.read_text(encoding="utf-8")
        for name, check in CHECKS.items():
            hits = check(html)
            if hits:
                found.setdefault(str(page.relative_to(html_dir)), {})[name] = hits
    return found


def main(argv: list[str]) -> int:
    parser = cli.Parser(prog="python -m thesis_lib.book.checks",
                        description="What a built page shows that it should not.")
    parser.add_argument("html_dir", nargs="?", type=Path, default=Path("_build/html"))
    html_dir = parser.parse_args(argv).html_dir
    if not (html_dir / "index.html").is_file():
        print(f"{html_dir} holds no built book; run `bash .ci/run book` first")
        return 2
    found = check_book(html_dir)
    for page, checks in found.items():
        for name, hits in checks.items():
            print(f"{page}: {name} ({len(hits)}): " + " | ".join(hits[:3]))
    print(f"{len(pages(html_dir))} pages checked, {len(found)} with findings")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

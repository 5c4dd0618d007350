"""The built book in a headless browser with the network cut off, as an offline reader sees it.

Uses the system's Chromium (Debian package ``chromium``) from the command line: no driver, no
extra Python package. For each page it reports whether MathJax loaded and typeset every formula,
which display equations are wider than the column, whether the page scrolls sideways at the
window's width, and which measured blocks (a CSS selector) are wider than the column or cut
their text; it saves a screenshot.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

WINDOW = (1280, 2200)  # a laptop screen's width; tall enough to show a page's first equations
PHONE = (390, 844)  # a phone held upright (CSS pixels)

# Any request that is not for a local file fails: no proxy answers and no host name resolves.
OFFLINE_FLAGS = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                 "--host-resolver-rules=MAP * ~NOTFOUND"]
QUIET_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", "--allow-file-access-from-files"]

# Runs inside the page: waits for MathJax, then writes what it measured into the title.
PROBE = """<script>
window.addEventListener("load", function () {
  function report(mathjax) {
    var untypeset = 0, wide = [];
    document.querySelectorAll("div.math, span.math").forEach(function (el) {
      if (!el.querySelector("mjx-container")) untypeset++;
    });
    document.querySelectorAll("div.math").forEach(function (el) {
      var m = el.querySelector("mjx-container > mjx-math");
      if (!m) return;
      var room = el.clientWidth, need = m.getBoundingClientRect().width;
      var box = getComputedStyle(el).overflowX;
      if (need > room + 1) wide.push({id: el.id || "", need: Math.round(need), room: room,
                                      tex: el.textContent.slice(0, 80),
                                      scrolls: box === "auto" || box === "scroll"});
    });
    // Layout at this width: how far the page scrolls sideways, and each measured block that is
    // wider than the column or whose content (a long name in code) reaches past its edge or
    // the column's, where an overflow rule would cut it.
    var root = document.scrollingElement || document.documentElement;
    var column = document.querySelector("article") || document.querySelector("main") ||
                 document.body;
    var edge = Math.min(column.getBoundingClientRect().right, window.innerWidth);
    var selector = MEASURE_SELECTOR;
    var measured = selector ? document.querySelectorAll(selector) : [], clipped = [];
    measured.forEach(function (el) {
      var box = el.getBoundingClientRect(), reach = box.right;
      if (box.width === 0) return;
      el.querySelectorAll("*").forEach(function (child) {
        var r = child.getBoundingClientRect();
        if (r.width > 0) reach = Math.max(reach, r.right);
      });
      if (el.scrollWidth > el.clientWidth + 1 || reach > Math.min(box.right, edge) + 1) {
        var named = el.closest("[id]");
        clipped.push({id: named ? named.id : "", reach: Math.round(reach - box.left),
                      room: Math.round(Math.min(box.right, edge) - box.left),
                      text: el.textContent.trim().replace(/\\s+/g, " ").slice(0, 80)});
      }
    });
    var result = JSON.stringify({mathjax: mathjax, formulas:
      document.querySelectorAll("mjx-container").length, untypeset: untypeset, wide: wide,
      width: window.innerWidth, overflow: Math.max(0, root.scrollWidth - window.innerWidth),
      measured: measured.length, clipped: clipped});
    document.title = "PROBE" + result;
    if (window.parent !== window) window.parent.postMessage(result, "*");
  }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(function () { report(true); }, function () { report(false); });
  } else {
    report(false);
  }
});
</script>"""


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome binary, or None (``$CHROMIUM`` wins if set)."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(chromium: str, url: str, extra: list[str], profile: str, timeout: float,
         budget_ms: int = 20000, window: tuple[int, int] = WINDOW) -> str:
    cmd = [chromium, *QUIET_FLAGS, *OFFLINE_FLAGS, f"--user-data-dir={profile}",
           f"--window-size={window[0]},{window[1]}", f"--virtual-time-budget={budget_ms}",
           *extra, url]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return result.stdout


def save_screenshot(page: Path, screenshot: Path, chromium: str | None = None,
                    timeout: float = 90, window: tuple[int, int] = WINDOW) -> None:
    """Open ``page`` offline and save what a ``window`` (width, height) shows to
    ``screenshot`` (a PNG)."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium found: install Debian's `chromium` or set CHROMIUM")
    screenshot = Path(screenshot)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        _run(chromium, Path(page).resolve().as_uri(), [f"--screenshot={screenshot}"], profile,
             timeout, window=window)


# Opens the pages one after another in a frame as wide as the window, collects what each
# page's probe posts, and writes them all into its own title.
HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>WAITING</title></head>
<body style="margin:0"><iframe id="page" style="width:%(width)dpx;height:%(height)dpx;border:0">
</iframe><script>
var pages = %(pages)s, results = [], i = 0, timer = null;
function next() {
  clearTimeout(timer);
  if (i >= pages.length) { document.title = "PROBES" + JSON.stringify(results); return; }
  timer = setTimeout(function () { results.push(null); i++; next(); }, %(per_page_ms)d);
  document.getElementById("page").src = pages[i];
}
window.addEventListener("message", function (event) {
  results.push(JSON.parse(event.data)); i++; next();
});
next();
</script></body></html>"""
NEVER_LOADED = {"mathjax": False, "formulas": 0, "untypeset": None, "wide": [],
                "error": "the page never finished loading"}


def probe_pages(pages, chromium: str | None = None, per_page_s: float = 20, *,
                width: int = WINDOW[0], measure: str = "") -> dict:
    """Open each of ``pages`` (HTML files of one built book) offline and return, per page,
    ``{"mathjax", "formulas", "untypeset", "wide", "width", "overflow", "measured",
    "clipped"}``: whether MathJax loaded, how many formulas it typeset and left untypeset,
    which display equations are wider than the column (each with ``scrolls``: whether its box
    scrolls sideways rather than clipping it); the width the page was laid out at,
    how many pixels it scrolls sideways there, how many elements matched the CSS selector
    ``measure`` and which of them are wider than the column or have content reaching past
    their edge (``{"id", "reach", "room", "text"}``; the id of the nearest element with one).

    One browser for all of them: the pages load one after another in a frame ``width`` pixels
    wide (starting Chromium costs seconds, and the book has a page of formulas per chapter);
    at a phone's width (:data:`PHONE`) the theme lays the page out as on a phone.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium found: install Debian's `chromium` or set CHROMIUM")
    pages = [Path(p).resolve() for p in pages]
    if not pages:
        return {}
    root = Path(os.path.commonpath([p.parent for p in pages]))
    # Sibling copies with the probe, so that each page's relative links to _static/ resolve.
    probes = [p.with_name(f".probe-{p.name}") for p in pages]
    harness = root / ".probe-harness.html"
    try:
        for page, probe in zip(pages, probes):
            html = page.read_text(encoding="utf-8")
            script = PROBE.replace("MEASURE_SELECTOR", json.dumps(measure), 1)
            probe.write_text(html.replace("</head>", script + "</head>", 1), encoding="utf-8")
        harness.write_text(HARNESS % {
            "width": width, "height": WINDOW[1], "per_page_ms": int(per_page_s * 1000),
            "pages": json.dumps([probe.relative_to(root).as_posix() for probe in probes])},
            encoding="utf-8")
        with tempfile.TemporaryDirectory() as profile:
            dom = _run(chromium, harness.as_uri(), ["--dump-dom"], profile,
                       timeout=60 + 2 * per_page_s * len(pages),
                       budget_ms=int(per_page_s * 1000) * (len(pages) + 1))
    finally:
        for path in (*probes, harness):
            path.unlink(missing_ok=True)
    match = re.search(r"<title>PROBES(.*?)</title>", dom, re.S)
    import html as _html
    found = json.loads(_html.unescape(match.group(1))) if match else []
    found += [None] * (len(pages) - len(found))
    return {page: result or dict(NEVER_LOADED) for page, result in zip(pages, found)}


DRIVE_HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>WAITING</title></head>
<body style="margin:0"><iframe id="page" src="%(page)s"
style="width:%(width)dpx;height:%(height)dpx;border:0"></iframe><script>
window.addEventListener("message", function (event) { document.title = "DRIVEN" + event.data; });
</script></body></html>"""


def run_in_page(page: Path, script: str, chromium: str | None = None, *,
                width: int = WINDOW[0], budget_s: float = 20) -> dict | None:
    """Open a copy of ``page`` offline, in a frame ``width`` pixels wide (a phone's width too:
    a browser window cannot be that narrow), and run ``script`` (JavaScript) once the page has
    loaded; ``script`` reports by calling ``report(value)``, and the value comes back here
    (``None`` if it never reported). For driving a page's own widgets: choose, click, read."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium found: install Debian's `chromium` or set CHROMIUM")
    page = Path(page).resolve()
    copy = page.with_name(f".drive-{page.name}")
    harness = page.with_name(f".drive-harness-{page.name}")
    wrapper = ("<script>window.addEventListener('load', function () {"
               "function report(v) { window.parent.postMessage(JSON.stringify(v), '*'); }"
               f"setTimeout(function () {{ {script} }}, 200);}});</script>")
    try:
        copy.write_text(page.read_text(encoding="utf-8").replace("</head>", wrapper + "</head>",
                                                                   1), encoding="utf-8")
        harness.write_text(DRIVE_HARNESS % {"page": copy.name, "width": width,
                                            "height": WINDOW[1]}, encoding="utf-8")
        with tempfile.TemporaryDirectory() as profile:
            dom = _run(chromium, harness.as_uri(), ["--dump-dom"], profile,
                       timeout=60 + budget_s, budget_ms=int(budget_s * 1000))
    finally:
        copy.unlink(missing_ok=True)
        harness.unlink(missing_ok=True)
    match = re.search(r"<title>DRIVEN(.*?)</title>", dom, re.S)
    import html as _html
    return json.loads(_html.unescape(match.group(1))) if match else None

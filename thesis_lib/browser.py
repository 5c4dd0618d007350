"""The built book in a headless browser with the network cut off, as an offline reader sees it.

Uses the system's Chromium (Debian package ``chromium``) from the command line: no driver, no
extra Python package. For each page it reports whether MathJax loaded and typeset every formula,
which display equations are wider than the column, and it saves a screenshot.
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
      if (need > room + 1) wide.push({id: el.id || "", need: Math.round(need), room: room,
                                      tex: el.textContent.slice(0, 80)});
    });
    document.title = "PROBE" + JSON.stringify({mathjax: mathjax, formulas:
      document.querySelectorAll("mjx-container").length, untypeset: untypeset, wide: wide});
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


def _run(chromium: str, url: str, extra: list[str], profile: str, timeout: float) -> str:
    cmd = [chromium, *QUIET_FLAGS, *OFFLINE_FLAGS, f"--user-data-dir={profile}",
           f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=20000", *extra, url]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return result.stdout


def save_screenshot(page: Path, screenshot: Path, chromium: str | None = None,
                    timeout: float = 90) -> None:
    """Open ``page`` offline and save what the window shows to ``screenshot`` (a PNG)."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium found: install Debian's `chromium` or set CHROMIUM")
    screenshot = Path(screenshot)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        _run(chromium, Path(page).resolve().as_uri(), [f"--screenshot={screenshot}"], profile,
             timeout)


def probe_page(page: Path, screenshot: Path | None = None, chromium: str | None = None,
               timeout: float = 90) -> dict:
    """Open ``page`` offline; return ``{"mathjax", "formulas", "untypeset", "wide"}`` and save
    a screenshot to ``screenshot`` if given."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium found: install Debian's `chromium` or set CHROMIUM")
    page = Path(page).resolve()
    html = page.read_text(encoding="utf-8")
    # A sibling copy, so that the page's relative links to _static/ still resolve.
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(html.replace("</head>", PROBE + "</head>", 1), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory() as profile:
            dom = _run(chromium, probe.as_uri(), ["--dump-dom"], profile, timeout)
    finally:
        probe.unlink(missing_ok=True)
    if screenshot is not None:
        save_screenshot(page, screenshot, chromium, timeout)
    match = re.search(r"<title>PROBE(.*?)</title>", dom, re.S)
    if not match:
        return {"mathjax": False, "formulas": 0, "untypeset": None, "wide": [],
                "error": "the page never finished loading"}
    import html as _html
    return json.loads(_html.unescape(match.group(1)))

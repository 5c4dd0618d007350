"""The claims ledger: every checkable claim of the thesis the book touches, its verdict and
where the evidence is (``results/claims.yml``), and the book page that shows it.

An entry's evidence names the chapter, a label in it (a figure, table or equation label, or a
glued value as ``glue:NAME``), the pytest test that checks it and the committed run card that
produced its number. Where an entry records a ``value`` read from cards, ``card_value``
recomputes it, and the tests fail if the two disagree.

``python -m thesis_lib.book.ledger`` rewrites the page (``chapters/registro.md``) from the file;
a test fails when the committed page is out of date.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

from thesis_lib import cli

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "results" / "claims.yml"
PAGE = ROOT / "chapters" / "registro.md"
VERDICTS = ("reproducido", "difiere", "corregido", "sin evidencia", "no verificable")
STATS = ("value", "mean", "min", "max", "last", "count")
REQUIRED = ("id", "section", "chapter", "claim", "verdict", "obtained", "evidence")
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class LedgerError(ValueError):
    """An entry of the ledger is malformed; the message names the entry and the fix."""


def load(path: str | Path | None = None) -> list[dict]:
    """The ledger's entries, validated (:func:`validate`)."""
    path = Path(path or LEDGER)
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise LedgerError(f"{path} must hold a YAML list of entries.")
    validate(entries)
    return entries


def validate(entries: list[dict]) -> None:
    """Required fields present, ids unique and kebab-case, verdicts from :data:`VERDICTS`,
    a ``value`` only with the card, key and statistic that recompute it."""
    seen = set()
    for i, entry in enumerate(entries):
        name = entry.get("id", f"entry {i}")
        missing = [f for f in REQUIRED if entry.get(f) in (None, "")]
        if missing:
            raise LedgerError(f"{name}: missing {', '.join(missing)}.")
        if not ID.match(str(entry["id"])):
            raise LedgerError(f"{name}: ids are lower-case words joined by '-'.")
        if entry["id"] in seen:
            raise LedgerError(f"{name}: the id is used twice; ids must be unique.")
        seen.add(entry["id"])
        if entry["verdict"] not in VERDICTS:
            raise LedgerError(f"{name}: verdict {entry['verdict']!r} is not one of "
                              f"{', '.join(VERDICTS)}.")
        ev = entry["evidence"]
        if "value" in ev:
            if not (ev.get("card") and ev.get("key")):
                raise LedgerError(f"{name}: a value needs the card and key it comes from.")
            if ev.get("stat", "value") not in STATS:
                raise LedgerError(f"{name}: stat must be one of {', '.join(STATS)}.")


def card_paths(pattern: str, root: Path = ROOT) -> list[Path]:
    """The files a card pattern names (a path, or a glob for one card per seed)."""
    return sorted(root.glob(pattern))


def _json_numbers(path: Path, key: str) -> list[float]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for part in key.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return [float(data)]


def _csv_numbers(path: Path, key: str) -> list[float]:
    with path.open(newline="", encoding="utf-8") as f:
        return [float(row[key]) for row in csv.DictReader(f)]


def card_value(evidence: dict, root: Path = ROOT) -> float:
    """The number ``evidence`` names, recomputed from its cards: the key's value in each JSON
    card (or the column's values in a CSV), reduced by ``stat``."""
    paths = card_paths(evidence["card"], root)
    if not paths:
        raise LedgerError(f"no file matches {evidence['card']}.")
    numbers = []
    for path in paths:
        read = _csv_numbers if path.suffix == ".csv" else _json_numbers
        numbers += read(path, evidence["key"])
    stat = evidence.get("stat", "value")
    if stat == "value":
        if len(numbers) != 1:
            raise LedgerError(f"{evidence['card']}: {len(numbers)} numbers for stat 'value'; "
                              "name a reduction (mean, min, max, last, count).")
        return numbers[0]
    return {"mean": lambda v: sum(v) / len(v), "min": min, "max": max,
            "last": lambda v: v[-1], "count": len}[stat](numbers)


def agrees(recorded: float, recomputed: float) -> bool:
    """Equal to the four significant digits the ledger keeps."""
    return math.isclose(recorded, recomputed, rel_tol=5e-4, abs_tol=1e-9)


def counts(entries: list[dict]) -> Counter:
    """How many entries carry each verdict."""
    return Counter(e["verdict"] for e in entries)


def chapter_title(stem: str, chapters: Path = ROOT / "chapters") -> str:
    """The first heading of a chapter (notebook or Markdown)."""
    path = chapters / f"{stem}.ipynb"
    if path.exists():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (chapters / f"{stem}.md").read_text(encoding="utf-8")
    match = re.search(r"^# (.+)$", text, re.MULTILINE)
    if not match:
        raise LedgerError(f"chapter {stem} has no '# ' heading.")
    return match.group(1).strip()


def anchor(stem: str) -> str:
    """The page's target for a chapter's rows, which the chapter links to."""
    return f"registro-{stem}"


def _cell(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") if text not in (None, "") else "—"


def _evidence(entry: dict) -> str:
    ev, parts = entry["evidence"], []
    label = ev.get("label")
    if label and label.startswith("glue:"):
        parts.append(f"{{doc}}`capítulo <{entry['chapter']}>`")
    elif label and label.startswith("eq-"):
        parts.append(f"ecuación {{eq}}`{label}`")
    elif label and label.startswith(("fig-", "tab-")):
        parts.append(f"{{numref}}`{label}`")
    elif label:
        parts.append(f"{{ref}}`texto <{label}>`")
    else:
        parts.append(f"{{doc}}`capítulo <{entry['chapter']}>`")
    tests = ev.get("test") or []
    for test in [tests] if isinstance(tests, str) else tests:
        parts.append(f"prueba `{test.split('::')[-1]}`")
    if ev.get("card"):
        parts.append(f"ficha `{ev['card']}`")
    return "; ".join(parts)


def render_page(entries: list[dict], order: list[str]) -> str:
    """The ledger as a MyST page: counts per verdict, then one table per chapter (``order``:
    chapter stems as in the table of contents), each under its :func:`anchor`."""
    tally = counts(entries)
    lines = ["# Lo que la tesis afirma y lo que se verificó", "",
             "Cada fila es una afirmación de la tesis que el libro pone a prueba: lo que dice "
             "(resumido), el valor que da cuando da uno, el veredicto y lo que obtuvo el libro, "
             "con la evidencia: la figura, ecuación o capítulo donde se muestra, la prueba que "
             "lo verifica y la ficha de la corrida guardada que produjo el número. Las fichas "
             "se vuelven a leer en las pruebas del libro: si un número de esta página dejara de "
             "coincidir con su ficha, las pruebas fallarían.", "",
             "Los veredictos: **reproducido** (el libro obtiene lo que dice la tesis), "
             "**difiere** (obtiene otra cosa), **corregido** (la tesis tiene un error y el "
             "libro da la versión correcta), **sin evidencia** (la tesis lo afirma y las "
             "corridas del libro no alcanzan para sostenerlo) y **no verificable** (no hay "
             "forma de ponerlo a prueba aquí).", "",
             "| veredicto | afirmaciones |", "|---|---|"]
    lines += [f"| {v} | {tally.get(v, 0)} |" for v in VERDICTS]
    lines += [f"| **total** | **{len(entries)}** |", ""]
    for stem in order:
        mine = [e for e in entries if e["chapter"] == stem]
        if not mine:
            continue
        lines += [f"({anchor(stem)})=", f"## {chapter_title(stem)}", "",
                  f"Capítulo: {{doc}}`{stem}`.", "",
                  "| la tesis dice | veredicto | el libro obtuvo |", "|---|---|---|"]
        for e in mine:
            said = f"§{e['section']}. {_cell(e['claim'])}"
            if e.get("claimed") not in (None, ""):
                said += f" (valor: {_cell(e['claimed'])})"
            lines.append(f"| {said} | **{e['verdict']}** | {_cell(e['obtained']).rstrip('.')}.<br>"
                         f"Evidencia: {_evidence(e)}. Fila `{e['id']}`. |")
        lines.append("")
    return "\n".join(lines)


def rows_frame(entries: list[dict], ids: list[str]):
    """The ledger rows ``ids`` (in that order) as a short Spanish table: the thesis section,
    the verdict and what the book obtained; the conclusions chapter shows them beside each of
    the thesis's conclusions. An unknown id is an error, so a renamed row cannot vanish
    silently."""
    import pandas as pd

    by_id = {e["id"]: e for e in entries}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise LedgerError(f"no ledger row {', '.join(missing)}; see results/claims.yml.")
    return pd.DataFrame([{"sección": f"§{by_id[i]['section']}",
                          "la tesis dice": _cell(by_id[i]["claim"]),
                          "veredicto": by_id[i]["verdict"],
                          "el libro obtuvo": _cell(by_id[i]["obtained"])} for i in ids])


PARTS = {"1": "Introducción", "2": "Redes neuronales", "3": "Redes generativas adversarias",
         "4": "Puesta en práctica", "5": "Conclusiones", "6": "Apéndice"}


def counts_frame(entries: list[dict]):
    """How many rows have each verdict (one row per verdict), per part of the thesis (by its
    section's first number: one column each, "§2" ...) and in total."""
    import pandas as pd

    columns = {}
    for key in PARTS:
        mine = [e for e in entries if str(e["section"]).split(".")[0] == key]
        if mine:
            tally = counts(mine)
            columns[f"§{key}"] = [tally.get(v, 0) for v in VERDICTS] + [len(mine)]
    tally = counts(entries)
    columns["total"] = [tally.get(v, 0) for v in VERDICTS] + [len(entries)]
    return pd.DataFrame(columns, index=pd.Index([*VERDICTS, "total"], name="veredicto"))


def toc_order(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Chapter stems in table-of-contents order."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    return [Path(c["file"]).name for part in data["parts"] for c in part["chapters"]]


def main(argv=None) -> int:
    """``python -m thesis_lib.book.ledger``: check ``results/claims.yml`` and rewrite its page."""
    cli.Parser(prog="python -m thesis_lib.book.ledger",
               description="Check results/claims.yml and rewrite chapters/registro.md.") \
        .parse_args(argv)
    entries = load()
    PAGE.write_text(render_page(entries, toc_order()), encoding="utf-8")
    print(f"{PAGE.relative_to(ROOT)}: {len(entries)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

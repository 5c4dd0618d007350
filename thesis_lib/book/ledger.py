"""The claims ledger: every checkable claim of the thesis the book touches, its verdict and
where the evidence is (``results/claims.yml``), and the book page that shows it.

An entry's evidence names the chapter, a label in it (a figure, table or equation label, or a
glued value as ``glue:NAME``), the pytest test that checks it and the committed run card that
produced its number. Where an entry records a ``value`` read from cards, ``card_value``
recomputes it, and the tests fail if the two disagree.

``python -m thesis_lib.book.ledger`` rewrites the pages from the file: the ledger
(``chapters/registro.md``: the verdicts' rules, the count of each verdict, every row as a block
under its own anchor ``fila-<id>``) and one page per verdict with only its rows
(``chapters/registro-<verdict>.md``); a test fails when a committed page is out of date. With
``--chapter-links`` it also rewrites, in each chapter notebook, the cell that links to that
chapter's rows by anchor.
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
from thesis_lib.book import verdicts as verdicts_module
from thesis_lib.book.verdicts import RULES, problems
from thesis_lib.formatting import num

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "results" / "claims.yml"
PAGE = ROOT / "chapters" / "registro.md"
VERDICTS = verdicts_module.VERDICTS
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
    a ``value`` only with the card, key and statistic that recompute it, and every verdict
    backed by the evidence its rule asks for (:func:`verdicts.problems`)."""
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
        broken = problems(entry)
        if broken:
            raise LedgerError(f"{name}: {broken[0]} (the rules: thesis_lib/book/verdicts.py).")


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


def _chapter_markdown(stem: str, chapters: Path = ROOT / "chapters") -> str:
    """A chapter's Markdown: its notebook's markdown cells, or its ``.md`` file."""
    path = chapters / f"{stem}.ipynb"
    if path.exists():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return (chapters / f"{stem}.md").read_text(encoding="utf-8")


def chapter_title(stem: str, chapters: Path = ROOT / "chapters") -> str:
    """The first heading of a chapter (notebook or Markdown)."""
    match = re.search(r"^# (.+)$", _chapter_markdown(stem, chapters), re.MULTILINE)
    if not match:
        raise LedgerError(f"chapter {stem} has no '# ' heading.")
    return match.group(1).strip()


def section_labels(stem: str, chapters: Path = ROOT / "chapters") -> set[str]:
    """The chapter's targets that stand right before a heading (``(label)=`` then ``## ...``):
    a link to them can show the heading's own title."""
    return set(re.findall(r"^\(([\w-]+)\)=\s*\n#+ ", _chapter_markdown(stem, chapters),
                          re.MULTILINE))


# A glued value in MyST: the role {glue:text}`name:format` or a {glue:figure} directive.
GLUE = re.compile(r"\{glue(?::\w+)?\}`([\w.-]+?)(?::[^`]*)?`"
                  r"|^[`:]{3,}\{glue(?::\w+)?\}\s+([\w.-]+)", re.MULTILINE)


def glue_sections(stem: str, chapters: Path = ROOT / "chapters") -> dict[str, str]:
    """For each value the chapter's prose shows through ``glue``, the target of the innermost
    heading with one (``(label)=`` right before it) that it first appears under: the nearest
    place a ``glue:NAME`` row's evidence link can go."""
    found, open_headings = {}, []  # (level, target or None) of the headings we are under
    lines = _chapter_markdown(stem, chapters).splitlines()
    for i, line in enumerate(lines):
        heading = re.match(r"(#+) ", line)
        if heading:
            level = len(heading.group(1))
            target = re.fullmatch(r"\(([\w-]+)\)=", lines[i - 1].strip() if i else "")
            open_headings = [h for h in open_headings if h[0] < level]
            open_headings.append((level, target.group(1) if target else None))
            continue
        targets = [t for _, t in open_headings if t]
        for match in GLUE.finditer(line):
            name = match.group(1) or match.group(2)
            if targets and name not in found:
                found[name] = targets[-1]
    return found


def anchor(stem: str) -> str:
    """The page's target for a chapter's rows, which the chapter links to."""
    return f"registro-{stem}"


def row_anchor(row_id: str) -> str:
    """The page's target for one row (``#fila-<id>`` in the built page), which the chapters and
    the per-verdict pages link to."""
    return f"fila-{row_id}"


def _slug(verdict: str) -> str:
    return verdict.replace(" ", "-")


def verdict_page(verdict: str) -> str:
    """The stem of the page that lists only the rows with ``verdict``
    (``registro-sin-evidencia``)."""
    return f"registro-{_slug(verdict)}"


def verdict_pages(chapters: Path = ROOT / "chapters") -> dict[str, Path]:
    """Each verdict's page, in :data:`VERDICTS` order."""
    return {v: chapters / f"{verdict_page(v)}.md" for v in VERDICTS}


def _text(text) -> str:
    """A field as one line of Markdown prose (the YAML folds long strings over lines). Only
    ASCII white space collapses: the thin and no-break spaces inside numbers ("10 000") stay."""
    return re.sub(r"[ \t\r\n]+", " ", str(text)).strip()


def _sentence(text) -> str:
    """:func:`_text` ending in one full stop (or its own ``?``, ``!`` or ``…``)."""
    text = _text(text)
    return text if text.endswith((".", "?", "!", "…")) else text + "."


def _tests(evidence: dict) -> list[str]:
    tests = evidence.get("test") or []
    return [tests] if isinstance(tests, str) else list(tests)


def _target(entry: dict, glued: dict[str, str]) -> str | None:
    """The label the row's evidence link goes to: its own, or for a glued value the target of
    the heading it appears under (:func:`glue_sections`); None for the chapter's top."""
    label = entry["evidence"].get("label")
    if label and label.startswith("glue:"):
        return glued.get(label.removeprefix("glue:"))
    return label or None


def links_to_chapter_top(entry: dict, glued: dict[str, str] | None = None) -> bool:
    """Whether the row's evidence link can only go to the top of its chapter: no label, or a
    glued value (``glue:NAME``) shown under a heading without a target (``glued``: the
    chapter's :func:`glue_sections`, read from the chapter when not given)."""
    label = entry["evidence"].get("label")
    if glued is None:
        glued = glue_sections(entry["chapter"]) if label and label.startswith("glue:") else {}
    return _target(entry, glued) is None


def _evidence(entry: dict, sections: set[str] = frozenset(),
              glued: dict[str, str] | None = None) -> str:
    """Where the evidence is: the label's figure, table, equation or section, or for a glued
    value the section it is shown in (``sections``: the chapter's :func:`section_labels`;
    ``glued``: its :func:`glue_sections`); the chapter when there is nothing nearer to link
    to; then the tests by name and the card's path."""
    ev = entry["evidence"]
    label = _target(entry, glued or {})
    if label is None:
        parts = [f"{{doc}}`capítulo <{entry['chapter']}>`"]
    elif label.startswith("eq-"):
        parts = [f"ecuación {{eq}}`{label}`"]
    elif label.startswith(("fig-", "tab-")):
        parts = [f"{{numref}}`{label}`"]
    elif label in sections:
        parts = [f"apartado «{{ref}}`{label}`»"]
    else:
        parts = [f"{{ref}}`texto <{label}>`"]
    tests = _tests(ev)
    if tests:
        names = ", ".join(f"`{t.split('::')[-1]}`" for t in tests)
        parts.append(("prueba " if len(tests) == 1 else "pruebas ") + names)
    if ev.get("card"):
        parts.append(f"ficha `{ev['card']}`")
    return "; ".join(parts)


BASES = {"exact": "cálculo exacto", "source": "fuente", "run": "corridas",
         "untestable": "no comprobable"}
# Budget units the ledger may record in English; any other unit is shown as written (Spanish).
UNITS = {"epochs": "épocas", "steps": "pasos", "iterations": "iteraciones",
         "updates": "actualizaciones", "images": "imágenes", "samples": "muestras",
         "seeds": "semillas", "runs": "corridas"}


def _basis(entry: dict) -> str | None:
    """The row's basis, budget and reason, in one short Spanish line (None for a row that
    records none of them): "Base: corridas; épocas: 10 en el libro frente a 100 en la tesis;
    semillas: 1"."""
    basis, budget, why = entry.get("basis"), entry.get("budget"), entry.get("why")
    if basis is None and not budget and not why:
        return None
    text = f"**Base:** {BASES.get(basis, basis or '—')}"
    if isinstance(budget, dict) and not budget.get("run"):
        text += "; ninguna corrida todavía"
    elif isinstance(budget, dict):
        unit = _text(budget.get("unit") or "presupuesto")
        text += f"; {UNITS.get(unit, unit)}: {num(budget['run'])} en el libro"
        if budget.get("claim") is not None:
            text += f" frente a {num(budget['claim'])} en la tesis"
        else:
            text += ", la tesis no da una cifra"
        if budget.get("seeds") is not None:
            text += f"; semillas: {num(budget['seeds'])}"
        if str(budget.get("regime") or "").strip():
            text += f"; régimen: {_text(budget['regime']).rstrip('.')}"
    if str(why or "").strip():
        text += f". Por qué no se puede comprobar: {_text(why)}"
    return _sentence(text)


def section_label(section) -> str:
    """A row's place in the thesis: "§4.2", or the name of the back matter it is about."""
    section = str(section)
    return f"§{section}" if section[:1].isdigit() else section.capitalize()


def _card(entry: dict, sections: set[str], *, target: bool,
          glued: dict[str, str] | None = None) -> list[str]:
    """One row as a block: its target (on the ledger page only), the section, verdict and id
    (a link to the row on the ledger page), what the thesis says, what the book obtained, its
    basis when recorded, and the evidence in a block of its own (the built-book tests measure
    that it is not clipped)."""
    said = f"**La tesis:** {_text(entry['claim']).rstrip('.')}"
    if entry.get("claimed") not in (None, ""):
        said += f" (valor: {_text(entry['claimed'])})"
    lines = [f"({row_anchor(entry['id'])})="] if target else []
    lines += [f"::::{{container}} fila v-{_slug(entry['verdict'])}",
              f"{section_label(entry['section'])} · **{entry['verdict']}** · fila "
              f"{{ref}}`{entry['id']} <{row_anchor(entry['id'])}>`", "",
              _sentence(said), "", f"**El libro:** {_sentence(entry['obtained'])}", ""]
    basis = _basis(entry)
    if basis:
        lines += [basis, ""]
    lines += [":::{container} evidencia", f"**Evidencia:** {_evidence(entry, sections, glued)}.",
              ":::", "::::", ""]
    return lines


def _chapters(entries: list[dict], order: list[str], *, target: bool) -> list[str]:
    lines = []
    for stem in order:
        mine = [e for e in entries if e["chapter"] == stem]
        if not mine:
            continue
        if target:
            lines.append(f"({anchor(stem)})=")
        tally = counts(mine)
        summary = ", ".join(f"{tally[v]} {v}" for v in VERDICTS if tally.get(v))
        lines += [f"## {chapter_title(stem)}", "",
                  f"Capítulo: {{doc}}`{stem}`. {len(mine)} "
                  f"{'fila' if len(mine) == 1 else 'filas'}: {summary}.", ""]
        sections, glued = section_labels(stem), glue_sections(stem)
        for e in mine:
            lines += _card(e, sections, target=target, glued=glued)
    return lines


INVENTORY = ROOT / "results" / "claims_inventory.yml"


def coverage(entries: list[dict], path: Path = INVENTORY) -> tuple[int, int]:
    """How many of the thesis's checkable statements (the inventory, one entry per statement)
    a ledger row checks, and how many there are."""
    inventory = yaml.safe_load(path.read_text(encoding="utf-8"))
    ids = {e["id"] for e in entries}
    checkable = [i for i in inventory if i.get("checkable", True)]
    return sum(i.get("row") in ids for i in checkable), len(checkable)


def _rules() -> list[str]:
    return [f"- **{v}**: {RULES[v]}" for v in VERDICTS]


def render_page(entries: list[dict], order: list[str]) -> str:
    """The ledger as a MyST page: the rule of each verdict (:data:`verdicts.RULES`), the count
    of each verdict linking to its page (:func:`render_verdict_page`), then the rows of each
    chapter (``order``: chapter stems as in the table of contents) under its :func:`anchor`,
    each row a block under its own target (:func:`row_anchor`)."""
    tally = counts(entries)
    lines = ["# Lo que la tesis afirma y lo que se verificó", "",
             "Cada fila es una afirmación de la tesis que el libro pone a prueba: lo que dice "
             "(resumido, con el valor que da cuando da uno), el veredicto, lo que obtuvo el "
             "libro y la evidencia: la figura, ecuación o apartado donde se muestra, la prueba "
             "que la verifica y la ficha de la corrida guardada que produjo el número. Las "
             "fichas se vuelven a leer en las pruebas del libro: si un número de esta página "
             "dejara de coincidir con su ficha, las pruebas fallarían. Cada fila tiene su "
             "enlace propio (el nombre de la fila), al que apuntan los capítulos.", "",
             "## Las reglas de los veredictos", "",
             "Cada veredicto exige una evidencia determinada, la misma para todas las filas:", ""]
    lines += _rules()
    lines += ["", "Cada fila dice en qué se apoya (su base): un **cálculo exacto**, una "
              "**fuente** (el texto de la tesis o de un trabajo citado), **corridas** de "
              "entrenamiento (con su presupuesto: cuántas épocas o pasos y cuántas semillas, "
              "frente a lo que indica la tesis) o nada que se pueda comprobar (**no "
              "comprobable**, con el motivo).", "",
              "## Cuántas filas tiene cada veredicto", "",
              "Cada veredicto lleva a una página con solo sus filas.", "",
              "| veredicto | filas |", "|---|---|"]
    lines += [f"| {{doc}}`{v} <{verdict_page(v)}>` | {tally.get(v, 0)} |" for v in VERDICTS]
    lines += [f"| **total** | **{len(entries)}** |", ""]
    covered, checkable = coverage(entries)
    lines += [f"Un inventario de la tesis, leída entera, reúne {num(checkable)} afirmaciones que se "
              f"pueden comprobar (`results/claims_inventory.yml`, cada una con su línea en el texto); "
              f"las filas de este registro cubren {num(covered)} de ellas "
              f"({num(100 * covered / checkable, 1)} %). Una fila puede cubrir varias afirmaciones "
              "próximas.", "",
              "## Por capítulo", "",
              "Las filas se agrupan por el capítulo del libro que muestra la evidencia, que no "
              "siempre es el que lleva el número de la sección de la tesis (el número tras §).", "",
              "| capítulo | filas | veredictos |", "|---|---|---|"]
    for stem in order:
        mine = [e for e in entries if e["chapter"] == stem]
        if mine:
            mine_tally = counts(mine)
            lines.append(f"| {{ref}}`{chapter_title(stem)} <{anchor(stem)}>` | {num(len(mine))} | "
                         + ", ".join(f"{num(mine_tally[v])} {v}" for v in VERDICTS
                                     if mine_tally.get(v)) + " |")
    lines.append("")
    lines += _chapters(entries, order, target=True)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_verdict_page(entries: list[dict], order: list[str], verdict: str) -> str:
    """The rows with ``verdict`` only, by chapter, each linking to its row on the ledger page;
    the verdict's rule on top."""
    mine = [e for e in entries if e["verdict"] == verdict]
    others = ", ".join(f"{{doc}}`{v} <{verdict_page(v)}>`" for v in VERDICTS if v != verdict)
    lines = [f"# Filas con veredicto «{verdict}»", "",
             f"La regla: {RULES[verdict]}", "",
             f"{len(mine)} de las {len(entries)} filas del {{doc}}`registro <registro>` tienen "
             f"este veredicto. El nombre de cada fila lleva a ella en el registro. Los otros "
             f"veredictos: {others}.", ""]
    if not mine:
        lines += ["Ninguna fila tiene este veredicto.", ""]
    lines += _chapters(mine, order, target=False)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_pages(entries: list[dict], order: list[str]) -> dict[Path, str]:
    """Every page the ledger writes: the ledger and one page per verdict."""
    pages = {PAGE: render_page(entries, order)}
    for verdict, path in verdict_pages().items():
        pages[path] = render_verdict_page(entries, order, verdict)
    return pages


# Where each chapter links to its rows: in a notebook, the markdown cell with this tag (the
# first time, the cell holding the sentence that linked to the chapter's part of the ledger
# before rows had anchors); in a Markdown chapter, the lines between two MyST comments.
LINKS_TAG = "registro-filas"
LINKS_OPENING = "Las afirmaciones de la tesis que este capítulo pone a prueba"
LINKS_BEGIN = f"% {LINKS_TAG}: written by python -m thesis_lib.book.ledger --chapter-links"
LINKS_END = f"% end of {LINKS_TAG}"


def chapter_links_source(entries: list[dict], stem: str) -> str:
    """What a chapter says to link to its rows: a heading, a sentence linking to its part of
    the ledger with the count of each verdict, then its rows one per line (a verdict and the
    claim, linking to the row's anchor) in a block the reader opens when wanted."""
    mine = [e for e in entries if e["chapter"] == stem]
    tally = counts(mine)
    summary = ", ".join(f"{num(tally[v])} {v}" for v in VERDICTS if tally.get(v))
    lines = ["## En el registro de afirmaciones", "",
             f"{LINKS_OPENING}, con su veredicto y su evidencia, están reunidas en el "
             f"{{ref}}`registro de afirmaciones <{anchor(stem)}>`: {summary}.", "",
             f":::{{dropdown}} Las {num(len(mine))} "
             f"{'afirmación' if len(mine) == 1 else 'afirmaciones'}, una por línea"]
    for verdict in VERDICTS:
        lines += [f"- **{verdict}**: {{ref}}`{_short(e['claim'])} <{row_anchor(e['id'])}>`"
                  for e in mine if e["verdict"] == verdict]
    lines.append(":::")
    return "\n".join(lines)


# A link text should not end on an operator or an opening bracket: "D*(x) =…" reads as cut.
_DANGLING = " ,;:=+−-·×/([{"
# ... nor on a word that announces more: "Adam con tasa 0,0002 y…".
_LEADING_WORDS = {"y", "o", "e", "u", "a", "de", "del", "la", "el", "los", "las", "en", "con",
                  "que", "por", "para", "su", "sus", "un", "una", "al", "se", "lo", "como"}


def _short(claim: str, width: int = 70) -> str:
    """A row's claim cut at a word to about ``width`` characters: the text of its link (a
    reader should see what the row is about, not its id). Characters that would end a MyST
    role's text are dropped, and so is a cut's dangling operator."""
    text = re.sub(r"[`<>]", "", _text(claim))
    if len(text) <= width:
        return text.rstrip(".")
    words = text[:width].rsplit(" ", 1)[0].split(" ")
    while len(words) > 1 and (words[-1].rstrip(_DANGLING) == "" or words[-1][-1] in _DANGLING
                              or words[-1].lower() in _LEADING_WORDS):
        words.pop()
    return " ".join(words).rstrip(_DANGLING) + "…"


def _links_cell(cells: list[dict], stem: str) -> int | None:
    tagged = [i for i, c in enumerate(cells) if LINKS_TAG in c.get("metadata", {}).get("tags", ())]
    if len(tagged) > 1:
        raise LedgerError(f"{stem}: {len(tagged)} cells tagged {LINKS_TAG!r}; keep one.")
    if tagged:
        return tagged[0]
    for i, cell in enumerate(cells):
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.lstrip().startswith(LINKS_OPENING) \
                and f"<{anchor(stem)}>" in text:
            return i
    return None


def _notebook_with_links(text: str, stem: str, source: str | None) -> str:
    nb = json.loads(text)
    cells = nb["cells"]
    at = _links_cell(cells, stem)
    if source is None:
        if at is not None and LINKS_TAG in cells[at].get("metadata", {}).get("tags", ()):
            del cells[at]
        else:
            return text
    else:
        if at is None:
            cells.append({"cell_type": "markdown", "id": LINKS_TAG, "metadata": {},
                          "source": []})
            at = len(cells) - 1
        cell = cells[at]
        cell["source"] = source.splitlines(keepends=True)
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if LINKS_TAG not in tags:
            tags.append(LINKS_TAG)
    if nb == json.loads(text):  # unchanged: keep the file's bytes as they are
        return text
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _markdown_with_links(text: str, source: str | None) -> str:
    block = re.compile(rf"\n*^{re.escape(LINKS_BEGIN)}$.*?^{re.escape(LINKS_END)}$\n?",
                       re.MULTILINE | re.DOTALL)
    text = block.sub("", text).rstrip("\n") + "\n"
    if source is None:
        return text
    return f"{text}\n{LINKS_BEGIN}\n{source}\n{LINKS_END}\n"


def chapter_links(entries: list[dict], chapters: Path = ROOT / "chapters", *,
                  write: bool = True) -> list[Path]:
    """Make each chapter's links to its rows current (:func:`chapter_links_source`): in a
    notebook, the markdown cell tagged :data:`LINKS_TAG` (a notebook without one gets it where
    its sentence linking to the ledger was, or at its end); in a Markdown chapter, the lines
    between :data:`LINKS_BEGIN` and :data:`LINKS_END` (at its end). A chapter with no rows
    loses them. Returns the chapters that were (with ``write=False``: would be) changed;
    running it twice changes nothing the second time."""
    changed = []
    for path in sorted(Path(chapters).glob("*.*")):
        if path.suffix not in (".ipynb", ".md") or path.stem.startswith("registro"):
            continue
        stem = path.stem
        source = chapter_links_source(entries, stem) \
            if any(e["chapter"] == stem for e in entries) else None
        text = path.read_text(encoding="utf-8")
        new = _notebook_with_links(text, stem, source) if path.suffix == ".ipynb" \
            else _markdown_with_links(text, source)
        if new == text:
            continue
        if write:
            path.write_text(new, encoding="utf-8")
        changed.append(path)
    return changed


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
                          "la tesis dice": _text(by_id[i]["claim"]),
                          "veredicto": by_id[i]["verdict"],
                          "el libro obtuvo": _text(by_id[i]["obtained"])} for i in ids])


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
    """``python -m thesis_lib.book.ledger``: check ``results/claims.yml`` and rewrite its pages
    (the ledger and one page per verdict); with ``--chapter-links``, also each chapter's cell
    that links to its rows."""
    parser = cli.Parser(prog="python -m thesis_lib.book.ledger",
                        description="Check results/claims.yml and rewrite chapters/registro.md "
                                    "and the per-verdict pages chapters/registro-*.md.")
    parser.add_argument("--chapter-links", action="store_true",
                        help="also rewrite, in every chapter notebook, the markdown cell "
                             f"tagged {LINKS_TAG!r} that links to the chapter's rows")
    args = parser.parse_args(argv)
    entries = load()
    for path, text in render_pages(entries, toc_order()).items():
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: written")
    print(f"{len(entries)} entries")
    if args.chapter_links:
        for path in chapter_links(entries):
            print(f"{path.relative_to(ROOT)}: links to its rows rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

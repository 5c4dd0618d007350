"""One vocabulary across the book (DEVELOPERS.md, "One vocabulary"): no chapter uses a retired
word, and every glossary link ({term}) names an entry of chapters/glosario.md."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
GLOSSARY = CHAPTERS / "glosario.md"

# Retired words: (regex, what to write instead). Matched on the prose of every chapter (markdown
# cells of the notebooks, the .md pages), case-insensitively unless the pattern says otherwise.
RETIRED = [
    (r"\btarjetas?\b", "ficha (de la corrida)"),
    (r"\benmarcad[oa]s?\b", "relleno"),
    (r"\bmarcos? de (?:ceros|\d|\$)", "relleno"),
    (r"\bsin marco\b", "relleno"),
    (r"p_\{?\\?(?:text\{)?datos", "p_{data}"),
    (r"(?-i:\bSGD\b)(?! estocástico)", "descenso por gradiente (SGD solo para el estocástico)"),
    (r"\b(?:con|y) pasos? \d", "desplazamiento (paso es solo un paso de entrenamiento)"),
    (r"\bpasos? \(\d+, \d+\)", "desplazamiento"),
    (r"\bpasos mayores\b", "desplazamiento"),
    (r"\bimpulso\b", "momento"),
    (r"\bexhaustividad\b|\brecuperación\b(?= [\d{])", "sensibilidad"),
    # a thesis's figure is always "la figura N de la tesis" (the book's own are {numref} links)
    (r"\b(?<!su )figuras? \d+(?:(?:, | y )\d+)*\b(?!\s+de\s+la\s+tesis)", "figura N de la tesis"),
]
# SGD is allowed where the text says it is the stochastic method.
SGD_OK = re.compile(r"estocástico", re.I)
TERM = re.compile(r"\{term\}`([^`]*)`")
DOC = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")


def _prose(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text()


def _pages():
    return sorted(CHAPTERS.glob("*.ipynb")) + sorted(CHAPTERS.glob("*.md"))


def retired_uses(text: str) -> list[str]:
    """The retired words in a chapter's prose, each with what to write instead."""
    found = []
    for pattern, instead in RETIRED:
        for m in re.finditer(pattern, text, re.I):
            if "SGD" in pattern and SGD_OK.search(text[max(0, m.start() - 80):m.end() + 80]):
                continue
            found.append(f"«{m.group(0)}» (use: {instead})")
    return found


def glossary_entries(text: str) -> dict[str, str]:
    """The entries of the {glossary} block: name -> its definition text."""
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S)
    assert block, "chapters/glosario.md has no {glossary} block"
    entries, name = {}, None
    for line in block.group(1).splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line.startswith(" "):
            entries[name] += " " + line.strip()
        else:
            name = line.strip()
            entries[name] = ""
    return entries


def term_targets(text: str) -> list[str]:
    """The entry each {term} role names: the text inside <...>, else the whole text."""
    targets = []
    for role in TERM.findall(text):
        m = re.fullmatch(r"(.*?)\s*<([^<>]+)>", role, re.S)
        targets.append((m.group(2) if m else role).strip())
    return targets


@pytest.mark.parametrize("path", _pages(), ids=lambda p: p.name)
def test_no_retired_words(path):
    found = retired_uses(_prose(path))
    assert not found, f"{path.name}: retired words: " + "; ".join(found)


def test_retired_words_are_caught():
    bad = ("cada corrida tiene su tarjeta; un marco de 1 píxel; el enmarcado; $p_{\\text{datos}}$; "
           "el zigzag de SGD; filtros 3 × 3 con paso 2; la figura 55 muestra")
    assert len(retired_uses(bad)) == 7
    good = ("cada corrida tiene su ficha; un relleno de 1 píxel; $p_{data}$; 1000 pasos de G; "
            "el descenso por gradiente estocástico (SGD); la figura 55 de la tesis; su figura 8")
    assert retired_uses(good) == []


def test_glossary_entries_link_to_chapters():
    entries = glossary_entries(GLOSSARY.read_text())
    assert 40 <= len(entries) <= 70
    for name, definition in entries.items():
        docs = DOC.findall(definition)
        assert docs, f"glossary entry «{name}» names no chapter"
        for doc in docs:
            assert (CHAPTERS / f"{doc}.ipynb").exists() or (CHAPTERS / f"{doc}.md").exists(), \
                f"glossary entry «{name}» links to a missing chapter {doc}"


def test_term_links_name_entries_once_per_chapter():
    entries = {name.lower() for name in glossary_entries(GLOSSARY.read_text())}
    problems = []
    for path in _pages():
        targets = term_targets(_prose(path))
        problems += [f"{path.name}: {{term}} «{t}» is not a glossary entry"
                     for t in targets if t.lower() not in entries]
        problems += [f"{path.name}: «{t}» linked more than once"
                     for t in sorted({t for t in targets if targets.count(t) > 1})]
    assert not problems, "\n".join(problems)


def test_glossary_is_in_the_table_of_contents():
    assert "file: chapters/glosario" in (ROOT / "_toc.yml").read_text()

"""The claims ledger (results/claims.yml): its evidence exists, its numbers are the cards'
numbers, its pages are up to date (the ledger with the verdicts' rules, the counts, an anchor
per row; one page per verdict with exactly its rows), and every chapter it covers links to its
rows."""

import json
import re

import pytest
import yaml

from thesis_lib.book import ledger, verdicts

ENTRIES = ledger.load()
ORDER = ledger.toc_order()


def _notebook_text(stem):
    path = ledger.ROOT / "chapters" / f"{stem}.ipynb"
    if not path.exists():
        return (ledger.ROOT / "chapters" / f"{stem}.md").read_text(encoding="utf-8")
    return "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])


def _labels(text):
    """MyST labels a chapter defines: figure/table names, targets, numbered equations."""
    return set(re.findall(r":name:\s*([\w-]+)", text)) | set(re.findall(r"^\(([\w-]+)\)=",
                                                                        text, re.MULTILINE)) \
        | set(re.findall(r"\$\$\s*\(([\w-]+)\)", text))


def test_at_least_sixty_entries_with_unique_ids_over_every_checking_chapter():
    assert len(ENTRIES) >= 60
    ids = [e["id"] for e in ENTRIES]
    assert len(ids) == len(set(ids))
    chapters = {e["chapter"] for e in ENTRIES}
    assert chapters <= set(ORDER), chapters - set(ORDER)
    for stem in ("02-1-perceptron", "03-3-variantes", "04-2-dcgan", "06-apendice-optimizacion"):
        assert stem in chapters


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_the_evidence_exists(entry):
    ev = entry["evidence"]
    text = _notebook_text(entry["chapter"])
    label = ev.get("label")
    if label and label.startswith("glue:"):
        name = label.removeprefix("glue:")
        assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), \
            f"{entry['id']}: no glued value {name!r} in {entry['chapter']}"
    elif label:
        assert label in _labels(text), f"{entry['id']}: no label {label!r} in {entry['chapter']}"
    tests = ev.get("test") or []
    for test in [tests] if isinstance(tests, str) else tests:
        path, _, name = test.partition("::")
        source = (ledger.ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {re.escape(name.split('[')[0])}\(", source, re.MULTILINE), \
            f"{entry['id']}: no test {test}"
    if ev.get("card"):
        assert ledger.card_paths(ev["card"]), f"{entry['id']}: no file matches {ev['card']}"
    assert label or tests or ev.get("card"), f"{entry['id']}: no evidence at all"


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "value" in e["evidence"]],
                         ids=lambda e: e["id"])
def test_recorded_values_are_the_cards_values(entry):
    ev = entry["evidence"]
    recomputed = ledger.card_value(ev)
    assert ledger.agrees(ev["value"], recomputed), \
        f"{entry['id']}: the ledger says {ev['value']}, the cards give {recomputed:.6g}"


def test_some_values_are_checked_against_cards():
    assert sum("value" in e["evidence"] for e in ENTRIES) >= 15


def test_the_committed_pages_are_up_to_date():
    for path, text in ledger.render_pages(ENTRIES, ORDER).items():
        assert path.is_file() and path.read_text(encoding="utf-8") == text, \
            f"run `python -m thesis_lib.book.ledger` to rewrite {path.relative_to(ledger.ROOT)}"


def test_every_chapter_in_the_ledger_links_to_its_rows():
    for stem in sorted({e["chapter"] for e in ENTRIES}):
        assert f"<{ledger.anchor(stem)}>" in _notebook_text(stem), \
            f"{stem} does not link to its rows of the ledger ({ledger.anchor(stem)})"


def test_every_chapter_links_to_each_of_its_rows_by_anchor():
    # Fails until `python -m thesis_lib.book.ledger --chapter-links` has been run after the
    # last change of results/claims.yml (it rewrites one cell per chapter).
    stale = ledger.chapter_links(ENTRIES, write=False)
    assert not stale, ("run `python -m thesis_lib.book.ledger --chapter-links`: out of date in "
                       + ", ".join(p.name for p in stale))
    for entry in ENTRIES:
        assert f"<{ledger.row_anchor(entry['id'])}>" in _notebook_text(entry["chapter"]), \
            f"{entry['chapter']} does not link to its row {entry['id']}"


def _page(path=ledger.PAGE):
    return path.read_text(encoding="utf-8")


def _row_targets(text):
    """The row ids with a target on a page, in order."""
    return re.findall(r"^\(fila-([a-z0-9-]+)\)=\n::::\{container\} fila ", text, re.MULTILINE)


def _row_blocks(text):
    """(verdict class, id the block links to) of every row block on a page."""
    return re.findall(r"^::::\{container\} fila v-([a-z-]+)\n.*? · fila \{ref\}`([a-z0-9-]+) "
                      r"<fila-\2>`$", text, re.MULTILINE)


def test_every_row_has_its_own_anchor_on_the_ledger_page():
    page = _page()
    assert _row_targets(page) == [e["id"] for e in sorted(
        ENTRIES, key=lambda e: ORDER.index(e["chapter"]))]
    assert page.count("\n(fila-") == len(ENTRIES)
    assert [i for _, i in _row_blocks(page)] == _row_targets(page)


def test_the_rules_are_on_the_page_above_the_counts():
    page = _page()
    counts_at = page.index("| veredicto | filas |")
    for verdict in ledger.VERDICTS:
        assert f"- **{verdict}**: {verdicts.RULES[verdict]}" in page[:counts_at], verdict
    assert verdicts.VERDICTS == ledger.VERDICTS


def test_the_counts_link_to_a_page_per_verdict_holding_exactly_its_rows():
    page, tally = _page(), ledger.counts(ENTRIES)
    for verdict, path in ledger.verdict_pages().items():
        stem = ledger.verdict_page(verdict)
        assert path.stem == stem
        assert f"| {{doc}}`{verdict} <{stem}>` | {tally.get(verdict, 0)} |" in page
        text = _page(path)
        assert not _row_targets(text), f"{stem}: rows have their targets on the ledger page only"
        blocks = _row_blocks(text)
        assert {cls for cls, _ in blocks} <= {verdict.replace(" ", "-")}, stem
        assert sorted(i for _, i in blocks) == sorted(e["id"] for e in ENTRIES
                                                      if e["verdict"] == verdict), stem
    assert f"| **total** | **{len(ENTRIES)}** |" in page


def test_the_page_groups_rows_by_chapter_under_the_chapters_anchor():
    page = _page()
    stems = [s for s in ORDER if any(e["chapter"] == s for e in ENTRIES)]
    assert re.findall(r"^\((registro-[\w-]+)\)=\n## ", page, re.MULTILINE) == \
        [ledger.anchor(s) for s in stems]
    assert "registro" in ORDER


def test_the_verdict_pages_are_in_the_table_of_contents_under_the_ledger():
    toc = yaml.safe_load((ledger.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    ledger_entry = next(c for part in toc["parts"] for c in part["chapters"]
                        if c["file"] == "chapters/registro")
    assert [s["file"] for s in ledger_entry["sections"]] == \
        [f"chapters/{ledger.verdict_page(v)}" for v in ledger.VERDICTS]


def test_evidence_links_to_its_label_and_to_the_chapter_only_without_one():
    def evidence(label):
        return ledger._evidence(_entry(evidence={"label": label} if label else {}),
                                sections={"sec-a"})
    assert evidence("fig-a") == "{numref}`fig-a`"
    assert evidence("tab-a") == "{numref}`tab-a`"
    assert evidence("eq-a") == "ecuación {eq}`eq-a`"
    assert evidence("sec-a") == "apartado «{ref}`sec-a`»"  # a heading's target: its title
    assert evidence("claim-a") == "{ref}`texto <claim-a>`"
    assert evidence("glue:x") == evidence(None) == "{doc}`capítulo <02-1-perceptron>`"
    # A glued value links to the section it is shown in, where that section has a target.
    assert ledger._evidence(_entry(evidence={"label": "glue:x"}), {"sec-a"}, {"x": "sec-a"}) \
        == "apartado «{ref}`sec-a`»"
    assert ledger.links_to_chapter_top(_entry(evidence={"label": "glue:x"}), {})
    assert not ledger.links_to_chapter_top(_entry(evidence={"label": "glue:x"}), {"x": "s"})
    assert not ledger.links_to_chapter_top(_entry(evidence={"label": "fig-a"}))
    both = ledger._evidence(_entry(evidence={"label": "fig-a", "card": "results/c.json",
                                             "test": ["tests/t.py::test_a", "tests/t.py::test_b"]}))
    assert both == "{numref}`fig-a`; pruebas `test_a`, `test_b`; ficha `results/c.json`"


def test_glued_values_are_found_under_the_innermost_heading_with_a_target(tmp_path):
    (tmp_path / "c.md").write_text(
        "# Capítulo\n\nValor {glue:text}`top:.2f`.\n\n(sec-a)=\n## A\n\n{glue}`a1` y "
        "{glue:text}`a2:.1%`.\n\n### A.1, sin etiqueta\n\n{glue:text}`a3`\n\n"
        "(sec-b)=\n## B\n\n```{glue:figure} fig_b\n```\n\n{glue:text}`a1`\n\n"
        "## C, sin etiqueta\n\n{glue:text}`c1`\n", encoding="utf-8")
    assert ledger.glue_sections("c", tmp_path) == \
        {"a1": "sec-a", "a2": "sec-a", "a3": "sec-a", "fig_b": "sec-b"}
    assert ledger.section_labels("c", tmp_path) == {"sec-a", "sec-b"}


def test_a_row_shows_its_basis_budget_and_reason_when_it_has_them():
    def card(**kw):
        return "\n".join(ledger._card(_entry(**kw), set(), target=True))
    plain = card(basis=None)
    assert "**Base:**" not in plain and plain.startswith("(fila-x-1)=\n::::{container} fila v-")
    run = card(basis="run", verdict="sin evidencia",
               budget={"unit": "epochs", "claim": 100, "run": 10, "seeds": 1})
    assert "**Base:** corridas; épocas: 10 en el libro frente a 100 en la tesis; semillas: 1." \
        in run and "fila v-sin-evidencia" in run
    steps = card(basis="run", budget={"unit": "pasos del generador", "claim": None, "run": 23400,
                                      "seeds": 3,
                                      "regime": "la tesis habla de las primeras épocas"})
    assert "pasos del generador: 23\u202f400 en el libro, la tesis no da una cifra; semillas: " \
           "3; régimen: la tesis habla de las primeras épocas." in steps
    why = card(basis="untestable", verdict="no verificable", why="Un juicio de valor.")
    assert "**Base:** no comprobable. Por qué no se puede comprobar: Un juicio de valor." in why
    assert "**Base:** cálculo exacto." in card(basis="exact")
    assert "**Base:** fuente." in card(basis="source")


def test_the_chapter_links_tool_rewrites_one_cell_per_chapter_idempotently(tmp_path):
    import shutil
    stems = ("02-1-perceptron", "05-conclusiones", "06-apendice-optimizacion")
    for stem in stems:
        shutil.copy(ledger.ROOT / "chapters" / f"{stem}.ipynb", tmp_path)
    shutil.copy(ledger.ROOT / "chapters" / "01-introduccion.md", tmp_path)
    # A notebook without the old sentence gets the cell at its end.
    plain = json.loads((tmp_path / "06-apendice-optimizacion.ipynb").read_text())
    plain["cells"] = [c for c in plain["cells"]
                      if ledger.LINKS_OPENING not in "".join(c["source"])]
    (tmp_path / "06-apendice-optimizacion.ipynb").write_text(json.dumps(plain))
    rows = [_entry(id="a-1", chapter="02-1-perceptron", verdict="corregido"),
            _entry(id="a-2", chapter="02-1-perceptron"),
            _entry(id="b-1", chapter="05-conclusiones"),
            _entry(id="c-1", chapter="06-apendice-optimizacion", verdict="no verificable"),
            _entry(id="d-1", chapter="01-introduccion", verdict="difiere")]
    assert {p.name for p in ledger.chapter_links(rows, tmp_path, write=False)} == \
        {f"{s}.ipynb" for s in stems} | {"01-introduccion.md"}
    before = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert len(ledger.chapter_links(rows, tmp_path)) == 4
    assert ledger.chapter_links(rows, tmp_path) == []  # the second run changes nothing
    for stem in stems:
        nb = json.loads((tmp_path / f"{stem}.ipynb").read_text())
        tagged = [c for c in nb["cells"] if ledger.LINKS_TAG in c["metadata"].get("tags", [])]
        assert len(tagged) == 1 and "".join(tagged[0]["source"]) == \
            ledger.chapter_links_source(rows, stem)
        assert sum(ledger.LINKS_OPENING in "".join(c["source"])
                   for c in nb["cells"]) == 1  # the old sentence became the new cell
        old = json.loads(before[f"{stem}.ipynb"])
        assert len(nb["cells"]) == len(old["cells"]) + (stem == "06-apendice-optimizacion")
    perceptron = ledger.chapter_links_source(rows, "02-1-perceptron")
    assert "<registro-02-1-perceptron>" in perceptron
    assert "- **reproducido**: {ref}`c <fila-a-2>`" in perceptron
    assert "- **corregido**: {ref}`c <fila-a-1>`" in perceptron
    assert perceptron.startswith("## En el registro de afirmaciones") and ":::{dropdown}" in perceptron
    intro = (tmp_path / "01-introduccion.md").read_text()
    base = before["01-introduccion.md"].split(ledger.LINKS_BEGIN)[0].rstrip("\n")
    assert intro.startswith(base)
    assert intro.count(ledger.LINKS_BEGIN) == 1 and "{ref}`c <fila-d-1>`" in intro
    # A chapter whose rows all moved away loses its cell (its links would point nowhere).
    assert len(ledger.chapter_links(rows[:2], tmp_path)) == 3
    assert "registro-filas" not in (tmp_path / "05-conclusiones.ipynb").read_text()
    assert (tmp_path / "01-introduccion.md").read_text() == base + "\n"


def _entry(**kw):
    return {"id": "x-1", "section": "2.1", "chapter": "02-1-perceptron", "claim": "c",
            "verdict": "reproducido", "basis": "exact", "obtained": "o",
            "evidence": {"test": "tests/test_x.py::test_x"}, **kw}


def test_a_rows_link_text_is_its_claim_cut_at_a_word():
    assert ledger._short("Un perceptrón no puede aprender XOR.") == "Un perceptrón no puede aprender XOR"
    long = ledger._short("La red de 22 capas (GoogLeNet, ILSVRC 2014) tiene un error top-5 de 6,7 % "
                         "(párrafo de la figura 8)")
    assert long.endswith("…") and len(long) <= 71 and " " + long[:-1].split()[-1] + " " in \
        " La red de 22 capas (GoogLeNet, ILSVRC 2014) tiene un error top-5 de 6,7 % "
    assert "`" not in ledger._short("usa `keras.layers.Dense` <x>")
    # a cut never ends on an operator or on a word that announces more
    assert ledger._short("Para G fijo el discriminador óptimo es D*(x) = p_data/(p_data + p_g) y "
                         "algo más", 40) == "Para G fijo el discriminador óptimo es…"
    assert ledger._short("DCGAN: espacio latente de dimensión 100, Adam con tasa 0,0002 y momento "
                         "0,5, lotes de 256", 66).endswith("0,0002…")


def test_validation_names_the_problem():
    with pytest.raises(ledger.LedgerError, match="used twice"):
        ledger.validate([_entry(), _entry()])
    with pytest.raises(ledger.LedgerError, match="verdict 'ok'"):
        ledger.validate([_entry(verdict="ok")])
    with pytest.raises(ledger.LedgerError, match="missing obtained"):
        ledger.validate([_entry(obtained="")])
    with pytest.raises(ledger.LedgerError, match="needs the card and key"):
        ledger.validate([_entry(evidence={"value": 1.0})])
    with pytest.raises(ledger.LedgerError, match="lower-case"):
        ledger.validate([_entry(id="X 1")])
    with pytest.raises(ledger.LedgerError, match="x-1: 'corregido' needs a test .*verdicts.py"):
        ledger.validate([_entry(verdict="corregido", evidence={"label": "fig-and"})])


def test_card_value_reads_json_keys_and_csv_columns_and_reduces(tmp_path):
    for seed, acc in enumerate((0.9, 0.8)):
        (tmp_path / f"c-seed{seed}.json").write_text(json.dumps({"m": {"acc": acc}}))
    (tmp_path / "h.csv").write_text("epoch,fd\n1,300\n2,200\n")
    glob = {"card": "c-seed*.json", "key": "m.acc"}
    assert ledger.card_value({**glob, "stat": "mean"}, tmp_path) == pytest.approx(0.85)
    assert ledger.card_value({**glob, "stat": "max"}, tmp_path) == 0.9
    assert ledger.card_value({"card": "h.csv", "key": "fd", "stat": "last"}, tmp_path) == 200
    with pytest.raises(ledger.LedgerError, match="2 numbers"):
        ledger.card_value(glob, tmp_path)
    with pytest.raises(ledger.LedgerError, match="no file matches"):
        ledger.card_value({"card": "none.json", "key": "a"}, tmp_path)
    assert ledger.agrees(0.9764, 0.97640001) and not ledger.agrees(0.9764, 0.9770)

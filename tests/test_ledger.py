"""The claims ledger (results/claims.yml): its evidence exists, its numbers are the cards'
numbers, its page is up to date, and every chapter it covers links to its rows."""

import json
import re

import pytest

from thesis_lib.book import ledger

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


def test_the_committed_page_is_up_to_date():
    assert ledger.PAGE.read_text(encoding="utf-8") == ledger.render_page(ENTRIES, ORDER), \
        "run `python -m thesis_lib.book.ledger` to rewrite chapters/registro.md"


def test_every_chapter_in_the_ledger_links_to_its_rows():
    for stem in sorted({e["chapter"] for e in ENTRIES}):
        assert f"<{ledger.anchor(stem)}>" in _notebook_text(stem), \
            f"{stem} does not link to its rows of the ledger ({ledger.anchor(stem)})"


def test_the_page_counts_every_verdict_and_groups_by_chapter():
    page = ledger.PAGE.read_text(encoding="utf-8")
    for verdict, n in ledger.counts(ENTRIES).items():
        assert f"| {verdict} | {n} |" in page
    assert page.count("\n## ") == len({e["chapter"] for e in ENTRIES})
    assert "registro" in ORDER


def _entry(**kw):
    return {"id": "x-1", "section": "2.1", "chapter": "02-1-perceptron", "claim": "c",
            "verdict": "reproducido", "obtained": "o", "evidence": {}, **kw}


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

"""The verdict rules (thesis_lib.book.verdicts): each rule catches what it should, every row of
the ledger follows them, and a run-based row's recorded budget is its cards' budget."""

import json

import pytest
import yaml

from thesis_lib.book import ledger, verdicts

ENTRIES = ledger.load()


def _row(**kw):
    row = {"id": "x", "section": "4.2", "chapter": "04-2-dcgan", "claim": "c", "verdict": "reproducido",
           "obtained": "o", "basis": "exact", "evidence": {"test": "tests/test_x.py::test_x"}}
    row.update(kw)
    return row


def _run(verdict, claim, run, seeds, regime=None):
    budget = {"unit": "épocas", "claim": claim, "run": run, "seeds": seeds}
    if regime:
        budget["regime"] = regime
    return _row(verdict=verdict, basis="run", budget=budget,
                evidence={"card": "results/dcgan/baseline-full-e10-seed1/card.json"})


def test_a_well_formed_row_has_no_problems():
    assert verdicts.problems(_row()) == []
    assert verdicts.problems(_run("reproducido", 10, 10, 1)) == []
    assert verdicts.problems(_run("sin evidencia", 100, 10, 1)) == []


def test_a_run_shorter_than_the_claim_cannot_reproduce_or_differ():
    assert verdicts.problems(_run("reproducido", 100, 10, 1))
    assert verdicts.problems(_run("difiere", 100, 10, 3))
    # ... unless the row says why the claim is about the smaller regime
    assert verdicts.problems(_run("reproducido", 100, 10, 1, regime="a claim of possibility")) == []


def test_differing_from_runs_needs_three_seeds():
    assert verdicts.problems(_run("difiere", 10, 10, 2))
    assert verdicts.problems(_run("difiere", 10, 10, 3)) == []


def test_untestable_goes_with_no_verificable_and_says_why():
    assert verdicts.problems(_row(verdict="no verificable"))            # basis exact: testable
    assert verdicts.problems(_row(basis="untestable"))                  # but called reproducido
    assert verdicts.problems(_row(verdict="no verificable", basis="untestable"))   # no why
    assert verdicts.problems(_row(verdict="no verificable", basis="untestable", why="a value judgement")) == []


def test_a_label_alone_is_not_evidence_and_a_correction_needs_a_test():
    assert verdicts.problems(_row(evidence={"label": "fig-x"}))
    assert verdicts.problems(_row(verdict="sin evidencia", evidence={"label": "fig-x"})) == []
    assert verdicts.problems(_row(verdict="corregido", evidence={"card": "results/x.json"}))
    assert verdicts.problems(_row(verdict="corregido")) == []


def test_budgets_belong_to_run_rows_and_run_rows_have_them():
    assert verdicts.problems(_row(budget={"unit": "épocas", "claim": 1, "run": 1, "seeds": 1}))
    assert verdicts.problems(_row(basis="run"))
    assert verdicts.problems(_row(basis="a guess"))


def test_the_ledger_and_the_rules_share_the_verdicts():
    assert ledger.VERDICTS == verdicts.VERDICTS == tuple(verdicts.RULES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_every_row_follows_the_rules(entry):
    assert verdicts.problems(entry) == [], entry["id"]


# The unit a budget counts in, and the card's config key that records it.
UNIT_KEYS = {"épocas": "epochs", "pasos del generador": "steps", "pasos de la GAN": "gan_steps"}


def _budget_rows():
    rows = []
    for e in ENTRIES:
        card = e["evidence"].get("card", "")
        if e.get("basis") == "run" and card.endswith(".json") and e["budget"]["unit"] in UNIT_KEYS:
            rows.append(e)
    return rows


@pytest.mark.parametrize("entry", _budget_rows(), ids=lambda e: e["id"])
def test_a_run_rows_budget_is_its_cards_budget(entry):
    budget = entry["budget"]
    cards = [json.loads(p.read_text(encoding="utf-8")) for p in ledger.card_paths(entry["evidence"]["card"])]
    assert cards, entry["id"]
    key = UNIT_KEYS[budget["unit"]]
    # the card's own count where its config leaves it open (an epoch budget's generator steps)
    runs = {c.get("config", {}).get(key) or c.get(key) for c in cards} - {None}
    assert runs == {budget["run"]}, f"{entry['id']}: the cards ran {runs} {budget['unit']}"
    seeds = set().union(*({*c["seeds"]} if "seeds" in c else {c["seed"]} for c in cards))
    assert len(seeds) == budget["seeds"], f"{entry['id']}: the cards hold seeds {sorted(seeds)}"


INVENTORY = yaml.safe_load((ledger.ROOT / "results" / "claims_inventory.yml").read_text(encoding="utf-8"))
THESIS_SECTIONS = ("1", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "3.3", "4", "4.1", "4.2",
                   "5", "6.1", "6.2")


def test_every_inventory_row_is_a_ledger_row():
    ids = {e["id"] for e in ENTRIES}
    unknown = sorted({i["row"] for i in INVENTORY if i.get("row")} - ids)
    assert not unknown, f"the inventory names rows the ledger lacks: {unknown}"
    uncovered = [i for i in INVENTORY if i.get("checkable", True) and not i.get("row")]
    assert all(i.get("note") for i in uncovered), "an uncovered statement says why in 'note'"


def test_the_ledger_covers_95_percent_of_the_checkable_statements_in_every_section():
    checkable = [i for i in INVENTORY if i.get("checkable", True)]
    covered = [i for i in checkable if i.get("row")]
    assert len(checkable) >= 300 and len(covered) / len(checkable) >= 0.95
    assert len(ENTRIES) >= 155
    sections = {str(e["section"]) for e in ENTRIES}
    assert set(THESIS_SECTIONS) <= sections, set(THESIS_SECTIONS) - sections
    for section in THESIS_SECTIONS:
        mine = [i for i in checkable if i["section"] == section]
        assert mine, f"no inventory entry for §{section}"
        assert sum(bool(i.get("row")) for i in mine) / len(mine) >= 0.8, section   # small sections: one miss is 1/7

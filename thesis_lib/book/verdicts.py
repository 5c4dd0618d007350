"""The rule behind every verdict of the claims ledger (``results/claims.yml``): what evidence
each verdict needs, written once for the ledger page (:data:`RULES`, Spanish) and enforced on
every row (:func:`problems`), so that the same kind of evidence always gets the same verdict.

Each row says what its evidence rests on (``basis``):

* ``exact``: an identity, a derivation, a hand-worked table or an arithmetic fact, checked by a
  test against an independent reference (exact arithmetic, finite differences, a second
  implementation);
* ``source``: a statement about the thesis's own text, figures or tables, or about a cited work,
  checked by a test against that text or source;
* ``run``: what training runs produce. Such a row records its ``budget``: the unit (``epochs``,
  ``steps``, ...), the claim's own setting (``claim``; ``null`` where the thesis states none),
  the book's run (``run``) and its number of seeds (``seeds``). A run smaller than the claim's
  setting can give at most "sin evidencia", unless ``regime`` says why the claim is about that
  smaller regime; a "difiere" from runs needs at least three seeds, so that the difference can be
  set against the spread;
* ``untestable``: nothing the book could run or compute would test it; ``why`` says so.

A row that is testable but not (yet) tested is "sin evidencia", never "no verificable".
"""

from __future__ import annotations

VERDICTS = ("reproducido", "difiere", "corregido", "sin evidencia", "no verificable")
BASES = ("exact", "source", "run", "untestable")
MIN_SEEDS_TO_DIFFER = 3

# The page shows these, in this order, above the counts.
RULES = {
    "reproducido": "el cálculo o la corrida del libro, en el mismo escenario que la afirmación "
                   "(si se basa en corridas, con al menos el presupuesto de épocas o pasos que "
                   "la tesis indica, salvo que la afirmación sea de posibilidad, como «puede "
                   "variar», y la fila diga por qué una corrida menor alcanza), da lo que dice la "
                   "tesis, dentro de la tolerancia indicada; lo comprueba una prueba que puede "
                   "fallar o una ficha guardada.",
    "difiere": "con ese mismo escenario y presupuesto, el libro obtiene otra cosa, más allá de "
               "la tolerancia o del intervalo; si se basa en corridas, con al menos tres "
               "semillas, para comparar la diferencia con la variación entre ellas.",
    "corregido": "la tesis contiene un error demostrable (de cuentas, de una fórmula, de una "
                 "definición o de lectura de su propia fuente) y el libro muestra la versión "
                 "correcta; una prueba lo comprueba.",
    "sin evidencia": "la afirmación se puede poner a prueba, pero el libro no la ha puesto a "
                     "prueba todavía, o sus corridas son más chicas que el escenario de la "
                     "afirmación, o tienen pocas semillas para decidir.",
    "no verificable": "ningún cálculo ni corrida podría ponerla a prueba (por ejemplo, un "
                      "juicio de valor o un hecho histórico sin datos); la fila dice por qué.",
}


def _tests(evidence: dict) -> list[str]:
    tests = evidence.get("test") or []
    return [tests] if isinstance(tests, str) else list(tests)


def problems(entry: dict) -> list[str]:
    """What in ``entry`` breaks the rules, one short sentence each (empty when it follows
    them). Field presence and the verdict's spelling are the ledger's own validation."""
    verdict, basis = entry.get("verdict"), entry.get("basis")
    ev = entry.get("evidence") or {}
    found = []
    if basis not in BASES:
        return [f"basis must be one of {', '.join(BASES)}"]
    if (verdict == "no verificable") != (basis == "untestable"):
        found.append("'no verificable' goes with basis 'untestable' and only with it; a claim "
                     "that can be tested but was not is 'sin evidencia'")
    if basis == "untestable":
        if not str(entry.get("why") or "").strip():
            found.append("an untestable row says why no test is possible (field 'why')")
        return found
    if verdict != "sin evidencia" and not (_tests(ev) or ev.get("card")):
        found.append(f"'{verdict}' needs a test or a committed card; a chapter label alone is "
                     "not evidence")
    if verdict == "corregido" and not _tests(ev):
        found.append("'corregido' needs a test that demonstrates the correction")
    if basis == "run":
        found += _budget_problems(entry)
    elif entry.get("budget") is not None:
        found.append("only rows with basis 'run' record a budget")
    return found


def _budget_problems(entry: dict) -> list[str]:
    budget, verdict = entry.get("budget"), entry["verdict"]
    if not isinstance(budget, dict) or not {"unit", "run", "seeds"} <= set(budget):
        return ["a row with basis 'run' records budget: {unit, claim, run, seeds}"]
    found = []
    claim, run, seeds = budget.get("claim"), budget["run"], budget["seeds"]
    regime = str(budget.get("regime") or "").strip()
    if verdict in ("reproducido", "difiere") and claim is not None and run < claim and not regime:
        found.append(f"a run of {run} {budget['unit']} against the claim's {claim} can give at "
                     "most 'sin evidencia' (or say in 'regime' why the claim is about the "
                     "smaller run)")
    if verdict == "difiere" and seeds < MIN_SEEDS_TO_DIFFER:
        found.append(f"'difiere' from runs needs at least {MIN_SEEDS_TO_DIFFER} seeds "
                     f"(this row has {seeds})")
    return found

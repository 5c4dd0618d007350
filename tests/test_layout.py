"""The package's shape: one room per role, dependencies pointing one way, no import cycles, no
hidden imports, no Spanish text and no plotting in the engine."""

import ast
import gc
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "thesis_lib"

# Imports of the project's own modules allowed inside a function: each needs a backend that
# may not be installed (JAX), so it cannot sit at the top of a module every backend imports.
ALLOWED_INSIDE = {("thesis_lib.gan.model", "thesis_lib.gan.jax_step")}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _targets(node, module: str, known) -> list[str]:
    """The project modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative import
            base = ".".join(module.split(".")[:-node.level] + ([base] if base else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                 for a in node.names]
    out = []
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != "thesis_lib":
            out.append(name)
    return sorted(set(out))


def import_graph() -> tuple[dict[str, set], list[tuple[str, str]]]:
    """Module-level edges between project modules, and the imports hidden in functions."""
    # Parsing the package makes hundreds of thousands of short-lived nodes; inside the test
    # session every full garbage collection they trigger also walks the live TensorFlow objects
    # of earlier tests (13 s instead of under 1 s). Nothing here makes a reference cycle.
    gc.disable()
    try:
        return _import_graph()
    finally:
        gc.enable()


def _import_graph() -> tuple[dict[str, set], list[tuple[str, str]]]:
    known = modules()
    edges, inside = {}, []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[name] = set()
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges[name] |= set(_targets(node, name, known)) - {name}
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(func):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        inside += [(name, t) for t in _targets(node, name, known)]
    return edges, inside


def cycles(edges) -> list[list[str]]:
    found, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_the_package_has_no_import_cycles():
    edges, inside = import_graph()
    # Lazy imports count too: a cycle through a function is still a cycle.
    for src, dst in inside:
        edges[src].add(dst)
    assert cycles(edges) == []


def test_no_project_import_hides_inside_a_function():
    _, inside = import_graph()
    assert sorted(set(inside) - ALLOWED_INSIDE) == []


# The rooms of the package and where each may import from. Dependencies point one way: the
# engine (gan, models, evaluation, nn and the shared modules at the top) <- the studies <- the
# chapter reports <- the chapters; the book tooling reads only the shared modules.
ROOMS = ("nn", "models", "evaluation", "gan", "studies", "report", "book")
ALLOWED = {
    "core": {"core"},
    "nn": {"core", "nn"},
    "models": {"core", "models"},
    "evaluation": {"core", "models", "evaluation"},
    "gan": {"core", "models", "gan"},
    "studies": {"core", "nn", "models", "evaluation", "gan", "studies"},
    "report": {"core", "nn", "models", "evaluation", "gan", "studies", "report"},
    "book": {"core", "book"},
}
ENGINE = ("gan", "models", "evaluation")
# Old command paths kept for one release (the README lists the new ones): thin aliases.
ALIASES = {"thesis_lib.batch": "thesis_lib.studies.batch"}
# The profiles validate loss names against the engine's registry of families, which imports no
# Keras (tests/test_gan_losses.py checks): the one edge from the shared modules into the engine.
EXCEPTIONS = {("thesis_lib.profiles", "thesis_lib.gan.families")}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else "core"


def test_dependencies_point_from_the_chapters_down_to_the_engine():
    edges, inside = import_graph()
    for src, dst in inside:
        edges[src].add(dst)
    wrong = [f"{src} ({room(src)}) imports {dst} ({room(dst)})"
             for src in sorted(edges) for dst in sorted(edges[src])
             if room(dst) not in ALLOWED[room(src)] and ALIASES.get(src) != dst
             and (src, dst) not in EXCEPTIONS]
    assert wrong == []


def test_the_room_rule_can_fail():
    assert room("thesis_lib.gan.model") == "gan" and room("thesis_lib.formatting") == "core"
    assert "report" not in ALLOWED["gan"] and "studies" not in ALLOWED["core"]


def _literals_with_spanish(path: Path) -> list[str]:
    """String constants (docstrings aside) with Spanish letters: chapter text, not engine code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and ast.get_docstring(node, clean=False) is not None}
    return [f"{path.name}:{node.lineno}: {node.value[:40]!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and any(c in node.value for c in "áéíóúñ¿¡")]


def test_the_engine_holds_no_spanish_text():
    found = [hit for name, path in modules().items() if room(name) in ENGINE
             for hit in _literals_with_spanish(path)]
    assert found == []


def test_the_spanish_text_finder_finds_spanish(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text('"""Docstring: época."""\nLABEL = "época"\n', encoding="utf-8")
    assert len(_literals_with_spanish(sample)) == 1


def _loaded_after(imports: list[str]) -> set[str]:
    code = "import sys\n" + "".join(f"import {name}\n" for name in imports) + \
        "print('\\n'.join(sorted(sys.modules)))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "MPLBACKEND": "Agg"}).stdout.split())


def test_the_engine_names_no_plotting_library():
    plotting = ("matplotlib", "seaborn", "IPython", "myst_nb")
    found = []
    for name, path in modules().items():
        if room(name) not in ENGINE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{name}: {n}" for n in names if n.split(".")[0] in plotting]
    assert found == []


def test_importing_the_engine_loads_no_study_no_report_and_no_more_plotting_than_keras():
    engine = [name for name in modules() if room(name) in ENGINE]
    loaded, keras_alone = _loaded_after(engine), _loaded_after(["keras"])
    assert sorted(m for m in loaded - keras_alone if m.split(".")[0] in ("matplotlib", "seaborn")) == []
    assert sorted(m for m in loaded if m.startswith("thesis_lib.")
                  and room(m) in ("studies", "report", "book")) == []


def test_the_gan_folder_holds_the_engine_only():
    found = {p.stem for p in (PACKAGE / "gan").glob("*.py")} - {"__init__"}
    assert found == {"model", "losses", "families", "jax_step", "training", "latent", "infogan",
                     "grids"}
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("_")} \
        == set(ROOMS) | {"assets"}


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


if __name__ == "__main__":  # the graph for a closing note: python tests/test_layout.py
    graph, _ = import_graph()
    for mod in sorted(graph):
        print(f"{mod}: {', '.join(sorted(graph[mod])) or '—'}")

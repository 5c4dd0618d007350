"""The package's shape: parts of the book as subpackages, no import cycles, no hidden imports."""

import ast
import gc
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("package, members", [
    ("nn", {"perceptron", "feedforward", "regularization", "autodiff", "convolution", "optim"}),
    ("gan", {"model", "losses", "jax_step", "training", "latent", "infogan"}),
])
def test_parts_of_the_book_are_subpackages(package, members):
    found = {p.stem for p in (PACKAGE / package).glob("*.py")} - {"__init__"}
    assert members <= found
    assert not any((PACKAGE / f"{m}.py").exists() for m in members | {"gan_runs", "gan_results"})


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


if __name__ == "__main__":  # the graph for a closing note: python tests/test_layout.py
    graph, _ = import_graph()
    for mod in sorted(graph):
        print(f"{mod}: {', '.join(sorted(graph[mod])) or '—'}")

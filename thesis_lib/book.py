"""Book maintenance: the setup cell every chapter opens with, rendered from ``_config.yml``.

The repository URL lives in one place, ``repository.url`` in ``_config.yml``; it drives the
launch buttons and the repository link of the HTML book and, through this module, the Colab
install step of every chapter. After changing it run ``python -m thesis_lib.book`` to rewrite
the setup cells; a test fails while any chapter is out of date.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETUP_TAGS = ["hide-cell", "nbval-ignore-output"]

SETUP_TEMPLATE = '''\
# Preparación del entorno (la misma celda en todos los capítulos; la genera thesis_lib.book).
# En JupyterLab usa el paquete thesis_lib ya instalado; en Colab instala el repositorio y sus
# dependencias fijadas, y luego informa dónde corre el cuaderno y si hay una GPU en uso.
import importlib, importlib.util, subprocess, sys
REPOSITORY = "{repository}"
if importlib.util.find_spec("thesis_lib") is None:
    if importlib.util.find_spec("google.colab") is None:
        raise ModuleNotFoundError("thesis_lib no está instalado: ejecute `pip install -r "
                                  "requirements.txt -e .` en la raíz del repositorio (ver README).")
    subprocess.run(["git", "clone", "--depth", "1", REPOSITORY, "/content/libro"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-c",
                    "/content/libro/requirements.txt", "/content/libro"], check=True)
    importlib.invalidate_caches()
from thesis_lib.environment import report
print(report())'''


def repository_url(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def setup_cell_source(root: Path = ROOT) -> str:
    return SETUP_TEMPLATE.format(repository=repository_url(root))


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "chapters").glob("*.ipynb"))


def sync_setup_cells(root: Path = ROOT) -> list[Path]:
    """Make the first cell of every chapter the current setup cell; return the files changed."""
    source = setup_cell_source(root)
    changed = []
    for path in chapter_notebooks(root):
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = nb["cells"][0] if nb["cells"] else None
        is_setup = (first is not None and first["cell_type"] == "code"
                    and "".join(first["source"]).startswith("# Preparación del entorno"))
        cell = {"cell_type": "code", "execution_count": None,
                "metadata": {"tags": list(SETUP_TAGS)}, "outputs": [],
                "source": source.splitlines(keepends=True)}
        if is_setup:
            if "".join(first["source"]) == source and first["metadata"].get("tags") == SETUP_TAGS:
                continue
            if "id" in first:
                cell["id"] = first["id"]
            nb["cells"][0] = cell
        else:
            cell["id"] = "setup"
            nb["cells"].insert(0, cell)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        changed.append(path)
    return changed


def refresh_checks(path: Path, timeout: int = 600) -> None:
    """Execute a chapter (quick profile) and store only the outputs of its check cells.

    Cells with ``"keep_output": true`` hold deterministic results that ``pytest --nbval``
    compares; every other output is dropped by nbstripout.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    # nbstripout keeps the outputs of keep_output cells and drops the rest ...
    subprocess.run([sys.executable, "-m", "nbstripout", str(path)], check=True)
    # ... but also their execution counts, and nbval skips a cell without one ("unrun").
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and cell.metadata.get("keep_output"):
            cell.execution_count = number
    nbformat.write(nb, path)


def unrendered_figures(html_dir: str | Path) -> dict[str, int]:
    """Pages of a built book whose figures came out as text ("<Figure size ...>") instead of
    images, with how many; happens when the kernels run without an inline backend."""
    found = {}
    for page in sorted(Path(html_dir).rglob("*.html")):
        count = page.read_text(encoding="utf-8").count("&lt;Figure size")
        if count:
            found[str(page.relative_to(html_dir))] = count
    return found


def main(argv: list[str]) -> int:
    """``python -m thesis_lib.book`` syncs setup cells; ``--refresh NB...`` re-runs checks;
    ``--check-figures HTML_DIR`` fails if a built page shows a figure as text."""
    if argv[:1] == ["--check-figures"]:
        bad = unrendered_figures(argv[1] if len(argv) > 1 else ROOT / "_build" / "html")
        for page, count in bad.items():
            print(f"{page}: {count} figure(s) rendered as text, not as images")
        if bad:
            print("Build the book without MPLBACKEND set, so the kernels use the inline backend.")
        return 1 if bad else 0
    for p in sync_setup_cells():
        print(f"updated setup cell of {p.relative_to(ROOT)}")
    if argv[:1] == ["--refresh"]:
        for name in argv[1:] or [str(p) for p in chapter_notebooks()]:
            refresh_checks(Path(name).resolve())
            print(f"refreshed check outputs of {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

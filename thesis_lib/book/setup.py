"""Book maintenance: the setup cell every chapter opens with, rendered from ``_config.yml``.

The repository URL lives in one place, ``repository.url`` in ``_config.yml``; it drives the
launch buttons and the repository link of the HTML book and, through this module, the Colab
install step of every chapter. After changing it run ``python -m thesis_lib.book.setup`` to rewrite
the setup cells; a test fails while any chapter is out of date.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import yaml

from thesis_lib import cli

ROOT = Path(__file__).resolve().parents[2]
SETUP_TAGS = ["hide-cell", "nbval-ignore-output"]

SETUP_TEMPLATE = '''\
# Preparación del entorno (la misma celda en todos los capítulos; la genera thesis_lib.book.setup).
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
from thesis_lib.logs import quiet_tensorflow
quiet_tensorflow()
print(report())'''


def repository_url(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def setup_cell_source(root: Path = ROOT) -> str:
    return SETUP_TEMPLATE.format(repository=repository_url(root))


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "chapters").glob("*.ipynb"))


def _is_setup(cell) -> bool:
    return cell["cell_type"] == "code" and "".join(cell["source"]).startswith(
        "# Preparación del entorno")


def _is_title(cell) -> bool:
    return cell["cell_type"] == "markdown" and "".join(cell["source"]).lstrip().startswith("# ")


def sync_setup_cells(root: Path = ROOT) -> list[Path]:
    """Make the cell right after each chapter's title the current setup cell (hidden in the
    HTML, so the page opens with its title); return the files changed."""
    source = setup_cell_source(root)
    changed = []
    for path in chapter_notebooks(root):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        old = [i for i, c in enumerate(cells) if _is_setup(c)]
        titles = [i for i, c in enumerate(cells) if _is_title(c)]
        if not titles:
            raise ValueError(f"{path.name}: no title cell ('# ...' markdown); every chapter "
                             "opens with its title")
        cell = {"cell_type": "code", "execution_count": None,
                "metadata": {"tags": list(SETUP_TAGS)}, "outputs": [],
                "source": source.splitlines(keepends=True)}
        if old and old[0] == titles[0] + 1 and "".join(cells[old[0]]["source"]) == source \
                and cells[old[0]]["metadata"].get("tags") == SETUP_TAGS:
            continue
        cell["id"] = cells[old[0]].get("id", "setup") if old else "setup"
        for i in reversed(old):
            del cells[i]
        title = next(i for i, c in enumerate(cells) if _is_title(c))
        cells.insert(title + 1, cell)
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


# What a chapter's outputs depend on besides its own cells: the library, the pinned
# environment and the committed results it reads. jupyter-cache keys only on the cells.
FINGERPRINTED = ("thesis_lib", "results", "examples", "requirements.txt", "pyproject.toml")


def code_fingerprint(root: Path = ROOT) -> str:
    """A short hash of everything outside a chapter that its outputs depend on."""
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        base = root / name
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            if "__pycache__" in path.parts or "backup" in path.parts or not path.exists():
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _key_execution_cache(app, config) -> None:
    # One cache folder per fingerprint: after a change to thesis_lib, the requirements or the
    # results, every chapter runs again instead of being served from a stale cache.
    base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    if base.name.startswith("code-"):
        return
    keyed = base / f"code-{code_fingerprint()}"
    if base.is_dir():
        for stale in base.glob("code-*"):
            if stale != keyed:
                import shutil
                shutil.rmtree(stale, ignore_errors=True)
    config.nb_execution_cache_path = str(keyed)


def setup(app):
    """Sphinx extension (listed in _config.yml): keys the execution cache on the code."""
    app.connect("config-inited", _key_execution_cache)
    return {"parallel_read_safe": True}


def executed_notebook(path: Path, cache_dir: Path):
    """The executed version of a chapter, as the last book build stored it in jupyter-cache."""
    import nbformat
    from jupyter_cache import get_cache

    nb = nbformat.read(path, as_version=4)
    try:
        _, executed = get_cache(cache_dir).merge_match_into_notebook(nb)
    except KeyError:
        raise KeyError(f"{path.name}: no executed copy in {cache_dir}; build the book first "
                       "(`bash .ci/run book`)") from None
    return executed


def _comparable(outputs) -> list:
    shown = []
    for out in outputs:
        if out.get("output_type") == "stream":
            shown.append((out["name"], out["text"]))
        elif out.get("output_type") in ("execute_result", "display_data"):
            data = out.get("data", {})
            shown.append(("data", data.get("text/plain", ""), data.get("text/html", "")))
        elif out.get("output_type") == "error":
            shown.append(("error", out.get("ename"), out.get("evalue")))
    # Consecutive stream chunks are one text for a reader (the kernel may split them).
    merged = []
    for item in shown:
        if merged and item[0] in ("stdout", "stderr") and merged[-1][0] == item[0]:
            merged[-1] = (item[0], merged[-1][1] + item[1])
        else:
            merged.append(item)
    return merged


def check_outputs(paths, cache_dir: Path) -> list[str]:
    """Compare the stored outputs of every ``keep_output`` cell with the outputs the book build
    produced (what ``pytest --nbval`` checks, without executing the chapter a second time).
    Returns one message per mismatch."""
    import nbformat

    problems = []
    for path in paths:
        stored = nbformat.read(path, as_version=4)
        executed = executed_notebook(path, cache_dir)
        for i, (cell, ran) in enumerate(zip(stored.cells, executed.cells)):
            if cell.cell_type != "code" or not cell.metadata.get("keep_output"):
                continue
            want, got = _comparable(cell.outputs), _comparable(ran.outputs)
            if want != got:
                problems.append(f"{path.name} cell {i}: stored output differs from this run\n"
                                f"  stored: {want!r}\n  now:    {got!r}")
    return problems


def execution_cache_dir(build_dir: Path = ROOT / "_build", root: Path = ROOT) -> Path:
    return build_dir / ".jupyter_cache" / f"code-{code_fingerprint(root)}"


def pre_execute(paths, cache_dir: Path | None = None, timeout: int = 900) -> list[str]:
    """Execute chapters into the book's execution cache as the book build would (myst-nb's
    cache mode: the chapter's folder as working directory, no errors allowed), so that a build
    running at the same time finds them done. ``.ci/run`` gives the last chapters of the book to
    its second core this way. A chapter already cached is skipped; one that fails is left out
    of the cache (the build then runs it and reports the error). Returns the failures."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    cache = get_cache(str(cache_dir or execution_cache_dir()))
    failed = []
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        try:
            cache.match_cache_notebook(nb)
            continue
        except KeyError:
            pass
        result = single_nb_execution(nb, cwd=str(path.resolve().parent), allow_errors=False,
                                     timeout=timeout, meta_override=True)
        if result.err is not None:
            failed.append(f"{path.name}: {result.err.__class__.__name__}")
            continue
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(path.resolve()),
                                                  data={"execution_seconds": result.time}),
                                    check_validity=False, overwrite=True)
        print(f"pre-executed {path.name} in {result.time:.0f} s", flush=True)
    return failed


def main(argv: list[str]) -> int:
    """``python -m thesis_lib.book.setup`` syncs setup cells; ``--refresh NB...`` re-runs checks;
    ``--check-outputs`` compares the check cells with the last book build's execution;
    ``--init-cache`` creates the execution cache; ``--pre-execute NB...`` fills it."""
    parser = cli.Parser(prog="python -m thesis_lib.book.setup",
                        description="Sync the chapters' setup cells (the default), or:")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--check-outputs", action="store_true",
                      help="the check cells' stored outputs against the last build's execution")
    what.add_argument("--init-cache", action="store_true", help="create the execution cache")
    what.add_argument("--pre-execute", nargs="+", metavar="NB", help="fill the cache with NB")
    what.add_argument("--refresh", nargs="*", metavar="NB",
                      help="execute NB (default: every chapter) and keep its check outputs")
    parser.parse_args(argv)
    if argv[:1] == ["--check-outputs"]:
        problems = check_outputs(chapter_notebooks(), execution_cache_dir())
        print("\n".join(problems) or f"check cells of {len(chapter_notebooks())} chapters: "
              "stored outputs = this build's outputs")
        return 1 if problems else 0
    if argv[:1] == ["--init-cache"]:  # before two processes open it at once
        from jupyter_cache import get_cache
        get_cache(str(execution_cache_dir()))
        return 0
    if argv[:1] == ["--pre-execute"]:
        failed = pre_execute(argv[1:])
        for line in failed:
            print(f"not pre-executed (the book build will run it): {line}")
        return 0
    for p in sync_setup_cells():
        print(f"updated setup cell of {p.relative_to(ROOT)}")
    if argv[:1] == ["--refresh"]:
        for name in argv[1:] or [str(p) for p in chapter_notebooks()]:
            refresh_checks(Path(name).resolve())
            print(f"refreshed check outputs of {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Every command line of the package: an unknown option or a bad value gets one line on stderr
and exit status 2, before any work (thesis_lib.cli)."""

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "thesis_lib"
ALIASES = {"thesis_lib.batch"}  # an old path that forwards to a command tested here


def command_modules() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
               for node in tree.body):
            name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
            if name not in ALIASES:
                found.append(name)
    return found


def test_the_commands_are_found():
    assert {"thesis_lib.studies.mnist_gan", "thesis_lib.book.ledger",
            "thesis_lib.studies.isolation"} <= set(command_modules())


@pytest.mark.parametrize("module", command_modules())
def test_an_unknown_option_is_one_line_and_status_2(module, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing a command might write lands in the checkout
    with pytest.raises(SystemExit) as stop:
        importlib.import_module(module).main(["--no-such-option"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unrecognized arguments: --no-such-option" in err[0], err
    assert not any(tmp_path.iterdir())

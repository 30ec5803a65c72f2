"""``toolkit`` stays light: it never imports ipywidgets, and ``import
toolkit`` alone does not pull in pandas or SQLAlchemy (a Voila kernel and
the command line start fast). Checked in a fresh interpreter, because this
test process has already imported everything."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import toolkit

TOOLKIT_DIR = Path(toolkit.__file__).resolve().parent


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def test_toolkit_content_and_store_do_not_import_ipywidgets():
    loaded = _top(_modules_after("import toolkit, toolkit.content, toolkit.store.answer_store"))
    assert "toolkit" in loaded and "sqlalchemy" in loaded  # the probe did import the store
    assert "ipywidgets" not in loaded
    assert "traitlets" not in loaded  # nor what ipywidgets is built on


def test_import_toolkit_alone_is_light():
    loaded = _top(_modules_after("import toolkit"))
    assert "toolkit" in loaded
    assert {"pandas", "sqlalchemy", "ipywidgets", "yaml", "numpy"} & loaded == set()


def test_loading_the_content_does_not_import_pandas_or_sqlalchemy():
    loaded = _top(_modules_after("from toolkit import content\ncontent.load()"))
    assert "yaml" in loaded
    assert {"pandas", "sqlalchemy", "ipywidgets"} & loaded == set()


def _imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call):
            # importlib.import_module("x") / __import__("x")
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if fname in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                names.add(str(node.args[0].value))
    return names


@pytest.mark.parametrize("path", sorted(TOOLKIT_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(TOOLKIT_DIR)))
def test_no_toolkit_module_imports_ipywidgets(path):
    # An AST check rather than a plain text search: the package docstring
    # says in words that nothing here imports ipywidgets. The project's own
    # ``widgets`` package is above ``toolkit`` and may not be imported either.
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    widgetish = {n for n in _imported_names(tree) if n.split(".")[0] in ("ipywidgets", "widgets")}
    assert widgetish == set(), f"{path} imports {sorted(widgetish)}"

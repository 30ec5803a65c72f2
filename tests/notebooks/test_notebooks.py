"""The packaged participant notebooks run top to bottom in a fresh kernel
(nbval, ``--nbval-lax``) against a temporary store, and stay thin: a
markdown introduction and two lines of code with no logic. (They are the
pages ``workshop serve`` builds for the packaged content; a test in
tests/toolkit/serve keeps them equal.)"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PARTICIPANT = ["stage-1-diagnosis.ipynb", "stage-2-design.ipynb", "stage-3-implementation.ipynb", "stage-4-assessment.ipynb", "priorities.ipynb"]
CODE = {
    "stage-1-diagnosis.ipynb": 'from widgets.session import Session\nSession().stage_workbook("diagnosis")',
    "stage-2-design.ipynb": 'from widgets.session import Session\nSession().stage_workbook("design")',
    "stage-3-implementation.ipynb": 'from widgets.session import Session\nSession().stage_workbook("implementation")',
    "stage-4-assessment.ipynb": 'from widgets.session import Session\nSession().stage_workbook("assessment")',
    "priorities.ipynb": "from widgets.session import Session\nSession().priorities()",
}


def code_cells(name: str) -> list[str]:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", PARTICIPANT)
def test_notebook_is_thin(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.strip()
    assert code_cells(name) == [CODE[name]]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            tree = ast.parse(cell.source)
            banned = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.If, ast.Lambda, ast.With, ast.Try)
            assert not [n for n in ast.walk(tree) if isinstance(n, banned)]
            assert "display(" not in cell.source


@pytest.mark.slow
def test_notebooks_run_top_to_bottom(tmp_path):
    from toolkit.store import AnswerStore

    db = tmp_path / "nb.sqlite"
    store = AnswerStore(f"sqlite:///{db}")
    slug = store.create_workshop("Test").slug
    store.close()
    env = {**os.environ, "WORKSHOP_DB": str(db), "WORKSHOP_SLUG": slug}
    # Only the participant notebooks: the dashboard and the facilitator
    # console have their own tests and setup.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", *[f"notebooks/{n}" for n in PARTICIPANT]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    expected = sum(len(code_cells(n)) for n in PARTICIPANT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(rf"\b{expected} passed\b", summary), summary
    assert "failed" not in summary and "error" not in summary


@pytest.mark.slow
def test_a_stage_notebook_shows_the_workbook_of_the_workshop(tmp_path, monkeypatch):
    """Executed headless, the last cell displays the workbook widget, and the
    widget state says "sign in" (not "no workshop")."""
    from nbclient import NotebookClient

    from toolkit.store import AnswerStore

    db = tmp_path / "nb.sqlite"
    store = AnswerStore(f"sqlite:///{db}")
    slug = store.create_workshop("Riverside Partners").slug
    store.close()
    monkeypatch.setenv("WORKSHOP_DB", str(db))
    monkeypatch.setenv("WORKSHOP_SLUG", slug)
    nb = nbformat.read(NOTEBOOKS / "stage-2-design.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}, store_widget_state=True).execute()
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert [o.output_type for o in last.outputs] == ["execute_result"]
    assert "application/vnd.jupyter.widget-view+json" in last.outputs[0].data
    states = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"].values()
    by_class = {}
    for model in states:
        for css in model["state"].get("_dom_classes", []):
            by_class.setdefault(css, []).append(model["state"])
    assert [s["value"] for s in by_class["xs-notice"]] == ["Sign in above to answer. You can already read every tool."]
    assert [s["_options_labels"] for s in by_class["xs-signin-workshop"]] == [["Riverside Partners"]]
    first, *others = store.kit.tools_in("design")
    # Only the first tool's panel is built with the page; the others are built when opened.
    assert len(by_class["xs-answer"]) == len(first.questions)
    assert len(by_class[f"xs-tool-{first.id}"]) == 1 and f"xs-tool-{others[0].id}" not in by_class
    assert len([m for m in states if m["state"].get("_dom_classes") and any(c.startswith("xs-tool-nav-") for c in m["state"]["_dom_classes"])]) == 1 + len(others)

"""The kit compiled once before kernels start, and what a page's kernel imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from toolkit.serve.bytecode import PACKAGES, compile_kit, package_folder


def _package(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "rules.py").write_text("LIMIT = 3\n")
    return folder


def test_compiles_a_package_even_when_python_is_told_not_to_write_bytecode(tmp_path, monkeypatch):
    folder = _package(tmp_path, "xs_compiled_pkg")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert compile_kit(["xs_compiled_pkg"]) == ("xs_compiled_pkg",)
    cached = sorted(p.name.split(".")[0] for p in (folder / "__pycache__").glob("*.pyc"))
    assert cached == ["__init__", "rules"]


def test_a_package_whose_cache_cannot_be_written_is_left_as_it_is(tmp_path, monkeypatch):
    # A file where the cache folder would go stands for a read-only
    # checkout (a root test run writes into read-only folders).
    folder = _package(tmp_path, "xs_read_only_pkg")
    (folder / "__pycache__").write_text("not a folder")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert compile_kit(["xs_read_only_pkg"]) == ()
    assert (folder / "__pycache__").read_text() == "not a folder"


def test_an_unknown_package_is_skipped():
    assert compile_kit(["xs_no_such_package"]) == ()


def test_the_kit_packages_are_found_without_importing_them():
    assert [package_folder(name).name for name in PACKAGES] == ["toolkit", "widgets"]


def test_a_workbook_kernel_imports_neither_numpy_nor_the_server():
    # What every page's kernel pays for at start-up: the page's own modules,
    # not the dashboard's numpy nor the Voila server's modules.
    code = (
        "import sys, widgets.session, widgets.stage_workbook, widgets.priorities\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'toolkit.serve.app', 'voila', 'jupyter_server', 'jsonschema') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[3])
    assert out.stdout.strip() == "[]"

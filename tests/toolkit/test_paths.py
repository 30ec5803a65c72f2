"""Packaging: where the kit finds data/ and notebooks/ (the checkout, else
the copy a plain ``pip install`` puts under ``<prefix>/share``), the wheel's
metadata as declared, and ``environment.yml`` installing the same set."""

from __future__ import annotations

import email.parser
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from toolkit import content
from toolkit.paths import SHARE_NAME, kit_folder

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_uses_its_own_folders():
    assert kit_folder("data") == ROOT / "data"
    assert content.DEFAULT_FILE == ROOT / "data" / "toolkit.yaml"
    assert kit_folder("notebooks") == ROOT / "notebooks"


def test_without_a_checkout_the_installed_copy_is_used(tmp_path):
    assert kit_folder("data", checkout=tmp_path / "site-packages", prefix=str(tmp_path / "venv")) == tmp_path / "venv" / "share" / SHARE_NAME / "data"
    (tmp_path / "src" / "notebooks").mkdir(parents=True)
    assert kit_folder("notebooks", checkout=tmp_path / "src", prefix="/nowhere") == tmp_path / "src" / "notebooks"


@pytest.mark.slow
def test_a_plain_pip_install_carries_the_content_and_the_notebooks(tmp_path):
    """Build the wheel with this venv's setuptools (which must meet
    ``[build-system] requires``), check its metadata, install it (without
    dependencies) into a fresh venv that borrows this venv's packages, and
    load the content and build the served pages from outside the checkout."""
    import setuptools

    build_requires = re.search(r'^requires = \["(setuptools[^"]*)"\]', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert Requirement(build_requires).specifier.contains(setuptools.__version__), (
        f"this venv's setuptools {setuptools.__version__} does not meet {build_requires}: the test would not build as a user's pip does"
    )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("intersector_workshop-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    meta = email.parser.Parser().parsestr(zipfile.ZipFile(wheel).read(meta_name).decode())
    assert meta["License-Expression"] == "MIT" and meta.get_all("License-File") == ["LICENSE"]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    required = {Requirement(r).name.lower(): Requirement(r) for r in meta.get_all("Requires-Dist")}
    runtime = {name for name, r in required.items() if r.marker is None}
    assert {"pytest", "nbval", "playwright", "psycopg"} & runtime == set()  # test tools and the driver are extras
    assert {"voila", "platformdirs", "sqlalchemy"} <= runtime
    assert str(required["psycopg"].marker) == 'extra == "postgres"' and str(required["nbval"].marker) == 'extra == "test"'
    # workshop serve's page template (no CDN links) and the join page ship inside the package.
    serve_dir = ROOT / "toolkit" / "serve"
    served = sorted(p.relative_to(ROOT).as_posix() for p in [*(serve_dir / "templates").rglob("*.*"), *(serve_dir / "static").rglob("*.*")])
    assert served and "toolkit/serve/templates/page/index.html.j2" in served
    assert set(served) <= set(names), f"missing from the wheel: {sorted(set(served) - set(names))}"
    share = [n.split(f"share/{SHARE_NAME}/", 1)[1] for n in names if f"share/{SHARE_NAME}/" in n]
    assert sorted(share) == sorted(
        ["data/toolkit.yaml", "data/demo.yaml"] + [f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")]
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())
    # The new venv sees this venv's packages (a plain path: its editable
    # finder is not loaded, so `toolkit` comes from the wheel).
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    probe = (
        "from toolkit import content, serve; kit = content.load(); "
        "print(content.DATA_DIR); print(len(kit.tools)); print(' '.join(p.name for p in serve.site_pages(kit)))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WORKSHOP_CONTENT")}
    out = subprocess.run([str(py), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    data_dir, tools, served = out.stdout.strip().splitlines()
    assert Path(data_dir) == venv / "share" / SHARE_NAME / "data"
    assert tools == "17"
    assert served.split() == [
        "stage-1-diagnosis.ipynb", "stage-2-design.ipynb", "stage-3-implementation.ipynb", "stage-4-assessment.ipynb",
        "priorities.ipynb", "dashboard.ipynb", "presenter.ipynb",
    ]


def _pyproject_dependencies() -> list[Requirement]:
    block = re.search(r"^dependencies = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), re.M | re.S).group(1)
    return [Requirement(r) for r in re.findall(r'^\s*"([^"]+)"', block, re.M)]


def test_environment_yml_installs_the_same_set_as_pyproject():
    """conda's names are lower case; the kit itself comes through pip."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    declared = {r.name.lower(): str(r.specifier) for r in _pyproject_dependencies()}
    listed = {Requirement(d).name.lower(): str(Requirement(d).specifier) for d in conda}
    assert listed == declared
    assert pip == ["-e ."]
    assert "voila" in declared and declared["voila"] in ("<0.6,>=0.5", ">=0.5,<0.6")


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux location")
def test_the_default_store_stays_where_earlier_versions_put_it(monkeypatch, tmp_path):
    """platformdirs names the same folder on Linux as before, so an existing
    store is found: ~/.local/share/..., or $XDG_DATA_HOME/... when set."""
    from toolkit.store import schema

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert schema.default_sqlite_path() == tmp_path / "home" / ".local" / "share" / "intersector-workshop" / "workshop.sqlite"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert schema.default_sqlite_path() == tmp_path / "xdg" / "intersector-workshop" / "workshop.sqlite"

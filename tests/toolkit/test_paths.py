"""Where the kit finds data/ and notebooks/: the checkout, else the copy a
plain ``pip install`` puts under ``<prefix>/share``."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from toolkit import content, serve
from toolkit.paths import SHARE_NAME, kit_folder

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_uses_its_own_folders():
    assert kit_folder("data") == ROOT / "data"
    assert content.DEFAULT_FILE == ROOT / "data" / "toolkit.yaml"
    assert serve.NOTEBOOKS_DIR == ROOT / "notebooks"


def test_without_a_checkout_the_installed_copy_is_used(tmp_path):
    assert kit_folder("data", checkout=tmp_path / "site-packages", prefix=str(tmp_path / "venv")) == tmp_path / "venv" / "share" / SHARE_NAME / "data"
    (tmp_path / "src" / "notebooks").mkdir(parents=True)
    assert kit_folder("notebooks", checkout=tmp_path / "src", prefix="/nowhere") == tmp_path / "src" / "notebooks"


@pytest.mark.slow
def test_a_plain_pip_install_carries_the_content_and_the_notebooks(tmp_path):
    """Build the wheel, install it (without dependencies) into a fresh
    venv that borrows this venv's packages, and load the content and list
    the served notebooks from outside the checkout."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("intersector_workshop-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
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
        "print(content.DATA_DIR); print(len(kit.tools)); print(' '.join(serve.served_notebooks()))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WORKSHOP_CONTENT")}
    out = subprocess.run([str(py), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    data_dir, tools, served = out.stdout.strip().splitlines()
    assert Path(data_dir) == venv / "share" / SHARE_NAME / "data"
    assert tools == "17"
    assert served.split() == [*(p.name for p in sorted((ROOT / "notebooks").glob("0[1-9]_*.ipynb"))), "dashboard.ipynb"]

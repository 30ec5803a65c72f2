"""Where the kit's own folders are: ``data/`` (the toolkit as data) and
``notebooks/`` (the facilitator console, and the pages ``workshop serve``
builds for the packaged content, to open in JupyterLab); and the one file
mode for what the kit writes (:func:`private_file`, :func:`private_dir`).

    >>> kit_folder("data") / "toolkit.yaml"
    >>> private_file("/srv/riverside.sqlite")     # 0600, its new folders 0700

In a checkout (and an editable install, which both commands use) they sit
beside the ``toolkit`` package. A plain ``pip install`` has no checkout:
the wheel puts them in ``<prefix>/share/intersector-workshop/`` (see
``[tool.setuptools.data-files]`` in ``pyproject.toml``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Folder name under ``<prefix>/share`` where a wheel installs the kit's folders.
SHARE_NAME = "intersector-workshop"


def kit_folder(name: str, *, checkout: Path | None = None, prefix: str | None = None) -> Path:
    """The kit's folder ``name``: the checkout's if there is one, else the
    installed copy under ``<prefix>/share/intersector-workshop/``.
    ``checkout`` and ``prefix`` default to this source tree and
    ``sys.prefix``."""
    root = checkout if checkout is not None else Path(__file__).resolve().parent.parent
    if (root / name).is_dir():
        return root / name
    return Path(prefix if prefix is not None else sys.prefix) / "share" / SHARE_NAME / name


#: The one mode for every file the kit writes (the store and its -wal and
#: -shm files, exports, a server's run folder): readable by its owner only.
PRIVATE_FILE_MODE = 0o600
#: ... and for every folder it makes.
PRIVATE_DIR_MODE = 0o700


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Make the folder ``path`` (and missing parents) owner-only; a folder
    that exists already keeps its mode (its owner chose it)."""
    folder = Path(path)
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        missing.append(parent)
    folder.mkdir(parents=True, exist_ok=True)
    for made in missing:
        os.chmod(made, PRIVATE_DIR_MODE)  # mkdir's mode is cut by the umask; chmod is not
    return folder


def private_file(path: str | os.PathLike[str]) -> Path:
    """Create the file ``path`` empty and owner-only if it does not exist
    (its folder with :func:`private_dir`), so whatever fills it (SQLite,
    an export) writes into a private file. An existing file is left as it is."""
    file = Path(path)
    private_dir(file.parent)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return file
    try:
        if hasattr(os, "fchmod"):  # os.open's mode is cut by the umask; fchmod is not
            os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return file


def write_private_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` as an owner-only file."""
    file = private_file(path)
    os.chmod(file, PRIVATE_FILE_MODE)
    file.write_text(text, encoding="utf-8")
    return file

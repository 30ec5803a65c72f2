"""Where the kit's own folders are: ``data/`` (the toolkit as data) and
``notebooks/`` (the facilitator console, and the pages ``workshop serve``
builds for the packaged content, to open in JupyterLab).

    >>> kit_folder("data") / "toolkit.yaml"

In a checkout (and an editable install, which both commands use) they sit
beside the ``toolkit`` package. A plain ``pip install`` has no checkout:
the wheel puts them in ``<prefix>/share/intersector-workshop/`` (see
``[tool.setuptools.data-files]`` in ``pyproject.toml``).
"""

from __future__ import annotations

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

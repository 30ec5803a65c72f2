"""Voila's own files the serve tests read: its lab template's static
folder and the Font Awesome solid font in it (toolkit/serve/icons.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from jupyter_core.paths import jupyter_path

from toolkit.serve import icons


@pytest.fixture(scope="session")
def voila_static() -> Path:
    """The folder of voila-style.js and the fonts it loads."""
    for folder in jupyter_path("voila", "templates", "base", "static"):
        if (Path(folder) / "voila-style.js").is_file():
            return Path(folder)
    pytest.fail("Voila's template static folder (voila-style.js) not found")


@pytest.fixture(scope="session")
def icon_font(voila_static) -> Path:
    """Font Awesome 5 Free Solid as Voila serves it (exactly one such woff2)."""
    (font,) = [p for p in sorted(voila_static.glob("*.woff2")) if TTFont(p)["name"].getDebugName(4) == icons.ICON_FONT]
    return font

"""The kit's one palette (band colours strength / discuss / concern, text,
muted, borders, accent), as CSS custom properties in ``palette.css``.

    >>> from toolkit import palette
    >>> palette.css()[:5]                       # put before any stylesheet that uses var(--xs-...)
    ':root'
    >>> palette.colours()["accent"]
    '#284b8f'

The planning guide and the handout (:mod:`toolkit.exports.guide`) inline
it; the dashboard, the console and the participant workbook
(``widgets/style.py``) load it before their own CSS files; the spreadsheet
export takes its header colour from :func:`colours`. ``toolkit`` never
imports ``widgets``, so the palette lives here and the widgets read it.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

_PROPERTY = re.compile(r"--xs-([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;")


@functools.cache
def css() -> str:
    """The palette as CSS: one ``:root`` rule of ``--xs-*`` custom
    properties (comments removed)."""
    text = resources.files(__package__).joinpath("palette.css").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"[ \t]+\n", "\n", text).strip() + "\n"


@functools.cache
def colours() -> dict[str, str]:
    """Every colour by name without the ``--xs-`` prefix (``"accent"``,
    ``"strength-ink"``, ...), as ``#rrggbb``."""
    return dict(_PROPERTY.findall(css()))

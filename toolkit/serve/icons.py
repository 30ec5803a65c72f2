"""The icons a served page can show, and Voila's icon font cut down to them.

Every page of Voila's lab template loads Font Awesome 5 Free Solid
(``9834b82ad26e2a37583d.woff2``: 1,004 glyphs, 78 KB, incompressible, the
largest file of a first visit that was not already compressed) while the
pages show about twenty-five of its icons. :func:`subset` cuts the font
down to the characters of :data:`ICONS` (2.4 KB); the low-priority
precompression process makes that copy once (:mod:`toolkit.serve.static`,
which sends it in place of the whole font, at the same URL).

    >>> small = subset(Path(".../9834b82ad26e2a37583d.woff2").read_bytes())

:data:`ICONS` is the one list of what is kept. A widget given an icon that
is not in it would show an empty box, so ``tests/toolkit/serve/test_icons.py``
reads every icon the kit's code names (``icon="..."``, ``fa-`` classes)
and fails until it is added here, and checks each character against the
Font Awesome stylesheet Voila bundles.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from types import MappingProxyType

#: Every Font Awesome icon a served page can show: the name after ``fa-``
#: in the classes the front end sets (ipywidgets writes ``fa fa-<icon>``
#: for a button's ``icon``), and the character Font Awesome 5.15's
#: stylesheet in Voila gives that class (its v4 shim's where ``.fa.fa-<icon>``
#: has one, as for ``sign-in``).
ICONS: Mapping[str, int] = MappingProxyType({
    # The kit's widgets (``icon=`` on buttons and toggle buttons).
    "arrow-left": 0xF060,
    "arrow-right": 0xF061,
    "clock": 0xF017,
    "download": 0xF019,
    "eye": 0xF06E,  # with .fa, Font Awesome shows these two from the regular font
    "eye-slash": 0xF070,
    "file": 0xF15B,
    "hourglass-half": 0xF252,
    "key": 0xF084,
    "list-ol": 0xF0CB,
    "plus": 0xF067,
    "print": 0xF02F,
    "redo": 0xF01E,
    "sign-in": 0xF2F6,
    "sync": 0xF021,
    "user-secret": 0xF21B,
    # ipywidgets' own front end: Valid's check and cross, a tag's close
    # button, the accordion's carets, the Play widget's buttons.
    "check": 0xF00C,
    "times": 0xF00D,
    "caret-right": 0xF0DA,
    "caret-down": 0xF0D7,
    "play": 0xF04B,
    "pause": 0xF04C,
    "stop": 0xF04D,
    "retweet": 0xF079,
    # ipywidgets' stylesheet: a widget whose kernel is gone shows "chain-broken".
    "unlink": 0xF127,
})

#: The font :func:`subset` cuts (its full name, ``name`` ID 4); other fonts
#: (Font Awesome's regular and brands, the lab's text fonts) are sent whole.
ICON_FONT = "Font Awesome 5 Free Solid"


def token() -> str:
    """A short name for the kept set: a subset copy made for another list
    is never taken for this one's."""
    return hashlib.sha256(",".join(f"{c:x}" for c in sorted(set(ICONS.values()))).encode()).hexdigest()[:12]


def subset(data: bytes) -> bytes | None:
    """``data`` (a woff2 font) cut down to the characters of :data:`ICONS`,
    as woff2, or ``None`` when it is not :data:`ICON_FONT` (or not a font
    fontTools can read): that font is sent as it is."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data))
        if font["name"].getDebugName(4) != ICON_FONT:
            return None
    except (TTLibError, KeyError, ValueError, EOFError, AssertionError):
        return None
    options = ft_subset.Options()
    options.flavor = "woff2"
    options.name_IDs = ["*"]  # the licence and names stay as they were
    options.notdef_outline = True
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps: nothing reads them
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(set(ICONS.values())))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()

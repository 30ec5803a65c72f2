"""The icon font cut down to the icons a page can show
(toolkit/serve/icons.py): every icon the kit's code names is kept, each
kept character is the one Font Awesome's stylesheet in Voila gives it, and
the cut copy of Voila's real font is a small woff2 with those glyphs drawn
as in the whole font."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fontTools.ttLib import TTFont

from toolkit.serve import icons, page_bundle

ROOT = Path(__file__).resolve().parents[3]
#: Where the kit's code can name an icon.
KIT_CODE = ("widgets", "toolkit", "notebooks", "pages")
#: ``icon="plus"``, ``icons=["plus", ...]``, ``fa-plus``, ``"fa fa-plus"``.
NAMED = (
    re.compile(r"""\bicon\s*=\s*["']([a-z0-9-]+)["']"""),
    re.compile(r"""\bicons\s*=\s*[\[(]([^\])]*)[\])]"""),
    re.compile(r"""(?<![\w-])fa-([a-z0-9-]+)"""),
)
#: What the front end's build installs and makes from :data:`icons.ICONS`.
MADE = (page_bundle.SOURCE / "node_modules", page_bundle.SOURCE / "icons.css", page_bundle.OUT)
#: Font Awesome's classes that are not icons.
NOT_ICONS = {"fw", "spin", "pulse", "lg", "2x", "3x", "border", "pull-left", "pull-right", "li", "ul", "stack", "inverse", "solid-900"}  # the last: the font file page_bundle cuts


def kit_icon_names() -> set[str]:
    names: set[str] = set()
    for folder in KIT_CODE:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".css", ".j2", ".html", ".js", ".ipynb"} or not path.is_file():
                continue
            if any(path.is_relative_to(made) for made in MADE):
                continue
            text = path.read_text(encoding="utf-8")
            names.update(NAMED[0].findall(text))
            for listed in NAMED[1].findall(text):
                names.update(re.findall(r"""["']([a-z0-9-]+)["']""", listed))
            names.update(n for n in NAMED[2].findall(text) if n not in NOT_ICONS)
    return names


def test_every_icon_the_kit_names_is_kept():
    named = kit_icon_names()
    assert {"plus", "sign-in", "arrow-right", "user-secret"} <= named  # the scan finds them
    assert sorted(named - set(icons.ICONS)) == []


def test_each_kept_character_is_the_one_voilas_font_awesome_css_gives_the_class(voila_static):
    # Voila bundles Font Awesome 5's stylesheet and its v4 shims into voila-style.js.
    css = (voila_static / "voila-style.js").read_text(encoding="utf-8")
    for name, char in icons.ICONS.items():
        shim = re.findall(r'\.fa\.fa-' + re.escape(name) + r':before\{content:"\\\\(f[0-9a-f]+)"', css)
        own = re.findall(r'(?<![\w.-])\.fa-' + re.escape(name) + r':before\{content:"\\\\(f[0-9a-f]+)"', css)
        assert {int(c, 16) for c in (shim or own)} == {char}, name


def test_the_cut_font_is_a_small_woff2_with_the_same_glyphs(icon_font):
    whole = TTFont(icon_font)
    data = icons.subset(icon_font.read_bytes())
    assert data is not None and data[:4] == b"wOF2" and len(data) < 15_000
    cut = TTFont(io.BytesIO(data))
    assert cut.flavor == "woff2" and cut["name"].getDebugName(4) == icons.ICON_FONT
    cmap, whole_cmap = cut.getBestCmap(), whole.getBestCmap()
    assert set(cmap) == set(icons.ICONS.values())
    for char in icons.ICONS.values():
        glyph, original = cut["glyf"][cmap[char]], whole["glyf"][whole_cmap[char]]
        assert glyph.getCoordinates(cut["glyf"])[0] == original.getCoordinates(whole["glyf"])[0], hex(char)
        assert cut["hmtx"][cmap[char]] == whole["hmtx"][whole_cmap[char]]
    assert len(cut.getGlyphOrder()) == len(icons.ICONS) + 1  # and .notdef


def test_other_fonts_and_other_bytes_are_not_cut(voila_static, icon_font):
    others = [p for p in sorted(voila_static.glob("*.woff2")) if p != icon_font]
    assert others  # Font Awesome's regular and brands fonts
    assert all(icons.subset(p.read_bytes()) is None for p in others)
    assert icons.subset(b"wOF2 but not a font") is None


def test_the_token_changes_with_the_kept_set(monkeypatch):
    before = icons.token()
    monkeypatch.setattr(icons, "ICONS", {**icons.ICONS, "bell": 0xF0F3})
    assert icons.token() != before

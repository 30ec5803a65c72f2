"""The pages' own front end (toolkit/serve/page_bundle.py): what the build
leaves, the icon rules made from the one icon list, the URLs the template
gets (pinned to content, none when not built or when Voila's is asked
for), and that nothing in it asks another server for anything. What it
does in a browser is every test under tests/browser."""

from __future__ import annotations

import io
import re

import pytest
from fontTools.ttLib import TTFont

from toolkit.serve import icons, page_bundle, static


def test_the_icon_rules_are_the_icon_list():
    css = page_bundle.icon_stylesheet("icons-0123456789abcdef.woff2")
    rules = dict(re.findall(r'\.fa-([a-z-]+):before \{ content: "\\([0-9a-f]+)"; \}', css))
    assert {name: int(code, 16) for name, code in rules.items()} == dict(icons.ICONS)
    assert 'src: url("icons-0123456789abcdef.woff2") format("woff2")' in css
    assert ".fa-fw {" in css and ".fa {" in css  # the classes ipywidgets writes


def test_the_font_name_pins_its_content():
    name = page_bundle.font_name(b"a font")
    assert static.HASHED_NAME.search(name)  # served with a year's lifetime
    assert page_bundle.font_name(b"another font") != name


def test_the_build_is_there_and_its_font_is_the_kits_icons():
    # scripts/setup.sh builds it; the tests run on that build.
    out = page_bundle.OUT
    css = (out / page_bundle.STYLESHEET).read_text(encoding="utf-8")
    (font_url,) = re.findall(r"url\((icons-[0-9a-f]{16}\.woff2)\)", css)
    font = TTFont(io.BytesIO((out / font_url).read_bytes()))
    assert font["name"].getDebugName(4) == icons.ICON_FONT
    assert set(font.getBestCmap()) == set(icons.ICONS.values())
    assert not re.search(r"https?://", css)  # no font or sheet from another server
    script = (out / page_bundle.SCRIPT).read_text(encoding="utf-8")
    assert "application/vnd.voila.cell-output+json" in script and "voila/api/shutdown/" in script
    assert "sanitize-html" not in script  # stood in for by text_only.js


def test_the_bundled_packages_licences_are_served_beside_the_bundle():
    notices = (page_bundle.OUT / page_bundle.NOTICES).read_text(encoding="utf-8")
    listed = re.findall(r"^== (\S+) ", notices, flags=re.M)
    assert {"@jupyter-widgets/controls", "@jupyterlab/services", "@lumino/widgets", "jquery", "backbone", "@fortawesome/fontawesome-free"} <= set(listed)
    assert "sanitize-html" not in listed  # not bundled (text_only.js stands in)
    assert "Permission is hereby granted" in notices  # the MIT texts themselves
    assert "SIL OFL 1.1 License" in notices  # the icon font's
    for built in (page_bundle.SCRIPT, page_bundle.STYLESHEET):  # and each file says where they are
        assert (page_bundle.OUT / built).read_text(encoding="utf-8").startswith(f"/*! The bundled packages and their licences: {page_bundle.NOTICES}")


def test_page_assets_are_pinned_to_their_content(tmp_path):
    (tmp_path / "page.js").write_text("one", encoding="utf-8")
    (tmp_path / "page.css").write_text("a{}", encoding="utf-8")
    first = page_bundle.page_assets("/hub/user/x/", out=tmp_path)
    assert first is not None
    assert re.fullmatch(rf"/hub/user/x/xs/static/{tmp_path.name}/page\.js\?v=[0-9a-f]{{16}}", first.script)
    assert first.stylesheet.startswith(f"/hub/user/x/xs/static/{tmp_path.name}/page.css?v=")
    (tmp_path / "page.js").write_text("two, longer", encoding="utf-8")
    assert page_bundle.page_assets("/hub/user/x/", out=tmp_path).script != first.script


def test_without_a_build_or_when_asked_pages_use_voilas_front_end(tmp_path, monkeypatch):
    assert page_bundle.page_assets("/", out=tmp_path) is None
    (tmp_path / "page.js").write_text("x", encoding="utf-8")
    assert page_bundle.page_assets("/", out=tmp_path) is None  # the stylesheet is missing
    (tmp_path / "page.css").write_text("x", encoding="utf-8")
    assert page_bundle.page_assets("/", out=tmp_path) is not None
    assert page_bundle.missing_note(tmp_path) is None
    monkeypatch.setenv("WORKSHOP_FRONT_END", "voila")
    assert page_bundle.page_assets("/", out=tmp_path) is None
    assert page_bundle.missing_note(tmp_path) is None  # asked for: nothing to say
    monkeypatch.delenv("WORKSHOP_FRONT_END")
    (tmp_path / "page.css").unlink()
    note = page_bundle.missing_note(tmp_path)
    assert note.startswith("Pages use Voila's own front end") and "python -m toolkit.serve.page_bundle" in note


def test_page_config_names_the_front_end_for_the_template(monkeypatch):
    from toolkit.serve import app

    config = {"fullStaticUrl": "/hub/voila/static", "baseUrl": "/hub/"}
    made = app.page_config(dict(config), settings={"xs_static_version": "abc"}, base_url="/hub/")
    assert made["xsPage"]["script"].startswith("/hub/xs/static/page/page.js?v=")
    assert made["fullStaticUrl"] == "/hub/voila/static/_/abc"  # and Voila's scripts, versioned
    monkeypatch.setenv("WORKSHOP_FRONT_END", "voila")
    assert "xsPage" not in app.page_config(dict(config), settings={}, base_url="/hub/")


def test_a_build_without_npm_says_so_in_one_line(tmp_path, monkeypatch):
    (tmp_path / "package-lock.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(page_bundle.BuildError, match=r"^npm is not installed: .*Node\.js") as caught:
        page_bundle.build(source=tmp_path, out=tmp_path / "out")
    assert "\n" not in str(caught.value)
